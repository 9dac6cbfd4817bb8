package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/grassroots-policing/grassroots/casework/cases/sqlstore"
	"github.com/grassroots-policing/grassroots/casework/cases/storetest"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/stretchr/testify/require"
)

// migrated builds the kernel and case stores on db and migrates both lines.
func migrated(t testing.TB, db *sql.DB, engine casesql.Engine) (*casesql.Store, *sqlstore.Store) {
	t.Helper()
	k, err := casesql.New(db, engine)
	require.NoError(t, err)
	if _, bench := t.(*testing.B); !bench {
		k.CheckRollups() // every roll-up read is proved against the raw rows; benchmarks time the reads alone
	}
	require.NoError(t, k.Migrate(context.Background()))
	c := sqlstore.New(k)
	require.NoError(t, c.Migrate(context.Background()))
	return k, c
}

// TestConformanceSQLite runs the conformance suite on SQLite, with a
// second connection pool onto the same file standing for a second process.
func TestConformanceSQLite(t *testing.T) {
	t.Parallel()
	storetest.RunProcesses(t, func(t *testing.T) ([]cases.Store, casework.KernelStore) {
		db, path := testdb.SQLiteFile(t)
		k, c := migrated(t, db, casesql.SQLite)
		other, err := testdb.OpenSQLite(path)
		require.NoError(t, err)
		t.Cleanup(func() { _ = other.Close() })
		_, c2 := migrated(t, other, casesql.SQLite)
		return []cases.Store{c, c2}, k
	})
}

// TestConformancePostgres runs the conformance suite on PostgreSQL, with a
// second connection pool onto the same schema standing for a second
// process.
func TestConformancePostgres(t *testing.T) {
	t.Parallel()
	storetest.RunProcesses(t, func(t *testing.T) ([]cases.Store, casework.KernelStore) {
		pg := testdb.Postgres(t)
		k, c := migrated(t, pg.DB, casesql.Postgres)
		_, c2 := migrated(t, pg.Open(t), casesql.Postgres)
		return []cases.Store{c, c2}, k
	})
}

func TestMigrateTwice(t *testing.T) {
	t.Parallel()
	_, c := migrated(t, testdb.SQLite(t), casesql.SQLite)
	require.NoError(t, c.Migrate(context.Background()))
}
