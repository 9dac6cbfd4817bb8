// Package sqlstore is the outreach Store for SQLite and PostgreSQL, built
// on the kernel's SQL store: the same database handle, and every write
// through its Write, so a record commits with its audit entries, hand-offs
// and request key in one transaction. The SQL is written once for both
// engines.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/outreach"
)

// Store is the SQL outreach store. It is safe for concurrent use by any
// number of goroutines and processes sharing one database.
type Store struct {
	k     casesql.Host
	db    *sql.DB
	stmts *sqlx.Stmts     // the lists' queries and the create's inserts, prepared once per text
	lists *casesql.Lister // the visit lists, through stmts
}

var _ outreach.Store = (*Store)(nil)

// New builds the outreach store on the kernel's SQL store (or any casesql.Host).
// Call Migrate, or the kernel's MigrateAll with this store, before use.
func New(k casesql.Host) *Store {
	stmts := sqlx.NewStmts(k.DB())
	return &Store{k: k, db: k.DB(), stmts: stmts, lists: casesql.NewLister(stmts)}
}

type scanner = sqlx.Scanner

// period adds "col in [from, to)" for the bounds that are set.
func period(q string, a *sqlx.Args, col string, from, to time.Time) string {
	if !from.IsZero() {
		q += ` AND ` + col + ` >= ` + a.Add(from.UnixMicro())
	}
	if !to.IsZero() {
		q += ` AND ` + col + ` < ` + a.Add(to.UnixMicro())
	}
	return q
}

// micro stores a time that a list orders by: never NULL, so that the zero
// time sorts first in both engines, as it does in memory.
func micro(t time.Time) int64 { return t.UnixMicro() }

func strs[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
}

// update runs a compare-and-swap UPDATE and turns "no row changed" into
// ErrNotFound or ErrConflict.
func update(ctx context.Context, tx *sql.Tx, table, recordType, id string, version int64, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	return sqlx.CheckCAS(ctx, tx, res, table, recordType, id, version-1)
}

// GetVisit implements outreach.Store.
func (s *Store) GetVisit(ctx context.Context, id string) (outreach.Visit, error) {
	v, err := scanVisit(s.db.QueryRowContext(ctx, `SELECT `+visitSelect+` FROM outreach_visits WHERE id = $1`, id))
	return v, sqlx.NotFound(err, outreach.RecordVisit, id)
}

const visitCols = `id, unit_id, campaign_id, plan_entry_id, officer_ids, visited_at, address_id, address, community, target_kind,
	target_key, person_id, organisation, notes, services, aid, findings, hazard_ids, registry_version, recorded_by, version,
	created_at, updated_at`

// visitSelect reads visitCols. A JSON list column that holds the text
// null (no services, aid, findings or hazards: most visits) comes back as
// SQL NULL, which sqlx.JSON scans alike and the driver hands over without
// copying a string (on SQLite in one call into the library, not three):
// a list of 51 visits reads about 200 such columns.
const visitSelect = `id, unit_id, campaign_id, plan_entry_id, officer_ids, visited_at, address_id, address, community, target_kind,
	target_key, person_id, organisation, notes, NULLIF(services, 'null'), NULLIF(aid, 'null'), NULLIF(findings, 'null'),
	NULLIF(hazard_ids, 'null'), registry_version, recorded_by, version, created_at, updated_at`

func scanVisit(r scanner) (outreach.Visit, error) { return newVisitScanner().scan(r) }

// visitScanner scans rows of visitSelect into the one Visit that its
// destinations point at, built once per query: a list's rows then
// allocate only the values they hold, not a visit, 23 destinations and a
// box for each JSON column apiece.
type visitScanner struct {
	v    outreach.Visit
	dest []any
}

func newVisitScanner() *visitScanner {
	s := &visitScanner{}
	v := &s.v
	s.dest = []any{&v.ID, &v.UnitID, sqlx.Str{S: &v.CampaignID}, sqlx.Str{S: &v.PlanEntryID}, sqlx.JSON{V: &v.OfficerIDs},
		sqlx.Time{T: &v.VisitedAt}, sqlx.Str{S: &v.AddressID}, sqlx.Str{S: &v.Address}, sqlx.Str{S: &v.Community}, &v.TargetKind,
		&v.TargetKey, sqlx.Str{S: &v.PersonID}, sqlx.Str{S: &v.Organisation}, sqlx.Str{S: &v.Notes}, sqlx.JSON{V: &v.Services},
		sqlx.JSON{V: &v.Aid}, sqlx.JSON{V: &v.Findings}, sqlx.JSON{V: &v.HazardIDs}, &v.RegistryVersion, &v.RecordedBy, &v.Version,
		sqlx.Time{T: &v.CreatedAt}, sqlx.Time{T: &v.UpdatedAt}}
	return s
}

