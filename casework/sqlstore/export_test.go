package sqlstore

import (
	"context"

	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

// MigrateKernelTo applies the kernel's steps up to version v only, so a
// test can build a database as an older program left it.
func MigrateKernelTo(ctx context.Context, s *Store, v int) error {
	return sqlx.MigrateLines(ctx, s.db, s.d, sqlx.Line{Name: "kernel", Steps: kernelMigrations[:v]})
}
