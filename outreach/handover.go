package outreach

import (
	"context"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

var _ casework.AssignmentMover = (*Service)(nil)

// openHazards are the statuses a hazard is still worked in: found,
// being rectified, or rectified and awaiting verification.
var openHazards = []HazardStatus{HazardFound, HazardRectifying, HazardRectified}

// OpenRecords implements casework.AssignmentMover: the active visit-plan
// entries, the hazards not yet verified and the open referrals of a unit
// subtree; or a staff member's: the referrals they own and the entries and
// hazards of their responsibility areas.
func (s *Service) OpenRecords(ctx context.Context, q casework.OpenQuery) ([]casework.OpenRecord, error) {
	byArea := q.UnitUnder != "" || len(q.Areas) > 0 // a staff member without areas holds nothing by area
	var out []casework.OpenRecord
	if byArea {
		plan, err := casework.ListAll(func(p casework.Page) ([]PlanEntry, error) {
			return s.store.ListPlanEntries(ctx, PlanFilter{UnitUnder: q.UnitUnder, Areas: q.Areas}, p)
		}, func(e PlanEntry) casework.Cursor { return casework.Cursor{At: e.Deadline, ID: e.ID} })
		if err != nil {
			return nil, err
		}
		for _, e := range plan {
			out = append(out, casework.OpenRecord{RecordType: RecordPlanEntry, ID: e.ID, UnitID: e.UnitID, Version: e.Version})
		}
		hazards, err := casework.ListAll(func(p casework.Page) ([]Hazard, error) {
			return s.store.ListHazards(ctx, HazardFilter{UnitUnder: q.UnitUnder, Areas: q.Areas, Status: openHazards}, p)
		}, func(h Hazard) casework.Cursor { return casework.Cursor{At: h.FoundAt, ID: h.ID} })
		if err != nil {
			return nil, err
		}
		for _, h := range hazards {
			out = append(out, casework.OpenRecord{RecordType: RecordHazard, ID: h.ID, UnitID: h.UnitID, Version: h.Version})
		}
	}
	if q.UnitUnder != "" || q.AssigneeID != "" {
		refs, err := casework.ListAll(func(p casework.Page) ([]Referral, error) {
			return s.store.ListReferrals(ctx, ReferralFilter{UnitUnder: q.UnitUnder, OwnerID: q.AssigneeID, Status: []ReferralStatus{ReferralOpen}}, p)
		}, func(r Referral) casework.Cursor { return casework.Cursor{At: r.CreatedAt, ID: r.ID} })
		if err != nil {
			return nil, err
		}
		for _, r := range refs {
			out = append(out, casework.OpenRecord{RecordType: RecordReferral, ID: r.ID, UnitID: r.UnitID,
				Assignees: []string{r.OwnerID}, Version: r.Version})
		}
	}
	return out, nil
}

// CheckMove implements casework.AssignmentMover: any staff member may own
// a referral and hold an area, so outreach refuses no move.
func (s *Service) CheckMove(context.Context, []casework.OpenRecord, casework.Move) error { return nil }

// MoveOpen implements casework.AssignmentMover. A plan entry and a hazard
// move to the receiving unit; by area they need no change for a hand-over
// (the areas go to the colleague). A referral moves unit, or owner.
func (s *Service) MoveOpen(ctx context.Context, recs []casework.OpenRecord, m casework.Move) error {
	for _, r := range recs {
		var err error
		switch r.RecordType {
		case RecordPlanEntry:
			err = moveOne(ctx, s, m, r, s.store.GetPlanEntry, s.store.UpdatePlanEntry, func(e *PlanEntry) (*string, *int64, *time.Time, *string) {
				return &e.UnitID, &e.Version, &e.UpdatedAt, nil
			}, nil)
		case RecordHazard:
			err = moveOne(ctx, s, m, r, s.store.GetHazard, s.store.UpdateHazard, func(h *Hazard) (*string, *int64, *time.Time, *string) {
				return &h.UnitID, &h.Version, &h.UpdatedAt, nil
			}, nil)
		case RecordReferral:
			err = moveOne(ctx, s, m, r, s.store.GetReferral, s.store.UpdateReferral, func(x *Referral) (*string, *int64, *time.Time, *string) {
				return &x.UnitID, &x.Version, &x.UpdatedAt, &x.OwnerID
			}, func(x *Referral) { x.OverdueNoticedAt = time.Time{} }) // the new owner is told once too
		default:
			err = errs.Invalid("recordType", "outreach", "outreach moves no %q", r.RecordType)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// moveOne is one record's compare-and-swap move: fields points at its
// unit, version, update time and (when it has one) owner. A record kept by
// area and no owner is left as it is by a hand-over. newOwner, if not nil,
// resets what was the old owner's alone when the owner changes.
func moveOne[T any](ctx context.Context, s *Service, m casework.Move, r casework.OpenRecord,
	get func(context.Context, string) (T, error), update func(context.Context, T, casework.Change) error,
	fields func(*T) (unit *string, version *int64, at *time.Time, owner *string), newOwner func(*T)) error {
	var probe T
	if _, _, _, owner := fields(&probe); m.ToUnitID == "" && owner == nil {
		return nil
	}
	next, ch, err := casework.MoveRecord(ctx, s.k, m, r, get, func(v T) int64 { _, ver, _, _ := fields(&v); return *ver },
		func(v T, version int64, at time.Time) T {
			unit, ver, updated, owner := fields(&v)
			if m.ToUnitID != "" {
				*unit = m.ToUnitID
			}
			if owner != nil && m.FromStaffID != "" && *owner == m.FromStaffID {
				*owner = m.ToStaffID
				if newOwner != nil {
					newOwner(&v)
				}
			}
			*ver, *updated = version, at
			return v
		})
	if err != nil {
		return err
	}
	return update(ctx, next, ch)
}
