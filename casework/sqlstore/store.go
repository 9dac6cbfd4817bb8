// Package sqlstore is the kernel's SQL store for SQLite (the embedded
// default) and PostgreSQL, and the database handle every workflow's SQL
// store is built on (mediation/sqlstore.New(kernel) …). It owns the shared
// tables: units, staff, persons, addresses, shares, the audit chain and its
// checkpoints, request keys, inbox and outbox.
package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // the embedded default engine
)

// Engine names a database engine.
type Engine = sqlx.Engine

// The engines.
const (
	SQLite   = sqlx.SQLite
	Postgres = sqlx.Postgres
)

// Store is the kernel's SQL store. It is safe for concurrent use by any
// number of goroutines and processes sharing one database: all coordination
// goes through versions, unique keys and transactions.
type Store struct {
	db    *sql.DB
	d     *sqlx.Dialect
	stmts *sqlx.Stmts // the point reads by id, prepared once
	// checkRollups: every roll-up read is compared with the raw rows
	// (CheckRollups, for tests).
	checkRollups atomic.Bool
	writes       *atomic.Uint64 // sqlx.WriteCount of db, looked up once
}

var (
	_ casework.KernelStore  = (*Store)(nil)
	_ casework.WriteCounter = (*Store)(nil)
)

// New wraps an open database of the given engine. Call MigrateAll before
// use.
// A SQLite handle must come from OpenSQLite (or use the same pragmas): WAL,
// a busy timeout, immediate transactions, synchronous=FULL, foreign keys.
func New(db *sql.DB, engine Engine) (*Store, error) {
	d, err := sqlx.Of(engine)
	if err != nil {
		return nil, err
	}
	if engine == SQLite {
		// This process's writers take turns in Go and commit in groups
		// instead of sleeping in SQLite's busy handler (sqlx.GroupWrites).
		sqlx.GroupWrites(db)
	}
	return &Store{db: db, d: d, stmts: sqlx.NewStmts(db), writes: sqlx.WriteCount(db)}, nil
}

// OpenSQLite opens (creating if needed) a SQLite database file with the
// settings the stores rely on. Never pass ":memory:": every pooled
// connection would see a different empty database.
func OpenSQLite(path string) (*sql.DB, error) {
	if path == "" || strings.Contains(path, ":memory:") {
		return nil, fmt.Errorf("sqlstore: SQLite needs a file path, not %q", path)
	}
	db, err := sql.Open("sqlite", sqlx.SQLiteDSN(path))
	if err != nil {
		return nil, err
	}
	// One connection first: it turns a new file to WAL, which needs the
	// file to itself. Connections opened together on a new file would each
	// try that switch, and the losers get SQLITE_BUSY without waiting; once
	// the file is in WAL mode (it stays so) every later open finds it done.
	if err := db.PingContext(context.Background()); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(sqliteOpenConns)
	return KeepConnections(db), nil
}

// OpenPostgres opens a pgx connection pool through database/sql. The schema
// can be chosen with search_path in the URL's options or RuntimeParams.
func OpenPostgres(dsn string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %w", err)
	}
	return KeepConnections(stdlib.OpenDB(*cfg)), nil
}

// Pool sizing for concurrent requests. database/sql keeps two idle
// connections by default: under load every other connection is closed
// after its query and a new one opened for the next, which on SQLite
// parses the whole schema again (half the CPU of a read at 64 concurrent
// requests, measured with examples/loadtest) and on PostgreSQL starts a
// backend process. So the pools keep every connection the load needed
// (up to idleConns) and close those a quiet server has not used for
// connIdleTime.
//
// On PostgreSQL the number open at once is not capped. On SQLite it is
// (sqliteOpenConns): SQLite runs on the calling goroutine, so connections
// beyond what the cores keep busy add no throughput, only memory (each
// holds its own page cache, schema and parser state). Under 64 concurrent
// creates the server held one for nearly every request and its RSS reached
// 155-197 MB (examples/loadtest, create on SQLite, at a disk that took
// 2,000 baseline commits a second); capped at 16, 104-106 MB, the creates
// ran as fast or faster and the GETs alike. Writes do not hold a
// connection while they queue (sqlx.GroupWrites), and a transaction never
// needs a second connection (sqlx.Stmts prepares only on a spare one), so
// the cap only makes a burst of requests wait for a connection in turn.
const (
	idleConns       = 128
	connIdleTime    = 2 * time.Minute
	sqliteOpenConns = 16
)

