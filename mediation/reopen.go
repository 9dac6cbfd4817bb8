package mediation

import (
	"context"
	"strings"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// ActionReopen reopens a closed dispute. It is a supervisor's correction,
// not a step of the workflow: the policy grants it to supervisors only.
const ActionReopen casework.Action = "mediation.reopen"

// Reopen takes a closed dispute back into mediation (in_mediation) when a
// supervisor finds it was closed too early or the parties came back. It is
// not in the transition table, on purpose: Transition never leaves
// closed, so only this supervisor-only call can, and it always needs a
// reason (the text rule of every reason).
//
// Past figures stay as they were: the event times a report counts
// (SettledAt, FailedAt, ReferredAt, ClosedAt) are kept, and each is set
// only by its first event, so a dispute counted settled in March stays
// counted in March after a reopening in April and a second agreement in
// May. The reopening is an event of its own date: a step closed →
// in_mediation in History and a mediation.reopen entry in the audit chain.
// The outcome of the closing is cleared (the dispute is no longer closed)
// and the mediation time limit starts again from the reopening.
// ReopenedAt is set by the first reopening only, so the reopenings figure
// counts a dispute once, in the period it was first reopened, and a later
// reopening changes no period's figures.
func (s *Service) Reopen(ctx context.Context, actor casework.Actor, id string, version int64, reason string) (Dispute, error) {
	return s.update(ctx, actor, id, version, change{
		action: func(Dispute) casework.Action { return ActionReopen },
		audit:  ActionReopen,
		mutate: func(d *Dispute) error {
			if err := checkReason(reason); err != nil {
				return err
			}
			if d.State != StateClosed {
				return errs.Transition(string(d.State), string(StateInMediation), "only a closed dispute is reopened")
			}
			now := s.k.Now()
			d.History = append(d.History, Step{From: StateClosed, To: StateInMediation, At: now, ActorID: actor.StaffID,
				Reason: strings.TrimSpace(reason)})
			d.State, d.Outcome = StateInMediation, ""
			if d.ReopenedAt.IsZero() {
				d.ReopenedAt = now
			}
			d.MediationDue = casework.EndOfDayN(now, s.cfg.MediationLimit, s.k.Zone())
			return nil
		},
	})
}