// scan reads one row. The visit is reset first, so that nothing of the
// row before stays (a JSON null leaves its target alone).
func (s *visitScanner) scan(r scanner) (outreach.Visit, error) {
	s.v = outreach.Visit{}
	if err := r.Scan(s.dest...); err != nil {
		return outreach.Visit{}, err
	}
	return s.v, nil
}

// visitArgs are the values of visitCols, then the derived counts.
func visitArgs(v outreach.Visit) []any {
	return []any{v.ID, v.UnitID, sqlx.S(v.CampaignID), sqlx.S(v.PlanEntryID), sqlx.List(v.OfficerIDs), micro(v.VisitedAt),
		sqlx.S(v.AddressID), sqlx.S(v.Address), sqlx.S(v.Community), string(v.TargetKind), v.TargetKey, sqlx.S(v.PersonID),
		sqlx.S(v.Organisation), sqlx.S(v.Notes), sqlx.JSON{V: v.Services}, sqlx.JSON{V: v.Aid}, sqlx.JSON{V: v.Findings},
		sqlx.JSON{V: v.HazardIDs}, v.RegistryVersion, v.RecordedBy, v.Version, sqlx.T(v.CreatedAt), sqlx.T(v.UpdatedAt),
		v.Count(outreach.ServiceAppointment), v.Count(outreach.ServiceDoorToDoor), v.Count(outreach.ServiceErrand), len(v.Aid),
		v.CountFindings(outreach.FindingDispute), v.CountFindings(outreach.FindingLead)}
}

const visitCountCols = `n_appointment, n_door_to_door, n_errand, n_aid, n_disputes, n_leads`

// CreateVisit implements outreach.Store.
func (s *Store) CreateVisit(ctx context.Context, w outreach.VisitWrite, ch casework.Change) error {
	return s.k.Write(ctx, ch, func(tx *sql.Tx) error {
		if e := w.Plan; e != nil {
			if err := updatePlanEntry(ctx, tx, *e); err != nil {
				return err
			}
		}
		if err := s.insertVisit(ctx, tx, w.Visit); err != nil {
			return err
		}
		for _, h := range w.Hazards {
			if err := insertHazard(ctx, tx, h); err != nil {
				return err
			}
		}
		return nil
	})
}

// insertVisit inserts a visit, its officers and its person index rows:
// on PostgreSQL in one statement (a data-modifying WITH, one round trip),
// on SQLite one multi-row insert each. Prepared once for the usual few
// officers and persons.
func (s *Store) insertVisit(ctx context.Context, tx *sql.Tx, v outreach.Visit) error {
	const insert = `INSERT INTO outreach_visits (` + visitCols + `, ` + visitCountCols + `) VALUES ($1, $2, $3, $4, $5,
		$6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29)`
	persons := v.PersonRefs()
	exec := func(q string, args ...any) error {
		var err error
		if len(v.OfficerIDs) <= 4 && len(persons) <= 4 {
			_, err = s.stmts.Exec(ctx, tx, q, args...)
		} else {
			_, err = tx.ExecContext(ctx, q, args...)
		}
		return err
	}
	// links inserts the rows linking ids to the visit, numbering their
	// placeholders after a's; visitID is the visit id's placeholder.
	links := func(a *sqlx.Args, visitID, table, col string, ids []string) string {
		rows := make([]string, len(ids))
		for i, id := range ids {
			rows[i] = "(" + a.Add(id) + ", " + visitID + ")"
		}
		return `INSERT INTO ` + table + ` (` + col + `, visit_id) VALUES ` + strings.Join(rows, ", ")
	}
	a := sqlx.Args{List: visitArgs(v)}
	if s.k.Engine() == casesql.Postgres {
		var with []string
		if len(v.OfficerIDs) > 0 {
			with = append(with, "o AS ("+links(&a, "$1", "outreach_visit_officers", "officer_id", v.OfficerIDs)+")")
		}
		if len(persons) > 0 {
			with = append(with, "p AS ("+links(&a, "$1", "outreach_visit_persons", "person_id", persons)+")")
		}
		if len(with) == 0 {
			return exec(insert, a.List...)
		}
		return exec(`WITH `+strings.Join(with, ", ")+` `+insert, a.List...)
	}
	if err := exec(insert, a.List...); err != nil {
		return err
	}
	for _, l := range []struct {
		table, col string
		ids        []string
	}{{"outreach_visit_officers", "officer_id", v.OfficerIDs}, {"outreach_visit_persons", "person_id", persons}} {
		if len(l.ids) > 0 {
			var b sqlx.Args // SQLite numbers each statement's placeholders from 1
			id := b.Add(v.ID)
			if err := exec(links(&b, id, l.table, l.col, l.ids), b.List...); err != nil {
				return err
			}
		}
	}
	return nil
}

