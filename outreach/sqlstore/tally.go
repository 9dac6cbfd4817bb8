package sqlstore

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"context"

	"github.com/grassroots-policing/grassroots/casework"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/outreach"
)

// Tally implements outreach.Store: one aggregate query per table, each
// reading only the rows of the subtree and period. Under a report's
// snapshot (casework.SnapshotStore) they read one state of the database;
// alone, a write landing between them may show in one count and not yet in
// another.
func (s *Store) Tally(ctx context.Context, f outreach.TallyFilter) (outreach.Tally, error) {
	if f.UnitUnder != "" && !f.From.IsZero() && !f.To.IsZero() && f.CampaignID == "" {
		// A subtree over a bounded period is a grid of one cell, which
		// counts the past events of hazards a unit's closing moved in the
		// unit that held them (casesql.QueryGrid's correction).
		t, err := s.TallyGrid(ctx, casework.Grid{Paths: []string{f.UnitUnder}, Bounds: []time.Time{f.From, f.To}})
		if err != nil {
			return outreach.NewTally(), err
		}
		return t[0], nil
	}
	t := outreach.NewTally()
	db := sqlx.Reader(ctx, s.db)
	if err := tallyVisits(ctx, db, f, &t); err != nil {
		return t, sqlx.Translate(err)
	}
	if err := tallyHazards(ctx, db, f, &t); err != nil {
		return t, sqlx.Translate(err)
	}
	if f.CampaignID != "" {
		return t, nil
	}
	var a sqlx.Args
	q := `SELECT COUNT(*) FROM outreach_appointments WHERE status = ` + a.Add(string(outreach.AppointmentDone))
	q = under(q, &a, f.UnitUnder)
	q = period(q, &a, "closed_at", f.From, f.To)
	return t, sqlx.Translate(db.QueryRowContext(ctx, q, a.List...).Scan(&t.AppointmentsDone))
}

func under(q string, a *sqlx.Args, path string) string {
	if path == "" {
		return q
	}
	return q + ` AND ` + sqlx.Under("unit_id", a.Add(path))
}

func tallyVisits(ctx context.Context, tx sqlx.Querier, f outreach.TallyFilter, t *outreach.Tally) error {
	var a sqlx.Args
	q := `SELECT target_kind, COUNT(*), COUNT(DISTINCT target_key), CAST(SUM(n_appointment) AS BIGINT),
		CAST(SUM(n_door_to_door) AS BIGINT), CAST(SUM(n_errand) AS BIGINT), CAST(SUM(CASE WHEN n_aid > 0 THEN 1 ELSE 0 END) AS BIGINT),
		CAST(SUM(n_disputes) AS BIGINT), CAST(SUM(n_leads) AS BIGINT) FROM outreach_visits WHERE 1 = 1`
	q = under(q, &a, f.UnitUnder)
	q = period(q, &a, "visited_at", f.From, f.To)
	if f.CampaignID != "" {
		q += ` AND campaign_id = ` + a.Add(f.CampaignID)
	}
	rows, err := tx.QueryContext(ctx, q+` GROUP BY target_kind`, a.List...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var kind outreach.TargetKind
		var visits, targets, appt, door, errand, aid, disputes, leads int64
		if err := rows.Scan(&kind, &visits, &targets, &appt, &door, &errand, &aid, &disputes, &leads); err != nil {
			return err
		}
		t.Visits[kind] = visits
		if f.CampaignID != "" || kind.Distinct() {
			t.Targets[kind] = targets
		}
		t.Services[outreach.ServiceAppointment] += appt
		t.Services[outreach.ServiceDoorToDoor] += door
		t.Services[outreach.ServiceErrand] += errand
		t.AidVisits += aid
		t.DisputesHanded += disputes
		t.LeadsCollected += leads
	}
	return rows.Err()
}

