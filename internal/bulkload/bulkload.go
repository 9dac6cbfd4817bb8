// Package bulkload writes many records at once, the way a store would write
// each of them one by one: the same rows in the same tables, and for every
// record its audit entry, appended to the one hash chain with signed
// checkpoints, so that casework.Kernel.VerifyAudit passes on the result.
//
// It exists for loads far beyond what the services sustain one transaction
// at a time (a generated city of millions of records): on PostgreSQL the rows
// go in by COPY (pgx CopyFrom), on SQLite by multi-row prepared INSERTs in
// large transactions. Each flush is one transaction holding the buffered rows
// of every table, their audit entries and the moved chain head, so a load cut
// short leaves a consistent database that ends at the last flush.
//
// A Loader is for one goroutine and one database that nothing else writes
// while it runs: it keeps the chain head in memory between flushes.
//
// A Fresh load (Config.Fresh) is for a new database that is worth nothing
// until the load has finished, such as a generated city: it is loaded
// without the secondary indexes and, on PostgreSQL, without the keys and
// foreign keys (built and checked once at Close), and on SQLite without journal, fsync or
// foreign-key checks (checked once at Close, then the file goes back to WAL
// with synchronous=FULL and is fsynced) and in pages of 16 KiB. A crash or
// an error during such a load leaves a database to delete and generate
// again; the loader says so by returning the error, and never leaves a
// half-restored schema behind a nil error.
package bulkload

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/bits"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/grassroots-policing/grassroots/internal/audit"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

// tableOrder is the order in which a flush writes the tables: every table
// after the tables its foreign keys name.
var tableOrder = []string{
	"persons",
	"outreach_visits", "outreach_visit_officers", "outreach_visit_persons", "outreach_hazards", "outreach_hazard_events", "outreach_referrals",
	"mediation_disputes", "mediation_dispute_refs",
	"case_cases", "case_suspects", "case_identifiers", "case_arrests", "case_leads", "case_person_refs", "case_counters",
	"recovery_items", "recovery_item_identifiers", "recovery_custody", "recovery_returns", "recovery_events",
	"outbox", "inbox",
	"audit_log", "audit_payloads", "audit_checkpoints",
}

var known = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range tableOrder {
		m[t] = true
	}
	return m
}()

// Config says how a Loader signs checkpoints and how much it buffers.
type Config struct {
	// CheckpointKey signs a checkpoint of the chain head every
	// CheckpointEvery entries and at Close; CheckpointKeyID names it. The
	// kernel that verifies the result must know the key's public half
	// (casework.Config.CheckpointKey or CheckpointKeys).
	CheckpointKey   ed25519.PrivateKey
	CheckpointKeyID string
	CheckpointEvery int64 // default 10,000
	// FlushRows is how many buffered rows make a flush (one transaction);
	// default 50,000 (two batches are in memory at once: the one being
	// written and the one being filled).
	FlushRows int
	// Fresh says the database is new and worth nothing until the load
	// has finished (a generated city: lost on a crash, it is generated
	// again). The loader then trades the load's durability for speed:
	// it drops the secondary indexes of the tables it writes (on
	// PostgreSQL their keys and foreign keys too) and builds them again
	// at Close (one sort each instead of a B-tree insert per row), where
	// a duplicate key or a dangling reference fails the load; on SQLite it also writes on one connection without a
	// rollback journal, with no fsync and no foreign-key checks, and at
	// Close checks the foreign keys once, switches the file back to WAL
	// with synchronous=FULL and fsyncs it. A load that fails or is cut
	// short leaves a database to throw away; a finished one is as the
	// stores would have written it.
	Fresh bool
	// CPU, if set, is the CPU time used so far (by the process, say): each
	// of Phases then says how much of it went into the step.
	CPU func() time.Duration
}

// Loader buffers rows and writes them in bulk.
type Loader struct {
	db      *sql.DB
	engine  sqlx.Engine
	cfg     Config
	tables  map[string]*table
	pending int
	head    audit.Head
	lastCp  int64
	written int64
	records int64
	// inflight is the flush under way, if any: its rows are written while
	// the caller goes on adding the next batch.
	inflight chan flushResult
	// fresh is the state of a Fresh load: the SQLite connection every
	// flush writes on with the INSERTs prepared on it, and the indexes to
	// build again at Close.
	conn    *sql.Conn
	stmts   stmtCache
	indexes []index
	touched map[string]bool // the tables written, which a Fresh load analyses at Close
	phases  []Phase
}

// Phase is how long one step of a Fresh load's end took (Loader.Phases):
// its wall time, and the CPU time Config.CPU counted in it.
type Phase struct {
	Name      string
	Took, CPU time.Duration
}

