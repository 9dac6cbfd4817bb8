package reportview_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/reportview"
)

// figures is a report row like the kernel's: counts, a rate and money. The
// clearance rate is left out when nothing was filed, as cases does.
func figures(scale int64, filed bool) []casework.Figure {
	out := []casework.Figure{
		{Key: "outreach.visits.difficult_family", LabelZH: "走访困难家庭", Value: 137435 * scale / 100, Unit: "户次"},
		{Key: "mediation.disputes.settled", LabelZH: "化解矛盾纠纷", Value: 826 * scale / 100, Unit: "起"},
	}
	if filed {
		out = append(out, casework.Figure{Key: "cases.clearance_rate_permille", LabelZH: "破案率", Value: 687, Unit: "permille"})
	}
	return append(out,
		casework.Figure{Key: "cases.change_permille", LabelZH: "发案同比", Value: -500 + scale, Unit: "permille"},
		casework.Figure{Key: "recovery.value_returned_fen", LabelZH: "发还价值", Value: 380000 * scale, Unit: "fen"},
	)
}

func summary(children int) reportview.Summary {
	zone, _ := time.LoadLocation("Asia/Shanghai")
	s := reportview.Summary{Unit: casework.Unit{ID: "u0", Name: "淄博市公安局"}, Zone: zone,
		From: time.Date(2020, 1, 1, 0, 0, 0, 0, zone), To: time.Date(2020, 9, 30, 0, 0, 0, 0, zone), Figures: figures(100, true)}
	for i := range children {
		s.Children = append(s.Children, casework.UnitRow[[]casework.Figure]{
			Unit: casework.Unit{ID: fmt.Sprintf("u%d", i+1), Name: fmt.Sprintf("第%d派出所", i+1)}, Totals: figures(int64(i), i%2 == 0)})
	}
	return s
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	require.True(t, bytes.HasPrefix(b, []byte("\ufeff")), "UTF-8 with BOM")
	rows, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	require.NoError(t, err)
	return rows
}

func TestSummaryCSV(t *testing.T) {
	t.Parallel()
	rows := readCSV(t, reportview.SummaryCSV(summary(2)))
	require.Equal(t, [][]string{
		{"单位", "走访困难家庭（户次）", "化解矛盾纠纷（起）", "破案率（%）", "发案同比（%）", "发还价值（元）"},
		{"淄博市公安局", "137,435", "826", "68.7%", "-40.0%", "¥380,000.00"},
		{"第1派出所", "0", "0", "68.7%", "-50.0%", "¥0.00"},
		// The second station filed nothing: its rate is an empty cell, and
		// the columns after it stay aligned by key.
		{"第2派出所", "1,374", "8", "", "-49.9%", "¥3,800.00"},
	}, rows)
}

func TestSeriesCSV(t *testing.T) {
	t.Parallel()
	zone, _ := time.LoadLocation("Asia/Shanghai")
	day := func(d int) time.Time { return time.Date(2020, 5, d, 0, 0, 0, 0, zone) }
	s := reportview.Series{Unit: casework.Unit{Name: "淄博市公安局"}, Step: casework.StepDay, Zone: zone, Periods: []casework.PeriodFigures{
		{From: day(1), To: day(1), Figures: figures(1, false)},
		// The same instant in UTC is still printed as the local day.
		{From: day(2).UTC(), To: day(2).UTC(), Figures: figures(2, true)},
	}}
	rows := readCSV(t, reportview.SeriesCSV(s))
	require.Equal(t, []string{"起始日期", "截止日期", "走访困难家庭（户次）", "化解矛盾纠纷（起）", "发案同比（%）", "发还价值（元）", "破案率（%）"}, rows[0],
		"a key first seen in a later period gets a column after the others")
	require.Equal(t, []string{"2020-05-01", "2020-05-01", "1,374", "8", "-49.9%", "¥3,800.00", ""}, rows[1])
	require.Equal(t, []string{"2020-05-02", "2020-05-02", "2,748", "16", "-49.8%", "¥7,600.00", "68.7%"}, rows[2])
}

func render(t *testing.T, write func(*bytes.Buffer) error) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, write(&buf))
	return buf.String()
}

// selfContained checks what a printable page must not have: script, or
// anything fetched from elsewhere.
func selfContained(t *testing.T, page string) {
	t.Helper()
	lower := strings.ToLower(page)
	require.NotContains(t, lower, "<script")
	require.NotContains(t, lower, "javascript:")
	require.NotRegexp(t, `(src|href)\s*=\s*["']?\s*(https?:)?//`, lower)
	require.NotContains(t, lower, "http://")
	require.NotContains(t, lower, "https://")
	require.NotContains(t, lower, "@import")
	require.NotContains(t, lower, "url(")
	require.NotContains(t, lower, "@font-face", "system fonts only")
}

