package recovery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/audit"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Move hands an item in custody to another holder (a custodian, a storage
// location) and appends the entry to its custody chain.
func (s *Service) Move(ctx context.Context, actor casework.Actor, id string, version int64, in MoveInput) (Item, error) {
	cur, err := s.loadItem(ctx, actor, ActionMove, id)
	if err != nil {
		return Item{}, err
	}
	if err := s.k.Validate(in); err != nil {
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
	to, err := s.custodian(ctx, actor, cur.UnitID, "to", in.To)
	if err := merge(&f, err); err != nil {
		return Item{}, err
	}
	if err == nil && to.Same(cur.Holder) {
		f.Add("to", "other_holder", "the item is already with %s", cur.Holder)
	}
	checkDetails(&f, "", in.CustodyDetails, true)
	if err := s.witness(ctx, &f, "witnessId", in.WitnessID, actor, cur.UnitID, true); err != nil {
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
	if err := s.k.Validate(in); err != nil {
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
		} else if h, err := s.custodian(ctx, actor, cur.UnitID, "to", in.To); err != nil {
			if err := merge(&f, err); err != nil {
				return Item{}, err
			}
		} else {
			to = h
		}
	}
	checkDetails(&f, "", in.CustodyDetails, true)
	if err := s.witness(ctx, &f, "witnessId", in.WitnessID, actor, cur.UnitID, false); err != nil {
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

// CustodyReport is what VerifyCustody found.
type CustodyReport struct {
	// OK is true only when every custody entry matched the audit chain.
	OK bool `json:"ok"`
	// Entries counts the custody entries checked.
	Entries int `json:"entries"`
	// FirstBadSeq is the seq of the first entry that did not match (or is
	// missing); 0 when OK.
	FirstBadSeq int64 `json:"firstBadSeq,omitempty"`
	// Reason explains the failure in words; "" when OK.
	Reason string `json:"reason,omitempty"`
}

// VerifyCustody checks an item's custody chain as stored against the audit
// chain. Every custody write audits its entry under its own record
// (RecordCustody, "<item>#<seq>") with a payload whose After is the SHA-256
// of the entry's canonical encoding; the chain holds that payload's digest.
// So a custody row rewritten, inserted or deleted behind the service — raw
// SQL with the append-only triggers disabled, as an attacker with database
// rights would — no longer matches, and the report names the first entry
// that does not. It vouches for the rows as far as the audit chain itself
// is intact: run Kernel.VerifyAudit (with exported checkpoints) for that.
// A custody payload erased by a purge cannot vouch for its entry and is
// reported as such. The actor needs read access to the item.
func (s *Service) VerifyCustody(ctx context.Context, actor casework.Actor, id string) (CustodyReport, error) {
	it, err := s.loadItem(ctx, actor, ActionRead, id)
	if err != nil {
		return CustodyReport{}, err
	}
	rows, err := s.store.Custody(ctx, it.ID)
	if err != nil {
		return CustodyReport{}, err
	}
	rep := CustodyReport{Entries: len(rows)}
	fail := func(seq int64, format string, args ...any) (CustodyReport, error) {
		rep.FirstBadSeq, rep.Reason = seq, fmt.Sprintf(format, args...)
		return rep, nil
	}
	// The audit entry of each expected seq: one per entry, written once.
	n := max(it.CustodySeq, int64(len(rows)))
	entries := make([]casework.AuditEntry, n+1)
	for seq := int64(1); seq <= n+1; seq++ {
		trail, err := s.k.Store().AuditTrail(ctx, RecordCustody, custodyRecordID(CustodyEntry{ItemID: it.ID, Seq: seq}))
		if err != nil {
			return CustodyReport{}, err
		}
		switch {
		case seq > n && len(trail) > 0:
			return fail(seq, "custody entry %d is audited but not stored", seq)
		case seq > n:
		case len(trail) != 1:
			return fail(seq, "custody entry %d has %d audit entries, not one", seq, len(trail))
		default:
			entries[seq-1] = trail[0]
		}
	}
	payloads, err := s.payloads(ctx, entries[:n])
	if err != nil {
		return CustodyReport{}, err
	}
	for i := int64(0); i < n; i++ {
		seq := i + 1
		if i >= int64(len(rows)) || rows[i].Seq != seq {
			return fail(seq, "custody entry %d is audited but not stored", seq)
		}
		raw, ok := payloads[entries[i].Seq]
		if !ok {
			return fail(seq, "custody entry %d's audit payload was erased: nothing vouches for the entry", seq)
		}
		if casework.PayloadDigest(raw) != entries[i].PayloadDigest {
			return fail(seq, "custody entry %d's audit payload does not match the audit chain", seq)
		}
		p, err := audit.ParsePayload(raw)
		if err != nil {
			return fail(seq, "custody entry %d's audit payload cannot be read", seq)
		}
		want, err := custodyDigest(rows[i])
		if err != nil {
			return CustodyReport{}, err
		}
		if p.After != want {
			return fail(seq, "custody entry %d as stored is not the entry the audit chain holds", seq)
		}
	}
	if it.CustodySeq != int64(len(rows)) {
		return fail(it.CustodySeq, "the item names custody entry %d as its last, but %d are stored", it.CustodySeq, len(rows))
	}
	rep.OK = true
	return rep, nil
}

// payloads reads the audit payloads of entries (nil when erased), in one
// scan of the chain from the first of them.
func (s *Service) payloads(ctx context.Context, entries []casework.AuditEntry) (map[int64][]byte, error) {
	out := make(map[int64][]byte, len(entries))
	if len(entries) == 0 {
		return out, nil
	}
	want := make(map[int64]bool, len(entries))
	from := entries[0].Seq
	for _, e := range entries {
		want[e.Seq] = true
		from = min(from, e.Seq)
	}
	errDone := errors.New("done")
	err := s.k.Store().ScanAudit(ctx, from, func(e casework.AuditEntry, payload []byte) error {
		if want[e.Seq] {
			if payload != nil {
				out[e.Seq] = payload
			}
			delete(want, e.Seq)
		}
		if len(want) == 0 {
			return errDone
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDone) {
		return nil, err
	}
	return out, nil
}

// custodyState is the canonical form of a custody entry that its audit
// payload vouches for: times in UTC to the microsecond, no photos as none.
// The same encoding is used when the entry is written and when it is
// verified, so the digests agree on every backend.
func custodyState(e CustodyEntry) CustodyEntry {
	e = e.Clone()
	e.At, e.CreatedAt = casework.Truncate(e.At), casework.Truncate(e.CreatedAt)
	if len(e.Photos) == 0 {
		e.Photos = nil
	}
	return e
}

// custodyDigest is the SHA-256 (hex) of a custody entry's canonical
// encoding: what its audit payload holds as After.
func custodyDigest(e CustodyEntry) (string, error) {
	return audit.StateDigest(custodyState(e))
}
