package outreach

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// AddToPlan puts a household, site or firm at an address on the visit plan.
// It is due at once and overdue one interval of its kind later.
func (s *Service) AddToPlan(ctx context.Context, actor casework.Actor, in PlanInput) (PlanEntry, error) {
	in.Organisation, in.Note = strings.TrimSpace(in.Organisation), strings.TrimSpace(in.Note)
	if err := s.k.UnitInReach(ctx, actor, in.UnitID); err != nil {
		return PlanEntry{}, err
	}
	if err := s.k.Authorize(ctx, actor, ActionPlan, casework.Target{RecordType: RecordPlanEntry, UnitID: in.UnitID}); err != nil {
		return PlanEntry{}, err
	}
	var f errs.Fields
	f.Merge("", s.k.Validate(in))
	if !in.Kind.Valid() {
		f.Add("kind", "code", "%q is not a target kind", in.Kind)
	} else if s.plan.Frequencies[in.Kind].Zero() {
		f.Add("kind", "scheduled", "%s visits are not on a schedule", in.Kind)
	}
	if in.Kind.Sensitive() || in.Kind == DifficultFamily {
		if in.PersonID == "" {
			f.Add("personId", "required", "a family on the plan names its person")
		}
	}
	if err := s.person(ctx, actor, "personId", in.PersonID, &f); err != nil {
		return PlanEntry{}, err
	}
	addr, err := s.address(ctx, actor, "addressId", in.AddressID, &f)
	if err != nil {
		return PlanEntry{}, err
	}
	if err := f.Err(); err != nil {
		return PlanEntry{}, err
	}
	return casework.CreateOnce(ctx, s.k, actor, in.RequestKey, in, func(rk *casework.RequestKey) (PlanEntry, error) {
		now := s.k.Now()
		e := PlanEntry{ID: s.k.NewID(), UnitID: in.UnitID, Kind: in.Kind, AddressID: addr.ID, Address: addr.Text, Community: addr.Community,
			PersonID: in.PersonID, Organisation: in.Organisation, Note: in.Note, Since: now, Active: true, Version: 1, CreatedAt: now, UpdatedAt: now}
		a := s.plan.Assess(e.Kind, e.Since, false, now)
		e.DueFrom, e.Deadline = a.DueFrom, a.Deadline
		return created(ctx, s, actor, rk, "plan_entry.add", RecordPlanEntry, e.ID, e, s.store.CreatePlanEntry)
	})
}

// RemoveFromPlan takes a target off the plan (it moved away, the firm
// recovered); its visits stay. The reason is audited.
func (s *Service) RemoveFromPlan(ctx context.Context, actor casework.Actor, id string, version int64, reason string) (PlanEntry, error) {
	cur, err := load(ctx, s, actor, ActionPlan, id, s.store.GetPlanEntry, planTarget)
	if err != nil {
		return PlanEntry{}, err
	}
	reason = strings.TrimSpace(reason)
	if err := casework.CheckText("reason", reason, 500); err != nil {
		return PlanEntry{}, err
	}
	if reason == "" {
		return PlanEntry{}, errs.Invalid("reason", "required", "taking a target off the plan needs a reason")
	}
	if !cur.Active {
		return PlanEntry{}, errs.Transition("active", "inactive", "the entry is already off the plan")
	}
	if cur.Version != version {
		return PlanEntry{}, errs.Stale(RecordPlanEntry, id, version)
	}
	next := cur
	next.Active, next.Version, next.UpdatedAt = false, cur.Version+1, s.k.Now()
	ch, err := s.k.Change(ctx, actor, "plan_entry.remove", RecordPlanEntry, id, cur, struct {
		PlanEntry
		Reason string `json:"reason"`
	}{next, reason})
	if err != nil {
		return PlanEntry{}, err
	}
	if err := s.store.UpdatePlanEntry(ctx, next, ch); err != nil {
		return PlanEntry{}, err
	}
	return next, nil
}

