package sqlstore

import (
	"context"

	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

// migrations is the "outreach" migration line. Times are BIGINT UTC
// microseconds; nested lists (services, aid, findings) are JSON text, and
// what queries filter or count on has its own column.
var migrations = []sqlx.Step{{
	Version: 1,
	Stmts: func(*sqlx.Dialect) []string {
		return []string{
			`CREATE TABLE outreach_visits (
				id TEXT PRIMARY KEY,
				unit_id TEXT NOT NULL REFERENCES units (id),
				campaign_id TEXT,
				plan_entry_id TEXT,
				officer_ids TEXT NOT NULL,
				visited_at BIGINT NOT NULL,
				address_id TEXT,
				address TEXT,
				community TEXT,
				target_kind TEXT NOT NULL,
				target_key TEXT NOT NULL,
				person_id TEXT,
				organisation TEXT,
				notes TEXT,
				services TEXT NOT NULL,
				aid TEXT NOT NULL,
				findings TEXT NOT NULL,
				hazard_ids TEXT NOT NULL,
				registry_version BIGINT NOT NULL,
				recorded_by TEXT NOT NULL,
				n_appointment BIGINT NOT NULL,
				n_door_to_door BIGINT NOT NULL,
				n_errand BIGINT NOT NULL,
				n_aid BIGINT NOT NULL,
				n_disputes BIGINT NOT NULL,
				n_leads BIGINT NOT NULL,
				version BIGINT NOT NULL,
				created_at BIGINT NOT NULL,
				updated_at BIGINT NOT NULL)`,
			`CREATE INDEX outreach_visits_time ON outreach_visits (visited_at, id)`,
			`CREATE INDEX outreach_visits_unit ON outreach_visits (unit_id, visited_at)`,
			`CREATE INDEX outreach_visits_campaign ON outreach_visits (campaign_id)`,
			`CREATE INDEX outreach_visits_plan ON outreach_visits (plan_entry_id)`,
			// Officers of a visit, for the officer filter: exact and indexed.
			`CREATE TABLE outreach_visit_officers (
				officer_id TEXT NOT NULL,
				visit_id TEXT NOT NULL REFERENCES outreach_visits (id),
				PRIMARY KEY (officer_id, visit_id))`,
			`CREATE TABLE outreach_hazards (
				id TEXT PRIMARY KEY,
				unit_id TEXT NOT NULL REFERENCES units (id),
				visit_id TEXT,
				address_id TEXT,
				community TEXT,
				place TEXT NOT NULL,
				kind TEXT NOT NULL,
				severity TEXT NOT NULL,
				description TEXT NOT NULL,
				responsible TEXT NOT NULL,
				responsible_person_id TEXT,
				deadline BIGINT,
				status TEXT NOT NULL,
				found_by TEXT NOT NULL,
				found_at BIGINT NOT NULL,
				rectifying_at BIGINT,
				rectified_at BIGINT,
				rectified_by TEXT,
				verified_at BIGINT,
				verified_by TEXT,
				note TEXT,
				version BIGINT NOT NULL,
				created_at BIGINT NOT NULL,
				updated_at BIGINT NOT NULL)`,
			`CREATE INDEX outreach_hazards_time ON outreach_hazards (found_at, id)`,
			`CREATE INDEX outreach_hazards_open ON outreach_hazards (status, deadline)`,
			`CREATE INDEX outreach_hazards_rectified ON outreach_hazards (rectified_at)`,
			`CREATE INDEX outreach_hazards_visit ON outreach_hazards (visit_id)`,
			`CREATE TABLE outreach_appointments (
				id TEXT PRIMARY KEY,
				unit_id TEXT NOT NULL REFERENCES units (id),
				service TEXT NOT NULL,
				person_id TEXT,
				requester TEXT NOT NULL,
				address_id TEXT,
				place TEXT NOT NULL,
				request TEXT NOT NULL,
				starts_at BIGINT NOT NULL,
				ends_at BIGINT NOT NULL,
				status TEXT NOT NULL,
				officer_id TEXT,
				recorded_by TEXT NOT NULL,
				accepted_at BIGINT,
				closed_at BIGINT,
				reason TEXT,
				note TEXT,
				visit_id TEXT,
				version BIGINT NOT NULL,
				created_at BIGINT NOT NULL,
				updated_at BIGINT NOT NULL)`,
			`CREATE INDEX outreach_appointments_time ON outreach_appointments (starts_at, id)`,
			`CREATE INDEX outreach_appointments_officer ON outreach_appointments (officer_id, status, starts_at)`,
			// One row per officer, locked by every acceptance of that
			// officer's appointments, so that the overlap check and the
			// write are serialised per officer on PostgreSQL too.
			`CREATE TABLE outreach_officer_locks (
				officer_id TEXT PRIMARY KEY,
				touched BIGINT NOT NULL)`,
			`CREATE TABLE outreach_campaigns (
				id TEXT PRIMARY KEY,
				unit_id TEXT NOT NULL REFERENCES units (id),
				name TEXT NOT NULL,
				description TEXT,
				starts BIGINT NOT NULL,
				ends BIGINT NOT NULL,
				unit_ids TEXT NOT NULL,
				goals TEXT NOT NULL,
				created_by TEXT NOT NULL,
				version BIGINT NOT NULL,
				created_at BIGINT NOT NULL,
				updated_at BIGINT NOT NULL)`,
			`CREATE INDEX outreach_campaigns_time ON outreach_campaigns (starts, id)`,
			`CREATE TABLE outreach_plan_entries (
				id TEXT PRIMARY KEY,
				unit_id TEXT NOT NULL REFERENCES units (id),
				kind TEXT NOT NULL,
				address_id TEXT NOT NULL,
				address TEXT NOT NULL,
				community TEXT,
				person_id TEXT,
				organisation TEXT,
				note TEXT,
				since BIGINT NOT NULL,
				last_visit_at BIGINT,
				last_visit_id TEXT,
				due_from BIGINT,
				deadline BIGINT NOT NULL,
				active BOOLEAN NOT NULL,
				version BIGINT NOT NULL,
				created_at BIGINT NOT NULL,
				updated_at BIGINT NOT NULL)`,
			`CREATE INDEX outreach_plan_due ON outreach_plan_entries (active, due_from)`,
			`CREATE INDEX outreach_plan_deadline ON outreach_plan_entries (deadline, id)`,
			`CREATE INDEX outreach_plan_community ON outreach_plan_entries (community)`,
			`CREATE INDEX outreach_plan_address ON outreach_plan_entries (address_id)`,
		}
	},
}, {
	// The hazards' counted history (outreach.HazardEventOf): a period's
	// rectified figure counts the fixes recorded in it, so a fix rejected
	// later does not change it. A hazard rectified before this step gets
	// its last fix as its history; earlier rejected fixes are lost.
	Version: 2,
	Stmts: func(*sqlx.Dialect) []string {
		return []string{
			`CREATE TABLE outreach_hazard_events (
				hazard_id TEXT NOT NULL REFERENCES outreach_hazards (id),
				version BIGINT NOT NULL,
				kind TEXT NOT NULL,
				at BIGINT NOT NULL,
				PRIMARY KEY (hazard_id, version))`,
			`CREATE INDEX outreach_hazard_events_time ON outreach_hazard_events (at)`,
			`INSERT INTO outreach_hazard_events (hazard_id, version, kind, at)
				SELECT id, version, 'rectified', rectified_at FROM outreach_hazards WHERE rectified_at IS NOT NULL`,
		}
	},
}, {
	// The tally's indexes: every counted event on (unit, event time), so
	// that Tally reads only the period's rows of the subtree. A hazard's
	// events carry its unit (a hazard keeps the unit it was found by), so
	// that they are counted without reading the hazards.
	Version: 3,
	Stmts: func(*sqlx.Dialect) []string {
		return []string{
			`ALTER TABLE outreach_hazard_events ADD COLUMN unit_id TEXT`,
			`UPDATE outreach_hazard_events SET unit_id = (SELECT h.unit_id FROM outreach_hazards h WHERE h.id = outreach_hazard_events.hazard_id)`,
			`CREATE INDEX outreach_hazard_events_unit ON outreach_hazard_events (unit_id, at)`,
			`CREATE INDEX outreach_hazards_unit_found ON outreach_hazards (unit_id, found_at)`,
			`CREATE INDEX outreach_appointments_unit_closed ON outreach_appointments (unit_id, closed_at)`,
		}
	},
}, {
	// Referrals to other agencies, made on visits. Follow-ups are JSON
	// text; what lists filter on (status, owner, due) and what the tally
	// counts by (created_at, closed_at) have columns and indexes.
	Version: 4,
	Stmts: func(*sqlx.Dialect) []string {
		return []string{
			`CREATE TABLE outreach_referrals (
				id TEXT PRIMARY KEY,
				unit_id TEXT NOT NULL REFERENCES units (id),
				visit_id TEXT NOT NULL REFERENCES outreach_visits (id),
				sensitive BOOLEAN NOT NULL,
				agency TEXT NOT NULL,
				agency_name TEXT,
				request TEXT NOT NULL,
				owner_id TEXT NOT NULL,
				due BIGINT NOT NULL,
				status TEXT NOT NULL,
				follow_ups TEXT NOT NULL,
				outcome TEXT,
				outcome_note TEXT,
				closed_at BIGINT,
				closed_by TEXT,
				created_by TEXT NOT NULL,
				version BIGINT NOT NULL,
				created_at BIGINT NOT NULL,
				updated_at BIGINT NOT NULL)`,
			`CREATE INDEX outreach_referrals_time ON outreach_referrals (created_at, id)`,
			`CREATE INDEX outreach_referrals_unit ON outreach_referrals (unit_id, created_at)`,
			`CREATE INDEX outreach_referrals_unit_closed ON outreach_referrals (unit_id, closed_at)`,
			`CREATE INDEX outreach_referrals_owner ON outreach_referrals (owner_id, status)`,
			`CREATE INDEX outreach_referrals_visit ON outreach_referrals (visit_id)`,
		}
	},
}, {
	// The visit list's indexes: a list of a station's visits (by kind or
	// not) walks one of them in list order from the period's start or the
	// cursor (casesql.PageByUnit) instead of sorting the station's whole
	// period. The first replaces (unit_id, visited_at), which the tally
	// reads as a prefix of it.
	Version: 5,
	Stmts: func(*sqlx.Dialect) []string {
		return []string{
			`CREATE INDEX outreach_visits_unit_list ON outreach_visits (unit_id, visited_at, id)`,
			`CREATE INDEX outreach_visits_unit_kind ON outreach_visits (unit_id, target_kind, visited_at, id)`,
			`DROP INDEX outreach_visits_unit`,
		}
	},
}, {
	// The report's indexes (issue 13): every column the report's grid
	// counts of a visit, so a city-year report reads only index pages —
	// reading each visit's wide row was most of its time at a million
	// visits, one heap page a visit. PostgreSQL carries the counted
	// columns as INCLUDE (an index-only scan once VACUUM has set the
	// visibility map); SQLite keys on them. The aid text is covered only
	// for the visits that delivered aid, the only ones AidGrid reads.
	Version: 6,
	Stmts: func(d *sqlx.Dialect) []string {
		const counted = `target_kind, target_key, n_appointment, n_door_to_door, n_errand, n_aid, n_disputes, n_leads`
		if d.Engine == casesql.Postgres {
			return []string{
				`CREATE INDEX outreach_visits_report ON outreach_visits (unit_id, visited_at) INCLUDE (` + counted + `)`,
				`CREATE INDEX outreach_visits_report_aid ON outreach_visits (unit_id, visited_at) INCLUDE (aid) WHERE n_aid > 0`,
			}
		}
		return []string{
			`CREATE INDEX outreach_visits_report ON outreach_visits (unit_id, visited_at, ` + counted + `)`,
			`CREATE INDEX outreach_visits_report_aid ON outreach_visits (unit_id, visited_at, aid) WHERE n_aid > 0`,
		}
	},
}, {
	// When the sweep sent a referral's overdue notice: the sweep selects
	// the overdue referrals still without one, so each is noticed once.
	Version: 7,
	Stmts: func(*sqlx.Dialect) []string {
		return []string{`ALTER TABLE outreach_referrals ADD COLUMN overdue_noticed_at BIGINT`}
	},
}, {
	// A person merge reads the records naming the person through these
	// (VisitFilter.PersonID and the others), not every record: the persons
	// a visit names (outreach.Visit.PersonRefs: the visited resident and
	// its findings' persons), filled for existing visits from their
	// columns, and an index on each person column.
	Version: 8,
	Stmts: func(d *sqlx.Dialect) []string {
		return []string{
			`CREATE TABLE outreach_visit_persons (
				person_id TEXT NOT NULL,
				visit_id TEXT NOT NULL REFERENCES outreach_visits (id),
				PRIMARY KEY (person_id, visit_id))`,
			`CREATE INDEX outreach_visit_persons_visit ON outreach_visit_persons (visit_id)`,
			`INSERT INTO outreach_visit_persons (person_id, visit_id)
				SELECT p.value, p.id FROM (SELECT id, person_id AS value FROM outreach_visits WHERE person_id IS NOT NULL AND person_id <> ''
				UNION ` + d.JSONStrings("outreach_visits", "id", "findings", []string{"personIds"}) + `) p`,
			`CREATE INDEX outreach_hazards_person ON outreach_hazards (responsible_person_id)`,
			`CREATE INDEX outreach_appointments_person ON outreach_appointments (person_id)`,
			`CREATE INDEX outreach_plan_person ON outreach_plan_entries (person_id)`,
		}
	},
}, {
	// Reports at city scale read the visits' roll-up rows (issue 13):
	// daily per unit and per ancestor, kept by triggers, filled here from
	// the visits already stored (casesql.RollupStmts).
	Version: 9,
	Stmts: func(d *sqlx.Dialect) []string {
		return casesql.RollupStmts(d.Engine, visitCounts, visitTargets)
	},
}, {
	// The rest of the report's outreach figures as roll-up rows: hazards
	// found, hazard events by kind, appointments done, referrals made and
	// closed, and the aid-giving visits by aid text.
	Version: 10,
	Stmts: func(d *sqlx.Dialect) []string {
		return casesql.RollupStmts(d.Engine, rolledLater()...)
	},
}, {
	// On PostgreSQL the roll-up rows are kept per writing transaction's
	// shard, so concurrent writes never wait on each other's (casesql.ShardRollups).
	Version: 11,
	Stmts: func(d *sqlx.Dialect) []string {
		return casesql.ShardRollups(d.Engine, append([]casesql.GridBranch{visitCounts, visitTargets}, rolledLater()...)...)
	},
}, {
	// The visit list's indexes of step 5 also carry what ListVisitRefs
	// reads beyond their keys (the version; the kind where it is not a
	// key), so a station's page of refs reads the index alone: on SQLite
	// looking each row up in the table was a fifth of the page's work.
	// PostgreSQL carries them as INCLUDE (an index-only scan once VACUUM
	// has set the visibility map); SQLite keys on them.
	Version: 12,
	Stmts: func(d *sqlx.Dialect) []string {
		list, kind := `(unit_id, visited_at, id, version, target_kind)`, `(unit_id, target_kind, visited_at, id, version)`
		if d.Engine == casesql.Postgres {
			list, kind = `(unit_id, visited_at, id) INCLUDE (version, target_kind)`, `(unit_id, target_kind, visited_at, id) INCLUDE (version)`
		}
		return []string{
			`CREATE INDEX outreach_visits_unit_refs ON outreach_visits ` + list,
			`CREATE INDEX outreach_visits_unit_kind_refs ON outreach_visits ` + kind,
			`DROP INDEX outreach_visits_unit_list`,
			`DROP INDEX outreach_visits_unit_kind`,
		}
	},
}}

// rolledLater are the branches step 10 rolled up.
func rolledLater() []casesql.GridBranch {
	return append(append([]casesql.GridBranch{tallyBranches[1], tallyBranches[2], tallyBranches[3]}, referralBranches...), aidBranches...)
}

var _ casesql.Migrator = (*Store)(nil)

// MigrationLine implements casesql.Migrator: the "outreach" line, run after the
// kernel's by casesql.Store.MigrateAll.
func (s *Store) MigrationLine() casesql.MigrationLine {
	return casesql.MigrationLine{Name: "outreach", Steps: migrations}
}

// Migrate creates or upgrades the kernel's tables and then this store's
// (the kernel's MigrateAll with this line alone). An embedder with several
// workflows calls MigrateAll once with all of them instead.
func (s *Store) Migrate(ctx context.Context) error {
	return s.k.MigrateAll(ctx, s)
}
