package audit

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type tamperKind int

const (
	tamperField tamperKind = iota
	tamperDelete
	tamperSwap
	tamperInsert
	tamperDuplicate
	tamperTruncate
	tamperRewrite
	tamperCheckpoint
	numTamperKinds
)

func (k tamperKind) String() string {
	return [...]string{"field", "delete", "swap", "insert", "duplicate", "truncate", "rewrite", "checkpoint"}[k]
}

// entryField names every field an attacker could edit in place, plus the
// payload row itself.
type entryField int

const (
	fieldSeq entryField = iota
	fieldTime
	fieldActorID
	fieldUnitID
	fieldAction
	fieldRecordType
	fieldRecordID
	fieldRequestID
	fieldPayloadDigest
	fieldPrevHash
	fieldHash
	fieldPayload
	numEntryFields
)

func (f entryField) String() string {
	return [...]string{"Seq", "Time", "ActorID", "UnitID", "Action", "RecordType", "RecordID", "RequestID",
		"PayloadDigest", "PrevHash", "Hash", "payload"}[f]
}

// rewritable are the fields a rewrite changes before recomputing the chain;
// Seq and the hashes are what the recomputation itself sets.
var rewritable = []entryField{fieldTime, fieldActorID, fieldUnitID, fieldAction, fieldRecordType, fieldRecordID, fieldRequestID, fieldPayload}

// expectation is the exact report a tamper must produce.
type expectation struct {
	brokenSeq int64
	cpRange   *[2]int64
}

type tampering struct {
	desc string
	log  testLog
	want expectation
}

func flipBit(rng *rand.Rand, h [32]byte) [32]byte {
	h[rng.IntN(32)] ^= 1 << rng.IntN(8)
	return h
}

func alterString(rng *rand.Rand, s string) string {
	switch rng.IntN(3) {
	case 0:
		return s + string(rune('a'+rng.IntN(26)))
	case 1:
		if s != "" {
			return s[:len(s)-1]
		}
		return "x"
	default:
		return "forged-" + s
	}
}

// alterPayload returns a changed copy of p, leaving p itself untouched
// because the base log shares it.
func alterPayload(rng *rand.Rand, p *Payload) *Payload {
	q := *p
	q.Diff = slices.Clone(p.Diff)
	switch rng.IntN(4) {
	case 0:
		q.Before = alterString(rng, q.Before)
	case 1:
		q.After = alterString(rng, q.After)
	case 2:
		if len(q.Diff) > 0 {
			i := rng.IntN(len(q.Diff))
			q.Diff = slices.Delete(q.Diff, i, i+1)
			break
		}
		fallthrough
	default:
		q.Diff = append(q.Diff, FieldChange{Field: "injected", Old: nil, New: "planted evidence"})
	}
	return &q
}

// changeField edits field f of the entry at index i in place (or its
// payload row) and describes the change.
func changeField(rng *rand.Rand, l *testLog, i int, f entryField) string {
	e := &l.entries[i]
	switch f {
	case fieldSeq:
		choices := []int64{e.Seq - 1, e.Seq + 1, 0, -e.Seq, e.Seq + 1 + rng.Int64N(100)}
		e.Seq = choices[rng.IntN(len(choices))]
	case fieldTime:
		d := time.Duration(1+rng.IntN(1_000_000)) * time.Microsecond
		if rng.IntN(2) == 0 {
			d = -d
		}
		e.Time = e.Time.Add(d)
	case fieldActorID:
		e.ActorID = alterString(rng, e.ActorID)
	case fieldUnitID:
		e.UnitID = alterString(rng, e.UnitID)
	case fieldAction:
		e.Action = alterString(rng, e.Action)
	case fieldRecordType:
		e.RecordType = alterString(rng, e.RecordType)
	case fieldRecordID:
		e.RecordID = alterString(rng, e.RecordID)
	case fieldRequestID:
		e.RequestID = alterString(rng, e.RequestID)
	case fieldPayloadDigest:
		e.PayloadDigest = flipBit(rng, e.PayloadDigest)
	case fieldPrevHash:
		e.PrevHash = flipBit(rng, e.PrevHash)
	case fieldHash:
		e.Hash = flipBit(rng, e.Hash)
	case fieldPayload:
		if l.payloads[e.Seq] == nil { // erased: plant one
			l.payloads[e.Seq] = &Payload{Diff: []FieldChange{{Field: "planted", New: "evidence"}}}
			break
		}
		l.payloads[e.Seq] = alterPayload(rng, l.payloads[e.Seq])
	}
	return fmt.Sprintf("%s of seq %d", f, i+1)
}

