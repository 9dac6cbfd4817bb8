package sqlstore

import (
	"context"
	"database/sql"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

var _ casework.Atomic = (*Store)(nil)

// Atomically runs fn in one transaction that every write on this database
// joins (WithTx), the kernel's and every workflow store's: the kernel's
// multi-workflow moves commit whole or not at all. Inside a transaction the
// embedding application opened, fn runs under a savepoint of it.
func (s *Store) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	return sqlx.Tx(ctx, s.db, func(tx *sql.Tx) error { return fn(sqlx.WithTx(ctx, tx)) })
}
