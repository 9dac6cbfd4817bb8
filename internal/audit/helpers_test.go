package audit

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const testKeyID = "audit-test-key-1"

var (
	testPriv     = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	testPub      = testPriv.Public().(ed25519.PublicKey)
	attackerPriv = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize))
	testEpoch    = time.Date(2025, time.March, 1, 8, 0, 0, 0, time.UTC)
)

func testKeys(id string) (ed25519.PublicKey, bool) {
	if id == testKeyID {
		return testPub, true
	}
	return nil, false
}

type officerRecord struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Badge  int64  `json:"badge"`
	SSN    string `json:"ssn"`
	Notes  string `json:"notes"`
	Active bool   `json:"active"`
}

func sensitiveSSN(field string) bool { return field == "ssn" }

// testLog is a log as a store would hold it: entries, an erasable payload
// table keyed by seq, and checkpoints.
type testLog struct {
	entries  []Entry
	payloads map[int64]*Payload
	cps      []Checkpoint
}

// clone copies the containers so a tamper cannot leak into the base log;
// tampers replace payloads and signatures rather than mutating them.
func (l testLog) clone() testLog {
	return testLog{
		entries:  slices.Clone(l.entries),
		payloads: maps.Clone(l.payloads),
		cps:      slices.Clone(l.cps),
	}
}

func (l testLog) verify() Report {
	return Verify(l.entries, l.payloads, l.cps, testKeys)
}

// newestCheckpoint is the highest checkpoint seq, or 0.
func (l testLog) newestCheckpoint() int64 {
	var s int64
	for _, c := range l.cps {
		s = max(s, c.Seq)
	}
	return s
}

func randomRecord(rng *rand.Rand) officerRecord {
	return officerRecord{
		ID:     fmt.Sprintf("rec-%04d", rng.IntN(10000)),
		Name:   fmt.Sprintf("name-%d", rng.IntN(1000)),
		Badge:  rng.Int64N(1 << 60),
		SSN:    fmt.Sprintf("%03d-%02d-%04d", rng.IntN(1000), rng.IntN(100), rng.IntN(10000)),
		Notes:  fmt.Sprintf("notes <%d> & more", rng.IntN(50)),
		Active: rng.IntN(2) == 0,
	}
}

// buildLog appends n entries through Next, signing a checkpoint every
// cpEvery entries. Even seqs lose their payload with probability erase, so
// odd seqs always keep one for payload tampering; the entry after an erased
// payload is its erasure entry, the tombstone verification requires.
func buildLog(tb testing.TB, rng *rand.Rand, n int, cpEvery int64, erase float64) testLog {
	tb.Helper()
	l := testLog{payloads: make(map[int64]*Payload, n)}
	var head Head
	actions := []string{"create", "update", "delete", "view"}
	var tombstoneFor int64 // an erased payload's seq, named by the next entry
	for i := range n {
		before, after := randomRecord(rng), randomRecord(rng)
		after.ID = before.ID
		p, err := Redact(before, after, sensitiveSSN)
		require.NoError(tb, err)
		d, err := p.Digest()
		require.NoError(tb, err)
		e := Next(head, Entry{
			Time:          testEpoch.Add(time.Duration(head.Seq)*time.Second + time.Duration(rng.IntN(1_000_000_000))),
			ActorID:       fmt.Sprintf("officer-%d", rng.IntN(20)),
			UnitID:        fmt.Sprintf("unit-%d", rng.IntN(5)),
			Action:        actions[rng.IntN(len(actions))],
			RecordType:    "officer",
			RecordID:      before.ID,
			RequestID:     fmt.Sprintf("req-%08x", rng.Uint32()),
			PayloadDigest: d,
		})
		if tombstoneFor != 0 {
			e.Action, e.RecordType, e.RecordID = EraseAction, EraseRecordType, strconv.FormatInt(tombstoneFor, 10)
			e = Next(head, e)
			tombstoneFor = 0
		}
		head = e.Head()
		l.entries = append(l.entries, e)
		// Only even entries are erased, each with a tombstone next, so
		// the last entry keeps its payload.
		if e.Seq%2 == 1 || i == n-1 || rng.Float64() >= erase {
			l.payloads[e.Seq] = &p
		} else {
			tombstoneFor = e.Seq
		}
		if cpEvery > 0 && e.Seq%cpEvery == 0 {
			cp, err := Sign(testPriv, testKeyID, head, e.Time.Add(time.Millisecond))
			require.NoError(tb, err)
			l.cps = append(l.cps, cp)
		}
	}
	return l
}

// relink recomputes PrevHash and Hash from index i onward, as an attacker
// with write access would after rewriting entry i.
func relink(entries []Entry, i int) {
	for j := i; j < len(entries); j++ {
		if j > 0 {
			entries[j].PrevHash = entries[j-1].Hash
		}
		entries[j].Hash = ComputeHash(entries[j])
	}
}
