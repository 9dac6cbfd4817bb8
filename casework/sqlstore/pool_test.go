package sqlstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"

	"github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/stretchr/testify/require"
)

// The pools keep the connections a burst of concurrent requests opened:
// none is closed for want of an idle slot (database/sql keeps two by
// default, and a new SQLite connection parses the whole schema again, a
// new PostgreSQL one starts a backend).
func TestPoolKeepsConnections(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(t *testing.T) (*sql.DB, error){
		"sqlite":   func(t *testing.T) (*sql.DB, error) { return sqlstore.OpenSQLite(filepath.Join(t.TempDir(), "pool.db")) },
		"postgres": func(t *testing.T) (*sql.DB, error) { return sqlstore.OpenPostgres(testdb.Postgres(t).URL()) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db, err := open(t)
			require.NoError(t, err)
			t.Cleanup(func() { _ = db.Close() })
			ctx := context.Background()
			// 16 transactions held open at once force 16 connections.
			var ready, release sync.WaitGroup
			ready.Add(16)
			release.Add(1)
			var wg sync.WaitGroup
			for range 16 {
				wg.Go(func() {
					conn, err := db.Conn(ctx)
					if err != nil {
						ready.Done()
						t.Error(err)
						return
					}
					ready.Done()
					release.Wait()
					_ = conn.Close()
				})
			}
			ready.Wait()
			release.Done()
			wg.Wait()
			st := db.Stats()
			require.Equal(t, 16, st.OpenConnections, "every connection the burst opened is kept")
			require.Zero(t, st.MaxIdleClosed)
		})
	}
}

// SQLite's pool is capped (each connection is memory, not throughput): a
// burst of more requests than the cap waits for a connection in turn
// instead of opening one each; PostgreSQL's is not.
func TestSQLitePoolIsCapped(t *testing.T) {
	t.Parallel()
	db, err := sqlstore.OpenSQLite(filepath.Join(t.TempDir(), "cap.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	require.Equal(t, 16, db.Stats().MaxOpenConnections)
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			var n int
			if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master`).Scan(&n); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	require.LessOrEqual(t, db.Stats().OpenConnections, 16)

	pg, err := sqlstore.OpenPostgres(testdb.Postgres(t).URL())
	require.NoError(t, err)
	t.Cleanup(func() { _ = pg.Close() })
	require.Zero(t, pg.Stats().MaxOpenConnections, "no cap on PostgreSQL")
}
