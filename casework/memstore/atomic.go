package memstore

import (
	"context"
	"maps"
	"slices"

	"github.com/grassroots-policing/grassroots/casework"
)

// Participant is a workflow store that takes part in atomic writes: Snapshot
// copies its state, and the function it returns puts that copy back. It is
// called with the database's write lock held, so it must not call Read or
// Write.
type Participant interface {
	Snapshot() (restore func())
}

// Join implements Host.
func (db *DB) Join(p Participant) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.participants = append(db.participants, p)
}

type atomicKey struct{}

// holds reports whether ctx belongs to an atomic write of db, which holds
// the write lock for the whole of it: Read and Write then run without
// taking the lock again.
func (db *DB) holds(ctx context.Context) bool {
	held, _ := ctx.Value(atomicKey{}).(*DB)
	return held == db
}

// Atomically implements casework.KernelStore: fn runs under the write lock
// with a context whose reads and writes, on this database and on every
// workflow store that joined it, run inside that lock; when fn fails, the
// database and every participant are put back as they were before it.
func (db *DB) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	if db.holds(ctx) {
		return fn(ctx)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	db.writes.Add(1)
	defer db.writes.Add(1)
	restore := db.snapshot()
	for _, p := range db.participants {
		undo := p.Snapshot()
		prev := restore
		restore = func() { undo(); prev() }
	}
	if err := fn(context.WithValue(ctx, atomicKey{}, db)); err != nil {
		restore()
		return err
	}
	return nil
}

// snapshot copies the kernel's state. Stored values are replaced, never
// changed in place, except outbox messages, whose delivery state is copied.
func (db *DB) snapshot() (restore func()) {
	units, unitCodes, staff := maps.Clone(db.units), maps.Clone(db.unitCodes), maps.Clone(db.staff)
	persons, personDoc, addresses := maps.Clone(db.persons), maps.Clone(db.personDoc), maps.Clone(db.addresses)
	shares, uploads := maps.Clone(db.shares), maps.Clone(db.uploads)
	audit, checkpoints := db.audit.mark(), slices.Clone(db.checkpoints)
	requestKeys, inbox, moves := maps.Clone(db.requestKeys), maps.Clone(db.inbox), maps.Clone(db.moves)
	outbox := make([]casework.OutboxMessage, len(db.outbox))
	for i, m := range db.outbox {
		outbox[i] = *m
	}
	return func() {
		db.units, db.unitCodes, db.staff = units, unitCodes, staff
		db.unitsChanged()
		db.persons, db.personDoc, db.addresses = persons, personDoc, addresses
		db.shares, db.uploads = shares, uploads
		db.audit.undo(audit)
		db.checkpoints = checkpoints
		db.requestKeys, db.inbox, db.moves = requestKeys, inbox, moves
		db.outbox = db.outbox[:len(outbox)]
		for i := range outbox {
			*db.outbox[i] = outbox[i]
		}
	}
}
