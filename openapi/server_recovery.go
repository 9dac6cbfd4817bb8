package openapi

import (
	"bytes"
	"context"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/openapi/api"
	"github.com/grassroots-policing/grassroots/recovery"
)

// The operations of tag recovery: recovered property: items with custody, matches, returns, disposals and return events.

// currentVersion reads a record's version as the actor sees it, for the
// ETag of a 412.
func currentVersion[T any](ctx context.Context, id string, get func(context.Context, casework.Actor, string) (T, error), version func(T) int64) func() (int64, error) {
	return func() (int64, error) {
		rec, err := get(ctx, actorOf(ctx), id)
		return version(rec), err
	}
}

func (s *server) itemVersion(ctx context.Context, id string) func() (int64, error) {
	return currentVersion(ctx, id, s.recovery.Get, func(it recovery.Item) int64 { return it.Version })
}

func (s *server) returnVersion(ctx context.Context, id string) func() (int64, error) {
	return currentVersion(ctx, id, s.recovery.GetReturn, func(r recovery.Return) int64 { return r.Version })
}

func (s *server) disposalVersion(ctx context.Context, id string) func() (int64, error) {
	return currentVersion(ctx, id, s.recovery.GetDisposal, func(d recovery.Disposal) int64 { return d.Version })
}

func (s *server) eventVersion(ctx context.Context, id string) func() (int64, error) {
	return currentVersion(ctx, id, s.recovery.GetEvent, func(e recovery.Event) int64 { return e.Version })
}

func (s *server) ReportStolenItem(ctx context.Context, r api.ReportStolenItemRequestObject) (api.ReportStolenItemResponseObject, error) {
	it, err := s.recovery.ReportStolen(ctx, actorOf(ctx), stolenIn(*r.Body, requestKey(r.Params.IdempotencyKey)))
	if err != nil {
		return nil, err
	}
	return api.ReportStolenItem201JSONResponse{Body: itemOut(it), Headers: api.ReportStolenItem201ResponseHeaders{ETag: etag(it.Version), Location: location(ctx, "/v1/property-items/"+it.ID)}}, nil
}

func (s *server) RecordFoundItem(ctx context.Context, r api.RecordFoundItemRequestObject) (api.RecordFoundItemResponseObject, error) {
	it, err := s.recovery.RecordFound(ctx, actorOf(ctx), foundIn(*r.Body, requestKey(r.Params.IdempotencyKey)))
	if err != nil {
		return nil, err
	}
	return api.RecordFoundItem201JSONResponse{Body: itemOut(it), Headers: api.RecordFoundItem201ResponseHeaders{ETag: etag(it.Version), Location: location(ctx, "/v1/property-items/"+it.ID)}}, nil
}

func (s *server) CompareProperty(ctx context.Context, r api.ComparePropertyRequestObject) (api.ComparePropertyResponseObject, error) {
	b := r.Body
	ms, err := s.recovery.CompareProperty(ctx, actorOf(ctx), recovery.PropertyQuery{Identifiers: identifiersIn(b.Identifiers),
		Category: b.Category, Description: b.Description, At: b.At, Place: b.Place, UnitID: b.UnitId})
	if err != nil {
		return nil, err
	}
	return api.CompareProperty200JSONResponse{Items: mapSlice(ms, matchOut)}, nil
}

func (s *server) ListPropertyItems(ctx context.Context, r api.ListPropertyItemsRequestObject) (api.ListPropertyItemsResponseObject, error) {
	p, err := page(r.Params.Limit, r.Params.Cursor)
	if err != nil {
		return nil, err
	}
	q := r.Params
	items, next, err := s.recovery.List(ctx, actorOf(ctx), recovery.ItemQuery{UnitID: deref(q.UnitId),
		States: statesIn[api.ItemState, recovery.State](q.State), Origin: recovery.Origin(deref(q.Origin)),
		Category: deref(q.Category), CaseID: deref(q.CaseId), OwnerPersonID: deref(q.OwnerPersonId),
		OwnerDocType: casework.DocType(deref(q.OwnerDocType)), OwnerDocNumber: deref(q.OwnerDocNumber),
		Identifier: deref(q.Identifier), StolenFrom: deref(q.StolenFrom), StolenTo: deref(q.StolenTo),
		RecoveredFrom: deref(q.RecoveredFrom), RecoveredTo: deref(q.RecoveredTo), Page: p})
	if err != nil {
		return nil, err
	}
	return api.ListPropertyItems200JSONResponse{Items: mapSlice(items, itemOut), Next: next}, nil
}

