// Package sqlstore is the cases.Store for SQLite and PostgreSQL, built on
// the kernel's SQL store: the same database handle, the same transactions,
// so a case change and its audit entries, outbox rows, request key, inbox
// mark and shares commit together. One SQL text serves both engines.
//
// A case is kept whole as JSON in case_cases.body; the columns beside it
// are what queries filter, order and count on, and child tables index the
// many-valued filters (suspects, item identifiers) and the arrests the
// totals count. Case numbers come from case_counters, one row per filing
// unit and year, incremented inside the filing transaction.
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

// Store is the SQL cases.Store. It is safe for concurrent use by any number
// of goroutines and processes sharing one database.
type Store struct {
	k     casesql.Host
	db    *sql.DB
	lists *casesql.Lister // the lists, their queries prepared once per text
}

var _ cases.Store = (*Store)(nil)

// New builds the case store on the kernel's SQL store (or any casesql.Host).
// Call Migrate, or the kernel's MigrateAll with this store, before use.
func New(k casesql.Host) *Store {
	return &Store{k: k, db: k.DB(), lists: casesql.NewLister(sqlx.NewStmts(k.DB()))}
}

// CommitCases implements cases.Store.
func (c *Store) CommitCases(ctx context.Context, w cases.Write, ch casework.Change) error {
	return c.k.Write(ctx, ch, func(tx *sql.Tx) error {
		for _, x := range w.NewCases {
			if err := c.insertCase(ctx, tx, x); err != nil {
				return err
			}
		}
		for _, x := range w.Cases {
			if err := c.updateCase(ctx, tx, x); err != nil {
				return err
			}
		}
		for _, l := range w.NewLeads {
			if err := insertLead(ctx, tx, l); err != nil {
				return err
			}
		}
		for _, l := range w.Leads {
			if err := updateLead(ctx, tx, l); err != nil {
				return err
			}
		}
		return nil
	})
}

