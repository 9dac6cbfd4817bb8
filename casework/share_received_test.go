package casework_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/noticetest"
	"github.com/stretchr/testify/require"
)

// eachKernelBackendWith is eachKernelBackend with a configuration.
func eachKernelBackendWith(t *testing.T, cfg func() *casework.Config, fn func(t *testing.T, w *kernelWorld, cfg *casework.Config)) {
	for name, open := range kernelBackends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := cfg()
			fn(t, newKernelWorld(t, open(t), c), c)
		})
	}
}

func shareIDs(list []casework.Share) []string {
	var out []string
	for _, s := range list {
		out = append(out, s.ID)
	}
	return out
}

// A share is listed by the receiving unit (and the units above it), its
// notice reaches the notifier through the outbox, it ends by itself at its
// expiry, and a revocation (with a reason) ends it at once.
func TestSharesReceivedNoticeExpiryRevocation(t *testing.T) {
	t.Parallel()
	eachKernelBackendWith(t, func() *casework.Config { return &casework.Config{Notifier: &noticetest.Recorder{}} },
		func(t *testing.T, w *kernelWorld, cfg *casework.Config) {
			ctx := context.Background()
			notes := cfg.Notifier.(*noticetest.Recorder)
			rec := casework.Target{RecordType: "case", RecordID: "case-1", UnitID: w.station.ID}
			until := w.clock.Now().Add(2 * time.Hour)
			sh, err := w.k.Share(ctx, w.officer, rec, w.otherBranch.ID, "同一嫌疑人跨区作案", until)
			require.NoError(t, err)
			require.True(t, sh.ExpiresAt.Equal(until))

			require.Empty(t, notes.All(), "the notice waits for delivery")
			n, err := w.k.DeliverPending(ctx, nil)
			require.NoError(t, err)
			require.Equal(t, 1, n)
			require.Equal(t, []casework.Notice{{Kind: casework.NoticeShared, UnitID: w.otherBranch.ID, RecordType: "case",
				RecordID: "case-1", Reason: "shared", Due: until}}, notes.All())

			got, next, err := w.k.ListSharesReceived(ctx, w.otherOfficer, casework.SharesReceivedFilter{}, casework.Page{})
			require.NoError(t, err)
			require.Empty(t, next)
			require.Equal(t, []string{sh.ID}, shareIDs(got))
			require.Equal(t, w.officer.StaffID, got[0].GrantedBy)
			require.Equal(t, "同一嫌疑人跨区作案", got[0].Reason)
			mine, _, err := w.k.ListSharesReceived(ctx, w.officer, casework.SharesReceivedFilter{}, casework.Page{})
			require.NoError(t, err)
			require.Empty(t, mine, "the sharing unit received nothing")
			above, _, err := w.k.ListSharesReceived(ctx, w.auditor, casework.SharesReceivedFilter{}, casework.Page{})
			require.NoError(t, err)
			require.Equal(t, []string{sh.ID}, shareIDs(above), "the bureau sees what its branches received")

			readable := func(t *testing.T) error {
				t.Helper()
				r := rec
				r.SharedWith, err = w.k.ActiveShares(ctx, "case", "case-1", w.station.ID)
				require.NoError(t, err)
				return w.k.Check(ctx, w.otherOfficer, casework.ActionRead, r)
			}
			require.NoError(t, readable(t))
			w.clock.Advance(2*time.Hour - time.Microsecond)
			require.NoError(t, readable(t), "still active a microsecond before the end")
			w.clock.Advance(time.Microsecond)
			require.ErrorIs(t, readable(t), casework.ErrNotFound, "an expired share grants nothing, with no sweep")
			active, _, err := w.k.ListSharesReceived(ctx, w.otherOfficer, casework.SharesReceivedFilter{}, casework.Page{})
			require.NoError(t, err)
			require.Empty(t, active)
			all, _, err := w.k.ListSharesReceived(ctx, w.otherOfficer, casework.SharesReceivedFilter{All: true}, casework.Page{})
			require.NoError(t, err)
			require.Equal(t, []string{sh.ID}, shareIDs(all))

			open, err := w.k.Share(ctx, w.officer, rec, w.otherBranch.ID, "协查", time.Time{})
			require.NoError(t, err)
			require.NoError(t, readable(t))
			_, err = w.k.RevokeShare(ctx, w.officer, open.ID, " ")
			require.ErrorIs(t, err, casework.ErrInvalid, "a revocation says why")
			revoked, err := w.k.RevokeShare(ctx, w.officer, open.ID, "协查结束")
			require.NoError(t, err)
			require.Equal(t, "协查结束", revoked.RevokeReason)
			require.ErrorIs(t, readable(t), casework.ErrNotFound, "a revoked share ends at once")
			trail, err := w.store.AuditTrail(ctx, "case", "case-1")
			require.NoError(t, err)
			require.Equal(t, "record.unshare", trail[len(trail)-1].Action)

			for _, bad := range []time.Time{w.clock.Now(), w.clock.Now().Add(-time.Hour), w.clock.Now().AddDate(20, 0, 0)} {
				_, err = w.k.Share(ctx, w.officer, rec, w.otherBranch.ID, "协查", bad)
				require.ErrorIs(t, err, casework.ErrInvalid)
				require.Contains(t, err.Error(), "until")
			}
		})
}

