package storetest_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/casework/storetest"
	"github.com/grassroots-policing/grassroots/internal/brokentest"
)

// Deliberately broken stores: each wraps a correct memory store and breaks
// one promise of the KernelStore contract. The suite must catch every one.

// ignoresVersion writes whatever version the caller read: last writer wins.
type ignoresVersion struct{ *memstore.DB }

func (s ignoresVersion) UpdateStaff(ctx context.Context, m casework.Staff, ch casework.Change) error {
	cur, err := s.DB.GetStaff(ctx, m.ID)
	if err != nil {
		return err
	}
	m.Version = cur.Version + 1
	return s.DB.UpdateStaff(ctx, m, ch)
}

// aliased hands out the same slices every time, so a caller's mutation of a
// result shows up in the next read.
type aliased struct {
	*memstore.DB
	mu    sync.Mutex
	cache map[string]casework.Staff
}

func (s *aliased) GetStaff(ctx context.Context, id string) (casework.Staff, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.cache[id]; ok {
		return m, nil
	}
	m, err := s.DB.GetStaff(ctx, id)
	if err == nil {
		s.cache[id] = m
	}
	return m, err
}

// dropsFilter ignores the role filter of staff lists.
type dropsFilter struct{ *memstore.DB }

func (s dropsFilter) ListStaff(ctx context.Context, f casework.StaffFilter, p casework.Page) ([]casework.Staff, error) {
	f.Role = ""
	return s.DB.ListStaff(ctx, f, p)
}

// ignoresCancel carries on with a cancelled context.
type ignoresCancel struct{ *memstore.DB }

func (s ignoresCancel) UpdateStaff(_ context.Context, m casework.Staff, ch casework.Change) error {
	return s.DB.UpdateStaff(context.Background(), m, ch)
}

func (s ignoresCancel) GetStaff(_ context.Context, id string) (casework.Staff, error) {
	return s.DB.GetStaff(context.Background(), id)
}

// dropsAudit commits persons and shares without their audit entries.
type dropsAudit struct{ *memstore.DB }

func (s dropsAudit) CreatePerson(ctx context.Context, p casework.PersonRecord, ch casework.Change) error {
	ch.Audit = nil
	return s.DB.CreatePerson(ctx, p, ch)
}

func (s dropsAudit) UpdatePerson(ctx context.Context, p casework.PersonRecord, ch casework.Change) error {
	ch.Audit = nil
	return s.DB.UpdatePerson(ctx, p, ch)
}

func (s dropsAudit) CreateShare(ctx context.Context, sh casework.Share, ch casework.Change) error {
	ch.Audit = nil
	return s.DB.CreateShare(ctx, sh, ch)
}

func (s dropsAudit) UpdateShare(ctx context.Context, sh casework.Share, ch casework.Change) error {
	ch.Audit = nil
	return s.DB.UpdateShare(ctx, sh, ch)
}

// personSubtreeLost forgets the unit subtree when a person search names a
// name or a document index.
type personSubtreeLost struct{ *memstore.DB }

func (s personSubtreeLost) ListPersons(ctx context.Context, f casework.PersonFilter, p casework.Page) ([]casework.PersonRecord, error) {
	if f.Name != "" || f.DocIndex != "" {
		f.UnitUnder = ""
	}
	return s.DB.ListPersons(ctx, f, p)
}

// staffSubtreeLost forgets the unit subtree when a staff list names an area.
type staffSubtreeLost struct{ *memstore.DB }

func (s staffSubtreeLost) ListStaff(ctx context.Context, f casework.StaffFilter, p casework.Page) ([]casework.Staff, error) {
	if f.Area != "" {
		f.UnitUnder = ""
	}
	return s.DB.ListStaff(ctx, f, p)
}

// keyedLoosely keeps request keys by key alone and inbox marks by source
// alone (the first write wins), as a unique index missing a column would.
type keyedLoosely struct {
	*memstore.DB
	mu    sync.Mutex
	keys  map[string]casework.RequestKey
	marks map[[2]string]casework.InboxEntry
	// actor and step choose which of the two lookups is broken.
	actor, step bool
}

func (s *keyedLoosely) CreateStaff(ctx context.Context, m casework.Staff, ch casework.Change) error {
	if err := s.DB.CreateStaff(ctx, m, ch); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if rk := ch.RequestKey; rk != nil {
		if _, ok := s.keys[rk.Key]; !ok {
			s.keys[rk.Key] = *rk
		}
	}
	if in := ch.Inbox; in != nil {
		if _, ok := s.marks[[2]string{in.SourceKind, in.SourceID}]; !ok {
			s.marks[[2]string{in.SourceKind, in.SourceID}] = *in
		}
	}
	return nil
}