// UpdateVisit implements outreach.Store. Officers are not written: they
// never change; the person index is rewritten.
func (s *Store) UpdateVisit(ctx context.Context, v outreach.Visit, ch casework.Change) error {
	return s.k.Write(ctx, ch, func(tx *sql.Tx) error {
		if err := updateVisit(ctx, tx, v); err != nil {
			return err
		}
		return writeVisitPersons(ctx, tx, v, true)
	})
}

// writeVisitPersons writes the person index rows of a visit (migration
// step 8): Visit.PersonRefs, its findings' persons among them.
func writeVisitPersons(ctx context.Context, tx *sql.Tx, v outreach.Visit, replace bool) error {
	if replace {
		if _, err := tx.ExecContext(ctx, `DELETE FROM outreach_visit_persons WHERE visit_id = $1`, v.ID); err != nil {
			return err
		}
	}
	for _, p := range v.PersonRefs() {
		if _, err := tx.ExecContext(ctx, `INSERT INTO outreach_visit_persons (person_id, visit_id) VALUES ($1, $2)`, p, v.ID); err != nil {
			return err
		}
	}
	return nil
}

// updateVisit writes what changes on a visit: its notes, services, aid
// and findings, and the visited person, whom a person merge re-points.
func updateVisit(ctx context.Context, tx *sql.Tx, v outreach.Visit) error {
	return update(ctx, tx, "outreach_visits", outreach.RecordVisit, v.ID, v.Version, `UPDATE outreach_visits SET
		notes = $1, services = $2, aid = $3, findings = $4, hazard_ids = $5, registry_version = $6, version = $7, updated_at = $8,
		n_appointment = $9, n_door_to_door = $10, n_errand = $11, n_aid = $12, n_disputes = $13, n_leads = $14, person_id = $17
		WHERE id = $15 AND version = $16`,
		sqlx.S(v.Notes), sqlx.JSON{V: v.Services}, sqlx.JSON{V: v.Aid}, sqlx.JSON{V: v.Findings}, sqlx.JSON{V: v.HazardIDs},
		v.RegistryVersion, v.Version, sqlx.T(v.UpdatedAt), v.Count(outreach.ServiceAppointment), v.Count(outreach.ServiceDoorToDoor),
		v.Count(outreach.ServiceErrand), len(v.Aid), v.CountFindings(outreach.FindingDispute), v.CountFindings(outreach.FindingLead),
		v.ID, v.Version-1, sqlx.S(v.PersonID))
}

// ListVisits implements outreach.Store; casesql.ListUnder says how a
// subtree is listed, on the (unit, [kind,] visited_at, id) indexes.
func (s *Store) ListVisits(ctx context.Context, f outreach.VisitFilter, p casework.Page) ([]outreach.Visit, error) {
	return listVisits(ctx, s, f, p, visitSelect, false, newVisitScanner().scan)
}

// ListVisitRefs implements outreach.Store: ListVisits reading three or
// four columns of each row instead of 23 (on SQLite the driver locks and
// unlocks its connection for every column it reads), all of them in the
// unit indexes (migration step 12). A list filtered by kind does not read
// the kind: every row has the filter's.
func (s *Store) ListVisitRefs(ctx context.Context, f outreach.VisitFilter, p casework.Page) ([]outreach.VisitRef, error) {
	r := &refScanner{}
	r.dest = []any{&r.v.ID, &r.v.Version, sqlx.Time{T: &r.v.VisitedAt}, &r.v.TargetKind}
	cols := `id, version, visited_at, target_kind`
	if f.TargetKind != "" {
		r.v.TargetKind, r.dest = f.TargetKind, r.dest[:3]
		cols = `id, version, visited_at`
	}
	return listVisits(ctx, s, f, p, cols, true, r.scan)
}

// refScanner scans rows of ListVisitRefs into one VisitRef that its
// destinations point at, built once per list, so a row allocates only
// the values it holds.
type refScanner struct {
	v    outreach.VisitRef
	dest []any
}

// scan reads one row; a kind not read stays the filter's.
func (r *refScanner) scan(row scanner) (outreach.VisitRef, error) {
	if err := row.Scan(r.dest...); err != nil {
		return outreach.VisitRef{}, err
	}
	return r.v, nil
}

