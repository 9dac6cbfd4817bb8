package reportview

import (
	"time"

	"github.com/grassroots-policing/grassroots/casework"
)

// Summary is one report as the kernel gives it: the figures of a unit's
// subtree over a period and, when asked by child unit, one row per unit
// directly below it (casework.ByChildUnit without its first row).
type Summary struct {
	Unit     casework.Unit
	From     time.Time      // the period's first local day
	To       time.Time      // its last local day, included
	Zone     *time.Location // where the period's boundaries were drawn; nil: not shown
	Figures  []casework.Figure
	Children []casework.UnitRow[[]casework.Figure]
}

// Series is a report period by period (casework.Kernel.ReportSeries).
type Series struct {
	Unit    casework.Unit
	Step    casework.Step
	Zone    *time.Location // the periods' zone; nil: their own
	Periods []casework.PeriodFigures
}

// unitName is how a unit is named in a table: its name, or its id when it
// has none.
func unitName(u casework.Unit) string {
	if u.Name != "" {
		return u.Name
	}
	return u.ID
}

// columns is every figure key that occurs in rows, in order of first
// appearance, each represented by the first figure that carries it. Rows
// do not all have the same keys — the clearance rate is left out where
// nothing was filed — so tables align cells by key, never by position.
func columns(rows [][]casework.Figure) []casework.Figure {
	seen := map[string]bool{}
	var out []casework.Figure
	for _, row := range rows {
		for _, f := range row {
			if !seen[f.Key] {
				seen[f.Key] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// byKey indexes one row's figures by key.
func byKey(row []casework.Figure) map[string]casework.Figure {
	m := make(map[string]casework.Figure, len(row))
	for _, f := range row {
		m[f.Key] = f
	}
	return m
}

// summaryRows is the summary's rows (the unit, then each child) with their
// names.
func (s Summary) rows() (names []string, rows [][]casework.Figure) {
	names, rows = []string{unitName(s.Unit)}, [][]casework.Figure{s.Figures}
	for _, c := range s.Children {
		names, rows = append(names, unitName(c.Unit)), append(rows, c.Totals)
	}
	return names, rows
}

// local is t in zone, or t as it is when zone is nil.
func local(t time.Time, zone *time.Location) time.Time {
	if zone == nil {
		return t
	}
	return t.In(zone)
}

// stepZH names a series' step in Chinese ("按月").
var stepZH = map[casework.Step]string{
	casework.StepDay: "按日", casework.StepWeek: "按周", casework.StepMonth: "按月",
	casework.StepQuarter: "按季度", casework.StepYear: "按年",
}
