package recovery

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// PlanEvent plans a return event (涉案物品返还会) hosted by a unit.
func (s *Service) PlanEvent(ctx context.Context, actor casework.Actor, in EventInput) (Event, error) {
	in.UnitID, in.Name, in.Place = trimmed(in.UnitID), trimmed(in.Name), trimmed(in.Place)
	in.Date = casework.Truncate(in.Date)
	if in.UnitID == "" {
		return Event{}, errs.Invalid("unitId", "required", "the hosting unit is required")
	}
	if err := s.k.UnitInReach(ctx, actor, in.UnitID); err != nil {
		return Event{}, err
	}
	if err := s.k.Authorize(ctx, actor, ActionEvent, casework.Target{RecordType: RecordEvent, UnitID: in.UnitID}); err != nil {
		return Event{}, err
	}
	if err := s.k.Validate(in); err != nil {
		return Event{}, err
	}
	var f errs.Fields
	checkText(&f, "name", in.Name, true, 200)
	checkText(&f, "place", in.Place, true, maxPlace)
	if in.Date.IsZero() {
		f.Add("date", "required", "is required")
	}
	if err := f.Err(); err != nil {
		return Event{}, err
	}
	return casework.CreateOnce(ctx, s.k, actor, in.RequestKey, in, func(rk *casework.RequestKey) (Event, error) {
		now := s.k.Now()
		e := Event{ID: s.k.NewID(), UnitID: in.UnitID, Name: in.Name, Date: in.Date, Place: in.Place, State: EventPlanned,
			CreatedBy: actor.StaffID, Version: 1, CreatedAt: now, UpdatedAt: now}
		c := s.changes(ctx, actor)
		c.add("recovery.event.plan", RecordEvent, e.ID, nil, e)
		c.keyed(rk, RecordEvent, e.ID, e)
		return commit(c, Batch{NewEvents: []Event{e}}, e)
	})
}

// loadEvent reads an event and checks the action on it.
func (s *Service) loadEvent(ctx context.Context, actor casework.Actor, action casework.Action, id string) (Event, error) {
	if !validID(id) {
		return Event{}, errs.NotFound(RecordEvent, "")
	}
	e, err := s.store.GetEvent(ctx, id)
	if err != nil {
		return Event{}, err
	}
	if err := s.k.Check(ctx, actor, action, casework.Target{RecordType: RecordEvent, RecordID: id, UnitID: e.UnitID}); err != nil {
		return Event{}, err
	}
	return e, nil
}

// GetEvent returns a return event.
func (s *Service) GetEvent(ctx context.Context, actor casework.Actor, id string) (Event, error) {
	return s.loadEvent(ctx, actor, ActionRead, id)
}

// AddReturns plans approved returns for an event. Each return's item must
// lie in the hosting unit's subtree, and a return is planned for one
// planned event at a time.
func (s *Service) AddReturns(ctx context.Context, actor casework.Actor, id string, version int64, returnIDs []string) (Event, error) {
	e, err := s.loadEvent(ctx, actor, ActionEvent, id)
	if err != nil {
		return Event{}, err
	}
	if e.Version != version {
		return Event{}, stale(RecordEvent, id, version)
	}
	if e.State != EventPlanned {
		return Event{}, errs.Transition(string(e.State), string(e.State), "returns are added to a planned event only")
	}
	hostPath, err := s.k.UnitPath(ctx, e.UnitID)
	if err != nil {
		return Event{}, err
	}
	var f errs.Fields
	if len(returnIDs) == 0 {
		f.Add("returnIds", "required", "name at least one return")
	}
	var b Batch
	c := s.changes(ctx, actor)
	now := s.k.Now()
	next := e.Clone()
	for i, rid := range returnIDs {
		field := "returnIds[" + strconv.Itoa(i) + "]"
		if slices.Contains(next.ReturnIDs, rid) {
			f.Add(field, "unique", "return %s is already planned for this event", rid)
			continue
		}
		r, it, err := s.loadReturn(ctx, actor, ActionEvent, rid)
		if errors.Is(err, errs.ErrNotFound) {
			f.Add(field, "exists", "no return %q", rid)
			continue
		}
		if err != nil {
			return Event{}, err
		}
		if r.State != ReturnApproved {
			f.Add(field, "approved", "return %s is %s, not approved", rid, r.State)
			continue
		}
		if p, err := s.k.UnitPath(ctx, it.UnitID); err != nil || !casework.Contains(hostPath, p) {
			f.Add(field, "in_unit", "return %s's item is not in the hosting unit's subtree", rid)
			continue
		}
		if r.EventID != "" && r.EventID != e.ID {
			other, err := s.store.GetEvent(ctx, r.EventID)
			if err == nil && other.State == EventPlanned {
				f.Add(field, "one_event", "return %s is planned for event %s", rid, other.ID)
				continue
			}
		}
		rNext := r.Clone()
		rNext.EventID, rNext.Version, rNext.UpdatedAt = e.ID, r.Version+1, now
		b.Returns = append(b.Returns, rNext)
		c.add("recovery.return.plan_event", RecordReturn, r.ID, r, rNext)
		next.ReturnIDs = append(next.ReturnIDs, rid)
	}
	if err := f.Err(); err != nil {
		return Event{}, err
	}
	next.Version, next.UpdatedAt = e.Version+1, now
	b.Events = append(b.Events, next)
	c.add("recovery.event.add_returns", RecordEvent, e.ID, e, next)
	return commit(c, b, next)
}

