package casework

import (
	"context"
	"fmt"
	"time"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// ReportQuery asks for figures of a unit subtree over a period. Period
// boundaries are local dates in Zone (default: the deployment zone):
// From is the first day, To the last day, both included.
type ReportQuery struct {
	UnitID string         `json:"unitId"`
	From   time.Time      `json:"from"`
	To     time.Time      `json:"to"`
	Zone   *time.Location `json:"-"`
}

// Period is a report period resolved to instants: [Start, End).
type Period struct {
	UnitID   string // the unit whose subtree is counted
	UnitPath string
	Start    time.Time
	End      time.Time
	Zone     *time.Location // the zone the boundaries were drawn in
}

// Contains reports whether t lies in the period.
func (p Period) Contains(t time.Time) bool {
	return !t.IsZero() && !t.Before(p.Start) && t.Before(p.End)
}

// Figure is one number of a report.
type Figure struct {
	Key     string `json:"key"` // e.g. "outreach.visits.difficult_family"
	LabelZH string `json:"labelZh"`
	LabelEN string `json:"labelEn"`
	Value   int64  `json:"value"`
	Unit    string `json:"unit"` // 户次, 起, 处, fen, permille …
}

// FigureSource is how a workflow contributes its figures to the one report,
// so an embedder with only some workflows still gets a report.
type FigureSource interface {
	Figures(ctx context.Context, p Period) ([]Figure, error)
	// GridFigures is Figures for every cell of a grid at once: the figures
	// of row r and column c at g.Cell(r, c), each exactly what Figures
	// answers for that subtree and period. A source over SQL answers it in
	// one grouped query per counted table; GridPeriods answers it period by
	// period for a source that has no such query.
	GridFigures(ctx context.Context, g Grid) ([][]Figure, error)
}

// ResolvePeriod checks a report query against the actor's reach and turns
// its dates into instants in the query's zone.
//
// Reach comes first: a unit out of the actor's reach, or any unit for an
// actor who is no active staff member, answers ErrNotFound like a unit that
// does not exist, before the policy is asked.
func (k *Kernel) ResolvePeriod(ctx context.Context, actor Actor, q ReportQuery) (Period, error) {
	if err := k.checkUnit(ctx, actor, ActionRunReport, q.UnitID); err != nil {
		return Period{}, err
	}
	path, err := k.Scope(ctx, actor, q.UnitID)
	if err != nil {
		return Period{}, err
	}
	zone := q.Zone
	if zone == nil {
		zone = k.zone
	}
	if q.From.IsZero() || q.To.IsZero() || q.To.Before(q.From) {
		return Period{}, errs.Invalid("to", "period", "from and to are required and to may not be before from")
	}
	start := time.Date(q.From.Year(), q.From.Month(), q.From.Day(), 0, 0, 0, 0, zone)
	end := time.Date(q.To.Year(), q.To.Month(), q.To.Day()+1, 0, 0, 0, 0, zone)
	unit := q.UnitID
	if unit == "" {
		unit = actor.UnitID
	}
	return Period{UnitID: unit, UnitPath: path, Start: start.UTC(), End: end.UTC(), Zone: zone}, nil
}

// Report gathers every registered workflow's figures for a unit subtree and
// period: the article's figures in one call, read in one snapshot.
func (k *Kernel) Report(ctx context.Context, actor Actor, q ReportQuery) ([]Figure, error) {
	p, err := k.ResolvePeriod(ctx, actor, q)
	if err != nil {
		return nil, err
	}
	cells, err := k.gridFigures(ctx, Grid{Paths: []string{p.UnitPath}, Bounds: []time.Time{p.Start, p.End}, Zone: p.Zone})
	if err != nil {
		return nil, err
	}
	return cells[0], nil
}

// ReportByChild is Report for q's unit and for each unit directly below it,
// each over its own subtree, in the order of casework.ByChildUnit: one
// grouped query per source and counted table, not one per row.
func (k *Kernel) ReportByChild(ctx context.Context, actor Actor, q ReportQuery) ([]UnitRow[[]Figure], error) {
	return ByChildUnit(ctx, k, actor, q, k.gridFigures)
}

// gridFigures asks every registered source for a grid's figures, all in
// one consistent snapshot of the store (Snapshot), so that figures of
// different workflows never straddle a concurrent write.
func (k *Kernel) gridFigures(ctx context.Context, g Grid) ([][]Figure, error) {
	if err := g.Check(); err != nil {
		return nil, err
	}
	k.mu.RLock()
	sources := append([]FigureSource(nil), k.figures...)
	k.mu.RUnlock()
	out := make([][]Figure, g.Len())
	err := k.store.Snapshot(ctx, func(ctx context.Context) error {
		for _, s := range sources {
			cells, err := s.GridFigures(ctx, g)
			if err != nil {
				return err
			}
			if len(cells) != len(out) {
				return fmt.Errorf("casework: a figure source answered %d cells of a %d-cell grid", len(cells), len(out))
			}
			for i, f := range cells {
				out[i] = append(out[i], f...)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EndOfDayN is the end of a "within N days" window: the day of effect is not
// counted, and the window ends at 24:00 local time on day N.
func EndOfDayN(effective time.Time, days int, zone *time.Location) time.Time {
	l := effective.In(zone)
	return time.Date(l.Year(), l.Month(), l.Day()+days+1, 0, 0, 0, 0, zone).UTC()
}

// Step is the length of each period of a report series.
type Step string

// Steps.
const (
	StepDay     Step = "day"
	StepWeek    Step = "week" // weeks start on Monday
	StepMonth   Step = "month"
	StepQuarter Step = "quarter"
	StepYear    Step = "year"
)

// PeriodFigures is one period of a series: its first and last local day and
// its figures.
type PeriodFigures struct {
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	Figures []Figure  `json:"figures"`
}

// maxSeriesPeriods bounds a series, so one request cannot ask for a
// century of days.
const maxSeriesPeriods = 400

// ReportSeries is Report for each period of a series (by month, by
// quarter …) between q.From and q.To, in the query's zone: the figures "by
// period" every workflow gives. The first and last periods are cut to the
// query's dates.
func (k *Kernel) ReportSeries(ctx context.Context, actor Actor, q ReportQuery, step Step) ([]PeriodFigures, error) {
	whole, err := k.ResolvePeriod(ctx, actor, q)
	if err != nil {
		return nil, err
	}
	zone := q.Zone
	if zone == nil {
		zone = k.zone
	}
	bounds := []time.Time{whole.Start}
	for start := whole.Start; start.Before(whole.End); {
		end, err := nextBoundary(start.In(zone), step)
		if err != nil {
			return nil, err
		}
		end = end.UTC()
		if end.After(whole.End) {
			end = whole.End
		}
		if len(bounds) > maxSeriesPeriods {
			return nil, errs.Invalid("step", "max_periods", "a series has at most %d periods; choose a longer step", maxSeriesPeriods)
		}
		bounds = append(bounds, end)
		start = end
	}
	cells, err := k.gridFigures(ctx, Grid{Paths: []string{whole.UnitPath}, Bounds: bounds, Zone: zone})
	if err != nil {
		return nil, err
	}
	out := make([]PeriodFigures, len(cells))
	for i, figures := range cells {
		last := bounds[i+1].In(zone).AddDate(0, 0, -1)
		out[i] = PeriodFigures{From: bounds[i].In(zone), To: time.Date(last.Year(), last.Month(), last.Day(), 0, 0, 0, 0, zone), Figures: figures}
	}
	return out, nil
}

// nextBoundary is the local midnight that starts the period after the one
// holding t.
func nextBoundary(t time.Time, step Step) (time.Time, error) {
	y, m, d := t.Date()
	switch step {
	case StepDay:
		return time.Date(y, m, d+1, 0, 0, 0, 0, t.Location()), nil
	case StepWeek:
		offset := (int(t.Weekday()) + 6) % 7 // days since Monday
		return time.Date(y, m, d-offset+7, 0, 0, 0, 0, t.Location()), nil
	case StepMonth:
		return time.Date(y, m+1, 1, 0, 0, 0, 0, t.Location()), nil
	case StepQuarter:
		return time.Date(y, m-(m-1)%3+3, 1, 0, 0, 0, 0, t.Location()), nil
	case StepYear:
		return time.Date(y+1, 1, 1, 0, 0, 0, 0, t.Location()), nil
	}
	return time.Time{}, errs.Invalid("step", "oneof", "must be day, week, month, quarter or year")
}

// TotalsFor is the one form of every workflow's Totals: it resolves q for
// actor (reach first, then the report permission, then the period in q's
// zone) and computes the totals of the period in one snapshot of the store.
func TotalsFor[T any](ctx context.Context, k *Kernel, actor Actor, q ReportQuery,
	totals func(ctx context.Context, p Period) (T, error)) (T, error) {
	var out T
	p, err := k.ResolvePeriod(ctx, actor, q)
	if err != nil {
		return out, err
	}
	err = k.store.Snapshot(ctx, func(ctx context.Context) error {
		out, err = totals(ctx, p)
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

// UnitRow is one row of a by-unit table: a unit and the totals of its
// subtree.
type UnitRow[T any] struct {
	Unit   Unit `json:"unit"`
	Totals T    `json:"totals"`
}

// ByChildUnit is the one by-unit form of every workflow's totals (each
// workflow's TotalsByUnit): the first row is q's unit over its whole
// subtree, then one row for each unit directly below it, over that unit's
// subtree, in the order of the unit tree — a bureau's table of branches, a
// branch's of stations. grid computes every row at once: it gets one grid
// row per unit (Paths in that order) and one column, the period, and runs
// in one snapshot of the store with the unit list.
func ByChildUnit[T any](ctx context.Context, k *Kernel, actor Actor, q ReportQuery,
	grid func(ctx context.Context, g Grid) ([]T, error)) ([]UnitRow[T], error) {
	p, err := k.ResolvePeriod(ctx, actor, q)
	if err != nil {
		return nil, err
	}
	var out []UnitRow[T]
	err = k.store.Snapshot(ctx, func(ctx context.Context) error {
		units, err := k.store.ListUnits(ctx, UnitFilter{Under: p.UnitPath})
		if err != nil {
			return err
		}
		units = childUnits(units, p.UnitPath)
		g := Grid{Paths: make([]string, len(units)), Bounds: []time.Time{p.Start, p.End}, Zone: p.Zone}
		for i, u := range units {
			g.Paths[i] = u.Path
		}
		if len(units) == 0 {
			return nil
		}
		cells, err := grid(ctx, g)
		if err != nil {
			return err
		}
		if len(cells) != len(units) {
			return fmt.Errorf("casework: a by-unit table answered %d rows for %d units", len(cells), len(units))
		}
		for i, u := range units {
			out = append(out, UnitRow[T]{Unit: u, Totals: cells[i]})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