func (s *keyedLoosely) GetRequestKey(ctx context.Context, actorID, key string) (casework.RequestKey, error) {
	if !s.actor {
		return s.DB.GetRequestKey(ctx, actorID, key)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if rk, ok := s.keys[key]; ok {
		return rk, nil
	}
	return s.DB.GetRequestKey(ctx, actorID, key)
}

func (s *keyedLoosely) GetInboxEntry(ctx context.Context, sourceKind, sourceID, step string) (casework.InboxEntry, error) {
	if !s.step {
		return s.DB.GetInboxEntry(ctx, sourceKind, sourceID, step)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if in, ok := s.marks[[2]string{sourceKind, sourceID}]; ok {
		return in, nil
	}
	return s.DB.GetInboxEntry(ctx, sourceKind, sourceID, step)
}

func newKeyedLoosely(actor, step bool) *keyedLoosely {
	return &keyedLoosely{DB: memstore.New(), keys: map[string]casework.RequestKey{}, marks: map[[2]string]casework.InboxEntry{}, actor: actor, step: step}
}

// dropsPayloads hands out audit entries without their payloads, as if every
// payload had been erased.
type dropsPayloads struct{ *memstore.DB }

func (s dropsPayloads) ScanAudit(ctx context.Context, from int64, fn func(casework.AuditEntry, []byte) error) error {
	return s.DB.ScanAudit(ctx, from, func(e casework.AuditEntry, _ []byte) error { return fn(e, nil) })
}

// erasesSilently deletes a payload without committing the erasure's entry,
// so the erasure cannot be told from a deletion.
type erasesSilently struct{ *memstore.DB }

func (s erasesSilently) ErasePayload(ctx context.Context, seq int64, _ casework.Change) error {
	return s.DB.ErasePayload(ctx, seq, casework.Change{})
}

// keepsExpiredShares lists the shares a unit received whatever their
// expiry or revocation.
type keepsExpiredShares struct{ *memstore.DB }

func (s keepsExpiredShares) ListSharesTo(ctx context.Context, f casework.ShareFilter, p casework.Page) ([]casework.Share, error) {
	f.ActiveAt = time.Time{}
	return s.DB.ListSharesTo(ctx, f, p)
}

// relinksQuietly answers a second link of a digest to a record as if it
// were new, so the caller cannot tell it committed nothing.
type relinksQuietly struct{ *memstore.DB }

func (s relinksQuietly) AddRecordAttachment(ctx context.Context, a casework.RecordAttachment, ch casework.Change) error {
	if err := s.DB.AddRecordAttachment(ctx, a, ch); err != nil && !errors.Is(err, casework.ErrConflict) {
		return err
	}
	return nil
}

// forgetsMoves commits a closing but answers no record moves, so a
// closed unit's past figures would move with its records.
type forgetsMoves struct{ *memstore.DB }

func (forgetsMoves) RecordMoves(context.Context, string, string) ([]casework.RecordMove, error) {
	return nil, nil
}

var broken = map[string]func() casework.KernelStore{
	"forgets_moves":        func() casework.KernelStore { return forgetsMoves{memstore.New()} },
	"keeps_expired_shares": func() casework.KernelStore { return keepsExpiredShares{memstore.New()} },
	"relinks_quietly":      func() casework.KernelStore { return relinksQuietly{memstore.New()} },
	"erases_silently":      func() casework.KernelStore { return erasesSilently{memstore.New()} },
	"drops_audit":          func() casework.KernelStore { return dropsAudit{memstore.New()} },
	"person_subtree_lost":  func() casework.KernelStore { return personSubtreeLost{memstore.New()} },
	"staff_subtree_lost":   func() casework.KernelStore { return staffSubtreeLost{memstore.New()} },
	"request_key_no_actor": func() casework.KernelStore { return newKeyedLoosely(true, false) },
	"inbox_mark_no_step":   func() casework.KernelStore { return newKeyedLoosely(false, true) },
	"drops_payloads":       func() casework.KernelStore { return dropsPayloads{memstore.New()} },
	"ignores_version":      func() casework.KernelStore { return ignoresVersion{memstore.New()} },
	"aliased":              func() casework.KernelStore { return &aliased{DB: memstore.New(), cache: map[string]casework.Staff{}} },
	"drops_filter":         func() casework.KernelStore { return dropsFilter{memstore.New()} },
	"ignores_cancel":       func() casework.KernelStore { return ignoresCancel{memstore.New()} },
	"not_atomic":           func() casework.KernelStore { return notAtomic{memstore.New()} },
}

// notAtomic runs an atomic write's steps one by one: a failure after the
// first leaves the first committed, a merge half-written.
type notAtomic struct{ *memstore.DB }

func (s notAtomic) Atomically(ctx context.Context, fn func(context.Context) error) error {
	return fn(ctx)
}

// TestBrokenStore runs the suite against the broken store the parent
// names. It is the child half of TestSuiteCatchesBrokenStores and does
// nothing when run directly.
func TestBrokenStore(t *testing.T) {
	newStore, ok := broken[brokentest.Name()]
	if !ok {
		return
	}
	storetest.Run(t, func(*testing.T) casework.KernelStore { return newStore() })
}

// TestSuiteCatchesBrokenStores runs the suite in a child process against
// each broken store and requires it to fail, naming the subtests that caught
// the defect.
func TestSuiteCatchesBrokenStores(t *testing.T) {
	t.Parallel()
	brokentest.Catches(t, "TestBrokenStore", map[string]string{
		"ignores_version": "ConcurrentCompareAndSwap|StaleVersion",
		"aliased":         "NoAliasing",
		"drops_filter":    "StaffFiltersOrderPaging",
		"ignores_cancel":  "CancelledContext",

		"drops_audit":          "WritesCommitTheirAudit",
		"person_subtree_lost":  "PersonFilters",
		"staff_subtree_lost":   "StaffFiltersOrderPaging",
		"request_key_no_actor": "RequestKeysPerActor",
		"inbox_mark_no_step":   "InboxMarksPerStep",
		"drops_payloads":       "WritesCommitTheirAudit|AuditChain",
		"erases_silently":      "AuditChain",
		"keeps_expired_shares": "SharesReceived",
		"relinks_quietly":      "RecordAttachments",
		"not_atomic":           "Atomically",
		"forgets_moves":        "RecordMoves",
	})
}
