package openapi

import (
	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/openapi/api"
)

// Translators between the API types of tag mediation and the library's.
// They copy, convert and nothing else: defaults, validation and every rule
// are the mediation service's.

// castStrings converts a list of one string type to another, keeping nil
// nil: for an input, nil often means "keep what is there" (an accepted
// dispute's assignment), which an empty list would not.
func castStrings[T, U ~string](in []T) []U {
	if in == nil {
		return nil
	}
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = U(v)
	}
	return out
}

// mapSliceIn is mapSlice for inputs: nil stays nil, so that an absent list
// reaches the service as absent.
func mapSliceIn[T, U any](in []T, f func(T) U) []U {
	if in == nil {
		return nil
	}
	return mapSlice(in, f)
}

func disputeOut(d mediation.Dispute) api.Dispute {
	out := api.Dispute{
		Id: d.ID, UnitId: d.UnitID, State: api.DisputeState(d.State), Kind: api.DisputeKind(d.Kind),
		Category: d.Category, Source: d.Source, SourceNote: d.SourceNote, Facts: d.Facts,
		AddressId: d.AddressID, Address: d.Address, Parties: mapSlice(d.Parties, partyOut),
		Risk: api.DisputeRisk(d.Risk), RiskReason: d.RiskReason, ReviewDue: d.ReviewDue,
		Assigned: d.Assigned, Sessions: mapSlice(d.Sessions, sessionOut), Agreements: mapSlice(d.Agreements, agreementOut),
		FollowUps: mapSlice(d.FollowUps, followUpOut), Outcome: api.DisputeOutcome(d.Outcome),
		History: mapSlice(d.History, stepOut), Notices: mapSlice(d.Notices, noticeOut),
		ReportedAt: d.ReportedAt, AcceptedAt: d.AcceptedAt, MediationDue: d.MediationDue, SettledAt: d.SettledAt,
		FailedAt: d.FailedAt, ReferredAt: d.ReferredAt, ClosedAt: d.ClosedAt, ReopenedAt: d.ReopenedAt, NextDue: d.NextDue,
		Version: d.Version, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
	}
	if d.Origin != nil {
		out.Origin = api.Source{Kind: d.Origin.Kind, Id: d.Origin.ID, Step: d.Origin.Step}
	}
	if d.Review != nil {
		out.Review = api.DisputeReview{ReviewedAt: d.Review.ReviewedAt, ReviewedBy: d.Review.ReviewedBy, Note: d.Review.Note}
	}
	if d.Police != nil {
		out.Police = policeOut(*d.Police)
	}
	if d.Referral != nil {
		out.Referral = referralOut(*d.Referral)
	}
	return out
}

func partyOut(p mediation.Party) api.Party {
	return api.Party{PersonId: p.PersonID, Role: api.PartyRole(p.Role), Minor: p.Minor,
		Representatives: mapSlice(p.Representatives, func(r mediation.Representative) api.Representative {
			return api.Representative{PersonId: r.PersonID, Role: api.RepresentativeRole(r.Role)}
		})}
}

func partyIn(p api.Party) mediation.Party {
	return mediation.Party{PersonID: p.PersonId, Role: mediation.PartyRole(p.Role), Minor: p.Minor,
		Representatives: mapSliceIn(p.Representatives, func(r api.Representative) mediation.Representative {
			return mediation.Representative{PersonID: r.PersonId, Role: mediation.RepresentativeRole(r.Role)}
		})}
}

func policeOut(p mediation.PoliceFacts) api.PoliceFacts {
	return api.PoliceFacts{Violation: p.Violation, FromCivilDispute: p.FromCivilDispute, MinorViolation: p.MinorViolation,
		Exclusions: castStrings[mediation.Exclusion, api.PoliceExclusion](p.Exclusions)}
}

// policeIn is nil for facts not given: only police mediation needs them.
func policeIn(p api.PoliceFacts) *mediation.PoliceFacts {
	if p.Violation == "" && !p.FromCivilDispute && !p.MinorViolation && p.Exclusions == nil {
		return nil
	}
	return &mediation.PoliceFacts{Violation: p.Violation, FromCivilDispute: p.FromCivilDispute, MinorViolation: p.MinorViolation,
		Exclusions: castStrings[api.PoliceExclusion, mediation.Exclusion](p.Exclusions)}
}

