package outreach

import (
	"context"
	"errors"
	"slices"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// load is the one read path of a record by id: fetch it, then authorize.
// It returns the zero value with any error, so no caller can hand out a
// record it was refused.
func load[T any](ctx context.Context, s *Service, actor casework.Actor, action casework.Action, id string,
	get func(context.Context, string) (T, error), target func(T) casework.Target) (T, error) {
	var zero T
	rec, err := get(ctx, id)
	if err != nil {
		return zero, err
	}
	if err := s.k.Check(ctx, actor, action, target(rec)); err != nil {
		return zero, err
	}
	return rec, nil
}

// inReach turns the load of a record an input names into "in reach or
// not" (Kernel.Reach): ok is false for a record that does not exist and for
// one out of reach alike, so an input cannot probe other units (the caller
// adds the field error "exists"). A failing store is returned.
func (s *Service) inReach(ctx context.Context, actor casework.Actor, t casework.Target, loadErr error) (bool, error) {
	switch {
	case errors.Is(loadErr, errs.ErrNotFound):
		return false, nil
	case loadErr != nil:
		return false, loadErr
	}
	err := s.k.Reach(ctx, actor, t)
	if errors.Is(err, errs.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// address loads an address the actor reaches, for a record to point at
// (none for ""). One out of reach is a field error in f; a failing store
// is returned.
func (s *Service) address(ctx context.Context, actor casework.Actor, field, id string, f *errs.Fields) (casework.Address, error) {
	if id == "" {
		return casework.Address{}, nil
	}
	a, ok, err := s.k.AddressInReach(ctx, actor, id)
	if err != nil {
		return casework.Address{}, err
	}
	if !ok {
		f.Add(field, "exists", "no address %q in reach", id)
		return casework.Address{}, nil
	}
	return a, nil
}

// person checks that a person id names a person the actor reaches.
func (s *Service) person(ctx context.Context, actor casework.Actor, field, id string, f *errs.Fields) error {
	if id == "" {
		return nil
	}
	ok, err := s.k.RefInReach(ctx, actor, "person", id)
	if err == nil && !ok {
		f.Add(field, "exists", "no person %q in reach", id)
	}
	return err
}

// staffInReach checks that a staff id names an active staff member the
// actor reaches.
func (s *Service) staffInReach(ctx context.Context, actor casework.Actor, field, id string, f *errs.Fields) (casework.Staff, error) {
	st, ok, err := s.k.StaffInReach(ctx, actor, id)
	switch {
	case err != nil:
		return casework.Staff{}, err
	case !ok:
		f.Add(field, "exists", "no staff member %q in reach", id)
		return casework.Staff{}, nil
	case !st.Active:
		f.Add(field, "active", "staff member %q is not active", id)
	}
	return st, nil
}

// officerAreas is the responsibility area of an officer a query names
// (OfficerID): one out of reach is ErrInvalid on officerId, exactly as one
// that does not exist.
func (s *Service) officerAreas(ctx context.Context, actor casework.Actor, id string) ([]string, error) {
	var f errs.Fields
	st, err := s.staffInReach(ctx, actor, "officerId", id, &f)
	if err != nil {
		return nil, err
	}
	if st.ID == "" {
		return nil, f.Err()
	}
	return slices.Clone(st.Areas), nil
}

// visitRef checks that a visit id an input names lies in the actor's
// reach (field error "exists" otherwise) and returns it.
func (s *Service) visitRef(ctx context.Context, actor casework.Actor, field, id string, f *errs.Fields) (Visit, error) {
	v, err := s.store.GetVisit(ctx, id)
	ok, err := s.inReach(ctx, actor, visitTarget(v), err)
	if err != nil {
		return Visit{}, err
	}
	if !ok {
		f.Add(field, "exists", "no visit %q in reach", id)
		return Visit{}, nil
	}
	return v, nil
}

// The targets of outreach records, for reach and permission checks.
func visitTarget(v Visit) casework.Target {
	return casework.Target{RecordType: RecordVisit, RecordID: v.ID, UnitID: v.UnitID}
}

func hazardTarget(h Hazard) casework.Target {
	return casework.Target{RecordType: RecordHazard, RecordID: h.ID, UnitID: h.UnitID}
}

func appointmentTarget(a Appointment) casework.Target {
	return casework.Target{RecordType: RecordAppointment, RecordID: a.ID, UnitID: a.UnitID}
}

func planTarget(e PlanEntry) casework.Target {
	return casework.Target{RecordType: RecordPlanEntry, RecordID: e.ID, UnitID: e.UnitID}
}
