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

// Performance is what a follow-up found about one term.
type Performance string

// Performance findings.
const (
	Performed    Performance = "performed"     // done: the term's deadline is met
	Performing   Performance = "performing"    // under way and not yet due
	NotPerformed Performance = "not_performed" // refused or not done: mediation reopens or the dispute is referred
)

// FollowUpAction is what a follow-up that found non-performance does.
type FollowUpAction string

// Follow-up actions.
const (
	NoAction FollowUpAction = ""       // every term performed or under way
	Reopen   FollowUpAction = "reopen" // back to in_mediation
	Refer    FollowUpAction = "refer"  // to referred (court, arbitration …)
)

// TermCheck is a follow-up's finding on one term of the agreement (Term is
// the term's index, from 0).
type TermCheck struct {
	Term   int         `json:"term" validate:"min=0"`
	Status Performance `json:"status" validate:"required,line,oneof=performed performing not_performed"`
	Note   string      `json:"note,omitempty" validate:"max=2000"`
}

// FollowUp is a follow-up visit (回访) after an agreement.
type FollowUp struct {
	ID         string         `json:"id"`
	Agreement  int            `json:"agreement"` // index of the agreement checked
	At         time.Time      `json:"at"`
	By         []string       `json:"by"` // staff ids
	Checks     []TermCheck    `json:"checks"`
	Note       string         `json:"note,omitempty"`
	Action     FollowUpAction `json:"action,omitempty"`
	RecordedBy string         `json:"recordedBy"`
	RecordedAt time.Time      `json:"recordedAt"`
}

func (f FollowUp) clone() FollowUp {
	f.By = slices.Clone(f.By)
	f.Checks = slices.Clone(f.Checks)
	return f
}

// FollowUpInput records a follow-up visit.
type FollowUpInput struct {
	At       time.Time      `json:"at,omitzero"` // default now
	By       []string       `json:"by,omitempty" validate:"line,max=10"`
	Checks   []TermCheck    `json:"checks" validate:"required,min=1,max=50,dive"`
	Note     string         `json:"note,omitempty" validate:"max=5000"`
	Action   FollowUpAction `json:"action,omitempty" validate:"line"`
	Referral *Referral      `json:"referral,omitempty"`                   // with Action refer
	Reason   string         `json:"reason,omitempty" validate:"max=1000"` // with an action: why (default: the finding)
}

// RecordFollowUp records a follow-up visit on the agreement in force: the
// date, who went, and whether each term is being performed. The first one
// moves an agreed dispute to following_up. When a term is found not
// performed the follow-up must act on it: reopen (following_up →
// in_mediation, the mediation time limit restarts) or refer (following_up
// → referred). A term found performed meets its performance deadline.
func (s *Service) RecordFollowUp(ctx context.Context, actor casework.Actor, id string, version int64, in FollowUpInput) (Dispute, error) {
	return s.update(ctx, actor, id, version, change{
		action: always(ActionFollowUp),
		audit:  "mediation.follow_up",
		mutate: func(d *Dispute) error {
			i := d.Effective()
			if i < 0 || d.State != StateAgreed && d.State != StateFollowingUp {
				return errs.Invalid("state", "agreed", "follow-ups check an agreement in force (the dispute is %s)", d.State)
			}
			fu, err := s.checkFollowUp(ctx, *d, i, &in, actor)
			if err != nil {
				return err
			}
			d.FollowUps = append(d.FollowUps, fu)
			if d.State == StateAgreed {
				if err := s.move(d, actor, StateFollowingUp, "回访 (follow-up visit)", ""); err != nil {
					return err
				}
			}
			switch in.Action {
			case Reopen:
				return s.move(d, actor, StateInMediation, in.Reason, "")
			case Refer:
				r, err := s.checkReferral(in.Referral)
				if err != nil {
					return err
				}
				d.Referral = r
				return s.move(d, actor, StateReferred, in.Reason, "")
			}
			return nil
		},
	})
}

func (s *Service) checkFollowUp(ctx context.Context, d Dispute, agreement int, in *FollowUpInput, actor casework.Actor) (FollowUp, error) {
	now := s.k.Now()
	a := d.Agreements[agreement]
	var f errs.Fields
	f.Merge("", s.k.Validate(*in))
	f.Merge("", checkTime("at", &in.At, now))
	if in.At.Before(a.EffectiveAt) {
		f.Add("at", "after_agreement", "a follow-up follows the agreement's effect")
	}
	if len(in.By) == 0 {
		in.By = []string{actor.StaffID}
	}
	for j, id := range in.By {
		if _, ok, err := s.k.StaffInReach(ctx, actor, id); err != nil {
			return FollowUp{}, err
		} else if !ok {
			f.Add(fmt.Sprintf("by[%d]", j), "exists", "no staff member %q in reach", id)
		}
	}
	seen := map[int]bool{}
	failing := false
	for j, c := range in.Checks {
		field := fmt.Sprintf("checks[%d].term", j)
		if c.Term < 0 || c.Term >= len(a.Terms) {
			f.Add(field, "term", "the agreement has %d terms (0 to %d)", len(a.Terms), len(a.Terms)-1)
		}
		if seen[c.Term] {
			f.Add(field, "unique", "term %d is checked twice", c.Term)
		}
		seen[c.Term] = true
		failing = failing || c.Status == NotPerformed
	}
	switch {
	case in.Action != NoAction && in.Action != Reopen && in.Action != Refer:
		f.Add("action", "oneof", "must be reopen or refer")
	case failing && in.Action == NoAction:
		f.Add("action", "required", "a term not performed reopens mediation or refers the dispute")
	case !failing && in.Action != NoAction:
		f.Add("action", "non_performance", "only non-performance reopens or refers a dispute from a follow-up")
	}
	if in.Action != Refer && in.Referral != nil {
		f.Add("referral", "referring_only", "a referral goes with the refer action")
	}
	if err := f.Err(); err != nil {
		return FollowUp{}, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" && in.Action == Reopen {
		in.Reason = "回访发现协议未履行，重新调解 (non-performance found: mediation reopened)"
	}
	if in.Reason == "" && in.Action == Refer {
		in.Reason = "回访发现协议未履行，移送 (non-performance found: referred)"
	}
	if err := checkReason(in.Reason); in.Action != NoAction && err != nil {
		return FollowUp{}, err
	}
	return FollowUp{ID: s.k.NewID(), Agreement: agreement, At: in.At, By: slices.Clone(in.By), Checks: slices.Clone(in.Checks),
		Note: strings.TrimSpace(in.Note), Action: in.Action, RecordedBy: actor.StaffID, RecordedAt: now}, nil
}