// getVisitsChunk is how many ids one statement of GetVisits reads; a
// chunk is padded to a power of two from 8 by repeating its last id, so
// that a handful of statement texts serve every count.
const getVisitsChunk = 64

// GetVisits implements outreach.Store.
func (s *Store) GetVisits(ctx context.Context, ids []string) ([]outreach.Visit, error) {
	out := make([]outreach.Visit, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	sc := newVisitScanner()
	for chunk := range slices.Chunk(ids, getVisitsChunk) {
		n := 8
		for n < len(chunk) {
			n *= 2
		}
		args := make([]any, n)
		for i := range args {
			args[i] = chunk[min(i, len(chunk)-1)]
		}
		var a sqlx.Args
		q := `SELECT ` + visitSelect + ` FROM outreach_visits WHERE id IN (` + sqlx.In(&a, args) + `)`
		rows, err := sqlx.QueryAll(ctx, s.stmts, q, a.Values(), func(r scanner) (outreach.Visit, error) { return sc.scan(r) })
		if err != nil {
			return nil, err
		}
		for _, v := range rows {
			if !seen[v.ID] {
				seen[v.ID] = true
				out = append(out, v)
			}
		}
	}
	return out, nil
}

// listVisits runs a list of visits, reading cols with scan; covered says
// that cols are all in the unit indexes (casesql.UnitPage.Covered).
func listVisits[T any](ctx context.Context, s *Store, f outreach.VisitFilter, p casework.Page, cols string, covered bool,
	scan func(scanner) (T, error)) ([]T, error) {
	var a sqlx.Args
	var q string
	if f.OfficerID != "" {
		q += ` AND id IN (SELECT visit_id FROM outreach_visit_officers WHERE officer_id = ` + a.Add(f.OfficerID) + `)`
	}
	if f.PersonID != "" {
		q += ` AND id IN (SELECT visit_id FROM outreach_visit_persons WHERE person_id = ` + a.Add(f.PersonID) + `)`
	}
	for _, eq := range []struct{ col, v string }{{"target_kind", string(f.TargetKind)}, {"campaign_id", f.CampaignID},
		{"plan_entry_id", f.PlanEntryID}, {"address_id", f.AddressID}} {
		if eq.v != "" {
			q += ` AND ` + eq.col + ` = ` + a.Add(eq.v)
		}
	}
	q = period(q, &a, "visited_at", f.From, f.To)
	return casesql.ListUnder(ctx, s.lists, f.UnitUnder, &a, p, casesql.UnitPage{Table: "outreach_visits", Cols: cols,
		UnitCol: "unit_id", AtCol: "visited_at", IDCol: "id", Where: q, Covered: covered}, scan)
}

const hazardCols = `id, unit_id, visit_id, address_id, community, place, kind, severity, description, responsible,
	responsible_person_id, deadline, status, found_by, found_at, rectifying_at, rectified_at, rectified_by, verified_at, verified_by,
	note, version, created_at, updated_at`

func scanHazard(r scanner) (outreach.Hazard, error) {
	var h outreach.Hazard
	err := r.Scan(&h.ID, &h.UnitID, sqlx.Str{S: &h.VisitID}, sqlx.Str{S: &h.AddressID}, sqlx.Str{S: &h.Community}, &h.Place, &h.Kind,
		&h.Severity, &h.Description, &h.Responsible, sqlx.Str{S: &h.ResponsiblePersonID}, sqlx.Time{T: &h.Deadline}, &h.Status,
		&h.FoundBy, sqlx.Time{T: &h.FoundAt}, sqlx.Time{T: &h.RectifyingAt}, sqlx.Time{T: &h.RectifiedAt}, sqlx.Str{S: &h.RectifiedBy},
		sqlx.Time{T: &h.VerifiedAt}, sqlx.Str{S: &h.VerifiedBy}, sqlx.Str{S: &h.Note}, &h.Version, sqlx.Time{T: &h.CreatedAt},
		sqlx.Time{T: &h.UpdatedAt})
	return h, err
}

func hazardArgs(h outreach.Hazard) []any {
	return []any{h.ID, h.UnitID, sqlx.S(h.VisitID), sqlx.S(h.AddressID), sqlx.S(h.Community), h.Place, h.Kind, string(h.Severity),
		h.Description, h.Responsible, sqlx.S(h.ResponsiblePersonID), sqlx.T(h.Deadline), string(h.Status), h.FoundBy, micro(h.FoundAt),
		sqlx.T(h.RectifyingAt), sqlx.T(h.RectifiedAt), sqlx.S(h.RectifiedBy), sqlx.T(h.VerifiedAt), sqlx.S(h.VerifiedBy), sqlx.S(h.Note),
		h.Version, sqlx.T(h.CreatedAt), sqlx.T(h.UpdatedAt)}
}

func insertHazard(ctx context.Context, tx *sql.Tx, h outreach.Hazard) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO outreach_hazards (`+hazardCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
		$11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)`, hazardArgs(h)...); err != nil {
		return err
	}
	return insertEvent(ctx, tx, "", h)
}

