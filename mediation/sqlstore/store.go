// Package sqlstore is the mediation Store for SQLite and PostgreSQL, built
// on the kernel's SQL store: the same database handle, the same
// transactions, so a dispute and its audit entry, request key, inbox mark
// and outbox messages commit together. One SQL text serves both engines.
//
// A dispute is a row of mediation_disputes: the fields that lists filter
// and totals count on are columns (times as BIGINT microseconds, UTC); the
// rest — parties, sessions, agreements, follow-ups, history — is one JSON
// column. Party document indexes and assigned staff are also rows of
// mediation_dispute_refs, rewritten with every write, so those filters use
// an index.
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/mediation"
)

// Store is the SQL mediation store. It is safe for concurrent use by any
// number of goroutines and processes sharing one database.
type Store struct {
	k     casesql.Host
	db    *sql.DB
	lists *casesql.Lister // the lists, their queries prepared once per text
}

var _ mediation.Store = (*Store)(nil)

// New builds the store on the kernel's SQL store (or any casesql.Host).
// Call Migrate, or the kernel's MigrateAll with this store, before use.
func New(k casesql.Host) *Store {
	return &Store{k: k, db: k.DB(), lists: casesql.NewLister(sqlx.NewStmts(k.DB()))}
}

// The refs kinds.
const (
	refPartyDoc = "party_doc"
	refAssigned = "assigned"
	refPerson   = "person" // Dispute.PersonIDs, for a person merge
)

const cols = `id, unit_id, state, kind, category, category_top, source, risk, reported_at, accepted_at, settled_at,
	failed_at, referred_at, closed_at, next_due, body, version, created_at, updated_at, reopened_at`

// args splits a dispute into its columns and body: what is a column is zeroed in the body,
// so each fact is stored once.
func args(d mediation.Dispute) ([]any, error) {
	b := d.Clone()
	b.ID, b.UnitID, b.State, b.Kind, b.Category, b.Source, b.Risk = "", "", "", "", "", "", ""
	b.ReportedAt, b.AcceptedAt, b.SettledAt, b.FailedAt, b.ReferredAt, b.ClosedAt, b.NextDue = time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}
	b.ReopenedAt = time.Time{}
	b.Version, b.CreatedAt, b.UpdatedAt = 0, time.Time{}, time.Time{}
	body, err := json.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("mediation: encode dispute %s: %w", d.ID, err)
	}
	return []any{d.ID, d.UnitID, string(d.State), string(d.Kind), d.Category, mediation.CategoryTop(d.Category), d.Source, string(d.Risk),
		sqlx.T(d.ReportedAt), sqlx.T(d.AcceptedAt), sqlx.T(d.SettledAt), sqlx.T(d.FailedAt), sqlx.T(d.ReferredAt),
		sqlx.T(d.ClosedAt), sqlx.T(d.NextDue), string(body), d.Version, sqlx.T(d.CreatedAt), sqlx.T(d.UpdatedAt), sqlx.T(d.ReopenedAt)}, nil
}

func scan(row interface{ Scan(...any) error }) (mediation.Dispute, error) {
	var d mediation.Dispute
	var body, top string
	var id, unit, state, kind, cat, src, risk string
	var reported, accepted, settled, failed, referred, closed, next, created, updated, reopened time.Time
	var version int64
	if err := row.Scan(&id, &unit, &state, &kind, &cat, &top, &src, &risk, sqlx.Time{T: &reported}, sqlx.Time{T: &accepted},
		sqlx.Time{T: &settled}, sqlx.Time{T: &failed}, sqlx.Time{T: &referred}, sqlx.Time{T: &closed}, sqlx.Time{T: &next},
		&body, &version, sqlx.Time{T: &created}, sqlx.Time{T: &updated}, sqlx.Time{T: &reopened}); err != nil {
		return d, err
	}
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		return d, fmt.Errorf("mediation: decode dispute %s: %w", id, err)
	}
	d.ID, d.UnitID, d.State, d.Kind, d.Category, d.Source, d.Risk = id, unit, mediation.State(state), mediation.Kind(kind), cat, src, mediation.Risk(risk)
	d.ReportedAt, d.AcceptedAt, d.SettledAt, d.FailedAt, d.ReferredAt, d.ClosedAt, d.NextDue = reported, accepted, settled, failed, referred, closed, next
	d.ReopenedAt = reopened
	d.Version, d.CreatedAt, d.UpdatedAt = version, created, updated
	return d, nil
}

