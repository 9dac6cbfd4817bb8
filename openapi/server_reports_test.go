package openapi_test

import (
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/openapi/api"
)

func date(s string) openapi_types.Date {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return openapi_types.Date{Time: t}
}

// reportFixture has one dispute reported today at the east station, and a
// supervisor of the root who may run reports.
func reportFixture(t *testing.T, opts ...fixtureOption) (*fixture, casework.Actor, casework.Unit, string, string) {
	t.Helper()
	f := newFixture(t, opts...)
	east := f.station(t, "EAST")
	f.station(t, "WEST")
	officer := f.staff(t, east.ID, casework.RoleOfficer)
	_, err := f.med.Report(context.Background(), officer, mediation.ReportInput{UnitID: east.ID, Category: "neighbour/noise", Source: mediation.SourceWalkIn, Facts: "楼上楼下因噪音互扔垃圾"})
	require.NoError(t, err)
	today := time.Now().In(casework.DefaultZone())
	from := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	to := time.Date(today.Year(), today.Month(), today.Day()+1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	return f, f.staff(t, f.root.ID, casework.RoleSupervisor), east, from, to
}

func figure(figs []api.Figure, key string) (api.Figure, bool) {
	for _, f := range figs {
		if f.Key == key {
			return f, true
		}
	}
	return api.Figure{}, false
}

func TestReportSummaryOverHTTP(t *testing.T) { eachBackend(t, testReportSummaryOverHTTP) }

func testReportSummaryOverHTTP(t *testing.T, b fixtureOption) {
	f, sup, east, from, to := reportFixture(t, b)
	ctx := context.Background()
	c := f.client(t, sup)

	params := &api.GetReportSummaryParams{From: date(from), To: date(to), By: ptr(api.GetReportSummaryParamsByChild)}
	sum, err := c.GetReportSummaryWithResponse(ctx, params)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, sum.StatusCode(), string(sum.Body))
	require.Equal(t, "application/json", sum.HTTPResponse.Header.Get("Content-Type"))
	want, err := f.k.Report(ctx, sup, casework.ReportQuery{From: date(from).Time, To: date(to).AddDate(0, 0, -1)})
	require.NoError(t, err)
	require.Len(t, sum.JSON200.Figures, len(want))
	for i, w := range want {
		require.Equal(t, w.Key, sum.JSON200.Figures[i].Key)
		require.Equal(t, w.Value, sum.JSON200.Figures[i].Value, w.Key)
	}
	found, ok := figure(sum.JSON200.Figures, "mediation.disputes.found")
	require.True(t, ok, "figure keys: %v", sum.JSON200.Figures)
	require.Equal(t, int64(1), found.Value)
	require.Len(t, sum.JSON200.Children, 2)
	byChild := map[string]int64{}
	for _, c := range sum.JSON200.Children {
		n, _ := figure(c.Figures, "mediation.disputes.found")
		byChild[c.UnitName] = n.Value
	}
	require.Equal(t, map[string]int64{east.Name: 1, "WEST派出所": 0}, byChild)

	// The same summary as CSV: a BOM, Chinese labels with units, one row per unit.
	asCSV, err := c.GetReportSummaryWithResponse(ctx, params, func(_ context.Context, r *http.Request) error {
		r.Header.Set("Accept", "text/csv, application/json;q=0.5")
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, asCSV.StatusCode(), string(asCSV.Body))
	require.True(t, strings.HasPrefix(asCSV.HTTPResponse.Header.Get("Content-Type"), "text/csv"))
	body := string(asCSV.Body)
	require.True(t, strings.HasPrefix(body, "\ufeff"), "UTF-8 with BOM")
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 4, "header, the root, two stations")
	require.Equal(t, "单位", rows[0][0])
	col := -1
	for i, h := range rows[0] {
		if found.Unit != "" && h == found.LabelZh+"（"+found.Unit+"）" {
			col = i
		}
	}
	require.Positive(t, col, "a column titled with the Chinese label and unit: %v", rows[0])
	require.Equal(t, []string{"市公安局", "1"}, []string{rows[1][0], rows[1][col]})
	require.ElementsMatch(t, [][]string{{east.Name, "1"}, {"WEST派出所", "0"}}, [][]string{{rows[2][0], rows[2][col]}, {rows[3][0], rows[3][col]}})
	// A permille is printed as a percentage: one dispute found, none settled.
	rate, ok := figure(sum.JSON200.Figures, "mediation.settlement_rate")
	require.True(t, ok)
	require.Equal(t, "permille", rate.Unit, "JSON keeps the integer and its unit")
	rateCol := slices.Index(rows[0], rate.LabelZh+"（%）")
	require.Positive(t, rateCol, "the rate's column is titled in percent: %v", rows[0])
	require.Equal(t, "0.0%", rows[1][rateCol])

	jsonWins, err := c.GetReportSummaryWithResponse(ctx, params, func(_ context.Context, r *http.Request) error {
		r.Header.Set("Accept", "*/*")
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, "application/json", jsonWins.HTTPResponse.Header.Get("Content-Type"), "JSON is the default")
}

func TestReportSeriesOverHTTP(t *testing.T) { eachBackend(t, testReportSeriesOverHTTP) }

func testReportSeriesOverHTTP(t *testing.T, b fixtureOption) {
	f, sup, _, from, to := reportFixture(t, b)
	ctx := context.Background()
	c := f.client(t, sup)
	params := &api.GetReportSeriesParams{From: date(from), To: date(to), Interval: api.GetReportSeriesParamsIntervalDay}

	series, err := c.GetReportSeriesWithResponse(ctx, params)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, series.StatusCode(), string(series.Body))
	days := int(date(to).Sub(date(from).Time).Hours() / 24)
	require.Len(t, series.JSON200.Periods, days, "one period per day, to exclusive")
	require.Equal(t, sup.UnitID, series.JSON200.UnitId)
	last := series.JSON200.Periods[days-1]
	found, _ := figure(last.Figures, "mediation.disputes.found")
	require.Equal(t, int64(1), found.Value, "today's dispute is in the last day")

	asCSV, err := c.GetReportSeriesWithResponse(ctx, params, func(_ context.Context, r *http.Request) error {
		r.Header.Set("Accept", "text/csv")
		return nil
	})
	require.NoError(t, err)
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(asCSV.Body), "\ufeff"))).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, days+1)
	require.Equal(t, []string{"起始日期", "截止日期"}, rows[0][:2])
	require.Equal(t, []string{from, from}, rows[1][:2], "a day's period starts and ends on that day")
}

