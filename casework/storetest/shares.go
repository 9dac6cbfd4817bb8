package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

// testSharesReceived: ListSharesTo selects by receiving unit (ids or a
// subtree), keeps only the shares active at an instant when asked (revoked
// and expired ones out), orders by (CreatedAt, ID) and pages; the expiry
// and revoke reason round-trip.
func testSharesReceived(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	a := f.unit(&root, casework.LevelBranch)
	a1 := f.unit(&a, casework.LevelStation)
	b := f.unit(&root, casework.LevelBranch)
	mk := func(id, to string, expires time.Time) casework.Share {
		sh := casework.Share{ID: id, RecordType: "case", RecordID: "c-" + id, OwnerUnitID: b.ID, UnitID: to, GrantedBy: "s-b",
			Reason: "协查", CreatedAt: f.tick(), ExpiresAt: expires, Version: 1}
		require.NoError(t, s.CreateShare(ctx, sh, f.change("case", sh.RecordID)))
		return sh
	}
	now := f.tick()
	toA := mk("sh-a", a.ID, time.Time{})
	toA1 := mk("sh-a1", a1.ID, now.Add(time.Hour))
	toRoot := mk("sh-root", root.ID, time.Time{})
	expired := mk("sh-expired", a.ID, now.Add(-time.Millisecond+time.Microsecond))
	revoked := mk("sh-revoked", a1.ID, time.Time{})
	toB := casework.Share{ID: "sh-b", RecordType: "case", RecordID: "c-b", OwnerUnitID: a.ID, UnitID: b.ID, GrantedBy: "s-a",
		CreatedAt: f.tick(), Version: 1}
	require.NoError(t, s.CreateShare(ctx, toB, f.change("case", "c-b")))
	rev := revoked
	rev.RevokedAt, rev.RevokedBy, rev.RevokeReason, rev.Version = f.tick(), "s-b", "协查结束", 2
	require.NoError(t, s.UpdateShare(ctx, rev, f.change("case", rev.RecordID)))

	ids := func(list []casework.Share) []string {
		var out []string
		for _, sh := range list {
			out = append(out, sh.ID)
		}
		return out
	}
	at := now.Add(time.Minute) // after expired's end, before toA1's
	for _, tc := range []struct {
		name string
		f    casework.ShareFilter
		want []string
	}{
		{"all", casework.ShareFilter{}, []string{toA.ID, toA1.ID, toRoot.ID, expired.ID, revoked.ID, toB.ID}},
		{"one unit", casework.ShareFilter{UnitIDs: []string{a.ID}}, []string{toA.ID, expired.ID}},
		{"subtree", casework.ShareFilter{UnitUnder: a.Path}, []string{toA.ID, toA1.ID, expired.ID, revoked.ID}},
		{"above and below", casework.ShareFilter{UnitIDs: []string{root.ID, a.ID}, UnitUnder: a.Path}, []string{toA.ID, toA1.ID, toRoot.ID, expired.ID, revoked.ID}},
		{"active at", casework.ShareFilter{UnitUnder: a.Path, ActiveAt: at}, []string{toA.ID, toA1.ID}},
		{"active after every expiry", casework.ShareFilter{UnitUnder: a.Path, ActiveAt: now.Add(time.Hour)}, []string{toA.ID}},
		{"no such unit", casework.ShareFilter{UnitIDs: []string{"none"}}, nil},
	} {
		got, err := s.ListSharesTo(ctx, tc.f, casework.Page{})
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.want, ids(got), tc.name)
	}

	first, err := s.ListSharesTo(ctx, casework.ShareFilter{}, casework.Page{Limit: 4})
	require.NoError(t, err)
	require.Equal(t, []string{toA.ID, toA1.ID, toRoot.ID, expired.ID}, ids(first))
	last := first[3]
	next, err := s.ListSharesTo(ctx, casework.ShareFilter{}, casework.Page{Limit: 4, After: casework.Cursor{At: last.CreatedAt, ID: last.ID}.Encode()})
	require.NoError(t, err)
	require.Equal(t, []string{revoked.ID, toB.ID}, ids(next))

	got, err := s.GetShare(ctx, toA1.ID)
	require.NoError(t, err)
	require.True(t, got.ExpiresAt.Equal(toA1.ExpiresAt), "the expiry round-trips")
	got, err = s.GetShare(ctx, revoked.ID)
	require.NoError(t, err)
	require.Equal(t, "协查结束", got.RevokeReason)
	require.False(t, got.Active())
}

// testRecordAttachments: a record links a digest once (a second link is
// ErrConflict and commits nothing), lists its links in order, and a digest
// finds every record linking it.
func testRecordAttachments(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	const d1 = "1111111111111111111111111111111111111111111111111111111111111111"
	const d2 = "2222222222222222222222222222222222222222222222222222222222222222"
	link := func(recordType, id, digest string) casework.RecordAttachment {
		return casework.RecordAttachment{RecordType: recordType, RecordID: id, OwnerUnitID: root.ID,
			Attachment: casework.Attachment{Name: "现场照片.jpg", MediaType: "image/jpeg", Size: 42, SHA256: digest},
			AttachedBy: "s-1", AttachedAt: f.tick()}
	}
	c1, c2, v1 := link("case", "c1", d1), link("case", "c1", d2), link("visit", "v1", d1)
	for _, l := range []casework.RecordAttachment{c1, c2, v1} {
		require.NoError(t, s.AddRecordAttachment(ctx, l, f.change(l.RecordType, l.RecordID)))
	}
	before := f.auditLen()
	dup := link("case", "c1", d1)
	require.ErrorIs(t, s.AddRecordAttachment(ctx, dup, f.change("case", "c1")), casework.ErrConflict)
	require.Equal(t, before, f.auditLen(), "a refused link commits no audit entry")

	got, err := s.ListRecordAttachments(ctx, "case", "c1")
	require.NoError(t, err)
	require.Len(t, got, 2)
	for i, want := range []casework.RecordAttachment{c1, c2} {
		require.True(t, got[i].AttachedAt.Equal(want.AttachedAt))
		got[i].AttachedAt = want.AttachedAt
		require.Equal(t, want, got[i])
	}
	none, err := s.ListRecordAttachments(ctx, "hazard", "c1")
	require.NoError(t, err)
	require.Empty(t, none)

	links, err := s.ListAttachmentLinks(ctx, d1)
	require.NoError(t, err)
	require.Len(t, links, 2)
	require.Equal(t, [2]string{"case", "c1"}, [2]string{links[0].RecordType, links[0].RecordID})
	require.Equal(t, [2]string{"visit", "v1"}, [2]string{links[1].RecordType, links[1].RecordID})
}