// FileCase implements cases.Store. The counter row of (unit, year)
// is incremented first — INSERT … ON CONFLICT DO UPDATE … RETURNING, one
// statement in both engines — and stays locked until the transaction ends
// (PostgreSQL row lock; SQLite's immediate transaction holds the database
// write lock), so concurrent filers in any number of processes take turns,
// and a rollback gives the number back.
func (c *Store) FileCase(ctx context.Context, key cases.NumberKey, file func(seq int64) (cases.Case, casework.Change, error)) (cases.Case, error) {
	var out cases.Case
	err := sqlx.Tx(ctx, c.db, func(tx *sql.Tx) error {
		var seq int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO case_counters (unit_id, year, seq) VALUES ($1, $2, 1)
			ON CONFLICT (unit_id, year) DO UPDATE SET seq = case_counters.seq + 1 RETURNING seq`, key.UnitID, key.Year).Scan(&seq); err != nil {
			return err
		}
		next, ch, err := file(seq)
		if err != nil {
			return err
		}
		out = next
		return c.k.WriteIn(ctx, tx, ch, func(tx *sql.Tx) error { return c.updateCase(ctx, tx, next) })
	})
	if err != nil {
		return cases.Case{}, err
	}
	out.SharedWith = nil
	return out.Clone(), nil
}

const caseCols = `id, unit_id, number, kind, state, mo_key, lead_id, reported_at, filed_at, solved_at, closed_at, dropped_at,
	body, version, created_at, updated_at, reopened_at`

func caseArgs(x cases.Case) ([]any, error) {
	x.SharedWith = nil
	body, err := json.Marshal(x)
	if err != nil {
		return nil, err
	}
	return []any{x.ID, x.UnitID, sqlx.S(x.Number), x.Kind, string(x.State), sqlx.S(x.MOKey()), sqlx.S(x.LeadID),
		sqlx.T(x.ReportedAt), sqlx.T(x.FiledAt), sqlx.T(x.SolvedAt), sqlx.T(x.ClosedAt), sqlx.T(x.DroppedAt),
		string(body), x.Version, sqlx.T(x.CreatedAt), sqlx.T(x.UpdatedAt), sqlx.T(x.ReopenedAt), cases.StepsDone(x)}, nil
}

func scanCase(row interface{ Scan(...any) error }) (cases.Case, error) {
	var x cases.Case
	var id, unitID, number, kind, state, mo, leadID, body string
	var reported, filed, solved, closed, dropped, created, updated, reopened time.Time
	var version int64
	if err := row.Scan(&id, &unitID, sqlx.Str{S: &number}, &kind, &state, sqlx.Str{S: &mo}, sqlx.Str{S: &leadID},
		sqlx.Time{T: &reported}, sqlx.Time{T: &filed}, sqlx.Time{T: &solved}, sqlx.Time{T: &closed}, sqlx.Time{T: &dropped},
		&body, &version, sqlx.Time{T: &created}, sqlx.Time{T: &updated}, sqlx.Time{T: &reopened}); err != nil {
		return x, err
	}
	if err := json.Unmarshal([]byte(body), &x); err != nil {
		return x, err
	}
	// The columns are the record of what queries see; the body holds the
	// rest.
	x.ID, x.UnitID, x.Number, x.Kind, x.State, x.LeadID = id, unitID, number, kind, cases.State(state), leadID
	x.ReportedAt, x.FiledAt, x.SolvedAt, x.ClosedAt, x.DroppedAt, x.ReopenedAt = reported, filed, solved, closed, dropped, reopened
	x.Version, x.CreatedAt, x.UpdatedAt = version, created, updated
	x.SharedWith = nil
	return x, nil
}

func (c *Store) insertCase(ctx context.Context, tx *sql.Tx, x cases.Case) error {
	args, err := caseArgs(x)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_cases (`+caseCols+`, steps_done) VALUES
		($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`, args...); err != nil {
		return err
	}
	return c.writeChildren(ctx, tx, x, false)
}

func (c *Store) updateCase(ctx context.Context, tx *sql.Tx, x cases.Case) error {
	args, err := caseArgs(x)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE case_cases SET unit_id = $2, number = $3, kind = $4, state = $5, mo_key = $6,
		lead_id = $7, reported_at = $8, filed_at = $9, solved_at = $10, closed_at = $11, dropped_at = $12, body = $13,
		version = $14, updated_at = $16, reopened_at = $17, steps_done = $18 WHERE id = $1 AND version = $19 AND created_at = $15`, append(args, x.Version-1)...)
	if err != nil {
		return err
	}
	if err := sqlx.CheckCAS(ctx, tx, res, "case_cases", cases.RecordCase, x.ID, x.Version-1); err != nil {
		return err
	}
	return c.writeChildren(ctx, tx, x, true)
}

// writeChildren replaces the index rows of a case: its suspects, item
// identifiers and arrests.
func (c *Store) writeChildren(ctx context.Context, tx *sql.Tx, x cases.Case, replace bool) error {
	if replace {
		for _, t := range []string{"case_suspects", "case_identifiers", "case_arrests"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE case_id = $1`, x.ID); err != nil {
				return err
			}
		}
	}
	if err := writePersonRefs(ctx, tx, refCase, x.ID, x.PersonRefs(), replace); err != nil {
		return err
	}
	for _, p := range x.SuspectKeys() {
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_suspects (case_id, person_id) VALUES ($1, $2)`, x.ID, p); err != nil {
			return err
		}
	}
	for _, v := range x.IdentifierKeys() {
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_identifiers (case_id, value) VALUES ($1, $2)`, x.ID, v); err != nil {
			return err
		}
	}
	for _, a := range x.Arrests {
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_arrests (id, case_id, unit_id, person_id, at) VALUES ($1, $2, $3, $4, $5)`,
			a.ID, x.ID, x.UnitID, a.SuspectID, sqlx.T(a.At)); err != nil {
			return err
		}
	}
	return nil
}

// GetCase implements cases.Store.
func (c *Store) GetCase(ctx context.Context, id string) (cases.Case, error) {
	x, err := scanCase(c.db.QueryRowContext(ctx, `SELECT `+caseCols+` FROM case_cases WHERE id = $1`, id))
	return x, sqlx.NotFound(err, cases.RecordCase, id)
}

// ListCases implements cases.Store.
func (c *Store) ListCases(ctx context.Context, f cases.Filter, p casework.Page) ([]cases.Case, error) {
	var a sqlx.Args
	var q string
	if f.States != nil {
		q += ` AND state IN (` + sqlx.In(&a, f.States) + `)`
	}
	if f.Kind != "" {
		q += ` AND kind = ` + a.Add(f.Kind)
	}
	if !f.ReportedFrom.IsZero() {
		q += ` AND reported_at >= ` + a.Add(f.ReportedFrom.UnixMicro())
	}
	if !f.ReportedTo.IsZero() {
		q += ` AND reported_at < ` + a.Add(f.ReportedTo.UnixMicro())
	}
	if f.SuspectIDs != nil {
		q += ` AND id IN (SELECT case_id FROM case_suspects WHERE person_id IN (` + sqlx.In(&a, f.SuspectIDs) + `))`
	}
	if f.Identifier != "" {
		q += ` AND id IN (SELECT case_id FROM case_identifiers WHERE value = ` + a.Add(f.Identifier) + `)`
	}
	if f.ModusOperandi != "" {
		q += ` AND mo_key = ` + a.Add(f.ModusOperandi)
	}
	if f.IDs != nil {
		q += ` AND id IN (` + sqlx.In(&a, f.IDs) + `)`
	}
	if f.PersonID != "" {
		q += personRef(&a, refCase, f.PersonID)
	}
	if f.Overdue != nil {
		q += ` AND ` + overdue(&a, *f.Overdue)
	}
	// A station's list walks case_cases_unit (casesql.ListUnder).
	return casesql.ListUnder(ctx, c.lists, f.UnitUnder, &a, p, casesql.UnitPage{Table: "case_cases", Cols: caseCols,
		UnitCol: "unit_id", AtCol: "created_at", IDCol: "id", Where: q}, scanCase)
}

// overdue is cases.StepOverdue in SQL: some step not done (the bit of
// cases.StepsDone clear), still expected in the case's state
// (cases.ExpectedIn), and now strictly after the report plus the step's
// target. Times are microseconds and targets nanoseconds, so the bound on
// reported_at is rounded up: reported·1000 + target < now (ns) exactly when
// reported < ⌈(now − target) / 1000⌉.
func overdue(a *sqlx.Args, o cases.OverdueAt) string {
	var steps []string
	for i, step := range cases.Steps {
		lim := o.Now.UnixNano() - int64(o.Targets.Of(step))
		bound := lim / 1000
		if lim%1000 > 0 {
			bound++
		}
		steps = append(steps, fmt.Sprintf(`(state IN (%s) AND (steps_done & %d) = 0 AND reported_at < %s)`,
			sqlx.In(a, cases.ExpectedIn(step)), 1<<i, a.Add(bound)))
	}
	return `(` + strings.Join(steps, ` OR `) + `)`
}

const leadCols = `id, unit_id, state, source_kind, source_id, case_id, found_at, body, version, created_at, updated_at`

func leadArgs(l cases.Lead) ([]any, error) {
	body, err := json.Marshal(l)
	if err != nil {
		return nil, err
	}
	return []any{l.ID, l.UnitID, string(l.State), l.Source.Kind, sqlx.S(l.Source.ID), sqlx.S(l.CaseID), sqlx.T(l.FoundAt),
		string(body), l.Version, sqlx.T(l.CreatedAt), sqlx.T(l.UpdatedAt)}, nil
}

func scanLead(row interface{ Scan(...any) error }) (cases.Lead, error) {
	var l cases.Lead
	var id, unitID, state, srcKind, srcID, caseID, body string
	var found, created, updated time.Time
	var version int64
	if err := row.Scan(&id, &unitID, &state, &srcKind, sqlx.Str{S: &srcID}, sqlx.Str{S: &caseID}, sqlx.Time{T: &found},
		&body, &version, sqlx.Time{T: &created}, sqlx.Time{T: &updated}); err != nil {
		return l, err
	}
	if err := json.Unmarshal([]byte(body), &l); err != nil {
		return l, err
	}
	l.ID, l.UnitID, l.State, l.Source.Kind, l.Source.ID, l.CaseID = id, unitID, cases.LeadState(state), srcKind, srcID, caseID
	l.FoundAt, l.Version, l.CreatedAt, l.UpdatedAt = found, version, created, updated
	return l, nil
}

func insertLead(ctx context.Context, tx *sql.Tx, l cases.Lead) error {
	args, err := leadArgs(l)
	if err != nil {
		return err
	}
	if _, err = tx.ExecContext(ctx, `INSERT INTO case_leads (`+leadCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, args...); err != nil {
		return err
	}
	return writePersonRefs(ctx, tx, refLead, l.ID, l.PersonRefs(), false)
}

// The kinds of case_person_refs rows.
const (
	refCase = "case"
	refLead = "lead"
)

// writePersonRefs writes the person index rows of a case or lead
// (migration step 5), replacing its old ones when replace is set.
func writePersonRefs(ctx context.Context, tx *sql.Tx, kind, id string, persons []string, replace bool) error {
	if replace {
		if _, err := tx.ExecContext(ctx, `DELETE FROM case_person_refs WHERE kind = $1 AND record_id = $2`, kind, id); err != nil {
			return err
		}
	}
	for _, p := range persons {
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_person_refs (kind, record_id, person_id) VALUES ($1, $2, $3)`, kind, id, p); err != nil {
			return err
		}
	}
	return nil
}

