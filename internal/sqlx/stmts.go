package sqlx

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// Stmts prepares each of a store's hot point reads once and reuses it, so
// that a read by id does not parse its SQL again on every call: on SQLite
// (modernc) parsing the statement was a fifth of the CPU of an authorised
// read under load; pgx caches its statements by text already, where this
// costs nothing. database/sql prepares a *sql.Stmt again on each pooled
// connection the first time it runs there, so one Stmt serves the whole
// pool. A query built from a filter (a list) may go through it too: the
// texts a store builds are a bounded set (a few filter combinations and
// subtree sizes), and past MaxStmts texts the cache prepares nothing more
// and runs the query unprepared, so it never grows without bound.
type Stmts struct {
	db *sql.DB
	mu sync.Mutex
	m  sync.Map // query text → *sql.Stmt
	n  int      // entries in m, under mu
}

// MaxStmts is how many query texts one Stmts prepares at most. Each is
// prepared again on every pooled connection that runs it (up to 128 kept
// idle), so the bound also bounds the memory prepared statements hold.
const MaxStmts = 64

// NewStmts returns an empty statement cache on db.
func NewStmts(db *sql.DB) *Stmts { return &Stmts{db: db} }

// QueryRow runs a fixed query through its prepared statement. A statement
// that cannot be prepared (a cancelled context, a lost connection) is not
// kept, and the query runs unprepared so the caller sees the database's
// own error from Scan.
func (c *Stmts) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := c.prepare(ctx, query)
	if err != nil {
		return c.db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// QueryContext runs a query through its prepared statement (see
// QueryRow), so that Stmts is a Querier for reads.
func (c *Stmts) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := c.prepare(ctx, query)
	if err != nil {
		return c.db.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext is QueryRow, for the Querier interface.
func (c *Stmts) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return c.QueryRow(ctx, query, args...)
}

// ExecContext runs a statement on the pool unprepared: Stmts is for reads.
func (c *Stmts) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return c.db.ExecContext(ctx, query, args...)
}

// Len is the number of query texts prepared.
func (c *Stmts) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

var errFull = errors.New("sqlx: statement cache full")

func (c *Stmts) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.m.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	c.mu.Lock() // one Prepare per query text, however many callers race
	defer c.mu.Unlock()
	if st, ok := c.m.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	if c.n >= MaxStmts {
		return nil, errFull
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.m.Store(query, st)
	c.n++
	return st, nil
}
