package openapi

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/openapi/api"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/grassroots-policing/grassroots/recovery"
)

// The operations of tag reports: the report (figures and series, JSON or
// CSV) and every workflow's totals. The kernel and the services check the
// actor's reach and the report permission and count; these translate.

func (s *server) GetReportSummary(ctx context.Context, r api.GetReportSummaryRequestObject) (api.GetReportSummaryResponseObject, error) {
	prm := r.Params
	q, err := reportQuery(prm.Unit, prm.From, prm.To, prm.Tz)
	if err != nil {
		return nil, err
	}
	actor := actorOf(ctx)
	p, err := s.kernel.ResolvePeriod(ctx, actor, q)
	if err != nil {
		return nil, err
	}
	// From and To are the first and last local day, as in a series.
	out := api.ReportSummary{UnitId: p.UnitID, From: p.Start.In(p.Zone), To: p.End.In(p.Zone).AddDate(0, 0, -1)}
	if prm.By != nil && *prm.By == api.GetReportSummaryParamsByChild {
		rows, err := s.kernel.ReportByChild(ctx, actor, q)
		if err != nil {
			return nil, err
		}
		out.Figures = mapSlice(rows[0].Totals, figureOut)
		out.Children = mapSlice(rows[1:], func(row casework.UnitRow[[]casework.Figure]) api.UnitFigures {
			return api.UnitFigures{UnitId: row.Unit.ID, UnitName: row.Unit.Name, Figures: mapSlice(row.Totals, figureOut)}
		})
	} else {
		figures, err := s.kernel.Report(ctx, actor, q)
		if err != nil {
			return nil, err
		}
		out.Figures = mapSlice(figures, figureOut)
	}
	if wantsCSV(ctx) {
		u, err := s.kernel.GetUnit(ctx, actor, p.UnitID)
		if err != nil {
			return nil, err
		}
		body, err := summaryCSV(u.Name, out)
		if err != nil {
			return nil, err
		}
		return api.GetReportSummary200TextcsvResponse{Body: bytes.NewReader(body), ContentLength: int64(len(body))}, nil
	}
	return api.GetReportSummary200JSONResponse(out), nil
}

func (s *server) GetReportSeries(ctx context.Context, r api.GetReportSeriesRequestObject) (api.GetReportSeriesResponseObject, error) {
	prm := r.Params
	q, err := reportQuery(prm.Unit, prm.From, prm.To, prm.Tz)
	if err != nil {
		return nil, err
	}
	actor := actorOf(ctx)
	periods, err := s.kernel.ReportSeries(ctx, actor, q, casework.Step(prm.Interval))
	if err != nil {
		return nil, err
	}
	unit := q.UnitID
	if unit == "" {
		unit = actor.UnitID
	}
	out := api.ReportSeries{UnitId: unit, Interval: api.ReportSeriesInterval(prm.Interval), Periods: mapSlice(periods, func(p casework.PeriodFigures) api.PeriodFigures {
		return api.PeriodFigures{From: p.From, To: p.To, Figures: mapSlice(p.Figures, figureOut)}
	})}
	if wantsCSV(ctx) {
		zone := q.Zone
		if zone == nil {
			zone = s.kernel.Zone()
		}
		body, err := seriesCSV(out, zone)
		if err != nil {
			return nil, err
		}
		return api.GetReportSeries200TextcsvResponse{Body: bytes.NewReader(body), ContentLength: int64(len(body))}, nil
	}
	return api.GetReportSeries200JSONResponse(out), nil
}

func (s *server) GetCaseTotals(ctx context.Context, r api.GetCaseTotalsRequestObject) (api.GetCaseTotalsResponseObject, error) {
	prm := r.Params
	q, err := reportQuery(prm.Unit, prm.From, prm.To, prm.Tz)
	if err != nil {
		return nil, err
	}
	t, err := s.cases.Totals(ctx, actorOf(ctx), q)
	if err != nil {
		return nil, err
	}
	return api.GetCaseTotals200JSONResponse{UnitId: t.UnitID, Start: t.Start, End: t.End, Current: caseFiguresOut(t.Current), YearEarlier: caseFiguresOut(t.YearEarlier),
		Change: api.CaseChange{Delta: caseCountsOut(t.Change.Delta), Permille: t.Change.Permille, ClearanceRatePoints: t.Change.ClearanceRatePoints, ClearanceRateCompare: t.Change.ClearanceRateCompare}}, nil
}

