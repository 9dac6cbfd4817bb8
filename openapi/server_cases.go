package openapi

import (
	"context"

	"github.com/grassroots-policing/grassroots/openapi/api"
)

// The operations of tag cases: small property-crime cases (侵财小案), their five paired steps and leads.

func (s *server) ReportCase(ctx context.Context, r api.ReportCaseRequestObject) (api.ReportCaseResponseObject, error) {
	return nil, notImplemented("reportCase")
}

func (s *server) ListCases(ctx context.Context, r api.ListCasesRequestObject) (api.ListCasesResponseObject, error) {
	return nil, notImplemented("listCases")
}

func (s *server) ListOverdueCases(ctx context.Context, r api.ListOverdueCasesRequestObject) (api.ListOverdueCasesResponseObject, error) {
	return nil, notImplemented("listOverdueCases")
}

func (s *server) GetCase(ctx context.Context, r api.GetCaseRequestObject) (api.GetCaseResponseObject, error) {
	return nil, notImplemented("getCase")
}

func (s *server) DispatchAndFileCase(ctx context.Context, r api.DispatchAndFileCaseRequestObject) (api.DispatchAndFileCaseResponseObject, error) {
	return nil, notImplemented("dispatchAndFileCase")
}

func (s *server) SurveyCase(ctx context.Context, r api.SurveyCaseRequestObject) (api.SurveyCaseResponseObject, error) {
	return nil, notImplemented("surveyCase")
}

func (s *server) AnalyseAndShareCase(ctx context.Context, r api.AnalyseAndShareCaseRequestObject) (api.AnalyseAndShareCaseResponseObject, error) {
	return nil, notImplemented("analyseAndShareCase")
}

func (s *server) ArrestForCase(ctx context.Context, r api.ArrestForCaseRequestObject) (api.ArrestForCaseResponseObject, error) {
	return nil, notImplemented("arrestForCase")
}

func (s *server) ReviewCase(ctx context.Context, r api.ReviewCaseRequestObject) (api.ReviewCaseResponseObject, error) {
	return nil, notImplemented("reviewCase")
}

func (s *server) StartInvestigation(ctx context.Context, r api.StartInvestigationRequestObject) (api.StartInvestigationResponseObject, error) {
	return nil, notImplemented("startInvestigation")
}

func (s *server) CloseCase(ctx context.Context, r api.CloseCaseRequestObject) (api.CloseCaseResponseObject, error) {
	return nil, notImplemented("closeCase")
}

func (s *server) DropCase(ctx context.Context, r api.DropCaseRequestObject) (api.DropCaseResponseObject, error) {
	return nil, notImplemented("dropCase")
}

func (s *server) ListCaseShares(ctx context.Context, r api.ListCaseSharesRequestObject) (api.ListCaseSharesResponseObject, error) {
	return nil, notImplemented("listCaseShares")
}

func (s *server) UnshareCase(ctx context.Context, r api.UnshareCaseRequestObject) (api.UnshareCaseResponseObject, error) {
	return nil, notImplemented("unshareCase")
}

func (s *server) CreateLead(ctx context.Context, r api.CreateLeadRequestObject) (api.CreateLeadResponseObject, error) {
	return nil, notImplemented("createLead")
}

func (s *server) ListLeads(ctx context.Context, r api.ListLeadsRequestObject) (api.ListLeadsResponseObject, error) {
	return nil, notImplemented("listLeads")
}

func (s *server) GetLead(ctx context.Context, r api.GetLeadRequestObject) (api.GetLeadResponseObject, error) {
	return nil, notImplemented("getLead")
}

func (s *server) VerifyLead(ctx context.Context, r api.VerifyLeadRequestObject) (api.VerifyLeadResponseObject, error) {
	return nil, notImplemented("verifyLead")
}

func (s *server) ConvertLead(ctx context.Context, r api.ConvertLeadRequestObject) (api.ConvertLeadResponseObject, error) {
	return nil, notImplemented("convertLead")
}

func (s *server) DiscardLead(ctx context.Context, r api.DiscardLeadRequestObject) (api.DiscardLeadResponseObject, error) {
	return nil, notImplemented("discardLead")
}
