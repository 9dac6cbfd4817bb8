package mediation

import (
	"context"
	"errors"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

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

// personRef loads a person an input names, if the actor may read it: ok is
// false for a person that does not exist and for one out of reach alike, so
// an input cannot probe other units for persons (the caller adds the field
// error "exists").
func (s *Service) personRef(ctx context.Context, actor casework.Actor, id string) (casework.PersonRecord, bool, error) {
	rec, err := s.k.Store().GetPerson(ctx, id)
	ok, err := s.refInReach(ctx, actor, "person", id, rec.UnitID, err)
	if !ok || err != nil {
		return casework.PersonRecord{}, false, err
	}
	return rec, true, nil
}

// staffRef is personRef for a staff member an input names (a mediator, an
// officer who went on a follow-up).
func (s *Service) staffRef(ctx context.Context, actor casework.Actor, id string) (casework.Staff, bool, error) {
	st, err := s.k.Store().GetStaff(ctx, id)
	ok, err := s.refInReach(ctx, actor, "staff", id, st.UnitID, err)
	if !ok || err != nil {
		return casework.Staff{}, false, err
	}
	return st, true, nil
}

// addressRef is personRef for an address.
func (s *Service) addressRef(ctx context.Context, actor casework.Actor, id string) (bool, error) {
	a, err := s.k.Store().GetAddress(ctx, id)
	return s.refInReach(ctx, actor, "address", id, a.UnitID, err)
}

// refInReach turns the load of a referenced record into "in reach or not"
// (Kernel.Reach: the record's unit lies in the actor's subtree or shares
// it). Reach, not a read permission: a mediator names persons and staff of
// its unit without being assigned to them.
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
