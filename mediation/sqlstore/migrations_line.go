package sqlstore

import casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"

// MigrationLine implements casesql.Migrator: the kernel store's MigrateAll
// runs the "mediation" line after the kernel's.
func (s *Store) MigrationLine() casesql.MigrationLine {
	return casesql.MigrationLine{Name: "mediation", Steps: migrations}
}

var _ casesql.Migrator = (*Store)(nil)
