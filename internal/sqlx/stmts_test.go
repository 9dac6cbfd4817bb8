package sqlx_test

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/stretchr/testify/require"
)

// kvTable makes an empty table kv (k, v) in db.
func kvTable(t *testing.T, db *sql.DB) {
	_, err := db.ExecContext(context.Background(), `CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL)`)
	require.NoError(t, err)
}

// A cached statement answers like the plain query, from many goroutines
// and pooled connections at once; a statement that could not be prepared
// (a cancelled context) is not kept, and the caller sees the error.
func TestStmts(t *testing.T) {
	t.Parallel()
	testdb.EachEngine(t, func(t *testing.T, db *sql.DB, _ sqlx.Engine) {
		kvTable(t, db)
		ctx := context.Background()
		_, err := db.ExecContext(ctx, `INSERT INTO kv (k, v) VALUES ('a', 'alpha'), ('b', 'beta')`)
		require.NoError(t, err)
		const q = `SELECT v FROM kv WHERE k = $1`
		st := sqlx.NewStmts(db)

		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		var v string
		require.ErrorIs(t, st.QueryRow(cancelled, q, "a").Scan(&v), context.Canceled)

		var wg sync.WaitGroup
		for i := range 16 {
			wg.Go(func() {
				k, want := "a", "alpha"
				if i%2 == 1 {
					k, want = "b", "beta"
				}
				var got string
				if err := st.QueryRow(ctx, q, k).Scan(&got); err != nil || got != want {
					t.Errorf("%s: got %q, %v; want %q", k, got, err, want)
				}
			})
		}
		wg.Wait()
		require.ErrorIs(t, st.QueryRow(ctx, q, "missing").Scan(&v), sql.ErrNoRows)
	})
}

// Past MaxStmts query texts the cache prepares nothing more, and every
// query still answers (unprepared), so texts built from filters cannot
// grow it without bound.
func TestStmtsBounded(t *testing.T) {
	t.Parallel()
	db := testdb.SQLite(t)
	ctx := context.Background()
	st := sqlx.NewStmts(db)
	for i := range sqlx.MaxStmts + 10 {
		rows, err := st.QueryContext(ctx, `SELECT $1 + `+strconv.Itoa(i), 1)
		require.NoError(t, err)
		var got int
		require.True(t, rows.Next())
		require.NoError(t, rows.Scan(&got))
		require.NoError(t, rows.Close())
		require.Equal(t, 1+i, got)
	}
	require.Equal(t, sqlx.MaxStmts, st.Len())
}

// A statement not prepared yet never makes a transaction wait for a
// connection to prepare it: with both connections of a pool of two taken
// (one held apart, one by the transaction), the transaction runs it
// unprepared; once a connection is spare, the next transaction prepares it.
func TestStmtsInTxNeedNoSecondConnection(t *testing.T) {
	t.Parallel()
	testdb.EachEngine(t, func(t *testing.T, db *sql.DB, _ sqlx.Engine) {
		kvTable(t, db)
		ctx := context.Background()
		db.SetMaxOpenConns(2)
		st := sqlx.NewStmts(db)
		const insert, read = `INSERT INTO kv (k, v) VALUES ($1, $2)`, `SELECT COUNT(*) FROM kv WHERE k = $1`
		write := func(k string) error {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer func() { _ = tx.Rollback() }()
			if _, err := st.Exec(ctx, tx, insert, k, "v"); err != nil {
				return err
			}
			var n int
			if err := st.QueryRowTx(ctx, tx, read, k).Scan(&n); err != nil || n != 1 {
				return fmt.Errorf("read back %d, %v", n, err)
			}
			return tx.Commit()
		}

		held, err := db.Conn(ctx)
		require.NoError(t, err)
		done := make(chan error, 1)
		go func() { done <- write("a") }()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Fatal("a transaction waited for a connection to prepare its statement")
		}
		require.Zero(t, st.Len(), "nothing prepared while the pool had no connection to spare")
		require.NoError(t, held.Close())

		require.NoError(t, write("b"))
		require.Equal(t, 2, st.Len(), "prepared once a connection was spare")
	})
}