func (s *server) GetPropertyItem(ctx context.Context, r api.GetPropertyItemRequestObject) (api.GetPropertyItemResponseObject, error) {
	it, err := s.recovery.Get(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	return api.GetPropertyItem200JSONResponse{Body: itemOut(it), Headers: api.GetPropertyItem200ResponseHeaders{ETag: etag(it.Version)}}, nil
}

func (s *server) RecordRecovery(ctx context.Context, r api.RecordRecoveryRequestObject) (api.RecordRecoveryResponseObject, error) {
	it, err := versioned(r.Params.IfMatch, func(v int64) (recovery.Item, error) {
		return s.recovery.RecordRecovery(ctx, actorOf(ctx), r.Id, v, recoveryIn(*r.Body))
	}, s.itemVersion(ctx, r.Id))
	if err != nil {
		return nil, err
	}
	return api.RecordRecovery200JSONResponse{Body: itemOut(it), Headers: api.RecordRecovery200ResponseHeaders{ETag: etag(it.Version)}}, nil
}

func (s *server) IdentifyItem(ctx context.Context, r api.IdentifyItemRequestObject) (api.IdentifyItemResponseObject, error) {
	it, err := versioned(r.Params.IfMatch, func(v int64) (recovery.Item, error) {
		return s.recovery.Identify(ctx, actorOf(ctx), r.Id, v, recovery.IdentifyInput{OwnerPersonID: r.Body.OwnerPersonId, CaseID: r.Body.CaseId, Note: r.Body.Note})
	}, s.itemVersion(ctx, r.Id))
	if err != nil {
		return nil, err
	}
	return api.IdentifyItem200JSONResponse{Body: itemOut(it), Headers: api.IdentifyItem200ResponseHeaders{ETag: etag(it.Version)}}, nil
}

func (s *server) MoveItem(ctx context.Context, r api.MoveItemRequestObject) (api.MoveItemResponseObject, error) {
	b := r.Body
	it, err := versioned(r.Params.IfMatch, func(v int64) (recovery.Item, error) {
		return s.recovery.Move(ctx, actorOf(ctx), r.Id, v, recovery.MoveInput{To: holderIn(b.To),
			CustodyDetails: custodyDetails(b.WitnessId, b.At, b.Reason, b.Condition, b.Seal, b.SealNumber, b.Photos)})
	}, s.itemVersion(ctx, r.Id))
	if err != nil {
		return nil, err
	}
	return api.MoveItem200JSONResponse{Body: itemOut(it), Headers: api.MoveItem200ResponseHeaders{ETag: etag(it.Version)}}, nil
}

func (s *server) CorrectCustody(ctx context.Context, r api.CorrectCustodyRequestObject) (api.CorrectCustodyResponseObject, error) {
	b := r.Body
	it, err := versioned(r.Params.IfMatch, func(v int64) (recovery.Item, error) {
		return s.recovery.Correct(ctx, actorOf(ctx), r.Id, v, recovery.CorrectionInput{Corrects: b.Corrects, To: holderIn(b.To),
			CustodyDetails: custodyDetails(b.WitnessId, b.At, b.Reason, b.Condition, b.Seal, b.SealNumber, b.Photos)})
	}, s.itemVersion(ctx, r.Id))
	if err != nil {
		return nil, err
	}
	return api.CorrectCustody200JSONResponse{Body: itemOut(it), Headers: api.CorrectCustody200ResponseHeaders{ETag: etag(it.Version)}}, nil
}

func (s *server) ListCustody(ctx context.Context, r api.ListCustodyRequestObject) (api.ListCustodyResponseObject, error) {
	chain, err := s.recovery.Custody(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	return api.ListCustody200JSONResponse{Items: mapSlice(chain, custodyOut)}, nil
}

func (s *server) MatchItem(ctx context.Context, r api.MatchItemRequestObject) (api.MatchItemResponseObject, error) {
	limit, err := matchLimit(r.Params.Limit)
	if err != nil {
		return nil, err
	}
	ms, err := s.recovery.Match(ctx, actorOf(ctx), r.Id, limit)
	if err != nil {
		return nil, err
	}
	return api.MatchItem200JSONResponse{Items: mapSlice(ms, matchOut)}, nil
}

func (s *server) ConfirmMatch(ctx context.Context, r api.ConfirmMatchRequestObject) (api.ConfirmMatchResponseObject, error) {
	it, err := versioned(r.Params.IfMatch, func(v int64) (recovery.Item, error) {
		return s.recovery.ConfirmMatch(ctx, actorOf(ctx), r.Id, v, r.Body.ReportedId, r.Body.Note)
	}, s.itemVersion(ctx, r.Id))
	if err != nil {
		return nil, err
	}
	return api.ConfirmMatch200JSONResponse{Body: itemOut(it), Headers: api.ConfirmMatch200ResponseHeaders{ETag: etag(it.Version)}}, nil
}

func (s *server) RequestReturn(ctx context.Context, r api.RequestReturnRequestObject) (api.RequestReturnResponseObject, error) {
	b := r.Body
	ret, err := s.recovery.RequestReturn(ctx, actorOf(ctx), recovery.ReturnInput{ItemID: b.ItemId, Recipient: holderIn(b.Recipient),
		Authorisation: maybeAttachmentIn(b.Authorisation), Note: b.Note, RequestKey: requestKey(r.Params.IdempotencyKey)})
	if err != nil {
		return nil, err
	}
	return api.RequestReturn201JSONResponse{Body: returnOut(ret), Headers: api.RequestReturn201ResponseHeaders{ETag: etag(ret.Version), Location: location(ctx, "/v1/returns/"+ret.ID)}}, nil
}

func (s *server) ListReturns(ctx context.Context, r api.ListReturnsRequestObject) (api.ListReturnsResponseObject, error) {
	p, err := page(r.Params.Limit, r.Params.Cursor)
	if err != nil {
		return nil, err
	}
	q := r.Params
	rets, next, err := s.recovery.ListReturns(ctx, actorOf(ctx), recovery.ReturnQuery{UnitID: deref(q.UnitId), ItemID: deref(q.ItemId),
		CaseID: deref(q.CaseId), EventID: deref(q.EventId), States: statesIn[api.ReturnState, recovery.ReturnState](q.State), Page: p})
	if err != nil {
		return nil, err
	}
	return api.ListReturns200JSONResponse{Items: mapSlice(rets, returnOut), Next: next}, nil
}

func (s *server) GetReturn(ctx context.Context, r api.GetReturnRequestObject) (api.GetReturnResponseObject, error) {
	ret, err := s.recovery.GetReturn(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	return api.GetReturn200JSONResponse{Body: returnOut(ret), Headers: api.GetReturn200ResponseHeaders{ETag: etag(ret.Version)}}, nil
}

func (s *server) ApproveReturn(ctx context.Context, r api.ApproveReturnRequestObject) (api.ApproveReturnResponseObject, error) {
	ret, err := versioned(r.Params.IfMatch, func(v int64) (recovery.Return, error) {
		return s.recovery.ApproveReturn(ctx, actorOf(ctx), r.Id, v, r.Body.Note)
	}, s.returnVersion(ctx, r.Id))
	if err != nil {
		return nil, err
	}
	return api.ApproveReturn200JSONResponse{Body: returnOut(ret), Headers: api.ApproveReturn200ResponseHeaders{ETag: etag(ret.Version)}}, nil
}

func (s *server) RejectReturn(ctx context.Context, r api.RejectReturnRequestObject) (api.RejectReturnResponseObject, error) {
	ret, err := versioned(r.Params.IfMatch, func(v int64) (recovery.Return, error) {
		return s.recovery.RejectReturn(ctx, actorOf(ctx), r.Id, v, r.Body.Note)
	}, s.returnVersion(ctx, r.Id))
	if err != nil {
		return nil, err
	}
	return api.RejectReturn200JSONResponse{Body: returnOut(ret), Headers: api.RejectReturn200ResponseHeaders{ETag: etag(ret.Version)}}, nil
}

func (s *server) CompleteReturn(ctx context.Context, r api.CompleteReturnRequestObject) (api.CompleteReturnResponseObject, error) {
	ret, err := versioned(r.Params.IfMatch, func(v int64) (recovery.Return, error) {
		return s.recovery.CompleteReturn(ctx, actorOf(ctx), r.Id, v, handoverIn(*r.Body))
	}, s.returnVersion(ctx, r.Id))
	if err != nil {
		return nil, err
	}
	return api.CompleteReturn200JSONResponse{Body: returnOut(ret), Headers: api.CompleteReturn200ResponseHeaders{ETag: etag(ret.Version)}}, nil
}

func (s *server) RequestDisposal(ctx context.Context, r api.RequestDisposalRequestObject) (api.RequestDisposalResponseObject, error) {
	b := r.Body
	d, err := s.recovery.RequestDisposal(ctx, actorOf(ctx), recovery.DisposalInput{ItemID: b.ItemId, Method: recovery.DisposalMethod(b.Method),
		Reason: b.Reason, RequestKey: requestKey(r.Params.IdempotencyKey)})
	if err != nil {
		return nil, err
	}
	return api.RequestDisposal201JSONResponse{Body: disposalOut(d), Headers: api.RequestDisposal201ResponseHeaders{ETag: etag(d.Version), Location: location(ctx, "/v1/disposals/"+d.ID)}}, nil
}

func (s *server) ListDisposals(ctx context.Context, r api.ListDisposalsRequestObject) (api.ListDisposalsResponseObject, error) {
	p, err := page(r.Params.Limit, r.Params.Cursor)
	if err != nil {
		return nil, err
	}
	q := r.Params
	ds, next, err := s.recovery.ListDisposals(ctx, actorOf(ctx), recovery.DisposalQuery{UnitID: deref(q.UnitId), ItemID: deref(q.ItemId),
		States: statesIn[api.DisposalState, recovery.DisposalState](q.State), Page: p})
	if err != nil {
		return nil, err
	}
	return api.ListDisposals200JSONResponse{Items: mapSlice(ds, disposalOut), Next: next}, nil
}

func (s *server) GetDisposal(ctx context.Context, r api.GetDisposalRequestObject) (api.GetDisposalResponseObject, error) {
	d, err := s.recovery.GetDisposal(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	return api.GetDisposal200JSONResponse{Body: disposalOut(d), Headers: api.GetDisposal200ResponseHeaders{ETag: etag(d.Version)}}, nil
}

func (s *server) ApproveDisposal(ctx context.Context, r api.ApproveDisposalRequestObject) (api.ApproveDisposalResponseObject, error) {
	d, err := versioned(r.Params.IfMatch, func(v int64) (recovery.Disposal, error) {
		return s.recovery.ApproveDisposal(ctx, actorOf(ctx), r.Id, v, r.Body.Note)
	}, s.disposalVersion(ctx, r.Id))
	if err != nil {
		return nil, err
	}
	return api.ApproveDisposal200JSONResponse{Body: disposalOut(d), Headers: api.ApproveDisposal200ResponseHeaders{ETag: etag(d.Version)}}, nil
}

func (s *server) RejectDisposal(ctx context.Context, r api.RejectDisposalRequestObject) (api.RejectDisposalResponseObject, error) {
	d, err := versioned(r.Params.IfMatch, func(v int64) (recovery.Disposal, error) {
		return s.recovery.RejectDisposal(ctx, actorOf(ctx), r.Id, v, r.Body.Note)
	}, s.disposalVersion(ctx, r.Id))
	if err != nil {
		return nil, err
	}
	return api.RejectDisposal200JSONResponse{Body: disposalOut(d), Headers: api.RejectDisposal200ResponseHeaders{ETag: etag(d.Version)}}, nil
}

func (s *server) CompleteDisposal(ctx context.Context, r api.CompleteDisposalRequestObject) (api.CompleteDisposalResponseObject, error) {
	b := r.Body
	d, err := versioned(r.Params.IfMatch, func(v int64) (recovery.Disposal, error) {
		return s.recovery.CompleteDisposal(ctx, actorOf(ctx), r.Id, v, recovery.DisposalCompletion{ProceedsFen: b.ProceedsFen, Recipient: b.Recipient,
			Document: maybeAttachmentIn(b.Document), WitnessID: b.WitnessId, Condition: b.Condition, Photos: b.Photos})
	}, s.disposalVersion(ctx, r.Id))
	if err != nil {
		return nil, err
	}
	return api.CompleteDisposal200JSONResponse{Body: disposalOut(d), Headers: api.CompleteDisposal200ResponseHeaders{ETag: etag(d.Version)}}, nil
}

func (s *server) PlanReturnEvent(ctx context.Context, r api.PlanReturnEventRequestObject) (api.PlanReturnEventResponseObject, error) {
	b := r.Body
	e, err := s.recovery.PlanEvent(ctx, actorOf(ctx), recovery.EventInput{UnitID: b.UnitId, Name: b.Name, Date: b.Date, Place: b.Place,
		RequestKey: requestKey(r.Params.IdempotencyKey)})
	if err != nil {
		return nil, err
	}
	return api.PlanReturnEvent201JSONResponse{Body: eventOut(e), Headers: api.PlanReturnEvent201ResponseHeaders{ETag: etag(e.Version), Location: location(ctx, "/v1/return-events/"+e.ID)}}, nil
}

func (s *server) ListReturnEvents(ctx context.Context, r api.ListReturnEventsRequestObject) (api.ListReturnEventsResponseObject, error) {
	p, err := page(r.Params.Limit, r.Params.Cursor)
	if err != nil {
		return nil, err
	}
	q := r.Params
	es, next, err := s.recovery.ListEvents(ctx, actorOf(ctx), recovery.EventQuery{UnitID: deref(q.UnitId),
		States: statesIn[api.ReturnEventState, recovery.EventState](q.State), From: deref(q.From), To: deref(q.To), Page: p})
	if err != nil {
		return nil, err
	}
	return api.ListReturnEvents200JSONResponse{Items: mapSlice(es, eventOut), Next: next}, nil
}

func (s *server) GetReturnEvent(ctx context.Context, r api.GetReturnEventRequestObject) (api.GetReturnEventResponseObject, error) {
	e, err := s.recovery.GetEvent(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	return api.GetReturnEvent200JSONResponse{Body: eventOut(e), Headers: api.GetReturnEvent200ResponseHeaders{ETag: etag(e.Version)}}, nil
}

func (s *server) AddReturnsToEvent(ctx context.Context, r api.AddReturnsToEventRequestObject) (api.AddReturnsToEventResponseObject, error) {
	e, err := versioned(r.Params.IfMatch, func(v int64) (recovery.Event, error) {
		return s.recovery.AddReturns(ctx, actorOf(ctx), r.Id, v, r.Body.ReturnIds)
	}, s.eventVersion(ctx, r.Id))
	if err != nil {
		return nil, err
	}
	return api.AddReturnsToEvent200JSONResponse{Body: eventOut(e), Headers: api.AddReturnsToEvent200ResponseHeaders{ETag: etag(e.Version)}}, nil
}

func (s *server) HoldReturnEvent(ctx context.Context, r api.HoldReturnEventRequestObject) (api.HoldReturnEventResponseObject, error) {
	e, err := versioned(r.Params.IfMatch, func(v int64) (recovery.Event, error) {
		return s.recovery.HoldEvent(ctx, actorOf(ctx), r.Id, v, mapSlice(r.Body.Handovers, handoverIn))
	}, s.eventVersion(ctx, r.Id))
	if err != nil {
		return nil, err
	}
	return api.HoldReturnEvent200JSONResponse{Body: eventOut(e), Headers: api.HoldReturnEvent200ResponseHeaders{ETag: etag(e.Version)}}, nil
}

func (s *server) GetReturnList(ctx context.Context, r api.GetReturnListRequestObject) (api.GetReturnListResponseObject, error) {
	l, err := s.recovery.ReturnList(ctx, actorOf(ctx), recovery.ReturnListQuery{CaseID: deref(r.Params.CaseId), EventID: deref(r.Params.EventId)})
	if err != nil {
		return nil, err
	}
	if !wantsHTML(ctx) {
		return api.GetReturnList200JSONResponse(returnListOut(l)), nil
	}
	var doc bytes.Buffer
	if err := l.WriteHTML(&doc); err != nil {
		return nil, err
	}
	return api.GetReturnList200TexthtmlResponse{Body: &doc, ContentLength: int64(doc.Len())}, nil
}