func referralOut(r mediation.Referral) api.Referral {
	return api.Referral{To: r.To, Body: r.Body, At: r.At}
}

// referralIn is nil for a referral not given.
func referralIn(r api.Referral) *mediation.Referral {
	if r == (api.Referral{}) {
		return nil
	}
	return &mediation.Referral{To: r.To, Body: r.Body, At: r.At}
}

func sessionOut(s mediation.Session) api.Session {
	return api.Session{Id: s.ID, At: s.At, Place: s.Place, Notes: s.Notes, RecordedBy: s.RecordedBy, RecordedAt: s.RecordedAt,
		Mediators: mapSlice(s.Mediators, func(m mediation.Mediator) api.Mediator {
			return api.Mediator{StaffId: m.StaffID, Role: api.Role(m.Role)}
		}),
		Attendees: mapSlice(s.Attendees, func(a mediation.Attendee) api.Attendee {
			return api.Attendee{PersonId: a.PersonID, Name: a.Name, Role: a.Role}
		})}
}

func sessionIn(s api.SessionInput) mediation.SessionInput {
	return mediation.SessionInput{At: s.At, Place: s.Place, Notes: s.Notes,
		Mediators: mapSliceIn(s.Mediators, func(m api.Mediator) mediation.Mediator {
			return mediation.Mediator{StaffID: m.StaffId, Role: casework.Role(m.Role)}
		}),
		Attendees: mapSliceIn(s.Attendees, func(a api.Attendee) mediation.Attendee {
			return mediation.Attendee{PersonID: a.PersonId, Name: a.Name, Role: a.Role}
		})}
}

func responsibilityOut(r mediation.Responsibility) api.Responsibility {
	return api.Responsibility{PartyId: r.PartyID, Text: r.Text}
}

func responsibilityIn(r api.Responsibility) mediation.Responsibility {
	return mediation.Responsibility{PartyID: r.PartyId, Text: r.Text}
}

func termOut(t mediation.Term) api.AgreementTerm {
	return api.AgreementTerm{Text: t.Text, ObligorId: t.ObligorID, Deadline: t.Deadline}
}

func termIn(t api.AgreementTerm) mediation.Term {
	return mediation.Term{Text: t.Text, ObligorID: t.ObligorId, Deadline: t.Deadline}
}

func agreementOut(a mediation.Agreement) api.Agreement {
	out := api.Agreement{Form: api.AgreementForm(a.Form), MediatorId: a.MediatorID, Facts: a.Facts, Matters: a.Matters,
		Responsibilities: mapSlice(a.Responsibilities, responsibilityOut), Terms: mapSlice(a.Terms, termOut),
		PerformanceMethod: a.PerformanceMethod, PerformancePlace: a.PerformancePlace, PerformanceDeadline: a.PerformanceDeadline,
		Content: a.Content, SeekConfirmation: a.SeekConfirmation, ReachedAt: a.ReachedAt, DraftedBy: a.DraftedBy,
		Signatures: mapSlice(a.Signatures, signatureOut), EffectiveAt: a.EffectiveAt, ConfirmationDue: a.ConfirmationDue}
	if c := a.Confirmation; c != nil {
		out.Confirmation = api.Confirmation{Status: api.ConfirmationStatus(c.Status), Court: c.Court, AppliedAt: c.AppliedAt, RuledAt: c.RuledAt, Note: c.Note}
	}
	return out
}

func agreementIn(a api.AgreementInput) mediation.AgreementInput {
	return mediation.AgreementInput{Form: mediation.Form(a.Form), MediatorID: a.MediatorId, Facts: a.Facts, Matters: a.Matters,
		Responsibilities: mapSliceIn(a.Responsibilities, responsibilityIn), Terms: mapSliceIn(a.Terms, termIn),
		PerformanceMethod: a.PerformanceMethod, PerformancePlace: a.PerformancePlace, PerformanceDeadline: a.PerformanceDeadline,
		Content: a.Content, SeekConfirmation: a.SeekConfirmation, ReachedAt: a.ReachedAt}
}

