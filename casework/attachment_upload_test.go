package casework_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

// uploadsOf returns the store's uploads of a's digest.
func uploadsOf(t *testing.T, w *kernelWorld, a casework.Attachment) []casework.Upload {
	t.Helper()
	ups, err := w.store.ListUploads(context.Background(), a.SHA256)
	require.NoError(t, err)
	return ups
}

// auditActions lists the audit actions on attachments, in order.
func auditActions(t *testing.T, w *kernelWorld) []string {
	t.Helper()
	var out []string
	require.NoError(t, w.store.ScanAudit(context.Background(), 1, func(e casework.AuditEntry, _ []byte) error {
		if e.RecordType == "attachment" {
			out = append(out, e.Action+" by "+e.ActorID)
		}
		return nil
	}))
	return out
}

// A download is a read like any other: the bytes are in reach of the unit
// that uploaded them and the units above it; any other unit, and a digest
// never stored, get ErrNotFound and nothing else.
func TestOpenAttachmentChecksReach(t *testing.T) {
	t.Parallel()
	eachKernelBackend(t, func(t *testing.T, w *kernelWorld) {
		ctx := context.Background()
		photo := []byte("拾得物照片: 鸟笼")
		a, err := w.k.PutAttachment(ctx, w.officer, "鸟笼.jpg", "image/jpeg", bytes.NewReader(photo))
		require.NoError(t, err)
		ups := uploadsOf(t, w, a)
		require.Len(t, ups, 1)
		require.Equal(t, casework.Upload{ID: ups[0].ID, SHA256: a.SHA256, Size: int64(len(photo)), MediaType: "image/jpeg", Name: "鸟笼.jpg",
			UnitID: w.station.ID, StaffID: w.officer.StaffID, UploadedAt: w.k.Now()}, ups[0])
		require.Equal(t, []string{"attachment.put by " + w.officer.StaffID}, auditActions(t, w), "the upload commits its audit entry")

		for name, actor := range map[string]casework.Actor{"uploader": w.officer, "same station": w.supervisor,
			"branch above": w.branchSupervisor, "bureau auditor": w.auditor} {
			got, rc, err := w.k.OpenAttachment(ctx, actor, a.SHA256)
			require.NoError(t, err, name)
			require.Equal(t, a, got, name)
			b, err := io.ReadAll(rc)
			require.NoError(t, err, name)
			require.NoError(t, rc.Close())
			require.Equal(t, photo, b, name)
		}
		for name, sha := range map[string]string{"other branch": a.SHA256, "never stored": strings.Repeat("0", 64), "not a digest": "../etc"} {
			actor := w.officer
			if name == "other branch" {
				actor = w.otherOfficer
			}
			got, rc, err := w.k.OpenAttachment(ctx, actor, sha)
			require.ErrorIs(t, err, casework.ErrNotFound, name)
			require.Zero(t, got, name)
			require.Nil(t, rc, name)
		}
	})
}

// CheckAttachment, which a workflow calls when it attaches bytes to a
// record, marks every upload of them linked, once.
func TestCheckAttachmentLinksTheUploads(t *testing.T) {
	t.Parallel()
	eachKernelBackend(t, func(t *testing.T, w *kernelWorld) {
		ctx := context.Background()
		a, err := w.k.PutAttachment(ctx, w.officer, "签名.png", "image/png", strings.NewReader("signature"))
		require.NoError(t, err)
		w.clock.Advance(time.Hour)
		_, err = w.k.PutAttachment(ctx, w.mediator, "签名-2.png", "image/png", strings.NewReader("signature"))
		require.NoError(t, err)
		w.clock.Advance(time.Hour)
		require.NoError(t, w.k.CheckAttachment(ctx, a))
		for _, u := range uploadsOf(t, w, a) {
			require.True(t, u.LinkedAt.Equal(w.k.Now()), "linked at %v", u.LinkedAt)
		}
		w.clock.Advance(time.Hour)
		require.NoError(t, w.k.CheckAttachment(ctx, a), "a second link changes nothing")
		for _, u := range uploadsOf(t, w, a) {
			require.True(t, u.LinkedAt.Equal(w.k.Now().Add(-time.Hour)), "the first link stands")
		}
		require.Equal(t, []string{"attachment.put by " + w.officer.StaffID, "attachment.put by " + w.mediator.StaffID,
			"attachment.link by system", "attachment.link by system"}, auditActions(t, w))
	})
}

