package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/casework/storetest"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/stretchr/testify/require"
)

func open(t *testing.T, db *sql.DB, engine sqlstore.Engine) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.New(db, engine)
	require.NoError(t, err)
	require.NoError(t, s.Migrate(context.Background()))
	return s
}

func TestConformanceSQLite(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) casework.KernelStore { return open(t, testdb.SQLite(t), sqlstore.SQLite) })
}

func TestConformancePostgres(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) casework.KernelStore { return open(t, testdb.Postgres(t).DB, sqlstore.Postgres) })
}
