package sqlstore

import (
	"context"

	ksql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

// migrations is the "recovery" migration line. Times are BIGINT
// microseconds (UTC); money is BIGINT fen. The custody chain is append-only
// at the database level from the first step: not even a bug in a store, or
// a person with ordinary write rights, can edit an item's history. Nested
// lists (identifiers, traces, attempts, results) are JSON text; the
// identifiers are also kept in a side table so an identifier search uses an
// index.
var migrations = []sqlx.Step{{
	Version: 1,
	Stmts: func(d *sqlx.Dialect) []string {
		stmts := []string{
			`CREATE TABLE recovery_items (
				id TEXT PRIMARY KEY,
				unit_id TEXT NOT NULL REFERENCES units (id),
				case_id TEXT,
				origin TEXT NOT NULL,
				category TEXT NOT NULL,
				description TEXT NOT NULL,
				identifiers TEXT NOT NULL,
				quantity BIGINT NOT NULL,
				value_fen BIGINT NOT NULL,
				value_confirmed BOOLEAN NOT NULL,
				owner_person_id TEXT,
				state TEXT NOT NULL,
				stolen_at BIGINT,
				stolen_place TEXT,
				recovered_at BIGINT,
				recovered_place TEXT,
				hold_until BIGINT,
				identified_at BIGINT,
				returned_at BIGINT,
				unclaimed_at BIGINT,
				disposed_at BIGINT,
				matched_item_id TEXT,
				return_id TEXT,
				disposal_id TEXT,
				holder_kind TEXT,
				holder_id TEXT,
				holder_name TEXT,
				custody_seq BIGINT NOT NULL,
				traces TEXT NOT NULL,
				source TEXT NOT NULL,
				version BIGINT NOT NULL,
				created_at BIGINT NOT NULL,
				updated_at BIGINT NOT NULL)`,
			`CREATE INDEX recovery_items_unit ON recovery_items (unit_id, created_at, id)`,
			`CREATE INDEX recovery_items_case ON recovery_items (case_id)`,
			`CREATE INDEX recovery_items_owner ON recovery_items (owner_person_id)`,
			`CREATE INDEX recovery_items_state ON recovery_items (state, hold_until)`,
			`CREATE INDEX recovery_items_recovered ON recovery_items (recovered_at)`,
			`CREATE INDEX recovery_items_returned ON recovery_items (returned_at)`,
			`CREATE TABLE recovery_item_identifiers (
				item_id TEXT NOT NULL REFERENCES recovery_items (id),
				kind TEXT NOT NULL,
				value TEXT NOT NULL,
				PRIMARY KEY (item_id, kind, value))`,
			`CREATE INDEX recovery_item_identifiers_value ON recovery_item_identifiers (value)`,
			`CREATE TABLE recovery_custody (
				item_id TEXT NOT NULL REFERENCES recovery_items (id),
				seq BIGINT NOT NULL,
				kind TEXT NOT NULL,
				from_kind TEXT,
				from_id TEXT,
				from_name TEXT,
				to_kind TEXT NOT NULL,
				to_id TEXT,
				to_name TEXT,
				actor_id TEXT NOT NULL,
				unit_id TEXT NOT NULL,
				witness_id TEXT,
				at BIGINT NOT NULL,
				reason TEXT NOT NULL,
				item_condition TEXT NOT NULL,
				seal TEXT NOT NULL,
				seal_number TEXT,
				photos TEXT NOT NULL,
				corrects BIGINT NOT NULL,
				created_at BIGINT NOT NULL,
				PRIMARY KEY (item_id, seq))`,
			`CREATE TABLE recovery_returns (
				id TEXT PRIMARY KEY,
				unit_id TEXT NOT NULL REFERENCES units (id),
				item_id TEXT NOT NULL REFERENCES recovery_items (id),
				case_id TEXT,
				state TEXT NOT NULL,
				owner_person_id TEXT,
				recipient_person_id TEXT NOT NULL,
				delegate BOOLEAN NOT NULL,
				authorisation TEXT NOT NULL,
				requested_by TEXT NOT NULL,
				requested_at BIGINT,
				request_note TEXT,
				decided_by TEXT,
				decided_at BIGINT,
				decision_note TEXT,
				event_id TEXT,
				receipt TEXT NOT NULL,
				completed_by TEXT,
				completed_at BIGINT,
				identity_checked BOOLEAN NOT NULL,
				attempts TEXT NOT NULL,
				version BIGINT NOT NULL,
				created_at BIGINT NOT NULL,
				updated_at BIGINT NOT NULL)`,
			`CREATE INDEX recovery_returns_unit ON recovery_returns (unit_id, created_at, id)`,
			`CREATE INDEX recovery_returns_item ON recovery_returns (item_id)`,
			`CREATE INDEX recovery_returns_event ON recovery_returns (event_id)`,
			`CREATE TABLE recovery_events (
				id TEXT PRIMARY KEY,
				unit_id TEXT NOT NULL REFERENCES units (id),
				name TEXT NOT NULL,
				event_date BIGINT,
				place TEXT NOT NULL,
				state TEXT NOT NULL,
				return_ids TEXT NOT NULL,
				results TEXT NOT NULL,
				created_by TEXT NOT NULL,
				held_by TEXT,
				held_at BIGINT,
				version BIGINT NOT NULL,
				created_at BIGINT NOT NULL,
				updated_at BIGINT NOT NULL)`,
			`CREATE INDEX recovery_events_unit ON recovery_events (unit_id, created_at, id)`,
			`CREATE TABLE recovery_disposals (
				id TEXT PRIMARY KEY,
				unit_id TEXT NOT NULL REFERENCES units (id),
				item_id TEXT NOT NULL REFERENCES recovery_items (id),
				method TEXT NOT NULL,
				state TEXT NOT NULL,
				reason TEXT NOT NULL,
				requested_by TEXT NOT NULL,
				requested_at BIGINT,
				decided_by TEXT,
				decided_at BIGINT,
				decision_note TEXT,
				proceeds_fen BIGINT NOT NULL,
				recipient TEXT,
				document TEXT NOT NULL,
				completed_by TEXT,
				completed_at BIGINT,
				version BIGINT NOT NULL,
				created_at BIGINT NOT NULL,
				updated_at BIGINT NOT NULL)`,
			`CREATE INDEX recovery_disposals_unit ON recovery_disposals (unit_id, created_at, id)`,
			`CREATE INDEX recovery_disposals_item ON recovery_disposals (item_id)`,
		}
		return append(stmts, d.AppendOnly("recovery_custody")...)
	},
}, {
	// SQLite's REPLACE deletes the row it replaces without firing the
	// DELETE trigger: refuse an INSERT over an existing custody entry.
	Version: 2,
	Stmts:   func(d *sqlx.Dialect) []string { return d.NoReplace("recovery_custody", "item_id", "seq") },
}, {
	// The totals' indexes: one per counted event on (unit, event time), so
	// that Totals reads only the period's rows of the subtree.
	Version: 3,
	Stmts: func(*sqlx.Dialect) []string {
		return []string{
			`CREATE INDEX recovery_items_unit_recovered ON recovery_items (unit_id, recovered_at)`,
			`CREATE INDEX recovery_items_unit_returned ON recovery_items (unit_id, returned_at)`,
			`CREATE INDEX recovery_items_unit_unclaimed ON recovery_items (unit_id, unclaimed_at)`,
			`CREATE INDEX recovery_items_unit_disposed ON recovery_items (unit_id, disposed_at)`,
			`CREATE INDEX recovery_events_unit_held ON recovery_events (unit_id, held_at)`,
			`CREATE INDEX recovery_disposals_unit_completed ON recovery_disposals (unit_id, completed_at)`,
		}
	},
}, {
	// The category cigarettes_alcohol is split, because NIBRS 02 is
	// alcohol only and tobacco is 08 consumable goods. Its rows move to
	// alcohol when the description names liquor (酒, or a brand written
	// without it: 五粮液, 茅台, 剑南春, 老窖, 二锅头) and no tobacco (烟), and
	// to tobacco otherwise: cigarettes were by far the usual content,
	// and a line mixing both (烟酒) goes to tobacco, whose 08 is the broader
	// description, for an officer to split if the figure matters. The
	// audit history keeps the old code, as it was recorded; a case's own
	// copy of its stolen-item list is the case's record and is not touched.
	Version: 4,
	Stmts: func(*sqlx.Dialect) []string {
		return []string{`UPDATE recovery_items SET category = CASE
			WHEN description NOT LIKE '%烟%' AND (description LIKE '%酒%' OR description LIKE '%五粮液%' OR description LIKE '%茅台%'
				OR description LIKE '%剑南春%' OR description LIKE '%老窖%' OR description LIKE '%二锅头%') THEN 'alcohol'
			ELSE 'tobacco' END
			WHERE category = 'cigarettes_alcohol'`}
	},
}, {
	// A person merge finds the returns naming the person as owner or
	// recipient (ReturnFilter.PersonID) through these indexes, an OR of two
	// index lookups, instead of reading every return.
	Version: 5,
	Stmts: func(*sqlx.Dialect) []string {
		return []string{
			`CREATE INDEX recovery_returns_owner ON recovery_returns (owner_person_id)`,
			`CREATE INDEX recovery_returns_recipient ON recovery_returns (recipient_person_id)`,
		}
	},
}, {
	// Reports at city scale read the counted item events, return events
	// and disposals as roll-up rows, daily per unit and per ancestor
	// (casesql.RollupStmts, issue 13).
	Version: 6,
	Stmts:   func(d *sqlx.Dialect) []string { return ksql.RollupStmts(d.Engine, totalsBranches...) },
}, {
	// On PostgreSQL the roll-up rows are kept per writing transaction's
	// shard, so concurrent writes never wait on each other's (casesql.ShardRollups).
	Version: 7,
	Stmts:   func(d *sqlx.Dialect) []string { return ksql.ShardRollups(d.Engine, totalsBranches...) },
}}

var _ ksql.Migrator = (*Store)(nil)

// MigrationLine implements ksql.Migrator: the "recovery" line, run after the
// kernel's by ksql.Store.MigrateAll.
func (s *Store) MigrationLine() ksql.MigrationLine {
	return ksql.MigrationLine{Name: "recovery", Steps: migrations}
}

// Migrate creates or upgrades the kernel's tables and then this store's
// (the kernel's MigrateAll with this line alone). An embedder with several
// workflows calls MigrateAll once with all of them instead.
func (s *Store) Migrate(ctx context.Context) error {
	return s.k.MigrateAll(ctx, s)
}