// Phases are the steps of a Fresh load's end (after its last flush has
// committed) in order: building the indexes, filling the roll-ups,
// analysing, checking keys, going back to WAL.
func (l *Loader) Phases() []Phase { return l.phases }

// mark is where a phase began.
type mark struct {
	at  time.Time
	cpu time.Duration
}

func (l *Loader) mark() mark {
	m := mark{at: time.Now()}
	if l.cfg.CPU != nil {
		m.cpu = l.cfg.CPU()
	}
	return m
}

// phase records the step that ended now and began at start, and returns
// where the next begins.
func (l *Loader) phase(name string, start mark) mark {
	now := l.mark()
	l.phases = append(l.phases, Phase{name, now.at.Sub(start.at), now.cpu - start.cpu})
	return now
}

type flushResult struct {
	rows int
	err  error
}

type table struct {
	cols []string
	rows [][]any
}

// ErrNotEmpty: the chain already holds entries another writer might still
// be appending to; a Loader continues a chain only when told (Open's
// continueChain).
var ErrNotEmpty = errors.New("bulkload: the audit chain is not empty")

// Open starts a load on db (migrated by the kernel's MigrateAll with every
// workflow line). It reads the chain head, so the load continues a chain
// that the services began (units and staff created through the kernel).
func Open(ctx context.Context, db *sql.DB, engine sqlx.Engine, cfg Config) (*Loader, error) {
	if cfg.CheckpointKey == nil || cfg.CheckpointKeyID == "" {
		return nil, errors.New("bulkload: a checkpoint key and its id are required")
	}
	if cfg.CheckpointEvery <= 0 {
		cfg.CheckpointEvery = 10_000
	}
	if cfg.FlushRows <= 0 {
		cfg.FlushRows = 50_000
	}
	l := &Loader{db: db, engine: engine, cfg: cfg, tables: map[string]*table{}, touched: map[string]bool{}}
	var hash []byte
	if err := db.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&l.head.Seq, &hash); err != nil {
		return nil, fmt.Errorf("bulkload: read the chain head: %w", err)
	}
	copy(l.head.Hash[:], hash)
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM audit_checkpoints`).Scan(&l.lastCp); err != nil {
		return nil, fmt.Errorf("bulkload: read the checkpoints: %w", err)
	}
	if cfg.Fresh {
		if err := l.startFresh(ctx); err != nil {
			l.release()
			return nil, err
		}
	}
	return l, nil
}

// Rows is how many rows have been committed (after Close: all of them).
func (l *Loader) Rows() int64 { return l.written }

// Records is how many audit entries were added, one per audited write.
func (l *Loader) Records() int64 { return l.records }

// Head is the chain head after everything added so far.
func (l *Loader) Head() audit.Head { return l.head }

// Add buffers one row of table name; cols must be the same for every row
// of a table, and the table one that a flush knows the place of (its
// foreign keys). Values that are driver.Valuers (sqlx.JSON) are resolved
// here, so COPY sees plain values. Nothing is written until Done finds
// the buffer full, or Flush or Close.
func (l *Loader) Add(name string, cols []string, vals ...any) error {
	if !known[name] {
		return fmt.Errorf("bulkload: table %q is not one a flush knows the place of", name)
	}
	t := l.tables[name]
	if t == nil {
		t = &table{cols: cols}
		l.tables[name] = t
		l.touched[name] = true
	}
	for i, v := range vals {
		if dv, ok := v.(driver.Valuer); ok {
			x, err := dv.Value()
			if err != nil {
				return fmt.Errorf("bulkload: %s.%s: %w", name, cols[i], err)
			}
			vals[i] = x
		}
	}
	t.rows = append(t.rows, vals)
	l.pending++
	return nil
}

// Done marks the end of one write (a record with its side rows and audit
// entries): when the buffer is full, it is flushed here, so that a flush
// never splits a write.
func (l *Loader) Done(ctx context.Context) error {
	if l.pending >= l.cfg.FlushRows {
		return l.Flush(ctx)
	}
	return nil
}

// Audit appends a record's audit entry to the chain: next places the entry
// after the head it is given (casework.ChainNext, which the stores call
// too), payload is the redacted payload whose digest the entry holds. A
// signed checkpoint follows when CheckpointEvery entries have passed since
// the last.
func (l *Loader) Audit(next func(audit.Head) audit.Entry, payload []byte) error {
	e := next(l.head)
	if e.Seq != l.head.Seq+1 || e.PrevHash != l.head.Hash {
		return fmt.Errorf("bulkload: audit entry %d does not follow the head %d", e.Seq, l.head.Seq)
	}
	if err := l.Add("audit_log", auditCols, e.Seq, sqlx.T(e.Time), e.ActorID, e.UnitID, e.Action, e.RecordType, e.RecordID,
		e.RequestID, e.PayloadDigest[:], e.PrevHash[:], e.Hash[:]); err != nil {
		return err
	}
	if len(payload) > 0 {
		if err := l.Add("audit_payloads", payloadCols, e.Seq, payload); err != nil {
			return err
		}
	}
	l.head = e.Head()
	l.records++
	if l.head.Seq-l.lastCp >= l.cfg.CheckpointEvery {
		return l.checkpoint(e.Time)
	}
	return nil
}

func (l *Loader) checkpoint(at time.Time) error {
	cp, err := audit.Sign(l.cfg.CheckpointKey, l.cfg.CheckpointKeyID, l.head, at)
	if err != nil {
		return err
	}
	l.lastCp = cp.Seq
	return l.Add("audit_checkpoints", checkpointCols, cp.Seq, cp.Hash[:], sqlx.T(cp.Time), cp.KeyID, cp.Signature)
}

var (
	auditCols      = strings.Split("seq,at,actor_id,unit_id,action,record_type,record_id,request_id,payload_digest,prev_hash,hash", ",")
	payloadCols    = []string{"seq", "payload"}
	checkpointCols = []string{"seq", "hash", "at", "key_id", "signature"}
)

// Close signs a checkpoint of the final head at time at (unless one was
// just taken), flushes what remains and waits for every flush to commit.
func (l *Loader) Close(ctx context.Context, at time.Time) error {
	if l.head.Seq > l.lastCp {
		if err := l.checkpoint(at); err != nil {
			return err
		}
	}
	start := l.mark()
	if err := l.Flush(ctx); err != nil {
		return err
	}
	if err := l.wait(); err != nil {
		return err
	}
	l.phase("last flush", start)
	if l.cfg.Fresh {
		return l.endFresh(ctx)
	}
	return nil
}

// Flush starts writing every buffered row and the chain head in one
// transaction, and returns while it runs (after the previous flush has
// committed), so generating the next batch overlaps the database's work.
// A flush's error is returned by the next Flush or by Close.
func (l *Loader) Flush(ctx context.Context) error {
	if err := l.wait(); err != nil {
		return err
	}
	if l.pending == 0 {
		return nil
	}
	b := batch{tables: l.tables, head: l.head}
	l.tables, l.pending = map[string]*table{}, 0
	l.inflight = make(chan flushResult, 1)
	go func(done chan<- flushResult) {
		var r flushResult
		if l.engine == sqlx.Postgres {
			r.rows, r.err = b.flushPostgres(ctx, l.db)
		} else {
			r.rows, r.err = b.flushSQLite(ctx, l.db, l.conn, l.stmts)
		}
		done <- r
	}(l.inflight)
	return nil
}

// wait waits for the flush under way.
func (l *Loader) wait() error {
	if l.inflight == nil {
		return nil
	}
	r := <-l.inflight
	l.inflight = nil
	l.written += int64(r.rows)
	return r.err
}

// batch is what one flush writes: the rows of each table and the chain
// head after them.
type batch struct {
	tables map[string]*table
	head   audit.Head
}

func (l batch) ordered() []string {
	var out []string
	for _, name := range tableOrder {
		if t := l.tables[name]; t != nil && len(t.rows) > 0 {
			out = append(out, name)
		}
	}
	return out
}

func (l batch) flushPostgres(ctx context.Context, db *sql.DB) (int, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	var n int
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("bulkload: PostgreSQL needs the pgx stdlib driver, not %T", dc)
		}
		return pgx.BeginFunc(ctx, sc.Conn(), func(tx pgx.Tx) error {
			for _, name := range l.ordered() {
				t := l.tables[name]
				c, err := tx.CopyFrom(ctx, pgx.Identifier{name}, t.cols, pgx.CopyFromRows(t.rows))
				if err != nil {
					return fmt.Errorf("bulkload: copy into %s: %w", name, err)
				}
				n += int(c)
			}
			_, err := tx.Exec(ctx, `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`, l.head.Seq, l.head.Hash[:])
			return err
		})
	})
	return n, err
}

// sqliteMaxParams stays under SQLite's limit of bound parameters per
// statement (32,766 since 3.32).
const sqliteMaxParams = 32_000

// sqliteConn is what a flush needs of the SQLite driver's connection: it
// writes through the driver itself, since database/sql's per-statement
// checks and conversions cost as much as a tenth of the inserts.
type sqliteConn interface {
	driver.ConnPrepareContext
	driver.ConnBeginTx
}

// stmtKey names a prepared multi-row INSERT: the table, its columns (a
// caller may name other columns of a table in a later flush) and its row
// count.
type stmtKey struct {
	table, cols string
	rows        int
}

// stmtCache holds the prepared INSERTs of one SQLite connection. A Fresh
// load keeps them for the whole load (one connection); otherwise they last
// one flush.
type stmtCache map[stmtKey]driver.Stmt

func (c stmtCache) close() error {
	var errs []error
	for k, st := range c {
		errs = append(errs, st.Close())
		delete(c, k)
	}
	return errors.Join(errs...)
}

func (l batch) flushSQLite(ctx context.Context, db *sql.DB, conn *sql.Conn, stmts stmtCache) (n int, err error) {
	if conn == nil {
		if conn, err = db.Conn(ctx); err != nil {
			return 0, err
		}
		defer conn.Close()
		stmts = stmtCache{}
		defer func() { err = errors.Join(err, conn.Raw(func(any) error { return stmts.close() })) }()
	}
	// A page cache of 128 MiB on the connection that loads (SQLite's
	// default is 2 MiB): the indexes of a large load stay in memory
	// instead of being read back for every batch.
	if _, err := conn.ExecContext(ctx, `PRAGMA cache_size = -131072`); err != nil {
		return 0, err
	}
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(sqliteConn)
		if !ok {
			return fmt.Errorf("bulkload: the SQLite driver's connection %T cannot prepare and begin with a context", dc)
		}
		tx, err := c.BeginTx(ctx, driver.TxOptions{})
		if err != nil {
			return err
		}
		w := sqliteWriter{c: c, stmts: stmts}
		if n, err = w.batch(ctx, l); err != nil {
			_ = tx.Rollback()
			return err
		}
		return tx.Commit()
	})
	return n, sqlx.Translate(err)
}

// sqliteWriter executes a flush's statements on one driver connection.
type sqliteWriter struct {
	c     sqliteConn
	stmts stmtCache
	args  []driver.NamedValue // reused from one statement to the next
}

// batch writes every table of b and the chain head after them, in the
// transaction open on the connection.
func (w *sqliteWriter) batch(ctx context.Context, b batch) (int, error) {
	n := 0
	for _, name := range b.ordered() {
		if err := w.insert(ctx, name, b.tables[name]); err != nil {
			return 0, fmt.Errorf("bulkload: insert into %s: %w", name, err)
		}
		n += len(b.tables[name].rows)
	}
	return n, w.exec(ctx, stmtKey{table: "audit_head"}, `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`,
		[][]any{{b.head.Seq, b.head.Hash[:]}})
}

// insert inserts a table's rows by prepared statements of as many rows as
// the parameter limit allows, and the remainder by statements of a power
// of two rows each, so that a load prepares few statements (one per row
// count) however its flushes end. Anonymous placeholders: SQLite looks
// numbered ones up by name, which costs time quadratic in their number.
func (w *sqliteWriter) insert(ctx context.Context, name string, t *table) error {
	per := max(1, min(512, sqliteMaxParams/len(t.cols)))
	cols := strings.Join(t.cols, ",")
	for rows := t.rows; len(rows) > 0; {
		k := per
		if len(rows) < per {
			k = 1 << (bits.Len(uint(len(rows))) - 1)
		}
		key := stmtKey{name, cols, k}
		query := ""
		if w.stmts[key] == nil {
			query = insertSQL(name, t.cols, k)
		}
		if err := w.exec(ctx, key, query, rows[:k]); err != nil {
			return err
		}
		rows = rows[k:]
	}
	return nil
}

// exec runs the statement key names (prepared from query on first use)
// with the rows' values as its arguments, converted as database/sql
// converts them for a driver without a converter of its own.
func (w *sqliteWriter) exec(ctx context.Context, key stmtKey, query string, rows [][]any) error {
	st := w.stmts[key]
	if st == nil {
		var err error
		if st, err = w.c.PrepareContext(ctx, query); err != nil {
			return err
		}
		w.stmts[key] = st
	}
	ex, ok := st.(driver.StmtExecContext)
	if !ok {
		return fmt.Errorf("bulkload: the SQLite driver's statement %T cannot execute with a context", st)
	}
	args := w.args[:0]
	for _, r := range rows {
		for _, a := range r {
			v, err := driver.DefaultParameterConverter.ConvertValue(a)
			if err != nil {
				return fmt.Errorf("argument %d: %w", len(args)+1, err)
			}
			args = append(args, driver.NamedValue{Ordinal: len(args) + 1, Value: v})
		}
	}
	w.args = args
	_, err := ex.ExecContext(ctx, args)
	clear(args) // the rows' values go with the batch
	return err
}

func insertSQL(name string, cols []string, rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + name + " (" + strings.Join(cols, ", ") + ") VALUES ")
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('?')
		}
		b.WriteByte(')')
	}
	return b.String()
}
