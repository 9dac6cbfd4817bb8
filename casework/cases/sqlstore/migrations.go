package sqlstore

import (
	"context"
	"fmt"

	"github.com/grassroots-policing/grassroots/casework/cases"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

// migrations is the case workflow's migration line ("cases"), separate
// from the kernel's so that an embedder without the case workflow gets none
// of these tables. Every table is prefixed case_.
//
// A case is kept whole as JSON in body; the columns beside it are what
// queries filter, order and count on, and the child tables index the
// many-valued filters (suspects, item identifiers) and the arrests that the
// totals count. case_counters holds one numbering counter per filing unit
// and year, incremented inside the filing transaction.
var migrations = []sqlx.Step{{
	Version: 1,
	Stmts: func(*sqlx.Dialect) []string {
		return []string{
			`CREATE TABLE case_cases (
				id TEXT PRIMARY KEY,
				unit_id TEXT NOT NULL REFERENCES units (id),
				number TEXT UNIQUE,
				kind TEXT NOT NULL,
				state TEXT NOT NULL,
				mo_key TEXT,
				lead_id TEXT,
				reported_at BIGINT NOT NULL,
				filed_at BIGINT,
				solved_at BIGINT,
				closed_at BIGINT,
				dropped_at BIGINT,
				body TEXT NOT NULL,
				version BIGINT NOT NULL,
				created_at BIGINT NOT NULL,
				updated_at BIGINT NOT NULL)`,
			`CREATE INDEX case_cases_unit ON case_cases (unit_id, created_at, id)`,
			`CREATE INDEX case_cases_page ON case_cases (created_at, id)`,
			`CREATE INDEX case_cases_mo ON case_cases (mo_key)`,
			`CREATE TABLE case_suspects (
				case_id TEXT NOT NULL REFERENCES case_cases (id),
				person_id TEXT NOT NULL,
				PRIMARY KEY (case_id, person_id))`,
			`CREATE INDEX case_suspects_person ON case_suspects (person_id)`,
			`CREATE TABLE case_identifiers (
				case_id TEXT NOT NULL REFERENCES case_cases (id),
				value TEXT NOT NULL,
				PRIMARY KEY (case_id, value))`,
			`CREATE INDEX case_identifiers_value ON case_identifiers (value)`,
			`CREATE TABLE case_arrests (
				id TEXT PRIMARY KEY,
				case_id TEXT NOT NULL REFERENCES case_cases (id),
				unit_id TEXT NOT NULL REFERENCES units (id),
				person_id TEXT NOT NULL,
				at BIGINT NOT NULL)`,
			`CREATE INDEX case_arrests_at ON case_arrests (at)`,
			`CREATE INDEX case_arrests_case ON case_arrests (case_id)`,
			`CREATE TABLE case_counters (
				unit_id TEXT NOT NULL REFERENCES units (id),
				year BIGINT NOT NULL,
				seq BIGINT NOT NULL,
				PRIMARY KEY (unit_id, year))`,
			`CREATE TABLE case_leads (
				id TEXT PRIMARY KEY,
				unit_id TEXT NOT NULL REFERENCES units (id),
				state TEXT NOT NULL,
				source_kind TEXT NOT NULL,
				source_id TEXT,
				case_id TEXT,
				found_at BIGINT NOT NULL,
				body TEXT NOT NULL,
				version BIGINT NOT NULL,
				created_at BIGINT NOT NULL,
				updated_at BIGINT NOT NULL)`,
			`CREATE INDEX case_leads_unit ON case_leads (unit_id, created_at, id)`,
			`CREATE INDEX case_leads_found ON case_leads (found_at)`,
		}
	},
}, {
	// The totals' indexes: one per counted event on (unit, event time),
	// so that CountCases reads only the period's rows of the subtree. The
	// arrests' index carries the person, so people arrested are counted
	// from the index alone.
	Version: 2,
	Stmts: func(*sqlx.Dialect) []string {
		return []string{
			`CREATE INDEX case_cases_reported ON case_cases (unit_id, reported_at)`,
			`CREATE INDEX case_cases_filed ON case_cases (unit_id, filed_at)`,
			`CREATE INDEX case_cases_solved ON case_cases (unit_id, solved_at)`,
			`CREATE INDEX case_cases_closed ON case_cases (unit_id, closed_at)`,
			`CREATE INDEX case_cases_dropped ON case_cases (unit_id, dropped_at)`,
			`CREATE INDEX case_arrests_unit ON case_arrests (unit_id, at, person_id)`,
			`CREATE INDEX case_leads_unit_found ON case_leads (unit_id, found_at)`,
		}
	},
}, {
	// The steps done (cases.StepsDone, a bit a step), so that the overdue
	// list is one query a page; existing cases get theirs from the body,
	// where a step not done is absent (omitempty).
	Version: 3,
	Stmts: func(d *sqlx.Dialect) []string {
		has := func(key string) string { return `json_type(body, '$.` + key + `') IS NOT NULL` }
		if d.Engine == sqlx.Postgres {
			has = func(key string) string { return `jsonb_exists(body::jsonb, '` + key + `')` }
		}
		sum := ""
		for i, key := range []string{"dispatch", "survey", "analysis", "arrests", "review"} {
			if i > 0 {
				sum += " + "
			}
			sum += fmt.Sprintf("(CASE WHEN %s THEN %d ELSE 0 END)", has(key), 1<<i)
		}
		return []string{
			`ALTER TABLE case_cases ADD COLUMN steps_done BIGINT NOT NULL DEFAULT 0`,
			`UPDATE case_cases SET steps_done = ` + sum,
		}
	},
}, {
	// The reopenings figure: a case's first reopening (Case.ReopenedAt) is
	// a counted event like the others, with its (unit, time) index. Cases
	// reopened before this step keep no figure (a report never rewrites a
	// past period); their reopening stays in their history.
	Version: 4,
	Stmts: func(*sqlx.Dialect) []string {
		return []string{
			`ALTER TABLE case_cases ADD COLUMN reopened_at BIGINT`,
			`CREATE INDEX case_cases_reopened ON case_cases (unit_id, reopened_at)`,
		}
	},
}, {
	// The persons a case or lead names (cases.Case.PersonRefs,
	// cases.Lead.PersonRefs), so that a person merge reads that person's
	// records through the person_id index instead of every case and lead.
	// Existing records get theirs from their bodies.
	Version: 5,
	Stmts: func(d *sqlx.Dialect) []string {
		return []string{
			`CREATE TABLE case_person_refs (
				kind TEXT NOT NULL,
				record_id TEXT NOT NULL,
				person_id TEXT NOT NULL,
				PRIMARY KEY (kind, record_id, person_id))`,
			`CREATE INDEX case_person_refs_person ON case_person_refs (person_id, kind, record_id)`,
			`INSERT INTO case_person_refs (kind, record_id, person_id)
				SELECT 'case', p.id, p.value FROM (` + d.JSONStrings("case_cases", "id", "body", cases.PersonKeys) + `) p`,
			`INSERT INTO case_person_refs (kind, record_id, person_id)
				SELECT 'lead', p.id, p.value FROM (` + d.JSONStrings("case_leads", "id", "body", cases.LeadPersonKeys) + `) p`,
		}
	},
}, {
	// The property category cigarettes_alcohol is split (recovery
	// migration 4): NIBRS 02 is alcohol only and tobacco is 08 consumable
	// goods. A case's own copy of its stolen items (body.items) is moved by
	// the same rule as recovery's ledger rows, so the case and the ledger
	// name the same category for the same item: alcohol when the
	// description names liquor (酒, or a brand written without it) and no
	// tobacco (烟), tobacco otherwise (a mixed 烟酒 line included). Every
	// other field and item is kept, in order; the audit history keeps the
	// old code, as it was recorded.
	Version: 6,
	Stmts: func(d *sqlx.Dialect) []string {
		if d.Engine == sqlx.Postgres {
			return []string{`UPDATE case_cases SET body = jsonb_set(body::jsonb, '{items}', (
				SELECT jsonb_agg(CASE WHEN e.v->>'category' = 'cigarettes_alcohol'
					THEN jsonb_set(e.v, '{category}', to_jsonb(CASE WHEN ` + liquor(`e.v->>'description'`) + ` THEN 'alcohol'::text ELSE 'tobacco'::text END))
					ELSE e.v END ORDER BY e.i)
				FROM jsonb_array_elements(body::jsonb->'items') WITH ORDINALITY AS e(v, i)))::text
				WHERE body::jsonb->'items' @> '[{"category": "cigarettes_alcohol"}]'`}
		}
		// SQLite: json() keeps each item and the rebuilt list JSON through
		// the subquery, which drops the JSON subtype.
		return []string{`UPDATE case_cases SET body = json_set(body, '$.items', json((
				SELECT json_group_array(json(item)) FROM (
					SELECT CASE WHEN json_extract(e.value, '$.category') = 'cigarettes_alcohol'
						THEN json_set(e.value, '$.category', CASE WHEN ` + liquor(`json_extract(e.value, '$.description')`) + ` THEN 'alcohol' ELSE 'tobacco' END)
						ELSE e.value END AS item
					FROM json_each(case_cases.body, '$.items') AS e ORDER BY e.key))))
				WHERE EXISTS (SELECT 1 FROM json_each(case_cases.body, '$.items') AS e
					WHERE json_extract(e.value, '$.category') = 'cigarettes_alcohol')`}
	},
}, {
	// Reports at city scale read the counted case events and the leads as
	// roll-up rows, daily per unit and per ancestor (casesql.RollupStmts,
	// issue 13); arrests, counted by distinct person, stay raw.
	Version: 7,
	Stmts:   func(d *sqlx.Dialect) []string { return casesql.RollupStmts(d.Engine, rolledCounts()...) },
}, {
	// On PostgreSQL the roll-up rows are kept per writing transaction's
	// shard, so concurrent writes never wait on each other's (casesql.ShardRollups).
	Version: 8,
	Stmts:   func(d *sqlx.Dialect) []string { return casesql.ShardRollups(d.Engine, rolledCounts()...) },
}}

// rolledCounts are the count branches kept as roll-up rows.
func rolledCounts() []casesql.GridBranch {
	var rolled []casesql.GridBranch
	for _, b := range countBranches {
		if b.Rollup != "" {
			rolled = append(rolled, b)
		}
	}
	return rolled
}

// liquor is recovery migration 4's test that a description names liquor
// and no tobacco, on the SQL expression desc.
func liquor(desc string) string {
	cond := desc + ` NOT LIKE '%烟%' AND (`
	for i, word := range []string{"酒", "五粮液", "茅台", "剑南春", "老窖", "二锅头"} {
		if i > 0 {
			cond += " OR "
		}
		cond += desc + ` LIKE '%` + word + `%'`
	}
	return cond + ")"
}

var _ casesql.Migrator = (*Store)(nil)

// MigrationLine implements casesql.Migrator: the "cases" line, run after the
// kernel's by casesql.Store.MigrateAll.
func (c *Store) MigrationLine() casesql.MigrationLine {
	return casesql.MigrationLine{Name: "cases", Steps: migrations}
}

// Migrate creates or upgrades the kernel's tables and then this store's
// (the kernel's MigrateAll with this line alone). An embedder with several
// workflows calls MigrateAll once with all of them instead.
func (c *Store) Migrate(ctx context.Context) error {
	return c.k.MigrateAll(ctx, c)
}
