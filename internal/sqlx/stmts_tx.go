package sqlx

import (
	"context"
	"database/sql"
)

// Exec runs a fixed statement inside tx through its prepared statement (one
// per query text and connection, kept across transactions), so a write
// path's hot statements are parsed once per connection, not per write: on
// SQLite parsing was most of the CPU a create spent holding the write lock.
// A statement that cannot be prepared runs unprepared, so the caller sees
// the database's own error. tx must be on the database c was made for.
func (c *Stmts) Exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	st, err := c.prepare(ctx, query)
	if err != nil {
		return tx.ExecContext(ctx, query, args...)
	}
	return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
}

// QueryRowTx is QueryRow inside tx.
func (c *Stmts) QueryRowTx(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	st, err := c.prepare(ctx, query)
	if err != nil {
		return tx.QueryRowContext(ctx, query, args...)
	}
	return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
}
