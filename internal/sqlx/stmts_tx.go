package sqlx

import (
	"context"
	"database/sql"
	"time"
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

// inTx is the query's prepared statement on tx's connection, or nil when it
// is not prepared yet. Preparing takes a connection of the pool, and tx
// already holds one: with every connection of a bounded pool in an open
// transaction, each waiting to prepare, none would ever be free. So a
// statement first seen inside a transaction runs unprepared this time and
// is prepared on the pool apart from it, for the next transactions.
func (c *Stmts) inTx(ctx context.Context, tx *sql.Tx, query string) *sql.Stmt {
	if st, ok := c.m.Load(query); ok {
		return tx.StmtContext(ctx, st.(*sql.Stmt))
	}
	if _, busy := c.preparing.LoadOrStore(query, true); !busy {
		go func() {
			defer c.preparing.Delete(query)
			ctx, cancel := context.WithTimeout(context.Background(), prepareTimeout)
			defer cancel()
			_, _ = c.prepare(ctx, query) // not kept on failure: the next transaction tries again
		}()
	}
	return nil
}

// prepareTimeout bounds a statement's preparation apart from the
// transaction that first ran it (a pool that stays exhausted).
const prepareTimeout = 30 * time.Second
