package recovery

import (
	"context"
	"errors"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// StolenInput reports an item stolen. Cases hand their stolen items over
// through the ledger (RegisterStolen); this is for an officer's own entry.
type StolenInput struct {
	ItemInput
	StolenAt    time.Time `json:"stolenAt"`
	StolenPlace string    `json:"stolenPlace,omitempty"`
	RequestKey  string    `json:"-"`
}

// RecoveryInput records that an item was recovered and taken into custody.
// From names whom or where it was taken from (a suspect, a scrap yard, the
// roadside); To is its first holder in custody (a staff member or a storage
// location); the details are those of the custody chain's first entry, and
// At is the time of recovery (default now).
type RecoveryInput struct {
	Place string `json:"place"`
	From  string `json:"from"`
	To    Holder `json:"to"`
	CustodyDetails
}

// FoundInput records an item recovered before anyone knew whose it is.
type FoundInput struct {
	ItemInput
	RecoveryInput
	RequestKey string `json:"-"`
}

// IdentifyInput confirms an item's owner (the owner recognised it, or proved
// ownership). OwnerPersonID defaults to the owner already on the item.
type IdentifyInput struct {
	OwnerPersonID string `json:"ownerPersonId,omitempty" validate:"line"`
	CaseID        string `json:"caseId,omitempty" validate:"line"`
	Note          string `json:"note,omitempty"`
}

// ReportStolen records an item as reported stolen.
func (s *Service) ReportStolen(ctx context.Context, actor casework.Actor, in StolenInput) (Item, error) {
	in.normalize()
	in.StolenPlace = trimmed(in.StolenPlace)
	in.StolenAt = casework.Truncate(in.StolenAt)
	if err := s.k.UnitInReach(ctx, actor, in.UnitID); err != nil {
		return Item{}, err
	}
	if err := s.k.Authorize(ctx, actor, ActionReport, casework.Target{RecordType: RecordItem, UnitID: in.UnitID}); err != nil {
		return Item{}, err
	}
	if err := s.k.Validate(in); err != nil {
		return Item{}, err
	}
	var f errs.Fields
	ids, err := s.checkItemInput("", in.ItemInput)
	f.Merge("", err)
	s.checkStolen(&f, "", in.StolenAt, in.StolenPlace)
	f.Merge("", s.checkPerson(ctx, actor, "ownerPersonId", in.OwnerPersonID, false))
	if err := f.Err(); err != nil {
		return Item{}, err
	}
	return casework.CreateOnce(ctx, s.k, actor, in.RequestKey, in, func(rk *casework.RequestKey) (Item, error) {
		now := s.k.Now()
		it := s.newItem(s.k.NewID(), in.ItemInput, ids, now)
		it.Origin, it.State, it.StolenAt, it.StolenPlace = OriginReported, StateReportedStolen, in.StolenAt, in.StolenPlace
		c := s.changes(ctx, actor)
		c.add("recovery.item.report", RecordItem, it.ID, nil, it)
		c.keyed(rk, RecordItem, it.ID, it)
		return commit(c, Batch{NewItems: []Item{it}}, it)
	})
}

func (s *Service) checkStolen(f *errs.Fields, prefix string, at time.Time, place string) {
	if at.IsZero() {
		f.Add(prefix+"stolenAt", "required", "is required (an approximate time will do): matching weighs it")
	} else if at.After(s.k.Now()) {
		f.Add(prefix+"stolenAt", "past", "may not be in the future")
	}
	checkText(f, prefix+"stolenPlace", place, false, maxPlace)
}

func (s *Service) newItem(id string, in ItemInput, ids []casework.Identifier, now time.Time) Item {
	return Item{ID: id, UnitID: in.UnitID, CaseID: in.CaseID, Category: in.Category, NIBRS: s.nibrsOf(in.Category), Description: in.Description,
		Identifiers: ids, Quantity: in.Quantity, ValueFen: in.ValueFen, ValueConfirmed: in.ConfirmLargeValue,
		OwnerPersonID: in.OwnerPersonID, Version: 1, CreatedAt: now, UpdatedAt: now}
}

// checkPerson checks that a person id names a person in the actor's reach;
// one out of reach answers as one that does not exist.
func (s *Service) checkPerson(ctx context.Context, actor casework.Actor, field, id string, required bool) error {
	if id == "" {
		if required {
			return errs.Invalid(field, "required", "is required")
		}
		return nil
	}
	_, ok, err := s.k.PersonInReach(ctx, actor, id)
	if err != nil {
		return err
	}
	if !ok {
		return errs.Invalid(field, "exists", "no person in reach with id %q", id)
	}
	return nil
}

// checkStaff checks that an id names an active staff member who may take
// part in the custody of an item of unitID (hold it, witness its move) and
// returns it: one in the actor's reach, or one of a unit whose subtree
// holds the item — the branch's property centre (涉案财物管理中心) keeps and
// witnesses its stations' items. Anyone else answers as an id that does not
// exist.
func (s *Service) checkStaff(ctx context.Context, actor casework.Actor, unitID, field, id string) (casework.Staff, error) {
	if id == "" {
		return casework.Staff{}, errs.Invalid(field, "required", "is required")
	}
	st, ok, err := s.k.StaffInReach(ctx, actor, id)
	if err != nil {
		return casework.Staff{}, err
	}
	if !ok && validID(id) && unitID != "" {
		if st, err = s.k.Store().GetStaff(ctx, id); err != nil && !errors.Is(err, errs.ErrNotFound) {
			return casework.Staff{}, err
		}
		ok = err == nil && s.above(ctx, st.UnitID, unitID)
	}
	if !ok || !st.Active {
		return casework.Staff{}, errs.Invalid(field, "active_staff", "%q is no active staff member in reach", id)
	}
	return st, nil
}

// custodian checks a holder within police custody (a staff member or a
// storage location) and fills in a staff member's name.
func (s *Service) custodian(ctx context.Context, actor casework.Actor, unitID, field string, h Holder) (Holder, error) {
	switch h.Kind {
	case HolderStaff:
		st, err := s.checkStaff(ctx, actor, unitID, field+".id", h.ID)
		if err != nil {
			return Holder{}, err
		}
		return Holder{Kind: HolderStaff, ID: st.ID, Name: st.Name}, nil
	case HolderLocation:
		var f errs.Fields
		checkLine(&f, field+".id", h.ID, true, 100)
		checkLine(&f, field+".name", h.Name, false, 200)
		return h, f.Err()
	}
	return Holder{}, errs.Invalid(field+".kind", "custody_holder", "an item in custody is held by a staff member or a storage location, not %q", h.Kind)
}

// witness checks the witness of a custody step: an active staff member
// other than the actor, or nobody when optional. What is wrong with the
// input goes to f; a failing store is returned.
func (s *Service) witness(ctx context.Context, f *errs.Fields, field, id string, actor casework.Actor, unitID string, required bool) error {
	if id == "" && !required {
		return nil
	}
	if _, err := s.checkStaff(ctx, actor, unitID, field, id); err != nil {
		return merge(f, err)
	}
	if id == actor.StaffID {
		f.Add(field, "not_actor", "the witness must be someone other than the actor")
	}
	return nil
}

// custodyTime resolves an entry's time: now by default, never in the
// future, never before the previous entry (the chain stays in order).
func (s *Service) custodyTime(f *errs.Fields, field string, at time.Time, it Item, last *CustodyEntry) time.Time {
	now := s.k.Now()
	if at.IsZero() {
		at = now
	}
	at = casework.Truncate(at)
	if at.After(now) {
		f.Add(field, "past", "may not be in the future")
	}
	if last != nil && at.Before(last.At) {
		f.Add(field, "chronological", "may not be before the previous custody entry (%s)", last.At.Format(time.RFC3339))
	}
	return at
}

// lastEntry returns an item's last custody entry, or nil.
func (s *Service) lastEntry(ctx context.Context, it Item) (*CustodyEntry, error) {
	if it.CustodySeq == 0 {
		return nil, nil
	}
	es, err := s.store.Custody(ctx, it.ID)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, nil
	}
	return &es[len(es)-1], nil
}