// The sweep removes uploads no record linked within the TTL (24 hours by
// default), audited as the system, and their bytes unless another upload
// still names them; it keeps linked and younger uploads, and a second run
// changes nothing.
func TestSweepRemovesUnlinkedUploads(t *testing.T) {
	t.Parallel()
	eachKernelBackend(t, func(t *testing.T, w *kernelWorld) {
		ctx := context.Background()
		start := w.k.Now()
		put := func(actor casework.Actor, name, data string) casework.Attachment {
			a, err := w.k.PutAttachment(ctx, actor, name, "image/jpeg", strings.NewReader(data))
			require.NoError(t, err)
			return a
		}
		kept := put(w.officer, "签收单.jpg", "receipt")
		require.NoError(t, w.k.CheckAttachment(ctx, kept))
		again := put(w.supervisor, "签收单-重传.jpg", "receipt") // same bytes, never linked
		orphan := put(w.officer, "废片.jpg", "blurred")
		w.clock.Advance(2 * time.Hour)
		young := put(w.officer, "新照片.jpg", "fresh")

		res, err := w.k.Sweep(ctx, start.Add(24*time.Hour))
		require.NoError(t, err)
		require.Zero(t, res.Changed, "nothing is older than 24 hours yet")

		res, err = w.k.Sweep(ctx, start.Add(24*time.Hour+time.Microsecond))
		require.NoError(t, err)
		require.Equal(t, 2, res.Changed, "the unlinked copy and the orphan")
		require.Len(t, uploadsOf(t, w, kept), 1, "the linked upload stays, its unlinked copy goes")
		require.True(t, uploadsOf(t, w, kept)[0].Linked())
		require.NoError(t, w.k.CheckAttachment(ctx, kept), "bytes a linked upload names stay")
		require.Equal(t, kept.SHA256, again.SHA256)
		require.Empty(t, uploadsOf(t, w, orphan))
		require.ErrorIs(t, w.k.CheckAttachment(ctx, orphan), casework.ErrInvalid, "the orphan's bytes are gone")
		_, _, err = w.k.OpenAttachment(ctx, w.officer, orphan.SHA256)
		require.ErrorIs(t, err, casework.ErrNotFound)
		require.Len(t, uploadsOf(t, w, young), 1, "a younger upload waits")

		res, err = w.k.Sweep(ctx, start.Add(24*time.Hour+time.Microsecond))
		require.NoError(t, err)
		require.Zero(t, res.Changed, "a second sweep at the same now changes nothing")
		actions := auditActions(t, w)
		require.Equal(t, []string{"attachment.sweep by system", "attachment.sweep by system"}, actions[len(actions)-2:])
		report, err := w.k.VerifyAudit(ctx, w.auditor)
		require.NoError(t, err)
		require.True(t, report.OK, "%+v", report)
	})
}

// Config.AttachmentTTL sets how long an upload waits.
func TestSweepHonoursAttachmentTTL(t *testing.T) {
	t.Parallel()
	w := newKernelWorld(t, kernelBackends["memory"](t), &casework.Config{AttachmentTTL: time.Hour})
	ctx := context.Background()
	a, err := w.k.PutAttachment(ctx, w.officer, "a.jpg", "image/jpeg", strings.NewReader("a"))
	require.NoError(t, err)
	res, err := w.k.Sweep(ctx, w.k.Now().Add(time.Hour+time.Second))
	require.NoError(t, err)
	require.Equal(t, 1, res.Changed)
	require.Empty(t, uploadsOf(t, w, a))
}
