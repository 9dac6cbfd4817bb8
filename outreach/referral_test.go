package outreach_test

import (
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/stretchr/testify/require"
)

// visitFor records a visit of the bundle's station, as its officer.
func (b *bundle) visitFor(t *testing.T, a casework.Actor, unit casework.Unit, kind outreach.TargetKind) outreach.Visit {
	t.Helper()
	in := outreach.VisitInput{UnitID: unit.ID, TargetKind: kind, Organisation: "潘庄社区居委会"}
	if kind.Sensitive() || kind == outreach.DifficultFamily {
		addr, err := b.k.CreateAddress(b.ctx, a, casework.AddressInput{UnitID: unit.ID, Text: "某小区1号楼101", Community: "潘庄社区"})
		require.NoError(t, err)
		in.Organisation, in.AddressID = "", addr.ID
	}
	v, err := b.svc.RecordVisit(b.ctx, a, in)
	require.NoError(t, err)
	return v
}

func TestReferValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	v := b.visitFor(t, b.officer, b.station, outreach.DifficultFamily)
	far := b.visitFor(t, b.otherOfficer, b.other, outreach.School)
	ok := outreach.ReferralInput{VisitID: v.ID, Agency: outreach.AgencyCivilAffairs, Request: "落实帮扶救助", OwnerID: b.officer.StaffID, DueInDays: 7}
	with := func(change func(*outreach.ReferralInput)) outreach.ReferralInput {
		in := ok
		change(&in)
		return in
	}
	tests := []struct {
		name string
		in   outreach.ReferralInput
		want map[string]string
	}{
		{"nothing", outreach.ReferralInput{}, map[string]string{"visitId": "required", "agency": "required", "request": "required",
			"ownerId": "required", "due": "required"}},
		{"unknown agency", with(func(in *outreach.ReferralInput) { in.Agency = "police_union" }), map[string]string{"agency": "code"}},
		{"other without its name", with(func(in *outreach.ReferralInput) { in.Agency = outreach.AgencyOther }),
			map[string]string{"agencyName": "required_if"}},
		{"a name over two lines", with(func(in *outreach.ReferralInput) { in.AgencyName = "镇\n民政办" }), map[string]string{"agencyName": "text"}},
		{"a control character in the request", with(func(in *outreach.ReferralInput) { in.Request = "救助\x07" }),
			map[string]string{"request": "text"}},
		{"due and dueInDays", with(func(in *outreach.ReferralInput) { in.Due = start.Add(time.Hour) }),
			map[string]string{"dueInDays": "excluded_with"}},
		{"due already past", with(func(in *outreach.ReferralInput) { in.DueInDays, in.Due = 0, start.Add(-time.Hour) }),
			map[string]string{"due": "after_now"}},
		{"unknown owner", with(func(in *outreach.ReferralInput) { in.OwnerID = "nobody" }), map[string]string{"ownerId": "exists"}},
		{"owner out of reach", with(func(in *outreach.ReferralInput) { in.OwnerID = b.otherOfficer.StaffID }),
			map[string]string{"ownerId": "exists"}},
		{"visit out of reach", with(func(in *outreach.ReferralInput) { in.VisitID = far.ID }), map[string]string{"visitId": "exists"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.svc.Refer(b.ctx, b.officer, tc.in)
			require.ErrorIs(t, err, outreach.ErrInvalid)
			require.Equal(t, tc.want, fieldRules(t, err))
		})
	}
	rows, _, err := b.svc.ListReferrals(b.ctx, b.chief, outreach.ReferralQuery{})
	require.NoError(t, err)
	require.Empty(t, rows, "a refused referral was stored")
}

