package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/stretchr/testify/require"
)

// pgRollupFixture is the roll-up fixture on PostgreSQL, checking every
// roll-up read against the raw rows.
func pgRollupFixture(t *testing.T) (*sql.DB, *sqlstore.Store, *rollupFixture) {
	t.Helper()
	db := testdb.Postgres(t).DB
	s := openStore(t, db, sqlstore.Postgres)
	s.CheckRollups()
	return db, s, newRollupFixture(t, db, s)
}

// TestWritersOfOneDayWaitOnNoRollupRow (PostgreSQL): a transaction whose
// roll-up triggers ran holds its roll-up rows until it ends; another that
// changes the same unit's figures for the same day (an event it counted
// taken away, another added) commits meanwhile, without waiting for a lock
// (lock_timeout), because it adds to another shard. The figures, read
// while checking them against the raw rows, stay exact.
func TestWritersOfOneDayWaitOnNoRollupRow(t *testing.T) {
	t.Parallel()
	db, _, f := pgRollupFixture(t)
	ctx := f.ctx
	f.exec(t, `INSERT INTO rt VALUES ('e1', 'a', $1, 'x', 'p', 2)`, f.day(0, 10))

	a, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = a.Rollback() }()
	_, err = a.ExecContext(ctx, `INSERT INTO rt VALUES ('e2', 'a', $1, 'x', 'q', 1)`, f.day(0, 11))
	require.NoError(t, err)
	_, err = a.ExecContext(ctx, `SET CONSTRAINTS ALL IMMEDIATE`) // its roll-up triggers run now
	require.NoError(t, err)
	var aShard, bShard int
	require.NoError(t, a.QueryRowContext(ctx, `SELECT current_setting('grassroots.rollup_shard')::integer`).Scan(&aShard))

	b, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = b.Rollback() }()
	for _, q := range []string{`SET LOCAL lock_timeout = '2s'`, `DELETE FROM rt WHERE id = 'e1'`,
		`INSERT INTO rt VALUES ('e3', 'a', ` + fmt.Sprint(f.day(0, 12)) + `, 'y', 'z', 1)`} {
		_, err = b.ExecContext(ctx, q)
		require.NoError(t, err, q)
	}
	require.NoError(t, b.Commit(), "b waits on none of a's roll-up rows")
	require.NoError(t, a.Commit())

	got, err := f.grid(t, []string{"/r/", "/r/a/"}, f.day(0, 0), f.day(1, 0))
	require.NoError(t, err)
	for r := range 2 {
		require.Equal(t, []int64{1, 1, 0}, got[[3]int{0, r, 0}]["x"], "row %d: e2 alone", r)
		require.Equal(t, []int64{1, 1, 0}, got[[3]int{0, r, 0}]["y"], "row %d: e3", r)
		require.Equal(t, []int64{1, 0, 0}, got[[3]int{1, r, 0}]["x"], "row %d: only q, p is gone", r)
	}
	require.NoError(t, db.QueryRowContext(ctx, `SELECT shard FROM rollup_test_rt WHERE unit_id = 'r' AND key = 'y'`).Scan(&bShard))
	require.NotEqual(t, aShard, bShard, "a and b each wrote their own shard")
}

