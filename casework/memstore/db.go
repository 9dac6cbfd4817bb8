// Package memstore is the in-memory KernelStore, and the shared database that
// every workflow's memory store is built on (mediation/memstore.New(db) …),
// so that one audit chain, one outbox and one set of request keys span all
// four packages, as they do in SQL.
//
// One lock guards everything: memory stores are for tests, demos and
// embedding without a database, where simplicity beats throughput. Values
// are copied in and out, so no caller can change what is stored by mutating
// an argument or a result.
package memstore

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/internal/memhook"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Host is what a workflow's memory store is built on (mediation/memstore.New
// and its peers take one): the database's lock for reads and for writes
// that commit a casework.Change with the record, and the unit tree for
// subtree filters. *DB is the one implementation; the interface keeps the
// workflow stores from depending on its internals.
type Host interface {
	Write(ctx context.Context, ch casework.Change, apply func() error) error
	Read(ctx context.Context, fn func() error) error
	Subtree(ctx context.Context, path string) (UnitSet, error)
	GetUnit(ctx context.Context, id string) (casework.Unit, error)
	ListUnits(ctx context.Context, f casework.UnitFilter) ([]casework.Unit, error)
	// Join makes a workflow store part of the database's atomic writes
	// (Atomically): its Snapshot is taken when one starts and restored when
	// one fails. Workflow stores call it once, in their New.
	Join(p Participant)
	// Intern returns the database's copy of a string, so that stored
	// records share the strings they repeat; call it inside Write.
	Intern(s string) string
	// Symbols is the database's table of strings and locations, for
	// stores that keep records as rows (RowWriter); use it inside Read or
	// Write, and add to it inside Write only.
	Symbols() *Symbols
	// MovesOf is the moves of one record, oldest first (casework.UnitAt),
	// for a store's figures; call it inside Read or Write, which hold the
	// lock it reads under. The slice is the database's: do not change it.
	MovesOf(kind, recordID string) []casework.RecordMove
}

var _ Host = (*DB)(nil)

// DB is the in-memory database. Its zero value is not usable; call New.
type DB struct {
	mu sync.RWMutex

	units     map[string]casework.Unit
	unitCodes map[string]string
	staff     map[string]casework.Staff
	persons   map[string]casework.PersonRecord
	personDoc map[string]string
	addresses map[string]casework.Address
	shares    map[string]casework.Share
	uploads   map[string]casework.Upload
	recAtt    map[[3]string]casework.RecordAttachment // record type, record id, sha256
	moves     map[[2]string][]casework.RecordMove     // kind, record id; oldest first

	audit       auditLog // entries and their packed payloads (see packer)
	checkpoints []casework.Checkpoint
	requestKeys map[string][]byte // see keyOf and storeKey
	keyBuf      []byte            // storeKey's scratch
	pack        *packer
	syms        *Symbols // see Intern
	inbox       map[[3]string]casework.InboxEntry
	outbox      []*casework.OutboxMessage
	blobs       casework.BlobStore

	participants []Participant
	writes       atomic.Uint64 // see Writes

	subtrees  subtrees   // see Subtree
	subtreeMu sync.Mutex // serialises keepSubtree
}

// New returns an empty database.
func New() *DB {
	return &DB{
		units:       map[string]casework.Unit{},
		unitCodes:   map[string]string{},
		staff:       map[string]casework.Staff{},
		persons:     map[string]casework.PersonRecord{},
		personDoc:   map[string]string{},
		addresses:   map[string]casework.Address{},
		shares:      map[string]casework.Share{},
		uploads:     map[string]casework.Upload{},
		recAtt:      map[[3]string]casework.RecordAttachment{},
		moves:       map[[2]string][]casework.RecordMove{},
		requestKeys: map[string][]byte{},
		pack:        newPacker(),
		syms:        newSymbols(),
		inbox:       map[[3]string]casework.InboxEntry{},
		blobs:       casework.NewMemoryBlobs(),
	}
}

// DefaultBlobs keeps attachment bytes in memory, like everything else here.
func (db *DB) DefaultBlobs() casework.BlobStore { return db.blobs }

// Write runs apply and commits ch with it, all under the database lock, so
// the record change and its audit entries, outbox messages, request key and
// inbox mark land together or not at all.
//
// apply must check everything that can fail before it mutates anything:
// once it returns nil, Write cannot fail. The request key and inbox mark are
// checked for duplicates before apply runs.
func (db *DB) Write(ctx context.Context, ch casework.Change, apply func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ctx.Value(snapshotKey{db}) != nil {
		return errors.New("memstore: a write inside a read snapshot would wait for itself")
	}
	if !db.holds(ctx) {
		db.mu.Lock()
		defer db.mu.Unlock()
		db.writes.Add(1)
		defer db.writes.Add(1)
	}
	if rk := ch.RequestKey; rk != nil {
		if k, ok := db.keyOf(rk.ActorID, rk.Key, false); ok {
			if row, ok := db.requestKeys[k]; ok {
				created, err := db.storedKeyCreated(row)
				if err != nil {
					return err
				}
				if !created.Before(rk.ExpiredBefore) {
					return errs.New(errs.ErrConflict, "request key %q was already used", rk.Key)
				}
			}
		}
	}
	if in := ch.Inbox; in != nil {
		if _, ok := db.inbox[[3]string{in.SourceKind, in.SourceID, in.Step}]; ok {
			return errs.New(errs.ErrConflict, "hand-off %s/%s/%s was already received", in.SourceKind, in.SourceID, in.Step)
		}
	}
	for _, m := range ch.Outbox {
		if slices.ContainsFunc(db.outbox, func(o *casework.OutboxMessage) bool { return o.ID == m.ID }) {
			return errs.New(errs.ErrConflict, "outbox message %q exists", m.ID)
		}
	}
	for _, a := range ch.Addresses {
		cur, ok := db.addresses[a.ID]
		if !ok {
			return errs.NotFound("address", a.ID)
		}
		if cur.Version != a.Version-1 {
			return errs.Stale("address", a.ID, a.Version-1)
		}
	}
	shareIDs := map[string]bool{}
	for _, sh := range ch.Shares {
		if _, ok := db.shares[sh.ID]; ok || shareIDs[sh.ID] {
			return errs.New(errs.ErrConflict, "share %q exists", sh.ID)
		}
		if _, ok := db.units[sh.UnitID]; !ok {
			return errs.Invalid("unitId", "exists", "no unit %q", sh.UnitID)
		}
		shareIDs[sh.ID] = true
	}
	if apply != nil {
		if err := apply(); err != nil {
			return err
		}
	}
	db.commit(ch)
	return nil
}

