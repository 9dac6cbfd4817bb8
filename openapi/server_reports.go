package openapi

import (
	"context"

	"github.com/grassroots-policing/grassroots/openapi/api"
)

// The operations of tag reports: the report: figures and series, and every workflow's totals.

func (s *server) GetReportSummary(ctx context.Context, r api.GetReportSummaryRequestObject) (api.GetReportSummaryResponseObject, error) {
	return nil, notImplemented("getReportSummary")
}

func (s *server) GetReportSeries(ctx context.Context, r api.GetReportSeriesRequestObject) (api.GetReportSeriesResponseObject, error) {
	return nil, notImplemented("getReportSeries")
}

func (s *server) GetCaseTotals(ctx context.Context, r api.GetCaseTotalsRequestObject) (api.GetCaseTotalsResponseObject, error) {
	return nil, notImplemented("getCaseTotals")
}

func (s *server) GetDisputeTotals(ctx context.Context, r api.GetDisputeTotalsRequestObject) (api.GetDisputeTotalsResponseObject, error) {
	return nil, notImplemented("getDisputeTotals")
}

func (s *server) GetOutreachTotals(ctx context.Context, r api.GetOutreachTotalsRequestObject) (api.GetOutreachTotalsResponseObject, error) {
	return nil, notImplemented("getOutreachTotals")
}

func (s *server) GetRecoveryTotals(ctx context.Context, r api.GetRecoveryTotalsRequestObject) (api.GetRecoveryTotalsResponseObject, error) {
	return nil, notImplemented("getRecoveryTotals")
}
