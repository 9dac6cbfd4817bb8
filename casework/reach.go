package casework

import (
	"context"
	"errors"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Reach answers whether a record lies within the actor's reach — in the
// subtree of the actor's unit, or shared with that unit or a unit above it —
// before any role, policy or level is consulted. A record out of reach, and
// any record for an actor who is no active staff member of the unit it
// claims, answers ErrNotFound exactly as an id that does not exist, so a
// service that calls Reach right after loading a record and before
// Authorize gives no existence oracle. Authorize still decides what the
// actor may do with a record in reach (a write on a shared record is
// ErrForbidden there).
//
// Inside a delivery (DeliverPending) the actor is a hand-off's sender and
// is taken as it stood when sending, as AuthorizeHandoff does: it must have
// existed, and its reach is that of the unit it claims.
func (k *Kernel) Reach(ctx context.Context, actor Actor, t Target) error {
	notFound := errs.NotFound(t.RecordType, t.RecordID)
	st, err := k.staff(ctx, actor.StaffID)
	if errors.Is(err, errs.ErrNotFound) {
		return notFound
	}
	if err != nil {
		return err
	}
	if _, delivering := ctx.Value(deliveryKey{}).(string); !delivering && (!st.Active || st.UnitID != actor.UnitID) {
		return notFound
	}
	actorUnit, err := k.unit(ctx, actor.UnitID)
	if errors.Is(err, errs.ErrNotFound) {
		return notFound
	}
	if err != nil {
		return err
	}
	err = k.reach(ctx, actorUnit, Rule{Kind: KindRead}, t)
	if errors.Is(err, errs.ErrNotFound) || errors.Is(err, errs.ErrForbidden) {
		return notFound
	}
	return err
}

// RefInReach answers whether a kernel record an input names — a "person",
// "address", "staff" member or "unit" — exists and lies in the actor's
// reach (Reach). A record that does not exist and one out of reach answer
// alike (false, nil), so an input cannot probe other units for records;
// the caller adds the field error with rule "exists". Reach, not a read
// permission: an officer names persons and staff of its unit whatever its
// roles let it read. Any other failure is returned.
func (k *Kernel) RefInReach(ctx context.Context, actor Actor, recordType, id string) (bool, error) {
	var ok bool
	var err error
	switch recordType {
	case "person":
		_, ok, err = k.PersonInReach(ctx, actor, id)
	case "address":
		_, ok, err = k.AddressInReach(ctx, actor, id)
	case "staff":
		_, ok, err = k.StaffInReach(ctx, actor, id)
	case "unit":
		_, ok, err = inReach(ctx, k, actor, "unit", id, k.unit, func(u Unit) string { return u.ID })
	}
	return ok, err
}

// PersonInReach is RefInReach for a person that returns the record too (a
// document prints the party's name).
func (k *Kernel) PersonInReach(ctx context.Context, actor Actor, id string) (PersonRecord, bool, error) {
	return inReach(ctx, k, actor, "person", id, k.store.GetPerson, func(p PersonRecord) string { return p.UnitID })
}

// StaffInReach is RefInReach for a staff member that returns the record.
func (k *Kernel) StaffInReach(ctx context.Context, actor Actor, id string) (Staff, bool, error) {
	return inReach(ctx, k, actor, "staff", id, k.store.GetStaff, func(s Staff) string { return s.UnitID })
}

// AddressInReach is RefInReach for an address that returns the record.
func (k *Kernel) AddressInReach(ctx context.Context, actor Actor, id string) (Address, bool, error) {
	return inReach(ctx, k, actor, "address", id, k.store.GetAddress, func(a Address) string { return a.UnitID })
}

// inReach loads the record id names and answers whether it lies in the
// actor's reach; missing and out of reach alike are (zero, false, nil).
func inReach[T any](ctx context.Context, k *Kernel, actor Actor, recordType, id string,
	load func(context.Context, string) (T, error), unitOf func(T) string) (T, bool, error) {
	var zero T
	if id == "" {
		return zero, false, nil
	}
	v, err := load(ctx, id)
	switch {
	case errors.Is(err, errs.ErrNotFound):
		return zero, false, nil
	case err != nil:
		return zero, false, err
	}
	err = k.Reach(ctx, actor, Target{RecordType: recordType, RecordID: id, UnitID: unitOf(v)})
	switch {
	case errors.Is(err, errs.ErrNotFound):
		return zero, false, nil
	case err != nil:
		return zero, false, err
	}
	return v, true, nil
}

// UnitInReach checks, before any permission check, that a unit the actor
// names (to record into, list or count) lies in its reach; "" is the
// actor's own unit. A unit out of reach, and any unit for an actor who is
// no active staff member, answers ErrNotFound as a unit that does not
// exist, so a create or a list is no oracle for other units either.
func (k *Kernel) UnitInReach(ctx context.Context, actor Actor, unitID string) error {
	return k.Reach(ctx, actor, unitTarget(actor, unitID))
}

// Check is the path of every method about one record, the kernel's and
// every workflow's: reach first —
// a record out of reach, or any record for an actor who is no staff member,
// answers ErrNotFound as an id that does not exist — and only then the
// policy, roles and level (Authorize).
//
// A target of no one record (t.UnitID "") checks the reach of the actor's
// own unit, so an actor who is no staff member still learns nothing.
func (k *Kernel) Check(ctx context.Context, actor Actor, action Action, t Target) error {
	rt := t
	if rt.UnitID == "" {
		rt = unitTarget(actor, "")
	}
	if err := k.Reach(ctx, actor, rt); err != nil {
		return err
	}
	return k.Authorize(ctx, actor, action, t)
}

// checkUnit is check for an action over a unit's subtree (a list, a
// report): the unit (default the actor's) must be in reach, then the action
// is authorized as one about no single record.
func (k *Kernel) checkUnit(ctx context.Context, actor Actor, action Action, unitID string) error {
	if err := k.UnitInReach(ctx, actor, unitID); err != nil {
		return err
	}
	return k.Authorize(ctx, actor, action, Target{})
}

// unitTarget is a unit as the target of an action (create below it, list
// or count its subtree); "" is the actor's own unit.
func unitTarget(actor Actor, unitID string) Target {
	if unitID == "" {
		unitID = actor.UnitID
	}
	return Target{RecordType: "unit", RecordID: unitID, UnitID: unitID}
}

// ref is RefInReach as a field error: an empty id names nothing; one that
// names no record in reach is ErrInvalid on field with rule "exists",
// whether the record is missing or another unit's.
func (k *Kernel) ref(ctx context.Context, actor Actor, recordType, field, id string) error {
	if id == "" {
		return nil
	}
	ok, err := k.RefInReach(ctx, actor, recordType, id)
	if err != nil {
		return err
	}
	if !ok {
		return errs.Invalid(field, "exists", "no %s %q in reach", recordType, id)
	}
	return nil
}
