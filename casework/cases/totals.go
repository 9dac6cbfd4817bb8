package cases

import (
	"context"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
)

// ClearanceRate is the clearance rate (破案率) in permille: cases solved in
// a period ÷ cases filed in the same period, rounded half up. The two
// counts are of different cases — a case filed last year may be solved this
// year — so the rate can exceed 1000‰; the article's 68.7% is 687. It is
// undefined (ok false) when nothing was filed. Every total and figure uses
// this one function.
func ClearanceRate(solved, filed int64) (permille int64, ok bool) {
	if filed <= 0 {
		return 0, false
	}
	return (solved*1000 + filed/2) / filed, true
}

// ChangePermille is the change from prev to cur in permille of prev
// (-500 is "down 50% year on year"), rounded half away from zero; undefined
// (ok false) when prev is zero.
func ChangePermille(cur, prev int64) (permille int64, ok bool) {
	if prev == 0 {
		return 0, false
	}
	d := (cur - prev) * 1000
	if d >= 0 {
		return (d + prev/2) / prev, true
	}
	return -((-d + prev/2) / prev), true
}

// Figures are the case totals of one unit subtree and period.
type Figures struct {
	Counts
	// ClearanceRatePermille is ClearanceRate(Solved, Filed);
	// ClearanceRateDefined is false when nothing was filed.
	ClearanceRatePermille int64 `json:"clearanceRatePermille"`
	ClearanceRateDefined  bool  `json:"clearanceRateDefined"`
}

func figuresOf(n Counts) Figures {
	rate, ok := ClearanceRate(n.Solved, n.Filed)
	return Figures{Counts: n, ClearanceRatePermille: rate, ClearanceRateDefined: ok}
}

// YearChange compares a period with the same period a year earlier: the
// differences of the counts and the relative change of each count in
// permille (absent when the year-earlier count is zero).
type YearChange struct {
	Delta                Counts           `json:"delta"`
	Permille             map[string]int64 `json:"permille"`
	ClearanceRatePoints  int64            `json:"clearanceRatePoints"` // permille points; valid when both rates are defined
	ClearanceRateCompare bool             `json:"clearanceRateCompare"`
}

// Totals are the totals of a unit subtree for a period and for the same
// period a year earlier.
type Totals struct {
	UnitID      string     `json:"unitId"`
	Start       time.Time  `json:"start"`
	End         time.Time  `json:"end"`
	Current     Figures    `json:"current"`
	YearEarlier Figures    `json:"yearEarlier"`
	Change      YearChange `json:"change"`
}

// Totals counts reported, filed and solved cases, the clearance rate,
// arrests and people arrested (distinct persons) and leads collected for a
// unit subtree and period (local dates in q.Zone, default the deployment
// zone), with the same period a year earlier and the change. Cases out of
// the actor's reach are not counted.
func (s *Service) Totals(ctx context.Context, actor casework.Actor, q casework.ReportQuery) (Totals, error) {
	return casework.TotalsFor(ctx, s.k, actor, q, s.totals)
}

// TotalsByUnit is Totals for the queried unit and for each unit directly
// below it, each over its own subtree (casework.ByChildUnit): two grouped
// queries for the whole table, the period and the year before.
func (s *Service) TotalsByUnit(ctx context.Context, actor casework.Actor, q casework.ReportQuery) ([]casework.UnitRow[Totals], error) {
	rows, err := casework.ByChildUnit(ctx, s.k, actor, q, s.totalsGrid)
	for i := range rows {
		rows[i].Totals.UnitID = rows[i].Unit.ID
	}
	return rows, err
}

func (s *Service) totals(ctx context.Context, p casework.Period) (Totals, error) {
	t, err := s.totalsGrid(ctx, casework.Grid{Paths: []string{p.UnitPath}, Bounds: []time.Time{p.Start, p.End}, Zone: p.Zone})
	if err != nil {
		return Totals{}, err
	}
	t[0].UnitID = p.UnitID
	return t[0], nil
}

// totalsGrid is the totals of every cell of g, each against the same
// period a year earlier: two grid queries, whatever the grid's size.
func (s *Service) totalsGrid(ctx context.Context, g casework.Grid) ([]Totals, error) {
	zone := g.Zone
	if zone == nil {
		zone = s.k.Zone()
	}
	cur, err := s.store.CountCasesGrid(ctx, g)
	if err != nil {
		return nil, err
	}
	prev, err := s.store.CountCasesGrid(ctx, g.Shift(func(t time.Time) time.Time { return YearEarlier(t, zone) }))
	if err != nil {
		return nil, err
	}
	out := make([]Totals, len(cur))
	for r := range g.Rows() {
		for c := range g.Cols() {
			i := g.Cell(r, c)
			out[i] = compare(cur[i], prev[i])
			out[i].Start, out[i].End = g.Bounds[c], g.Bounds[c+1]
		}
	}
	return out, nil
}

