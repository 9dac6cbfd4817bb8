// Package sqlx is the SQL plumbing every grassroots SQL store shares: the
// small dialect that hides what differs between SQLite and PostgreSQL, the
// migration runner, time and NULL conversions, and the one translation of
// driver errors into the kinds of package errs.
package sqlx

import (
	"fmt"
	"strings"
)

// Engine names a supported database engine.
type Engine string

// The engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Dialect is what differs between the engines. Everything else — queries,
// placeholders ($1 works in both), RETURNING — is written once.
type Dialect struct {
	Engine Engine
}

// Of returns the dialect of an engine.
func Of(e Engine) (*Dialect, error) {
	switch e {
	case SQLite, Postgres:
		return &Dialect{Engine: e}, nil
	}
	return nil, fmt.Errorf("sqlx: unknown engine %q", e)
}

// DDL rewrites the portable type names used in migrations: BYTES becomes
// BLOB or BYTEA.
func (d *Dialect) DDL(stmt string) string {
	if d.Engine == Postgres {
		return strings.ReplaceAll(stmt, "BYTES", "BYTEA")
	}
	return strings.ReplaceAll(stmt, "BYTES", "BLOB")
}

// ForUpdate is the row-lock suffix of a SELECT. SQLite needs none: every
// write transaction is BEGIN IMMEDIATE and holds the database write lock.
func (d *Dialect) ForUpdate() string {
	if d.Engine == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// SkipLocked is the suffix that lets several processes claim different rows.
func (d *Dialect) SkipLocked() string {
	if d.Engine == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// AppendOnly returns the statements that make the database itself refuse
// UPDATE and DELETE on a table, so that not even a bug in our code — or a
// person with ordinary write rights — can edit history.
func (d *Dialect) AppendOnly(table string) []string {
	if d.Engine == Postgres {
		return []string{
			`CREATE OR REPLACE FUNCTION grassroots_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'grassroots: % on % is refused: the table is append-only', TG_OP, TG_TABLE_NAME USING ERRCODE = 'GR001';
END $$`,
			fmt.Sprintf(`CREATE TRIGGER %[1]s_append_only BEFORE UPDATE OR DELETE ON %[1]s FOR EACH ROW EXECUTE FUNCTION grassroots_append_only()`, table),
			fmt.Sprintf(`CREATE TRIGGER %[1]s_no_truncate BEFORE TRUNCATE ON %[1]s FOR EACH STATEMENT EXECUTE FUNCTION grassroots_append_only()`, table),
		}
	}
	return []string{
		fmt.Sprintf(`CREATE TRIGGER %[1]s_no_update BEFORE UPDATE ON %[1]s BEGIN SELECT RAISE(ABORT, 'grassroots: UPDATE on %[1]s is refused: the table is append-only'); END`, table),
		fmt.Sprintf(`CREATE TRIGGER %[1]s_no_delete BEFORE DELETE ON %[1]s BEGIN SELECT RAISE(ABORT, 'grassroots: DELETE on %[1]s is refused: the table is append-only'); END`, table),
	}
}

// NoReplace returns the statements that close what AppendOnly leaves open
// on SQLite: REPLACE (INSERT OR REPLACE, REPLACE INTO) resolves a key
// conflict by deleting the old row, and that delete fires no DELETE trigger
// unless the connection turned recursive_triggers on, which an attacker's
// connection does not. So an INSERT whose key, or whose rowid, is already
// taken is refused before it runs. On PostgreSQL there is nothing to add:
// INSERT … ON CONFLICT DO UPDATE fires the UPDATE trigger AppendOnly made.
// key lists the table's primary-key columns.
func (d *Dialect) NoReplace(table string, key ...string) []string {
	if d.Engine == Postgres {
		return nil
	}
	conds := make([]string, len(key))
	for i, c := range key {
		conds[i] = fmt.Sprintf("%[1]s = NEW.%[1]s", c)
	}
	return []string{fmt.Sprintf(`CREATE TRIGGER %[1]s_no_replace BEFORE INSERT ON %[1]s
WHEN EXISTS (SELECT 1 FROM %[1]s WHERE %[2]s) OR EXISTS (SELECT 1 FROM %[1]s WHERE rowid = NEW.rowid)
BEGIN SELECT RAISE(ABORT, 'grassroots: INSERT over an existing row of %[1]s is refused: the table is append-only'); END`,
		table, strings.Join(conds, " AND "))}
}

// DropAppendOnly undoes AppendOnly and NoReplace. Only tamper tests use it: they play an
// attacker with database rights.
func (d *Dialect) DropAppendOnly(table string) []string {
	if d.Engine == Postgres {
		return []string{
			fmt.Sprintf(`DROP TRIGGER IF EXISTS %[1]s_append_only ON %[1]s`, table),
			fmt.Sprintf(`DROP TRIGGER IF EXISTS %[1]s_no_truncate ON %[1]s`, table),
		}
	}
	return []string{
		fmt.Sprintf(`DROP TRIGGER IF EXISTS %s_no_update`, table),
		fmt.Sprintf(`DROP TRIGGER IF EXISTS %s_no_delete`, table),
		fmt.Sprintf(`DROP TRIGGER IF EXISTS %s_no_replace`, table),
	}
}

// JSONArrayHas is the condition "the JSON array of strings in column holds
// the value bound to ph", matched exactly (no LIKE wildcards, no case
// folding) in both engines.
func (d *Dialect) JSONArrayHas(column, ph string) string {
	if d.Engine == Postgres {
		return fmt.Sprintf(`(%s)::jsonb @> jsonb_build_array(%s::text)`, column, ph)
	}
	return fmt.Sprintf(`EXISTS (SELECT 1 FROM json_each(%s) WHERE json_each.value = %s)`, column, ph)
}