// writeRefs rewrites the index rows of a dispute.
func writeRefs(ctx context.Context, tx *sql.Tx, d mediation.Dispute, replace bool) error {
	if replace {
		if _, err := tx.ExecContext(ctx, `DELETE FROM mediation_dispute_refs WHERE dispute_id = $1`, d.ID); err != nil {
			return err
		}
	}
	ins := func(ref string, vals []string) error {
		for _, v := range slices.Compact(slices.Sorted(slices.Values(vals))) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_dispute_refs (dispute_id, ref, value) VALUES ($1, $2, $3)`, d.ID, ref, v); err != nil {
				return err
			}
		}
		return nil
	}
	if err := ins(refPartyDoc, d.PartyDocIndex); err != nil {
		return err
	}
	if err := ins(refPerson, d.PersonIDs()); err != nil {
		return err
	}
	return ins(refAssigned, d.Assigned)
}

// CreateDispute implements mediation.Store.
func (s *Store) CreateDispute(ctx context.Context, d mediation.Dispute, ch casework.Change) error {
	a, err := args(d)
	if err != nil {
		return err
	}
	return s.k.Write(ctx, ch, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_disputes (`+cols+`) VALUES
			($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`, a...); err != nil {
			return err
		}
		return writeRefs(ctx, tx, d, false)
	})
}

// UpdateDispute implements mediation.Store: compare-and-swap on version.
// The creation time, which orders lists, never changes.
func (s *Store) UpdateDispute(ctx context.Context, d mediation.Dispute, ch casework.Change) error {
	a, err := args(d)
	if err != nil {
		return err
	}
	return s.k.Write(ctx, ch, func(tx *sql.Tx) error {
		// a[17] is created_at, which never changes: leave it out.
		upd := append(append(a[:17:17], a[18], a[19]), d.Version-1)
		res, err := tx.ExecContext(ctx, `UPDATE mediation_disputes SET unit_id = $2, state = $3, kind = $4, category = $5,
			category_top = $6, source = $7, risk = $8, reported_at = $9, accepted_at = $10, settled_at = $11, failed_at = $12,
			referred_at = $13, closed_at = $14, next_due = $15, body = $16, version = $17, updated_at = $18, reopened_at = $19
			WHERE id = $1 AND version = $20`, upd...)
		if err != nil {
			return err
		}
		if err := sqlx.CheckCAS(ctx, tx, res, "mediation_disputes", mediation.RecordType, d.ID, d.Version-1); err != nil {
			return err
		}
		return writeRefs(ctx, tx, d, true)
	})
}

// GetDispute implements mediation.Store.
func (s *Store) GetDispute(ctx context.Context, id string) (mediation.Dispute, error) {
	d, err := scan(s.db.QueryRowContext(ctx, `SELECT `+cols+` FROM mediation_disputes WHERE id = $1`, id))
	return d, sqlx.NotFound(err, mediation.RecordType, id)
}

