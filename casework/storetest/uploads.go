package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

// testUploads: an upload round-trips with its times in UTC; the uploads of
// a digest list in (UploadedAt, ID) order; only unlinked ones older than
// the cutoff are stale, at most limit of them; linking is once (a second
// link is ErrConflict, so two concurrent links audit once) and a linked
// upload is never deleted; each write commits its audit entry.
func testUploads(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	digest := strings.Repeat("ab", 32)
	up := func(sha string) casework.Upload {
		id := f.id("upload")
		u := casework.Upload{ID: id, SHA256: sha, Size: 42, MediaType: "image/jpeg", Name: "签收单-" + id + ".jpg",
			UnitID: "unit-x", StaffID: "staff-x", UploadedAt: f.tick().In(f.now.Location())}
		require.NoError(t, s.CreateUpload(ctx, u, f.change("attachment", id)))
		return u
	}
	before := f.auditLen()
	a, b, other := up(digest), up(digest), up(strings.Repeat("cd", 32))
	require.Equal(t, before+3, f.auditLen(), "each create commits its audit entry")
	require.ErrorIs(t, s.CreateUpload(ctx, a, f.change("attachment", a.ID)), casework.ErrConflict)
	require.Equal(t, before+3, f.auditLen(), "a refused create commits nothing")

	got, err := s.GetUpload(ctx, a.ID)
	require.NoError(t, err)
	require.True(t, got.UploadedAt.Equal(a.UploadedAt), "got %v want %v", got.UploadedAt, a.UploadedAt)
	a.UploadedAt = got.UploadedAt
	require.Equal(t, a, got)
	require.False(t, got.Linked())

	list, err := s.ListUploads(ctx, digest)
	require.NoError(t, err)
	require.Equal(t, []string{a.ID, b.ID}, ids(list, func(u casework.Upload) string { return u.ID }))
	list[0].Name = "changed" // a returned value
	again, err := s.GetUpload(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, got.Name, again.Name, "mutating a listed value changed the store")
	none, err := s.ListUploads(ctx, strings.Repeat("ef", 32))
	require.NoError(t, err)
	require.Empty(t, none)

	stale, err := s.ListStaleUploads(ctx, b.UploadedAt, 10)
	require.NoError(t, err)
	require.Equal(t, []string{a.ID}, ids(stale, func(u casework.Upload) string { return u.ID }), "before is exclusive")
	stale, err = s.ListStaleUploads(ctx, f.tick(), 2)
	require.NoError(t, err)
	require.Equal(t, []string{a.ID, b.ID}, ids(stale, func(u casework.Upload) string { return u.ID }), "at most limit, oldest first")

	at := f.tick()
	require.NoError(t, s.LinkUpload(ctx, a.ID, at, f.change("attachment", a.ID)))
	require.ErrorIs(t, s.LinkUpload(ctx, a.ID, f.tick(), f.change("attachment", a.ID)), casework.ErrConflict, "linked once")
	require.ErrorIs(t, s.LinkUpload(ctx, "nope", at, f.change("attachment", "nope")), casework.ErrNotFound)
	got, err = s.GetUpload(ctx, a.ID)
	require.NoError(t, err)
	require.True(t, got.LinkedAt.Equal(at), "linked at %v, want %v", got.LinkedAt, at)
	stale, err = s.ListStaleUploads(ctx, f.tick(), 10)
	require.NoError(t, err)
	require.Equal(t, []string{b.ID, other.ID}, ids(stale, func(u casework.Upload) string { return u.ID }), "a linked upload is never stale")

	n := f.auditLen()
	require.ErrorIs(t, s.DeleteUpload(ctx, a.ID, f.change("attachment", a.ID)), casework.ErrConflict, "a linked upload stays")
	require.NoError(t, s.DeleteUpload(ctx, b.ID, f.change("attachment", b.ID)))
	require.ErrorIs(t, s.DeleteUpload(ctx, b.ID, f.change("attachment", b.ID)), casework.ErrNotFound)
	require.Equal(t, n+1, f.auditLen(), "only the delete that happened is audited")
	_, err = s.GetUpload(ctx, b.ID)
	require.ErrorIs(t, err, casework.ErrNotFound)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	n = f.auditLen()
	for name, call := range map[string]func() error{
		"CreateUpload": func() error {
			c := other
			c.ID = "cancelled"
			return s.CreateUpload(cancelled, c, f.change("attachment", c.ID))
		},
		"GetUpload":        func() error { _, err := s.GetUpload(cancelled, a.ID); return err },
		"ListUploads":      func() error { _, err := s.ListUploads(cancelled, digest); return err },
		"ListStaleUploads": func() error { _, err := s.ListStaleUploads(cancelled, f.tick(), 10); return err },
		"LinkUpload":       func() error { return s.LinkUpload(cancelled, other.ID, f.tick(), f.change("attachment", other.ID)) },
		"DeleteUpload":     func() error { return s.DeleteUpload(cancelled, other.ID, f.change("attachment", other.ID)) },
	} {
		err := call()
		require.True(t, errors.Is(err, context.Canceled), "%s: %v does not wrap context.Canceled", name, err)
	}
	require.Equal(t, n, f.auditLen(), "a cancelled write appended no audit entry")
	got, err = s.GetUpload(ctx, other.ID)
	require.NoError(t, err)
	require.False(t, got.Linked(), "a cancelled link wrote nothing")
}
