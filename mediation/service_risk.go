package mediation

import (
	"context"
	"strings"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// RiskInput changes a dispute's risk assessment.
type RiskInput struct {
	Risk   Risk   `json:"risk" validate:"line"`
	Reason string `json:"reason"`
}

// Assess records a new risk level with its reason. Raising a dispute to
// high risk starts the supervisor's review deadline (Config.ReviewDeadline)
// and notifies the unit at once. Once started, the deadline stays open until
// a supervisor reviews the dispute, even if the risk is lowered meanwhile:
// lowering the level is no substitute for the review.
func (s *Service) Assess(ctx context.Context, actor casework.Actor, id string, version int64, in RiskInput) (Dispute, error) {
	return s.update(ctx, actor, id, version, change{
		action: always(ActionAssess),
		audit:  "mediation.assess",
		mutate: func(d *Dispute) error {
			if d.State.Terminal() {
				return errs.Invalid("risk", "state", "a finished dispute (%s) is not reassessed", d.State)
			}
			if err := s.k.Validate(in); err != nil {
				return err
			}
			if err := checkRisk(in.Risk, in.Reason); err != nil {
				return err
			}
			raised := in.Risk == RiskHigh && (d.Risk != RiskHigh || d.Review != nil)
			d.Risk, d.RiskReason = in.Risk, strings.TrimSpace(in.Reason)
			if raised {
				d.ReviewDue = casework.Truncate(s.k.Now().Add(s.cfg.ReviewDeadline))
				d.Review = nil
			}
			return nil
		},
	})
}

// Review records a supervisor's review of a high-risk dispute, which
// closes its review deadline. The note says what was decided (e.g. 安排
// 民警重点稳控, notify the community).
func (s *Service) Review(ctx context.Context, actor casework.Actor, id string, version int64, note string) (Dispute, error) {
	return s.update(ctx, actor, id, version, change{
		action: always(ActionReview),
		audit:  "mediation.review",
		mutate: func(d *Dispute) error {
			if d.ReviewDue.IsZero() || d.Review != nil {
				return errs.Invalid("review", "not_due", "the dispute awaits no review: only a dispute marked high risk is reviewed")
			}
			note = strings.TrimSpace(note)
			if note == "" {
				return errs.Invalid("note", "required", "a review records what was decided")
			}
			if err := casework.CheckText("note", note, 2000); err != nil {
				return err
			}
			d.Review = &Review{ReviewedAt: s.k.Now(), ReviewedBy: actor.StaffID, Note: note}
			return nil
		},
	})
}
