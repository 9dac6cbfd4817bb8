package mediation

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// TransitionInput asks for a state change. Reason is always required; the
// other fields belong to particular targets and are refused elsewhere.
type TransitionInput struct {
	To     State  `json:"to" validate:"line"`
	Reason string `json:"reason"`
	// Kind and Police (to screened): the kind screening settled on, and the
	// facts police mediation needs. Empty keeps the reported kind.
	Kind   Kind         `json:"kind,omitempty" validate:"line"`
	Police *PoliceFacts `json:"police,omitempty"`
	// Assign (to accepted): the mediators and lawyers who will act on the
	// dispute; nil keeps the current assignment.
	Assign []string `json:"assign,omitempty" validate:"line"`
	// RefusedBy (to failed or not_accepted): the party whose clear refusal
	// ends the mediation (一方当事人明确拒绝调解).
	RefusedBy string `json:"refusedBy,omitempty" validate:"line"`
	// Outcome (to closed): default settled after an agreement, and
	// no_agreement after a failure; a failed police mediation closes as
	// penalised.
	Outcome Outcome `json:"outcome,omitempty" validate:"line"`
	// Referral (to referred): where the dispute goes.
	Referral *Referral `json:"referral,omitempty"`
}

// actionFor is the permission a move to a state needs.
func actionFor(to State) casework.Action {
	switch to {
	case StateScreened, StateNotAccepted:
		return ActionScreen
	case StateAccepted:
		return ActionAccept
	case StateInMediation, StateAgreed, StateFailed:
		return ActionMediate
	case StateFollowingUp:
		return ActionFollowUp
	}
	return ActionClose
}

// Transition moves a dispute from its state to in.To, if the transition
// table allows it and the target's own conditions hold:
//
//   - screened: police mediation passes CheckPolice;
//   - accepted: at least one applicant and one respondent; police
//     mediation passes CheckPolice again; the mediation time limit starts;
//   - in_mediation: from accepted, police mediation passes CheckPolice;
//     from following_up only when the latest follow-up of the agreement in
//     force found a term not performed and chose to reopen (RecordFollowUp
//     does the move itself), and the time limit restarts;
//   - agreed: never by this call — a dispute is agreed when its agreement
//     takes effect (SignAgreement, or DraftAgreement of an oral one);
//   - failed: a refusing party must be a party;
//   - closed: the outcome fits the way the dispute ended;
//   - referred: a referral is named.
//
// The step (from, to, actor, time, reason) joins the dispute's history and
// the audit chain in the same write.
func (s *Service) Transition(ctx context.Context, actor casework.Actor, id string, version int64, in TransitionInput) (Dispute, error) {
	return s.update(ctx, actor, id, version, change{
		action: func(cur Dispute) casework.Action { return actionFor(in.To) },
		audit:  casework.Action("mediation.state." + string(in.To)),
		mutate: func(d *Dispute) error {
			if err := s.k.Validate(in); err != nil {
				return err
			}
			if err := CheckTransition(d.State, in.To); err != nil {
				return err
			}
			if err := checkReason(in.Reason); err != nil {
				return err
			}
			if err := s.checkTargetFields(in); err != nil {
				return err
			}
			if err := s.prepare(ctx, actor, d, in); err != nil {
				return err
			}
			return s.move(d, actor, in.To, in.Reason, in.RefusedBy)
		},
	})
}

// checkTargetFields refuses fields that do not belong to the target, so a
// caller never believes something was recorded that was not.
func (s *Service) checkTargetFields(in TransitionInput) error {
	var f errs.Fields
	if in.To != StateScreened && (in.Kind != "" || in.Police != nil) {
		f.Add("kind", "screening_only", "the kind is settled when screening")
	}
	if in.To != StateAccepted && in.Assign != nil {
		f.Add("assign", "accepting_only", "mediators are assigned on acceptance (or with Assign)")
	}
	if in.To != StateFailed && in.To != StateNotAccepted && in.RefusedBy != "" {
		f.Add("refusedBy", "refusal_only", "a refusal fails or declines a dispute")
	}
	if in.To != StateClosed && in.Outcome != "" {
		f.Add("outcome", "closing_only", "an outcome is given when closing")
	}
	if in.To != StateReferred && in.Referral != nil {
		f.Add("referral", "referring_only", "a referral is given when referring")
	}
	return f.Err()
}

