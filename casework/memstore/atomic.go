package memstore

import (
	"context"
	"maps"
	"slices"

	"github.com/grassroots-policing/grassroots/casework"
)

type heldKey struct{}

// held reports whether ctx runs inside db.Atomically, which holds the lock.
func (db *DB) held(ctx context.Context) bool {
	h, _ := ctx.Value(heldKey{}).(*DB)
	return h == db
}

var _ casework.Atomic = (*DB)(nil)

// Atomically runs fn holding the database's write lock; the reads and
// writes fn makes through this database (kernel and workflow stores alike)
// run under that lock without taking it again, so nothing interleaves. When
// fn fails, everything its writes changed is put back: the workflow
// stores' records (from the snapshots they registered with Track) and the
// audit entries, outbox messages, request keys and inbox marks. Snapshots
// copy whole maps: memory stores are for tests and demos, and Atomically
// is for rare operations such as closing a unit.
func (db *DB) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	if db.held(ctx) {
		return fn(ctx)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	auditLen, outboxLen := len(db.audit), len(db.outbox)
	keys, inbox := maps.Clone(db.requestKeys), maps.Clone(db.inbox)
	restores := make([]func(), len(db.snapshots))
	for i, snap := range db.snapshots {
		restores[i] = snap()
	}
	if err := fn(context.WithValue(ctx, heldKey{}, db)); err != nil {
		for _, restore := range restores {
			restore()
		}
		for _, e := range db.audit[auditLen:] {
			delete(db.payloads, e.Seq)
		}
		db.audit = slices.Clip(db.audit[:auditLen])
		db.outbox = slices.Clip(db.outbox[:outboxLen])
		db.requestKeys, db.inbox = keys, inbox
		return err
	}
	return nil
}

// Track implements Host.
func (db *DB) Track(snapshot func() (restore func())) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.snapshots = append(db.snapshots, snapshot)
}

// Keep snapshots a map a workflow store keeps (a shallow copy: stores
// replace values, never change them in place) and returns what puts it
// back.
func Keep[K comparable, V any](m *map[K]V) func() {
	kept := maps.Clone(*m)
	return func() { *m = kept }
}

// KeepAll is Keep of several maps at once.
func KeepAll(restores ...func()) func() {
	return func() {
		for _, r := range restores {
			r()
		}
	}
}
