package memstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
)

// TestAuditEntriesShareRepeatedStrings checks that the audit rows of two
// requests, each with its own copy of the actor, unit, action and record
// type, keep none of them: the database's table keeps each once.
func TestAuditEntriesShareRepeatedStrings(t *testing.T) {
	t.Parallel()
	db := New()
	for _, id := range []string{"v1", "v2"} {
		require.NoError(t, db.CommitChange(t.Context(), casework.Change{Audit: []casework.AuditRecord{{Time: time.Now(),
			ActorID: strings.Clone("staff-1"), UnitID: strings.Clone("unit-1"), Action: strings.Clone("visit.record"),
			RecordType: strings.Clone("visit"), RecordID: id}}}))
	}
	for _, s := range []string{"staff-1", "unit-1", "visit.record", "visit"} {
		require.False(t, bytes.Contains(db.audit.row(1), []byte(s)), "%s is in the row", s)
	}
	trail, err := db.AuditTrail(t.Context(), "visit", "v2")
	require.NoError(t, err)
	require.Len(t, trail, 1)
	require.Equal(t, "staff-1", trail[0].ActorID)
}

// auditState is everything the database answers about its audit log.
func auditState(t *testing.T, db *DB) (head casework.AuditHead, entries []casework.AuditEntry, payloads map[int64][]byte) {
	t.Helper()
	ctx := t.Context()
	head, err := db.AuditHead(ctx)
	require.NoError(t, err)
	payloads = map[int64][]byte{}
	require.NoError(t, db.ScanAudit(ctx, 1, func(e casework.AuditEntry, p []byte) error {
		entries = append(entries, e)
		if p != nil {
			payloads[e.Seq] = p
		}
		return nil
	}))
	return head, entries, payloads
}

func auditRecord(i int) casework.AuditRecord {
	r := casework.AuditRecord{Time: time.Date(2024, 3, 1, 10, 0, i, 1000*i, time.UTC), ActorID: "staff-1", UnitID: "unit-1",
		Action: "visit.record", RecordType: "visit", RecordID: fmt.Sprintf("v%04d", i), RequestID: fmt.Sprint("req-", i)}
	if i%3 != 0 {
		r.Payload = fmt.Appendf(nil, `{"id":"v%04d","notes":"走访 %d"}`, i, i)
	}
	return r
}

// TestAuditLogAcrossChunksAndRollback writes enough entries to fill
// several chunks of rows, checks them against the chain's own rules, and
// rolls back an atomic write that added entries across a chunk's end and
// erased a payload: the log reads as it did before it.
func TestAuditLogAcrossChunksAndRollback(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := New()
	for i := range 1500 {
		require.NoError(t, db.CommitChange(ctx, casework.Change{Audit: []casework.AuditRecord{auditRecord(i)}}))
	}
	require.Greater(t, len(db.audit.chunks), 1)
	head, entries, payloads := auditState(t, db)
	require.Len(t, entries, 1500)
	prev := casework.AuditHead{}
	for i, e := range entries {
		want := casework.ChainNext(prev, auditRecord(i))
		require.Equal(t, want, e)
		prev = e.Head()
		require.Equal(t, auditRecord(i).Payload, payloads[e.Seq])
	}
	require.Equal(t, prev, head)

	failed := errors.New("the write failed")
	require.ErrorIs(t, db.Atomically(ctx, func(ctx context.Context) error {
		require.NoError(t, db.ErasePayload(ctx, 2, casework.Change{}))
		for i := range 1000 {
			require.NoError(t, db.CommitChange(ctx, casework.Change{Audit: []casework.AuditRecord{auditRecord(1500 + i)}}))
		}
		return failed
	}), failed)
	h2, e2, p2 := auditState(t, db)
	require.Equal(t, head, h2)
	require.Equal(t, entries, e2)
	require.Equal(t, payloads, p2)

	require.NoError(t, db.CommitChange(ctx, casework.Change{Audit: []casework.AuditRecord{auditRecord(1500)}}))
	_, e3, _ := auditState(t, db)
	require.Equal(t, casework.ChainNext(head, auditRecord(1500)), e3[1500])
}

// TestAuditLogKeepsWhatATamperLeft: entries whose Seq, PrevHash, time and
// strings break every rule the rows assume read back as they were left.
func TestAuditLogKeepsWhatATamperLeft(t *testing.T) {
	t.Parallel()
	db := New()
	for i := range 5 {
		require.NoError(t, db.CommitChange(t.Context(), casework.Change{Audit: []casework.AuditRecord{auditRecord(i)}}))
	}
	var want []casework.AuditEntry
	wantPayloads := map[int64][]byte{}
	db.tamper(func(entries *[]casework.AuditEntry, payloads map[int64][]byte, _ *[]casework.Checkpoint) {
		es := *entries
		es[1].Seq, es[2].Seq, es[3].Seq = 7, -4, 7 // a jump, a negative, a repeat
		es[2].PrevHash = [32]byte{1}
		es[3].Time = time.Date(2024, 1, 1, 0, 0, 0, 5, time.FixedZone("CST", 8*3600))
		es[4].ActorID, es[4].RecordType, es[4].PayloadDigest = "", "", [32]byte{}
		clear(payloads)
		payloads[7], payloads[-4], payloads[1000] = []byte("seven"), []byte("minus four"), []byte("far")
		want = append([]casework.AuditEntry(nil), es...)
		for k, v := range payloads {
			wantPayloads[k] = v
		}
	})
	db.tamper(func(entries *[]casework.AuditEntry, payloads map[int64][]byte, _ *[]casework.Checkpoint) {
		require.Equal(t, want, *entries)
		require.Equal(t, wantPayloads, payloads)
	})
	trail, err := db.AuditTrail(t.Context(), "", want[4].RecordID)
	require.NoError(t, err)
	require.Equal(t, want[4:5], trail)
}
