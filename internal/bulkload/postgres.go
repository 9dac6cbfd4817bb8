package bulkload

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
)

// endFreshPostgres ends a Fresh load on PostgreSQL. Each step is one
// statement on one table (a key's or an index's build, a roll-up fill, a
// foreign key's validation, an ANALYZE), each of which PostgreSQL runs on
// one core, so the steps run on as many connections at once as there are
// cores:
//
//  1. the primary keys and UNIQUE constraints, which a foreign key needs
//     (each build holds its table alone: a key and its table are one job);
//  2. the foreign keys, added back NOT VALID one after the other (each
//     takes a brief lock on both of its tables and reads no row);
//  3. the indexes, the roll-up triggers and the roll-up fills, and each
//     foreign key's VALIDATE (which reads its table against the key's
//     target under locks that let the others read on);
//  4. ANALYZE of each loaded table and roll-up table, when their indexes
//     exist.
//
// The end state is the one the statements would reach one at a time: the
// same keys, indexes, triggers and (validated) constraints, the same
// roll-up rows.
func (l *Loader) endFreshPostgres(ctx context.Context) error {
	start := l.mark()
	var keys, build, validate []job
	var fks []string
	for _, ix := range l.indexes {
		switch ix.kind {
		case uniqueKey:
			keys = append(keys, job{ix.create, []string{ix.create}})
		case foreignKey:
			q := ix.create
			if !strings.HasSuffix(q, " NOT VALID") {
				q += " NOT VALID"
			}
			fks = append(fks, q)
			if ix.validate != "" {
				validate = append(validate, job{"validate " + ix.name, []string{ix.validate}})
			}
		default:
			build = append(build, job{ix.create, []string{ix.create}})
		}
	}
	if err := l.parallel(ctx, keys); err != nil {
		return err
	}
	start = l.phase("keys", start)
	for _, q := range fks {
		if _, err := l.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("bulkload: %s: %w", q, err)
		}
	}
	fills, err := l.rollupFills(ctx)
	if err != nil {
		return err
	}
	// The longest first: the fills read whole tables; then the index
	// builds, the triggers (which wait for an index build on their table)
	// and the validations.
	var jobs []job
	var analyze []job
	for _, f := range fills {
		jobs = append(jobs, job{"fill the roll-up " + f.name, f.stmts(false)})
		analyze = append(analyze, job{"analyze rollup_" + f.name, []string{`ANALYZE rollup_` + f.name}})
	}
	jobs = append(append(jobs, build...), validate...)
	if err := l.parallel(ctx, jobs); err != nil {
		return err
	}
	start = l.phase("indexes, roll-ups and foreign keys", start)
	l.indexes = nil
	for _, name := range tableOrder {
		if l.touched[name] {
			analyze = append(analyze, job{"analyze " + name, []string{`ANALYZE ` + name}})
		}
	}
	err = l.parallel(ctx, analyze)
	l.phase("analyze", start)
	return err
}

// job is a step of a Fresh load's end: statements run in order on one
// connection.
type job struct {
	name  string
	stmts []string
}

// freshSession is what each connection of a parallel end sets first: the
// memory PostgreSQL may use for one index build's sort and for a fill's
// sorts and hashes, instead of spilling them to disk (its defaults are 64
// and 4 MiB), and no JIT compilation, which the fills' cost estimates
// would otherwise ask for (tens of milliseconds each, for statements run
// once). The worker resets them before it gives its connection back.
var freshSession = []string{`SET maintenance_work_mem = '256MB'`, `SET work_mem = '64MB'`, `SET jit = off`}

// parallel runs the jobs on runtime.GOMAXPROCS(0) connections at once,
// each taking the next job when it is done with one, and returns the first
// error (the jobs not yet started are then skipped).
func (l *Loader) parallel(ctx context.Context, jobs []job) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	var first error
	next := make(chan job)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.worker(ctx, next); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
				cancel()
				for range next { // what is left is skipped
				}
			}
		}()
	}
	for _, j := range jobs {
		select {
		case next <- j:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(next)
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// worker runs the jobs it takes from next on a connection of its own.
func (l *Loader) worker(ctx context.Context, next <-chan job) (err error) {
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer func() {
		// The session's settings go with it: the connection returns to
		// the pool with PostgreSQL's defaults, even after an error.
		_, rerr := conn.ExecContext(context.WithoutCancel(ctx), `RESET ALL`)
		err = errors.Join(err, rerr, conn.Close())
	}()
	for _, q := range freshSession {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("bulkload: %s: %w", q, err)
		}
	}
	for j := range next {
		for _, q := range j.stmts {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("bulkload: %s: %w", strings.TrimSpace(j.name), err)
			}
		}
	}
	return nil
}
