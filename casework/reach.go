package casework

import (
	"context"
	"errors"
	"slices"

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
	actorUnit, ok, err := k.reachingUnit(ctx, actor)
	if err != nil {
		return err
	}
	if !ok {
		return errs.NotFound(t.RecordType, t.RecordID)
	}
	err = k.reach(ctx, actorUnit, Rule{Kind: KindRead}, t)
	if errors.Is(err, errs.ErrNotFound) || errors.Is(err, errs.ErrForbidden) {
		return errs.NotFound(t.RecordType, t.RecordID)
	}
	return err
}

// reachingUnit is the unit whose reach an actor has, and false when the
// actor reaches nothing: no such staff member, inactive, or not of the
// unit it claims (outside a delivery).
func (k *Kernel) reachingUnit(ctx context.Context, actor Actor) (Unit, bool, error) {
	st, err := k.staff(ctx, actor.StaffID)
	if errors.Is(err, errs.ErrNotFound) {
		return Unit{}, false, nil
	}
	if err != nil {
		return Unit{}, false, err
	}
	if _, delivering := ctx.Value(deliveryKey{}).(string); !delivering && (!st.Active || st.UnitID != actor.UnitID) {
		return Unit{}, false, nil
	}
	u, err := k.unit(ctx, actor.UnitID)
	if errors.Is(err, errs.ErrNotFound) {
		return Unit{}, false, nil
	}
	return u, err == nil, err
}

// PersonsInReach is PersonInReach for many persons at once, for lists that
// print a person a row: one staff check and one query for each
// MaxPageLimit persons (units come from the kernel's cache), whatever the
// rows. The map holds the persons that exist and lie in the actor's reach;
// any other id is absent.
func (k *Kernel) PersonsInReach(ctx context.Context, actor Actor, ids []string) (map[string]PersonRecord, error) {
	out := map[string]PersonRecord{}
	ids = slices.Compact(slices.Sorted(slices.Values(slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return id == "" }))))
	if len(ids) == 0 {
		return out, nil
	}
	actorUnit, ok, err := k.reachingUnit(ctx, actor)
	if err != nil || !ok {
		return out, err
	}
	for chunk := range slices.Chunk(ids, MaxPageLimit) {
		persons, err := k.store.ListPersons(ctx, PersonFilter{IDs: chunk}, Page{Limit: len(chunk)})
		if err != nil {
			return nil, err
		}
		for _, p := range persons {
			err := k.reach(ctx, actorUnit, Rule{Kind: KindRead}, Target{RecordType: "person", RecordID: p.ID, UnitID: p.UnitID})
			switch {
			case err == nil:
				out[p.ID] = p
			case !errors.Is(err, errs.ErrNotFound) && !errors.Is(err, errs.ErrForbidden):
				return nil, err
			}
		}
	}
	return out, nil
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
		ok, err = k.personRefInReach(ctx, actor, id)
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
// document prints the party's name), read as GetPerson reads it (at most
// Config.PersonCacheTTL old, current for every change made through this
// kernel).
func (k *Kernel) PersonInReach(ctx context.Context, actor Actor, id string) (PersonRecord, bool, error) {
	p, ok, err := inReach(ctx, k, actor, "person", id, k.person, func(p PersonRecord) string { return p.UnitID })
	return p.Clone(), ok, err
}

// StaffInReach is RefInReach for a staff member that returns the record,
// read as the permission check reads staff (at most Config.StaffCacheTTL
// old, current for every change made through this kernel).
func (k *Kernel) StaffInReach(ctx context.Context, actor Actor, id string) (Staff, bool, error) {
	s, ok, err := inReach(ctx, k, actor, "staff", id, k.staff, func(s Staff) string { return s.UnitID })
	return s.Clone(), ok, err
}

// PersonUnitStore is an optional interface of a KernelStore: the unit of a
// stored person alone (ErrNotFound when there is none), which is all a
// reference to a person needs to be checked against the actor's reach.
// Without it RefInReach reads the whole record.
type PersonUnitStore interface {
	PersonUnit(ctx context.Context, id string) (string, error)
}

// personRefInReach is RefInReach for a person: no read when the person's
// record is cached (as GetPerson reads it), else one small read when the
// store can name the person's unit alone.
func (k *Kernel) personRefInReach(ctx context.Context, actor Actor, id string) (bool, error) {
	if p, ok := k.cachedPerson(ctx, id); ok {
		_, ok, err := inReach(ctx, k, actor, "person", id, func(context.Context, string) (string, error) { return p.UnitID, nil },
			func(unit string) string { return unit })
		return ok, err
	}
	ps, ok := k.store.(PersonUnitStore)
	if !ok {
		_, ok, err := k.PersonInReach(ctx, actor, id)
		return ok, err
	}
	_, ok, err := inReach(ctx, k, actor, "person", id, ps.PersonUnit, func(unit string) string { return unit })
	return ok, err
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
