package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/mediation/sqlstore"
	"github.com/grassroots-policing/grassroots/mediation/storetest"
	"github.com/stretchr/testify/require"
)

// open migrates the kernel's tables and then mediation's on db.
func open(t testing.TB, db *sql.DB, engine casesql.Engine) (mediation.Store, casework.KernelStore) {
	t.Helper()
	ctx := context.Background()
	k, err := casesql.New(db, engine)
	require.NoError(t, err)
	if _, bench := t.(*testing.B); !bench {
		k.CheckRollups() // every roll-up read is proved against the raw rows; benchmarks time the reads alone
	}
	require.NoError(t, k.Migrate(ctx))
	s := sqlstore.New(k)
	require.NoError(t, s.Migrate(ctx))
	require.NoError(t, s.Migrate(ctx), "migrating twice changes nothing")
	return s, k
}

func TestSQLite(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) (mediation.Store, casework.KernelStore) {
		return open(t, testdb.SQLite(t), casesql.SQLite)
	})
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) (mediation.Store, casework.KernelStore) {
		return open(t, testdb.Postgres(t).DB, casesql.Postgres)
	})
}
