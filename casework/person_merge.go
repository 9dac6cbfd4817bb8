package casework

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// PersonReferences is what a workflow gives the kernel so that a person
// merge reaches its records: every record of the workflow that names
// m.From (a party, a suspect, a victim, an owner, a recipient, a visited
// resident) is re-pointed to m.To and audited with m.Reason. It runs inside
// the merge's atomic write (KernelStore.Atomically): it must make its
// writes with the ctx it is given, and an error from it undoes the whole
// merge. It moves every such record, whether or not the merging actor
// reaches it: a reference left on the tombstone would be a record the
// survivor's history no longer shows.
type PersonReferences interface {
	MovePersonReferences(ctx context.Context, m PersonMove) (moved int, err error)
}

// PersonMove is one merge as the workflows see it.
type PersonMove struct {
	From   string // the merged person, now a tombstone
	To     string // the survivor
	Actor  Actor
	Reason string
	Now    time.Time
	// FromDocIndex is the merged person's document blind index before the
	// merge (now out of the person index) and ToDocIndex the survivor's
	// after it ("" for none): a workflow that keeps parties' document
	// indexes for its own lookups replaces the one by the other, so no
	// lookup finds the tombstone's document.
	FromDocIndex string
	ToDocIndex   string
}

type namedPersonRefs struct {
	workflow string
	refs     PersonReferences
}

// PersonMergeInput names the two persons of a merge with the versions the
// caller read (compare-and-swap on both) and why they are one person.
type PersonMergeInput struct {
	SurvivorID      string `json:"survivorId"`
	SurvivorVersion int64  `json:"survivorVersion"`
	MergedID        string `json:"mergedId"`
	MergedVersion   int64  `json:"mergedVersion"`
	Reason          string `json:"reason"`
}

// PersonMerge is the outcome of a merge: both records as they now are, and
// how many records of each workflow moved to the survivor.
type PersonMerge struct {
	Survivor Person         `json:"survivor"`
	Merged   Person         `json:"merged"`
	Moved    map[string]int `json:"moved"`
}

// personMergeAudit is the audit payload of a merge on each of its persons.
type personMergeAudit struct {
	Person     Person `json:"person"`
	SurvivorID string `json:"survivorId"`
	MergedID   string `json:"mergedId"`
	Reason     string `json:"reason,omitempty"`
}

func errMerged(p PersonRecord) error {
	return errs.Transition("merged", "merged", "person "+p.ID+" was merged into "+p.MergedInto+": change the survivor")
}

func (in *PersonMergeInput) check() error {
	in.SurvivorID, in.MergedID, in.Reason = strings.TrimSpace(in.SurvivorID), strings.TrimSpace(in.MergedID), strings.TrimSpace(in.Reason)
	var f errs.Fields
	if in.SurvivorID == "" {
		f.Add("survivorId", "required", "is required")
	}
	if in.MergedID == "" {
		f.Add("mergedId", "required", "is required")
	} else if in.MergedID == in.SurvivorID {
		f.Add("mergedId", "nefield", "a person cannot be merged into itself")
	}
	if in.SurvivorVersion < 1 {
		f.Add("survivorVersion", "min", "must be the version read, at least 1")
	}
	if in.MergedVersion < 1 {
		f.Add("mergedVersion", "min", "must be the version read, at least 1")
	}
	if in.Reason == "" {
		f.Add("reason", "required", "a merge needs a reason")
	} else if err := CheckText("reason", in.Reason, 500); err != nil {
		f.Merge("", err)
	}
	return f.Err()
}