func attachmentOut(a casework.Attachment) api.Attachment {
	return api.Attachment{Name: a.Name, MediaType: a.MediaType, Size: a.Size, Sha256: a.SHA256}
}

func attachmentIn(a api.Attachment) casework.Attachment {
	return casework.Attachment{Name: a.Name, MediaType: a.MediaType, Size: a.Size, SHA256: a.Sha256}
}

func signatureOut(s mediation.Signature) api.Signature {
	return api.Signature{PartyId: s.PartyID, MediatorId: s.MediatorID, SignedBy: s.SignedBy,
		Attachment: attachmentOut(s.Attachment), SignedAt: s.SignedAt, RecordedBy: s.RecordedBy}
}

func signatureIn(s api.SignatureInput) mediation.SignatureInput {
	return mediation.SignatureInput{PartyID: s.PartyId, MediatorID: s.MediatorId, SignedBy: s.SignedBy,
		Attachment: attachmentIn(s.Attachment), SignedAt: s.SignedAt}
}

func termCheckOut(c mediation.TermCheck) api.TermCheck {
	return api.TermCheck{Term: c.Term, Status: api.TermCheckStatus(c.Status), Note: c.Note}
}

func termCheckIn(c api.TermCheck) mediation.TermCheck {
	return mediation.TermCheck{Term: c.Term, Status: mediation.Performance(c.Status), Note: c.Note}
}

func followUpOut(f mediation.FollowUp) api.FollowUp {
	return api.FollowUp{Id: f.ID, Agreement: f.Agreement, At: f.At, By: f.By, Checks: mapSlice(f.Checks, termCheckOut),
		Note: f.Note, Action: api.FollowUpAction(f.Action), RecordedBy: f.RecordedBy, RecordedAt: f.RecordedAt}
}

func followUpIn(f api.FollowUpInput) mediation.FollowUpInput {
	return mediation.FollowUpInput{At: f.At, By: f.By, Checks: mapSliceIn(f.Checks, termCheckIn), Note: f.Note,
		Action: mediation.FollowUpAction(f.Action), Referral: referralIn(f.Referral), Reason: f.Reason}
}

func stepOut(s mediation.Step) api.DisputeStep {
	return api.DisputeStep{From: api.DisputeState(s.From), To: api.DisputeState(s.To), At: s.At, ActorId: s.ActorID,
		Reason: s.Reason, RefusedBy: s.RefusedBy}
}

func noticeOut(n mediation.NoticeMark) api.NoticeMark {
	return api.NoticeMark{Kind: api.NoticeKind(n.Kind), Reason: api.DeadlineReason(n.Reason), Ref: n.Ref, Due: n.Due, At: n.At}
}

func disputeReportIn(in api.DisputeInput, key string) mediation.ReportInput {
	return mediation.ReportInput{UnitID: in.UnitId, Category: in.Category, Source: in.Source, SourceNote: in.SourceNote,
		Kind: mediation.Kind(in.Kind), Police: policeIn(in.Police), Parties: mapSliceIn(in.Parties, partyIn), Facts: in.Facts,
		AddressID: in.AddressId, Address: in.Address, Risk: mediation.Risk(in.Risk), RiskReason: in.RiskReason,
		ReportedAt: in.ReportedAt, RequestKey: key}
}

// transitionIn is the state change an action endpoint stands for: the
// endpoint names the target, the body carries the rest.
func transitionIn(to mediation.State, in api.DisputeActionInput) mediation.TransitionInput {
	return mediation.TransitionInput{To: to, Reason: in.Reason, Kind: mediation.Kind(in.Kind), Police: policeIn(in.Police),
		Assign: in.Assign, RefusedBy: in.RefusedBy, Outcome: mediation.Outcome(in.Outcome), Referral: referralIn(in.Referral)}
}

// disputeShareOut translates a share of a dispute. (The kernel tag's
// shares translate the same way; the lead may merge the two.)
