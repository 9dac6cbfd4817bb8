package recovery

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// The Service is the kernel's casework.PropertyLedger. New registers
// RegisterStolen and MarkTraced as the receivers of casework.KindStolenItems
// and casework.KindTraceItems, so the case workflow's outbox delivers its
// stolen items and arrests here; the case workflow is connected to the
// service (cases.Service.Connect) only for what it asks synchronously
// (CheckStolen before a case commits, CompareProperty in a survey). Both are
// idempotent on the hand-off's Source (Kernel.ReceiveOnce): a repeated
// delivery returns the first result and changes nothing. A payload that
// breaks a rule is refused with ErrInvalid naming the field; the outbox
// keeps it pending with the error, for an operator to see.
//
// Both are exported and so may be called directly, by an embedder as well
// as by the outbox: each checks the hand-off's actor (its reach, then the
// permission) before anything else — before a repeat is answered — and
// audits what it writes, the inbox mark included. Only inside a real
// delivery does the kernel take the actor as it stood when sending
// (Kernel.Reach, Kernel.AuthorizeHandoff).
var _ casework.PropertyLedger = (*Service)(nil)

// RecordHandoff is the audit record type of a hand-off received: every
// inbox mark the receivers write is audited with it (its record id is the
// source's kind, id and step), even when the hand-off changes no item.
const RecordHandoff = "recovery_handoff"

// receipt marks the hand-off received (the inbox row answering a repeat)
// and audits the receipt in the same change.
func (c *changes) receipt(in *casework.InboxEntry, recordID string) {
	in.RecordID = recordID
	c.ch.Inbox = in
	c.add("recovery.handoff.receive", RecordHandoff, in.SourceKind+"/"+in.SourceID+"/"+in.Step, nil, *in)
}

// RegisterStolen creates each stolen item of a case, with the id the case
// assigned, as reported_stolen, so that a found item can be matched to its
// theft before anyone is arrested. It returns the case id. A missing
// quantity means one. A value above the large-value threshold is refused:
// casework.StolenItem carries no confirmation flag yet.
func (s *Service) RegisterStolen(ctx context.Context, p casework.StolenItems) (string, error) {
	if err := checkSource(p.Source); err != nil {
		return "", err
	}
	if err := s.stolenActor(ctx, p); err != nil {
		return "", err
	}
	return s.k.ReceiveOnce(ctx, p.Source, "case", func(in *casework.InboxEntry) (string, error) {
		var f errs.Fields
		checkLine(&f, "caseId", p.CaseID, true, 100)
		place := trimmed(p.Place)
		if place == "" && p.AddressID != "" {
			a, ok, err := s.k.AddressInReach(ctx, p.Actor, p.AddressID)
			switch {
			case err != nil:
				return "", err
			case !ok:
				f.Add("addressId", "exists", "no address in reach with id %q", p.AddressID)
			default:
				place = a.Text
			}
		}
		stolenAt := casework.Truncate(p.StolenAt)
		s.checkStolen(&f, "", stolenAt, place)
		lines, err := s.checkStolenItems(ctx, p, true)
		if err := merge(&f, err); err != nil {
			return "", err
		}
		if err := f.Err(); err != nil {
			return "", err
		}
		now := s.k.Now()
		items := make([]Item, len(lines))
		for i, l := range lines {
			it := s.newItem(p.Items[i].ItemID, l.in, l.ids, now)
			it.Origin, it.State, it.StolenAt, it.StolenPlace, it.Source = OriginReported, StateReportedStolen, stolenAt, place, p.Source
			items[i] = it
		}
		c := s.changes(ctx, p.Actor)
		for _, it := range items {
			c.add("recovery.item.report", RecordItem, it.ID, nil, it)
		}
		c.receipt(in, p.CaseID)
		return commit(c, Batch{NewItems: items}, p.CaseID)
	})
}

