package sqlx

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
	"weak"

	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/stretchr/testify/require"
)

// groupDB is a fresh SQLite file with one table, its writes grouped.
func groupDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", SQLiteDSN(filepath.Join(t.TempDir(), "g.db")))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	db.SetMaxIdleConns(64)
	_, err = db.Exec(`CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL)`)
	require.NoError(t, err)
	GroupWrites(db)
	return db
}

func ids(t *testing.T, db *sql.DB) map[string]bool {
	t.Helper()
	rows, err := db.Query(`SELECT id FROM t`)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		require.NoError(t, rows.Scan(&id))
		out[id] = true
	}
	require.NoError(t, rows.Err())
	return out
}

func insert(id string) func(tx *sql.Tx) error {
	return func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO t (id, n) VALUES ($1, 1)`, id)
		return err
	}
}

var errRefused = errors.New("refused")

// TestGroupCommitBurst: concurrent transactions, some failing after their
// write, some duplicates of others' keys, one panicking: each answer is its
// own, a failed one leaves nothing and the rest commit.
func TestGroupCommitBurst(t *testing.T) {
	t.Parallel()
	db := groupDB(t)
	const n = 96
	errsOut := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			id := fmt.Sprintf("r%02d", i)
			fn := insert(id)
			switch {
			case i%10 == 3: // writes, then fails
				fn = func(tx *sql.Tx) error {
					if err := insert(id)(tx); err != nil {
						return err
					}
					return errRefused
				}
			case i%10 == 7: // the same key as the one before it
				fn = insert(fmt.Sprintf("r%02d", i-1))
			case i == 50:
				fn = func(tx *sql.Tx) error {
					if err := insert(id)(tx); err != nil {
						return err
					}
					panic("boom")
				}
			}
			errsOut[i] = Tx(context.Background(), db, fn)
		})
	}
	wg.Wait()
	got := ids(t, db)
	for i := range n {
		id := fmt.Sprintf("r%02d", i)
		switch {
		case i%10 == 3:
			require.ErrorIs(t, errsOut[i], errRefused, id)
			require.False(t, got[id], "%s failed and left nothing", id)
		case i%10 == 7:
			// r(i-1) is written by whichever of the two came first; the
			// other is a conflict.
			require.True(t, got[fmt.Sprintf("r%02d", i-1)])
			require.False(t, got[id])
			if errsOut[i] != nil {
				require.ErrorIs(t, errsOut[i], errs.ErrConflict)
				require.NoError(t, errsOut[i-1])
			} else {
				require.ErrorIs(t, errsOut[i-1], errs.ErrConflict)
			}
		case i == 50:
			require.ErrorContains(t, errsOut[i], "panicked")
			require.False(t, got[id])
		case i%10 == 6:
		default:
			require.NoError(t, errsOut[i], id)
			require.True(t, got[id], id)
		}
	}
}

// TestGroupCommitOneBatch drives one batch directly: jobs before and after
// a failing one commit together, a cancelled one is skipped.
func TestGroupCommitOneBatch(t *testing.T) {
	t.Parallel()
	db := groupDB(t)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	bg := context.Background()
	batch := []*groupJob{
		{ctx: bg, fn: insert("a"), done: make(chan error, 1)},
		{ctx: bg, fn: func(tx *sql.Tx) error { _ = insert("b")(tx); return errRefused }, done: make(chan error, 1)},
		{ctx: cancelled, fn: insert("c"), done: make(chan error, 1)},
		{ctx: bg, fn: insert("d"), done: make(chan error, 1)},
	}
	groupOf(db).commit(db, batch)
	require.NoError(t, <-batch[0].done)
	require.ErrorIs(t, <-batch[1].done, errRefused)
	require.ErrorIs(t, <-batch[2].done, context.Canceled)
	require.NoError(t, <-batch[3].done)
	require.Equal(t, map[string]bool{"a": true, "d": true}, ids(t, db))
}

// TestGroupCommitAbortedBatch: a job that ends the transaction under the
// batch (as an interrupted statement does in SQLite) fails alone; the work
// of the others, lost with the transaction, runs again and commits.
func TestGroupCommitAbortedBatch(t *testing.T) {
	t.Parallel()
	db := groupDB(t)
	bg := context.Background()
	batch := []*groupJob{
		{ctx: bg, fn: insert("a"), done: make(chan error, 1)},
		{ctx: bg, fn: func(tx *sql.Tx) error {
			_ = insert("b")(tx)
			_, _ = tx.Exec(`ROLLBACK`)
			return errRefused
		}, done: make(chan error, 1)},
		{ctx: bg, fn: insert("c"), done: make(chan error, 1)},
	}
	groupOf(db).commit(db, batch)
	require.NoError(t, <-batch[0].done)
	require.ErrorIs(t, <-batch[1].done, errRefused)
	require.NoError(t, <-batch[2].done)
	require.Equal(t, map[string]bool{"a": true, "c": true}, ids(t, db))
}

// TestGroupCommitWaitsBounded: a writer that cannot get its turn gives up
// after the wait with ErrConflict (as SQLite's busy timeout did), and one
// whose context ends gives up at once; neither leaves anything.
func TestGroupCommitWaitsBounded(t *testing.T) {
	t.Parallel()
	db := groupDB(t)
	g := groupOf(db)
	g.wait = 100 * time.Millisecond
	release, holding := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- Tx(context.Background(), db, func(tx *sql.Tx) error {
			close(holding)
			<-release
			return insert("first")(tx)
		})
	}()
	<-holding
	require.ErrorIs(t, Tx(context.Background(), db, insert("late")), errs.ErrConflict)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, Tx(ctx, db, insert("gone")), context.DeadlineExceeded)
	close(release)
	require.NoError(t, <-first)
	require.Equal(t, map[string]bool{"first": true}, ids(t, db))
	g.mu.Lock()
	defer g.mu.Unlock()
	require.Empty(t, g.queue, "a writer that gave up left the queue")
}

// TestGroupWritesForgetsCollectedDatabases: a database registered for
// group commit leaves the registry once it is collected, so opening and
// dropping databases keeps nothing.
func TestGroupWritesForgetsCollectedDatabases(t *testing.T) {
	t.Parallel()
	func() {
		db, err := sql.Open("sqlite", SQLiteDSN(filepath.Join(t.TempDir(), "g.db")))
		require.NoError(t, err)
		GroupWrites(db)
		require.NotNil(t, groupOf(db))
		require.NoError(t, db.Close())
	}()
	require.Eventually(t, func() bool {
		runtime.GC()
		stale := 0
		groups.Range(func(k, _ any) bool {
			if k.(weak.Pointer[sql.DB]).Value() == nil {
				stale++
			}
			return true
		})
		return stale == 0
	}, 5*time.Second, 10*time.Millisecond, "the collected database's group is deleted")
}
