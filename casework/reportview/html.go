package reportview

import (
	_ "embed"
	"html/template"
	"io"
	"strconv"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
)

//go:embed page.html
var pageHTML string

// pageTemplate is the printable report: A4 pages laid out by paginate,
// CJK system fonts only, every chart inline SVG, no script and no asset
// from elsewhere, so the page prints the same offline. html/template
// escapes every name and label.
var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"pairs": func() []struct{} { return make([]struct{}, pairsPerRow) },
}).Parse(pageHTML))

type pageData struct {
	Title string
	Pages []page
}

// SummaryHTML writes a summary as a printable A4 page: a header, the
// unit's figures as a table, a bar chart per figure (a bar per child unit,
// or the unit's one bar when not asked by child) and a table per child
// unit.
func SummaryHTML(w io.Writer, s Summary) error {
	names, rows := s.rows()
	cols := columns(rows)
	title := unitName(s.Unit) + "工作报表"
	blocks := []block{headerBlock(title, periodText(s.From, s.To, s.Zone, ""))}
	total := unitName(s.Unit)
	if len(s.Children) > 0 {
		total += "（合计）"
	}
	blocks = append(blocks, tableBlock(total, cols, s.Figures))
	barNames, barRows := names, rows
	if len(s.Children) > 0 {
		barNames, barRows = names[1:], rows[1:]
	}
	blocks = append(blocks, chartsOf(cols, barNames, barRows, unitChart)...)
	for _, c := range s.Children {
		blocks = append(blocks, tableBlock(unitName(c.Unit), cols, c.Totals))
	}
	return pageTemplate.Execute(w, pageData{Title: title, Pages: paginate(blocks)})
}

// SeriesHTML writes a series as a printable A4 page: a header and a bar
// chart per figure with a bar per period.
func SeriesHTML(w io.Writer, s Series) error {
	labels := make([]string, len(s.Periods))
	rows := make([][]casework.Figure, len(s.Periods))
	for i, p := range s.Periods {
		labels[i], rows[i] = periodLabel(local(p.From, s.Zone), s.Step), p.Figures
	}
	title := unitName(s.Unit) + "工作报表" + "（" + stepZH[s.Step] + "）"
	period := "统计期间：无"
	if n := len(s.Periods); n > 0 {
		period = periodText(local(s.Periods[0].From, s.Zone), local(s.Periods[n-1].To, s.Zone), s.Zone, "，共"+strconv.Itoa(n)+"期")
	}
	blocks := []block{headerBlock(title, period)}
	blocks = append(blocks, chartsOf(columns(rows), labels, rows, seriesChart)...)
	return pageTemplate.Execute(w, pageData{Title: title, Pages: paginate(blocks)})
}

// chartsOf is a chart per column, each with a bar per row (labelled).
func chartsOf(cols []casework.Figure, labels []string, rows [][]casework.Figure, draw func(casework.Figure, []point) block) []block {
	indexed := make([]map[string]casework.Figure, len(rows))
	for i, row := range rows {
		indexed[i] = byKey(row)
	}
	out := make([]block, len(cols))
	for c, col := range cols {
		points := make([]point, len(rows))
		for i := range rows {
			f, ok := indexed[i][col.Key]
			points[i] = point{Label: labels[i], Fig: f, OK: ok}
		}
		out[c] = draw(col, points)
	}
	return out
}

// periodText is the header's line on the period: its first and last day
// and the zone that drew its boundaries.
func periodText(from, to time.Time, zone *time.Location, extra string) string {
	s := "统计期间：" + from.Format(time.DateOnly) + " 至 " + to.Format(time.DateOnly)
	if zone != nil {
		s += "（" + zone.String() + "）"
	}
	return s + extra
}

// periodLabel names a period under its bar: the day for days and weeks,
// the month, the quarter or the year.
func periodLabel(from time.Time, step casework.Step) string {
	switch step {
	case casework.StepMonth:
		return from.Format("2006-01")
	case casework.StepQuarter:
		return from.Format("2006") + "Q" + strconv.Itoa((int(from.Month())+2)/3)
	case casework.StepYear:
		return from.Format("2006")
	}
	return from.Format("01-02")
}
