package openapi

import (
	"bytes"
	"context"
	"io"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/openapi/api"
)

// The operations of tag mediation: dispute mediation: disputes, sessions, agreements, signatures, confirmations and follow-ups.

func (s *server) ReportDispute(ctx context.Context, r api.ReportDisputeRequestObject) (api.ReportDisputeResponseObject, error) {
	d, err := s.mediation.Report(ctx, actorOf(ctx), disputeReportIn(*r.Body, requestKey(r.Params.IdempotencyKey)))
	if err != nil {
		return nil, err
	}
	return api.ReportDispute201JSONResponse{Body: disputeOut(d), Headers: api.ReportDispute201ResponseHeaders{ETag: etag(d.Version), Location: location(ctx, "/v1/disputes/"+d.ID)}}, nil
}

func (s *server) ListDisputes(ctx context.Context, r api.ListDisputesRequestObject) (api.ListDisputesResponseObject, error) {
	p, err := page(r.Params.Limit, r.Params.Cursor)
	if err != nil {
		return nil, err
	}
	q := mediation.Query{UnitID: deref(r.Params.UnitId), States: castStrings[api.DisputeState, mediation.State](r.Params.State),
		Category: deref(r.Params.Category), Risk: mediation.Risk(deref(r.Params.Risk)), Kind: mediation.Kind(deref(r.Params.Kind)),
		Source: deref(r.Params.Source), PartyDocType: casework.DocType(deref(r.Params.PartyDocType)), PartyDocNumber: deref(r.Params.PartyDocNumber),
		ReportedFrom: deref(r.Params.ReportedFrom), ReportedTo: deref(r.Params.ReportedTo), Overdue: deref(r.Params.Overdue), Page: p}
	ds, next, err := s.mediation.List(ctx, actorOf(ctx), q)
	if err != nil {
		return nil, err
	}
	return api.ListDisputes200JSONResponse{Items: mapSlice(ds, disputeOut), Next: next}, nil
}

func (s *server) ListOverdueDisputes(ctx context.Context, r api.ListOverdueDisputesRequestObject) (api.ListOverdueDisputesResponseObject, error) {
	p, err := page(r.Params.Limit, r.Params.Cursor)
	if err != nil {
		return nil, err
	}
	ds, next, err := s.mediation.ListOverdue(ctx, actorOf(ctx), deref(r.Params.UnitId), s.kernel.Now(), p)
	if err != nil {
		return nil, err
	}
	return api.ListOverdueDisputes200JSONResponse{Items: mapSlice(ds, disputeOut), Next: next}, nil
}