// TestReferralLifecycle runs a referral from creation to close on every
// backend: request keys, compare-and-swap, the one overdue rule, reach,
// policy, masking, the audit chain and the report's figures.
func TestReferralLifecycle(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			b := setupOn(t, backend, nil)
			v := b.visitFor(t, b.officer, b.station, outreach.DifficultFamily)
			in := outreach.ReferralInput{VisitID: v.ID, Agency: outreach.AgencyCivilAffairs, AgencyName: "潘庄街道民政办",
				Request: "落实低保申请", OwnerID: b.community.StaffID, DueInDays: 3, RequestKey: "rk-1"}
			r, err := b.svc.Refer(b.ctx, b.officer, in)
			require.NoError(t, err)
			require.Equal(t, outreach.ReferralOpen, r.Status)
			require.Equal(t, b.station.ID, r.UnitID)
			require.Equal(t, casework.EndOfDayN(start, 3, b.k.Zone()), r.Due)
			again, err := b.svc.Refer(b.ctx, b.officer, in)
			require.NoError(t, err)
			require.Equal(t, r, again, "a repeated request key returns the first referral")
			in.Request = "另一件事"
			_, err = b.svc.Refer(b.ctx, b.officer, in)
			require.ErrorIs(t, err, outreach.ErrConflict, "a request key reused for other input")

			// Policy and reach: an auditor reads but never refers; another
			// branch sees nothing, exactly as an id that does not exist.
			_, err = b.svc.Refer(b.ctx, b.auditor, outreach.ReferralInput{VisitID: v.ID, Agency: outreach.AgencySchool, Request: "x",
				OwnerID: b.officer.StaffID, DueInDays: 1})
			require.ErrorIs(t, err, outreach.ErrForbidden)
			_, err = b.svc.FollowUpReferral(b.ctx, b.auditor, r.ID, r.Version, "x")
			require.ErrorIs(t, err, outreach.ErrForbidden)
			_, err = b.svc.GetReferral(b.ctx, b.auditor, r.ID)
			require.NoError(t, err)
			_, err = b.svc.GetReferral(b.ctx, b.otherOfficer, r.ID)
			require.ErrorIs(t, err, outreach.ErrNotFound)
			_, err = b.svc.FollowUpReferral(b.ctx, b.otherOfficer, r.ID, r.Version, "x")
			require.ErrorIs(t, err, outreach.ErrNotFound)
			rows, _, err := b.svc.ListReferrals(b.ctx, b.otherOfficer, outreach.ReferralQuery{})
			require.NoError(t, err)
			require.Empty(t, rows)
			_, _, err = b.svc.ListReferrals(b.ctx, b.otherOfficer, outreach.ReferralQuery{UnitID: b.station.ID})
			require.ErrorIs(t, err, outreach.ErrNotFound)

			// Follow-ups: a note is required and follows the text rule;
			// a stale version changes nothing.
			_, err = b.svc.FollowUpReferral(b.ctx, b.community, r.ID, r.Version, "  ")
			requireField(t, err, "note", "required")
			_, err = b.svc.FollowUpReferral(b.ctx, b.community, r.ID, r.Version, "a\x00b")
			requireField(t, err, "note", "text")
			b.clock.Advance(time.Hour)
			r, err = b.svc.FollowUpReferral(b.ctx, b.community, r.ID, r.Version, "已电话联系民政办")
			require.NoError(t, err)
			require.Equal(t, int64(2), r.Version)
			require.Equal(t, []outreach.FollowUp{{At: start.Add(time.Hour), By: b.community.StaffID, Note: "已电话联系民政办"}}, r.FollowUps)
			_, err = b.svc.FollowUpReferral(b.ctx, b.community, r.ID, 1, "stale")
			require.ErrorIs(t, err, outreach.ErrConflict)

			// Overdue from the due instant on, by the one rule.
			overdue := func() []outreach.Referral {
				t.Helper()
				rows, _, err := b.svc.ListReferrals(b.ctx, b.chief, outreach.ReferralQuery{Overdue: true, OwnerID: b.community.StaffID})
				require.NoError(t, err)
				return rows
			}
			b.clock.Set(r.Due.Add(-time.Microsecond))
			require.Empty(t, overdue())
			b.clock.Set(r.Due)
			require.Len(t, overdue(), 1)
			require.True(t, r.Overdue(r.Due))
			rows, _, err = b.svc.ListReferrals(b.ctx, b.chief, outreach.ReferralQuery{Overdue: true, OwnerID: b.officer.StaffID})
			require.NoError(t, err)
			require.Empty(t, rows, "owner filter")

			// Closing: an outcome from the code list and a note.
			_, err = b.svc.CloseReferral(b.ctx, b.community, r.ID, r.Version, "", "")
			require.Equal(t, map[string]string{"outcome": "required", "note": "required"}, fieldRules(t, err))
			_, err = b.svc.CloseReferral(b.ctx, b.community, r.ID, r.Version, "solved", "已办")
			requireField(t, err, "outcome", "code")
			b.clock.Advance(24 * time.Hour)
			r, err = b.svc.CloseReferral(b.ctx, b.community, r.ID, r.Version, outreach.OutcomeDone, "已纳入低保")
			require.NoError(t, err)
			require.Equal(t, outreach.ReferralClosed, r.Status)
			require.Equal(t, b.community.StaffID, r.ClosedBy)
			require.Empty(t, overdue())
			_, err = b.svc.CloseReferral(b.ctx, b.community, r.ID, r.Version, outreach.OutcomeDone, "again")
			require.ErrorIs(t, err, outreach.ErrInvalidTransition)
			got, err := b.svc.GetReferral(b.ctx, b.chief, r.ID)
			require.NoError(t, err)
			require.Equal(t, r, got)
			for _, st := range []outreach.ReferralStatus{outreach.ReferralOpen, outreach.ReferralClosed} {
				rows, _, err := b.svc.ListReferrals(b.ctx, b.chief, outreach.ReferralQuery{Status: []outreach.ReferralStatus{st}})
				require.NoError(t, err)
				require.Len(t, rows, map[outreach.ReferralStatus]int{outreach.ReferralClosed: 1}[st], st)
			}
			_, _, err = b.svc.ListReferrals(b.ctx, b.chief, outreach.ReferralQuery{Status: []outreach.ReferralStatus{"pending"}})
			requireField(t, err, "status", "oneof")

			trail, err := b.svc.History(b.ctx, b.auditor, outreach.RecordReferral, r.ID)
			require.NoError(t, err)
			actions := []string{}
			for _, e := range trail {
				actions = append(actions, e.Action)
			}
			require.Equal(t, []string{"referral.create", "referral.follow_up", "referral.close"}, actions)
			b.verify(t)

			// The report: made on day one, closed on day four; a later
			// period counts neither.
			figures := func(from, to time.Time) map[string]int64 {
				t.Helper()
				figs, err := b.k.Report(b.ctx, b.chief, casework.ReportQuery{UnitID: b.station.ID, From: from, To: to})
				require.NoError(t, err)
				out := map[string]int64{}
				for _, f := range figs {
					out[f.Key] = f.Value
				}
				return out
			}
			day := figures(start, start.Add(24*time.Hour))
			require.Equal(t, int64(1), day["outreach.referrals.made"])
			require.Equal(t, int64(0), day["outreach.referrals.closed"])
			later := figures(start.Add(24*time.Hour), b.clock.Now().In(b.k.Zone()))
			require.Equal(t, int64(0), later["outreach.referrals.made"])
			require.Equal(t, int64(1), later["outreach.referrals.closed"])
		})
	}
}

