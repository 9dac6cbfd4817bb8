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
	st, err := k.store.GetStaff(ctx, actor.StaffID)
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
	if err != nil {
		return notFound
	}
	if err := k.reach(ctx, actorUnit, Rule{Kind: KindRead}, t); err != nil {
		return notFound
	}
	return nil
}
