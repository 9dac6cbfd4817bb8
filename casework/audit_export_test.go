package casework_test

import (
	"context"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/internal/memhook"
	"github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/internal/testdb"
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

	memhook.Tamper(db, func(entries *[]casework.AuditEntry, _ map[int64][]byte, cps *[]casework.Checkpoint) {
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

// Entries cut from the tail, with the head row left as it was, are caught
// without any checkpoint.
func TestTailDeletionIsCaughtByTheHeadRow(t *testing.T) {
	t.Parallel()
	db := testdb.SQLite(t)
	store, err := sqlstore.New(db, sqlstore.SQLite)
	require.NoError(t, err)
	require.NoError(t, store.Migrate(context.Background()))
	w := newKernelWorld(t, store, nil)
	ctx := context.Background()
	head, err := store.AuditHead(ctx)
	require.NoError(t, err)
	for _, stmt := range (&sqlx.Dialect{Engine: store.Engine()}).DropAppendOnly("audit_log") {
		_, err := db.ExecContext(ctx, stmt)
		require.NoError(t, err)
	}
	_, err = db.ExecContext(ctx, `DELETE FROM audit_log WHERE seq >= $1`, head.Seq-1)
	require.NoError(t, err)
	rep, err := w.k.VerifyAudit(ctx, w.auditor)
	require.NoError(t, err)
	require.False(t, rep.OK)
	require.Equal(t, head.Seq-1, rep.FirstBrokenSeq, rep.Reason)
}
