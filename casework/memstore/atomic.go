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
// fn fails, the audit entries, outbox messages, request keys and inbox
// marks its writes committed are removed; the workflow records are the
// caller's to leave untouched, which the kernel's moves do by checking
// everything before they write.
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
	if err := fn(context.WithValue(ctx, heldKey{}, db)); err != nil {
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
