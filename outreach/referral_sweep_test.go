package outreach_test

import (
	"sync"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReferralSweep: the kernel's sweep (outreach registers its Sweeper)
// sends one overdue notice per overdue referral, to its owner while the
// owner is active and reaches it, else to the unit alone; a second sweep
// sends nothing new, a referral closed before its due sends nothing, and
// each notice is recorded on the referral by the system, audited.
func TestReferralSweep(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			b := setupOn(t, backend, nil)
			gone := b.staff(t, b.station.ID, "民警戊", nil, casework.RoleOfficer)
			v := b.visitFor(t, b.officer, b.station, outreach.DifficultFamily)
			refer := func(owner casework.Actor, days int) outreach.Referral {
				t.Helper()
				r, err := b.svc.Refer(b.ctx, b.officer, outreach.ReferralInput{VisitID: v.ID, Agency: outreach.AgencyCivilAffairs,
					Request: "落实临时救助", OwnerID: owner.StaffID, DueInDays: days})
				require.NoError(t, err)
				return r
			}
			owned := refer(b.community, 2)
			closed := refer(b.officer, 2)
			orphan := refer(gone, 2)
			later := refer(b.officer, 5)
			due := owned.Due

			b.clock.Advance(time.Hour)
			closed, err := b.svc.CloseReferral(b.ctx, b.officer, closed.ID, closed.Version, outreach.OutcomeDone, "已纳入低保")
			require.NoError(t, err)
			g, err := b.k.GetStaff(b.ctx, b.admin, gone.StaffID)
			require.NoError(t, err)
			_, err = b.k.UpdateStaff(b.ctx, b.admin, gone.StaffID, g.Version, casework.StaffUpdate{Active: new(false)})
			require.NoError(t, err)

			res, err := b.k.Sweep(b.ctx, due.Add(-time.Microsecond))
			require.NoError(t, err)
			require.Equal(t, casework.SweepResult{}, res, "nothing is overdue before its due instant")
			require.Empty(t, b.notices.All())

			b.clock.Set(due.Add(time.Minute))
			res, err = b.k.Sweep(b.ctx, due)
			require.NoError(t, err)
			require.Equal(t, casework.SweepResult{Changed: 2, Notified: 2}, res)
			notice := func(r outreach.Referral, to string) casework.Notice {
				return casework.Notice{Kind: casework.NoticeOverdue, UnitID: b.station.ID, RecordType: outreach.RecordReferral,
					RecordID: r.ID, Reason: outreach.ReasonReferralDue, Due: r.Due, StaffID: to}
			}
			want := []casework.Notice{notice(owned, b.community.StaffID), notice(orphan, "")}
			require.Equal(t, want, b.notices.All(), "the owner's notice, and the unit's for an owner no longer active")

			for _, at := range []time.Time{due, due.Add(24 * time.Hour)} {
				res, err = b.k.Sweep(b.ctx, at)
				require.NoError(t, err)
				require.Equal(t, casework.SweepResult{}, res, "a second sweep sends nothing new")
			}
			require.Equal(t, want, b.notices.All())

			got, err := b.svc.GetReferral(b.ctx, b.chief, owned.ID)
			require.NoError(t, err)
			require.Equal(t, owned.Version+1, got.Version)
			require.True(t, got.OverdueNoticedAt.Equal(due.Add(time.Minute)), "noticed at %s", got.OverdueNoticedAt)
			trail, err := b.svc.History(b.ctx, b.chief, outreach.RecordReferral, owned.ID)
			require.NoError(t, err)
			last := trail[len(trail)-1]
			require.Equal(t, "referral.overdue_notice", last.Action)
			require.Equal(t, casework.SystemActorID, last.ActorID)
			untouched, err := b.svc.GetReferral(b.ctx, b.chief, closed.ID)
			require.NoError(t, err)
			require.Equal(t, closed, untouched, "a referral closed in time is never marked")

			// The overdue list still shows what the notices said, until
			// each is closed; the owner closes against the noticed version.
			rows, next, err := b.svc.ListOverdueReferrals(b.ctx, b.chief, "", casework.Page{})
			require.NoError(t, err)
			require.Empty(t, next)
			require.Equal(t, []string{owned.ID, orphan.ID}, referralIDs(rows))
			_, err = b.svc.CloseReferral(b.ctx, b.community, owned.ID, got.Version, outreach.OutcomeDone, "救助金已发放")
			require.NoError(t, err)

			// The later referral is noticed once in its turn, to its owner.
			res, err = b.k.Sweep(b.ctx, later.Due)
			require.NoError(t, err)
			require.Equal(t, casework.SweepResult{Changed: 1, Notified: 1}, res)
			want = append(want, notice(later, b.officer.StaffID))
			require.Equal(t, want, b.notices.All())

			// The orphan handed over to an officer: its new owner is told
			// once too, at the next sweep, and never again.
			g, err = b.k.GetStaff(b.ctx, b.admin, gone.StaffID)
			require.NoError(t, err)
			_, err = b.k.HandOver(b.ctx, b.chief, casework.HandOverInput{StaffID: gone.StaffID, Version: g.Version,
				ToStaffID: b.officer.StaffID, Reason: "民警戊调离"})
			require.NoError(t, err)
			for range 2 {
				_, err = b.k.Sweep(b.ctx, later.Due)
				require.NoError(t, err)
			}
			require.Equal(t, append(want, notice(orphan, b.officer.StaffID)), b.notices.All())
			b.verify(t)
		})
	}
}