func (s *server) GetDisputeTotals(ctx context.Context, r api.GetDisputeTotalsRequestObject) (api.GetDisputeTotalsResponseObject, error) {
	prm := r.Params
	q, err := reportQuery(prm.Unit, prm.From, prm.To, prm.Tz)
	if err != nil {
		return nil, err
	}
	rows, err := s.mediation.Breakdown(ctx, actorOf(ctx), q, mediation.GroupBy(deref(prm.GroupBy)))
	if err != nil {
		return nil, err
	}
	return api.GetDisputeTotals200JSONResponse{Items: mapSlice(rows, func(t mediation.Totals) api.DisputeTotals {
		return api.DisputeTotals{Key: t.Key, Label: t.Label, Found: t.Found, Accepted: t.Accepted, Settled: t.Settled, Failed: t.Failed, Referred: t.Referred, SettlementRate: t.SettlementRate}
	})}, nil
}

func (s *server) GetOutreachTotals(ctx context.Context, r api.GetOutreachTotalsRequestObject) (api.GetOutreachTotalsResponseObject, error) {
	prm := r.Params
	if prm.CampaignId != nil {
		// outreach.Service.Totals counts a subtree, not a campaign; a
		// campaign's own table is GET /v1/campaigns/{id}/progress.
		return nil, &httpError{kind: errNotImplemented, detail: "totals by campaign are not implemented: see GET /v1/campaigns/{id}/progress"}
	}
	q, err := reportQuery(prm.Unit, prm.From, prm.To, prm.Tz)
	if err != nil {
		return nil, err
	}
	actor := actorOf(ctx)
	var rows []outreach.Totals
	if prm.By != nil && *prm.By == api.GetOutreachTotalsParamsByChild {
		byUnit, err := s.outreach.TotalsByUnit(ctx, actor, q)
		if err != nil {
			return nil, err
		}
		rows = mapSlice(byUnit, func(u casework.UnitRow[outreach.Totals]) outreach.Totals { return u.Totals })
	} else {
		t, err := s.outreach.Totals(ctx, actor, q)
		if err != nil {
			return nil, err
		}
		rows = []outreach.Totals{t}
	}
	return api.GetOutreachTotals200JSONResponse{Items: mapSlice(rows, outreachTotalsOut)}, nil
}

func (s *server) GetRecoveryTotals(ctx context.Context, r api.GetRecoveryTotalsRequestObject) (api.GetRecoveryTotalsResponseObject, error) {
	prm := r.Params
	q, err := reportQuery(prm.Unit, prm.From, prm.To, prm.Tz)
	if err != nil {
		return nil, err
	}
	actor := actorOf(ctx)
	var rows []casework.UnitRow[recovery.Totals]
	if prm.By != nil && *prm.By == api.GetRecoveryTotalsParamsByChild {
		if rows, err = s.recovery.TotalsByUnit(ctx, actor, q); err != nil {
			return nil, err
		}
	} else {
		t, err := s.recovery.Totals(ctx, actor, q)
		if err != nil {
			return nil, err
		}
		unitID := q.UnitID
		if unitID == "" {
			unitID = actor.UnitID
		}
		u, err := s.kernel.GetUnit(ctx, actor, unitID)
		if err != nil {
			return nil, err
		}
		rows = []casework.UnitRow[recovery.Totals]{{Unit: u, Totals: t}}
	}
	return api.GetRecoveryTotals200JSONResponse{Items: mapSlice(rows, func(row casework.UnitRow[recovery.Totals]) api.RecoveryUnitTotals {
		t := row.Totals
		return api.RecoveryUnitTotals{Unit: unitOut(row.Unit), Totals: api.RecoveryTotals{ItemsRecovered: t.ItemsRecovered, ValueRecoveredFen: t.ValueRecoveredFen,
			ItemsReturned: t.ItemsReturned, ValueReturnedFen: t.ValueReturnedFen, ReturnEvents: t.ReturnEvents, ItemsUnclaimed: t.ItemsUnclaimed,
			ItemsDisposed: t.ItemsDisposed, DisposalProceedsFen: t.DisposalProceedsFen}}
	})}, nil
}

