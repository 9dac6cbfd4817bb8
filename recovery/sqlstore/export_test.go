package sqlstore

import (
	"context"

	ksql "github.com/grassroots-policing/grassroots/casework/sqlstore"
)

// partialLine is the recovery line cut after step v, for a test that builds
// a database as an older program left it.
type partialLine int

func (v partialLine) MigrationLine() ksql.MigrationLine {
	return ksql.MigrationLine{Name: "recovery", Steps: migrations[:v]}
}

// MigrateTo applies the kernel's line and the recovery steps up to v.
func (s *Store) MigrateTo(ctx context.Context, v int) error {
	return s.k.MigrateAll(ctx, partialLine(v))
}