// CheckStolen implements casework.PropertyLedger: it reports, writing
// nothing, whether RegisterStolen would accept these items — ids, values,
// categories, identifiers, quantities, owners — so that a case refuses at
// once what recovery would refuse later, instead of handing over items
// whose delivery would fail for ever. An *errs.InvalidError names each
// failing field as items[i].<field>. It runs the very checks RegisterStolen
// runs (stolenActor, checkStolenItems), so the two cannot drift apart —
// except that the items' ids may still be missing: a case checks before it
// assigns them; and that a retired category (cigarettes_alcohol) is
// refused here, naming what to use, while RegisterStolen takes it from a
// hand-off committed before the split under the category the migrations
// give it (splitRetired).
func (s *Service) CheckStolen(ctx context.Context, p casework.StolenItems) error {
	if err := s.stolenActor(ctx, p); err != nil {
		return err
	}
	_, err := s.checkStolenItems(ctx, p, false)
	return err
}

// stolenActor checks the actor of a hand-off of stolen items: the unit it
// names in its reach, then the permission to report items there.
func (s *Service) stolenActor(ctx context.Context, p casework.StolenItems) error {
	if err := s.k.UnitInReach(ctx, p.Actor, p.UnitID); err != nil {
		return err
	}
	return s.k.AuthorizeHandoff(ctx, p.Actor, ActionReport, casework.Target{RecordType: RecordItem, UnitID: p.UnitID})
}

// stolenLine is one checked item of a hand-off: its input and its
// normalised identifiers.
type stolenLine struct {
	in  ItemInput
	ids []casework.Identifier
}

