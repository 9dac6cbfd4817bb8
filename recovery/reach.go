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

// refInReach turns the load of a record an input names into "in reach or
// not": ok is false for a record that does not exist and for one out of the
// actor's reach alike, so an input cannot probe other units (the caller
// adds the field error "exists").
func (s *Service) refInReach(ctx context.Context, actor casework.Actor, recordType, id, unitID string, loadErr error) (bool, error) {
	switch {
	case errors.Is(loadErr, errs.ErrNotFound):
		return false, nil
	case loadErr != nil:
		return false, loadErr
	}
	err := s.k.Reach(ctx, actor, casework.Target{RecordType: recordType, RecordID: id, UnitID: unitID})
	if errors.Is(err, errs.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// personRef loads a person an input names, if it lies in the actor's
// reach; ok is false otherwise.
func (s *Service) personRef(ctx context.Context, actor casework.Actor, id string) (casework.PersonRecord, bool, error) {
	if !validID(id) {
		return casework.PersonRecord{}, false, nil
	}
	p, err := s.k.Store().GetPerson(ctx, id)
	ok, err := s.refInReach(ctx, actor, "person", id, p.UnitID, err)
	if !ok || err != nil {
		return casework.PersonRecord{}, false, err
	}
	return p, true, nil
}

// staffRef is personRef for a staff member an input names (a witness, a
// holder in custody).
func (s *Service) staffRef(ctx context.Context, actor casework.Actor, id string) (casework.Staff, bool, error) {
	if !validID(id) {
		return casework.Staff{}, false, nil
	}
	st, err := s.k.Store().GetStaff(ctx, id)
	ok, err := s.refInReach(ctx, actor, "staff", id, st.UnitID, err)
	if !ok || err != nil {
		return casework.Staff{}, false, err
	}
	return st, true, nil
}

// addressRef is personRef for an address.
func (s *Service) addressRef(ctx context.Context, actor casework.Actor, id string) (casework.Address, bool, error) {
	if !validID(id) {
		return casework.Address{}, false, nil
	}
	a, err := s.k.Store().GetAddress(ctx, id)
	ok, err := s.refInReach(ctx, actor, "address", id, a.UnitID, err)
	if !ok || err != nil {
		return casework.Address{}, false, err
	}
	return a, true, nil
}
