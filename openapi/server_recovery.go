package openapi

import (
	"context"

	"github.com/grassroots-policing/grassroots/openapi/api"
)

// The operations of tag recovery: recovered property: items with custody, matches, returns, disposals and return events.

func (s *server) ReportStolenItem(ctx context.Context, r api.ReportStolenItemRequestObject) (api.ReportStolenItemResponseObject, error) {
	return nil, notImplemented("reportStolenItem")
}

func (s *server) RecordFoundItem(ctx context.Context, r api.RecordFoundItemRequestObject) (api.RecordFoundItemResponseObject, error) {
	return nil, notImplemented("recordFoundItem")
}

func (s *server) CompareProperty(ctx context.Context, r api.ComparePropertyRequestObject) (api.ComparePropertyResponseObject, error) {
	return nil, notImplemented("compareProperty")
}

func (s *server) ListPropertyItems(ctx context.Context, r api.ListPropertyItemsRequestObject) (api.ListPropertyItemsResponseObject, error) {
	return nil, notImplemented("listPropertyItems")
}

func (s *server) GetPropertyItem(ctx context.Context, r api.GetPropertyItemRequestObject) (api.GetPropertyItemResponseObject, error) {
	return nil, notImplemented("getPropertyItem")
}

func (s *server) RecordRecovery(ctx context.Context, r api.RecordRecoveryRequestObject) (api.RecordRecoveryResponseObject, error) {
	return nil, notImplemented("recordRecovery")
}

func (s *server) IdentifyItem(ctx context.Context, r api.IdentifyItemRequestObject) (api.IdentifyItemResponseObject, error) {
	return nil, notImplemented("identifyItem")
}

func (s *server) MoveItem(ctx context.Context, r api.MoveItemRequestObject) (api.MoveItemResponseObject, error) {
	return nil, notImplemented("moveItem")
}

func (s *server) CorrectCustody(ctx context.Context, r api.CorrectCustodyRequestObject) (api.CorrectCustodyResponseObject, error) {
	return nil, notImplemented("correctCustody")
}

func (s *server) ListCustody(ctx context.Context, r api.ListCustodyRequestObject) (api.ListCustodyResponseObject, error) {
	return nil, notImplemented("listCustody")
}

func (s *server) MatchItem(ctx context.Context, r api.MatchItemRequestObject) (api.MatchItemResponseObject, error) {
	return nil, notImplemented("matchItem")
}

func (s *server) ConfirmMatch(ctx context.Context, r api.ConfirmMatchRequestObject) (api.ConfirmMatchResponseObject, error) {
	return nil, notImplemented("confirmMatch")
}

func (s *server) RequestReturn(ctx context.Context, r api.RequestReturnRequestObject) (api.RequestReturnResponseObject, error) {
	return nil, notImplemented("requestReturn")
}

func (s *server) ListReturns(ctx context.Context, r api.ListReturnsRequestObject) (api.ListReturnsResponseObject, error) {
	return nil, notImplemented("listReturns")
}

func (s *server) GetReturn(ctx context.Context, r api.GetReturnRequestObject) (api.GetReturnResponseObject, error) {
	return nil, notImplemented("getReturn")
}

func (s *server) ApproveReturn(ctx context.Context, r api.ApproveReturnRequestObject) (api.ApproveReturnResponseObject, error) {
	return nil, notImplemented("approveReturn")
}

func (s *server) RejectReturn(ctx context.Context, r api.RejectReturnRequestObject) (api.RejectReturnResponseObject, error) {
	return nil, notImplemented("rejectReturn")
}

func (s *server) CompleteReturn(ctx context.Context, r api.CompleteReturnRequestObject) (api.CompleteReturnResponseObject, error) {
	return nil, notImplemented("completeReturn")
}

func (s *server) RequestDisposal(ctx context.Context, r api.RequestDisposalRequestObject) (api.RequestDisposalResponseObject, error) {
	return nil, notImplemented("requestDisposal")
}

func (s *server) ListDisposals(ctx context.Context, r api.ListDisposalsRequestObject) (api.ListDisposalsResponseObject, error) {
	return nil, notImplemented("listDisposals")
}

func (s *server) GetDisposal(ctx context.Context, r api.GetDisposalRequestObject) (api.GetDisposalResponseObject, error) {
	return nil, notImplemented("getDisposal")
}

func (s *server) ApproveDisposal(ctx context.Context, r api.ApproveDisposalRequestObject) (api.ApproveDisposalResponseObject, error) {
	return nil, notImplemented("approveDisposal")
}

func (s *server) RejectDisposal(ctx context.Context, r api.RejectDisposalRequestObject) (api.RejectDisposalResponseObject, error) {
	return nil, notImplemented("rejectDisposal")
}

func (s *server) CompleteDisposal(ctx context.Context, r api.CompleteDisposalRequestObject) (api.CompleteDisposalResponseObject, error) {
	return nil, notImplemented("completeDisposal")
}

func (s *server) PlanReturnEvent(ctx context.Context, r api.PlanReturnEventRequestObject) (api.PlanReturnEventResponseObject, error) {
	return nil, notImplemented("planReturnEvent")
}

func (s *server) ListReturnEvents(ctx context.Context, r api.ListReturnEventsRequestObject) (api.ListReturnEventsResponseObject, error) {
	return nil, notImplemented("listReturnEvents")
}

func (s *server) GetReturnEvent(ctx context.Context, r api.GetReturnEventRequestObject) (api.GetReturnEventResponseObject, error) {
	return nil, notImplemented("getReturnEvent")
}

func (s *server) AddReturnsToEvent(ctx context.Context, r api.AddReturnsToEventRequestObject) (api.AddReturnsToEventResponseObject, error) {
	return nil, notImplemented("addReturnsToEvent")
}

func (s *server) HoldReturnEvent(ctx context.Context, r api.HoldReturnEventRequestObject) (api.HoldReturnEventResponseObject, error) {
	return nil, notImplemented("holdReturnEvent")
}

func (s *server) GetReturnList(ctx context.Context, r api.GetReturnListRequestObject) (api.GetReturnListResponseObject, error) {
	return nil, notImplemented("getReturnList")
}