// intake validates a recovery and builds the custody chain's first entry.
// What is wrong with the input goes to f; a failing store is returned.
func (s *Service) intake(ctx context.Context, actor casework.Actor, f *errs.Fields, prefix string, in *RecoveryInput, it Item) (CustodyEntry, error) {
	in.Place, in.From = trimmed(in.Place), trimmed(in.From)
	in.CustodyDetails.normalize()
	if in.Reason == "" {
		in.Reason = "追回扣押"
	}
	checkText(f, prefix+"place", in.Place, true, maxPlace)
	checkText(f, prefix+"from", in.From, true, 200)
	checkDetails(f, prefix, in.CustodyDetails, false)
	if err := s.witness(ctx, f, prefix+"witnessId", in.WitnessID, actor, it.UnitID, true); err != nil {
		return CustodyEntry{}, err
	}
	to, err := s.custodian(ctx, actor, it.UnitID, prefix+"to", in.To)
	if err := merge(f, err); err != nil {
		return CustodyEntry{}, err
	}
	at := s.custodyTime(f, prefix+"at", in.At, it, nil)
	if !it.StolenAt.IsZero() && at.Before(it.StolenAt) {
		f.Add(prefix+"at", "after_theft", "an item cannot be recovered before it was stolen")
	}
	return CustodyEntry{ItemID: it.ID, Seq: 1, Kind: EntryIntake, From: Holder{Kind: HolderExternal, Name: in.From}, To: to,
		ActorID: actor.StaffID, UnitID: actor.UnitID, WitnessID: in.WitnessID, At: at, Reason: in.Reason,
		Condition: in.Condition, Seal: in.Seal, SealNumber: in.SealNumber, Photos: in.Photos, CreatedAt: s.k.Now()}, nil
}