// GetPlanEntry returns a plan entry, masked when it is a sensitive family
// the actor may not see in detail.
func (s *Service) GetPlanEntry(ctx context.Context, actor casework.Actor, id string) (PlanEntry, error) {
	e, err := load(ctx, s, actor, ActionRead, id, s.store.GetPlanEntry, planTarget)
	if err != nil {
		return PlanEntry{}, err
	}
	if e.Kind.Sensitive() {
		if s.helperBound(actor, ActionRead) {
			return PlanEntry{}, errs.New(errs.ErrForbidden, "a helper sees no plan entry of a %s", e.Kind)
		}
		if ok, err := s.canSeeSensitive(ctx, actor, planTarget(e)); err != nil {
			return PlanEntry{}, err
		} else if !ok {
			return e.masked(), nil
		}
	}
	return e, nil
}

// DueQuery asks whom to visit next.
type DueQuery struct {
	// OfficerID narrows the list to the officer's responsibility area.
	OfficerID string
	// UnitID narrows it to a unit's subtree (default the actor's unit).
	UnitID string
	Kind   TargetKind
	// AsOf is the instant the list is for (default now): entries due or
	// overdue then.
	AsOf time.Time
	Page casework.Page
}

// DueVisits lists the targets due or overdue for a visit, most urgent
// deadline first, each with its owners: the officers whose responsibility
// area holds the address. Plan.Assess decides each line's status.
func (s *Service) DueVisits(ctx context.Context, actor casework.Actor, q DueQuery) ([]DueVisit, string, error) {
	path, err := s.scope(ctx, actor, ActionRead, q.UnitID)
	if err != nil {
		return nil, "", err
	}
	asOf := casework.Truncate(q.AsOf)
	if asOf.IsZero() {
		asOf = s.k.Now()
	}
	f := PlanFilter{UnitUnder: path, Kind: q.Kind, DueBy: asOf}
	if q.OfficerID != "" {
		areas, err := s.officerAreas(ctx, actor, q.OfficerID)
		if err != nil || len(areas) == 0 {
			return nil, "", err
		}
		f.Areas = areas
	}
	see, err := s.canSeeSensitive(ctx, actor, casework.Target{})
	if err != nil {
		return nil, "", err
	}
	helper := s.helperBound(actor, ActionRead)
	p := q.Page.Normalize()
	rows, err := s.store.ListPlanEntries(ctx, f, casework.Page{Limit: p.Limit + 1, After: p.After})
	if err != nil {
		return nil, "", err
	}
	rows, next := casework.PageOf(rows, p.Limit, func(e PlanEntry) casework.Cursor { return casework.Cursor{At: e.Deadline, ID: e.ID} })
	owners := map[string][]casework.Staff{}
	out := make([]DueVisit, 0, len(rows))
	for _, e := range rows {
		base, visited := e.base()
		d := DueVisit{Entry: e, Assessment: s.plan.Assess(e.Kind, base, visited, asOf)}
		if d.Assessment.Status != Due && d.Assessment.Status != Overdue {
			// Stored dates from before a change of frequencies: Assess, the
			// one rule, has the last word (the page may come out shorter).
			continue
		}
		for _, area := range []string{e.Community, e.AddressID} {
			if area == "" {
				continue
			}
			staff, ok := owners[area]
			if !ok {
				var err error
				if staff, err = s.k.ResponsibleStaff(ctx, actor, area); err != nil {
					return nil, "", err
				}
				owners[area] = staff
			}
			for _, st := range staff {
				// A helper whose grid holds a key or special person's
				// family does not own its visit: they may not record it.
				if e.Kind.Sensitive() && !slices.ContainsFunc(st.Roles, func(r casework.Role) bool { return !r.Helper() }) {
					continue
				}
				d.Owners = append(d.Owners, st.ID)
			}
		}
		d.Owners = slices.Compact(slices.Sorted(slices.Values(d.Owners)))
		if e.Kind.Sensitive() && !see {
			if helper {
				continue // not even masked: the kind is the secret
			}
			d.Entry = e.masked()
		}
		out = append(out, d)
	}
	return out, next, nil
}
