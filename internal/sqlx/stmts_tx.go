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
	if st := c.inTx(ctx, tx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, query, args...)
}

// QueryRowTx is QueryRow inside tx.
func (c *Stmts) QueryRowTx(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	if st := c.inTx(ctx, tx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, query, args...)
}

// inTx is the query's prepared statement on tx's connection, or nil to
// run it unprepared. Preparing takes a connection of the pool, and tx
// already holds one: with every connection of a bounded pool in an open
// transaction, each waiting to prepare, none would ever be free. So a
// statement not prepared yet is prepared only while the pool has a
// connection to spare; otherwise it runs unprepared this time. A
// transaction that saw a spare connection may still wait for it briefly
// (another took it), but only for a connection held by a prepare or by a
// transaction that did not wait, never in a cycle.
func (c *Stmts) inTx(ctx context.Context, tx *sql.Tx, query string) *sql.Stmt {
	st, ok := c.m.Load(query)
	if !ok {
		if s := c.db.Stats(); s.MaxOpenConnections > 0 && s.InUse >= s.MaxOpenConnections {
			return nil
		}
		var err error
		if st, err = c.prepare(ctx, query); err != nil {
			return nil
		}
	}
	return tx.StmtContext(ctx, st.(*sql.Stmt))
}
