package casework

import (
	"context"
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
// period: the article's figures in one call.
func (k *Kernel) Report(ctx context.Context, actor Actor, q ReportQuery) ([]Figure, error) {
	p, err := k.ResolvePeriod(ctx, actor, q)
	if err != nil {
		return nil, err
	}
	return k.figuresFor(ctx, p)
}

func (k *Kernel) figuresFor(ctx context.Context, p Period) ([]Figure, error) {
	k.mu.RLock()
	sources := append([]FigureSource(nil), k.figures...)
	k.mu.RUnlock()
	var out []Figure
	for _, s := range sources {
		f, err := s.Figures(ctx, p)
		if err != nil {
			return nil, err
		}
		out = append(out, f...)
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
	var out []PeriodFigures
	for start := whole.Start; start.Before(whole.End); {
		end, err := nextBoundary(start.In(zone), step)
		if err != nil {
			return nil, err
		}
		end = end.UTC()
		if end.After(whole.End) {
			end = whole.End
		}
		if len(out) == maxSeriesPeriods {
			return nil, errs.Invalid("step", "max_periods", "a series has at most %d periods; choose a longer step", maxSeriesPeriods)
		}
		p := Period{UnitPath: whole.UnitPath, Start: start, End: end}
		figures, err := k.figuresFor(ctx, p)
		if err != nil {
			return nil, err
		}
		last := end.In(zone).AddDate(0, 0, -1)
		out = append(out, PeriodFigures{From: start.In(zone), To: time.Date(last.Year(), last.Month(), last.Day(), 0, 0, 0, 0, zone), Figures: figures})
		start = end
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
// zone) and computes the totals of the period.
func TotalsFor[T any](ctx context.Context, k *Kernel, actor Actor, q ReportQuery,
	totals func(ctx context.Context, p Period) (T, error)) (T, error) {
	p, err := k.ResolvePeriod(ctx, actor, q)
	if err != nil {
		var zero T
		return zero, err
	}
	return totals(ctx, p)
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
// branch's of stations. totals computes one row for a period whose
// UnitPath is the row's unit.
func ByChildUnit[T any](ctx context.Context, k *Kernel, actor Actor, q ReportQuery,
	totals func(ctx context.Context, p Period) (T, error)) ([]UnitRow[T], error) {
	p, err := k.ResolvePeriod(ctx, actor, q)
	if err != nil {
		return nil, err
	}
	units, err := k.store.ListUnits(ctx, UnitFilter{Under: p.UnitPath})
	if err != nil {
		return nil, err
	}
	var out []UnitRow[T]
	for _, u := range units {
		if u.Path != p.UnitPath && u.Path != UnitPath(p.UnitPath, u.ID) {
			continue // deeper than a child: counted in its child's row
		}
		row := p
		row.UnitID, row.UnitPath = u.ID, u.Path
		t, err := totals(ctx, row)
		if err != nil {
			return nil, err
		}
		out = append(out, UnitRow[T]{Unit: u, Totals: t})
	}
	return out, nil
}
