package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/stretchr/testify/require"
)

// referral is a referral made on a stored visit of unit at created.
func (f *fixture) referral(t *testing.T, unit casework.Unit, created time.Time, owner string, due time.Time) outreach.Referral {
	t.Helper()
	v := f.addVisit(t, f.visit(unit, created, outreach.DifficultFamily))
	return outreach.Referral{ID: f.id("rf"), UnitID: unit.ID, VisitID: v.ID, Agency: outreach.AgencyCivilAffairs, AgencyName: "荆家镇民政办",
		Request: "落实后续帮扶救助", OwnerID: owner, Due: due, Status: outreach.ReferralOpen, CreatedBy: "st-1", Version: 1,
		CreatedAt: created, UpdatedAt: created}
}

func referralID(r outreach.Referral) string { return r.ID }

// closeReferral is r's next version, closed at.
func closeReferral(r outreach.Referral, at time.Time) outreach.Referral {
	r = r.Clone()
	r.Status, r.Outcome, r.OutcomeNote, r.ClosedAt, r.ClosedBy = outreach.ReferralClosed, outreach.OutcomeDone, "已纳入低保", at, "st-2"
	r.Version, r.UpdatedAt = r.Version+1, at
	return r
}

// testReferralBasics: not found, duplicate id, stale version, the round
// trip of every field (microsecond times, follow-ups) and no aliasing.
func testReferralBasics(t *testing.T, f *fixture) {
	ctx := f.ctx
	_, err := f.s.GetReferral(ctx, "nope")
	require.ErrorIs(t, err, outreach.ErrNotFound)
	r := f.referral(t, f.a, f.t0, "st-1", f.t0.Add(72*time.Hour))
	missing := r
	missing.Version = 2
	require.ErrorIs(t, f.s.UpdateReferral(ctx, missing, casework.Change{}), outreach.ErrNotFound)

	r.FollowUps = []outreach.FollowUp{{At: f.t0.Add(time.Microsecond), By: "st-1", Note: "已电话联系民政办"}}
	require.NoError(t, f.s.CreateReferral(ctx, r, f.audit("referral.create", outreach.RecordReferral, r.ID)))
	require.ErrorIs(t, f.s.CreateReferral(ctx, r, casework.Change{}), outreach.ErrConflict)
	r.FollowUps[0].Note = "changed after the call"
	got, err := f.s.GetReferral(ctx, r.ID)
	require.NoError(t, err)
	require.Equal(t, "已电话联系民政办", got.FollowUps[0].Note, "the store kept the caller's slice")
	got.FollowUps[0].Note = "changed on the returned value"
	again, err := f.s.GetReferral(ctx, r.ID)
	require.NoError(t, err)
	require.Equal(t, "已电话联系民政办", again.FollowUps[0].Note, "the store handed out its own slice")

	for _, ver := range []int64{1, 3, 0} {
		x := again.Clone()
		x.Request, x.Version = "stale", ver
		require.ErrorIs(t, f.s.UpdateReferral(ctx, x, casework.Change{}), outreach.ErrConflict, "version %d", ver)
	}
	closed := closeReferral(again, f.t0.Add(36*time.Hour+7*time.Microsecond))
	require.NoError(t, f.s.UpdateReferral(ctx, closed, f.audit("referral.close", outreach.RecordReferral, r.ID)))
	require.ErrorIs(t, f.s.UpdateReferral(ctx, closed, casework.Change{}), outreach.ErrConflict, "replaying version 2")
	got, err = f.s.GetReferral(ctx, r.ID)
	require.NoError(t, err)
	require.Equal(t, closed, got)
	require.Equal(t, time.UTC, got.ClosedAt.Location())
	trail, err := f.k.AuditTrail(ctx, outreach.RecordReferral, r.ID)
	require.NoError(t, err)
	require.Len(t, trail, 2, "each write's audit entry lands with it")

	// A referral with no follow-ups and no agency name round-trips as such.
	bare := f.referral(t, f.b, f.t0, "st-3", f.t0.Add(time.Hour))
	bare.AgencyName, bare.Agency, bare.Sensitive = "", outreach.AgencyHospital, true
	require.NoError(t, f.s.CreateReferral(ctx, bare, casework.Change{}))
	got, err = f.s.GetReferral(ctx, bare.ID)
	require.NoError(t, err)
	require.Equal(t, bare, got)
}

