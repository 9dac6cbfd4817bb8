package casework

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Target is the record an action is about, as far as permission goes: the
// unit that owns it, the units it is shared with, the staff assigned to it.
// A zero UnitID means the action is not about one record (run a report).
type Target struct {
	RecordType string
	RecordID   string
	UnitID     string
	SharedWith []string // unit ids holding an active share
	AssignedTo []string // staff ids (mediators, lawyers) named on the record
	// RequestedBy is the staff id that asked for what an approval decides;
	// the check refuses it an approval of its own request.
	RequestedBy string
}

// Authorize is the one permission check every service makes, so an embedder
// calling a service directly gets the same protection as the HTTP API:
//
//   - the actor must be an active staff member of actor.UnitID holding every
//     role it claims (its record read through the staff cache: current for
//     changes made through this kernel, at most Config.StaffCacheTTL old
//     for changes made by another process);
//   - the policy must grant the action to one of its roles, at the level the
//     rule requires (approvals: branch or above by default);
//   - the record must be in the actor's unit subtree; a record shared with
//     the actor's unit (or a unit above it) may be read there, and a write
//     answers ErrForbidden; any other record answers ErrNotFound, exactly as
//     if it did not exist;
//   - an actor whose only granting roles are mediator or lawyer must be
//     assigned to the record.
//
// Separation of duties is checked here, whatever the policy table says: an
// admin holds no other role and never reveals, a helper (HelperRoles) holds
// no police role and never approves, reveals or administers, an auditor
// only reads (kinds
// are fixed by the package defining the action, see Policy), and an approval
// is never granted to the staff member named in Target.RequestedBy.
func (k *Kernel) Authorize(ctx context.Context, actor Actor, action Action, t Target) error {
	return k.authorize(ctx, actor, action, t, false)
}

// AuthorizeHandoff is Authorize for a receiver acting on a hand-off as the
// actor who sent it. Inside a delivery (DeliverPending), the payload comes
// from an outbox row the sender committed after checking that actor; the
// staff member may have been deactivated or moved since, and a hand-off
// must not stall for that. So there the actor must have existed, and policy
// and reach are checked as the actor stood when sending (its unit and roles
// as the payload records them). Called outside a delivery — an embedder
// calling a receiver directly — it is exactly Authorize.
func (k *Kernel) AuthorizeHandoff(ctx context.Context, actor Actor, action Action, t Target) error {
	_, delivering := ctx.Value(deliveryKey{}).(string)
	return k.authorize(ctx, actor, action, t, delivering)
}

// openUnit refuses a unit that was closed (Kernel.CloseUnit) as the unit
// of something new: a closed unit takes no new record, staff member, child
// unit or name; its records went to the receiving unit, which takes them
// instead. The refusal is ErrInvalid on field with rule "open" — the input
// names a unit it may not name, as for a unit that does not exist — rather
// than ErrConflict, which says that retrying after a re-read may succeed.
// Authorize asks it for every action that creates a record in a unit (a
// target with a unit and no record id, of a kind other than read), except
// inside a hand-off's delivery, where the sender's unit was open when it
// sent. The unit is read from the store, not the unit cache, so a closing
// made by another process is seen at once.
func (k *Kernel) openUnit(ctx context.Context, field, unitID string) error {
	u, err := k.store.GetUnit(ctx, unitID)
	if err != nil {
		return err
	}
	if u.Closed() {
		return errs.Invalid(field, "open", "unit %s was closed into another unit on %s", u.Code, u.ClosedAt.Format(time.DateOnly))
	}
	return nil
}

// deliveryKey marks the context of a delivery made by DeliverPending; only
// this package can set it.
type deliveryKey struct{}