// recovered applies a recovery to an item.
func (s *Service) recovered(it *Item, in RecoveryInput, e CustodyEntry) {
	it.State, it.RecoveredAt, it.RecoveredPlace = StateRecovered, e.At, in.Place
	it.HoldUntil = casework.EndOfDayN(e.At, s.cfg.HoldingPeriodDays, s.k.Zone())
	it.Holder, it.CustodySeq = e.To, 1
}

// RecordRecovery records that a reported-stolen item was recovered (seized
// from a suspect, found) and takes it into custody: the first entry of its
// custody chain.
func (s *Service) RecordRecovery(ctx context.Context, actor casework.Actor, id string, version int64, in RecoveryInput) (Item, error) {
	cur, err := s.loadItem(ctx, actor, ActionRecover, id)
	if err != nil {
		return Item{}, err
	}
	if err := s.k.Validate(in); err != nil {
		return Item{}, err
	}
	if cur.Version != version {
		return Item{}, stale(RecordItem, id, version)
	}
	if err := move(cur.State, StateRecovered); err != nil {
		return Item{}, err
	}
	if cur.MatchedItemID != "" {
		return Item{}, errs.Transition(string(cur.State), string(StateRecovered), "the item was matched to found item "+cur.MatchedItemID+", which carries on")
	}
	var f errs.Fields
	e, err := s.intake(ctx, actor, &f, "", &in, cur)
	if err != nil {
		return Item{}, err
	}
	if err := f.Err(); err != nil {
		return Item{}, err
	}
	next := cur.Clone()
	s.recovered(&next, in, e)
	next.Version, next.UpdatedAt = cur.Version+1, s.k.Now()
	c := s.changes(ctx, actor)
	c.add("recovery.item.recover", RecordItem, id, cur, next)
	c.custody(e)
	return commit(c, Batch{Items: []Item{next}, Custody: []CustodyEntry{e}}, next)
}