// testReferralList: filters, the overdue rule at its boundary, order and
// paging.
func testReferralList(t *testing.T, f *fixture) {
	ctx := f.ctx
	due := f.t0.Add(48 * time.Hour)
	r1 := f.referral(t, f.a, f.t0, "st-1", due)
	r2 := f.referral(t, f.a1, f.t0.Add(time.Hour), "st-2", due.Add(time.Hour))
	r3 := f.referral(t, f.b, f.t0.Add(2*time.Hour), "st-1", due)
	r4 := f.referral(t, f.a1, f.t0.Add(time.Hour), "st-1", due) // same time as r2: id orders
	for _, r := range []outreach.Referral{r1, r2, r3, r4} {
		require.NoError(t, f.s.CreateReferral(ctx, r, casework.Change{}))
	}
	r3c := closeReferral(r3, f.t0.Add(3*time.Hour))
	require.NoError(t, f.s.UpdateReferral(ctx, r3c, casework.Change{}))

	list := func(fl outreach.ReferralFilter) []string {
		t.Helper()
		rows, err := f.s.ListReferrals(ctx, fl, all())
		require.NoError(t, err)
		return ids(rows, referralID)
	}
	require.Equal(t, []string{r1.ID, r2.ID, r4.ID, r3.ID}, list(outreach.ReferralFilter{}))
	require.Equal(t, []string{r1.ID, r2.ID, r4.ID}, list(outreach.ReferralFilter{UnitUnder: f.a.Path}))
	require.Equal(t, []string{r2.ID, r4.ID}, list(outreach.ReferralFilter{UnitUnder: f.a1.Path}))
	require.Equal(t, []string{r3.ID}, list(outreach.ReferralFilter{Status: []outreach.ReferralStatus{outreach.ReferralClosed}}))
	require.Equal(t, []string{r1.ID, r4.ID, r3.ID}, list(outreach.ReferralFilter{OwnerID: "st-1"}))
	require.Equal(t, []string{r2.ID}, list(outreach.ReferralFilter{VisitID: r2.VisitID}))
	// Overdue: open, and the due instant reached (the instant itself is late).
	require.Empty(t, list(outreach.ReferralFilter{OverdueAt: due.Add(-time.Microsecond)}))
	require.Equal(t, []string{r1.ID, r4.ID}, list(outreach.ReferralFilter{OverdueAt: due}))
	require.Equal(t, []string{r1.ID, r2.ID, r4.ID}, list(outreach.ReferralFilter{OverdueAt: due.Add(time.Hour)}))
	// Unnoticed: the sweep's selection, those without an overdue notice.
	noticed := r4.Clone()
	noticed.OverdueNoticedAt, noticed.Version = due.Add(time.Minute+time.Microsecond), r4.Version+1
	require.NoError(t, f.s.UpdateReferral(ctx, noticed, casework.Change{}))
	got, err := f.s.GetReferral(ctx, r4.ID)
	require.NoError(t, err)
	require.Equal(t, noticed, got, "the notice mark round-trips")
	require.Equal(t, []string{r1.ID, r2.ID}, list(outreach.ReferralFilter{OverdueAt: due.Add(time.Hour), Unnoticed: true}))
	require.Equal(t, []string{r1.ID, r2.ID, r3.ID}, list(outreach.ReferralFilter{Unnoticed: true}))
	for _, r := range []outreach.Referral{r1, r2, r3c, r4} {
		for _, at := range []time.Time{due.Add(-time.Microsecond), due, due.Add(time.Hour)} {
			rows := list(outreach.ReferralFilter{OverdueAt: at, VisitID: r.VisitID})
			require.Equal(t, r.Overdue(at), len(rows) == 1, "store and Referral.Overdue disagree on %s at %s", r.ID, at)
		}
	}

	first, err := f.s.ListReferrals(ctx, outreach.ReferralFilter{}, page(2, ""))
	require.NoError(t, err)
	require.Equal(t, []string{r1.ID, r2.ID}, ids(first, referralID))
	rest, err := f.s.ListReferrals(ctx, outreach.ReferralFilter{}, page(2, cursor(r2.CreatedAt, r2.ID)))
	require.NoError(t, err)
	require.Equal(t, []string{r4.ID, r3.ID}, ids(rest, referralID))
}

