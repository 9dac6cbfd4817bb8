package recovery

import (
	"context"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Move hands an item in custody to another holder (a custodian, a storage
// location) and appends the entry to its custody chain.
func (s *Service) Move(ctx context.Context, actor casework.Actor, id string, version int64, in MoveInput) (Item, error) {
	cur, err := s.loadItem(ctx, actor, ActionMove, id)
	if err != nil {
		return Item{}, err
	}
	if cur.Version != version {
		return Item{}, stale(RecordItem, id, version)
	}
	if !cur.State.InCustody() {
		return Item{}, errs.Transition(string(cur.State), string(cur.State), "only an item in custody can be moved")
	}
	last, err := s.lastEntry(ctx, cur)
	if err != nil {
		return Item{}, err
	}
	in.CustodyDetails.normalize()
	var f errs.Fields
	to, err := s.custodian(ctx, actor, "to", in.To)
	if err := merge(&f, err); err != nil {
		return Item{}, err
	}
	if err == nil && to.Same(cur.Holder) {
		f.Add("to", "other_holder", "the item is already with %s", cur.Holder)
	}
	checkDetails(&f, "", in.CustodyDetails, true)
	if err := s.witness(ctx, &f, "witnessId", in.WitnessID, actor, true); err != nil {
		return Item{}, err
	}
	at := s.custodyTime(&f, "at", in.At, cur, last)
	if err := f.Err(); err != nil {
		return Item{}, err
	}
	e := s.entry(actor, cur, EntryMove, to, at, in.CustodyDetails)
	return s.appendCustody(ctx, actor, "recovery.custody.move", cur, e)
}

// Correct appends a correction of custody entry in.Corrects. The corrected
// entry is never changed; the correction restates what was wrong and, when
// To is set, names the holder the item really went to, who becomes the
// current holder. A holder can be corrected only while the item is in
// custody: after a return or disposal only the details can be.
func (s *Service) Correct(ctx context.Context, actor casework.Actor, id string, version int64, in CorrectionInput) (Item, error) {
	cur, err := s.loadItem(ctx, actor, ActionCorrect, id)
	if err != nil {
		return Item{}, err
	}
	if cur.Version != version {
		return Item{}, stale(RecordItem, id, version)
	}
	if cur.CustodySeq == 0 {
		return Item{}, errs.Invalid("corrects", "exists", "the item has no custody entries")
	}
	last, err := s.lastEntry(ctx, cur)
	if err != nil {
		return Item{}, err
	}
	in.CustodyDetails.normalize()
	var f errs.Fields
	if in.Corrects < 1 || in.Corrects > cur.CustodySeq {
		f.Add("corrects", "exists", "must name an entry 1 to %d", cur.CustodySeq)
	}
	to := cur.Holder
	if !in.To.IsZero() {
		if !cur.State.InCustody() {
			f.Add("to", "in_custody", "the holder can be corrected only while the item is in custody")
		} else if h, err := s.custodian(ctx, actor, "to", in.To); err != nil {
			if err := merge(&f, err); err != nil {
				return Item{}, err
			}
		} else {
			to = h
		}
	}
	checkDetails(&f, "", in.CustodyDetails, true)
	if err := s.witness(ctx, &f, "witnessId", in.WitnessID, actor, false); err != nil {
		return Item{}, err
	}
	at := s.custodyTime(&f, "at", in.At, cur, last)
	if err := f.Err(); err != nil {
		return Item{}, err
	}
	e := s.entry(actor, cur, EntryCorrection, to, at, in.CustodyDetails)
	e.Corrects = in.Corrects
	return s.appendCustody(ctx, actor, "recovery.custody.correct", cur, e)
}

// entry builds the next custody entry of an item, from its current holder.
func (s *Service) entry(actor casework.Actor, it Item, kind EntryKind, to Holder, at time.Time, d CustodyDetails) CustodyEntry {
	return CustodyEntry{ItemID: it.ID, Seq: it.CustodySeq + 1, Kind: kind, From: it.Holder, To: to, ActorID: actor.StaffID,
		UnitID: actor.UnitID, WitnessID: d.WitnessID, At: at, Reason: d.Reason, Condition: d.Condition, Seal: d.Seal,
		SealNumber: d.SealNumber, Photos: d.Photos, CreatedAt: s.k.Now()}
}

func (s *Service) appendCustody(ctx context.Context, actor casework.Actor, action string, cur Item, e CustodyEntry) (Item, error) {
	next := cur.Clone()
	next.Holder, next.CustodySeq = e.To, e.Seq
	next.Version, next.UpdatedAt = cur.Version+1, s.k.Now()
	c := s.changes(ctx, actor)
	c.add(action, RecordItem, cur.ID, cur, next)
	c.custody(e)
	return commit(c, Batch{Items: []Item{next}, Custody: []CustodyEntry{e}}, next)
}

// Custody returns an item's custody chain, oldest first.
func (s *Service) Custody(ctx context.Context, actor casework.Actor, id string) ([]CustodyEntry, error) {
	it, err := s.loadItem(ctx, actor, ActionRead, id)
	if err != nil {
		return nil, err
	}
	return s.store.Custody(ctx, it.ID)
}

// History returns an item's audit trail, oldest first: every change of its
// state, holder and marks, as the verified audit chain holds it.
func (s *Service) History(ctx context.Context, actor casework.Actor, id string) ([]casework.AuditEntry, error) {
	it, err := s.loadItem(ctx, actor, ActionRead, id)
	if err != nil {
		return nil, err
	}
	return s.k.Store().AuditTrail(ctx, RecordItem, it.ID)
}
