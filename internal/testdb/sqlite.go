package testdb

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/grassroots-policing/grassroots/internal/sqlx"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// SQLiteDriver is the database/sql driver name registered by modernc.org/sqlite.
const SQLiteDriver = "sqlite"

// OpenSQLite opens (creating if needed) the SQLite database file at path.
//
// It is a variable so that the storage layer can make tests open databases
// exactly the way production code does: set it once, before any test runs
// (in an init function or TestMain of the test binary), never concurrently
// with running tests. It must not use ":memory:" behind a pool.
var OpenSQLite = DefaultOpenSQLite

// DefaultOpenSQLite opens path with SQLiteDSN through the "sqlite" driver.
func DefaultOpenSQLite(path string) (*sql.DB, error) {
	return sql.Open(SQLiteDriver, SQLiteDSN(path))
}

// SQLiteDSN is the DSN the stores use (see sqlx.SQLiteDSN).
func SQLiteDSN(path string) string { return sqlx.SQLiteDSN(path) }

// SQLite returns a pool onto a fresh SQLite database file in t.TempDir(),
// opened with OpenSQLite and closed in t.Cleanup.
func SQLite(t testing.TB) *sql.DB {
	t.Helper()
	db, _ := SQLiteFile(t)
	return db
}

// SQLiteFile is SQLite that also returns the database file's path, for tests
// that inspect the raw file (remember the WAL: checkpoint before reading).
func SQLiteFile(t testing.TB) (db *sql.DB, path string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "test.db")
	db, err := OpenSQLite(path)
	if err != nil {
		t.Fatalf("testdb: open SQLite %s: %v", path, err)
	}
	// Registered after TempDir's own cleanup, so it runs before the directory
	// is removed.
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("testdb: close SQLite %s: %v", path, err)
		}
	})
	// sql.Open is lazy: connect now so a broken DSN or path fails here,
	// with the path in the message, rather than in the first query.
	if err := db.Ping(); err != nil {
		t.Fatalf("testdb: connect SQLite %s: %v", path, err)
	}
	return db, path
}
