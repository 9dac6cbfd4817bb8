package audit

import (
	"crypto/ed25519"
	"errors"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestVerifyIntactLogs(t *testing.T) {
	t.Parallel()
	emptyCP, err := Sign(testPriv, testKeyID, Head{}, testEpoch)
	require.NoError(t, err)

	tests := []struct {
		name        string
		log         func(*rand.Rand) testLog
		wantEntries int64
		wantCPs     int
	}{
		{
			name: "empty log without checkpoints",
			log:  func(*rand.Rand) testLog { return testLog{} },
		},
		{
			name:    "empty log with a checkpoint of the empty head",
			log:     func(*rand.Rand) testLog { return testLog{cps: []Checkpoint{emptyCP}} },
			wantCPs: 1,
		},
		{
			name:        "log without checkpoints",
			log:         func(rng *rand.Rand) testLog { return buildLog(t, rng, 25, 0, 0) },
			wantEntries: 25,
		},
		{
			name:        "checkpoint at the head",
			log:         func(rng *rand.Rand) testLog { return buildLog(t, rng, 40, 10, 0) },
			wantEntries: 40,
			wantCPs:     4,
		},
		{
			name: "checkpoints given out of order",
			log: func(rng *rand.Rand) testLog {
				l := buildLog(t, rng, 35, 10, 0)
				l.cps[0], l.cps[2] = l.cps[2], l.cps[0]
				return l
			},
			wantEntries: 35,
			wantCPs:     3,
		},
		{
			name:        "every erasable payload erased",
			log:         func(rng *rand.Rand) testLog { return buildLog(t, rng, 30, 10, 1) },
			wantEntries: 30,
			wantCPs:     3,
		},
		{
			name:        "some payloads erased",
			log:         func(rng *rand.Rand) testLog { return buildLog(t, rng, 30, 10, 0.9) },
			wantEntries: 30,
			wantCPs:     3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := tt.log(rand.New(rand.NewPCG(1, 2)))
			r := l.verify()
			require.True(t, r.OK, r.Reason)
			require.Empty(t, r.Reason)
			require.Zero(t, r.FirstBrokenSeq)
			require.Nil(t, r.CheckpointRange)
			require.Equal(t, tt.wantEntries, r.Entries)
			require.Equal(t, tt.wantEntries, r.Head.Seq)
			require.Equal(t, tt.wantCPs, r.CheckpointsVerified)
			if n := len(l.entries); n > 0 {
				require.Equal(t, l.entries[n-1].Head(), r.Head)
			}
		})
	}
}

// TestVerifyDeletedPayloads: a payload that is missing with no erasure
// entry naming it was deleted, not erased, and verification names its seq.
// An erasure entry excuses only an earlier seq, and only the one it names.
func TestVerifyDeletedPayloads(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		tamper      func(l *testLog)
		wantDeleted []int64
	}{
		{"one deleted", func(l *testLog) { delete(l.payloads, 7) }, []int64{7}},
		{"several deleted", func(l *testLog) { delete(l.payloads, 9); delete(l.payloads, 3) }, []int64{3, 9}},
		{"every payload deleted", func(l *testLog) { clear(l.payloads) }, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}},
		{"a tombstone naming itself", func(l *testLog) { retomb(l, 5, 6) }, []int64{5}},
		{"a tombstone naming a later seq", func(l *testLog) { retomb(l, 5, 8) }, []int64{5}},
		{"a tombstone naming another seq", func(l *testLog) { retomb(l, 5, 2) }, []int64{5}},
		{"a tombstone of another action", func(l *testLog) {
			delete(l.payloads, 5)
			l.entries[5].Action, l.entries[5].RecordType, l.entries[5].RecordID = "audit.verify", EraseRecordType, "5"
			relink(l.entries, 5)
		}, []int64{5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := buildLog(t, rand.New(rand.NewPCG(3, 4)), 12, 0, 0)
			tt.tamper(&l)
			r := l.verify()
			require.False(t, r.OK)
			require.Equal(t, tt.wantDeleted, r.DeletedPayloads)
			require.Equal(t, tt.wantDeleted[0], r.FirstBrokenSeq)
			require.Contains(t, r.Reason, "deleted, not erased")
		})
	}

	t.Run("the tombstone excuses it", func(t *testing.T) {
		t.Parallel()
		l := buildLog(t, rand.New(rand.NewPCG(3, 4)), 12, 0, 0)
		retomb(&l, 5, 5)
		r := l.verify()
		require.True(t, r.OK, r.Reason)
		require.Empty(t, r.DeletedPayloads)
	})
}

// retomb deletes the payload of seq and turns the entry after it into an
// erasure entry naming named, relinking the rest of the log.
func retomb(l *testLog, seq, named int64) {
	delete(l.payloads, seq)
	e := &l.entries[seq] // the entry at seq+1
	e.Action, e.RecordType, e.RecordID = EraseAction, EraseRecordType, strconv.FormatInt(named, 10)
	relink(l.entries, int(seq))
}

