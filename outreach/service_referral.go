package outreach

import (
	"context"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// checkReferralInput validates what can be checked without the database.
func (s *Service) checkReferralInput(in ReferralInput, now time.Time) error {
	var f errs.Fields
	f.Merge("", s.k.Validate(in))
	if in.Agency != "" {
		f.Merge("", s.k.Codes().Check("agency", CodesReferralAgency, string(in.Agency)))
	}
	if in.Agency == AgencyOther && strings.TrimSpace(in.AgencyName) == "" {
		f.Add("agencyName", "required_if", "an agency of kind other needs its name")
	}
	checkDeadline(&f, "due", in.Due, in.DueInDays, "a referral")
	if !in.Due.IsZero() && !in.Due.After(now) {
		f.Add("due", "after_now", "must be in the future")
	}
	return f.Err()
}

// Refer records a referral to another agency on a visit in the actor's
// reach: the referral belongs to the visit's unit, and its owner is an
// active staff member the actor reaches. A repeated request key returns
// the first referral.
func (s *Service) Refer(ctx context.Context, actor casework.Actor, in ReferralInput) (Referral, error) {
	var f errs.Fields
	var v Visit
	if in.VisitID != "" {
		var err error
		if v, err = s.visitRef(ctx, actor, "visitId", in.VisitID, &f); err != nil {
			return Referral{}, err
		}
	}
	if v.ID != "" {
		if err := s.k.Authorize(ctx, actor, ActionRefer, casework.Target{RecordType: RecordReferral, UnitID: v.UnitID}); err != nil {
			return Referral{}, err
		}
	}
	now := s.k.Now()
	f.Merge("", s.checkReferralInput(in, now))
	if in.OwnerID != "" {
		if _, err := s.staffInReach(ctx, actor, "ownerId", in.OwnerID, &f); err != nil {
			return Referral{}, err
		}
	}
	if err := f.Err(); err != nil {
		return Referral{}, err
	}
	return casework.CreateOnce(ctx, s.k, actor, in.RequestKey, in, func(rk *casework.RequestKey) (Referral, error) {
		r := Referral{ID: s.k.NewID(), UnitID: v.UnitID, VisitID: v.ID, Sensitive: v.TargetKind.Sensitive(), Agency: in.Agency,
			AgencyName: strings.TrimSpace(in.AgencyName), Request: strings.TrimSpace(in.Request), OwnerID: in.OwnerID,
			Due: deadlineOf(in.Due, in.DueInDays, now, s.k.Zone()), Status: ReferralOpen, CreatedBy: actor.StaffID,
			Version: 1, CreatedAt: now, UpdatedAt: now}
		return created(ctx, s, actor, rk, "referral.create", RecordReferral, r.ID, r, s.store.CreateReferral)
	})
}

// MaxFollowUps bounds the follow-ups of one referral, so that a referral
// stays one readable record: a chase that needs more is a new referral.
const MaxFollowUps = 200

// FollowUpReferral records a chase of an open referral (a call to the
// agency, a second visit) with what was learnt.
func (s *Service) FollowUpReferral(ctx context.Context, actor casework.Actor, id string, version int64, note string) (Referral, error) {
	note = strings.TrimSpace(note)
	return s.changeReferral(ctx, actor, id, version, "referral.follow_up", ReferralOpen, func(cur Referral, now time.Time) (Referral, error) {
		if err := casework.CheckText("note", note, 2000); err != nil {
			return Referral{}, err
		}
		if note == "" {
			return Referral{}, errs.Invalid("note", "required", "a follow-up needs a note")
		}
		if len(cur.FollowUps) >= MaxFollowUps {
			return Referral{}, errs.Invalid("note", "max", "a referral holds at most %d follow-ups; close it and refer again", MaxFollowUps)
		}
		cur.FollowUps = append(cur.FollowUps, FollowUp{At: now, By: actor.StaffID, Note: note})
		return cur, nil
	})
}

// CloseReferral closes an open referral with its outcome and a note on
// what the agency did. A closed referral stays closed: the period's closed
// figure counts it once.
func (s *Service) CloseReferral(ctx context.Context, actor casework.Actor, id string, version int64, outcome ReferralOutcome, note string) (Referral, error) {
	note = strings.TrimSpace(note)
	return s.changeReferral(ctx, actor, id, version, "referral.close", ReferralClosed, func(cur Referral, now time.Time) (Referral, error) {
		var f errs.Fields
		if outcome == "" {
			f.Add("outcome", "required", "is required")
		} else {
			f.Merge("", s.k.Codes().Check("outcome", CodesReferralOutcome, string(outcome)))
		}
		f.Merge("", casework.CheckText("note", note, 2000))
		if note == "" {
			f.Add("note", "required", "a closed referral needs a note on its outcome")
		}
		if err := f.Err(); err != nil {
			return Referral{}, err
		}
		cur.Status, cur.Outcome, cur.OutcomeNote, cur.ClosedAt, cur.ClosedBy = ReferralClosed, outcome, note, now, actor.StaffID
		return cur, nil
	})
}

// changeReferral is the one write path of a referral after it is made:
// reach, permission, an open referral, the caller's change, then the
// compare-and-swap with its audit entry.
func (s *Service) changeReferral(ctx context.Context, actor casework.Actor, id string, version int64, action casework.Action,
	to ReferralStatus, change func(Referral, time.Time) (Referral, error)) (Referral, error) {
	cur, err := s.store.GetReferral(ctx, id)
	if err != nil {
		return Referral{}, err
	}
	if err := s.k.Check(ctx, actor, ActionRefer, referralTarget(cur)); err != nil {
		return Referral{}, err
	}
	if cur.Status != ReferralOpen {
		return Referral{}, errs.Transition(string(cur.Status), string(to), "a closed referral stays closed")
	}
	now := s.k.Now()
	next, err := change(cur.Clone(), now)
	if err != nil {
		return Referral{}, err
	}
	if cur.Version != version {
		return Referral{}, errs.Stale(RecordReferral, id, version)
	}
	next.Version, next.UpdatedAt = cur.Version+1, now
	ch, err := s.k.Change(ctx, actor, action, RecordReferral, id, cur, next)
	if err != nil {
		return Referral{}, err
	}
	if err := s.store.UpdateReferral(ctx, next, ch); err != nil {
		return Referral{}, err
	}
	return s.view(ctx, actor, next)
}

// view masks a sensitive referral for an actor who may not see who was
// visited.
func (s *Service) view(ctx context.Context, actor casework.Actor, r Referral) (Referral, error) {
	if !r.Sensitive {
		return r, nil
	}
	ok, err := s.canSeeSensitive(ctx, actor, referralTarget(r))
	if err != nil {
		return Referral{}, err
	}
	if !ok {
		return r.masked(), nil
	}
	return r, nil
}

// GetReferral returns a referral in the actor's reach, masked when its
// visit was sensitive and the actor may not see it in detail.
func (s *Service) GetReferral(ctx context.Context, actor casework.Actor, id string) (Referral, error) {
	r, err := load(ctx, s, actor, ActionRead, id, s.store.GetReferral, referralTarget)
	if err != nil {
		return Referral{}, err
	}
	return s.view(ctx, actor, r)
}

// ReferralQuery lists referrals in the actor's subtree.
type ReferralQuery struct {
	UnitID  string // a unit in the actor's subtree; default the actor's unit
	Status  []ReferralStatus
	OwnerID string
	VisitID string
	// Overdue lists only referrals overdue now (Referral.Overdue).
	Overdue bool
	Page    casework.Page
}

// ListReferrals lists referrals by the time they were made, masking
// sensitive ones for actors who may not see them in detail.
func (s *Service) ListReferrals(ctx context.Context, actor casework.Actor, q ReferralQuery) ([]Referral, string, error) {
	path, err := s.scope(ctx, actor, ActionRead, q.UnitID)
	if err != nil {
		return nil, "", err
	}
	for _, st := range q.Status {
		if st != ReferralOpen && st != ReferralClosed {
			return nil, "", errs.Invalid("status", "oneof", "%q is not a referral status (open, closed)", st)
		}
	}
	if err := s.filterRefs(ctx, actor, q); err != nil {
		return nil, "", err
	}
	f := ReferralFilter{UnitUnder: path, Status: q.Status, OwnerID: q.OwnerID, VisitID: q.VisitID}
	if q.Overdue {
		f.OverdueAt = s.k.Now()
	}
	see, err := s.canSeeSensitive(ctx, actor, casework.Target{})
	if err != nil {
		return nil, "", err
	}
	p := q.Page.Normalize()
	rows, err := s.store.ListReferrals(ctx, f, casework.Page{Limit: p.Limit + 1, After: p.After})
	if err != nil {
		return nil, "", err
	}
	rows, next := casework.PageOf(rows, p.Limit, func(r Referral) casework.Cursor { return casework.Cursor{At: r.CreatedAt, ID: r.ID} })
	for i, r := range rows {
		if r.Sensitive && !see {
			rows[i] = r.masked()
		}
	}
	return rows, next, nil
}

// ListOverdueReferrals lists the referrals overdue now (Referral.Overdue:
// open, and the due instant reached) in the unit subtree — the actor's
// unit by default — by the time they were made, in pages: ListReferrals
// with Overdue set.
func (s *Service) ListOverdueReferrals(ctx context.Context, actor casework.Actor, unitID string, p casework.Page) ([]Referral, string, error) {
	return s.ListReferrals(ctx, actor, ReferralQuery{UnitID: unitID, Overdue: true, Page: p})
}

// filterRefs checks the ids a referral query names, as every input's ids
// are: out of reach is ErrInvalid on the field. An owner no longer active
// is a fair filter (whose open referrals must be handed over?).
func (s *Service) filterRefs(ctx context.Context, actor casework.Actor, q ReferralQuery) error {
	var f errs.Fields
	if q.OwnerID != "" {
		_, ok, err := s.k.StaffInReach(ctx, actor, q.OwnerID)
		if err != nil {
			return err
		}
		if !ok {
			f.Add("ownerId", "exists", "no staff member %q in reach", q.OwnerID)
		}
	}
	if q.VisitID != "" {
		if _, err := s.visitRef(ctx, actor, "visitId", q.VisitID, &f); err != nil {
			return err
		}
	}
	return f.Err()
}

// referralFiguresOf are the report's referral figures for a period: made
// and closed in it, each counted by its own event's time, so a later close
// never changes a past period's figures.
func referralFiguresOf(t ReferralTally) []casework.Figure {
	return []casework.Figure{
		{Key: "outreach.referrals.made", LabelZH: "联系相关部门帮扶", LabelEN: "referrals to other agencies", Value: t.Made, Unit: "次"},
		{Key: "outreach.referrals.closed", LabelZH: "帮扶转介办结", LabelEN: "referrals closed", Value: t.Closed, Unit: "次"},
	}
}

func referralTarget(r Referral) casework.Target {
	return casework.Target{RecordType: RecordReferral, RecordID: r.ID, UnitID: r.UnitID}
}