// checkpointRangeOf is the range a failing checkpoint reports when every
// checkpoint before it verified: (seq-every, seq], where seq is the first
// checkpoint at or after s.
func checkpointRangeOf(s, every int64) *[2]int64 {
	hi := (s + every - 1) / every * every
	return &[2]int64{hi - every, hi}
}

func tamper(rng *rand.Rand, base testLog, kind tamperKind, iter int, cpEvery int64) tampering {
	l := base.clone()
	n := int64(len(l.entries))
	newestCP := l.newestCheckpoint()
	switch kind {
	case tamperField:
		f := entryField(iter / int(numTamperKinds) % int(numEntryFields))
		k := 1 + rng.Int64N(n)
		if f == fieldPayload && l.payloads[k] == nil {
			k-- // odd seqs always keep their payload
		}
		desc := changeField(rng, &l, int(k-1), f)
		return tampering{"change " + desc, l, expectation{brokenSeq: k}}

	case tamperDelete:
		k := 1 + rng.Int64N(n-1) // deleting the last entry is truncation
		l.entries = slices.Delete(l.entries, int(k-1), int(k))
		return tampering{fmt.Sprintf("delete seq %d", k), l, expectation{brokenSeq: k}}

	case tamperSwap:
		i := 1 + rng.Int64N(n-1)
		j := i + 1 + rng.Int64N(n-i)
		l.entries[i-1], l.entries[j-1] = l.entries[j-1], l.entries[i-1]
		desc := fmt.Sprintf("swap seq %d and %d", i, j)
		if rng.IntN(2) == 0 {
			l.entries[i-1].Seq, l.entries[j-1].Seq = i, j
			desc += " keeping seq numbers in place"
		}
		return tampering{desc, l, expectation{brokenSeq: i}}

	case tamperInsert:
		// A well-formed forgery: it claims seq p, links to p-1, carries a
		// correct hash and p's payload digest, and sits before the real p.
		// It is indistinguishable from entry p until the real p follows.
		p := 1 + rng.Int64N(n)
		forged := l.entries[p-1]
		forged.ActorID = "forger"
		forged.Action = "delete"
		forged.Time = forged.Time.Add(-time.Microsecond)
		forged.Hash = ComputeHash(forged)
		l.entries = slices.Insert(l.entries, int(p-1), forged)
		want := expectation{brokenSeq: p + 1}
		if p%cpEvery == 0 {
			want.cpRange = &[2]int64{p - cpEvery, p}
		}
		return tampering{fmt.Sprintf("insert forged seq %d", p), l, want}

	case tamperDuplicate:
		k := 1 + rng.Int64N(n)
		m := k + 1 + rng.Int64N(n+1-k) // position of the copy, up to n+1
		l.entries = slices.Insert(l.entries, int(m-1), l.entries[k-1])
		return tampering{fmt.Sprintf("duplicate seq %d at position %d", k, m), l, expectation{brokenSeq: m}}

	case tamperTruncate:
		keep := rng.Int64N(newestCP)
		l.entries = l.entries[:keep]
		return tampering{fmt.Sprintf("truncate to %d entries", keep), l, expectation{brokenSeq: keep + 1}}

	case tamperRewrite:
		k := 1 + rng.Int64N(newestCP)
		f := rewritable[rng.IntN(len(rewritable))]
		i := int(k - 1)
		named, wasTombstone := ErasedSeq(l.entries[i])
		desc := changeField(rng, &l, i, f)
		want := expectation{cpRange: checkpointRangeOf(k, cpEvery)}
		if now, ok := ErasedSeq(l.entries[i]); wasTombstone && (!ok || now != named) {
			// A rewritten erasure entry no longer excuses the payload it
			// named: that payload now reads as deleted.
			want.brokenSeq = named
		}
		if f == fieldPayload {
			d, err := l.payloads[k].Digest()
			if err != nil {
				panic(err)
			}
			l.entries[i].PayloadDigest = d
		}
		relink(l.entries, i)
		return tampering{"rewrite " + desc + " recomputing later hashes", l, want}

	case tamperCheckpoint:
		ci := rng.IntN(len(l.cps))
		c := l.cps[ci]
		var desc string
		switch rng.IntN(6) {
		case 0:
			c.Signature = slices.Clone(c.Signature)
			c.Signature[rng.IntN(len(c.Signature))] ^= 1 << rng.IntN(8)
			desc = "flip a signature bit"
		case 1:
			c.Hash = flipBit(rng, c.Hash)
			desc = "change the hash"
		case 2:
			c.Time = c.Time.Add(time.Duration(1+rng.IntN(1000)) * time.Second)
			desc = "change the time"
		case 3:
			c.KeyID = "attacker-key"
			desc = "name an unknown key"
		case 4:
			forged, err := Sign(attackerPriv, testKeyID, c.Head(), c.Time)
			if err != nil {
				panic(err)
			}
			c = forged
			desc = "re-sign with another key under the same key ID"
		default:
			c.Signature = c.Signature[:rng.IntN(len(c.Signature))]
			desc = "truncate the signature"
		}
		l.cps[ci] = c
		return tampering{fmt.Sprintf("checkpoint at seq %d: %s", c.Seq, desc), l, expectation{cpRange: &[2]int64{c.Seq - cpEvery, c.Seq}}}
	}
	panic("unknown tamper kind")
}

