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

// openLeads are the states a lead is still worked in: neither converted
// into a case nor discarded.
var openLeads = []LeadState{LeadNew, LeadVerified}

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
// reads the open cases and keeps the member's. A unit's open leads (new or
// verified) are open records of the unit too; they are assigned to no one,
// so a hand-over moves none.
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
	if q.UnitUnder == "" {
		return out, nil
	}
	leads, err := casework.ListAll(func(p casework.Page) ([]Lead, error) {
		return s.store.ListLeads(ctx, LeadFilter{UnitUnder: q.UnitUnder, States: openLeads}, p)
	}, func(l Lead) casework.Cursor { return casework.Cursor{At: l.CreatedAt, ID: l.ID} })
	if err != nil {
		return nil, err
	}
	for _, l := range leads {
		out = append(out, casework.OpenRecord{RecordType: RecordLead, ID: l.ID, UnitID: l.UnitID, Version: l.Version})
	}
	return out, nil
}

// CheckMove implements casework.AssignmentMover: any officer may be
// dispatched, so cases refuse no move.
func (s *Service) CheckMove(context.Context, []casework.OpenRecord, casework.Move) error { return nil }

// MoveOpen implements casework.AssignmentMover: the cases and open leads
// move to the receiving unit, or the cases from one dispatched officer to
// another, in one write.
// A filed case keeps its number, which names the unit that filed it.
func (s *Service) MoveOpen(ctx context.Context, recs []casework.OpenRecord, m casework.Move) error {
	var w Write
	var ch casework.Change
	for _, r := range recs {
		if r.RecordType == RecordLead {
			if m.ToUnitID == "" {
				continue
			}
			next, one, err := casework.MoveRecord(ctx, s.k, m, r, s.store.GetLead, func(l Lead) int64 { return l.Version },
				func(l Lead, version int64, at time.Time) Lead {
					l = l.Clone()
					l.UnitID, l.Version, l.UpdatedAt = m.ToUnitID, version, at
					return l
				})
			if err != nil {
				return err
			}
			ch.Audit = append(ch.Audit, one.Audit...)
			w.Leads = append(w.Leads, next)
			continue
		}
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
	if len(w.Cases)+len(w.Leads) == 0 {
		return nil
	}
	return s.store.CommitCases(ctx, w, ch)
}
