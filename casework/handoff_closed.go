package casework

import (
	"context"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// createsIn is a hand-off payload that creates records in a unit, acting
// as the actor who found them: the finding's unit and actor, which the
// delivery may redirect.
type createsIn interface {
	createsIn() (actor *Actor, unitID *string)
}

func (f *DisputeFinding) createsIn() (*Actor, *string) { return &f.Actor, &f.UnitID }
func (f *LeadFinding) createsIn() (*Actor, *string)    { return &f.Actor, &f.UnitID }
func (p *StolenItems) createsIn() (*Actor, *string)    { return &p.Actor, &p.UnitID }

// deliveringKernel marks a delivery's context with the kernel delivering
// it, so that Receive can redirect a payload sent before its unit closed.
type deliveringKernel struct{}

// maxClosings bounds the walk along ClosedInto: a chain longer than the
// unit tree is deep cannot happen (a unit closes into an open one), so a
// longer one is a corrupt store, not a loop to follow for ever.
const maxClosings = 64

// openSuccessor is the open unit that id's closings led to: id itself when
// it is open, else the unit it was closed into, followed until one is open.
func (k *Kernel) openSuccessor(ctx context.Context, id string) (string, error) {
	for range maxClosings {
		u, err := k.store.GetUnit(ctx, id)
		if err != nil || !u.Closed() {
			return id, err
		}
		id = u.ClosedInto
	}
	return "", errs.New(errs.ErrInvalid, "unit %s: more than %d closings in a row", id, maxClosings)
}

// redirectClosed points a hand-off sent before its unit closed at the unit
// that received the closed one's records: a record created after the
// closing belongs where the closed unit's open records went (CloseUnit),
// never in a unit that takes no new work. The finder acts from the unit
// their own closed unit went into, as CloseUnit moved them there.
func (k *Kernel) redirectClosed(ctx context.Context, p createsIn) error {
	actor, unit := p.createsIn()
	var err error
	if *unit, err = k.openSuccessor(ctx, *unit); err != nil {
		return err
	}
	actor.UnitID, err = k.openSuccessor(ctx, actor.UnitID)
	return err
}