// TestTamperCampaign is the log's reason to exist: every tampering an
// insider with database access could do must be caught, and located exactly.
func TestTamperCampaign(t *testing.T) {
	t.Parallel()
	const (
		iterations = 2400
		cpEvery    = 10
	)
	rng := rand.New(rand.NewPCG(20250301, 1))

	bases := make([]testLog, 16)
	for i := range bases {
		bases[i] = buildLog(t, rng, 20+rng.IntN(41), cpEvery, 0.3)
		r := bases[i].verify()
		require.True(t, r.OK, "base log %d: %s", i, r.Reason)
		require.Equal(t, len(bases[i].entries)/cpEvery, r.CheckpointsVerified)
	}

	kinds := make(map[tamperKind]int)
	fields := make(map[entryField]int)
	for iter := range iterations {
		kind := tamperKind(iter % int(numTamperKinds))
		tm := tamper(rng, bases[rng.IntN(len(bases))], kind, iter, cpEvery)
		kinds[kind]++
		if kind == tamperField {
			fields[entryField(iter/int(numTamperKinds)%int(numEntryFields))]++
		}

		r := tm.log.verify()
		msg := fmt.Sprintf("iteration %d (%s): %s; report: %+v", iter, kind, tm.desc, r)
		require.False(t, r.OK, msg)
		require.NotEmpty(t, r.Reason, msg)
		require.Equal(t, tm.want.brokenSeq, r.FirstBrokenSeq, msg)
		if tm.want.cpRange == nil {
			require.Nil(t, r.CheckpointRange, msg)
		} else {
			require.NotNil(t, r.CheckpointRange, msg)
			require.Equal(t, *tm.want.cpRange, *r.CheckpointRange, msg)
		}
	}

	for k := range numTamperKinds {
		require.GreaterOrEqual(t, kinds[k], iterations/int(numTamperKinds), "kind %s", k)
	}
	for f := range numEntryFields {
		require.GreaterOrEqual(t, fields[f], 20, "field %s", f)
	}
}