// The printable page: what the Accept header chooses, and that the page
// has a chart per figure, a table per unit and nothing from elsewhere.
func TestReportHTMLOverHTTP(t *testing.T) {
	t.Parallel()
	f, sup, east, from, to := reportFixture(t)
	ctx := context.Background()
	figures, err := f.k.Report(ctx, sup, casework.ReportQuery{From: date(from).Time, To: date(to).AddDate(0, 0, -1)})
	require.NoError(t, err)
	get := func(t *testing.T, path, accept string) (string, string) {
		resp := f.do(t, sup, "GET", path, "", "Accept", accept)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		return resp.Header.Get("Content-Type"), string(body)
	}
	summary := "/v1/reports/summary?by=child&from=" + from + "&to=" + to
	series := "/v1/reports/series?interval=week&from=" + from + "&to=" + to

	t.Run("summary", func(t *testing.T) {
		t.Parallel()
		ct, page := get(t, summary, "text/html")
		require.Equal(t, "text/html", ct)
		require.True(t, strings.HasPrefix(page, "<!DOCTYPE html>"))
		require.NotContains(t, page, "<script")
		require.NotRegexp(t, `https?://`, page)
		require.Equal(t, len(figures), strings.Count(page, "<svg "), "a chart per figure")
		require.Equal(t, 3, strings.Count(page, "<table>"), "the root's table and one per station")
		require.Contains(t, page, "市公安局工作报表")
		require.Contains(t, page, "<h2>"+east.Name+"</h2>")
		require.Contains(t, page, "<h2>WEST派出所</h2>")
		require.Contains(t, page, "化解率（%）")
	})
	t.Run("series", func(t *testing.T) {
		t.Parallel()
		ct, page := get(t, series, "text/html")
		require.Equal(t, "text/html", ct)
		require.Contains(t, page, "市公安局工作报表（按周）")
		charts := regexp.MustCompile(`(?s)<svg .*?</svg>`).FindAllString(page, -1)
		require.Len(t, charts, len(figures), "a chart per figure")
		weeks, err := f.k.ReportSeries(ctx, sup, casework.ReportQuery{From: date(from).Time, To: date(to).AddDate(0, 0, -1)}, casework.StepWeek)
		require.NoError(t, err)
		require.Equal(t, len(weeks), strings.Count(charts[0], `<rect class="bar`), "a bar per week")
	})
	t.Run("negotiation", func(t *testing.T) {
		t.Parallel()
		tests := []struct{ accept, want string }{
			{"", "application/json"},
			{"*/*", "application/json"},
			{"text/*", "application/json"},
			{"text/html", "text/html"},
			{"text/csv", "text/csv"},
			{"text/html;q=0.5, application/json", "application/json"},
			{"application/json, text/html", "application/json"},
			{"text/csv;q=0.9, text/html", "text/html"},
			{"text/csv, text/html", "text/csv"},
			{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"},
		}
		for _, tc := range tests {
			for _, path := range []string{summary, series} {
				ct, _ := get(t, path, tc.accept)
				require.Equal(t, tc.want, ct, "%s with Accept %q", path, tc.accept)
			}
		}
	})
}

func TestTotalsOverHTTP(t *testing.T) { eachBackend(t, testTotalsOverHTTP) }

func testTotalsOverHTTP(t *testing.T, b fixtureOption) {
	f, sup, east, from, to := reportFixture(t, b)
	ctx := context.Background()
	c := f.client(t, sup)

	disputes, err := c.GetDisputeTotalsWithResponse(ctx, &api.GetDisputeTotalsParams{From: date(from), To: date(to), GroupBy: ptr(api.GetDisputeTotalsParamsGroupByUnit)})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, disputes.StatusCode(), string(disputes.Body))
	require.Len(t, disputes.JSON200.Items, 1)
	require.Equal(t, east.ID, disputes.JSON200.Items[0].Key)
	require.Equal(t, int64(1), disputes.JSON200.Items[0].Found)

	cs, err := c.GetCaseTotalsWithResponse(ctx, &api.GetCaseTotalsParams{From: date(from), To: date(to), Unit: ptr(east.ID)})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, cs.StatusCode(), string(cs.Body))
	require.Equal(t, east.ID, cs.JSON200.UnitId)

	out, err := c.GetOutreachTotalsWithResponse(ctx, &api.GetOutreachTotalsParams{From: date(from), To: date(to), By: ptr(api.GetOutreachTotalsParamsByChild)})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, out.StatusCode(), string(out.Body))
	require.Len(t, out.JSON200.Items, 3, "the root, then each station")

	rec, err := c.GetRecoveryTotalsWithResponse(ctx, &api.GetRecoveryTotalsParams{From: date(from), To: date(to)})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, rec.StatusCode(), string(rec.Body))
	require.Len(t, rec.JSON200.Items, 1)
	require.Equal(t, f.root.ID, rec.JSON200.Items[0].Unit.Id)
	recByUnit, err := c.GetRecoveryTotalsWithResponse(ctx, &api.GetRecoveryTotalsParams{From: date(from), To: date(to), By: ptr(api.GetRecoveryTotalsParamsByChild)})
	require.NoError(t, err)
	require.Len(t, recByUnit.JSON200.Items, 3)
}

func TestReportRefusals(t *testing.T) {
	t.Parallel()
	f, sup, east, from, to := reportFixture(t)
	tests := []struct {
		name   string
		actor  casework.Actor
		query  string
		status int
		field  string
	}{
		{"admin may not run reports", f.admin, "from=" + from + "&to=" + to, http.StatusForbidden, ""},
		{"unknown zone", sup, "from=" + from + "&to=" + to + "&tz=Mars/Olympus", http.StatusBadRequest, "tz"},
		{"from missing", sup, "to=" + to, http.StatusBadRequest, "from"},
		{"not a date", sup, "from=yesterday&to=" + to, http.StatusBadRequest, "from"},
		{"to before from", sup, "from=" + to + "&to=" + from, http.StatusUnprocessableEntity, "/to"},
		{"unit out of reach", f.staff(t, east.ID, casework.RoleSupervisor), "from=" + from + "&to=" + to + "&unit=" + f.root.ID, http.StatusNotFound, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := readProblem(t, f.do(t, tc.actor, "GET", "/v1/reports/summary?"+tc.query, ""), tc.status)
			if tc.field != "" {
				require.Equal(t, tc.field, p.Errors[0].Field)
			}
		})
	}
}