func referralIDs(rows []outreach.Referral) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out
}

// TestReferralOverdueListPages: the overdue list is the actor's reach
// only, in cursor pages that lose and repeat nothing.
func TestReferralOverdueListPages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	v := b.visitFor(t, b.officer, b.station, outreach.School)
	far := b.visitFor(t, b.otherOfficer, b.other, outreach.School)
	var want []string
	for i := range 5 {
		r, err := b.svc.Refer(b.ctx, b.officer, outreach.ReferralInput{VisitID: v.ID, Agency: outreach.AgencySchool,
			Request: "联系学校", OwnerID: b.officer.StaffID, DueInDays: 1 + i%2})
		require.NoError(t, err)
		want = append(want, r.ID)
		b.clock.Advance(time.Minute)
	}
	_, err := b.svc.Refer(b.ctx, b.otherOfficer, outreach.ReferralInput{VisitID: far.ID, Agency: outreach.AgencySchool,
		Request: "联系学校", OwnerID: b.otherOfficer.StaffID, DueInDays: 1})
	require.NoError(t, err)
	b.clock.Advance(10 * 24 * time.Hour)
	var got []string
	cursor := ""
	for range 10 {
		rows, next, err := b.svc.ListOverdueReferrals(b.ctx, b.chief, b.station.ID, casework.Page{Limit: 2, After: cursor})
		require.NoError(t, err)
		require.LessOrEqual(t, len(rows), 2)
		got = append(got, referralIDs(rows)...)
		if next == "" {
			break
		}
		cursor = next
	}
	require.Equal(t, want, got, "every overdue referral of the station once, none of the other branch")
	_, _, err = b.svc.ListOverdueReferrals(b.ctx, b.chief, b.other.ID, casework.Page{})
	require.ErrorIs(t, err, outreach.ErrNotFound, "a unit out of reach")
	rows, _, err := b.svc.ListOverdueReferrals(b.ctx, b.otherOfficer, "", casework.Page{})
	require.NoError(t, err)
	require.Len(t, rows, 1)
}

