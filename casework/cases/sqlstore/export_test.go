package sqlstore

import (
	"context"

	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
)

// partialLine is the cases line cut after step v, for a test that builds
// a database as an older program left it.
type partialLine int

func (v partialLine) MigrationLine() casesql.MigrationLine {
	return casesql.MigrationLine{Name: "cases", Steps: migrations[:v]}
}

// MigrateTo applies the kernel's line and the cases steps up to v.
func (c *Store) MigrateTo(ctx context.Context, v int) error {
	return c.k.MigrateAll(ctx, partialLine(v))
}
