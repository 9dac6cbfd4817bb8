package sqlx

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"sync"
	"time"
	"weak"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Group commit of SQLite writes.
//
// SQLite has one write lock per database. Left to itself, every pooled
// connection that begins a write while another holds the lock sleeps in
// SQLite's busy handler (1, 2, 5 … 100 ms, retried until busy_timeout), so
// under 64 concurrent creates most of a writer's time was sleeping, the
// p99 reached seconds, and each commit paid its own fsync.
//
// A database registered with GroupWrites instead queues the transactions
// Tx runs on it in this process: one writer at a time (the leader) takes
// every transaction queued so far, runs each under its own savepoint in one
// database transaction and commits them with one fsync (synchronous=FULL as
// before). A transaction whose function fails is rolled back to its
// savepoint and leaves nothing; the others commit. No caller is answered
// before the commit that holds its work is durable, or fails with it.
// Writers of other processes still meet the busy handler.
type writeGroup struct {
	sem   chan struct{} // the leader's token: one batch at a time
	mu    sync.Mutex
	queue []*groupJob
	wait  time.Duration // how long a transaction waits for its turn
}

type groupJob struct {
	ctx  context.Context
	fn   func(tx *sql.Tx) error
	done chan error // buffered: the leader never blocks on it
}

// groupWait is how long Tx waits for its turn before giving up with
// ErrConflict, as SQLite's busy_timeout in SQLiteDSN does.
const groupWait = 10 * time.Second

// groups holds each registered database's write group, keyed weakly: an
// entry goes when its *sql.DB is collected, so a process that opens and
// drops databases (tests, an embedder reconnecting) keeps none of them.
var groups sync.Map // weak.Pointer[sql.DB] → *writeGroup

// GroupWrites makes Tx on db (a SQLite database in WAL mode) queue its
// transactions and commit them in groups; see writeGroup. Idempotent.
func GroupWrites(db *sql.DB) {
	key := weak.Make(db)
	if _, loaded := groups.LoadOrStore(key, &writeGroup{sem: make(chan struct{}, 1), wait: groupWait}); !loaded {
		runtime.AddCleanup(db, func(k weak.Pointer[sql.DB]) { groups.Delete(k) }, key)
	}
}

func groupOf(db *sql.DB) *writeGroup {
	g, ok := groups.Load(weak.Make(db))
	if !ok {
		return nil
	}
	return g.(*writeGroup)
}

// errBatchAborted marks a batch whose database transaction ended under it
// (SQLite rolls a transaction back whole on an interrupted write, an I/O
// error or a full disk): the work still pending is run again alone.
var errBatchAborted = fmt.Errorf("write batch aborted")

// run queues fn and returns its outcome once a commit holding it is
// durable, or its error.
func (g *writeGroup) run(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	j := &groupJob{ctx: ctx, fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, j)
	g.mu.Unlock()
	timer := time.NewTimer(g.wait)
	defer timer.Stop()
	select {
	case err := <-j.done:
		return err
	case g.sem <- struct{}{}:
		// The leader: whoever held the token before has finished its
		// batch, so j is either done or still queued.
		select {
		case err := <-j.done:
			<-g.sem
			return err
		default:
		}
		batch := g.take()
		g.commit(db, batch)
		<-g.sem
		return <-j.done
	case <-ctx.Done():
		return g.leave(j, ctx.Err())
	case <-timer.C:
		return g.leave(j, errs.New(errs.ErrConflict, "database busy, retry: no turn to write within %s", g.wait))
	}
}

// leave takes j out of the queue and returns err, unless a leader took it
// already: then j's outcome is the leader's, and it is waited for (the
// batch is short, and j's context may still end its statements).
func (g *writeGroup) leave(j *groupJob, err error) error {
	g.mu.Lock()
	for i, q := range g.queue {
		if q == j {
			g.queue = append(g.queue[:i], g.queue[i+1:]...)
			g.mu.Unlock()
			return err
		}
	}
	g.mu.Unlock()
	return <-j.done
}

func (g *writeGroup) take() []*groupJob {
	g.mu.Lock()
	defer g.mu.Unlock()
	batch := g.queue
	g.queue = nil
	return batch
}

// commit runs a batch and answers every job in it.
func (g *writeGroup) commit(db *sql.DB, batch []*groupJob) {
	if len(batch) == 1 {
		j := batch[0]
		j.done <- alone(j.ctx, db, j.fn)
		return
	}
	results, err := together(db, batch)
	if err == errBatchAborted {
		// Nothing of the batch was committed: the jobs that had not
		// failed on their own run again, each in its own transaction.
		for i, j := range batch {
			if results[i] == nil {
				results[i] = alone(j.ctx, db, j.fn)
			}
		}
		err = nil
	}
	for i, j := range batch {
		if err != nil {
			j.done <- err
		} else {
			j.done <- results[i]
		}
	}
}

// alone runs fn in a transaction of its own.
func alone(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return Translate(err)
	}
	if err := protect(fn, tx); err != nil {
		_ = tx.Rollback()
		return Translate(err)
	}
	return Translate(tx.Commit())
}

// together runs the batch's functions in one transaction, each under a
// savepoint, and commits. It returns each job's own error (nil when its
// work is in the commit) and the commit's error; errBatchAborted when the
// transaction ended before the commit.
func together(db *sql.DB, batch []*groupJob) ([]error, error) {
	results := make([]error, len(batch))
	// The batch's transaction outlives any one caller's context: a caller
	// that goes away must not take the others' work with it.
	bg := context.Background()
	tx, err := db.BeginTx(bg, nil)
	if err != nil {
		return results, Translate(err)
	}
	for i, j := range batch {
		if err := j.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		if _, err := tx.ExecContext(bg, "SAVEPOINT grassroots_group"); err != nil {
			_ = tx.Rollback()
			return results, errBatchAborted
		}
		if err := protect(j.fn, tx); err != nil {
			results[i] = Translate(err)
			if _, rerr := tx.ExecContext(bg, "ROLLBACK TO SAVEPOINT grassroots_group"); rerr != nil {
				// The transaction is gone (an interrupted statement rolls
				// it back whole): j failed on its own, the others before it
				// lost their work with it.
				_ = tx.Rollback()
				return results, errBatchAborted
			}
		}
		if _, err := tx.ExecContext(bg, "RELEASE SAVEPOINT grassroots_group"); err != nil {
			_ = tx.Rollback()
			return results, errBatchAborted
		}
	}
	return results, Translate(tx.Commit())
}

// protect runs fn, turning a panic into an error: fn may be another
// request's, and the leader must answer the rest of its batch.
func protect(fn func(tx *sql.Tx) error, tx *sql.Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sqlx: write panicked: %v", r)
		}
	}()
	return fn(tx)
}