// HoldEvent records a held return event: one hand-over per planned return,
// each returned with its own receipt or marked absent (a return completed
// at the desk since it was planned needs none and is recorded as returned
// beforehand). Everything commits
// together or not at all; a bad hand-over (a missing receipt, an ID number
// that does not match) refuses the call with the hand-over's index in the
// field name, so the desk can fix it or mark it failed and submit again.
// Failed hand-overs leave their items approved and in custody.
func (s *Service) HoldEvent(ctx context.Context, actor casework.Actor, id string, version int64, handovers []Handover) (Event, error) {
	e, err := s.loadEvent(ctx, actor, ActionEvent, id)
	if err != nil {
		return Event{}, err
	}
	if err := s.k.Validate(struct {
		Handovers []Handover `json:"handovers"`
	}{handovers}); err != nil {
		return Event{}, err
	}
	if e.Version != version {
		return Event{}, stale(RecordEvent, id, version)
	}
	if e.State != EventPlanned {
		return Event{}, errs.Transition(string(e.State), string(EventHeld), "the event was held already")
	}
	var f errs.Fields
	if len(e.ReturnIDs) == 0 {
		f.Add("returnIds", "required", "an event needs at least one planned return")
	}
	// A planned return handed over at the desk before the event needs no
	// hand-over here: the event records that it was returned beforehand.
	planned := map[string]Return{}
	items := map[string]Item{}
	for _, rid := range e.ReturnIDs {
		r, it, err := s.loadReturn(ctx, actor, ActionHandOver, rid)
		if err != nil {
			return Event{}, err
		}
		planned[rid], items[rid] = r, it
	}
	byReturn := map[string]int{}
	for i, h := range handovers {
		field := "handovers[" + strconv.Itoa(i) + "].returnId"
		r, ok := planned[h.ReturnID]
		switch {
		case !ok:
			f.Add(field, "planned", "return %q is not planned for this event", h.ReturnID)
		case r.State == ReturnCompleted:
			f.Add(field, "open", "return %s was completed before the event", h.ReturnID)
		}
		if _, dup := byReturn[h.ReturnID]; dup {
			f.Add(field, "unique", "return %s has two hand-overs", h.ReturnID)
		}
		byReturn[h.ReturnID] = i
	}
	for _, rid := range e.ReturnIDs {
		if _, ok := byReturn[rid]; !ok && planned[rid].State != ReturnCompleted {
			f.Add("handovers", "cover_returns", "return %s has no hand-over (mark it absent if nobody came)", rid)
		}
	}
	if err := f.Err(); err != nil {
		return Event{}, err
	}
	var b Batch
	c := s.changes(ctx, actor)
	next := e.Clone()
	for _, rid := range e.ReturnIDs {
		r, it := planned[rid], items[rid]
		if r.State == ReturnCompleted {
			next.Results = append(next.Results, EventResult{ReturnID: rid, ItemID: r.ItemID, Reason: reasonReturnedBefore})
			continue
		}
		i := byReturn[rid]
		h := handovers[i]
		prefix := "handovers[" + strconv.Itoa(i) + "]."
		done, err := s.handover(ctx, actor, prefix, r, it, h, e.ID, &b, c)
		if err != nil {
			if !errors.Is(err, errs.ErrInvalid) && !errors.Is(err, errs.ErrInvalidTransition) {
				return Event{}, err
			}
			f.Merge("", asField(prefix+"returnId", err))
			continue
		}
		next.Results = append(next.Results, EventResult{ReturnID: rid, ItemID: r.ItemID, Returned: done.State == ReturnCompleted,
			Reason: map[bool]string{true: h.Reason}[h.Absent], Receipt: cloneAttachment(done.Receipt)})
	}
	if err := f.Err(); err != nil {
		return Event{}, err
	}
	now := s.k.Now()
	next.State, next.HeldBy, next.HeldAt = EventHeld, actor.StaffID, now
	next.Version, next.UpdatedAt = e.Version+1, now
	b.Events = append(b.Events, next)
	c.add("recovery.event.hold", RecordEvent, e.ID, e, next)
	return commit(c, b, next)
}

// reasonReturnedBefore is the result of a planned return completed at the
// desk before the event.
const reasonReturnedBefore = "返还会前已发还"

// asField keeps invalid-input errors as they are and turns a refused
// transition into a field error, so one call reports every bad hand-over.
func asField(field string, err error) error {
	var te *errs.TransitionError
	if errors.As(err, &te) {
		return errs.Invalid(field, "transition", "%v", te)
	}
	return err
}

// EventQuery searches return events in the actor's subtree; the range
// [From, To) applies to the event's date.
type EventQuery struct {
	UnitID string
	States []EventState
	From   time.Time
	To     time.Time
	Page   casework.Page
}

// ListEvents searches return events.
func (s *Service) ListEvents(ctx context.Context, actor casework.Actor, q EventQuery) ([]Event, string, error) {
	if err := s.k.UnitInReach(ctx, actor, q.UnitID); err != nil {
		return nil, "", err
	}
	if err := s.k.Authorize(ctx, actor, ActionRead, casework.Target{}); err != nil {
		return nil, "", err
	}
	path, err := s.k.Scope(ctx, actor, q.UnitID)
	if err != nil {
		return nil, "", err
	}
	p := q.Page.Normalize()
	rows, err := s.store.ListEvents(ctx, EventFilter{UnitUnder: path, States: q.States, From: q.From, To: q.To},
		casework.Page{Limit: p.Limit + 1, After: p.After})
	if err != nil {
		return nil, "", err
	}
	out, next := casework.PageOf(rows, p.Limit, func(e Event) casework.Cursor { return casework.Cursor{At: e.CreatedAt, ID: e.ID} })
	return out, next, nil
}
