package recovery

import (
	"context"
	"errors"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// check is the one gate of every method acting on a record: reach first
// (Kernel.Reach: a record out of reach, and any record for an actor who is
// no active staff member, is ErrNotFound exactly as an id that does not
// exist), then the permission (Kernel.Authorize: role, level, a write on a
// shared record, separation of duties). The order is what keeps a record's
// existence secret from an actor who may not see it.
func (s *Service) check(ctx context.Context, actor casework.Actor, action casework.Action, t casework.Target) error {
	if err := s.k.Reach(ctx, actor, t); err != nil {
		return err
	}
	return s.k.Authorize(ctx, actor, action, t)
}

// unitReach checks, before any permission check, that a unit the actor
// names (to report into, list or count) lies in its reach; "" is the
// actor's own unit. A unit out of reach, and any unit for an actor who is
// no active staff member, answers ErrNotFound as a unit that does not exist.
func (s *Service) unitReach(ctx context.Context, actor casework.Actor, unitID string) error {
	if unitID == "" {
		unitID = actor.UnitID
	}
	return s.k.Reach(ctx, actor, casework.Target{RecordType: "unit", RecordID: unitID, UnitID: unitID})
}

// above reports whether unit upper's subtree holds unit lower.
func (s *Service) above(ctx context.Context, upper, lower string) bool {
	up, err := s.k.UnitPath(ctx, upper)
	if err != nil {
		return false
	}
	low, err := s.k.UnitPath(ctx, lower)
	return err == nil && casework.Contains(up, low)
}

// ref loads a record an input names (a person, a staff member, an
// address) if it lies in the actor's reach: ok is false for a record that
// does not exist and for one out of reach alike, so an input cannot probe
// other units (the caller adds the field error "exists").
func ref[T any](ctx context.Context, s *Service, actor casework.Actor, recordType, id string,
	load func(context.Context, string) (T, error), unitOf func(T) string) (T, bool, error) {
	var zero T
	if !validID(id) {
		return zero, false, nil
	}
	v, err := load(ctx, id)
	switch {
	case errors.Is(err, errs.ErrNotFound):
		return zero, false, nil
	case err != nil:
		return zero, false, err
	}
	err = s.k.Reach(ctx, actor, casework.Target{RecordType: recordType, RecordID: id, UnitID: unitOf(v)})
	switch {
	case errors.Is(err, errs.ErrNotFound):
		return zero, false, nil
	case err != nil:
		return zero, false, err
	}
	return v, true, nil
}

func (s *Service) personRef(ctx context.Context, actor casework.Actor, id string) (casework.PersonRecord, bool, error) {
	return ref(ctx, s, actor, "person", id, s.k.Store().GetPerson, func(p casework.PersonRecord) string { return p.UnitID })
}

func (s *Service) staffRef(ctx context.Context, actor casework.Actor, id string) (casework.Staff, bool, error) {
	return ref(ctx, s, actor, "staff", id, s.k.Store().GetStaff, func(st casework.Staff) string { return st.UnitID })
}

func (s *Service) addressRef(ctx context.Context, actor casework.Actor, id string) (casework.Address, bool, error) {
	return ref(ctx, s, actor, "address", id, s.k.Store().GetAddress, func(a casework.Address) string { return a.UnitID })
}
