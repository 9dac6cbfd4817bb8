package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/casestoretest"
	"github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/stretchr/testify/require"
)

// migrated builds the kernel and case stores on db and migrates both lines.
func migrated(t *testing.T, db *sql.DB, engine sqlstore.Engine) (*sqlstore.Store, *sqlstore.Cases) {
	t.Helper()
	k, err := sqlstore.New(db, engine)
	require.NoError(t, err)
	require.NoError(t, k.Migrate(context.Background()))
	c := sqlstore.NewCases(k)
	require.NoError(t, c.Migrate(context.Background()))
	return k, c
}

// TestCasesSQLite runs the conformance suite on SQLite, with a second
// connection pool onto the same file standing for a second process.
func TestCasesSQLite(t *testing.T) {
	t.Parallel()
	casestoretest.Run(t, func(t *testing.T) casestoretest.Backend {
		db, path := testdb.SQLiteFile(t)
		k, c := migrated(t, db, sqlstore.SQLite)
		other, err := testdb.OpenSQLite(path)
		require.NoError(t, err)
		t.Cleanup(func() { _ = other.Close() })
		_, c2 := migrated(t, other, sqlstore.SQLite)
		return casestoretest.Backend{Kernel: k, Cases: c, Others: []cases.Store{c2}}
	})
}

// TestCasesPostgres runs the conformance suite on PostgreSQL, with a second
// connection pool onto the same schema standing for a second process.
func TestCasesPostgres(t *testing.T) {
	t.Parallel()
	casestoretest.Run(t, func(t *testing.T) casestoretest.Backend {
		pg := testdb.Postgres(t)
		k, c := migrated(t, pg.DB, sqlstore.Postgres)
		_, c2 := migrated(t, pg.Open(t), sqlstore.Postgres)
		return casestoretest.Backend{Kernel: k, Cases: c, Others: []cases.Store{c2}}
	})
}

func TestCasesMigrateTwice(t *testing.T) {
	t.Parallel()
	_, c := migrated(t, testdb.SQLite(t), sqlstore.SQLite)
	require.NoError(t, c.Migrate(context.Background()))
}
