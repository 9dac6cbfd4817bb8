package openapi

import (
	"context"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/openapi/api"
	"github.com/grassroots-policing/grassroots/outreach"
)

// The operations of tag outreach: outreach: visits, visit plans and due visits, hazards, appointments and campaigns.

func (s *server) RecordVisit(ctx context.Context, r api.RecordVisitRequestObject) (api.RecordVisitResponseObject, error) {
	v, err := s.outreach.RecordVisit(ctx, actorOf(ctx), visitIn(*r.Body, requestKey(r.Params.IdempotencyKey)))
	if err != nil {
		return nil, err
	}
	return api.RecordVisit201JSONResponse{Body: visitOut(v), Headers: api.RecordVisit201ResponseHeaders{ETag: etag(v.Version), Location: location(ctx, "/v1/visits/"+v.ID)}}, nil
}

func (s *server) ListVisits(ctx context.Context, r api.ListVisitsRequestObject) (api.ListVisitsResponseObject, error) {
	p, err := page(r.Params.Limit, r.Params.Cursor)
	if err != nil {
		return nil, err
	}
	q := outreach.VisitQuery{UnitID: deref(r.Params.UnitId), OfficerID: deref(r.Params.OfficerId), TargetKind: outreach.TargetKind(deref(r.Params.TargetKind)),
		From: deref(r.Params.From), To: deref(r.Params.To), CampaignID: deref(r.Params.CampaignId), PlanEntryID: deref(r.Params.PlanEntryId),
		AddressID: deref(r.Params.AddressId), Page: p}
	listed, err := s.outreach.ListVisitPage(ctx, actorOf(ctx), q)
	if err != nil {
		return nil, err
	}
	items, err := cachedObjects(ctx, s.listed, listed, visitObject)
	if err != nil {
		return nil, err
	}
	return visitPage{items: items, next: listed.Next}, nil
}