// buildPolicyLog builds a large log the way a store would: cheap payloads,
// checkpoints whenever the default policy says so.
func buildPolicyLog(tb testing.TB, n int) testLog {
	tb.Helper()
	l := testLog{payloads: make(map[int64]*Payload, n)}
	var (
		head   Head
		last   Checkpoint
		policy CheckpointPolicy
	)
	for i := range n {
		now := testEpoch.Add(time.Duration(i) * 700 * time.Millisecond)
		p := &Payload{
			Before: "", After: "",
			Diff: []FieldChange{{Field: "status", Old: "open", New: "closed"}, {Field: "ssn", Old: Redacted, New: Redacted}},
		}
		d, err := p.Digest()
		require.NoError(tb, err)
		e := Next(head, Entry{
			Time: now, ActorID: "officer-7", UnitID: "unit-2", Action: "update",
			RecordType: "complaint", RecordID: "c-1", RequestID: "r-1", PayloadDigest: d,
		})
		head = e.Head()
		l.entries = append(l.entries, e)
		l.payloads[e.Seq] = p
		if policy.Due(last, head, now) {
			last, err = Sign(testPriv, testKeyID, head, now)
			require.NoError(tb, err)
			l.cps = append(l.cps, last)
		}
	}
	return l
}

func TestVerify10kEntries(t *testing.T) {
	t.Parallel()
	l := buildPolicyLog(t, 10_000)
	r := l.verify()
	require.True(t, r.OK, r.Reason)
	require.Equal(t, int64(10_000), r.Head.Seq)
	require.Len(t, l.cps, r.CheckpointsVerified)
	require.Greater(t, r.CheckpointsVerified, 10)
}

func BenchmarkVerify10k(b *testing.B) {
	l := buildPolicyLog(b, 10_000)
	b.ResetTimer()
	for b.Loop() {
		if r := l.verify(); !r.OK {
			b.Fatal(r.Reason)
		}
	}
}

func TestVerifyPayloadAlteredDigestKept(t *testing.T) {
	t.Parallel()
	l := buildLog(t, rand.New(rand.NewPCG(3, 4)), 30, 10, 0)
	altered := *l.payloads[17]
	altered.After = "0000000000000000000000000000000000000000000000000000000000000000"
	l.payloads[17] = &altered

	r := l.verify()
	require.False(t, r.OK)
	require.Equal(t, int64(17), r.FirstBrokenSeq)
	require.Equal(t, int64(16), r.Head.Seq)
	require.Contains(t, r.Reason, "payload")
}

func TestVerifyUnencodablePayload(t *testing.T) {
	t.Parallel()
	l := buildLog(t, rand.New(rand.NewPCG(3, 4)), 12, 10, 0)
	l.payloads[5] = &Payload{Diff: []FieldChange{{Field: "f", New: make(chan int)}}}

	r := l.verify()
	require.False(t, r.OK)
	require.Equal(t, int64(5), r.FirstBrokenSeq)
}

func TestVerifyForgedCheckpoint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		forge  func(*testLog)
		keys   func(string) (ed25519.PublicKey, bool) // nil means no lookup at all
		wantCP [2]int64
	}{
		{
			name: "signature bit flipped",
			forge: func(l *testLog) {
				l.cps[1].Signature = append([]byte(nil), l.cps[1].Signature...)
				l.cps[1].Signature[0] ^= 1
			},
			keys:   testKeys,
			wantCP: [2]int64{10, 20},
		},
		{
			name:   "signature removed",
			forge:  func(l *testLog) { l.cps[0].Signature = nil },
			keys:   testKeys,
			wantCP: [2]int64{0, 10},
		},
		{
			name: "signed by an attacker under the real key ID",
			forge: func(l *testLog) {
				c, err := Sign(attackerPriv, testKeyID, l.cps[2].Head(), l.cps[2].Time)
				require.NoError(t, err)
				l.cps[2] = c
			},
			keys:   testKeys,
			wantCP: [2]int64{20, 30},
		},
		{
			name:   "no key lookup",
			forge:  func(*testLog) {},
			wantCP: [2]int64{0, 10},
		},
		{
			name:   "malformed public key does not panic",
			forge:  func(*testLog) {},
			keys:   func(string) (ed25519.PublicKey, bool) { return ed25519.PublicKey{1, 2, 3}, true },
			wantCP: [2]int64{0, 10},
		},
		{
			name: "forged checkpoint beyond the head",
			forge: func(l *testLog) {
				c := l.cps[2]
				c.Seq = 99
				l.cps = append(l.cps, c)
			},
			keys:   testKeys,
			wantCP: [2]int64{30, 99},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := buildLog(t, rand.New(rand.NewPCG(5, 6)), 35, 10, 0)
			tt.forge(&l)
			r := Verify(l.entries, l.payloads, l.cps, tt.keys)
			require.False(t, r.OK)
			require.Zero(t, r.FirstBrokenSeq, "the chain itself is intact")
			require.NotNil(t, r.CheckpointRange)
			require.Equal(t, tt.wantCP, *r.CheckpointRange)
			require.Contains(t, r.Reason, "does not verify")
		})
	}
}