// testReferralTally: made by CreatedAt and closed by ClosedAt, each in its
// own period, in the subtree.
func testReferralTally(t *testing.T, f *fixture) {
	ctx := f.ctx
	day := 24 * time.Hour
	r1 := f.referral(t, f.a1, f.t0, "st-1", f.t0.Add(day))
	r2 := f.referral(t, f.a, f.t0.Add(day), "st-1", f.t0.Add(2*day))
	r3 := f.referral(t, f.b, f.t0, "st-1", f.t0.Add(day))
	for _, r := range []outreach.Referral{r1, r2, r3} {
		require.NoError(t, f.s.CreateReferral(ctx, r, casework.Change{}))
	}
	require.NoError(t, f.s.UpdateReferral(ctx, closeReferral(r1, f.t0.Add(day+time.Hour)), casework.Change{}))
	declined := closeReferral(r3, f.t0.Add(time.Hour))
	declined.Outcome = outreach.OutcomeDeclined
	require.NoError(t, f.s.UpdateReferral(ctx, declined, casework.Change{}))
	tally := func(unit string, from, to time.Time) outreach.ReferralTally {
		t.Helper()
		got, err := f.s.TallyReferrals(ctx, outreach.TallyFilter{UnitUnder: unit, From: from, To: to})
		require.NoError(t, err)
		return got
	}
	done := map[outreach.ReferralOutcome]int64{outreach.OutcomeDone: 1}
	require.Equal(t, outreach.ReferralTally{Made: 3, Closed: 2, ClosedBy: map[outreach.ReferralOutcome]int64{outreach.OutcomeDone: 1,
		outreach.OutcomeDeclined: 1}}, tally("", time.Time{}, time.Time{}))
	require.Equal(t, outreach.ReferralTally{Made: 2, Closed: 1, ClosedBy: map[outreach.ReferralOutcome]int64{outreach.OutcomeDeclined: 1}},
		tally("", f.t0, f.t0.Add(day)))
	require.Equal(t, outreach.ReferralTally{Made: 1, Closed: 1, ClosedBy: done}, tally("", f.t0.Add(day), f.t0.Add(2*day)))
	require.Equal(t, outreach.ReferralTally{Made: 1}, tally(f.a.Path, f.t0, f.t0.Add(day)))
	require.Equal(t, outreach.ReferralTally{Made: 1, Closed: 1, ClosedBy: done}, tally(f.a.Path, f.t0.Add(day), f.t0.Add(2*day)))
	require.Equal(t, outreach.ReferralTally{}, tally(f.a1.Path, f.t0.Add(2*day), time.Time{}))
}

// testReferralCancelledAndRace: a cancelled context writes nothing, and of
// concurrent writers of one version exactly one wins.
func testReferralCancelledAndRace(t *testing.T, f *fixture) {
	ctx, cancel := context.WithCancel(f.ctx)
	cancel()
	r := f.referral(t, f.a, f.t0, "st-1", f.t0.Add(time.Hour))
	require.ErrorIs(t, f.s.CreateReferral(ctx, r, f.audit("referral.create", outreach.RecordReferral, r.ID)), context.Canceled)
	_, err := f.s.GetReferral(f.ctx, r.ID)
	require.ErrorIs(t, err, outreach.ErrNotFound, "a cancelled create wrote the referral")
	_, err = f.s.GetReferral(ctx, r.ID)
	require.ErrorIs(t, err, context.Canceled)
	_, err = f.s.ListReferrals(ctx, outreach.ReferralFilter{}, all())
	require.ErrorIs(t, err, context.Canceled)
	_, err = f.s.TallyReferrals(ctx, outreach.TallyFilter{})
	require.ErrorIs(t, err, context.Canceled)

	require.NoError(t, f.s.CreateReferral(f.ctx, r, casework.Change{}))
	require.ErrorIs(t, f.s.UpdateReferral(ctx, closeReferral(r, f.t0), casework.Change{}), context.Canceled)
	const writers = 6
	wins, conflicts := race(t, writers, outreach.ErrConflict, func(i int) error {
		x := r.Clone()
		x.FollowUps = []outreach.FollowUp{{At: f.t0, By: "st-1", Note: fmt.Sprintf("writer %d", i)}}
		x.Version = 2
		return f.s.UpdateReferral(f.ctx, x, f.audit("referral.follow_up", outreach.RecordReferral, r.ID))
	})
	require.Equal(t, 1, wins)
	require.Equal(t, writers-1, conflicts)
	trail, err := f.k.AuditTrail(f.ctx, outreach.RecordReferral, r.ID)
	require.NoError(t, err)
	require.Len(t, trail, 1, "only the winner's audit entry lands")
}
