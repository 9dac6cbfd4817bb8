package openapi

import (
	"context"

	"github.com/grassroots-policing/grassroots/openapi/api"
)

// The operations of tag mediation: dispute mediation: disputes, sessions, agreements, signatures, confirmations and follow-ups.

func (s *server) ReportDispute(ctx context.Context, r api.ReportDisputeRequestObject) (api.ReportDisputeResponseObject, error) {
	return nil, notImplemented("reportDispute")
}

func (s *server) ListDisputes(ctx context.Context, r api.ListDisputesRequestObject) (api.ListDisputesResponseObject, error) {
	return nil, notImplemented("listDisputes")
}

func (s *server) ListOverdueDisputes(ctx context.Context, r api.ListOverdueDisputesRequestObject) (api.ListOverdueDisputesResponseObject, error) {
	return nil, notImplemented("listOverdueDisputes")
}

func (s *server) GetDispute(ctx context.Context, r api.GetDisputeRequestObject) (api.GetDisputeResponseObject, error) {
	return nil, notImplemented("getDispute")
}

func (s *server) ScreenDispute(ctx context.Context, r api.ScreenDisputeRequestObject) (api.ScreenDisputeResponseObject, error) {
	return nil, notImplemented("screenDispute")
}

func (s *server) RejectDispute(ctx context.Context, r api.RejectDisputeRequestObject) (api.RejectDisputeResponseObject, error) {
	return nil, notImplemented("rejectDispute")
}

func (s *server) AcceptDispute(ctx context.Context, r api.AcceptDisputeRequestObject) (api.AcceptDisputeResponseObject, error) {
	return nil, notImplemented("acceptDispute")
}

func (s *server) StartMediation(ctx context.Context, r api.StartMediationRequestObject) (api.StartMediationResponseObject, error) {
	return nil, notImplemented("startMediation")
}

func (s *server) FailMediation(ctx context.Context, r api.FailMediationRequestObject) (api.FailMediationResponseObject, error) {
	return nil, notImplemented("failMediation")
}

func (s *server) StartFollowUp(ctx context.Context, r api.StartFollowUpRequestObject) (api.StartFollowUpResponseObject, error) {
	return nil, notImplemented("startFollowUp")
}

func (s *server) CloseDispute(ctx context.Context, r api.CloseDisputeRequestObject) (api.CloseDisputeResponseObject, error) {
	return nil, notImplemented("closeDispute")
}

func (s *server) ReferDispute(ctx context.Context, r api.ReferDisputeRequestObject) (api.ReferDisputeResponseObject, error) {
	return nil, notImplemented("referDispute")
}

func (s *server) AssignDispute(ctx context.Context, r api.AssignDisputeRequestObject) (api.AssignDisputeResponseObject, error) {
	return nil, notImplemented("assignDispute")
}

func (s *server) AssessDisputeRisk(ctx context.Context, r api.AssessDisputeRiskRequestObject) (api.AssessDisputeRiskResponseObject, error) {
	return nil, notImplemented("assessDisputeRisk")
}

func (s *server) ReviewDispute(ctx context.Context, r api.ReviewDisputeRequestObject) (api.ReviewDisputeResponseObject, error) {
	return nil, notImplemented("reviewDispute")
}

func (s *server) UpdateDisputeParties(ctx context.Context, r api.UpdateDisputePartiesRequestObject) (api.UpdateDisputePartiesResponseObject, error) {
	return nil, notImplemented("updateDisputeParties")
}

func (s *server) RecordSession(ctx context.Context, r api.RecordSessionRequestObject) (api.RecordSessionResponseObject, error) {
	return nil, notImplemented("recordSession")
}

func (s *server) PrintMediationRecord(ctx context.Context, r api.PrintMediationRecordRequestObject) (api.PrintMediationRecordResponseObject, error) {
	return nil, notImplemented("printMediationRecord")
}

func (s *server) DraftAgreement(ctx context.Context, r api.DraftAgreementRequestObject) (api.DraftAgreementResponseObject, error) {
	return nil, notImplemented("draftAgreement")
}

func (s *server) PrintAgreement(ctx context.Context, r api.PrintAgreementRequestObject) (api.PrintAgreementResponseObject, error) {
	return nil, notImplemented("printAgreement")
}

func (s *server) SignAgreement(ctx context.Context, r api.SignAgreementRequestObject) (api.SignAgreementResponseObject, error) {
	return nil, notImplemented("signAgreement")
}

func (s *server) ApplyConfirmation(ctx context.Context, r api.ApplyConfirmationRequestObject) (api.ApplyConfirmationResponseObject, error) {
	return nil, notImplemented("applyConfirmation")
}

func (s *server) RuleConfirmation(ctx context.Context, r api.RuleConfirmationRequestObject) (api.RuleConfirmationResponseObject, error) {
	return nil, notImplemented("ruleConfirmation")
}

func (s *server) RecordFollowUp(ctx context.Context, r api.RecordFollowUpRequestObject) (api.RecordFollowUpResponseObject, error) {
	return nil, notImplemented("recordFollowUp")
}

func (s *server) ShareDispute(ctx context.Context, r api.ShareDisputeRequestObject) (api.ShareDisputeResponseObject, error) {
	return nil, notImplemented("shareDispute")
}