// RecordFound records an item recovered before anyone knew whose it is: it
// enters the register as recovered, in custody, and Match looks for its
// theft report.
func (s *Service) RecordFound(ctx context.Context, actor casework.Actor, in FoundInput) (Item, error) {
	in.ItemInput.normalize()
	if err := s.k.UnitInReach(ctx, actor, in.UnitID); err != nil {
		return Item{}, err
	}
	if err := s.k.Authorize(ctx, actor, ActionRecover, casework.Target{RecordType: RecordItem, UnitID: in.UnitID}); err != nil {
		return Item{}, err
	}
	if err := s.k.Validate(in); err != nil {
		return Item{}, err
	}
	var f errs.Fields
	ids, err := s.checkItemInput("", in.ItemInput)
	f.Merge("", err)
	f.Merge("", s.checkPerson(ctx, actor, "ownerPersonId", in.OwnerPersonID, false))
	e, err := s.intake(ctx, actor, &f, "", &in.RecoveryInput, Item{UnitID: in.UnitID})
	if err != nil {
		return Item{}, err
	}
	if err := f.Err(); err != nil {
		return Item{}, err
	}
	return casework.CreateOnce(ctx, s.k, actor, in.RequestKey, in, func(rk *casework.RequestKey) (Item, error) {
		now := s.k.Now()
		it := s.newItem(s.k.NewID(), in.ItemInput, ids, now)
		it.Origin = OriginFound
		e.ItemID, e.CreatedAt = it.ID, now
		s.recovered(&it, in.RecoveryInput, e)
		c := s.changes(ctx, actor)
		c.add("recovery.item.found", RecordItem, it.ID, nil, it)
		c.custody(e)
		c.keyed(rk, RecordItem, it.ID, it)
		return commit(c, Batch{NewItems: []Item{it}, Custody: []CustodyEntry{e}}, it)
	})
}

// Identify confirms an item's owner: a recovered (or unclaimed) item moves
// to identified. A found item is usually identified by ConfirmMatch instead.
func (s *Service) Identify(ctx context.Context, actor casework.Actor, id string, version int64, in IdentifyInput) (Item, error) {
	cur, err := s.loadItem(ctx, actor, ActionIdentify, id)
	if err != nil {
		return Item{}, err
	}
	if err := s.k.Validate(in); err != nil {
		return Item{}, err
	}
	if cur.Version != version {
		return Item{}, stale(RecordItem, id, version)
	}
	if err := s.identifiable(ctx, cur); err != nil {
		return Item{}, err
	}
	in.OwnerPersonID, in.CaseID, in.Note = trimmed(in.OwnerPersonID), trimmed(in.CaseID), trimmed(in.Note)
	var f errs.Fields
	switch {
	case in.OwnerPersonID == "" && cur.OwnerPersonID == "":
		f.Add("ownerPersonId", "required", "is required")
	case in.OwnerPersonID == "" || in.OwnerPersonID == cur.OwnerPersonID:
		// The owner already on the item was checked when it was named.
		in.OwnerPersonID = cur.OwnerPersonID
	default:
		f.Merge("", s.checkPerson(ctx, actor, "ownerPersonId", in.OwnerPersonID, true))
	}
	checkLine(&f, "caseId", in.CaseID, false, 100)
	checkText(&f, "note", in.Note, false, maxNote)
	if err := f.Err(); err != nil {
		return Item{}, err
	}
	next := cur.Clone()
	next.State, next.OwnerPersonID, next.IdentifiedAt = StateIdentified, in.OwnerPersonID, s.k.Now()
	if in.CaseID != "" {
		next.CaseID = in.CaseID
	}
	next.Version, next.UpdatedAt = cur.Version+1, s.k.Now()
	c := s.changes(ctx, actor)
	c.add("recovery.item.identify", RecordItem, id, cur, next)
	return commit(c, Batch{Items: []Item{next}}, next)
}

