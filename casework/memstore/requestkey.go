package memstore

import (
	"encoding/binary"
	"slices"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
)

// Request keys are kept as rows under a map key of the actor's number in
// the database's table of strings and the key: a key as a struct under
// (actor, key) cost about 130 bytes of map slot and a copy of its
// fingerprint, for a table that holds one key for each create of a day.
// The row holds the key's creation time first (what expiry reads), its
// fingerprint, record type and record id, and then the create's result,
// packed (the whole answer of a create, read back only when the request
// is repeated).

// keyOf is the map key of the request key of actorID; ok is false when
// the actor has no number, and so no key stored. Without add, call it
// under either lock; with add (which numbers the actor), under the write
// lock.
func (db *DB) keyOf(actorID, key string, add bool) (string, bool) {
	var n uint32
	if actorID != "" {
		var ok bool
		if n, ok = db.syms.ids[actorID]; !ok && !add {
			return "", false
		} else if !ok {
			n = db.syms.id(actorID)
		}
	}
	var buf [64]byte
	return string(append(binary.AppendUvarint(buf[:0], uint64(n)), key...)), true
}

// storedKeyCreated is when the stored key row was created.
func (db *DB) storedKeyCreated(row []byte) (time.Time, error) {
	r := NewRowReader(db.syms, row, true)
	t := r.Time()
	return t, r.err
}

// storeKey is rk as stored; call it under the write lock.
func (db *DB) storeKey(rk *casework.RequestKey) []byte {
	w := NewRowWriter(db.syms, db.keyBuf)
	w.Time(rk.CreatedAt)
	w.Text(rk.Fingerprint)
	w.Sym(rk.RecordType)
	w.Text(rk.RecordID)
	w.Bool(rk.Result != nil)
	if rk.Result != nil {
		w.B = db.pack.appendPacked(w.B, "result "+rk.RecordType, rk.Result)
	}
	db.keyBuf = w.B
	return slices.Clone(w.B)
}

// loadKey is the request key row stores under actorID and key; call it
// under either lock.
func (db *DB) loadKey(actorID, key string, row []byte) (casework.RequestKey, error) {
	r := NewRowReader(db.syms, row, false)
	rk := casework.RequestKey{ActorID: actorID, Key: key}
	rk.CreatedAt = r.Time()
	rk.Fingerprint, rk.RecordType, rk.RecordID = r.Text(), r.Sym(), r.Text()
	if r.Bool() {
		result, err := db.pack.unpack(r.raw(len(r.b)))
		if err != nil {
			return casework.RequestKey{}, err
		}
		rk.Result = result
	}
	if err := r.Err(); err != nil {
		return casework.RequestKey{}, err
	}
	return rk, nil
}
