package cases

import (
	"context"
	"slices"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
)

var _ casework.AssignmentMover = (*Service)(nil)

// openStates are the states a case is still worked in.
var openStates = []State{StateReported, StateFiled, StateInvestigating, StateSolved}

// officers are the staff working a case: those dispatched to it.
func (c Case) officers() []string {
	if c.Dispatch == nil {
		return nil
	}
	return c.Dispatch.Officers
}

// OpenRecords implements casework.AssignmentMover: the cases not closed or
// dropped of a unit subtree, or those a staff member was dispatched to
// (their open steps). The store has no officer filter, so a staff query
// reads the open cases and keeps the member's.
func (s *Service) OpenRecords(ctx context.Context, q casework.OpenQuery) ([]casework.OpenRecord, error) {
	if q.UnitUnder == "" && q.AssigneeID == "" {
		return nil, nil
	}
	all, err := casework.ListAll(func(p casework.Page) ([]Case, error) {
		return s.store.ListCases(ctx, Filter{UnitUnder: q.UnitUnder, States: openStates}, p)
	}, func(c Case) casework.Cursor { return casework.Cursor{At: c.CreatedAt, ID: c.ID} })
	if err != nil {
		return nil, err
	}
	var out []casework.OpenRecord
	for _, c := range all {
		if q.AssigneeID != "" && !slices.Contains(c.officers(), q.AssigneeID) {
			continue
		}
		out = append(out, casework.OpenRecord{RecordType: RecordCase, ID: c.ID, UnitID: c.UnitID,
			Assignees: slices.Clone(c.officers()), Version: c.Version})
	}
	return out, nil
}

// CheckMove implements casework.AssignmentMover: any officer may be
// dispatched, so cases refuse no move.
func (s *Service) CheckMove(context.Context, []casework.OpenRecord, casework.Move) error { return nil }

// MoveOpen implements casework.AssignmentMover: the cases move to the
// receiving unit, or from one dispatched officer to another, in one write.
// A filed case keeps its number, which names the unit that filed it.
func (s *Service) MoveOpen(ctx context.Context, recs []casework.OpenRecord, m casework.Move) error {
	var w Write
	var ch casework.Change
	for _, r := range recs {
		next, one, err := casework.MoveRecord(ctx, s.k, m, r, s.store.GetCase, func(c Case) int64 { return c.Version },
			func(c Case, version int64, at time.Time) Case {
				c = c.Clone()
				if m.ToUnitID != "" {
					c.UnitID = m.ToUnitID
				}
				if m.FromStaffID != "" && c.Dispatch != nil {
					c.Dispatch.Officers = casework.Reassign(c.Dispatch.Officers, m.FromStaffID, m.ToStaffID)
				}
				c.Version, c.UpdatedAt = version, at
				return c
			})
		if err != nil {
			return err
		}
		ch.Audit = append(ch.Audit, one.Audit...)
		w.Cases = append(w.Cases, next)
	}
	if len(w.Cases) == 0 {
		return nil
	}
	return s.store.CommitCases(ctx, w, ch)
}