// TestVerifyRewriteWithResignedCheckpointHashes covers the attacker who
// rewrites history and also edits the stored checkpoints to match: without
// the private key the edited checkpoints no longer verify.
func TestVerifyRewriteWithResignedCheckpointHashes(t *testing.T) {
	t.Parallel()
	l := buildLog(t, rand.New(rand.NewPCG(7, 8)), 40, 10, 0)
	l.entries[13].ActorID = "someone-else"
	relink(l.entries, 13)
	for i := range l.cps {
		l.cps[i].Hash = l.entries[l.cps[i].Seq-1].Hash
	}

	r := l.verify()
	require.False(t, r.OK)
	require.Zero(t, r.FirstBrokenSeq)
	require.Equal(t, [2]int64{10, 20}, *r.CheckpointRange)
	require.Equal(t, 1, r.CheckpointsVerified)
}

// TestVerifyLimitsAfterNewestCheckpoint documents what checkpoints cannot
// do: once every later hash is recomputed, a rewrite or a tail truncation
// after the newest checkpoint leaves a log that verifies. Only the next
// checkpoint, taken from the live log, would disagree.
func TestVerifyLimitsAfterNewestCheckpoint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		tamper func(*testLog)
	}{
		{
			name: "rewrite after the newest checkpoint",
			tamper: func(l *testLog) {
				l.entries[32].Action = "view"
				relink(l.entries, 32)
			},
		},
		{
			name:   "truncation after the newest checkpoint",
			tamper: func(l *testLog) { l.entries = l.entries[:31] },
		},
		{
			name:   "deletion of the last entry",
			tamper: func(l *testLog) { l.entries = l.entries[:len(l.entries)-1] },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := buildLog(t, rand.New(rand.NewPCG(9, 10)), 35, 10, 0)
			require.Equal(t, int64(30), l.newestCheckpoint())
			tt.tamper(&l)

			r := l.verify()
			require.True(t, r.OK, "undetectable until the next checkpoint: %s", r.Reason)
			require.Equal(t, 3, r.CheckpointsVerified)
		})
	}
}

func TestVerifyTruncationToEmpty(t *testing.T) {
	t.Parallel()
	l := buildLog(t, rand.New(rand.NewPCG(11, 12)), 20, 10, 0)
	r := Verify(nil, nil, l.cps, testKeys)
	require.False(t, r.OK)
	require.Equal(t, int64(1), r.FirstBrokenSeq)
	require.Nil(t, r.CheckpointRange)
	require.Contains(t, r.Reason, "deleted from the tail")
}

func TestVerifierStopsAtFirstBreak(t *testing.T) {
	t.Parallel()
	l := buildLog(t, rand.New(rand.NewPCG(13, 14)), 20, 10, 0)
	l.entries[4].RecordID = "other"

	v := NewVerifier(l.cps, testKeys)
	var firstErr error
	for i, e := range l.entries {
		err := v.Add(e, l.payloads[e.Seq])
		if i < 4 {
			require.NoError(t, err)
			continue
		}
		require.ErrorIs(t, err, ErrBroken)
		if firstErr == nil {
			firstErr = err
		}
		require.Equal(t, firstErr, err, "later entries must not change the verdict")
	}
	r := v.Finish()
	require.Equal(t, r, v.Finish(), "Finish must not change the verifier")
	require.False(t, r.OK)
	require.Equal(t, int64(5), r.FirstBrokenSeq)
	require.Equal(t, int64(20), r.Entries)
	require.Equal(t, l.entries[3].Head(), r.Head)
	require.Zero(t, r.CheckpointsVerified)
	require.Nil(t, r.CheckpointRange, "checkpoints past a break are not judged")
}

func TestVerifyReportsChainBreakAndCheckpoint(t *testing.T) {
	t.Parallel()
	l := buildLog(t, rand.New(rand.NewPCG(15, 16)), 30, 10, 0)
	l.entries[14].Action = "rewritten"
	relink(l.entries, 14)
	l.entries[24].Action = "damaged"

	r := l.verify()
	require.False(t, r.OK)
	require.Equal(t, int64(25), r.FirstBrokenSeq)
	require.Equal(t, [2]int64{10, 20}, *r.CheckpointRange)
	require.Contains(t, r.Reason, "seq 25")
	require.Contains(t, r.Reason, "rewritten")
	require.True(t, errors.Is(streamErr(t, l), ErrBroken))
}

// streamErr streams l and returns the last error, so tests can check
// what a store would see.
func streamErr(t *testing.T, l testLog) error {
	t.Helper()
	v := NewVerifier(l.cps, testKeys)
	var err error
	for _, e := range l.entries {
		if err = v.Add(e, l.payloads[e.Seq]); err != nil {
			break
		}
	}
	return err
}