func (k *Kernel) authorize(ctx context.Context, actor Actor, action Action, t Target, handoff bool) error {
	st, err := k.staff(ctx, actor.StaffID)
	if errors.Is(err, errs.ErrNotFound) {
		return errs.New(errs.ErrForbidden, "actor %q is not a staff member", actor.StaffID)
	}
	if err != nil {
		return err
	}
	if !handoff {
		if slices.Contains(st.Roles, RoleAdmin) && len(st.Roles) > 1 {
			return errs.New(errs.ErrForbidden, "actor %q holds admin with other roles (separation of duties)", actor.StaffID)
		}
		if slices.ContainsFunc(st.Roles, Role.Helper) && slices.ContainsFunc(st.Roles, policeOrOversight) {
			return errs.New(errs.ErrForbidden, "actor %q holds a helper's role with a police or oversight role", actor.StaffID)
		}
		if !st.Active || st.UnitID != actor.UnitID {
			return errs.New(errs.ErrForbidden, "actor %q is not an active member of unit %q", actor.StaffID, actor.UnitID)
		}
		for _, r := range actor.Roles {
			if !slices.Contains(st.Roles, r) {
				return errs.New(errs.ErrForbidden, "actor %q does not hold role %s", actor.StaffID, r)
			}
		}
	}
	rule, ok := k.policy.Rule(action)
	if !ok {
		return errs.New(errs.ErrForbidden, "no policy rule grants %s", action)
	}
	granted, unbound := rule.grants(actor.Roles)
	if !granted {
		return errs.New(errs.ErrForbidden, "%s is not granted to roles %v", action, actor.Roles)
	}
	if rule.Kind == KindApprove && t.RequestedBy != "" && t.RequestedBy == actor.StaffID {
		return errs.New(errs.ErrForbidden, "separation of duties: %s may not approve its own request", actor.StaffID)
	}
	actorUnit, err := k.unit(ctx, actor.UnitID)
	if err != nil {
		return err
	}
	if rule.MinLevel != 0 && !actorUnit.Level.AtLeast(rule.MinLevel) {
		return errs.New(errs.ErrForbidden, "%s needs a unit at %s level or above", action, rule.MinLevel)
	}
	if t.UnitID != "" {
		if err := k.reach(ctx, actorUnit, rule, t); err != nil {
			return err
		}
	}
	if t.UnitID != "" && t.RecordID == "" && rule.Kind != KindRead && !handoff {
		if err := k.openUnit(ctx, "unitId", t.UnitID); err != nil {
			return err
		}
	}
	if !unbound && !slices.Contains(t.AssignedTo, actor.StaffID) {
		return errs.New(errs.ErrForbidden, "%s: %s is not assigned to this record", action, actor.StaffID)
	}
	return nil
}

func (k *Kernel) reach(ctx context.Context, actorUnit Unit, rule Rule, t Target) error {
	recUnit, err := k.unit(ctx, t.UnitID)
	if errors.Is(err, errs.ErrNotFound) {
		return errs.NotFound(t.RecordType, t.RecordID)
	}
	if err != nil {
		return err // a failing store is not an answer about reach
	}
	if Contains(actorUnit.Path, recUnit.Path) {
		return nil
	}
	for _, u := range t.SharedWith {
		shared, err := k.unit(ctx, u)
		if err != nil || !Contains(shared.Path, actorUnit.Path) {
			continue
		}
		if rule.Kind == KindRead {
			return nil
		}
		return errs.New(errs.ErrForbidden, "%s %q is shared with this unit read-only", t.RecordType, t.RecordID)
	}
	return errs.NotFound(t.RecordType, t.RecordID)
}

// unit returns a unit, cached: units never move, so the cache never goes
// stale (a renamed unit's cached name may; only Path and Level are used).
func (k *Kernel) unit(ctx context.Context, id string) (Unit, error) {
	if v, ok := k.unitPaths.Load(id); ok {
		return v.(Unit), nil
	}
	u, err := k.store.GetUnit(ctx, id)
	if err != nil {
		return Unit{}, err
	}
	k.unitPaths.Store(id, u)
	return u, nil
}

// Scope returns the path of the actor's unit: the subtree its lists and
// reports cover. Services pass it as the UnitUnder filter of every query.
func (k *Kernel) Scope(ctx context.Context, actor Actor, under string) (string, error) {
	u, err := k.unit(ctx, actor.UnitID)
	if err != nil {
		return "", errs.New(errs.ErrForbidden, "actor unit %q does not exist", actor.UnitID)
	}
	if under == "" || under == u.ID {
		return u.Path, nil
	}
	sub, err := k.unit(ctx, under)
	if err != nil || !Contains(u.Path, sub.Path) {
		return "", errs.NotFound("unit", under)
	}
	return sub.Path, nil
}

// UnitPath returns a unit's path.
func (k *Kernel) UnitPath(ctx context.Context, id string) (string, error) {
	u, err := k.unit(ctx, id)
	return u.Path, err
}

// ActiveShares returns the unit ids a record is shared with now, for Target:
// a revoked share, and one whose ExpiresAt has come, grant nothing. The
// read checks expiry itself, so access ends at the instant, not at the
// next sweep.
// ownerUnitID is the record's unit as its store holds it: only shares
// granted by that unit count, so a share someone made of a record id with a
// unit of their own choosing grants nothing.
func (k *Kernel) ActiveShares(ctx context.Context, recordType, recordID, ownerUnitID string) ([]string, error) {
	shares, err := k.store.ListShares(ctx, recordType, recordID)
	if err != nil {
		return nil, err
	}
	var out []string
	now := k.Now()
	for _, s := range shares {
		if s.ActiveAt(now) && s.OwnerUnitID == ownerUnitID {
			out = append(out, s.UnitID)
		}
	}
	return out, nil
}