func tallyHazards(ctx context.Context, tx sqlx.Querier, f outreach.TallyFilter, t *outreach.Tally) error {
	var a sqlx.Args
	q := `SELECT COUNT(*) FROM outreach_hazards WHERE 1 = 1`
	q = hazardsOf(period(q, &a, "found_at", f.From, f.To), &a, f)
	if err := tx.QueryRowContext(ctx, q, a.List...).Scan(&t.HazardsFound); err != nil {
		return err
	}
	// Rectifications and rejected fixes are counted from the hazards'
	// history, by when they happened: a later rejection changes no past
	// period.
	// Each event carries its hazard's unit (migration step 3), so the
	// period and subtree select on the (unit_id, at) index.
	a = sqlx.Args{}
	q = `SELECT kind, COUNT(*) FROM outreach_hazard_events WHERE 1 = 1`
	q = under(period(q, &a, "at", f.From, f.To), &a, f.UnitUnder)
	if f.CampaignID != "" {
		q += ` AND hazard_id IN (SELECT h.id FROM outreach_hazards h JOIN outreach_visits v ON v.id = h.visit_id WHERE v.campaign_id = ` +
			a.Add(f.CampaignID) + `)`
	}
	rows, err := tx.QueryContext(ctx, q+` GROUP BY kind`, a.List...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var kind outreach.HazardEvent
		var n int64
		if err := rows.Scan(&kind, &n); err != nil {
			return err
		}
		switch kind {
		case outreach.HazardEventRectified:
			t.HazardsRectified = n
		case outreach.HazardEventFixRejected:
			t.HazardFixesRejected = n
		}
	}
	return rows.Err()
}

// hazardsOf narrows a query on outreach_hazards to the filter's subtree and
// campaign.
func hazardsOf(q string, a *sqlx.Args, f outreach.TallyFilter) string {
	q = under(q, a, f.UnitUnder)
	if f.CampaignID != "" {
		q += ` AND visit_id IN (SELECT id FROM outreach_visits WHERE campaign_id = ` + a.Add(f.CampaignID) + `)`
	}
	return q
}

// AidLines implements outreach.Store: the aid column of the period's
// visits that delivered aid (n_aid > 0), decoded. Summing happens in Go,
// because the lines are JSON text and the two engines read JSON
// differently; a report reads only the period's aid-giving visits.
func (s *Store) AidLines(ctx context.Context, f outreach.TallyFilter) ([][]outreach.Aid, error) {
	var a sqlx.Args
	q := `SELECT aid FROM outreach_visits WHERE n_aid > 0`
	q = under(q, &a, f.UnitUnder)
	q = period(q, &a, "visited_at", f.From, f.To)
	if f.CampaignID != "" {
		q += ` AND campaign_id = ` + a.Add(f.CampaignID)
	}
	out, err := sqlx.QueryAll(ctx, s.db, q, a.List, func(sc sqlx.Scanner) ([]outreach.Aid, error) {
		var lines []outreach.Aid
		err := sc.Scan(sqlx.JSON{V: &lines})
		return lines, err
	})
	return out, sqlx.Translate(err)
}

// AidGrid implements outreach.Store: one grouped statement over the
// visits that delivered aid, grouped by their aid text, so that each
// distinct list is decoded once a cell however many visits wrote it.
func (s *Store) AidGrid(ctx context.Context, g casework.Grid) ([][]outreach.AidGroup, error) {
	out := make([][]outreach.AidGroup, g.Len())
	var bad error
	err := casesql.QueryGrid(ctx, s.k, g, aidBranches, func(x casesql.GridCell) {
		var lines []outreach.Aid
		if err := json.Unmarshal([]byte(x.Key), &lines); err != nil {
			bad = fmt.Errorf("outreach: the aid of a visit is not JSON: %w", err)
			return
		}
		i := g.Cell(x.R, x.C)
		out[i] = append(out[i], outreach.AidGroup{Lines: lines, Visits: x.V[0]})
	})
	if err != nil {
		return nil, err
	}
	if bad != nil {
		return nil, bad
	}
	return out, nil
}