// KeepConnections sets db's pool as OpenSQLite and OpenPostgres do (see
// idleConns), for a caller that changed it, e.g. after a Fresh bulk load,
// which closes every idle SQLite connection to leave WAL.
func KeepConnections(db *sql.DB) *sql.DB {
	db.SetMaxIdleConns(idleConns)
	db.SetConnMaxIdleTime(connIdleTime)
	return db
}

// DB returns the database handle, for workflow stores built on this one.
func (s *Store) DB() *sql.DB { return s.db }

// Engine returns the database engine, for workflow stores built on this one
// (their SQL differs between the engines only where the dialect says so).
func (s *Store) Engine() Engine { return s.d.Engine }

// Migrate creates or upgrades the kernel's tables only; MigrateAll
// migrates the workflows' too.
func (s *Store) Migrate(ctx context.Context) error { return s.MigrateAll(ctx) }

// Host is what a workflow's SQL store is built on (mediation/sqlstore.New
// and its peers take one): the database to read from, its engine, the
// kernel's migration entry point, and Write, which runs the workflow's
// record change in a transaction and commits the kernel rows of a
// casework.Change (audit entries, outbox, request key, inbox mark, shares,
// addresses) with it. *Store is the kernel's own; an integrator whose
// kernel backend is another database/sql store satisfies Host with it and
// carries the workflow stores unchanged.
type Host interface {
	DB() *sql.DB
	Engine() Engine
	Write(ctx context.Context, ch casework.Change, fn func(tx *sql.Tx) error) error
	WriteIn(ctx context.Context, tx *sql.Tx, ch casework.Change, fn func(tx *sql.Tx) error) error
	MigrateAll(ctx context.Context, workflows ...Migrator) error
}

var _ Host = (*Store)(nil)

// WithTx makes the writes of every store on this database, kernel and
// workflows alike, join tx, a transaction the embedding application opened
// on the same *sql.DB: its own record and ours commit together, or neither.
// Each of our writes runs under a savepoint inside tx, so a refused write
// leaves nothing of itself and tx stays usable. Reads still go through the
// pool and do not see tx's uncommitted rows. On SQLite tx holds the write
// lock until it ends, so keep such transactions short; on PostgreSQL the
// audit chain head is locked only while tx commits (the database appends
// the entries then), unless tx made its constraints immediate.
func WithTx(ctx context.Context, tx *sql.Tx) context.Context { return sqlx.WithTx(ctx, tx) }

// Snapshot implements casework.SnapshotStore: reads of this store and of
// every workflow store built on it see one snapshot of the database while
// fn runs (sqlx.Snapshot; the SQL stores read through sqlx.Reader).
func (s *Store) Snapshot(ctx context.Context, fn func(ctx context.Context) error) error {
	return sqlx.Snapshot(ctx, s.db, s.d.Engine, fn)
}

// Writes implements casework.WriteCounter: it counts the transactions of
// every store on this database handle (sqlx.WriteCount), which is every
// workflow store built on this one (Host). A store opened on another
// handle is counted apart, and its writes are seen as another process's.
func (s *Store) Writes() uint64 { return s.writes.Load() }

// InWrite implements casework.WriteCounter: reads go through the pool
// (or a snapshot), never through a write's transaction, so they never see
// what is not committed.
func (*Store) InWrite(context.Context) bool { return false }

// Atomically implements casework.KernelStore: fn's writes, on this store and
// on every workflow store built on it, join one transaction (WithTx), which
// commits when fn returns nil and rolls back otherwise. Inside a transaction
// the caller joined, it runs under a savepoint of that one.
func (s *Store) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	return sqlx.Tx(ctx, s.db, func(tx *sql.Tx) error { return fn(WithTx(ctx, tx)) })
}

// Write runs fn in a transaction and commits ch with it: the request key and
// inbox mark first (so a concurrent duplicate waits on the unique key and
// then fails), then fn's record change, then the outbox rows, and the audit
// entries under the chain-head lock, which is held only for the end of the
// transaction: on SQLite they are appended last; on PostgreSQL they are
// queued first and the database appends them at commit (queueAudit), and a
// request key that may replace an expired one is written with them, in
// their statement. Both or neither.
func (s *Store) Write(ctx context.Context, ch casework.Change, fn func(tx *sql.Tx) error) error {
	return sqlx.Tx(ctx, s.db, func(tx *sql.Tx) error { return s.WriteIn(ctx, tx, ch, fn) })
}