// prepare checks and applies the target's own conditions.
func (s *Service) prepare(ctx context.Context, actor casework.Actor, d *Dispute, in TransitionInput) error {
	switch in.To {
	case StateScreened:
		if in.Kind != "" {
			if !in.Kind.Valid() {
				return errs.Invalid("kind", "oneof", "must be people, police or settlement")
			}
			d.Kind = in.Kind
		}
		if in.Police != nil {
			p := *in.Police
			p.Exclusions = slices.Clone(p.Exclusions)
			d.Police = &p
		}
		if d.Kind != KindPolice {
			d.Police = nil
			return nil
		}
		return CheckPolice(d.Police)
	case StateAccepted:
		if err := sidesPresent(*d); err != nil {
			return err
		}
		if in.Assign != nil {
			assigned, err := s.checkAssign(ctx, actor, in.Assign)
			if err != nil {
				return err
			}
			d.Assigned = assigned
		}
		if d.Kind == KindPolice {
			return CheckPolice(d.Police)
		}
	case StateInMediation:
		if d.State == StateAccepted && d.Kind == KindPolice {
			return CheckPolice(d.Police)
		}
	case StateAgreed:
		return errs.Transition(string(d.State), string(StateAgreed),
			"a dispute is agreed when its agreement takes effect: record an oral agreement, or collect every signature of a written one")
	case StateFailed, StateNotAccepted:
		if in.RefusedBy != "" {
			if _, ok := d.Party(in.RefusedBy); !ok {
				return errs.Invalid("refusedBy", "party", "%s is not a party of this dispute", in.RefusedBy)
			}
		}
	case StateClosed:
		out, err := closingOutcome(*d, in.Outcome)
		if err != nil {
			return err
		}
		d.Outcome = out
	case StateReferred:
		r, err := s.checkReferral(in.Referral)
		if err != nil {
			return err
		}
		d.Referral = r
	}
	return nil
}

// sidesPresent: mediation needs someone on each side.
func sidesPresent(d Dispute) error {
	var app, resp bool
	for _, p := range d.Parties {
		app = app || p.Role == Applicant
		resp = resp || p.Role == Respondent
	}
	if !app || !resp {
		return errs.Invalid("parties", "both_sides", "a dispute is accepted with at least one applicant and one respondent")
	}
	return nil
}

// closingOutcome checks how a dispute ends: after an agreement it is
// settled (or withdrawn); after a failure a police mediation is penalised
// (the violation is punished) and other kinds end without agreement or
// withdrawn.
func closingOutcome(d Dispute, out Outcome) (Outcome, error) {
	switch d.State {
	case StateAgreed, StateFollowingUp:
		if out == "" {
			out = OutcomeSettled
		}
		if out != OutcomeSettled && out != OutcomeWithdrawn {
			return "", errs.Invalid("outcome", "after_agreement", "a dispute with an agreement closes as settled or withdrawn")
		}
	case StateFailed:
		if d.Kind == KindPolice {
			if out == "" {
				out = OutcomePenalised
			}
			if out != OutcomePenalised {
				return "", errs.Invalid("outcome", "police_penalised", "a failed police mediation closes as penalised: the violation is punished")
			}
			break
		}
		if out == "" {
			out = OutcomeNoAgreement
		}
		if out != OutcomeNoAgreement && out != OutcomeWithdrawn {
			return "", errs.Invalid("outcome", "after_failure", "a failed mediation closes without agreement or withdrawn")
		}
	}
	return out, nil
}

func (s *Service) checkReferral(r *Referral) (*Referral, error) {
	if r == nil {
		return nil, errs.Invalid("referral", "required", "name where the dispute is referred")
	}
	c := *r
	c.To, c.Body = strings.TrimSpace(c.To), strings.TrimSpace(c.Body)
	var f errs.Fields
	f.Merge("referral.", s.k.Validate(c))
	f.Merge("referral.", s.k.Codes().Check("to", ListReferral, c.To))
	if err := f.Err(); err != nil {
		return nil, err
	}
	c.At = s.k.Now()
	return &c, nil
}

// checkAssign validates an assignment: active staff holding the mediator
// or lawyer role, each once.
func (s *Service) checkAssign(ctx context.Context, actor casework.Actor, ids []string) ([]string, error) {
	var f errs.Fields
	out := make([]string, 0, len(ids))
	for i, id := range ids {
		field := fmt.Sprintf("assign[%d]", i)
		if slices.Contains(out, id) {
			f.Add(field, "unique", "%s is assigned twice", id)
			continue
		}
		st, ok, err := s.k.StaffInReach(ctx, actor, id)
		if err != nil {
			return nil, err
		}
		if !ok {
			f.Add(field, "exists", "no staff member %q in reach", id)
			continue
		}
		if !st.Active {
			f.Add(field, "active", "%s is not active", id)
		}
		if !slices.Contains(st.Roles, casework.RoleMediator) && !slices.Contains(st.Roles, casework.RoleLawyer) {
			f.Add(field, "role", "only mediators and lawyers are assigned; officers act on every dispute of their unit")
		}
		out = append(out, id)
	}
	return out, f.Err()
}