// insertEvent records the event a hazard's write records, if any, keyed by
// the version written, in the write's transaction.
func insertEvent(ctx context.Context, tx *sql.Tx, prev outreach.HazardStatus, h outreach.Hazard) error {
	kind, at := outreach.HazardEventOf(prev, h)
	if kind == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO outreach_hazard_events (hazard_id, version, kind, at, unit_id) VALUES ($1, $2, $3, $4, $5)`,
		h.ID, h.Version, string(kind), micro(at), h.UnitID)
	return err
}

// CreateHazard implements outreach.Store.
func (s *Store) CreateHazard(ctx context.Context, h outreach.Hazard, ch casework.Change) error {
	return s.k.Write(ctx, ch, func(tx *sql.Tx) error { return insertHazard(ctx, tx, h) })
}

// UpdateHazard implements outreach.Store.
func (s *Store) UpdateHazard(ctx context.Context, h outreach.Hazard, ch casework.Change) error {
	return s.k.Write(ctx, ch, func(tx *sql.Tx) error {
		// The status the update replaces: read at the version the update
		// swaps, so a concurrent write fails the swap below instead.
		var prev outreach.HazardStatus
		err := tx.QueryRowContext(ctx, `SELECT status FROM outreach_hazards WHERE id = $1 AND version = $2`, h.ID, h.Version-1).Scan(&prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := update(ctx, tx, "outreach_hazards", outreach.RecordHazard, h.ID, h.Version, `UPDATE outreach_hazards SET
			unit_id = $2, visit_id = $3, address_id = $4, community = $5, place = $6, kind = $7, severity = $8, description = $9,
			responsible = $10, responsible_person_id = $11, deadline = $12, status = $13, found_by = $14, found_at = $15,
			rectifying_at = $16, rectified_at = $17, rectified_by = $18, verified_at = $19, verified_by = $20, note = $21,
			version = $22, created_at = $23, updated_at = $24 WHERE id = $1 AND version = $25`, append(hazardArgs(h), h.Version-1)...); err != nil {
			return err
		}
		return insertEvent(ctx, tx, prev, h)
	})
}

// GetHazard implements outreach.Store.
func (s *Store) GetHazard(ctx context.Context, id string) (outreach.Hazard, error) {
	h, err := scanHazard(s.db.QueryRowContext(ctx, `SELECT `+hazardCols+` FROM outreach_hazards WHERE id = $1`, id))
	return h, sqlx.NotFound(err, outreach.RecordHazard, id)
}

// areas is the SQL condition "community or address id is one of these".
func areas(a *sqlx.Args, list []string) string {
	return `(community IN (` + sqlx.In(a, list) + `) OR address_id IN (` + sqlx.In(a, list) + `))`
}

// ListHazards implements outreach.Store.
func (s *Store) ListHazards(ctx context.Context, f outreach.HazardFilter, p casework.Page) ([]outreach.Hazard, error) {
	var a sqlx.Args
	q := `SELECT ` + hazardCols + ` FROM outreach_hazards WHERE 1 = 1`
	if f.UnitUnder != "" {
		q += ` AND ` + sqlx.Under("unit_id", a.Add(f.UnitUnder))
	}
	if len(f.Status) > 0 {
		q += ` AND status IN (` + sqlx.In(&a, strs(f.Status)) + `)`
	}
	if f.VisitID != "" {
		q += ` AND visit_id = ` + a.Add(f.VisitID)
	}
	if f.PersonID != "" {
		q += ` AND responsible_person_id = ` + a.Add(f.PersonID)
	}
	if f.Areas != nil {
		q += ` AND ` + areas(&a, f.Areas)
	}
	if !f.OverdueAt.IsZero() {
		// Hazard.Overdue, in SQL.
		q += ` AND status IN ('found', 'rectifying') AND deadline IS NOT NULL AND deadline <= ` + a.Add(f.OverdueAt.UnixMicro())
	}
	q = period(q, &a, "found_at", f.From, f.To)
	q, err := casesql.PageClause(q, &a, p, "found_at", "id")
	if err != nil {
		return nil, err
	}
	return sqlx.QueryAll(ctx, s.db, q, a.List, scanHazard)
}