// reportQuery translates the report parameters. The API's `to` is the day
// after the period (exclusive), the kernel's the period's last day
// (inclusive). An unknown time zone is 400 naming tz.
func reportQuery(unit *string, from, to openapi_types.Date, tz *string) (casework.ReportQuery, error) {
	q := casework.ReportQuery{UnitID: deref(unit), From: from.Time, To: to.AddDate(0, 0, -1)}
	if tz != nil {
		zone, err := time.LoadLocation(*tz)
		if err != nil || *tz == "" || *tz == "Local" {
			return casework.ReportQuery{}, badRequest("tz", "timezone", "is not an IANA time zone")
		}
		q.Zone = zone
	}
	return q, nil
}

func figureOut(f casework.Figure) api.Figure {
	return api.Figure{Key: f.Key, LabelZh: f.LabelZH, LabelEn: f.LabelEN, Value: f.Value, Unit: f.Unit}
}

func caseCountsOut(c cases.Counts) api.CaseCounts {
	return api.CaseCounts{Reported: c.Reported, Filed: c.Filed, Solved: c.Solved, Closed: c.Closed, Dropped: c.Dropped, Arrests: c.Arrests,
		PeopleArrested: c.PeopleArrested, LeadsCollected: c.LeadsCollected}
}

func caseFiguresOut(f cases.Figures) api.CaseFigures {
	c := f.Counts
	return api.CaseFigures{Reported: c.Reported, Filed: c.Filed, Solved: c.Solved, Closed: c.Closed, Dropped: c.Dropped, Arrests: c.Arrests,
		PeopleArrested: c.PeopleArrested, LeadsCollected: c.LeadsCollected, ClearanceRatePermille: f.ClearanceRatePermille, ClearanceRateDefined: f.ClearanceRateDefined}
}

func outreachTotalsOut(t outreach.Totals) api.OutreachTotals {
	return api.OutreachTotals{UnitId: t.UnitID, Visits: keyedOut(t.Visits), Targets: keyedOut(t.Targets), HazardsFound: t.HazardsFound,
		HazardsRectified: t.HazardsRectified, DisputesHanded: t.DisputesHanded, LeadsCollected: t.LeadsCollected, Services: keyedOut(t.Services),
		AidVisits: t.AidVisits, AppointmentsDone: t.AppointmentsDone}
}

// keyedOut turns a count per code (target kind, service kind) into the
// API's map from the code as a string.
func keyedOut[K ~string](m map[K]int64) map[string]int64 {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[string(k)] = v
	}
	return out
}

// csvBOM lets spreadsheet programs read the UTF-8 CSV as UTF-8.
const csvBOM = "\ufeff"

// figureHeader is a figure's column title: its Chinese label and unit.
func figureHeader(f api.Figure) string {
	if f.Unit == "" {
		return f.LabelZh
	}
	return f.LabelZh + "（" + f.Unit + "）"
}

// summaryCSV lays a summary out as a table: one row for the unit, then one
// per child unit, one column per figure.
func summaryCSV(unitName string, s api.ReportSummary) ([]byte, error) {
	header := []string{"单位"}
	for _, f := range s.Figures {
		header = append(header, figureHeader(f))
	}
	rows := [][]string{header, csvRow(unitName, s.Figures)}
	for _, c := range s.Children {
		name := c.UnitName
		if name == "" {
			name = c.UnitId
		}
		rows = append(rows, csvRow(name, c.Figures))
	}
	return writeCSV(rows)
}

// seriesCSV lays a series out with one row per period: its first and last
// local day (both inclusive, as the kernel gives them), then its figures.
func seriesCSV(s api.ReportSeries, zone *time.Location) ([]byte, error) {
	header := []string{"起始日期", "截止日期"}
	if len(s.Periods) > 0 {
		for _, f := range s.Periods[0].Figures {
			header = append(header, figureHeader(f))
		}
	}
	rows := [][]string{header}
	for _, p := range s.Periods {
		row := []string{p.From.In(zone).Format(time.DateOnly), p.To.In(zone).Format(time.DateOnly)}
		rows = append(rows, append(row, csvRow("", p.Figures)[1:]...))
	}
	return writeCSV(rows)
}

func csvRow(first string, figures []api.Figure) []string {
	row := []string{first}
	for _, f := range figures {
		row = append(row, strconv.FormatInt(f.Value, 10))
	}
	return row
}

func writeCSV(rows [][]string) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(csvBOM)
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
