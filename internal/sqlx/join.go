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