func (s *server) GetDispute(ctx context.Context, r api.GetDisputeRequestObject) (api.GetDisputeResponseObject, error) {
	d, err := s.mediation.Get(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	return api.GetDispute200JSONResponse{Body: disputeOut(d), Headers: api.GetDispute200ResponseHeaders{ETag: etag(d.Version)}}, nil
}

func (s *server) ScreenDispute(ctx context.Context, r api.ScreenDisputeRequestObject) (api.ScreenDisputeResponseObject, error) {
	d, tag, err := s.transition(ctx, r.Id, r.Params.IfMatch, mediation.StateScreened, *r.Body)
	if err != nil {
		return nil, err
	}
	return api.ScreenDispute200JSONResponse{Body: d, Headers: api.ScreenDispute200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) RejectDispute(ctx context.Context, r api.RejectDisputeRequestObject) (api.RejectDisputeResponseObject, error) {
	d, tag, err := s.transition(ctx, r.Id, r.Params.IfMatch, mediation.StateNotAccepted, *r.Body)
	if err != nil {
		return nil, err
	}
	return api.RejectDispute200JSONResponse{Body: d, Headers: api.RejectDispute200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) AcceptDispute(ctx context.Context, r api.AcceptDisputeRequestObject) (api.AcceptDisputeResponseObject, error) {
	d, tag, err := s.transition(ctx, r.Id, r.Params.IfMatch, mediation.StateAccepted, *r.Body)
	if err != nil {
		return nil, err
	}
	return api.AcceptDispute200JSONResponse{Body: d, Headers: api.AcceptDispute200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) StartMediation(ctx context.Context, r api.StartMediationRequestObject) (api.StartMediationResponseObject, error) {
	d, tag, err := s.transition(ctx, r.Id, r.Params.IfMatch, mediation.StateInMediation, *r.Body)
	if err != nil {
		return nil, err
	}
	return api.StartMediation200JSONResponse{Body: d, Headers: api.StartMediation200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) FailMediation(ctx context.Context, r api.FailMediationRequestObject) (api.FailMediationResponseObject, error) {
	d, tag, err := s.transition(ctx, r.Id, r.Params.IfMatch, mediation.StateFailed, *r.Body)
	if err != nil {
		return nil, err
	}
	return api.FailMediation200JSONResponse{Body: d, Headers: api.FailMediation200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) StartFollowUp(ctx context.Context, r api.StartFollowUpRequestObject) (api.StartFollowUpResponseObject, error) {
	d, tag, err := s.transition(ctx, r.Id, r.Params.IfMatch, mediation.StateFollowingUp, *r.Body)
	if err != nil {
		return nil, err
	}
	return api.StartFollowUp200JSONResponse{Body: d, Headers: api.StartFollowUp200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) CloseDispute(ctx context.Context, r api.CloseDisputeRequestObject) (api.CloseDisputeResponseObject, error) {
	d, tag, err := s.transition(ctx, r.Id, r.Params.IfMatch, mediation.StateClosed, *r.Body)
	if err != nil {
		return nil, err
	}
	return api.CloseDispute200JSONResponse{Body: d, Headers: api.CloseDispute200ResponseHeaders{ETag: tag}}, nil
}

// ReopenDispute takes a closed dispute back into mediation
// (mediation.Service.Reopen).
func (s *server) ReopenDispute(ctx context.Context, r api.ReopenDisputeRequestObject) (api.ReopenDisputeResponseObject, error) {
	d, tag, err := s.change(ctx, r.Id, r.Params.IfMatch, func(a casework.Actor, v int64) (mediation.Dispute, error) {
		return s.mediation.Reopen(ctx, a, r.Id, v, r.Body.Reason)
	})
	if err != nil {
		return nil, err
	}
	return api.ReopenDispute200JSONResponse{Body: d, Headers: api.ReopenDispute200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) ReferDispute(ctx context.Context, r api.ReferDisputeRequestObject) (api.ReferDisputeResponseObject, error) {
	d, tag, err := s.transition(ctx, r.Id, r.Params.IfMatch, mediation.StateReferred, *r.Body)
	if err != nil {
		return nil, err
	}
	return api.ReferDispute200JSONResponse{Body: d, Headers: api.ReferDispute200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) AssignDispute(ctx context.Context, r api.AssignDisputeRequestObject) (api.AssignDisputeResponseObject, error) {
	in := mediation.AssignInput{Staff: r.Body.Staff, Reason: r.Body.Reason}
	d, tag, err := s.change(ctx, r.Id, r.Params.IfMatch, func(a casework.Actor, v int64) (mediation.Dispute, error) {
		return s.mediation.Assign(ctx, a, r.Id, v, in)
	})
	if err != nil {
		return nil, err
	}
	return api.AssignDispute200JSONResponse{Body: d, Headers: api.AssignDispute200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) AssessDisputeRisk(ctx context.Context, r api.AssessDisputeRiskRequestObject) (api.AssessDisputeRiskResponseObject, error) {
	in := mediation.RiskInput{Risk: mediation.Risk(r.Body.Risk), Reason: r.Body.Reason}
	d, tag, err := s.change(ctx, r.Id, r.Params.IfMatch, func(a casework.Actor, v int64) (mediation.Dispute, error) {
		return s.mediation.Assess(ctx, a, r.Id, v, in)
	})
	if err != nil {
		return nil, err
	}
	return api.AssessDisputeRisk200JSONResponse{Body: d, Headers: api.AssessDisputeRisk200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) ReviewDispute(ctx context.Context, r api.ReviewDisputeRequestObject) (api.ReviewDisputeResponseObject, error) {
	d, tag, err := s.change(ctx, r.Id, r.Params.IfMatch, func(a casework.Actor, v int64) (mediation.Dispute, error) {
		return s.mediation.Review(ctx, a, r.Id, v, r.Body.Note)
	})
	if err != nil {
		return nil, err
	}
	return api.ReviewDispute200JSONResponse{Body: d, Headers: api.ReviewDispute200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) UpdateDisputeParties(ctx context.Context, r api.UpdateDisputePartiesRequestObject) (api.UpdateDisputePartiesResponseObject, error) {
	parties := mapSliceIn(r.Body.Parties, partyIn)
	d, tag, err := s.change(ctx, r.Id, r.Params.IfMatch, func(a casework.Actor, v int64) (mediation.Dispute, error) {
		return s.mediation.UpdateParties(ctx, a, r.Id, v, parties)
	})
	if err != nil {
		return nil, err
	}
	return api.UpdateDisputeParties200JSONResponse{Body: d, Headers: api.UpdateDisputeParties200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) RecordSession(ctx context.Context, r api.RecordSessionRequestObject) (api.RecordSessionResponseObject, error) {
	in := sessionIn(*r.Body)
	d, tag, err := s.change(ctx, r.Id, r.Params.IfMatch, func(a casework.Actor, v int64) (mediation.Dispute, error) {
		return s.mediation.RecordSession(ctx, a, r.Id, v, in)
	})
	if err != nil {
		return nil, err
	}
	return api.RecordSession200JSONResponse{Body: d, Headers: api.RecordSession200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) PrintMediationRecord(ctx context.Context, r api.PrintMediationRecordRequestObject) (api.PrintMediationRecordResponseObject, error) {
	body, n, err := printed(func(w io.Writer) error {
		return s.mediation.PrintRecord(ctx, actorOf(ctx), r.Id, r.SessionId, w, printOptions(r.Params.RevealReason))
	})
	if err != nil {
		return nil, err
	}
	return api.PrintMediationRecord200TexthtmlResponse{Body: body, ContentLength: n}, nil
}

func (s *server) DraftAgreement(ctx context.Context, r api.DraftAgreementRequestObject) (api.DraftAgreementResponseObject, error) {
	in := agreementIn(*r.Body)
	d, tag, err := s.change(ctx, r.Id, r.Params.IfMatch, func(a casework.Actor, v int64) (mediation.Dispute, error) {
		return s.mediation.DraftAgreement(ctx, a, r.Id, v, in)
	})
	if err != nil {
		return nil, err
	}
	return api.DraftAgreement200JSONResponse{Body: d, Headers: api.DraftAgreement200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) PrintAgreement(ctx context.Context, r api.PrintAgreementRequestObject) (api.PrintAgreementResponseObject, error) {
	body, n, err := printed(func(w io.Writer) error {
		return s.mediation.PrintAgreement(ctx, actorOf(ctx), r.Id, w, printOptions(r.Params.RevealReason))
	})
	if err != nil {
		return nil, err
	}
	return api.PrintAgreement200TexthtmlResponse{Body: body, ContentLength: n}, nil
}

func (s *server) SignAgreement(ctx context.Context, r api.SignAgreementRequestObject) (api.SignAgreementResponseObject, error) {
	in := signatureIn(*r.Body)
	d, tag, err := s.change(ctx, r.Id, r.Params.IfMatch, func(a casework.Actor, v int64) (mediation.Dispute, error) {
		return s.mediation.SignAgreement(ctx, a, r.Id, v, in)
	})
	if err != nil {
		return nil, err
	}
	return api.SignAgreement200JSONResponse{Body: d, Headers: api.SignAgreement200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) ApplyConfirmation(ctx context.Context, r api.ApplyConfirmationRequestObject) (api.ApplyConfirmationResponseObject, error) {
	in := mediation.ConfirmationInput{Court: r.Body.Court, AppliedAt: r.Body.AppliedAt}
	d, tag, err := s.change(ctx, r.Id, r.Params.IfMatch, func(a casework.Actor, v int64) (mediation.Dispute, error) {
		return s.mediation.ApplyConfirmation(ctx, a, r.Id, v, in)
	})
	if err != nil {
		return nil, err
	}
	return api.ApplyConfirmation200JSONResponse{Body: d, Headers: api.ApplyConfirmation200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) RuleConfirmation(ctx context.Context, r api.RuleConfirmationRequestObject) (api.RuleConfirmationResponseObject, error) {
	in := mediation.RulingInput{Status: mediation.ConfirmationStatus(r.Body.Status), RuledAt: r.Body.RuledAt, Note: r.Body.Note}
	d, tag, err := s.change(ctx, r.Id, r.Params.IfMatch, func(a casework.Actor, v int64) (mediation.Dispute, error) {
		return s.mediation.RuleConfirmation(ctx, a, r.Id, v, in)
	})
	if err != nil {
		return nil, err
	}
	return api.RuleConfirmation200JSONResponse{Body: d, Headers: api.RuleConfirmation200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) RecordFollowUp(ctx context.Context, r api.RecordFollowUpRequestObject) (api.RecordFollowUpResponseObject, error) {
	in := followUpIn(*r.Body)
	d, tag, err := s.change(ctx, r.Id, r.Params.IfMatch, func(a casework.Actor, v int64) (mediation.Dispute, error) {
		return s.mediation.RecordFollowUp(ctx, a, r.Id, v, in)
	})
	if err != nil {
		return nil, err
	}
	return api.RecordFollowUp200JSONResponse{Body: d, Headers: api.RecordFollowUp200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) ShareDispute(ctx context.Context, r api.ShareDisputeRequestObject) (api.ShareDisputeResponseObject, error) {
	sh, err := s.mediation.Share(ctx, actorOf(ctx), r.Id, r.Body.UnitId, r.Body.Reason, r.Body.Until)
	if err != nil {
		return nil, err
	}
	return api.ShareDispute201JSONResponse{Body: shareOut(sh), Headers: api.ShareDispute201ResponseHeaders{ETag: etag(sh.Version), Location: location(ctx, "/v1/shares/"+sh.ID)}}, nil
}

// change runs one compare-and-swap change of dispute id based on the
// version If-Match names, and answers the changed dispute with its ETag; a
// stale version answers 412 with the current ETag.
func (s *server) change(ctx context.Context, id string, header api.IfMatch, do func(casework.Actor, int64) (mediation.Dispute, error)) (api.Dispute, string, error) {
	d, err := ifMatchChange(ctx, header, do, func(a casework.Actor) (int64, error) {
		d, err := s.mediation.Get(ctx, a, id)
		return d.Version, err
	})
	if err != nil {
		return api.Dispute{}, "", err
	}
	return disputeOut(d), etag(d.Version), nil
}

// transition is change for the action endpoints: each names the state it
// moves the dispute to.
func (s *server) transition(ctx context.Context, id string, header api.IfMatch, to mediation.State, body api.DisputeActionInput) (api.Dispute, string, error) {
	in := transitionIn(to, body)
	return s.change(ctx, id, header, func(a casework.Actor, v int64) (mediation.Dispute, error) {
		return s.mediation.Transition(ctx, a, id, v, in)
	})
}

// printed renders a document into memory first, so that a failure (out of
// reach, no agreement) answers a problem rather than half a page.
func printed(render func(io.Writer) error) (io.Reader, int64, error) {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return nil, 0, err
	}
	return &buf, int64(buf.Len()), nil
}

func printOptions(revealReason *api.RevealReason) *mediation.PrintOptions {
	return &mediation.PrintOptions{RevealReason: deref(revealReason)}
}
