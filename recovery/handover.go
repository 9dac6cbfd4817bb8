package recovery

import (
	"context"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
)

var _ casework.AssignmentMover = (*Service)(nil)

// openItems are the states an item is still worked in: not yet returned
// or disposed of.
var openItems = []State{StateReportedStolen, StateRecovered, StateIdentified, StateReturnApproved, StateUnclaimed}

// OpenRecords implements casework.AssignmentMover: the open items of a
// unit subtree. Items are assigned to no staff member (who holds an item is
// its custody chain, changed by a custody entry), so a hand-over moves none.
func (s *Service) OpenRecords(ctx context.Context, q casework.OpenQuery) ([]casework.OpenRecord, error) {
	if q.UnitUnder == "" {
		return nil, nil
	}
	all, err := casework.ListAll(func(p casework.Page) ([]Item, error) {
		return s.store.ListItems(ctx, ItemFilter{UnitUnder: q.UnitUnder, States: openItems}, p)
	}, func(it Item) casework.Cursor { return casework.Cursor{At: it.CreatedAt, ID: it.ID} })
	if err != nil {
		return nil, err
	}
	out := make([]casework.OpenRecord, len(all))
	for i, it := range all {
		out[i] = casework.OpenRecord{RecordType: RecordItem, ID: it.ID, UnitID: it.UnitID, Version: it.Version}
	}
	return out, nil
}

// CheckMove implements casework.AssignmentMover: items move by unit only,
// so recovery refuses no move.
func (s *Service) CheckMove(context.Context, []casework.OpenRecord, casework.Move) error { return nil }

// MoveOpen implements casework.AssignmentMover: the items move to the
// receiving unit in one batch; their custody chain and events stay as they
// happened, and each item in police custody gets a transfer entry
// (EntryTransfer) into the receiving unit, audited like every custody
// entry, so the chain says which unit answers for the item from then on.
func (s *Service) MoveOpen(ctx context.Context, recs []casework.OpenRecord, m casework.Move) error {
	if m.ToUnitID == "" {
		return nil
	}
	var b Batch
	c := s.changes(ctx, m.Actor)
	for _, r := range recs {
		var transfer *CustodyEntry
		next, one, err := casework.MoveRecord(ctx, s.k, m, r, s.store.GetItem, func(it Item) int64 { return it.Version },
			func(it Item, version int64, at time.Time) Item {
				it = it.Clone()
				if it.State.InCustody() && it.CustodySeq > 0 {
					transfer = &CustodyEntry{ItemID: it.ID, Seq: it.CustodySeq + 1, Kind: EntryTransfer, From: it.Holder, To: it.Holder,
						ActorID: m.Actor.StaffID, UnitID: m.ToUnitID, At: at, Reason: m.Reason, Seal: SealNone, CreatedAt: at}
					it.CustodySeq = transfer.Seq
				}
				it.UnitID, it.Version, it.UpdatedAt = m.ToUnitID, version, at
				return it
			})
		if err != nil {
			return err
		}
		c.ch.Audit = append(c.ch.Audit, one.Audit...)
		b.Items = append(b.Items, next)
		if transfer != nil {
			c.custody(*transfer)
			b.Custody = append(b.Custody, *transfer)
		}
	}
	if len(b.Items) == 0 || c.err != nil {
		return c.err
	}
	return s.store.Apply(ctx, b, c.ch)
}