func (db *DB) commit(ch casework.Change) {
	if rk := ch.RequestKey; rk != nil {
		k, _ := db.keyOf(rk.ActorID, rk.Key, true)
		db.requestKeys[k] = db.storeKey(rk)
	}
	if in := ch.Inbox; in != nil {
		db.inbox[[3]string{in.SourceKind, in.SourceID, in.Step}] = *in
	}
	for _, m := range ch.Outbox {
		c := m
		c.Payload = slices.Clone(m.Payload)
		db.outbox = append(db.outbox, &c)
	}
	for _, a := range ch.Addresses {
		db.addresses[a.ID] = a.Clone()
	}
	for _, sh := range ch.Shares {
		db.shares[sh.ID] = sh
	}
	for _, m := range ch.Moves {
		k := [2]string{m.Kind, m.RecordID}
		ms := append(slices.Clone(db.moves[k]), m)
		slices.SortStableFunc(ms, func(a, b casework.RecordMove) int { return a.MovedAt.Compare(b.MovedAt) })
		db.moves[k] = ms
	}
	for _, r := range ch.Audit {
		head, err := db.audit.head(db.syms)
		if err != nil {
			panic(err) // written by this database
		}
		e := casework.ChainNext(head, r)
		db.audit.add(db.syms, &e)
		if len(r.Payload) > 0 {
			db.audit.setPayload(e.Seq, db.pack.pack(r.Action, r.Payload))
		}
	}
}

// Writes implements casework.WriteCounter: it moves as a write (Write or
// Atomically) takes the write lock and again before it lets it go.
func (db *DB) Writes() uint64 { return db.writes.Load() }

// InWrite implements casework.WriteCounter: under Atomically's context,
// reads see its writes before they commit.
func (db *DB) InWrite(ctx context.Context) bool { return db.holds(ctx) }

// Read runs fn under the read lock, for workflow stores' queries.
func (db *DB) Read(ctx context.Context, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ctx.Value(snapshotKey{db}) != nil {
		return fn() // the snapshot holds the read lock already
	}
	if !db.holds(ctx) {
		db.mu.RLock()
		defer db.mu.RUnlock()
	}
	return fn()
}

// The tamper hook is internal, so it is no part of the public API: only
// tamper tests, which play an attacker who edits storage, use it.
func init() {
	memhook.Tamper = func(db any, fn memhook.Func) { db.(*DB).tamper(fn) }
}

// tamper runs fn with the audit entries and payloads, unpacked, under the
// write lock, and stores them again as fn left them.
func (db *DB) tamper(fn memhook.Func) {
	db.mu.Lock()
	defer db.mu.Unlock()
	entries := make([]casework.AuditEntry, db.audit.len())
	payloads := map[int64][]byte{}
	for i := range entries {
		e, err := db.audit.entry(db.syms, i)
		if err != nil {
			panic(err) // written by this database
		}
		entries[i] = e
	}
	for seq := range db.audit.seqs() {
		p, err := db.pack.unpack(db.audit.payload(seq))
		if err != nil {
			panic(err) // packed by this database
		}
		payloads[seq] = p
	}
	fn(&entries, payloads, &db.checkpoints)
	db.audit = auditLog{}
	for i := range entries {
		db.audit.add(db.syms, &entries[i])
	}
	for seq, p := range payloads {
		if p != nil {
			db.audit.setPayload(seq, raw(p))
		}
	}
}

type snapshotKey struct{ db *DB }

// Snapshot implements casework.SnapshotStore: fn's reads (every Read under
// its context) run under one hold of the read lock, so no write lands
// between them. A write under fn's context would wait for the snapshot to
// end: fn must only read.
func (db *DB) Snapshot(ctx context.Context, fn func(ctx context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ctx.Value(snapshotKey{db}) != nil {
		return fn(ctx)
	}
	db.mu.RLock()
	defer db.mu.RUnlock()
	return fn(context.WithValue(ctx, snapshotKey{db}, true))
}

// MovesOf implements Host.
func (db *DB) MovesOf(kind, recordID string) []casework.RecordMove {
	return db.moves[[2]string{kind, recordID}]
}

// RecordMoves implements casework.MoveStore.
func (db *DB) RecordMoves(ctx context.Context, kind, recordID string) (out []casework.RecordMove, err error) {
	err = db.Read(ctx, func() error {
		out = slices.Clone(db.MovesOf(kind, recordID))
		return nil
	})
	return out, err
}

// UnitAt is casework.UnitAt over the moves h keeps: the unit a record of
// kind was in at t, for a workflow store's figures, so that the past events
// of a record moved by a unit's closing count where they happened, as the
// SQL grid counts them. Call it inside Read or Write.
func UnitAt(h Host, kind, id, current string, t time.Time) string {
	return casework.UnitAt(h.MovesOf(kind, id), current, t)
}
