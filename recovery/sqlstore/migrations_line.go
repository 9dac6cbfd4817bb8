package sqlstore

import ksql "github.com/grassroots-policing/grassroots/casework/sqlstore"

// MigrationLine implements ksql.Migrator: the kernel store's MigrateAll
// runs the "recovery" line after the kernel's.
func (s *Store) MigrationLine() ksql.MigrationLine {
	return ksql.MigrationLine{Name: "recovery", Steps: migrations}
}

var _ ksql.Migrator = (*Store)(nil)