// identifiable checks that an item may move to identified: recovered or
// unclaimed, and no disposal under way (reject it first).
func (s *Service) identifiable(ctx context.Context, it Item) error {
	if err := move(it.State, StateIdentified); err != nil {
		return err
	}
	if it.DisposalID != "" {
		d, err := s.store.GetDisposal(ctx, it.DisposalID)
		if err != nil && !errors.Is(err, errs.ErrNotFound) {
			return err
		}
		if err == nil && d.State.Open() {
			return errs.Transition(string(it.State), string(StateIdentified), "disposal "+d.ID+" is under way; reject it first")
		}
	}
	return nil
}

// Get returns an item.
func (s *Service) Get(ctx context.Context, actor casework.Actor, id string) (Item, error) {
	return s.loadItem(ctx, actor, ActionRead, id)
}

// ItemQuery searches the register within the actor's subtree (or the
// subtree of UnitID inside it). The owner is found by ID number through
// the kernel's blind index; the number is never stored here. Time ranges
// are half-open.
type ItemQuery struct {
	UnitID         string
	States         []State
	Origin         Origin
	Category       string
	CaseID         string
	OwnerPersonID  string
	OwnerDocType   casework.DocType
	OwnerDocNumber string
	// Identifier is any identifier, normalised before the search.
	Identifier    string
	StolenFrom    time.Time
	StolenTo      time.Time
	RecoveredFrom time.Time
	RecoveredTo   time.Time
	Page          casework.Page
}

// List searches items; it returns a page and the cursor of the next one ("" at the end).
func (s *Service) List(ctx context.Context, actor casework.Actor, q ItemQuery) ([]Item, string, error) {
	if err := s.k.UnitInReach(ctx, actor, q.UnitID); err != nil {
		return nil, "", err
	}
	if err := checkQuery(map[string]string{"caseId": q.CaseID, "category": q.Category, "ownerPersonId": q.OwnerPersonID,
		"ownerDocNumber": q.OwnerDocNumber, "identifier": q.Identifier}); err != nil {
		return nil, "", err
	}
	if err := s.k.Authorize(ctx, actor, ActionRead, casework.Target{}); err != nil {
		return nil, "", err
	}
	path, err := s.k.Scope(ctx, actor, q.UnitID)
	if err != nil {
		return nil, "", err
	}
	f := ItemFilter{UnitUnder: path, States: q.States, Origin: q.Origin, Category: q.Category, CaseID: q.CaseID,
		OwnerPersonID: q.OwnerPersonID, StolenFrom: q.StolenFrom, StolenTo: q.StolenTo,
		RecoveredFrom: q.RecoveredFrom, RecoveredTo: q.RecoveredTo}
	if q.Identifier != "" {
		f.Identifier = NormalizeIdentifier(IDSerial, q.Identifier).Value
	}
	if q.OwnerDocNumber != "" {
		owner, found, err := s.ownerByDoc(ctx, q.OwnerDocType, q.OwnerDocNumber)
		if err != nil {
			return nil, "", err
		}
		if !found || (f.OwnerPersonID != "" && f.OwnerPersonID != owner) {
			return nil, "", nil
		}
		f.OwnerPersonID = owner
	}
	p := q.Page.Normalize()
	rows, err := s.store.ListItems(ctx, f, casework.Page{Limit: p.Limit + 1, After: p.After})
	if err != nil {
		return nil, "", err
	}
	out, next := casework.PageOf(rows, p.Limit, func(it Item) casework.Cursor { return casework.Cursor{At: it.CreatedAt, ID: it.ID} })
	return out, next, nil
}

// ownerByDoc finds the person holding a document number through the
// kernel's blind index (one person per document number).
func (s *Service) ownerByDoc(ctx context.Context, t casework.DocType, number string) (string, bool, error) {
	idx, err := s.k.DocIndex(ctx, t, number)
	if err != nil {
		return "", false, err
	}
	ps, err := s.k.Store().ListPersons(ctx, casework.PersonFilter{DocIndex: idx}, casework.Page{Limit: 1})
	if err != nil || len(ps) == 0 {
		return "", false, err
	}
	return ps[0].ID, true, nil
}