// A photo attached to a record is listed with it and downloadable by
// whoever may read the record — a unit above, a unit it is shared with —
// and a sibling unit gets not found.
func TestRecordAttachmentFollowsTheRecordsReach(t *testing.T) {
	t.Parallel()
	eachKernelBackend(t, func(t *testing.T, w *kernelWorld) {
		ctx := context.Background()
		photo := []byte("现场照片 bytes")
		a, err := w.k.PutAttachment(ctx, w.officer, "现场.jpg", "image/jpeg", bytes.NewReader(photo))
		require.NoError(t, err)
		rec := casework.Target{RecordType: "hazard", RecordID: "hz-1", UnitID: w.station.ID}
		l, err := w.k.AttachToRecord(ctx, w.officer, rec, a)
		require.NoError(t, err)
		require.Equal(t, a, l.Attachment)
		again, err := w.k.AttachToRecord(ctx, w.officer, rec, a)
		require.NoError(t, err)
		require.True(t, again.AttachedAt.Equal(l.AttachedAt), "attaching again returns the first link")

		list, err := w.k.RecordAttachments(ctx, w.supervisor, rec)
		require.NoError(t, err)
		require.Len(t, list, 1)
		require.Equal(t, a.SHA256, list[0].SHA256)

		download := func(actor casework.Actor) error {
			_, rc, err := w.k.OpenAttachment(ctx, actor, a.SHA256)
			if err != nil {
				return err
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			require.Equal(t, photo, b)
			return err
		}
		require.NoError(t, download(w.branchSupervisor))
		require.ErrorIs(t, download(w.otherOfficer), casework.ErrNotFound, "a sibling unit gets not found")
		_, err = w.k.RecordAttachments(ctx, w.otherOfficer, rec)
		require.ErrorIs(t, err, casework.ErrNotFound)

		_, err = w.k.Share(ctx, w.officer, rec, w.otherBranch.ID, "协查", time.Time{})
		require.NoError(t, err)
		rec.SharedWith, err = w.k.ActiveShares(ctx, "hazard", "hz-1", w.station.ID)
		require.NoError(t, err)
		require.NoError(t, download(w.otherOfficer), "the record's share reaches its attachments")
		_, err = w.k.AttachToRecord(ctx, w.otherOfficer, rec, a)
		require.ErrorIs(t, err, casework.ErrForbidden, "a shared record is read-only")

		missing := a
		missing.SHA256 = strings.Repeat("ab", 32)
		_, err = w.k.AttachToRecord(ctx, w.officer, rec, missing)
		require.ErrorIs(t, err, casework.ErrInvalid, "only uploaded bytes are attached")
	})
}