// checkStolenItems is the one validation of a hand-off's items, shared by
// RegisterStolen and CheckStolen. A missing quantity means one. assigned
// says the items' ids must be there: a case checks its items before it
// assigns them ids (CheckStolen), and hands them over with ids
// (RegisterStolen); an id given is checked either way.
func (s *Service) checkStolenItems(ctx context.Context, p casework.StolenItems, assigned bool) ([]stolenLine, error) {
	if err := s.k.Validate(p); err != nil {
		return nil, err
	}
	var f errs.Fields
	lines := make([]stolenLine, len(p.Items))
	seen := map[string]bool{}
	for i, si := range p.Items {
		prefix := "items[" + strconv.Itoa(i) + "]."
		switch {
		case si.ItemID == "" && !assigned:
		case !validID(si.ItemID) || len(si.ItemID) > 100:
			f.Add(prefix+"itemId", "required", "the case assigns each item's id (at most 100 bytes of UTF-8)")
		case seen[si.ItemID]:
			f.Add(prefix+"itemId", "unique", "item %s appears twice", si.ItemID)
		}
		seen[si.ItemID] = true
		qty := si.Quantity
		if qty == 0 {
			qty = 1
		}
		category := si.Category
		if _, known := s.Category(category); assigned && !known {
			// A hand-off a case committed before the split of
			// cigarettes_alcohol, delivered after it: registered under the
			// category the migrations gave the case's own copy, rather
			// than refused for ever. A new report is still refused
			// (CheckStolen, where ids are not assigned yet).
			category = splitRetired(category, strings.TrimSpace(si.Description))
		}
		in := ItemInput{UnitID: p.UnitID, CaseID: p.CaseID, Category: category, Description: si.Description,
			Identifiers: si.Identifiers, Quantity: qty, ValueFen: si.ValueFen, ConfirmLargeValue: si.ValueConfirmed,
			OwnerPersonID: si.OwnerPersonID}
		in.normalize()
		ids, err := s.checkItemInput(prefix, in)
		f.Merge("", err)
		if err := merge(&f, s.checkPerson(ctx, p.Actor, prefix+"ownerPersonId", in.OwnerPersonID, false)); err != nil {
			return nil, err
		}
		lines[i] = stolenLine{in: in, ids: ids}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return lines, nil
}

// MarkTraced marks a case's stolen items as being traced, linked to an
// arrest (快抓捕 · 同步挽损): every item named, or every item of the case when
// none is named. Traced is a mark, not a state. It returns the case id. An
// item not registered yet (its hand-off still on the way) fails the
// delivery, which the outbox retries.
func (s *Service) MarkTraced(ctx context.Context, t casework.TraceItems) (string, error) {
	if err := checkSource(t.Source); err != nil {
		return "", err
	}
	if err := s.k.UnitInReach(ctx, t.Actor, ""); err != nil {
		return "", err
	}
	if err := s.k.AuthorizeHandoff(ctx, t.Actor, ActionTrace, casework.Target{}); err != nil {
		return "", err
	}
	if err := s.k.Validate(t); err != nil {
		return "", err
	}
	return s.k.ReceiveOnce(ctx, t.Source, "case", func(in *casework.InboxEntry) (string, error) {
		var f errs.Fields
		checkLine(&f, "caseId", t.CaseID, true, 100)
		checkLine(&f, "arrestId", t.ArrestID, true, 100)
		if err := f.Err(); err != nil {
			return "", err
		}
		var items []Item
		if len(t.ItemIDs) == 0 {
			err := s.scan(ctx, ItemFilter{CaseID: t.CaseID, Origin: OriginReported}, casework.MaxPageLimit*10, func(it Item) error {
				items = append(items, it)
				return nil
			})
			if err != nil {
				return "", err
			}
		}
		for i, id := range t.ItemIDs {
			if !validID(id) {
				f.Add("itemIds["+strconv.Itoa(i)+"]", "id", "is not an item id")
				continue
			}
			it, err := s.store.GetItem(ctx, id)
			if err == nil {
				// An item out of the actor's reach answers as one not
				// registered (yet).
				var target casework.Target
				if target, err = s.target(ctx, RecordItem, it.ID, it); err == nil {
					err = s.k.Reach(ctx, t.Actor, target)
				}
			}
			if errors.Is(err, errs.ErrNotFound) {
				return "", errs.Wrap(errs.ErrNotFound, err, "itemIds[%d]: item %s is not registered yet", i, id)
			}
			if err != nil {
				return "", err
			}
			if it.CaseID != t.CaseID {
				f.Add("itemIds["+strconv.Itoa(i)+"]", "case", "item %s belongs to case %q, not %q", id, it.CaseID, t.CaseID)
			}
			items = append(items, it)
		}
		if err := f.Err(); err != nil {
			return "", err
		}
		at := casework.Truncate(t.At)
		if at.IsZero() {
			at = s.k.Now()
		}
		var b Batch
		c := s.changes(ctx, t.Actor)
		for _, it := range items {
			target, err := s.target(ctx, RecordItem, it.ID, it)
			if err != nil {
				return "", err
			}
			if err := s.k.Reach(ctx, t.Actor, target); err != nil {
				return "", err
			}
			if err := s.k.AuthorizeHandoff(ctx, t.Actor, ActionTrace, target); err != nil {
				return "", err
			}
			if tracedBy(it, t.ArrestID) {
				continue
			}
			next := it.Clone()
			next.Traces = append(next.Traces, Trace{CaseID: t.CaseID, ArrestID: t.ArrestID, At: at})
			next.Version, next.UpdatedAt = it.Version+1, s.k.Now()
			b.Items = append(b.Items, next)
			c.add("recovery.item.trace", RecordItem, it.ID, it, next)
		}
		c.receipt(in, t.CaseID)
		return commit(c, b, t.CaseID)
	})
}

func tracedBy(it Item, arrestID string) bool {
	for _, tr := range it.Traces {
		if tr.ArrestID == arrestID {
			return true
		}
	}
	return false
}

// checkSource checks the hand-off's source, which keys its idempotency.
func checkSource(src casework.Source) error {
	var f errs.Fields
	checkLine(&f, "source.kind", src.Kind, true, 100)
	checkLine(&f, "source.id", src.ID, true, 200)
	checkLine(&f, "source.step", src.Step, false, 200)
	return f.Err()
}
