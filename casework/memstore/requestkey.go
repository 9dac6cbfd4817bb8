package memstore

import (
	"time"

	"github.com/grassroots-policing/grassroots/casework"
)

// storedKey is a casework.RequestKey as the database keeps it: the actor
// and key are the map's key, the cutoff of a commit is not kept, and the
// result snapshot is packed (the whole answer of a create, read back only
// when the request is repeated).
type storedKey struct {
	fingerprint string
	recordType  string
	recordID    string
	result      []byte // packed; nil when the create set none
	createdAt   time.Time
}

// storeKey is rk as stored; call it under the write lock.
func (db *DB) storeKey(rk *casework.RequestKey) storedKey {
	k := storedKey{fingerprint: rk.Fingerprint, recordType: rk.RecordType, recordID: rk.RecordID, createdAt: rk.CreatedAt}
	if rk.Result != nil {
		k.result = db.pack.pack("result "+rk.RecordType, rk.Result)
	}
	return k
}

// loadKey is the request key k stores under actorID and key; call it under
// either lock.
func (db *DB) loadKey(actorID, key string, k storedKey) (casework.RequestKey, error) {
	result, err := db.pack.unpack(k.result)
	if err != nil {
		return casework.RequestKey{}, err
	}
	return casework.RequestKey{ActorID: actorID, Key: key, Fingerprint: k.fingerprint, RecordType: k.recordType,
		RecordID: k.recordID, Result: result, CreatedAt: k.createdAt}, nil
}