// where appends the filter's conditions to a query whose WHERE clause is
// open.
func where(q string, a *sqlx.Args, f mediation.Filter) string {
	if f.UnitUnder != "" {
		q += ` AND ` + sqlx.Under("unit_id", a.Add(f.UnitUnder))
	}
	if len(f.States) > 0 {
		states := make([]string, len(f.States))
		for i, st := range f.States {
			states[i] = string(st)
		}
		q += ` AND state IN (` + sqlx.In(a, states) + `)`
	}
	if f.Category != "" {
		ph := a.Add(f.Category)
		q += ` AND (category = ` + ph + ` OR category_top = ` + ph + `)`
	}
	if f.Risk != "" {
		q += ` AND risk = ` + a.Add(string(f.Risk))
	}
	if f.Kind != "" {
		q += ` AND kind = ` + a.Add(string(f.Kind))
	}
	if f.Source != "" {
		q += ` AND source = ` + a.Add(f.Source)
	}
	if f.PartyDocIndex != "" {
		q += ` AND id IN (SELECT dispute_id FROM mediation_dispute_refs WHERE ref = ` + a.Add(refPartyDoc) + ` AND value = ` + a.Add(f.PartyDocIndex) + `)`
	}
	if f.AssignedTo != "" {
		q += ` AND id IN (SELECT dispute_id FROM mediation_dispute_refs WHERE ref = ` + a.Add(refAssigned) + ` AND value = ` + a.Add(f.AssignedTo) + `)`
	}
	if f.PersonID != "" {
		q += ` AND id IN (SELECT dispute_id FROM mediation_dispute_refs WHERE ref = ` + a.Add(refPerson) + ` AND value = ` + a.Add(f.PersonID) + `)`
	}
	if !f.ReportedFrom.IsZero() {
		q += ` AND reported_at >= ` + a.Add(f.ReportedFrom.UnixMicro())
	}
	if !f.ReportedTo.IsZero() {
		q += ` AND reported_at < ` + a.Add(f.ReportedTo.UnixMicro())
	}
	if !f.DueBy.IsZero() {
		q += ` AND next_due IS NOT NULL AND next_due <= ` + a.Add(f.DueBy.UnixMicro())
	}
	return q
}

// ListDisputes implements mediation.Store.
func (s *Store) ListDisputes(ctx context.Context, f mediation.Filter, p casework.Page) ([]mediation.Dispute, error) {
	var a sqlx.Args
	under := f.UnitUnder
	f.UnitUnder = "" // ListUnder filters the subtree, walking mediation_disputes_unit
	return casesql.ListUnder(ctx, s.lists, under, &a, p, casesql.UnitPage{Table: "mediation_disputes", Cols: cols,
		UnitCol: "unit_id", AtCol: "created_at", IDCol: "id", Where: where("", &a, f)}, scan)
}

// events are the counted event columns, each with its (unit_id, time)
// index (migration steps 2 and 3), in the order of row.counts.
var events = []string{"reported_at", "accepted_at", "settled_at", "failed_at", "referred_at", "reopened_at"}

// totalsBranches are TotalsGrid's branches, one per event in the order of
// events, each kept as roll-up rows (migration step 5).
var totalsBranches = func() []casesql.GridBranch {
	out := make([]casesql.GridBranch, len(events))
	for i, e := range events {
		out[i] = casesql.GridBranch{Table: "mediation_disputes", Time: e, Aggs: []string{"COUNT(*)"}, Kind: mediation.RecordType,
			Rollup: "mediation_" + strings.TrimSuffix(e, "_at")}
	}
	return out
}()

// row gives a totals row its counts in the order of events.
type row mediation.TotalsRow

func (r *row) counts() []*int64 {
	return []*int64{&r.Found, &r.Accepted, &r.Settled, &r.Failed, &r.Referred, &r.Reopened}
}

// groupCol is the column of a grouping; ByNone has none.
var groupCol = map[mediation.GroupBy]string{
	mediation.ByCategory:    "category",
	mediation.ByCategoryTop: "category_top",
	mediation.ByState:       "state",
	mediation.ByUnit:        "unit_id",
}