// MergePersons makes one person of two records of the same person (an
// unidentified suspect identified later; a duplicate entered by two
// stations). In one atomic write: the merged record becomes a tombstone
// naming the survivor (still readable, its history intact), every
// workflow's references move to the survivor, and both persons' audit
// trails record the merge with its reason. The document index stays
// unique: the survivor keeps its own document, or takes the merged one's
// when it has none (an unidentified survivor takes the merged person's
// identity); the merged record keeps its sealed document, out of the index.
//
// The actor needs the merge permission (a supervisor's) on both persons;
// a person out of reach answers ErrNotFound. A stale version of either is
// ErrConflict; a person already merged is ErrInvalidTransition.
func (k *Kernel) MergePersons(ctx context.Context, actor Actor, in PersonMergeInput) (PersonMerge, error) {
	if err := in.check(); err != nil {
		return PersonMerge{}, err
	}
	a, err := k.mergeParty(ctx, actor, in.SurvivorID)
	if err != nil {
		return PersonMerge{}, err
	}
	b, err := k.mergeParty(ctx, actor, in.MergedID)
	if err != nil {
		return PersonMerge{}, err
	}
	if a.Version != in.SurvivorVersion {
		return PersonMerge{}, errs.Stale("person", a.ID, in.SurvivorVersion)
	}
	if b.Version != in.MergedVersion {
		return PersonMerge{}, errs.Stale("person", b.ID, in.MergedVersion)
	}
	now := k.Now()
	survivor, err := k.survivorOf(ctx, a, b)
	if err != nil {
		return PersonMerge{}, err
	}
	survivor.Version, survivor.UpdatedAt = a.Version+1, now
	tomb := b.Clone()
	tomb.DocIndex, tomb.MergedInto, tomb.MergedAt = "", a.ID, now
	tomb.Contacts = nil // moved to the survivor (survivorOf): a search by number finds one person
	tomb.Version, tomb.UpdatedAt = b.Version+1, now
	tombCh, err := k.Change(ctx, actor, ActionMergePersons, "person", b.ID,
		personMergeAudit{Person: view(b)}, personMergeAudit{Person: view(tomb), SurvivorID: a.ID, MergedID: b.ID, Reason: in.Reason})
	if err != nil {
		return PersonMerge{}, err
	}
	survivorCh, err := k.Change(ctx, actor, ActionMergePersons, "person", a.ID,
		personMergeAudit{Person: view(a)}, personMergeAudit{Person: view(survivor), SurvivorID: a.ID, MergedID: b.ID, Reason: in.Reason})
	if err != nil {
		return PersonMerge{}, err
	}
	k.mu.RLock()
	hooks := append([]namedPersonRefs(nil), k.personRefs...)
	k.mu.RUnlock()
	moved := map[string]int{}
	move := PersonMove{From: b.ID, To: a.ID, Actor: actor, Reason: in.Reason, Now: now,
		FromDocIndex: b.DocIndex, ToDocIndex: survivor.DocIndex}
	err = k.store.Atomically(ctx, func(ctx context.Context) error {
		// The tombstone first: it frees the document index the survivor
		// may take.
		if err := k.store.UpdatePerson(ctx, tomb, tombCh); err != nil {
			return err
		}
		for _, h := range hooks {
			n, err := h.refs.MovePersonReferences(ctx, move)
			if err != nil {
				return err
			}
			moved[h.workflow] = n
		}
		return k.store.UpdatePerson(ctx, survivor, survivorCh)
	})
	k.persons.drop(a.ID, b.ID) // even on an error: the write may have committed before it
	if err != nil {
		return PersonMerge{}, err
	}
	return PersonMerge{Survivor: view(survivor), Merged: view(tomb), Moved: moved}, nil
}

// mergeParty reads one person of a merge and checks the actor may merge it.
func (k *Kernel) mergeParty(ctx context.Context, actor Actor, id string) (PersonRecord, error) {
	rec, err := k.store.GetPerson(ctx, id)
	if err != nil {
		return PersonRecord{}, err
	}
	if err := k.Check(ctx, actor, ActionMergePersons, Target{RecordType: "person", RecordID: id, UnitID: rec.UnitID}); err != nil {
		return PersonRecord{}, err
	}
	if rec.MergedInto != "" {
		return PersonRecord{}, errMerged(rec)
	}
	return rec, nil
}

// survivorOf is a's record after the merge: its own details, completed by
// b's identity when a is unidentified, or by b's document when a has none,
// and b's contacts after a's own. A document or contact moving to a is
// sealed again under a's id (a sealed value is bound to its person).
func (k *Kernel) survivorOf(ctx context.Context, a, b PersonRecord) (PersonRecord, error) {
	next := a.Clone()
	takeIdentity := a.Unidentified && !b.Unidentified
	if takeIdentity {
		next.Name, next.Gender, next.BirthDate, next.Unidentified = b.Name, b.Gender, b.BirthDate, false
	}
	var err error
	if next.Contacts, err = k.mergeContacts(ctx, a, b); err != nil {
		return PersonRecord{}, err
	}
	if a.DocIndex != "" || b.DocIndex == "" {
		return next, nil
	}
	doc, err := k.sealer.Open(ctx, b.DocSealed, aad(b.ID, "doc"))
	if err != nil {
		return PersonRecord{}, err
	}
	if next.DocSealed, err = k.sealer.Seal(ctx, doc, aad(a.ID, "doc")); err != nil {
		return PersonRecord{}, err
	}
	next.DocType, next.DocIndex, next.DocMasked = b.DocType, b.DocIndex, b.DocMasked
	if next.BirthDate.IsZero() {
		next.BirthDate = b.BirthDate
	}
	if next.Gender == GenderUnknown {
		next.Gender = b.Gender
	}
	return next, nil
}

