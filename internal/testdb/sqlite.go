package testdb

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

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

// SQLiteDSN returns the modernc.org/sqlite DSN used for file databases: every
// pooled connection waits up to 10 s on a lock, uses WAL with
// synchronous=FULL, enforces foreign keys and begins transactions IMMEDIATE
// (so a read-then-write transaction cannot fail with SQLITE_BUSY on upgrade).
func SQLiteDSN(path string) string {
	return "file:" + escapeURIPath(path) +
		"?_pragma=busy_timeout(10000)" +
		"&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(FULL)" +
		"&_pragma=foreign_keys(1)" +
		"&_txlock=immediate"
}

// escapeURIPath escapes the characters that would end or corrupt the path part
// of an SQLite "file:" URI. The driver splits the DSN at the first '?', and
// SQLite percent-decodes the path and stops it at '#'.
func escapeURIPath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.ToSlash(p))
}

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
