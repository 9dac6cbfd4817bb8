package sqlx

import (
	"context"
	"database/sql"
)

type joinedKey struct{}

// WithTx returns a context whose writes join tx, a transaction the embedding
// application opened on the same database: Tx then runs its work inside tx
// under a savepoint instead of opening a transaction of its own, and the
// application's commit or rollback decides for both.
func WithTx(ctx context.Context, tx *sql.Tx) context.Context {
	return context.WithValue(ctx, joinedKey{}, tx)
}

// joined is the transaction ctx asks writes to join, if any.
func joined(ctx context.Context) *sql.Tx {
	tx, _ := ctx.Value(joinedKey{}).(*sql.Tx)
	return tx
}

// inSavepoint runs fn inside tx under a savepoint, so that a failed write
// leaves nothing of itself in the application's transaction, which stays
// usable.
func inSavepoint(ctx context.Context, tx *sql.Tx, fn func(tx *sql.Tx) error) error {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT grassroots_write"); err != nil {
		return Translate(err)
	}
	if err := fn(tx); err != nil {
		_, _ = tx.ExecContext(context.WithoutCancel(ctx), "ROLLBACK TO SAVEPOINT grassroots_write")
		return Translate(err)
	}
	_, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT grassroots_write")
	return Translate(err)
}

type snapshotKey struct{ db *sql.DB }

// Snapshot runs fn with a context under which Reader(ctx, db) answers from
// one read-only transaction on db: REPEATABLE READ on PostgreSQL (one
// snapshot for every statement), a deferred read transaction on SQLite
// (WAL gives it one snapshot from its first read to its end, and it never
// takes the write lock, which the DSN's immediate mode would). A context
// that already carries a snapshot of db keeps it.
func Snapshot(ctx context.Context, db *sql.DB, e Engine, fn func(ctx context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, ok := ctx.Value(snapshotKey{db}).(*sql.Tx); ok {
		return fn(ctx)
	}
	opts := &sql.TxOptions{ReadOnly: true}
	if e == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return Translate(err)
	}
	// Read-only: there is nothing to commit, so the transaction is always
	// rolled back, which also ends it when fn fails.
	defer func() { _ = tx.Rollback() }()
	return fn(context.WithValue(ctx, snapshotKey{db}, tx))
}

// Reader is where a read of db goes: the snapshot ctx carries (Snapshot),
// or the pool.
func Reader(ctx context.Context, db *sql.DB) Querier {
	if tx, ok := ctx.Value(snapshotKey{db}).(*sql.Tx); ok {
		return tx
	}
	return db
}