// move applies a state change the table allows and records it in the
// history: actor, time and reason. Every state change, including those a
// session, agreement or follow-up causes, goes through here.
func (s *Service) move(d *Dispute, actor casework.Actor, to State, reason, refusedBy string) error {
	if err := CheckTransition(d.State, to); err != nil {
		return err
	}
	if d.State == StateFollowingUp && to == StateInMediation {
		if err := checkReopen(*d); err != nil {
			return err
		}
	}
	now := s.k.Now()
	from := d.State
	d.History = append(d.History, Step{From: from, To: to, At: now, ActorID: actor.StaffID, Reason: reason, RefusedBy: refusedBy})
	d.State = to
	switch to {
	case StateAccepted:
		d.AcceptedAt = now
		d.MediationDue = casework.EndOfDayN(now, s.cfg.MediationLimit, s.k.Zone())
	case StateInMediation:
		if from == StateFollowingUp {
			d.MediationDue = casework.EndOfDayN(now, s.cfg.MediationLimit, s.k.Zone())
		}
	case StateAgreed:
		// A dispute is settled once, in the period its first agreement
		// took effect: an agreement after a reopening does not move it,
		// or a period's settled figure would change after the fact.
		if d.SettledAt.IsZero() {
			d.SettledAt = d.Agreements[d.Current()].EffectiveAt
		}
	case StateFailed, StateReferred, StateClosed:
		// Like SettledAt, each event time is set by the first such event
		// only: after a reopening (Reopen, or a follow-up's) a second
		// failure, referral or closing would otherwise move a past
		// period's figure.
		if at := eventTime(d, to); at.IsZero() {
			*at = now
		}
	}
	return nil
}

// eventTime is the field that records the event of reaching to.
func eventTime(d *Dispute, to State) *time.Time {
	switch to {
	case StateFailed:
		return &d.FailedAt
	case StateReferred:
		return &d.ReferredAt
	}
	return &d.ClosedAt
}

// checkReopen: mediation reopens from following_up only when the latest
// follow-up of the agreement in force found a term not performed and chose
// to reopen (RecordFollowUp with Action Reopen).
func checkReopen(d Dispute) error {
	why := "mediation reopens only when a follow-up finds a term not performed: record a follow-up with the reopen action"
	n := len(d.FollowUps)
	if n == 0 {
		return errs.Transition(string(d.State), string(StateInMediation), why+" (no follow-up is recorded)")
	}
	fu := d.FollowUps[n-1]
	if i := d.Effective(); i < 0 || fu.Agreement != i {
		return errs.Transition(string(d.State), string(StateInMediation), why+" (no follow-up checked the agreement in force)")
	}
	failing := slices.ContainsFunc(fu.Checks, func(c TermCheck) bool { return c.Status == NotPerformed })
	if !failing || fu.Action != Reopen {
		return errs.Transition(string(d.State), string(StateInMediation), why+" (the latest follow-up found no term not performed)")
	}
	return nil
}

// AssignInput changes who mediates.
type AssignInput struct {
	Staff  []string `json:"staff" validate:"line"`
	Reason string   `json:"reason"`
}

// Assign replaces the mediators and lawyers assigned to a dispute; only
// they, of their roles, may act on it.
func (s *Service) Assign(ctx context.Context, actor casework.Actor, id string, version int64, in AssignInput) (Dispute, error) {
	return s.update(ctx, actor, id, version, change{
		action: always(ActionAccept),
		audit:  "mediation.assign",
		mutate: func(d *Dispute) error {
			if d.State.Terminal() {
				return errs.Invalid("staff", "state", "a finished dispute (%s) is not reassigned", d.State)
			}
			if err := s.k.Validate(in); err != nil {
				return err
			}
			if err := checkReason(in.Reason); err != nil {
				return err
			}
			a, err := s.checkAssign(ctx, actor, in.Staff)
			if err != nil {
				return err
			}
			d.Assigned = a
			return nil
		},
	})
}

// UpdateParties replaces the parties (with their representatives and
// guardians) while the dispute is open and before anyone signed an
// agreement.
func (s *Service) UpdateParties(ctx context.Context, actor casework.Actor, id string, version int64, parties []Party) (Dispute, error) {
	return s.update(ctx, actor, id, version, change{
		action: always(ActionMediate),
		audit:  "mediation.parties",
		mutate: func(d *Dispute) error {
			switch d.State {
			case StateReported, StateScreened, StateAccepted, StateInMediation:
			default:
				return errs.Invalid("parties", "state", "parties change only before an agreement or failure (state %s)", d.State)
			}
			if i := d.Current(); i >= 0 && len(d.Agreements[i].Signatures) > 0 && d.Agreements[i].EffectiveAt.IsZero() {
				return errs.Invalid("parties", "signing", "the agreement is being signed: draft it again first")
			}
			if len(parties) > 50 {
				return errs.Invalid("parties", "max", "at most 50 parties")
			}
			ps, idx, err := s.checkParties(ctx, actor, cloneEach(parties, Party.clone))
			if err != nil {
				return err
			}
			d.Parties, d.PartyDocIndex = ps, idx
			return nil
		},
	})
}