// TestRollupsBeforeTheHeadAndExactUnderConcurrentWrites (PostgreSQL): with
// the audit head held by another transaction, every one of n writers of
// the same unit and day takes its own roll-up shard, and so has run its
// roll-up triggers, while it waits for the head: none waits on another's
// roll-up row, and none does roll-up work inside the head's window. Then
// many concurrent audited writes — inserts, updates and deletes on the
// same units and days — leave roll-ups equal to the raw rows, day by day,
// and a chain that verifies.
func TestRollupsBeforeTheHeadAndExactUnderConcurrentWrites(t *testing.T) {
	t.Parallel()
	db, s, f := pgRollupFixture(t)
	ctx, cancel := context.WithTimeout(f.ctx, 2*time.Minute)
	defer cancel()
	// The writers name themselves, apart from other tests' in the same
	// database (advisory locks are the database's, not the schema's).
	writer := fmt.Sprintf("rollup writer %p", f)
	insert := func(id, unit string, at int64, kind, target string, n int) error {
		return s.Write(ctx, auditedChange(id), func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `SELECT set_config('application_name', $1, true)`, writer); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO rt VALUES ($1, $2, $3, $4, $5, $6)`, id, unit, at, kind, target, n)
			return err
		})
	}

	const n = 8
	head, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = head.Rollback() }()
	_, err = head.ExecContext(ctx, `SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE`)
	require.NoError(t, err)
	errc := make(chan error, n)
	for i := range n {
		go func() { errc <- insert(fmt.Sprintf("h%d", i), "a", f.day(0, 9), "x", fmt.Sprintf("t%d", i), 1) }()
	}
	require.Eventually(t, func() bool {
		var held int
		require.NoError(t, db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT l.objid) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
			WHERE a.application_name = $1 AND a.wait_event_type = 'Lock' AND l.locktype = 'advisory' AND l.granted
			AND l.classid = $2 AND l.objsubid = 2`, writer, 0x67726f6c).Scan(&held))
		return held == n
	}, 20*time.Second, 10*time.Millisecond, "each writer waiting for the head holds its own shard")
	require.NoError(t, head.Commit())
	for range n {
		require.NoError(t, <-errc)
	}
	var shards int
	require.NoError(t, db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT shard) FROM rollup_test_rt WHERE unit_id = 'r'`).Scan(&shards))
	require.Equal(t, n, shards)

	const writers, each = 12, 20
	var wg sync.WaitGroup
	werr := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 13))
			var mine []string
			for i := range each {
				id := fmt.Sprintf("w%d-%d", w, i)
				var err error
				switch op := rng.IntN(4); {
				case op == 0 && len(mine) > 0:
					err = s.Write(ctx, auditedChange(id), func(tx *sql.Tx) error {
						_, err := tx.ExecContext(ctx, `UPDATE rt SET kind = $1, at = $2, n = $3 WHERE id = $4`,
							[]string{"x", "y", "skip"}[rng.IntN(3)], f.day(rng.IntN(3), rng.IntN(24)), rng.IntN(4), mine[rng.IntN(len(mine))])
						return err
					})
				case op == 1 && len(mine) > 0:
					k := rng.IntN(len(mine))
					err = s.Write(ctx, auditedChange(id), func(tx *sql.Tx) error {
						_, err := tx.ExecContext(ctx, `DELETE FROM rt WHERE id = $1`, mine[k])
						return err
					})
					mine = append(mine[:k], mine[k+1:]...)
				default:
					err = insert(id, []string{"a", "b", "c"}[rng.IntN(3)], f.day(rng.IntN(3), rng.IntN(24)),
						[]string{"x", "y"}[rng.IntN(2)], fmt.Sprintf("p%d", rng.IntN(5)), rng.IntN(4))
					mine = append(mine, id)
				}
				if err != nil {
					werr <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(werr)
	for err := range werr {
		require.NoError(t, err)
	}
	for _, paths := range [][]string{{"/r/"}, {"/r/", "/r/a/", "/r/b/", "/r/c/"}} {
		_, err := f.grid(t, paths, f.day(0, 0), f.day(1, 0), f.day(2, 0), f.day(3, 0))
		require.NoError(t, err, "roll-ups equal the raw rows over %v", paths)
	}
	require.Len(t, chain(t, s), n+writers*each)
}

// TestWriterWaitsForAShardWhenAllAreHeld (PostgreSQL): with every shard
// held by another session, a writer waits for its backend's own shard and
// then adds to it, exactly.
func TestWriterWaitsForAShardWhenAllAreHeld(t *testing.T) {
	t.Parallel()
	db, _, f := pgRollupFixture(t)
	ctx, cancel := context.WithTimeout(f.ctx, time.Minute)
	defer cancel()
	holder, err := db.Conn(ctx)
	require.NoError(t, err)
	defer holder.Close()
	// Held for as short a time as the test allows: advisory locks are the
	// database's, and other tests' writers wait for them too.
	_, err = holder.ExecContext(ctx, `SELECT pg_advisory_lock($1, s) FROM generate_series(0, 63) s`, 0x67726f6c)
	require.NoError(t, err)
	writer, err := db.Conn(ctx)
	require.NoError(t, err)
	defer writer.Close()
	var pid int
	require.NoError(t, writer.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid))
	done := make(chan error, 1)
	go func() {
		_, err := writer.ExecContext(ctx, `INSERT INTO rt VALUES ('e1', 'a', $1, 'x', 'p', 2)`, f.day(0, 10))
		done <- err
	}()
	require.Eventually(t, func() bool {
		var waiting bool
		require.NoError(t, db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = $1 AND locktype = 'advisory'
			AND NOT granted AND classid = $2 AND objid = $1 % 64 AND objsubid = 2)`, pid, 0x67726f6c).Scan(&waiting))
		return waiting
	}, 20*time.Second, 5*time.Millisecond, "the writer waits for its own shard")
	_, err = holder.ExecContext(ctx, `SELECT pg_advisory_unlock_all()`)
	require.NoError(t, err)
	require.NoError(t, <-done)
	var shard int
	require.NoError(t, db.QueryRowContext(ctx, `SELECT shard FROM rollup_test_rt WHERE unit_id = 'r'`).Scan(&shard))
	require.Equal(t, pid%64, shard)
	_, err = f.grid(t, []string{"/r/"}, f.day(0, 0), f.day(1, 0))
	require.NoError(t, err)
}
