package mediation

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

var _ casework.AssignmentMover = (*Service)(nil)

// openStates are the states a dispute still moves from: what a hand-over
// or a unit's closing carries along.
func openStates() []State {
	return slices.DeleteFunc(slices.Clone(States), State.Terminal)
}

// OpenRecords implements casework.AssignmentMover: the disputes not yet
// ended in a unit subtree or assigned to a staff member.
func (s *Service) OpenRecords(ctx context.Context, q casework.OpenQuery) ([]casework.OpenRecord, error) {
	f := Filter{UnitUnder: q.UnitUnder, AssignedTo: q.AssigneeID, States: openStates()}
	all, err := casework.ListAll(func(p casework.Page) ([]Dispute, error) { return s.store.ListDisputes(ctx, f, p) },
		func(d Dispute) casework.Cursor { return casework.Cursor{At: d.CreatedAt, ID: d.ID} })
	if err != nil {
		return nil, err
	}
	out := make([]casework.OpenRecord, len(all))
	for i, d := range all {
		out[i] = casework.OpenRecord{RecordType: RecordType, ID: d.ID, UnitID: d.UnitID, Assignees: slices.Clone(d.Assigned), Version: d.Version}
	}
	return out, nil
}

// CheckMove implements casework.AssignmentMover: disputes are assigned to
// mediators and lawyers only, so a colleague taking some over must be one.
func (s *Service) CheckMove(ctx context.Context, recs []casework.OpenRecord, m casework.Move) error {
	if m.ToStaffID == "" || !slices.ContainsFunc(recs, func(r casework.OpenRecord) bool { return slices.Contains(r.Assignees, m.FromStaffID) }) {
		return nil
	}
	if _, err := s.checkAssign(ctx, m.Actor, []string{m.ToStaffID}); errors.Is(err, errs.ErrInvalid) {
		return errs.Invalid("toStaffId", "mediator", "disputes are handed over to a mediator or lawyer")
	} else if err != nil {
		return err
	}
	return nil
}

// MoveOpen implements casework.AssignmentMover: each dispute moves to the
// receiving unit, or from one assignee to another, as a compare-and-swap
// on the version listed. Its past events (sessions, agreements, history)
// stay as they happened.
func (s *Service) MoveOpen(ctx context.Context, recs []casework.OpenRecord, m casework.Move) error {
	for _, r := range recs {
		next, ch, err := casework.MoveRecord(ctx, s.k, m, r, s.store.GetDispute, func(d Dispute) int64 { return d.Version },
			func(d Dispute, version int64, at time.Time) Dispute {
				d = d.Clone()
				if m.ToUnitID != "" {
					d.UnitID = m.ToUnitID
				}
				if m.FromStaffID != "" {
					d.Assigned = casework.Reassign(d.Assigned, m.FromStaffID, m.ToStaffID)
				}
				d.Version, d.UpdatedAt = version, at
				return d
			})
		if err != nil {
			return err
		}
		if err := s.store.UpdateDispute(ctx, next, ch); err != nil {
			return err
		}
	}
	return nil
}