// visitCounts and visitTargets are the visit branches of TallyGrid, kept
// as roll-up rows (casesql.GridBranch.Rollup; migration step 9 makes them
// from these definitions): visits and their services by target kind, and
// the distinct targets of the kinds counted by target.
var (
	visitCounts = casesql.GridBranch{Table: "outreach_visits", Time: "visited_at", Key: "t.target_kind", Aggs: []string{"COUNT(*)",
		"SUM(t.n_appointment)", "SUM(t.n_door_to_door)", "SUM(t.n_errand)", "SUM(CASE WHEN t.n_aid > 0 THEN 1 ELSE 0 END)",
		"SUM(t.n_disputes)", "SUM(t.n_leads)"}, Rollup: "outreach_visits"}
	visitTargets = casesql.GridBranch{Table: "outreach_visits", Time: "visited_at", Key: "t.target_kind",
		Where: "t.target_kind IN (" + distinctKinds() + ")", Distinct: "t.target_key", Rollup: "outreach_visit_targets"}
)

// distinctKinds lists the target kinds counted by distinct targets, as SQL.
func distinctKinds() string {
	var out []string
	for _, k := range outreach.TargetKinds {
		if k.Distinct() {
			out = append(out, "'"+string(k)+"'")
		}
	}
	return strings.Join(out, ", ")
}

// tallyBranches are TallyGrid's branches, in the order of its cells'
// Branch, every one kept as roll-up rows.
var tallyBranches = []casesql.GridBranch{
	visitCounts,
	{Table: "outreach_hazards", Time: "found_at", Aggs: []string{"COUNT(*)"}, Kind: outreach.RecordHazard, Rollup: "outreach_hazards"},
	{Table: "outreach_hazard_events", Time: "at", Key: "t.kind", Aggs: []string{"COUNT(*)"}, Rollup: "outreach_hazard_events"},
	{Table: "outreach_appointments", Time: "closed_at", Where: "t.status = '" + string(outreach.AppointmentDone) + "'", Aggs: []string{"COUNT(*)"},
		Rollup: "outreach_appointments_done"},
	visitTargets,
}

// aidBranches is AidGrid's branch: the aid-giving visits by their aid
// text, kept as roll-up rows per (unit, day, aid text).
var aidBranches = []casesql.GridBranch{{Table: "outreach_visits", Time: "visited_at", Where: "t.n_aid > 0", Key: "t.aid", Aggs: []string{"COUNT(*)"},
	Rollup: "outreach_aid"}}

// TallyGrid implements outreach.Store: one statement for every cell, a
// grouped branch per counted table on its (unit_id, time) index
// (casesql.QueryGrid) — visits by target kind with their distinct targets
// and services, hazards found, hazard events by kind, done appointments.
func (s *Store) TallyGrid(ctx context.Context, g casework.Grid) ([]outreach.Tally, error) {
	out := make([]outreach.Tally, g.Len())
	for i := range out {
		out[i] = outreach.NewTally()
	}
	err := casesql.QueryGrid(ctx, s.k, g, tallyBranches, func(x casesql.GridCell) {
		t := &out[g.Cell(x.R, x.C)]
		switch x.Branch {
		case 4:
			t.Targets[outreach.TargetKind(x.Key)] = x.V[0]
		case 0:
			t.Visits[outreach.TargetKind(x.Key)] = x.V[0]
			t.Services[outreach.ServiceAppointment] += x.V[1]
			t.Services[outreach.ServiceDoorToDoor] += x.V[2]
			t.Services[outreach.ServiceErrand] += x.V[3]
			t.AidVisits += x.V[4]
			t.DisputesHanded += x.V[5]
			t.LeadsCollected += x.V[6]
		case 1:
			t.HazardsFound = x.V[0]
		case 2:
			switch outreach.HazardEvent(x.Key) {
			case outreach.HazardEventRectified:
				t.HazardsRectified = x.V[0]
			case outreach.HazardEventFixRejected:
				t.HazardFixesRejected = x.V[0]
			}
		case 3:
			t.AppointmentsDone = x.V[0]
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
