package openapi

import (
	"bytes"
	"context"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/grassroots-policing/grassroots/casework/reportview"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/openapi/api"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/grassroots-policing/grassroots/recovery"
)

// The operations of tag reports: the report (figures and series as JSON,
// or printed by casework/reportview as CSV or an A4 HTML page) and every
// workflow's totals. The kernel and the services check the
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
	view := reportview.Summary{From: p.Start.In(p.Zone), To: p.End.In(p.Zone).AddDate(0, 0, -1), Zone: p.Zone}
	if prm.By != nil && *prm.By == api.GetReportSummaryParamsByChild {
		rows, err := s.kernel.ReportByChild(ctx, actor, q)
		if err != nil {
			return nil, err
		}
		view.Unit, view.Figures, view.Children = rows[0].Unit, rows[0].Totals, rows[1:]
	} else if view.Figures, err = s.kernel.Report(ctx, actor, q); err != nil {
		return nil, err
	}
	format := negotiate(ctx, mediaTypeJSON, mediaTypeCSV, mediaTypeHTML)
	if format != mediaTypeJSON && view.Unit.ID == "" {
		// The printed forms name the unit; JSON needs only its id.
		if view.Unit, err = s.kernel.GetUnit(ctx, actor, p.UnitID); err != nil {
			return nil, err
		}
	}
	switch format {
	case mediaTypeCSV:
		body := reportview.SummaryCSV(view)
		return api.GetReportSummary200TextcsvResponse{Body: bytes.NewReader(body), ContentLength: int64(len(body))}, nil
	case mediaTypeHTML:
		var body bytes.Buffer
		if err := reportview.SummaryHTML(&body, view); err != nil {
			return nil, err
		}
		return api.GetReportSummary200TexthtmlResponse{Body: &body, ContentLength: int64(body.Len())}, nil
	}
	return api.GetReportSummary200JSONResponse{UnitId: p.UnitID, From: view.From, To: view.To, Figures: mapSlice(view.Figures, figureOut),
		Children: mapSlice(view.Children, func(row casework.UnitRow[[]casework.Figure]) api.UnitFigures {
			return api.UnitFigures{UnitId: row.Unit.ID, UnitName: row.Unit.Name, Figures: mapSlice(row.Totals, figureOut)}
		})}, nil
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
	if format := negotiate(ctx, mediaTypeJSON, mediaTypeCSV, mediaTypeHTML); format != mediaTypeJSON {
		zone := q.Zone
		if zone == nil {
			zone = s.kernel.Zone()
		}
		u, err := s.kernel.GetUnit(ctx, actor, unit)
		if err != nil {
			return nil, err
		}
		view := reportview.Series{Unit: u, Step: casework.Step(prm.Interval), Zone: zone, Periods: periods}
		if format == mediaTypeCSV {
			body := reportview.SeriesCSV(view)
			return api.GetReportSeries200TextcsvResponse{Body: bytes.NewReader(body), ContentLength: int64(len(body))}, nil
		}
		var body bytes.Buffer
		if err := reportview.SeriesHTML(&body, view); err != nil {
			return nil, err
		}
		return api.GetReportSeries200TexthtmlResponse{Body: &body, ContentLength: int64(body.Len())}, nil
	}
	return api.GetReportSeries200JSONResponse{UnitId: unit, Interval: api.ReportSeriesInterval(prm.Interval), Periods: mapSlice(periods, func(p casework.PeriodFigures) api.PeriodFigures {
		return api.PeriodFigures{From: p.From, To: p.To, Figures: mapSlice(p.Figures, figureOut)}
	})}, nil
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
		return api.DisputeTotals{Key: t.Key, Label: t.Label, Found: t.Found, Accepted: t.Accepted, Settled: t.Settled, Failed: t.Failed, Referred: t.Referred, Reopened: t.Reopened, SettlementRate: t.SettlementRate}
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
		PeopleArrested: c.PeopleArrested, LeadsCollected: c.LeadsCollected, Reopened: c.Reopened}
}

func caseFiguresOut(f cases.Figures) api.CaseFigures {
	c := f.Counts
	return api.CaseFigures{Reported: c.Reported, Filed: c.Filed, Solved: c.Solved, Closed: c.Closed, Dropped: c.Dropped, Arrests: c.Arrests,
		PeopleArrested: c.PeopleArrested, LeadsCollected: c.LeadsCollected, Reopened: c.Reopened, ClearanceRatePermille: f.ClearanceRatePermille, ClearanceRateDefined: f.ClearanceRateDefined}
}

func outreachTotalsOut(t outreach.Totals) api.OutreachTotals {
	return api.OutreachTotals{UnitId: t.UnitID, Visits: keyedOut(t.Visits), Targets: keyedOut(t.Targets), HazardsFound: t.HazardsFound,
		HazardsRectified: t.HazardsRectified, DisputesHanded: t.DisputesHanded, LeadsCollected: t.LeadsCollected, Services: keyedOut(t.Services),
		AidVisits: t.AidVisits, AppointmentsDone: t.AppointmentsDone, AidQuantities: mapSlice(t.AidQuantities, aidQuantityOut),
		ReferralsMade: t.ReferralsMade, ReferralsClosed: t.ReferralsClosed, ReferralsClosedBy: keyedOut(t.ReferralsClosedBy)}
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