// TestReferralTotals: the outreach table counts referrals made and closed
// in the period, the closed by outcome, each by its own event's time, the
// same in Totals, TotalsByUnit and the kernel's report, on every backend.
func TestReferralTotals(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			b := setupOn(t, backend, nil)
			v := b.visitFor(t, b.officer, b.station, outreach.DifficultFamily)
			far := b.visitFor(t, b.otherOfficer, b.other, outreach.School)
			refer := func(a casework.Actor, visit string) outreach.Referral {
				t.Helper()
				r, err := b.svc.Refer(b.ctx, a, outreach.ReferralInput{VisitID: visit, Agency: outreach.AgencyResidentsCommittee,
					Request: "居委会协助", OwnerID: a.StaffID, DueInDays: 30})
				require.NoError(t, err)
				return r
			}
			done, declined, withdrawn := refer(b.officer, v.ID), refer(b.officer, v.ID), refer(b.officer, v.ID)
			refer(b.otherOfficer, far.ID)
			closeAs := func(r outreach.Referral, o outreach.ReferralOutcome) {
				t.Helper()
				_, err := b.svc.CloseReferral(b.ctx, b.officer, r.ID, r.Version, o, "已办结")
				require.NoError(t, err)
			}
			b.clock.Advance(time.Hour)
			closeAs(done, outreach.OutcomeDone)
			closeAs(declined, outreach.OutcomeDeclined)
			b.clock.Set(time.Date(2020, 6, 3, 2, 0, 0, 0, time.UTC))
			closeAs(withdrawn, outreach.OutcomeWithdrawn)

			may := casework.ReportQuery{From: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2020, 5, 31, 0, 0, 0, 0, time.UTC)}
			june := casework.ReportQuery{From: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2020, 6, 30, 0, 0, 0, 0, time.UTC)}
			type row struct {
				made, closed int64
				by           map[outreach.ReferralOutcome]int64
			}
			by := func(d, dec, w int64) map[outreach.ReferralOutcome]int64 {
				return map[outreach.ReferralOutcome]int64{outreach.OutcomeDone: d, outreach.OutcomeDeclined: dec, outreach.OutcomeWithdrawn: w}
			}
			rowOf := func(t outreach.Totals) row { return row{t.ReferralsMade, t.ReferralsClosed, t.ReferralsClosedBy} }
			totals := func(a casework.Actor, unit string, q casework.ReportQuery) row {
				t.Helper()
				q.UnitID = unit
				tot, err := b.svc.Totals(b.ctx, a, q)
				require.NoError(t, err)
				// The kernel's report reads the same made and closed.
				rep, err := b.k.Report(b.ctx, a, q)
				require.NoError(t, err)
				figs := map[string]int64{}
				for _, f := range rep {
					figs[f.Key] = f.Value
				}
				require.Equal(t, [2]int64{tot.ReferralsMade, tot.ReferralsClosed},
					[2]int64{figs["outreach.referrals.made"], figs["outreach.referrals.closed"]})
				return rowOf(tot)
			}
			require.Equal(t, row{3, 2, by(1, 1, 0)}, totals(b.chief, b.station.ID, may))
			require.Equal(t, row{0, 1, by(0, 0, 1)}, totals(b.chief, b.station.ID, june), "closed in June counts in June")
			require.Equal(t, row{4, 2, by(1, 1, 0)}, totals(b.auditor, b.root.ID, may))
			require.Equal(t, row{1, 0, by(0, 0, 0)}, totals(b.otherOfficer, "", may), "the other branch's own")

			q := may
			q.UnitID = b.root.ID
			rows, err := b.svc.TotalsByUnit(b.ctx, b.auditor, q)
			require.NoError(t, err)
			got := map[string]row{}
			for _, r := range rows {
				got[r.Unit.ID] = rowOf(r.Totals)
			}
			require.Equal(t, map[string]row{b.root.ID: {4, 2, by(1, 1, 0)}, b.branch.ID: {3, 2, by(1, 1, 0)},
				b.other.ID: {1, 0, by(0, 0, 0)}}, got)
		})
	}
}

// TestReferralSweepsAtOnce: sweeps running at once (two server processes)
// notice each overdue referral exactly once between them.
func TestReferralSweepsAtOnce(t *testing.T) {
	t.Parallel()
	for _, backend := range []string{"memory", "sqlite"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			b := setupOn(t, backend, nil)
			v := b.visitFor(t, b.officer, b.station, outreach.School)
			for range 6 {
				_, err := b.svc.Refer(b.ctx, b.officer, outreach.ReferralInput{VisitID: v.ID, Agency: outreach.AgencySchool,
					Request: "联系学校", OwnerID: b.officer.StaffID, DueInDays: 1})
				require.NoError(t, err)
			}
			b.clock.Advance(3 * 24 * time.Hour)
			var wg sync.WaitGroup
			results := make([]casework.SweepResult, 3)
			for i := range results {
				wg.Go(func() {
					res, err := b.svc.Sweep(b.ctx, b.clock.Now())
					assert.NoError(t, err)
					results[i] = res
				})
			}
			wg.Wait()
			total := 0
			for _, r := range results {
				total += r.Notified
			}
			require.Equal(t, 6, total)
			seen := map[string]bool{}
			for _, n := range b.notices.All() {
				require.False(t, seen[n.RecordID], "%s noticed twice", n.RecordID)
				seen[n.RecordID] = true
			}
			require.Len(t, seen, 6)
			b.verify(t)
		})
	}
}