func TestSummaryHTML(t *testing.T) {
	t.Parallel()
	s := summary(3)
	s.Children[1].Unit.Name = `<script>alert("x")</script>`
	page := render(t, func(b *bytes.Buffer) error { return reportview.SummaryHTML(b, s) })
	selfContained(t, page)
	require.Contains(t, page, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "a unit's name is escaped")
	require.Contains(t, page, "@page { size: A4;")
	require.Regexp(t, `font-family: "Noto Sans CJK SC", [^;]*"Microsoft YaHei"[^;]*sans-serif;`, page)
	require.Contains(t, page, "break-inside: avoid")
	require.Contains(t, page, `<html lang="zh-CN">`)

	require.Equal(t, 5, strings.Count(page, "<svg "), "a chart per figure")
	require.Equal(t, 1+3, strings.Count(page, "<table>"), "the unit's table and one per child")
	for _, want := range []string{"淄博市公安局工作报表", "统计期间：2020-01-01 至 2020-09-30（Asia/Shanghai）", "淄博市公安局（合计）",
		"破案率（%）", "68.7%", "¥380,000.00", "-40.0%", "137,435", "第3派出所"} {
		require.Contains(t, page, want)
	}
	// Each chart has a bar per child unit; the station that filed nothing
	// has no bar in the rate's chart.
	charts := regexp.MustCompile(`(?s)<svg .*?</svg>`).FindAllString(page, -1)
	require.Len(t, charts, 5)
	require.Equal(t, 3, strings.Count(charts[0], `<rect class="bar`), "visits: a bar per child")
	require.Equal(t, 2, strings.Count(charts[2], `<rect class="bar`), "rate: only where defined")
	require.Contains(t, charts[2], ">—</text>")
	require.Equal(t, 3, strings.Count(charts[3], `<rect class="bar negative"`), "a fall is drawn as a negative bar")
}

func TestSummaryHTMLWithoutChildren(t *testing.T) {
	t.Parallel()
	s := summary(0)
	page := render(t, func(b *bytes.Buffer) error { return reportview.SummaryHTML(b, s) })
	require.Equal(t, 5, strings.Count(page, "<svg "))
	require.Equal(t, 5, strings.Count(page, `<rect class="bar`), "each chart has the unit's one bar")
	require.NotContains(t, page, "（合计）")
}

func TestSeriesHTML(t *testing.T) {
	t.Parallel()
	zone, _ := time.LoadLocation("Asia/Shanghai")
	var periods []casework.PeriodFigures
	for m := range 12 {
		from := time.Date(2020, time.Month(m+1), 1, 0, 0, 0, 0, zone)
		periods = append(periods, casework.PeriodFigures{From: from, To: from.AddDate(0, 1, -1), Figures: figures(int64(m), true)})
	}
	page := render(t, func(b *bytes.Buffer) error {
		return reportview.SeriesHTML(b, reportview.Series{Unit: casework.Unit{Name: "淄博市公安局"}, Step: casework.StepMonth, Zone: zone, Periods: periods})
	})
	selfContained(t, page)
	require.Contains(t, page, "淄博市公安局工作报表（按月）")
	require.Contains(t, page, "统计期间：2020-01-01 至 2020-12-31（Asia/Shanghai），共12期")
	charts := regexp.MustCompile(`(?s)<svg .*?</svg>`).FindAllString(page, -1)
	require.Len(t, charts, 5, "a chart per figure")
	require.Equal(t, 12, strings.Count(charts[0], `<rect class="bar`), "a bar per period")
	require.Regexp(t, `^<svg [^>]*>\s*<text[^>]*>[^<]*</text>\s*(<line[^>]*>\s*)*<rect class="bar" x="[0-9.]+" y="[0-9.]+" width="[0-9.]+" height="0.00"/>`, charts[0],
		"January's value is zero: its bar has no height")
	require.Contains(t, charts[0], ">2020-12</text>")
	require.Contains(t, charts[4], ">¥41,800.00</text>", "money labels in yuan")
}

func TestEmptySeriesHTML(t *testing.T) {
	t.Parallel()
	page := render(t, func(b *bytes.Buffer) error {
		return reportview.SeriesHTML(b, reportview.Series{Unit: casework.Unit{ID: "u0"}, Step: casework.StepWeek})
	})
	require.Contains(t, page, "u0工作报表（按周）", "a unit without a name is named by its id")
	require.Contains(t, page, "统计期间：无")
	require.NotContains(t, page, "<svg ")
	require.Equal(t, []byte("\ufeff起始日期,截止日期\n"), reportview.SeriesCSV(reportview.Series{}))
}

// pages is the number of pages the server laid the page out in.
func pages(t *testing.T, page string) int {
	t.Helper()
	var n int
	_, err := fmt.Sscanf(page[strings.Index(page, "data-pages=")+len("data-pages="):], `"%d"`, &n)
	require.NoError(t, err)
	require.Equal(t, n, strings.Count(page, `<section class="page">`))
	return n
}

func TestPagination(t *testing.T) {
	t.Parallel()
	small := render(t, func(b *bytes.Buffer) error { return reportview.SummaryHTML(b, summary(2)) })
	large := render(t, func(b *bytes.Buffer) error { return reportview.SummaryHTML(b, summary(60)) })
	require.Equal(t, 1, pages(t, small))
	// Sixty stations: the header and the total (41 mm) and a chart at its
	// full 136 mm on the first page, a chart on each of the next four, the
	// fifth with five station tables (22 mm each), then eleven tables a
	// page for the other 55.
	require.Equal(t, 10, pages(t, large))
	// However many units, no chart is taller than a page.
	for _, h := range regexp.MustCompile(`<svg width="[0-9.]+mm" height="([0-9.]+)mm"`).FindAllStringSubmatch(large, -1) {
		var mm float64
		_, err := fmt.Sscanf(h[1], "%g", &mm)
		require.NoError(t, err)
		require.Less(t, mm, 267.0)
	}
}