// mergeContacts is a's contacts followed by those of b that a does not
// have (the same blind index is the same number or WeChat id), each moved
// one opened and sealed again under a's id at its new position. The bound
// on an input's contacts does not apply: a merge loses no contact, and an
// edit of the survivor later keeps the ones the officer chooses.
func (k *Kernel) mergeContacts(ctx context.Context, a, b PersonRecord) ([]ContactRecord, error) {
	out := slices.Clone(a.Contacts)
	for i, c := range b.Contacts {
		if slices.ContainsFunc(out, func(x ContactRecord) bool { return x.Index == c.Index }) {
			continue
		}
		v, err := k.sealer.Open(ctx, c.Sealed, contactAAD(b.ID, i))
		if err != nil {
			return nil, err
		}
		if c.Sealed, err = k.sealer.Seal(ctx, v, contactAAD(a.ID, len(out))); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// RepointPerson returns rec with every string that is exactly the person id
// from replaced by to, and whether it found any: a workflow that keeps
// person ids in many places of a record (parties, representatives,
// attendees, signatures; suspects, victims, arrests, owners) moves them all
// in one pass and cannot miss a field added later. Ids are unique, so a
// string equal to a person's id is a reference to that person. rec must
// survive a JSON round trip unchanged, as records stored whole as JSON do;
// rec itself is not changed.
func RepointPerson[T any](rec T, from, to string) (T, bool, error) {
	var zero T
	if from == "" {
		return zero, false, errs.Invalid("from", "required", "RepointPerson needs the merged person's id")
	}
	raw, err := json.Marshal(rec)
	if err != nil {
		return zero, false, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // numbers stay exactly as they were (fen, versions)
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return zero, false, err
	}
	tree, found := repoint(tree, from, to)
	if !found {
		return rec, false, nil
	}
	if raw, err = json.Marshal(tree); err != nil {
		return zero, false, err
	}
	var out T
	if err := json.Unmarshal(raw, &out); err != nil {
		return zero, false, err
	}
	return out, true, nil
}

func repoint(v any, from, to string) (any, bool) {
	found := false
	switch x := v.(type) {
	case string:
		if x == from {
			return to, true
		}
	case []any:
		for i := range x {
			var f bool
			x[i], f = repoint(x[i], from, to)
			found = found || f
		}
	case map[string]any:
		for k := range x {
			var f bool
			x[k], f = repoint(x[k], from, to)
			found = found || f
		}
	}
	return v, found
}

// PersonRecords is one kind of a workflow's records, as MoveReferences
// moves them.
type PersonRecords[T any] struct {
	RecordType string
	// List reads a page of the records of the kind that may name m.From:
	// a lookup by person id on an index the store keeps, so a merge reads
	// the person's records, not the table. It may return records that do
	// not name the person (they are left alone), never leave one out.
	List func(ctx context.Context, p Page) ([]T, error)
	Key  func(T) Cursor
	// Stamp sets next's version to cur's plus one and its update time.
	Stamp func(cur T, next *T, now time.Time)
	// Audit is the form the audit log holds (nil: the record itself).
	Audit  func(T) any
	Update func(ctx context.Context, next T, ch Change) error
}

// MoveReferences re-points every record of one kind that names m.From to
// m.To (RepointPerson), each update audited as a person merge, and returns
// how many it moved: the body of a workflow's MovePersonReferences.
func MoveReferences[T any](ctx context.Context, k *Kernel, m PersonMove, r PersonRecords[T]) (int, error) {
	all, err := EveryPage(func(p Page) ([]T, error) { return r.List(ctx, p) }, r.Key)
	if err != nil {
		return 0, err
	}
	audit := r.Audit
	if audit == nil {
		audit = func(v T) any { return v }
	}
	moved := 0
	for _, cur := range all {
		next, found, err := RepointPerson(cur, m.From, m.To)
		if err != nil {
			return 0, err
		}
		if !found {
			continue
		}
		r.Stamp(cur, &next, m.Now)
		ch, err := k.Change(ctx, m.Actor, ActionMergePersons, r.RecordType, r.Key(cur).ID, audit(cur), audit(next))
		if err != nil {
			return 0, err
		}
		if err := r.Update(ctx, next, ch); err != nil {
			return 0, err
		}
		moved++
	}
	return moved, nil
}