func (s *server) GetVisit(ctx context.Context, r api.GetVisitRequestObject) (api.GetVisitResponseObject, error) {
	v, files, err := s.outreach.GetVisitWithAttachments(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	body := visitOut(v)
	body.Attachments = recordAttachmentsOut(ctx, files)
	return api.GetVisit200JSONResponse{Body: body, Headers: api.GetVisit200ResponseHeaders{ETag: etag(v.Version)}}, nil
}

func (s *server) AmendVisit(ctx context.Context, r api.AmendVisitRequestObject) (api.AmendVisitResponseObject, error) {
	am := outreach.VisitAmendment{Notes: optional(r.Body.Notes), Services: mapInput(r.Body.Services, serviceIn), Aid: mapInput(r.Body.Aid, aidIn)}
	v, err := update(ctx, r.Params.IfMatch, r.Id, s.outreach.GetVisit, visitVersion, func(actor casework.Actor, version int64) (outreach.Visit, error) {
		return s.outreach.AmendVisit(ctx, actor, r.Id, version, am)
	})
	if err != nil {
		return nil, err
	}
	return api.AmendVisit200JSONResponse{Body: visitOut(v), Headers: api.AmendVisit200ResponseHeaders{ETag: etag(v.Version)}}, nil
}

func (s *server) ListVisitHandoffs(ctx context.Context, r api.ListVisitHandoffsRequestObject) (api.ListVisitHandoffsResponseObject, error) {
	msgs, err := s.outreach.HandOffs(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	return api.ListVisitHandoffs200JSONResponse{Items: mapSlice(msgs, outreachHandoffOut)}, nil
}

func (s *server) AddToPlan(ctx context.Context, r api.AddToPlanRequestObject) (api.AddToPlanResponseObject, error) {
	in := outreach.PlanInput{UnitID: r.Body.UnitId, Kind: outreach.TargetKind(r.Body.Kind), AddressID: r.Body.AddressId, PersonID: r.Body.PersonId,
		Organisation: r.Body.Organisation, Note: r.Body.Note, RequestKey: requestKey(r.Params.IdempotencyKey)}
	e, err := s.outreach.AddToPlan(ctx, actorOf(ctx), in)
	if err != nil {
		return nil, err
	}
	return api.AddToPlan201JSONResponse{Body: planEntryOut(e), Headers: api.AddToPlan201ResponseHeaders{ETag: etag(e.Version), Location: location(ctx, "/v1/plan-entries/"+e.ID)}}, nil
}

func (s *server) GetPlanEntry(ctx context.Context, r api.GetPlanEntryRequestObject) (api.GetPlanEntryResponseObject, error) {
	e, err := s.outreach.GetPlanEntry(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	return api.GetPlanEntry200JSONResponse{Body: planEntryOut(e), Headers: api.GetPlanEntry200ResponseHeaders{ETag: etag(e.Version)}}, nil
}

func (s *server) RemoveFromPlan(ctx context.Context, r api.RemoveFromPlanRequestObject) (api.RemoveFromPlanResponseObject, error) {
	e, err := update(ctx, r.Params.IfMatch, r.Id, s.outreach.GetPlanEntry, planEntryVersion, func(actor casework.Actor, version int64) (outreach.PlanEntry, error) {
		return s.outreach.RemoveFromPlan(ctx, actor, r.Id, version, r.Body.Reason)
	})
	if err != nil {
		return nil, err
	}
	return api.RemoveFromPlan200JSONResponse{Body: planEntryOut(e), Headers: api.RemoveFromPlan200ResponseHeaders{ETag: etag(e.Version)}}, nil
}

func (s *server) ListDueVisits(ctx context.Context, r api.ListDueVisitsRequestObject) (api.ListDueVisitsResponseObject, error) {
	p, err := page(r.Params.Limit, r.Params.Cursor)
	if err != nil {
		return nil, err
	}
	q := outreach.DueQuery{OfficerID: deref(r.Params.OfficerId), UnitID: deref(r.Params.UnitId), Kind: outreach.TargetKind(deref(r.Params.Kind)),
		AsOf: deref(r.Params.AsOf), Page: p}
	due, next, err := s.outreach.DueVisits(ctx, actorOf(ctx), q)
	if err != nil {
		return nil, err
	}
	return api.ListDueVisits200JSONResponse{Items: mapSlice(due, dueVisitOut), Next: next}, nil
}

func (s *server) ReportHazard(ctx context.Context, r api.ReportHazardRequestObject) (api.ReportHazardResponseObject, error) {
	in := hazardIn(*r.Body)
	in.RequestKey = requestKey(r.Params.IdempotencyKey)
	h, err := s.outreach.ReportHazard(ctx, actorOf(ctx), in)
	if err != nil {
		return nil, err
	}
	return api.ReportHazard201JSONResponse{Body: hazardOut(h), Headers: api.ReportHazard201ResponseHeaders{ETag: etag(h.Version), Location: location(ctx, "/v1/hazards/"+h.ID)}}, nil
}

func (s *server) ListHazards(ctx context.Context, r api.ListHazardsRequestObject) (api.ListHazardsResponseObject, error) {
	p, err := page(r.Params.Limit, r.Params.Cursor)
	if err != nil {
		return nil, err
	}
	q := outreach.HazardQuery{UnitID: deref(r.Params.UnitId), Status: mapSlice(r.Params.Status, func(st api.HazardStatus) outreach.HazardStatus { return outreach.HazardStatus(st) }),
		VisitID: deref(r.Params.VisitId), OfficerID: deref(r.Params.OfficerId), Overdue: deref(r.Params.Overdue),
		From: deref(r.Params.From), To: deref(r.Params.To), Page: p}
	return s.listHazards(ctx, q)
}

func (s *server) ListOverdueHazards(ctx context.Context, r api.ListOverdueHazardsRequestObject) (api.ListOverdueHazardsResponseObject, error) {
	p, err := page(r.Params.Limit, r.Params.Cursor)
	if err != nil {
		return nil, err
	}
	list, err := s.listHazards(ctx, outreach.HazardQuery{UnitID: deref(r.Params.UnitId), Overdue: true, Page: p})
	if err != nil {
		return nil, err
	}
	return api.ListOverdueHazards200JSONResponse(list), nil
}

// listHazards is the one list of hazards both list operations answer.
func (s *server) listHazards(ctx context.Context, q outreach.HazardQuery) (api.ListHazards200JSONResponse, error) {
	hazards, next, err := s.outreach.ListHazards(ctx, actorOf(ctx), q)
	if err != nil {
		return api.ListHazards200JSONResponse{}, err
	}
	return api.ListHazards200JSONResponse{Items: mapSlice(hazards, hazardOut), Next: next}, nil
}

func (s *server) GetHazard(ctx context.Context, r api.GetHazardRequestObject) (api.GetHazardResponseObject, error) {
	h, files, err := s.outreach.GetHazardWithAttachments(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	body := hazardOut(h)
	body.Attachments = recordAttachmentsOut(ctx, files)
	return api.GetHazard200JSONResponse{Body: body, Headers: api.GetHazard200ResponseHeaders{ETag: etag(h.Version)}}, nil
}

// hazardMove is the signature of every hazard state change of the service.
type hazardMove func(ctx context.Context, actor casework.Actor, id string, version int64, note string) (outreach.Hazard, error)

// moveHazard makes a hazard move against If-Match and answers the hazard
// with its ETag.
func (s *server) moveHazard(ctx context.Context, move hazardMove, id string, header api.IfMatch, note string) (api.Hazard, string, error) {
	h, err := update(ctx, header, id, s.outreach.GetHazard, hazardVersion, func(actor casework.Actor, version int64) (outreach.Hazard, error) {
		return move(ctx, actor, id, version, note)
	})
	if err != nil {
		return api.Hazard{}, "", err
	}
	return hazardOut(h), etag(h.Version), nil
}

func (s *server) StartRectifying(ctx context.Context, r api.StartRectifyingRequestObject) (api.StartRectifyingResponseObject, error) {
	h, tag, err := s.moveHazard(ctx, s.outreach.StartRectifying, r.Id, r.Params.IfMatch, r.Body.Note)
	if err != nil {
		return nil, err
	}
	return api.StartRectifying200JSONResponse{Body: h, Headers: api.StartRectifying200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) RecordRectified(ctx context.Context, r api.RecordRectifiedRequestObject) (api.RecordRectifiedResponseObject, error) {
	h, tag, err := s.moveHazard(ctx, s.outreach.RecordRectified, r.Id, r.Params.IfMatch, r.Body.Note)
	if err != nil {
		return nil, err
	}
	return api.RecordRectified200JSONResponse{Body: h, Headers: api.RecordRectified200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) RejectRectification(ctx context.Context, r api.RejectRectificationRequestObject) (api.RejectRectificationResponseObject, error) {
	h, tag, err := s.moveHazard(ctx, s.outreach.RejectRectification, r.Id, r.Params.IfMatch, r.Body.Reason)
	if err != nil {
		return nil, err
	}
	return api.RejectRectification200JSONResponse{Body: h, Headers: api.RejectRectification200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) VerifyHazard(ctx context.Context, r api.VerifyHazardRequestObject) (api.VerifyHazardResponseObject, error) {
	h, tag, err := s.moveHazard(ctx, s.outreach.VerifyHazard, r.Id, r.Params.IfMatch, r.Body.Note)
	if err != nil {
		return nil, err
	}
	return api.VerifyHazard200JSONResponse{Body: h, Headers: api.VerifyHazard200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) RequestAppointment(ctx context.Context, r api.RequestAppointmentRequestObject) (api.RequestAppointmentResponseObject, error) {
	a, err := s.outreach.RequestAppointment(ctx, actorOf(ctx), appointmentIn(*r.Body, requestKey(r.Params.IdempotencyKey)))
	if err != nil {
		return nil, err
	}
	return api.RequestAppointment201JSONResponse{Body: appointmentOut(a), Headers: api.RequestAppointment201ResponseHeaders{ETag: etag(a.Version), Location: location(ctx, "/v1/appointments/"+a.ID)}}, nil
}

func (s *server) ListAppointments(ctx context.Context, r api.ListAppointmentsRequestObject) (api.ListAppointmentsResponseObject, error) {
	p, err := page(r.Params.Limit, r.Params.Cursor)
	if err != nil {
		return nil, err
	}
	q := outreach.AppointmentQuery{UnitID: deref(r.Params.UnitId), OfficerID: deref(r.Params.OfficerId),
		Status: mapSlice(r.Params.Status, func(st api.AppointmentStatus) outreach.AppointmentStatus { return outreach.AppointmentStatus(st) }),
		From:   deref(r.Params.From), To: deref(r.Params.To), Page: p}
	list, next, err := s.outreach.ListAppointments(ctx, actorOf(ctx), q)
	if err != nil {
		return nil, err
	}
	return api.ListAppointments200JSONResponse{Items: mapSlice(list, appointmentOut), Next: next}, nil
}

func (s *server) GetAppointment(ctx context.Context, r api.GetAppointmentRequestObject) (api.GetAppointmentResponseObject, error) {
	a, err := s.outreach.GetAppointment(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	return api.GetAppointment200JSONResponse{Body: appointmentOut(a), Headers: api.GetAppointment200ResponseHeaders{ETag: etag(a.Version)}}, nil
}

// moveAppointment makes an appointment move against If-Match and answers
// the appointment with its ETag.
func (s *server) moveAppointment(ctx context.Context, id string, header api.IfMatch,
	move func(actor casework.Actor, version int64) (outreach.Appointment, error)) (api.Appointment, string, error) {
	a, err := update(ctx, header, id, s.outreach.GetAppointment, appointmentVersion, move)
	if err != nil {
		return api.Appointment{}, "", err
	}
	return appointmentOut(a), etag(a.Version), nil
}

func (s *server) AcceptAppointment(ctx context.Context, r api.AcceptAppointmentRequestObject) (api.AcceptAppointmentResponseObject, error) {
	a, tag, err := s.moveAppointment(ctx, r.Id, r.Params.IfMatch, func(actor casework.Actor, version int64) (outreach.Appointment, error) {
		return s.outreach.AcceptAppointment(ctx, actor, r.Id, version, r.Body.OfficerId)
	})
	if err != nil {
		return nil, err
	}
	return api.AcceptAppointment200JSONResponse{Body: a, Headers: api.AcceptAppointment200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) DeclineAppointment(ctx context.Context, r api.DeclineAppointmentRequestObject) (api.DeclineAppointmentResponseObject, error) {
	a, tag, err := s.moveAppointment(ctx, r.Id, r.Params.IfMatch, func(actor casework.Actor, version int64) (outreach.Appointment, error) {
		return s.outreach.DeclineAppointment(ctx, actor, r.Id, version, r.Body.Reason)
	})
	if err != nil {
		return nil, err
	}
	return api.DeclineAppointment200JSONResponse{Body: a, Headers: api.DeclineAppointment200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) CompleteAppointment(ctx context.Context, r api.CompleteAppointmentRequestObject) (api.CompleteAppointmentResponseObject, error) {
	a, tag, err := s.moveAppointment(ctx, r.Id, r.Params.IfMatch, func(actor casework.Actor, version int64) (outreach.Appointment, error) {
		return s.outreach.CompleteAppointment(ctx, actor, r.Id, version, r.Body.Note, r.Body.VisitId)
	})
	if err != nil {
		return nil, err
	}
	return api.CompleteAppointment200JSONResponse{Body: a, Headers: api.CompleteAppointment200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) MarkNoShow(ctx context.Context, r api.MarkNoShowRequestObject) (api.MarkNoShowResponseObject, error) {
	a, tag, err := s.moveAppointment(ctx, r.Id, r.Params.IfMatch, func(actor casework.Actor, version int64) (outreach.Appointment, error) {
		return s.outreach.MarkNoShow(ctx, actor, r.Id, version, r.Body.Note)
	})
	if err != nil {
		return nil, err
	}
	return api.MarkNoShow200JSONResponse{Body: a, Headers: api.MarkNoShow200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) CreateCampaign(ctx context.Context, r api.CreateCampaignRequestObject) (api.CreateCampaignResponseObject, error) {
	in := outreach.CampaignInput{UnitID: r.Body.UnitId, Name: r.Body.Name, Description: r.Body.Description, From: r.Body.From, To: r.Body.To,
		UnitIDs: r.Body.UnitIds, Goals: mapInput(r.Body.Goals, goalIn), RequestKey: requestKey(r.Params.IdempotencyKey)}
	c, err := s.outreach.CreateCampaign(ctx, actorOf(ctx), in)
	if err != nil {
		return nil, err
	}
	return api.CreateCampaign201JSONResponse{Body: campaignOut(c), Headers: api.CreateCampaign201ResponseHeaders{ETag: etag(c.Version), Location: location(ctx, "/v1/campaigns/"+c.ID)}}, nil
}

func (s *server) ListCampaigns(ctx context.Context, r api.ListCampaignsRequestObject) (api.ListCampaignsResponseObject, error) {
	p, err := page(r.Params.Limit, r.Params.Cursor)
	if err != nil {
		return nil, err
	}
	list, next, err := s.outreach.ListCampaigns(ctx, actorOf(ctx), deref(r.Params.ActiveAt), p)
	if err != nil {
		return nil, err
	}
	return api.ListCampaigns200JSONResponse{Items: mapSlice(list, campaignOut), Next: next}, nil
}

func (s *server) GetCampaign(ctx context.Context, r api.GetCampaignRequestObject) (api.GetCampaignResponseObject, error) {
	c, err := s.outreach.GetCampaign(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	return api.GetCampaign200JSONResponse{Body: campaignOut(c), Headers: api.GetCampaign200ResponseHeaders{ETag: etag(c.Version)}}, nil
}

func (s *server) UpdateCampaign(ctx context.Context, r api.UpdateCampaignRequestObject) (api.UpdateCampaignResponseObject, error) {
	up := outreach.CampaignUpdate{Name: optional(r.Body.Name), Description: optional(r.Body.Description), Goals: mapInput(r.Body.Goals, goalIn)}
	c, err := update(ctx, r.Params.IfMatch, r.Id, s.outreach.GetCampaign, campaignVersion, func(actor casework.Actor, version int64) (outreach.Campaign, error) {
		return s.outreach.UpdateCampaign(ctx, actor, r.Id, version, up)
	})
	if err != nil {
		return nil, err
	}
	return api.UpdateCampaign200JSONResponse{Body: campaignOut(c), Headers: api.UpdateCampaign200ResponseHeaders{ETag: etag(c.Version)}}, nil
}

func (s *server) GetCampaignProgress(ctx context.Context, r api.GetCampaignProgressRequestObject) (api.GetCampaignProgressResponseObject, error) {
	p, err := s.outreach.CampaignProgress(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	return api.GetCampaignProgress200JSONResponse(progressOut(p)), nil
}

func (s *server) ReferToAgency(ctx context.Context, r api.ReferToAgencyRequestObject) (api.ReferToAgencyResponseObject, error) {
	ref, err := s.outreach.Refer(ctx, actorOf(ctx), agencyReferralIn(r.Id, *r.Body, requestKey(r.Params.IdempotencyKey)))
	if err != nil {
		return nil, err
	}
	return api.ReferToAgency201JSONResponse{Body: agencyReferralOut(ref), Headers: api.ReferToAgency201ResponseHeaders{ETag: etag(ref.Version),
		Location: location(ctx, "/v1/referrals/"+ref.ID)}}, nil
}

func (s *server) ListReferrals(ctx context.Context, r api.ListReferralsRequestObject) (api.ListReferralsResponseObject, error) {
	p, err := page(r.Params.Limit, r.Params.Cursor)
	if err != nil {
		return nil, err
	}
	q := outreach.ReferralQuery{UnitID: deref(r.Params.UnitId), OwnerID: deref(r.Params.OwnerId), VisitID: deref(r.Params.VisitId),
		Overdue: deref(r.Params.Overdue), Page: p,
		Status: mapSlice(r.Params.Status, func(st api.AgencyReferralStatus) outreach.ReferralStatus { return outreach.ReferralStatus(st) })}
	refs, next, err := s.outreach.ListReferrals(ctx, actorOf(ctx), q)
	if err != nil {
		return nil, err
	}
	return api.ListReferrals200JSONResponse{Items: mapSlice(refs, agencyReferralOut), Next: next}, nil
}

func (s *server) ListOverdueReferrals(ctx context.Context, r api.ListOverdueReferralsRequestObject) (api.ListOverdueReferralsResponseObject, error) {
	p, err := page(r.Params.Limit, r.Params.Cursor)
	if err != nil {
		return nil, err
	}
	refs, next, err := s.outreach.ListOverdueReferrals(ctx, actorOf(ctx), deref(r.Params.UnitId), p)
	if err != nil {
		return nil, err
	}
	return api.ListOverdueReferrals200JSONResponse{Items: mapSlice(refs, agencyReferralOut), Next: next}, nil
}

func (s *server) GetReferral(ctx context.Context, r api.GetReferralRequestObject) (api.GetReferralResponseObject, error) {
	ref, err := s.outreach.GetReferral(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	return api.GetReferral200JSONResponse{Body: agencyReferralOut(ref), Headers: api.GetReferral200ResponseHeaders{ETag: etag(ref.Version)}}, nil
}

func (s *server) FollowUpReferral(ctx context.Context, r api.FollowUpReferralRequestObject) (api.FollowUpReferralResponseObject, error) {
	ref, err := update(ctx, r.Params.IfMatch, r.Id, s.outreach.GetReferral, referralVersion, func(actor casework.Actor, version int64) (outreach.Referral, error) {
		return s.outreach.FollowUpReferral(ctx, actor, r.Id, version, r.Body.Note)
	})
	if err != nil {
		return nil, err
	}
	return api.FollowUpReferral200JSONResponse{Body: agencyReferralOut(ref), Headers: api.FollowUpReferral200ResponseHeaders{ETag: etag(ref.Version)}}, nil
}

func (s *server) CloseReferral(ctx context.Context, r api.CloseReferralRequestObject) (api.CloseReferralResponseObject, error) {
	ref, err := update(ctx, r.Params.IfMatch, r.Id, s.outreach.GetReferral, referralVersion, func(actor casework.Actor, version int64) (outreach.Referral, error) {
		return s.outreach.CloseReferral(ctx, actor, r.Id, version, outreach.ReferralOutcome(r.Body.Outcome), r.Body.Note)
	})
	if err != nil {
		return nil, err
	}
	return api.CloseReferral200JSONResponse{Body: agencyReferralOut(ref), Headers: api.CloseReferral200ResponseHeaders{ETag: etag(ref.Version)}}, nil
}
