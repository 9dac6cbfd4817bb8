package sqlstore

import (
	"context"

	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/mediation"
)

// migrations is the "mediation" migration line. A dispute is kept whole as
// JSON in body; the columns beside it are what lists filter, order and
// count on, and mediation_dispute_refs indexes the many-valued filters.
var migrations = []sqlx.Step{{
	Version: 1,
	Stmts: func(*sqlx.Dialect) []string {
		return []string{
			`CREATE TABLE mediation_disputes (
				id TEXT PRIMARY KEY,
				unit_id TEXT NOT NULL REFERENCES units (id),
				state TEXT NOT NULL,
				kind TEXT NOT NULL,
				category TEXT NOT NULL,
				category_top TEXT NOT NULL,
				source TEXT NOT NULL,
				risk TEXT NOT NULL,
				reported_at BIGINT,
				accepted_at BIGINT,
				settled_at BIGINT,
				failed_at BIGINT,
				referred_at BIGINT,
				closed_at BIGINT,
				next_due BIGINT,
				body TEXT NOT NULL,
				version BIGINT NOT NULL,
				created_at BIGINT NOT NULL,
				updated_at BIGINT NOT NULL)`,
			`CREATE INDEX mediation_disputes_unit ON mediation_disputes (unit_id, created_at, id)`,
			`CREATE INDEX mediation_disputes_list ON mediation_disputes (created_at, id)`,
			`CREATE INDEX mediation_disputes_due ON mediation_disputes (next_due)`,
			`CREATE INDEX mediation_disputes_reported ON mediation_disputes (reported_at)`,
			`CREATE TABLE mediation_dispute_refs (
				dispute_id TEXT NOT NULL REFERENCES mediation_disputes (id),
				ref TEXT NOT NULL,
				value TEXT NOT NULL,
				PRIMARY KEY (dispute_id, ref, value))`,
			`CREATE INDEX mediation_dispute_refs_value ON mediation_dispute_refs (ref, value, dispute_id)`,
		}
	},
}, {
	// The totals' indexes: one per counted event on (unit, event time), so
	// that Totals reads only the period's rows of the subtree.
	Version: 2,
	Stmts: func(*sqlx.Dialect) []string {
		return []string{
			`CREATE INDEX mediation_disputes_unit_reported ON mediation_disputes (unit_id, reported_at)`,
			`CREATE INDEX mediation_disputes_unit_accepted ON mediation_disputes (unit_id, accepted_at)`,
			`CREATE INDEX mediation_disputes_unit_settled ON mediation_disputes (unit_id, settled_at)`,
			`CREATE INDEX mediation_disputes_unit_failed ON mediation_disputes (unit_id, failed_at)`,
			`CREATE INDEX mediation_disputes_unit_referred ON mediation_disputes (unit_id, referred_at)`,
		}
	},
}, {
	// The reopenings figure: a dispute's first reopening (Dispute.ReopenedAt)
	// is a counted event like the others, with its (unit, time) index.
	// Disputes reopened before this step were rare corrections whose date
	// is in their history only; they keep no figure (a report never
	// rewrites a past period).
	Version: 3,
	Stmts: func(*sqlx.Dialect) []string {
		return []string{
			`ALTER TABLE mediation_disputes ADD COLUMN reopened_at BIGINT`,
			`CREATE INDEX mediation_disputes_unit_reopened ON mediation_disputes (unit_id, reopened_at)`,
		}
	},
}, {
	// The persons a dispute names become rows of mediation_dispute_refs
	// (ref "person", mediation.Dispute.PersonIDs), so that a person merge
	// reads that person's disputes through the (ref, value) index instead
	// of every dispute. Existing disputes get theirs from the body.
	Version: 4,
	Stmts: func(d *sqlx.Dialect) []string {
		return []string{`INSERT INTO mediation_dispute_refs (dispute_id, ref, value)
			SELECT p.id, 'person', p.value FROM (` + d.JSONStrings("mediation_disputes", "id", "body", mediation.PersonKeys) + `) p`}
	},
}, {
	// Reports at city scale read the six counted events as roll-up rows,
	// daily per unit and per ancestor (casesql.RollupStmts, issue 13).
	Version: 5,
	Stmts:   func(d *sqlx.Dialect) []string { return casesql.RollupStmts(d.Engine, totalsBranches...) },
}, {
	// On PostgreSQL the roll-up rows are kept per writing transaction's
	// shard, so concurrent writes never wait on each other's (casesql.ShardRollups).
	Version: 6,
	Stmts:   func(d *sqlx.Dialect) []string { return casesql.ShardRollups(d.Engine, totalsBranches...) },
}}

var _ casesql.Migrator = (*Store)(nil)

// MigrationLine implements casesql.Migrator: the "mediation" line, run after the
// kernel's by casesql.Store.MigrateAll.
func (s *Store) MigrationLine() casesql.MigrationLine {
	return casesql.MigrationLine{Name: "mediation", Steps: migrations}
}

// Migrate creates or upgrades the kernel's tables and then this store's
// (the kernel's MigrateAll with this line alone). An embedder with several
// workflows calls MigrateAll once with all of them instead.
func (s *Store) Migrate(ctx context.Context) error {
	return s.k.MigrateAll(ctx, s)
}
