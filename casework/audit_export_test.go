package casework_test

import (
	"context"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/stretchr/testify/require"
)

// An attacker with database rights rewrites an entry, recomputes every
// later hash and deletes the stored checkpoints: the stored log is then
// consistent, and only checkpoints exported earlier catch the rewrite.
func TestExportedCheckpointsCatchDeletedOnes(t *testing.T) {
	t.Parallel()
	db := memstore.New()
	w := newKernelWorld(t, db, nil)
	ctx := context.Background()
	_, err := w.k.Checkpoint(ctx, true)
	require.NoError(t, err)
	exported, err := w.k.ExportCheckpoints(ctx, w.auditor)
	require.NoError(t, err)
	require.Len(t, exported, 1)

	db.Tamper(func(entries *[]casework.AuditEntry, _ map[int64][]byte, cps *[]casework.Checkpoint) {
		log := *entries
		log[2].ActorID = "someone-else"
		head := log[1].Head()
		for i := 2; i < len(log); i++ {
			log[i] = recomputed(head, log[i])
			head = log[i].Head()
		}
		*cps = nil
	})
	blind, err := w.k.VerifyAudit(ctx, w.auditor)
	require.NoError(t, err)
	require.True(t, blind.OK, "with its checkpoints deleted the rewritten log is self-consistent")

	rep, err := w.k.VerifyAuditAgainst(ctx, w.auditor, exported)
	require.NoError(t, err)
	require.False(t, rep.OK)
	require.NotNil(t, rep.CheckpointRange)
	require.EqualValues(t, 0, rep.CheckpointRange[0])
	require.Equal(t, exported[0].Seq, rep.CheckpointRange[1], "the exported checkpoint names the range holding seq 3")

	_, err = w.k.VerifyAuditAgainst(ctx, w.officer, exported)
	require.ErrorIs(t, err, casework.ErrForbidden)
}

// recomputed re-links an entry after head, keeping its payload digest.
func recomputed(head casework.AuditHead, e casework.AuditEntry) casework.AuditEntry {
	rec := casework.AuditRecord{Time: e.Time, ActorID: e.ActorID, UnitID: e.UnitID, Action: e.Action,
		RecordType: e.RecordType, RecordID: e.RecordID, RequestID: e.RequestID}
	out := casework.ChainNext(head, rec)
	out.PayloadDigest = e.PayloadDigest
	out.Hash = casework.ChainHash(out)
	return out
}