// TestReferralMasking: a referral made on a sensitive visit hides what was
// asked from readers who may not see sensitive detail, in reads, lists and
// the answers of writes.
func TestReferralMasking(t *testing.T) {
	t.Parallel()
	b := setup(t)
	v := b.visitFor(t, b.community, b.station, outreach.SpecialPersonFamily)
	r, err := b.svc.Refer(b.ctx, b.community, outreach.ReferralInput{VisitID: v.ID, Agency: outreach.AgencyCommunityCorrections,
		Request: "社区矫正对象近期情绪不稳，请司法所跟进", OwnerID: b.community.StaffID, DueInDays: 2})
	require.NoError(t, err)
	require.True(t, r.Sensitive)
	require.Equal(t, "社区矫正对象近期情绪不稳，请司法所跟进", r.Request, "the community officer may see it")
	seen, err := b.svc.GetReferral(b.ctx, b.officer, r.ID)
	require.NoError(t, err)
	require.True(t, seen.Masked)
	require.Empty(t, seen.Request)
	after, err := b.svc.FollowUpReferral(b.ctx, b.officer, r.ID, r.Version, "已联系司法所")
	require.NoError(t, err)
	require.Empty(t, after.FollowUps[0].Note, "the writer's answer is masked too")
	rows, _, err := b.svc.ListReferrals(b.ctx, b.officer, outreach.ReferralQuery{})
	require.NoError(t, err)
	require.Len(t, rows, 1)
	require.True(t, rows[0].Masked)
	full, err := b.svc.GetReferral(b.ctx, b.chief, r.ID)
	require.NoError(t, err)
	require.Equal(t, "已联系司法所", full.FollowUps[0].Note)
}

