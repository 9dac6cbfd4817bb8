package recovery

import (
	"context"
	"errors"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// RequestDisposal asks to dispose of an unclaimed item (its holding period
// is over): by auction, destruction or transfer to the treasury.
func (s *Service) RequestDisposal(ctx context.Context, actor casework.Actor, in DisposalInput) (Disposal, error) {
	it, err := s.loadItem(ctx, actor, ActionRequestDisposal, trimmed(in.ItemID))
	if err != nil {
		return Disposal{}, err
	}
	if err := s.k.Validate(in); err != nil {
		return Disposal{}, err
	}
	if it.State != StateUnclaimed {
		return Disposal{}, errs.Transition(string(it.State), string(StateDisposed), "only an unclaimed item is disposed of")
	}
	if it.DisposalID != "" {
		d, err := s.store.GetDisposal(ctx, it.DisposalID)
		if err != nil && !errors.Is(err, errs.ErrNotFound) {
			return Disposal{}, err
		}
		if err == nil && d.State.Open() {
			return Disposal{}, errs.Transition(string(it.State), string(StateDisposed), "disposal "+d.ID+" is already under way")
		}
	}
	in.Reason = trimmed(in.Reason)
	var f errs.Fields
	if !in.Method.valid() {
		f.Add("method", "code", "%q is not a disposal method (auction, destruction, treasury)", in.Method)
	}
	checkText(&f, "reason", in.Reason, true, maxNote)
	if err := f.Err(); err != nil {
		return Disposal{}, err
	}
	return casework.CreateOnce(ctx, s.k, actor, in.RequestKey, in, func(rk *casework.RequestKey) (Disposal, error) {
		now := s.k.Now()
		d := Disposal{ID: s.k.NewID(), UnitID: it.UnitID, ItemID: it.ID, Method: in.Method, State: DisposalRequested, Reason: in.Reason,
			RequestedBy: actor.StaffID, RequestedAt: now, Version: 1, CreatedAt: now, UpdatedAt: now}
		next := it.Clone()
		next.DisposalID, next.Version, next.UpdatedAt = d.ID, it.Version+1, now
		c := s.changes(ctx, actor)
		c.add("recovery.disposal.request", RecordDisposal, d.ID, nil, d)
		c.add("recovery.item.disposal_requested", RecordItem, it.ID, it, next)
		c.keyed(rk, RecordDisposal, d.ID, d)
		return commit(c, Batch{NewDisposals: []Disposal{d}, Items: []Item{next}}, d)
	})
}

func (s *Service) loadDisposal(ctx context.Context, actor casework.Actor, action casework.Action, id string) (Disposal, Item, error) {
	if !validID(id) {
		return Disposal{}, Item{}, errs.NotFound(RecordDisposal, "")
	}
	d, err := s.store.GetDisposal(ctx, id)
	if err != nil {
		return Disposal{}, Item{}, err
	}
	it, err := s.store.GetItem(ctx, d.ItemID)
	if err != nil {
		return Disposal{}, Item{}, err
	}
	t, err := s.target(ctx, RecordDisposal, d.ID, it)
	if err != nil {
		return Disposal{}, Item{}, err
	}
	t.RequestedBy = d.RequestedBy
	if err := s.k.Check(ctx, actor, action, t); err != nil {
		return Disposal{}, Item{}, err
	}
	return d, it, nil
}

// GetDisposal returns a disposal.
func (s *Service) GetDisposal(ctx context.Context, actor casework.Actor, id string) (Disposal, error) {
	d, _, err := s.loadDisposal(ctx, actor, ActionRead, id)
	return d, err
}

// ApproveDisposal approves a requested disposal: a supervisor at the level
// the policy sets (branch by default), never the requester.
func (s *Service) ApproveDisposal(ctx context.Context, actor casework.Actor, id string, version int64, note string) (Disposal, error) {
	return s.decideDisposal(ctx, actor, id, version, note, true)
}

// RejectDisposal rejects a requested disposal (a reason is required); the
// item stays unclaimed and may still be identified.
func (s *Service) RejectDisposal(ctx context.Context, actor casework.Actor, id string, version int64, note string) (Disposal, error) {
	return s.decideDisposal(ctx, actor, id, version, note, false)
}

func (s *Service) decideDisposal(ctx context.Context, actor casework.Actor, id string, version int64, note string, approve bool) (Disposal, error) {
	d, it, err := s.loadDisposal(ctx, actor, ActionApproveDisposal, id)
	if err != nil {
		return Disposal{}, err
	}
	to := DisposalApproved
	if !approve {
		to = DisposalRejected
	}
	note, err = checkDecision(decision{recordType: RecordDisposal, id: id, version: version, stored: d.Version,
		state: string(d.State), requested: string(DisposalRequested), to: string(to)}, note, approve)
	if err != nil {
		return Disposal{}, err
	}
	now := s.k.Now()
	next := d.Clone()
	next.State, next.DecidedBy, next.DecidedAt, next.DecisionNote = to, actor.StaffID, now, note
	next.Version, next.UpdatedAt = d.Version+1, now
	b := Batch{Disposals: []Disposal{next}}
	c := s.changes(ctx, actor)
	c.add("recovery.disposal."+map[bool]string{true: "approve", false: "reject"}[approve], RecordDisposal, d.ID, d, next)
	if !approve && it.DisposalID == d.ID {
		itNext := it.Clone()
		itNext.DisposalID, itNext.Version, itNext.UpdatedAt = "", it.Version+1, now
		b.Items = append(b.Items, itNext)
		c.add("recovery.item.disposal_rejected", RecordItem, it.ID, it, itNext)
	}
	return commit(c, b, next)
}

// CompleteDisposal records an approved disposal carried out: the proceeds
// (zero for a destruction), who received the item and the document that
// proves it. The custody chain ends outside the police and the item is
// disposed.
func (s *Service) CompleteDisposal(ctx context.Context, actor casework.Actor, id string, version int64, in DisposalCompletion) (Disposal, error) {
	d, it, err := s.loadDisposal(ctx, actor, ActionDispose, id)
	if err != nil {
		return Disposal{}, err
	}
	if err := s.k.Validate(in); err != nil {
		return Disposal{}, err
	}
	if d.Version != version {
		return Disposal{}, stale(RecordDisposal, id, version)
	}
	if d.State != DisposalApproved {
		return Disposal{}, errs.Transition(string(d.State), string(DisposalCompleted), "only an approved disposal is carried out")
	}
	if err := move(it.State, StateDisposed); err != nil {
		return Disposal{}, err
	}
	if it.DisposalID != d.ID {
		return Disposal{}, errs.Transition(string(it.State), string(StateDisposed), "the item is not waiting for this disposal")
	}
	in.Recipient = trimmed(in.Recipient)
	var f errs.Fields
	switch {
	case in.ProceedsFen < 0:
		f.Add("proceedsFen", "min", "may not be negative")
	case in.ProceedsFen > maxValueFen:
		f.Add("proceedsFen", "max", "may not exceed %d fen", int64(maxValueFen))
	case d.Method == DisposeDestruction && in.ProceedsFen != 0:
		f.Add("proceedsFen", "zero_for_destruction", "a destruction has no proceeds")
	}
	checkText(&f, "recipient", in.Recipient, true, 200)
	if in.Document == nil {
		f.Add("document", "required", "the auction record, destruction certificate or treasury receipt is required")
	}
	if err := merge(&f, s.attachment(ctx, actor, "document", in.Document)); err != nil {
		return Disposal{}, err
	}
	det := CustodyDetails{WitnessID: trimmed(in.WitnessID), Reason: string(d.Method), Condition: trimmed(in.Condition), Seal: SealOpened, Photos: in.Photos}
	det.normalize()
	checkDetails(&f, "", det, true)
	if err := s.witness(ctx, &f, "witnessId", det.WitnessID, actor, it.UnitID, true); err != nil {
		return Disposal{}, err
	}
	last, err := s.lastEntry(ctx, it)
	if err != nil {
		return Disposal{}, err
	}
	now := s.k.Now()
	at := s.custodyTime(&f, "at", now, it, last)
	if err := f.Err(); err != nil {
		return Disposal{}, err
	}
	e := s.entry(actor, it, EntryDisposal, Holder{Kind: HolderExternal, Name: in.Recipient}, at, det)
	itNext := it.Clone()
	itNext.State, itNext.DisposedAt, itNext.Holder, itNext.CustodySeq = StateDisposed, now, e.To, e.Seq
	itNext.Version, itNext.UpdatedAt = it.Version+1, now
	next := d.Clone()
	next.State, next.ProceedsFen, next.Recipient, next.Document = DisposalCompleted, in.ProceedsFen, in.Recipient, cloneAttachment(in.Document)
	next.CompletedBy, next.CompletedAt, next.Version, next.UpdatedAt = actor.StaffID, now, d.Version+1, now
	c := s.changes(ctx, actor)
	c.add("recovery.disposal.complete", RecordDisposal, d.ID, d, next)
	c.add("recovery.item.disposed", RecordItem, it.ID, it, itNext)
	c.custody(e)
	return commit(c, Batch{Disposals: []Disposal{next}, Items: []Item{itNext}, Custody: []CustodyEntry{e}}, next)
}

// DisposalQuery searches disposals in the actor's subtree.
type DisposalQuery struct {
	UnitID string
	ItemID string
	States []DisposalState
	Page   casework.Page
}

// ListDisposals searches disposals.
func (s *Service) ListDisposals(ctx context.Context, actor casework.Actor, q DisposalQuery) ([]Disposal, string, error) {
	if err := s.k.UnitInReach(ctx, actor, q.UnitID); err != nil {
		return nil, "", err
	}
	if err := checkQuery(map[string]string{"itemId": q.ItemID}); err != nil {
		return nil, "", err
	}
	if err := s.k.Authorize(ctx, actor, ActionRead, casework.Target{}); err != nil {
		return nil, "", err
	}
	path, err := s.k.Scope(ctx, actor, q.UnitID)
	if err != nil {
		return nil, "", err
	}
	p := q.Page.Normalize()
	rows, err := s.store.ListDisposals(ctx, DisposalFilter{UnitUnder: path, ItemID: q.ItemID, States: q.States}, casework.Page{Limit: p.Limit + 1, After: p.After})
	if err != nil {
		return nil, "", err
	}
	out, next := casework.PageOf(rows, p.Limit, func(d Disposal) casework.Cursor { return casework.Cursor{At: d.CreatedAt, ID: d.ID} })
	return out, next, nil
}
