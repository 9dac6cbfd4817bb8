package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"time"
)

// entryDomain separates entry hashes from every other SHA-256 use, so an
// entry hash can never be replayed as, say, a payload digest. Changing it
// (or anything in ComputeHash) invalidates every stored log.
const entryDomain = "grassroots-audit-entry-v1"

// Entry is one audit record. Every field except Hash is covered by Hash.
type Entry struct {
	// Seq is 1 for the first entry and increases by exactly one, so a gap
	// or repeat is itself evidence of tampering.
	Seq int64
	// Time is UTC with microsecond precision; finer precision would not
	// survive PostgreSQL and would make reloaded entries fail to verify.
	Time       time.Time
	ActorID    string
	UnitID     string
	Action     string
	RecordType string
	RecordID   string
	RequestID  string
	// PayloadDigest is Payload.Digest of the entry's payload, or all zeros
	// when the action has none. It stays after the payload is erased.
	PayloadDigest [32]byte
	// PrevHash is the Hash of entry Seq-1, or all zeros for Seq 1.
	PrevHash [32]byte
	Hash     [32]byte
}

// Head identifies the newest entry of a log; the zero Head is an empty log,
// whose all-zero hash is the genesis PrevHash.
type Head struct {
	Seq  int64
	Hash [32]byte
}

// Head returns the head a log has once e is its newest entry, so a store
// can seed the next append from its last stored row.
func (e Entry) Head() Head {
	return Head{Seq: e.Seq, Hash: e.Hash}
}

// ComputeHash returns the SHA-256 of an encoding of every field of e except
// Hash. Variable-length fields are prefixed with their length (uint64, big
// endian) and fixed-width fields are written at their fixed width, so no two
// distinct entries share an encoding — moving a byte from ActorID to UnitID
// changes the hash. Time contributes only its Unix microseconds.
//
// The encoding is Prefix, Seq, Body and PrevHash in that order, so a
// database that places entries in the chain itself can compute the same
// hash from the two parts that do not depend on the place.
func ComputeHash(e Entry) [32]byte {
	buf := make([]byte, 0, 256)
	buf = appendString(buf, entryDomain)
	buf = binary.BigEndian.AppendUint64(buf, uint64(e.Seq))
	buf = appendBody(buf, e)
	buf = append(buf, e.PrevHash[:]...)
	return sha256.Sum256(buf)
}

// Prefix is the start of every entry's hashed encoding (the domain), which
// Seq follows as a big-endian uint64.
func Prefix() []byte { return appendString(nil, entryDomain) }

// Body is the part of e's hashed encoding between Seq and PrevHash: every
// field the entry's place in the chain does not decide.
func Body(e Entry) []byte { return appendBody(make([]byte, 0, 200), e) }

func appendBody(buf []byte, e Entry) []byte {
	buf = binary.BigEndian.AppendUint64(buf, uint64(e.Time.UnixMicro()))
	for _, s := range [...]string{e.ActorID, e.UnitID, e.Action, e.RecordType, e.RecordID, e.RequestID} {
		buf = appendString(buf, s)
	}
	return append(buf, e.PayloadDigest[:]...)
}

// Next turns e into the entry that follows head: it assigns Seq, PrevHash and
// Hash (ignoring whatever e carried) and normalises Time to UTC microseconds,
// so the caller stores exactly what was hashed. The store must call it inside
// the transaction that read head, or two writers could both append Seq+1.
func Next(head Head, e Entry) Entry {
	e.Seq = head.Seq + 1
	e.PrevHash = head.Hash
	e.Time = normalizeTime(e.Time)
	e.Hash = ComputeHash(e)
	return e
}

// normalizeTime drops what ComputeHash and the stores cannot keep, so the
// in-memory value equals the reloaded one.
func normalizeTime(t time.Time) time.Time {
	return time.UnixMicro(t.UnixMicro()).UTC()
}

func appendString(buf []byte, s string) []byte {
	buf = binary.BigEndian.AppendUint64(buf, uint64(len(s)))
	return append(buf, s...)
}