// compare is the totals of a period's counts against the year before.
func compare(cur, prev Counts) Totals {
	t := Totals{Current: figuresOf(cur), YearEarlier: figuresOf(prev)}
	t.Change.Delta = Counts{Reported: cur.Reported - prev.Reported, Filed: cur.Filed - prev.Filed, Solved: cur.Solved - prev.Solved,
		Closed: cur.Closed - prev.Closed, Dropped: cur.Dropped - prev.Dropped, Arrests: cur.Arrests - prev.Arrests,
		PeopleArrested: cur.PeopleArrested - prev.PeopleArrested, LeadsCollected: cur.LeadsCollected - prev.LeadsCollected,
		Reopened: cur.Reopened - prev.Reopened}
	t.Change.Permille = map[string]int64{}
	for k, v := range map[string][2]int64{"reported": {cur.Reported, prev.Reported}, "filed": {cur.Filed, prev.Filed},
		"solved": {cur.Solved, prev.Solved}, "peopleArrested": {cur.PeopleArrested, prev.PeopleArrested},
		"leadsCollected": {cur.LeadsCollected, prev.LeadsCollected}} {
		if pm, ok := ChangePermille(v[0], v[1]); ok {
			t.Change.Permille[k] = pm
		}
	}
	if t.Current.ClearanceRateDefined && t.YearEarlier.ClearanceRateDefined {
		t.Change.ClearanceRatePoints = t.Current.ClearanceRatePermille - t.YearEarlier.ClearanceRatePermille
		t.Change.ClearanceRateCompare = true
	}
	return t
}

// YearEarlier is the same local instant a year before, in zone: period
// boundaries shift by calendar year, not by 365 days (29 February becomes
// 1 March).
func YearEarlier(t time.Time, zone *time.Location) time.Time {
	return t.In(zone).AddDate(-1, 0, 0).UTC()
}

// Figure keys of the case workflow in the kernel's report.
const (
	FigureCasesReported       = "cases.reported"
	FigureCasesFiled          = "cases.filed"
	FigureCasesSolved         = "cases.solved"
	FigureCasesClearanceRate  = "cases.clearance_rate_permille"
	FigureCasesPeopleArrested = "cases.people_arrested"
	FigureCasesLeadsCollected = "cases.leads_collected"
	FigureCasesReopened       = "cases.reopened"
)

// Figures implements FigureSource: the article's case figures for the
// report's unit subtree and period. The clearance rate is left out when
// nothing was filed (it is undefined, not zero).
func (s *Service) Figures(ctx context.Context, p casework.Period) ([]casework.Figure, error) {
	n, err := s.store.CountCases(ctx, p.UnitPath, p.Start, p.End)
	if err != nil {
		return nil, err
	}
	return caseFigures(n), nil
}

// GridFigures implements FigureSource: Figures of every cell of a series
// or by-unit table from one grouped query (Store.CountCasesGrid).
func (s *Service) GridFigures(ctx context.Context, g casework.Grid) ([][]casework.Figure, error) {
	cells, err := s.store.CountCasesGrid(ctx, g)
	return casework.MapGrid(cells, err, caseFigures)
}

func caseFigures(n Counts) []casework.Figure {
	out := []casework.Figure{
		{Key: FigureCasesReported, LabelZH: "受理侵财小案", LabelEN: "Small cases reported", Value: n.Reported, Unit: "起"},
		{Key: FigureCasesFiled, LabelZH: "立案", LabelEN: "Cases filed", Value: n.Filed, Unit: "起"},
		{Key: FigureCasesSolved, LabelZH: "破案", LabelEN: "Cases solved", Value: n.Solved, Unit: "起"},
	}
	if rate, ok := ClearanceRate(n.Solved, n.Filed); ok {
		out = append(out, casework.Figure{Key: FigureCasesClearanceRate, LabelZH: "破案率", LabelEN: "Clearance rate", Value: rate, Unit: "permille"})
	}
	return append(out,
		casework.Figure{Key: FigureCasesPeopleArrested, LabelZH: "抓获违法犯罪人员", LabelEN: "People arrested", Value: n.PeopleArrested, Unit: "人"},
		casework.Figure{Key: FigureCasesLeadsCollected, LabelZH: "收集案件线索", LabelEN: "Leads collected", Value: n.LeadsCollected, Unit: "条"},
		casework.Figure{Key: FigureCasesReopened, LabelZH: "结案后重新启动的案件", LabelEN: "Cases reopened", Value: n.Reopened, Unit: "起"},
	)
}
