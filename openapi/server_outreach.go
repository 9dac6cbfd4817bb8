package openapi

import (
	"context"

	"github.com/grassroots-policing/grassroots/openapi/api"
)

// The operations of tag outreach: outreach: visits, visit plans and due visits, hazards, appointments and campaigns.

func (s *server) RecordVisit(ctx context.Context, r api.RecordVisitRequestObject) (api.RecordVisitResponseObject, error) {
	return nil, notImplemented("recordVisit")
}

func (s *server) ListVisits(ctx context.Context, r api.ListVisitsRequestObject) (api.ListVisitsResponseObject, error) {
	return nil, notImplemented("listVisits")
}

func (s *server) GetVisit(ctx context.Context, r api.GetVisitRequestObject) (api.GetVisitResponseObject, error) {
	return nil, notImplemented("getVisit")
}

func (s *server) AmendVisit(ctx context.Context, r api.AmendVisitRequestObject) (api.AmendVisitResponseObject, error) {
	return nil, notImplemented("amendVisit")
}

func (s *server) ListVisitHandoffs(ctx context.Context, r api.ListVisitHandoffsRequestObject) (api.ListVisitHandoffsResponseObject, error) {
	return nil, notImplemented("listVisitHandoffs")
}

func (s *server) AddToPlan(ctx context.Context, r api.AddToPlanRequestObject) (api.AddToPlanResponseObject, error) {
	return nil, notImplemented("addToPlan")
}

func (s *server) GetPlanEntry(ctx context.Context, r api.GetPlanEntryRequestObject) (api.GetPlanEntryResponseObject, error) {
	return nil, notImplemented("getPlanEntry")
}

func (s *server) RemoveFromPlan(ctx context.Context, r api.RemoveFromPlanRequestObject) (api.RemoveFromPlanResponseObject, error) {
	return nil, notImplemented("removeFromPlan")
}

func (s *server) ListDueVisits(ctx context.Context, r api.ListDueVisitsRequestObject) (api.ListDueVisitsResponseObject, error) {
	return nil, notImplemented("listDueVisits")
}

func (s *server) ReportHazard(ctx context.Context, r api.ReportHazardRequestObject) (api.ReportHazardResponseObject, error) {
	return nil, notImplemented("reportHazard")
}

func (s *server) ListHazards(ctx context.Context, r api.ListHazardsRequestObject) (api.ListHazardsResponseObject, error) {
	return nil, notImplemented("listHazards")
}

func (s *server) ListOverdueHazards(ctx context.Context, r api.ListOverdueHazardsRequestObject) (api.ListOverdueHazardsResponseObject, error) {
	return nil, notImplemented("listOverdueHazards")
}

func (s *server) GetHazard(ctx context.Context, r api.GetHazardRequestObject) (api.GetHazardResponseObject, error) {
	return nil, notImplemented("getHazard")
}

func (s *server) StartRectifying(ctx context.Context, r api.StartRectifyingRequestObject) (api.StartRectifyingResponseObject, error) {
	return nil, notImplemented("startRectifying")
}

func (s *server) RecordRectified(ctx context.Context, r api.RecordRectifiedRequestObject) (api.RecordRectifiedResponseObject, error) {
	return nil, notImplemented("recordRectified")
}

func (s *server) RejectRectification(ctx context.Context, r api.RejectRectificationRequestObject) (api.RejectRectificationResponseObject, error) {
	return nil, notImplemented("rejectRectification")
}

func (s *server) VerifyHazard(ctx context.Context, r api.VerifyHazardRequestObject) (api.VerifyHazardResponseObject, error) {
	return nil, notImplemented("verifyHazard")
}

func (s *server) RequestAppointment(ctx context.Context, r api.RequestAppointmentRequestObject) (api.RequestAppointmentResponseObject, error) {
	return nil, notImplemented("requestAppointment")
}

func (s *server) ListAppointments(ctx context.Context, r api.ListAppointmentsRequestObject) (api.ListAppointmentsResponseObject, error) {
	return nil, notImplemented("listAppointments")
}

func (s *server) GetAppointment(ctx context.Context, r api.GetAppointmentRequestObject) (api.GetAppointmentResponseObject, error) {
	return nil, notImplemented("getAppointment")
}

func (s *server) AcceptAppointment(ctx context.Context, r api.AcceptAppointmentRequestObject) (api.AcceptAppointmentResponseObject, error) {
	return nil, notImplemented("acceptAppointment")
}

func (s *server) DeclineAppointment(ctx context.Context, r api.DeclineAppointmentRequestObject) (api.DeclineAppointmentResponseObject, error) {
	return nil, notImplemented("declineAppointment")
}

func (s *server) CompleteAppointment(ctx context.Context, r api.CompleteAppointmentRequestObject) (api.CompleteAppointmentResponseObject, error) {
	return nil, notImplemented("completeAppointment")
}

func (s *server) MarkNoShow(ctx context.Context, r api.MarkNoShowRequestObject) (api.MarkNoShowResponseObject, error) {
	return nil, notImplemented("markNoShow")
}

func (s *server) CreateCampaign(ctx context.Context, r api.CreateCampaignRequestObject) (api.CreateCampaignResponseObject, error) {
	return nil, notImplemented("createCampaign")
}

func (s *server) ListCampaigns(ctx context.Context, r api.ListCampaignsRequestObject) (api.ListCampaignsResponseObject, error) {
	return nil, notImplemented("listCampaigns")
}

func (s *server) GetCampaign(ctx context.Context, r api.GetCampaignRequestObject) (api.GetCampaignResponseObject, error) {
	return nil, notImplemented("getCampaign")
}

func (s *server) UpdateCampaign(ctx context.Context, r api.UpdateCampaignRequestObject) (api.UpdateCampaignResponseObject, error) {
	return nil, notImplemented("updateCampaign")
}

func (s *server) GetCampaignProgress(ctx context.Context, r api.GetCampaignProgressRequestObject) (api.GetCampaignProgressResponseObject, error) {
	return nil, notImplemented("getCampaignProgress")
}