const insertRequestKey = `INSERT INTO request_keys (actor_id, key, fingerprint, record_type, record_id, result, created_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7)`

// upsertRequestKey follows insertRequestKey, then the placeholder of the
// cutoff: a live key is left alone and the statement writes nothing.
const upsertRequestKey = ` ON CONFLICT (actor_id, key) DO UPDATE SET fingerprint = excluded.fingerprint,
	record_type = excluded.record_type, record_id = excluded.record_id, result = excluded.result, created_at = excluded.created_at
	WHERE request_keys.created_at < `

// WriteIn is Write inside a transaction the caller opened, for a store that
// must read or lock something first (a case-number counter) and build the
// change from it.
func (s *Store) WriteIn(ctx context.Context, tx *sql.Tx, ch casework.Change, fn func(tx *sql.Tx) error) error {
	// On PostgreSQL the audit records are queued before the record change,
	// so the database chains them first at commit, and a request key that
	// may replace an expired one is written by the same statement (a round
	// trip fewer); elsewhere keys are claimed first and records appended
	// last.
	queue := s.d.Engine == Postgres
	var key *casework.RequestKey
	if rk := ch.RequestKey; rk != nil && queue && len(ch.Audit) > 0 && !rk.ExpiredBefore.IsZero() {
		key, ch.RequestKey = rk, nil
	}
	if err := s.claimKeys(ctx, tx, ch); err != nil {
		return err
	}
	if queue {
		if err := s.queueAudit(ctx, tx, ch.Audit, key); err != nil {
			return err
		}
	}
	if fn != nil {
		if err := fn(tx); err != nil {
			return err
		}
	}
	for _, a := range ch.Addresses {
		if err := updateAddress(ctx, tx, a); err != nil {
			return err
		}
	}
	for _, m := range ch.Shares {
		if err := insertShare(ctx, tx, m); err != nil {
			return err
		}
	}
	for _, m := range ch.Moves {
		if _, err := tx.ExecContext(ctx, `INSERT INTO record_moves (kind, record_id, from_unit, to_unit, moved_at) VALUES ($1, $2, $3, $4, $5)`,
			m.Kind, m.RecordID, m.FromUnit, m.ToUnit, sqlx.T(m.MovedAt)); err != nil {
			return err
		}
	}
	if err := s.enqueue(ctx, tx, ch.Outbox); err != nil {
		return err
	}
	if queue {
		return nil
	}
	return s.appendAudit(ctx, tx, ch.Audit)
}

// keyClaimed is the outcome of an upsert of the request key named key
// (upsertRequestKey) that res and err report: a live key made it write
// nothing, and that is the duplicate.
func keyClaimed(key string, res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return errs.New(errs.ErrConflict, "duplicate key (request key %q)", key)
	}
	return nil
}

func (s *Store) claimKeys(ctx context.Context, tx *sql.Tx, ch casework.Change) error {
	if rk := ch.RequestKey; rk != nil {
		args := []any{rk.ActorID, rk.Key, rk.Fingerprint, rk.RecordType, rk.RecordID, rk.Result, sqlx.T(rk.CreatedAt)}
		if rk.ExpiredBefore.IsZero() {
			if _, err := s.stmts.Exec(ctx, tx, insertRequestKey, args...); err != nil {
				return err
			}
		} else {
			// An expired key gives way to the new one here, in the write's
			// transaction, in one statement: a live key makes the upsert
			// write nothing, and that is the duplicate. A racing writer's
			// upsert waits for this row (PostgreSQL) or for the write lock
			// (SQLite) and then finds the key live, so it is ErrConflict.
			res, err := s.stmts.Exec(ctx, tx, insertRequestKey+upsertRequestKey+`$8`, append(args, sqlx.T(rk.ExpiredBefore))...)
			if err := keyClaimed(rk.Key, res, err); err != nil {
				return err
			}
		}
	}
	if in := ch.Inbox; in != nil {
		if _, err := tx.ExecContext(ctx, `INSERT INTO inbox (source_kind, source_id, step, record_type, record_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, in.SourceKind, in.SourceID, in.Step, in.RecordType, in.RecordID, sqlx.T(in.CreatedAt)); err != nil {
			return err
		}
	}
	return nil
}