// Totals implements mediation.Store: one query, a UNION ALL with one
// grouped branch per counted event, each with the period in WHERE on the
// event's (unit_id, time) index (migration step 2), so a year's totals
// read that year's rows of the subtree and not its whole history.
//
// A subtree's totals over a bounded period are a grid of one cell
// (totalsCell), so that the past events of disputes a unit's closing moved
// count in the unit that held them (casesql.QueryGrid's correction), in a
// breakdown by unit too (casesql.UnitKey).
func (s *Store) Totals(ctx context.Context, q mediation.TotalsQuery) ([]mediation.TotalsRow, error) {
	col, ok := groupCol[q.By]
	if !ok && q.By != mediation.ByNone {
		return nil, fmt.Errorf("mediation: unknown grouping %q", q.By)
	}
	if q.UnitUnder != "" && !q.Start.IsZero() && !q.End.IsZero() {
		return s.totalsCell(ctx, q, col)
	}
	key, group := `''`, ""
	if col != "" {
		key, group = col, ` GROUP BY `+col
	}
	var a sqlx.Args
	start, end := a.Add(q.Start.UnixMicro()), a.Add(q.End.UnixMicro())
	under := ""
	if q.UnitUnder != "" {
		under = ` AND ` + sqlx.Under("unit_id", a.Add(q.UnitUnder))
	}
	sel := make([]string, len(events))
	for i, e := range events {
		sel[i] = fmt.Sprintf(`SELECT %s, %d, COUNT(*) FROM mediation_disputes WHERE %s >= %s AND %s < %s%s%s`,
			key, i, e, start, e, end, under, group)
	}
	rows, err := sqlx.Reader(ctx, s.db).QueryContext(ctx, strings.Join(sel, " UNION ALL "), a.List...)
	if err != nil {
		return nil, sqlx.Translate(err)
	}
	defer rows.Close()
	byKey := map[string]*mediation.TotalsRow{}
	if q.By == mediation.ByNone {
		byKey[""] = &mediation.TotalsRow{} // ByNone always has its one row
	}
	for rows.Next() {
		var k string
		var event int
		var n int64
		if err := rows.Scan(&k, &event, &n); err != nil {
			return nil, sqlx.Translate(err)
		}
		r := byKey[k]
		if r == nil {
			r = &mediation.TotalsRow{Key: k}
			byKey[k] = r
		}
		*(*row)(r).counts()[event] = n
	}
	if err := rows.Err(); err != nil {
		return nil, sqlx.Translate(err)
	}
	out := make([]mediation.TotalsRow, 0, len(byKey))
	for _, r := range byKey {
		out = append(out, *r)
	}
	// Sorted here rather than by ORDER BY: the database's collation may not
	// order codes byte-wise, and every store must return the same order.
	slices.SortFunc(out, func(a, b mediation.TotalsRow) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// totalsCell is Totals of one subtree and bounded period as a grid of one
// cell, grouped by col (a column of the dispute, or "" for one row).
func (s *Store) totalsCell(ctx context.Context, q mediation.TotalsQuery, col string) ([]mediation.TotalsRow, error) {
	key := ""
	if col != "" {
		key = "t." + col
	}
	var branches []casesql.GridBranch
	for _, e := range events {
		branches = append(branches, casesql.GridBranch{Table: "mediation_disputes", Time: e, Key: key, Aggs: []string{"COUNT(*)"}, Kind: mediation.RecordType})
	}
	byKey := map[string]*mediation.TotalsRow{}
	if q.By == mediation.ByNone {
		byKey[""] = &mediation.TotalsRow{} // ByNone always has its one row
	}
	g := casework.Grid{Paths: []string{q.UnitUnder}, Bounds: []time.Time{q.Start, q.End}}
	err := casesql.QueryGrid(ctx, s.k, g, branches, func(x casesql.GridCell) {
		k := x.Key
		if q.By == mediation.ByNone {
			k = ""
		}
		r := byKey[k]
		if r == nil {
			r = &mediation.TotalsRow{Key: k}
			byKey[k] = r
		}
		*(*row)(r).counts()[x.Branch] += x.V[0]
	})
	if err != nil {
		return nil, err
	}
	out := make([]mediation.TotalsRow, 0, len(byKey))
	for _, r := range byKey {
		if q.By == mediation.ByNone || r.Found+r.Accepted+r.Settled+r.Failed+r.Referred+r.Reopened != 0 {
			out = append(out, *r)
		}
	}
	slices.SortFunc(out, func(a, b mediation.TotalsRow) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// TotalsGrid implements mediation.Store: one statement for every cell, a
// grouped branch per counted event on its (unit_id, time) index
// (casesql.QueryGrid).
func (s *Store) TotalsGrid(ctx context.Context, g casework.Grid) ([]mediation.TotalsRow, error) {
	out := make([]mediation.TotalsRow, g.Len())
	err := casesql.QueryGrid(ctx, s.k, g, totalsBranches, func(x casesql.GridCell) {
		r := &out[g.Cell(x.R, x.C)]
		*(*row)(r).counts()[x.Branch] = x.V[0]
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
