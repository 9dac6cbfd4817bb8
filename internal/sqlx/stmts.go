package sqlx

import (
	"context"
	"database/sql"
	"sync"
)

// Stmts prepares each of a store's hot point reads once and reuses it, so
// that a read by id does not parse its SQL again on every call: on SQLite
// (modernc) parsing the statement was a fifth of the CPU of an authorised
// read under load; pgx caches its statements by text already, where this
// costs nothing. database/sql prepares a *sql.Stmt again on each pooled
// connection the first time it runs there, so one Stmt serves the whole
// pool. Only for fixed query texts: a query built from a filter would fill
// the map.
type Stmts struct {
	db *sql.DB
	mu sync.Mutex
	m  sync.Map // query text → *sql.Stmt
}

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

func (c *Stmts) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.m.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	c.mu.Lock() // one Prepare per query text, however many callers race
	defer c.mu.Unlock()
	if st, ok := c.m.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.m.Store(query, st)
	return st, nil
}