// TestReferralQueryNamesInReach: the owner and visit a list names are in
// reach or ErrInvalid on their field; an owner no longer active still
// filters, so that their open referrals can be found and handed over.
func TestReferralQueryNamesInReach(t *testing.T) {
	t.Parallel()
	b := setup(t)
	v := b.visitFor(t, b.officer, b.station, outreach.DifficultFamily)
	far := b.visitFor(t, b.otherOfficer, b.other, outreach.School)
	leaving := b.staff(t, b.station.ID, "民警戊", nil, casework.RoleOfficer)
	r, err := b.svc.Refer(b.ctx, b.officer, outreach.ReferralInput{VisitID: v.ID, Agency: outreach.AgencySchool, Request: "协调复学",
		OwnerID: leaving.StaffID, DueInDays: 5})
	require.NoError(t, err)
	st, err := b.k.GetStaff(b.ctx, b.admin, leaving.StaffID)
	require.NoError(t, err)
	off := false
	_, err = b.k.UpdateStaff(b.ctx, b.admin, st.ID, st.Version, casework.StaffUpdate{Active: &off})
	require.NoError(t, err)

	rows, _, err := b.svc.ListReferrals(b.ctx, b.chief, outreach.ReferralQuery{OwnerID: leaving.StaffID, Status: []outreach.ReferralStatus{outreach.ReferralOpen}})
	require.NoError(t, err)
	require.Len(t, rows, 1)
	require.Equal(t, r.ID, rows[0].ID)
	_, _, err = b.svc.ListReferrals(b.ctx, b.chief, outreach.ReferralQuery{OwnerID: b.otherOfficer.StaffID})
	requireField(t, err, "ownerId", "exists")
	_, _, err = b.svc.ListReferrals(b.ctx, b.chief, outreach.ReferralQuery{VisitID: far.ID})
	requireField(t, err, "visitId", "exists")
	_, err = b.svc.Refer(b.ctx, b.officer, outreach.ReferralInput{VisitID: v.ID, Agency: outreach.AgencySchool, Request: "协调复学",
		OwnerID: leaving.StaffID, DueInDays: 5})
	requireField(t, err, "ownerId", "active")
}

// TestReferralFollowUpBound: a referral holds at most MaxFollowUps
// follow-ups; the one beyond is refused and changes nothing.
func TestReferralFollowUpBound(t *testing.T) {
	t.Parallel()
	b := setup(t)
	v := b.visitFor(t, b.officer, b.station, outreach.DifficultFamily)
	r, err := b.svc.Refer(b.ctx, b.officer, outreach.ReferralInput{VisitID: v.ID, Agency: outreach.AgencyOther, AgencyName: "残联",
		Request: "办理残疾人证", OwnerID: b.officer.StaffID, DueInDays: 30})
	require.NoError(t, err)
	for range outreach.MaxFollowUps {
		r, err = b.svc.FollowUpReferral(b.ctx, b.officer, r.ID, r.Version, "电话催办")
		require.NoError(t, err)
	}
	_, err = b.svc.FollowUpReferral(b.ctx, b.officer, r.ID, r.Version, "再催一次")
	requireField(t, err, "note", "max")
	got, err := b.svc.GetReferral(b.ctx, b.officer, r.ID)
	require.NoError(t, err)
	require.Equal(t, r, got)
}
