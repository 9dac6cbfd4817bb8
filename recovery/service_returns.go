package recovery

import (
	"context"
	"errors"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// RequestReturn asks for an identified item to be returned to its owner or
// to a delegate who holds the owner's written authorisation. The item stays
// identified until a supervisor approves.
func (s *Service) RequestReturn(ctx context.Context, actor casework.Actor, in ReturnInput) (Return, error) {
	it, err := s.loadItem(ctx, actor, ActionRequestReturn, trimmed(in.ItemID))
	if err != nil {
		return Return{}, err
	}
	if err := s.k.Validate(in); err != nil {
		return Return{}, err
	}
	if it.State != StateIdentified {
		return Return{}, errs.Transition(string(it.State), string(StateReturnApproved), "only an identified item can be returned")
	}
	if err := s.noOpenReturn(ctx, it); err != nil {
		return Return{}, err
	}
	in.Note = trimmed(in.Note)
	var f errs.Fields
	recipient, err := s.recipient(ctx, actor, "recipient", in.Recipient, it.OwnerPersonID)
	f.Merge("", err)
	if it.OwnerPersonID == "" {
		f.Add("itemId", "owner", "item %s names no owner", it.ID)
	}
	delegate := err == nil && recipient.ID != it.OwnerPersonID
	if delegate && in.Authorisation == nil {
		f.Add("authorisation", "required", "a delegate needs the owner's written authorisation")
	}
	if err := merge(&f, s.attachment(ctx, actor, "authorisation", in.Authorisation)); err != nil {
		return Return{}, err
	}
	checkText(&f, "note", in.Note, false, maxNote)
	if err := f.Err(); err != nil {
		return Return{}, err
	}
	return casework.CreateOnce(ctx, s.k, actor, in.RequestKey, in, func(rk *casework.RequestKey) (Return, error) {
		now := s.k.Now()
		r := Return{ID: s.k.NewID(), UnitID: it.UnitID, ItemID: it.ID, CaseID: it.CaseID, State: ReturnRequested,
			OwnerPersonID: it.OwnerPersonID, RecipientPersonID: recipient.ID, Delegate: delegate, Authorisation: cloneAttachment(in.Authorisation),
			RequestedBy: actor.StaffID, RequestedAt: now, RequestNote: in.Note, Version: 1, CreatedAt: now, UpdatedAt: now}
		next := it.Clone()
		next.ReturnID, next.Version, next.UpdatedAt = r.ID, it.Version+1, now
		c := s.changes(ctx, actor)
		c.add("recovery.return.request", RecordReturn, r.ID, nil, r)
		c.add("recovery.item.return_requested", RecordItem, it.ID, it, next)
		c.keyed(rk, RecordReturn, r.ID, r)
		return commit(c, Batch{NewReturns: []Return{r}, Items: []Item{next}}, r)
	})
}

// noOpenReturn refuses a second return while one is under way.
func (s *Service) noOpenReturn(ctx context.Context, it Item) error {
	if it.ReturnID == "" {
		return nil
	}
	r, err := s.store.GetReturn(ctx, it.ReturnID)
	if errors.Is(err, errs.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if r.State.Open() {
		return errs.Transition(string(it.State), string(StateReturnApproved), "return "+r.ID+" is already under way")
	}
	return nil
}

// recipient checks the recipient of a return: a person. An officer may
// never be the recipient — a staff holder is refused — so a returned item
// always leaves police hands for the owner's or the delegate's. A person
// the input names must lie in the actor's reach, except vetted: the one
// already on the record (the item's owner, the return's recipient), checked
// when it was named there.
func (s *Service) recipient(ctx context.Context, actor casework.Actor, field string, h Holder, vetted string) (Holder, error) {
	switch h.Kind {
	case HolderPerson:
	case HolderStaff:
		return Holder{}, errs.Invalid(field+".kind", "not_officer", "an officer may never be the recipient of a returned item")
	default:
		return Holder{}, errs.Invalid(field+".kind", "person", "the recipient is a person (the owner or a delegate), not %q", h.Kind)
	}
	id := trimmed(h.ID)
	if id == "" {
		return Holder{}, errs.Invalid(field+".id", "required", "is required")
	}
	var p casework.PersonRecord
	ok := false
	var err error
	if id == vetted {
		p, err = s.k.Store().GetPerson(ctx, id)
		ok = err == nil
		if errors.Is(err, errs.ErrNotFound) {
			err = nil
		}
	} else {
		p, ok, err = s.k.PersonInReach(ctx, actor, id)
	}
	if err != nil {
		return Holder{}, err
	}
	if !ok {
		return Holder{}, errs.Invalid(field+".id", "exists", "no person in reach with id %q", id)
	}
	if p.Unidentified {
		return Holder{}, errs.Invalid(field+".id", "identified", "an unidentified person cannot receive an item")
	}
	staff, err := s.k.Store().ListStaff(ctx, casework.StaffFilter{PersonID: p.ID}, casework.Page{Limit: 1})
	if err != nil {
		return Holder{}, err
	}
	if len(staff) > 0 {
		return Holder{}, errs.Invalid(field+".id", "not_officer", "this person is a staff member: an officer may never be the recipient of a returned item")
	}
	return Holder{Kind: HolderPerson, ID: p.ID, Name: p.Name}, nil
}

// attachment checks an attachment's metadata and that its bytes are in the
// blob store: a receipt or authorisation that cannot be opened later is no
// receipt at all. nil passes (callers check presence).
func (s *Service) attachment(ctx context.Context, actor casework.Actor, field string, a *casework.Attachment) error {
	if a == nil {
		return nil
	}
	var f errs.Fields
	checkText(&f, field+".name", a.Name, true, 200)
	checkText(&f, field+".mediaType", a.MediaType, true, 100)
	if err := f.Err(); err != nil {
		return err
	}
	if err := s.k.Validate(*a); err != nil {
		f.Merge(field+".", err)
		return f.Err()
	}
	if err := s.k.CheckAttachment(ctx, *a); err != nil {
		f.Merge(field+".", err)
		return f.Err()
	}
	return nil
}

func cloneAttachment(a *casework.Attachment) *casework.Attachment {
	if a == nil {
		return nil
	}
	c := *a
	return &c
}

// loadReturn reads a return and its item and checks the action on the item.
func (s *Service) loadReturn(ctx context.Context, actor casework.Actor, action casework.Action, id string) (Return, Item, error) {
	if !validID(id) {
		return Return{}, Item{}, errs.NotFound(RecordReturn, "")
	}
	r, err := s.store.GetReturn(ctx, id)
	if err != nil {
		return Return{}, Item{}, err
	}
	it, err := s.store.GetItem(ctx, r.ItemID)
	if err != nil {
		return Return{}, Item{}, err
	}
	t, err := s.target(ctx, RecordReturn, r.ID, it)
	if err != nil {
		return Return{}, Item{}, err
	}
	t.RequestedBy = r.RequestedBy
	if err := s.k.Check(ctx, actor, action, t); err != nil {
		return Return{}, Item{}, err
	}
	return r, it, nil
}

// loadReturns is loadReturn for many returns, in the order of ids, with a
// constant number of queries for each casework.MaxPageLimit of them: the
// returns in one query, their items in another. The check of each is
// loadReturn's; the item's shares are read only for an item outside the
// actor's subtree (the only case where they can change the answer).
func (s *Service) loadReturns(ctx context.Context, actor casework.Actor, action casework.Action, ids []string, fn func(Return, Item)) error {
	for len(ids) > 0 {
		page := ids[:min(len(ids), casework.MaxPageLimit)]
		ids = ids[len(page):]
		rows, err := s.store.ListReturns(ctx, ReturnFilter{IDs: page}, casework.Page{Limit: len(page)})
		if err != nil {
			return err
		}
		returns := make(map[string]Return, len(rows))
		itemIDs := make([]string, 0, len(rows))
		for _, r := range rows {
			returns[r.ID] = r
			itemIDs = append(itemIDs, r.ItemID)
		}
		items := make(map[string]Item, len(itemIDs))
		if len(itemIDs) > 0 {
			its, err := s.store.ListItems(ctx, ItemFilter{IDs: itemIDs}, casework.Page{Limit: len(itemIDs)})
			if err != nil {
				return err
			}
			for _, it := range its {
				items[it.ID] = it
			}
		}
		for _, id := range page {
			r, ok := returns[id]
			if !ok {
				return errs.NotFound(RecordReturn, id)
			}
			it, ok := items[r.ItemID]
			if !ok {
				return errs.NotFound(RecordItem, r.ItemID)
			}
			t := casework.Target{RecordType: RecordReturn, RecordID: r.ID, UnitID: it.UnitID, RequestedBy: r.RequestedBy}
			if err := s.k.Check(ctx, actor, action, t); err != nil {
				if t, err = s.target(ctx, RecordReturn, r.ID, it); err != nil {
					return err
				}
				t.RequestedBy = r.RequestedBy
				if err := s.k.Check(ctx, actor, action, t); err != nil {
					return err
				}
			}
			fn(r, it)
		}
	}
	return nil
}

// ApproveReturn approves a requested return: a supervisor at the level the
// policy sets (branch by default), never the requester. The item moves to
// return_approved.
func (s *Service) ApproveReturn(ctx context.Context, actor casework.Actor, id string, version int64, note string) (Return, error) {
	return s.decideReturn(ctx, actor, id, version, note, true)
}

// RejectReturn rejects a requested return; the item stays identified and
// a new request may follow. A reason is required.
func (s *Service) RejectReturn(ctx context.Context, actor casework.Actor, id string, version int64, note string) (Return, error) {
	return s.decideReturn(ctx, actor, id, version, note, false)
}

func (s *Service) decideReturn(ctx context.Context, actor casework.Actor, id string, version int64, note string, approve bool) (Return, error) {
	r, it, err := s.loadReturn(ctx, actor, ActionApproveReturn, id)
	if err != nil {
		return Return{}, err
	}
	to := ReturnApproved
	if !approve {
		to = ReturnRejected
	}
	note, err = checkDecision(decision{recordType: RecordReturn, id: id, version: version, stored: r.Version,
		state: string(r.State), requested: string(ReturnRequested), to: string(to)}, note, approve)
	if err != nil {
		return Return{}, err
	}
	if it.ReturnID != r.ID || it.State != StateIdentified {
		return Return{}, errs.Transition(string(it.State), string(StateReturnApproved), "the item is no longer waiting for this return")
	}
	now := s.k.Now()
	next := r.Clone()
	next.State, next.DecidedBy, next.DecidedAt, next.DecisionNote = to, actor.StaffID, now, note
	next.Version, next.UpdatedAt = r.Version+1, now
	itNext := it.Clone()
	if approve {
		itNext.State = StateReturnApproved
	} else {
		itNext.ReturnID = ""
	}
	itNext.Version, itNext.UpdatedAt = it.Version+1, now
	c := s.changes(ctx, actor)
	c.add("recovery.return."+map[bool]string{true: "approve", false: "reject"}[approve], RecordReturn, r.ID, r, next)
	c.add("recovery.item."+map[bool]string{true: "return_approved", false: "return_rejected"}[approve], RecordItem, it.ID, it, itNext)
	return commit(c, Batch{Returns: []Return{next}, Items: []Item{itNext}}, next)
}

// CompleteReturn carries out an approved return outside a return event: the
// recipient's identity document must match their person record (and, for a
// delegate, the owner's document on the authorisation must match the
// owner's), the signed receipt is stored, the custody chain ends with the
// recipient, and the item is returned. A hand-over marked Absent records
// the failed attempt and leaves the item waiting.
func (s *Service) CompleteReturn(ctx context.Context, actor casework.Actor, id string, version int64, h Handover) (Return, error) {
	r, it, err := s.loadReturn(ctx, actor, ActionHandOver, id)
	if err != nil {
		return Return{}, err
	}
	if err := s.k.Validate(h); err != nil {
		return Return{}, err
	}
	if r.Version != version {
		return Return{}, stale(RecordReturn, id, version)
	}
	var b Batch
	c := s.changes(ctx, actor)
	next, err := s.handover(ctx, actor, "", r, it, h, "", &b, c)
	if err != nil {
		return Return{}, err
	}
	return commit(c, b, next)
}

// handover validates one hand-over and adds its records to b and c.
func (s *Service) handover(ctx context.Context, actor casework.Actor, prefix string, r Return, it Item, h Handover, eventID string, b *Batch, c *changes) (Return, error) {
	if r.State != ReturnApproved {
		return Return{}, errs.Transition(string(r.State), string(ReturnCompleted), "return "+r.ID+" is not approved")
	}
	if it.ReturnID != r.ID || it.State != StateReturnApproved {
		return Return{}, errs.Transition(string(it.State), string(StateReturned), "item "+it.ID+" is not waiting for return "+r.ID)
	}
	now := s.k.Now()
	h.Reason, h.Condition = trimmed(h.Reason), trimmed(h.Condition)
	next := r.Clone()
	next.Version, next.UpdatedAt = r.Version+1, now
	if eventID != "" {
		next.EventID = eventID
	}
	var f errs.Fields
	if h.Absent {
		checkText(&f, prefix+"reason", h.Reason, true, maxNote)
		if err := f.Err(); err != nil {
			return Return{}, err
		}
		next.Attempts = append(next.Attempts, Attempt{At: now, EventID: eventID, ActorID: actor.StaffID, Reason: h.Reason})
		b.Returns = append(b.Returns, next)
		c.add("recovery.return.attempt_failed", RecordReturn, r.ID, r, next)
		return next, nil
	}
	if h.Receipt == nil {
		f.Add(prefix+"receipt", "required", "the signed receipt is required")
	}
	for _, err := range []error{s.attachment(ctx, actor, prefix+"receipt", h.Receipt),
		s.checkDoc(ctx, prefix+"recipientDocNumber", r.RecipientPersonID, h.RecipientDocType, h.RecipientDocNumber)} {
		if err := merge(&f, err); err != nil {
			return Return{}, err
		}
	}
	if r.Delegate {
		if err := merge(&f, s.checkDoc(ctx, prefix+"ownerDocNumber", r.OwnerPersonID, h.OwnerDocType, h.OwnerDocNumber)); err != nil {
			return Return{}, err
		}
	}
	if h.Condition == "" {
		h.Condition = "完好"
	}
	d := CustodyDetails{WitnessID: trimmed(h.WitnessID), Reason: "发还", Condition: h.Condition, Seal: SealOpened, Photos: h.Photos}
	d.normalize()
	checkDetails(&f, prefix, d, true)
	if err := s.witness(ctx, &f, prefix+"witnessId", d.WitnessID, actor, it.UnitID, false); err != nil {
		return Return{}, err
	}
	last, err := s.lastEntry(ctx, it)
	if err != nil {
		return Return{}, err
	}
	at := s.custodyTime(&f, prefix+"at", now, it, last)
	to, err := s.recipient(ctx, actor, prefix+"recipient", Holder{Kind: HolderPerson, ID: r.RecipientPersonID}, r.RecipientPersonID)
	f.Merge("", err)
	if err := f.Err(); err != nil {
		return Return{}, err
	}
	e := s.entry(actor, it, EntryReturn, to, at, d)
	itNext := it.Clone()
	itNext.State, itNext.ReturnedAt, itNext.Holder, itNext.CustodySeq = StateReturned, now, to, e.Seq
	itNext.Version, itNext.UpdatedAt = it.Version+1, now
	next.State, next.Receipt, next.CompletedBy, next.CompletedAt, next.IdentityChecked = ReturnCompleted, cloneAttachment(h.Receipt), actor.StaffID, now, true
	b.Returns = append(b.Returns, next)
	b.Items = append(b.Items, itNext)
	b.Custody = append(b.Custody, e)
	c.add("recovery.return.complete", RecordReturn, r.ID, r, next)
	c.add("recovery.item.returned", RecordItem, it.ID, it, itNext)
	c.custody(e)
	return next, nil
}

// checkDoc compares a document number shown at a hand-over with a person's
// record through the kernel's blind index; the number itself is neither
// stored nor audited.
func (s *Service) checkDoc(ctx context.Context, field, personID string, t casework.DocType, number string) error {
	if trimmed(number) == "" {
		return errs.Invalid(field, "required", "the identity document number shown at the hand-over is required")
	}
	p, err := s.k.Store().GetPerson(ctx, personID)
	if err != nil {
		return err
	}
	if p.DocIndex == "" {
		return errs.Invalid(field, "on_record", "person %s has no identity document on record to compare with", personID)
	}
	if t == "" {
		t = p.DocType
	}
	idx, err := s.k.DocIndex(ctx, t, number)
	if err != nil {
		return err
	}
	if idx != p.DocIndex {
		return errs.Invalid(field, "matches_record", "does not match the identity document on person %s's record", personID)
	}
	return nil
}

// GetReturn returns a return.
func (s *Service) GetReturn(ctx context.Context, actor casework.Actor, id string) (Return, error) {
	r, _, err := s.loadReturn(ctx, actor, ActionRead, id)
	return r, err
}

// ReturnQuery searches returns in the actor's subtree.
type ReturnQuery struct {
	UnitID  string
	ItemID  string
	CaseID  string
	EventID string
	States  []ReturnState
	Page    casework.Page
}

// ListReturns searches returns.
func (s *Service) ListReturns(ctx context.Context, actor casework.Actor, q ReturnQuery) ([]Return, string, error) {
	if err := s.k.UnitInReach(ctx, actor, q.UnitID); err != nil {
		return nil, "", err
	}
	if err := checkQuery(map[string]string{"itemId": q.ItemID, "caseId": q.CaseID, "eventId": q.EventID}); err != nil {
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
	rows, err := s.store.ListReturns(ctx, ReturnFilter{UnitUnder: path, ItemID: q.ItemID, CaseID: q.CaseID, EventID: q.EventID, States: q.States},
		casework.Page{Limit: p.Limit + 1, After: p.After})
	if err != nil {
		return nil, "", err
	}
	out, next := casework.PageOf(rows, p.Limit, func(r Return) casework.Cursor { return casework.Cursor{At: r.CreatedAt, ID: r.ID} })
	return out, next, nil
}

// decision is a request about to be approved or rejected (a return, a
// disposal).
type decision struct {
	recordType, id   string
	version, stored  int64  // the version the approver read, the stored one
	state, requested string // its state, and the state that may be decided
	to               string
}

// checkDecision is what every approval shares: compare-and-swap on the
// version read, only a requested record is decided, and a rejection needs a
// reason. It returns the trimmed note. That the requester never decides
// their own request (separation of duties) is the kernel's rule: the
// loaders pass Target.RequestedBy to Authorize.
func checkDecision(d decision, note string, approve bool) (string, error) {
	if d.stored != d.version {
		return "", stale(d.recordType, d.id, d.version)
	}
	if d.state != d.requested {
		return "", errs.Transition(d.state, d.to, "only a requested "+d.recordType+" is decided")
	}
	note = trimmed(note)
	var f errs.Fields
	checkText(&f, "note", note, !approve, maxNote)
	return note, f.Err()
}