// personRef is the condition that a record of kind names person.
func personRef(a *sqlx.Args, kind, person string) string {
	return ` AND id IN (SELECT record_id FROM case_person_refs WHERE person_id = ` + a.Add(person) + ` AND kind = ` + a.Add(kind) + `)`
}

func updateLead(ctx context.Context, tx *sql.Tx, l cases.Lead) error {
	args, err := leadArgs(l)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE case_leads SET unit_id = $2, state = $3, source_kind = $4, source_id = $5, case_id = $6,
		found_at = $7, body = $8, version = $9, updated_at = $11 WHERE id = $1 AND version = $12 AND created_at = $10`,
		append(args, l.Version-1)...)
	if err != nil {
		return err
	}
	if err := sqlx.CheckCAS(ctx, tx, res, "case_leads", cases.RecordLead, l.ID, l.Version-1); err != nil {
		return err
	}
	return writePersonRefs(ctx, tx, refLead, l.ID, l.PersonRefs(), true)
}

// GetLead implements cases.Store.
func (c *Store) GetLead(ctx context.Context, id string) (cases.Lead, error) {
	l, err := scanLead(c.db.QueryRowContext(ctx, `SELECT `+leadCols+` FROM case_leads WHERE id = $1`, id))
	return l, sqlx.NotFound(err, cases.RecordLead, id)
}

// ListLeads implements cases.Store.
func (c *Store) ListLeads(ctx context.Context, f cases.LeadFilter, p casework.Page) ([]cases.Lead, error) {
	var a sqlx.Args
	q := `SELECT ` + leadCols + ` FROM case_leads WHERE 1 = 1`
	if f.UnitUnder != "" {
		q += ` AND ` + sqlx.Under("unit_id", a.Add(f.UnitUnder))
	}
	if f.States != nil {
		q += ` AND state IN (` + sqlx.In(&a, f.States) + `)`
	}
	if f.SourceKind != "" {
		q += ` AND source_kind = ` + a.Add(f.SourceKind)
	}
	if f.SourceID != "" {
		q += ` AND source_id = ` + a.Add(f.SourceID)
	}
	if f.PersonID != "" {
		q += personRef(&a, refLead, f.PersonID)
	}
	if !f.FoundFrom.IsZero() {
		q += ` AND found_at >= ` + a.Add(f.FoundFrom.UnixMicro())
	}
	if !f.FoundTo.IsZero() {
		q += ` AND found_at < ` + a.Add(f.FoundTo.UnixMicro())
	}
	q, err := casesql.PageClause(q, &a, p, "created_at", "id")
	if err != nil {
		return nil, err
	}
	return sqlx.QueryAll(ctx, c.db, q, a.List, scanLead)
}

// CountCases implements cases.Store: CountCasesGrid of one cell.
func (c *Store) CountCases(ctx context.Context, unitUnder string, from, to time.Time) (cases.Counts, error) {
	if to.Before(from) {
		return cases.Counts{}, nil
	}
	n, err := c.CountCasesGrid(ctx, casework.Grid{Paths: []string{unitUnder}, Bounds: []time.Time{from, to}})
	if err != nil {
		return cases.Counts{}, err
	}
	return n[0], nil
}

// countBranches are CountCasesGrid's branches. All but the arrests (a
// count of distinct persons, which daily rows cannot add up) are kept as
// roll-up rows (migration step 7).
var countBranches = []casesql.GridBranch{
	caseEvent("reported_at"), caseEvent("filed_at"), caseEvent("solved_at"), caseEvent("closed_at"), caseEvent("dropped_at"),
	{Table: "case_arrests", Time: "at", Aggs: []string{"COUNT(*)", "COUNT(DISTINCT t.person_id)"}},
	{Table: "case_leads", Time: "found_at", Aggs: []string{"COUNT(*)"}, Kind: cases.RecordLead, Rollup: "case_leads"},
	caseEvent("reopened_at"),
}

func caseEvent(col string) casesql.GridBranch {
	return casesql.GridBranch{Table: "case_cases", Time: col, Aggs: []string{"COUNT(*)"}, Kind: cases.RecordCase,
		Rollup: "case_" + strings.TrimSuffix(col, "_at")}
}

// CountCasesGrid implements cases.Store: one statement, a UNION ALL with
// one grouped branch per counted event (casesql.QueryGrid), each with the
// grid's span in WHERE on the event's (unit_id, time) index (migration
// step 2), so a year's counts read that year's rows of the subtree once,
// however many periods and subtrees the grid has.
func (c *Store) CountCasesGrid(ctx context.Context, g casework.Grid) ([]cases.Counts, error) {
	out := make([]cases.Counts, g.Len())
	err := casesql.QueryGrid(ctx, c.k, g, countBranches, func(x casesql.GridCell) {
		n := &out[g.Cell(x.R, x.C)]
		switch x.Branch {
		case 0:
			n.Reported = x.V[0]
		case 1:
			n.Filed = x.V[0]
		case 2:
			n.Solved = x.V[0]
		case 3:
			n.Closed = x.V[0]
		case 4:
			n.Dropped = x.V[0]
		case 5:
			n.Arrests, n.PeopleArrested = x.V[0], x.V[1]
		case 6:
			n.LeadsCollected = x.V[0]
		case 7:
			n.Reopened = x.V[0]
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
