// Package storetest is the conformance suite every mediation Store must
// pass: the memory and SQL stores of this module, and any store an
// integrator writes (Oracle, an in-house database). A backend's test is a
// few lines:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) (mediation.Store, casework.KernelStore) {
//			db := casemem.New()
//			return memstore.New(db), db
//		})
//	}
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/stretchr/testify/require"
)

// NewStore returns a mediation store and the kernel store it shares a
// database with, both empty. The suite creates its units through the
// kernel store and reads the audit chain, request keys, inbox and outbox
// there to check that each write committed with its Change.
type NewStore func(t *testing.T) (mediation.Store, casework.KernelStore)

// Run runs every conformance test against fresh stores from newStore. The
// tests run in parallel, each on its own store.
func Run(t *testing.T, newStore NewStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, e *env)
	}{
		{"NotFound", testNotFound},
		{"CreateConflict", testCreateConflict},
		{"StaleVersion", testStaleVersion},
		{"RoundTrip", testRoundTrip},
		{"TimestampRoundTrip", testTimestamps},
		{"NoAliasing", testNoAliasing},
		{"FiltersOrderPaging", testFilters},
		{"Paging", testPaging},
		{"Totals", testTotals},
		{"GridMatchesPeriods", testGrid},
		{"CancelledContext", testCancelled},
		{"ChangeCommitsWithRecord", testAtomicChange},
		{"ConcurrentCAS", testConcurrentCAS},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, setup(t, newStore))
		})
	}
}

type env struct {
	s              mediation.Store
	k              casework.KernelStore
	root, a, a1, b casework.Unit
	seq            int
	auditBase      int64
}

var base = time.Date(2020, 5, 12, 2, 3, 4, 123456000, time.UTC)

func setup(t *testing.T, newStore NewStore) *env {
	t.Helper()
	s, k := newStore(t)
	e := &env{s: s, k: k}
	ctx := context.Background()
	mk := func(id, code string, level casework.Level, parent *casework.Unit) casework.Unit {
		u := casework.Unit{ID: id, Code: code, Name: "unit " + code, Level: level, Version: 1, CreatedAt: base, UpdatedAt: base}
		if parent != nil {
			u.ParentID, u.Path = parent.ID, casework.UnitPath(parent.Path, id)
		} else {
			u.Path = casework.UnitPath("", id)
		}
		require.NoError(t, k.CreateUnit(ctx, u, casework.Change{}))
		return u
	}
	e.root = mk("u-root", "370300", casework.LevelBureau, nil)
	e.a = mk("u-a", "370302", casework.LevelBranch, &e.root)
	e.a1 = mk("u-a1", "370302001", casework.LevelStation, &e.a)
	e.b = mk("u-b", "370305", casework.LevelBranch, &e.root)
	e.auditBase = e.head(t)
	return e
}

func (e *env) head(t *testing.T) int64 {
	t.Helper()
	h, err := e.k.AuditHead(context.Background())
	require.NoError(t, err)
	return h.Seq
}

// change is a Change with one audit record, so every test also checks
// that the audit entry commits with the record, or not at all.
func (e *env) change(id string) casework.Change {
	e.seq++
	return casework.Change{Audit: []casework.AuditRecord{{Time: base, ActorID: "storetest", UnitID: "u-root",
		Action: "storetest.write", RecordType: mediation.RecordType, RecordID: id,
		Payload: fmt.Appendf(nil, `{"n":%d}`, e.seq)}}}
}

func at(days int, minutes int) time.Time {
	return base.AddDate(0, 0, days).Add(time.Duration(minutes) * time.Minute)
}

// minimal is the least a store must keep.
func minimal(id, unit string, created time.Time) mediation.Dispute {
	return mediation.Dispute{ID: id, UnitID: unit, State: mediation.StateReported, Kind: mediation.KindPeople,
		Category: "neighbour/noise", Source: mediation.SourceWalkIn, Risk: mediation.RiskLow, Facts: "facts " + id,
		ReportedAt: created, Version: 1, CreatedAt: created, UpdatedAt: created,
		History: []mediation.Step{{To: mediation.StateReported, At: created, ActorID: "s-1", Reason: "登记"}}}
}

// full sets every field, nested ones included, so round trips and
// aliasing checks cover the whole record.
func full(id, unit string) mediation.Dispute {
	att := casework.Attachment{Name: "signed.jpg", MediaType: "image/jpeg", Size: 1234,
		SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
	d := minimal(id, unit, at(0, 0))
	d.State, d.Kind, d.Category, d.Source = mediation.StateFollowingUp, mediation.KindPolice, "neighbour/animal", mediation.SourceOutreach
	d.SourceNote = "visit v-1"
	d.Origin = &casework.Source{Kind: "visit", ID: "v-1", Step: "dispute/1"}
	d.AddressID, d.Address = "addr-1", "淄川区般阳路1号"
	d.Parties = []mediation.Party{
		{PersonID: "p-1", Role: mediation.Applicant, Representatives: []mediation.Representative{{PersonID: "p-3", Role: mediation.Agent}}},
		{PersonID: "p-2", Role: mediation.Respondent, Minor: true, Representatives: []mediation.Representative{{PersonID: "p-4", Role: mediation.Guardian}}},
	}
	d.PartyDocIndex = []string{"idx-a", "idx-b"}
	d.Risk, d.RiskReason, d.ReviewDue = mediation.RiskHigh, "可能民转刑", at(1, 0)
	d.Review = &mediation.Review{ReviewedAt: at(0, 30), ReviewedBy: "s-sup", Note: "重点稳控"}
	d.Police = &mediation.PoliceFacts{Violation: "殴打他人（情节轻微）", FromCivilDispute: true, MinorViolation: true}
	d.Assigned = []string{"s-med", "s-law"}
	d.Sessions = []mediation.Session{{ID: "sess-1", At: at(1, 1), Place: "人民调解室",
		Mediators: []mediation.Mediator{{StaffID: "s-off", Role: casework.RoleOfficer}, {StaffID: "s-med", Role: casework.RoleMediator}},
		Attendees: []mediation.Attendee{{PersonID: "p-1", Role: "当事人"}, {Name: "物业公司工作人员", Role: "物业公司"}},
		Notes:     "双方陈述", RecordedBy: "s-off", RecordedAt: at(1, 2)}}
	d.Agreements = []mediation.Agreement{{Form: mediation.Written, MediatorID: "s-med", Facts: "f", Matters: "m",
		Responsibilities:  []mediation.Responsibility{{PartyID: "p-1", Text: "r1"}},
		Terms:             []mediation.Term{{Text: "相互赔礼道歉", ObligorID: "p-1", Deadline: at(3, 0)}, {Text: "不再扔垃圾"}},
		PerformanceMethod: "当面", PerformancePlace: "调解室", PerformanceDeadline: at(5, 0), SeekConfirmation: true,
		ReachedAt: at(1, 3), DraftedBy: "s-med",
		Signatures:  []mediation.Signature{{PartyID: "p-2", SignedBy: "p-4", Attachment: att, SignedAt: at(1, 4), RecordedBy: "s-med"}},
		EffectiveAt: at(1, 5), ConfirmationDue: at(32, 0),
		Confirmation: &mediation.Confirmation{Status: mediation.ConfirmationRequested, Court: "淄川区人民法院", AppliedAt: at(2, 0)}}}
	d.FollowUps = []mediation.FollowUp{{ID: "fu-1", Agreement: 0, At: at(4, 0), By: []string{"s-off"},
		Checks: []mediation.TermCheck{{Term: 0, Status: mediation.Performed, Note: "ok"}}, Note: "回访", RecordedBy: "s-off", RecordedAt: at(4, 1)}}
	d.Referral = &mediation.Referral{To: "court", Body: "淄川区人民法院", At: at(6, 0)}
	d.Outcome = mediation.OutcomeSettled
	d.History = append(d.History, mediation.Step{From: mediation.StateReported, To: mediation.StateScreened, At: at(0, 10), ActorID: "s-off", Reason: "研判", RefusedBy: "p-2"})
	d.Notices = []mediation.NoticeMark{{Kind: casework.NoticeOverdue, Reason: mediation.ReasonReview, Ref: "term/1", Due: at(1, 0), At: at(1, 10)}}
	d.AcceptedAt, d.MediationDue, d.SettledAt, d.FailedAt = at(0, 20), at(31, 0), at(1, 5), at(7, 0)
	d.ReferredAt, d.ClosedAt, d.NextDue, d.ReopenedAt = at(8, 0), at(9, 0), at(3, 0), at(8, 30)
	d.UpdatedAt = at(9, 1)
	return d
}

func testNotFound(t *testing.T, e *env) {
	ctx := context.Background()
	_, err := e.s.GetDispute(ctx, "missing")
	require.ErrorIs(t, err, mediation.ErrNotFound)
	d := minimal("missing", e.a1.ID, base)
	d.Version = 2
	require.ErrorIs(t, e.s.UpdateDispute(ctx, d, e.change(d.ID)), mediation.ErrNotFound)
	require.Equal(t, e.auditBase, e.head(t), "a failed write appends no audit entry")
	rows, err := e.s.ListDisputes(ctx, mediation.Filter{}, casework.Page{})
	require.NoError(t, err)
	require.Empty(t, rows)
}

func testCreateConflict(t *testing.T, e *env) {
	ctx := context.Background()
	d := minimal("d-1", e.a1.ID, base)
	require.NoError(t, e.s.CreateDispute(ctx, d, e.change(d.ID)))
	other := minimal("d-1", e.b.ID, base)
	other.Facts = "other"
	require.ErrorIs(t, e.s.CreateDispute(ctx, other, e.change(d.ID)), mediation.ErrConflict)
	got, err := e.s.GetDispute(ctx, "d-1")
	require.NoError(t, err)
	require.Equal(t, d, got)
	require.Equal(t, e.auditBase+1, e.head(t))
}

func testStaleVersion(t *testing.T, e *env) {
	ctx := context.Background()
	d := minimal("d-1", e.a1.ID, base)
	require.NoError(t, e.s.CreateDispute(ctx, d, e.change(d.ID)))
	for _, v := range []int64{1, 3, 0} {
		n := d.Clone()
		n.Version, n.Facts = v, fmt.Sprintf("version %d", v)
		require.ErrorIs(t, e.s.UpdateDispute(ctx, n, e.change(d.ID)), mediation.ErrConflict, "version %d", v)
	}
	n := d.Clone()
	n.Version, n.State, n.UpdatedAt = 2, mediation.StateScreened, at(0, 1)
	require.NoError(t, e.s.UpdateDispute(ctx, n, e.change(d.ID)))
	require.ErrorIs(t, e.s.UpdateDispute(ctx, n, e.change(d.ID)), mediation.ErrConflict, "the same version twice")
	got, err := e.s.GetDispute(ctx, d.ID)
	require.NoError(t, err)
	require.Equal(t, n, got)
	require.Equal(t, e.auditBase+2, e.head(t), "only the successful writes are audited")
}

func testRoundTrip(t *testing.T, e *env) {
	ctx := context.Background()
	d := full("d-full", e.a1.ID)
	require.NoError(t, e.s.CreateDispute(ctx, d, e.change(d.ID)))
	got, err := e.s.GetDispute(ctx, d.ID)
	require.NoError(t, err)
	require.Equal(t, d, got)

	n := got.Clone()
	n.Version, n.UpdatedAt = 2, at(10, 0)
	n.Agreements[0].Signatures = append(n.Agreements[0].Signatures, mediation.Signature{MediatorID: "s-med",
		Attachment: n.Agreements[0].Signatures[0].Attachment, SignedAt: at(1, 5), RecordedBy: "s-med"})
	n.PartyDocIndex, n.Assigned = []string{"idx-c"}, []string{"s-other"}
	n.Review, n.Police, n.Referral, n.Origin, n.NextDue, n.ClosedAt = nil, nil, nil, nil, time.Time{}, time.Time{}
	require.NoError(t, e.s.UpdateDispute(ctx, n, e.change(d.ID)))
	got, err = e.s.GetDispute(ctx, d.ID)
	require.NoError(t, err)
	require.Equal(t, n, got)
	rows, err := e.s.ListDisputes(ctx, mediation.Filter{}, casework.Page{})
	require.NoError(t, err)
	require.Equal(t, []mediation.Dispute{n}, rows)
}

func testTimestamps(t *testing.T, e *env) {
	ctx := context.Background()
	micro := time.Date(2020, 2, 29, 15, 59, 59, 999999000, time.UTC)
	d := full("d-time", e.a1.ID)
	d.CreatedAt, d.UpdatedAt, d.ReportedAt, d.NextDue = micro, micro.Add(time.Microsecond), micro.Add(-time.Microsecond), micro.AddDate(0, 0, 1)
	d.Sessions[0].At = micro.Add(2 * time.Microsecond)
	d.Agreements[0].EffectiveAt = micro.Add(3 * time.Microsecond)
	d.History[0].At = time.Date(1970, 1, 1, 0, 0, 0, 1000, time.UTC)
	require.NoError(t, e.s.CreateDispute(ctx, d, e.change(d.ID)))
	got, err := e.s.GetDispute(ctx, d.ID)
	require.NoError(t, err)
	require.Equal(t, d, got)
	for _, tm := range []time.Time{got.CreatedAt, got.UpdatedAt, got.ReportedAt, got.NextDue, got.Sessions[0].At, got.Agreements[0].EffectiveAt, got.History[0].At} {
		require.Equal(t, time.UTC, tm.Location(), "times come back in UTC")
		require.Equal(t, tm, tm.Truncate(time.Microsecond))
	}
	require.True(t, got.CreatedAt.Equal(micro))
	require.True(t, got.ClosedAt.Equal(d.ClosedAt))
	zero := minimal("d-zero", e.a1.ID, micro)
	require.NoError(t, e.s.CreateDispute(ctx, zero, e.change(zero.ID)))
	got, err = e.s.GetDispute(ctx, zero.ID)
	require.NoError(t, err)
	require.True(t, got.AcceptedAt.IsZero() && got.NextDue.IsZero() && got.SettledAt.IsZero(), "zero times stay zero")
}

func testNoAliasing(t *testing.T, e *env) {
	ctx := context.Background()
	d := full("d-alias", e.a1.ID)
	want := d.Clone()
	require.NoError(t, e.s.CreateDispute(ctx, d, e.change(d.ID)))
	mutate(&d)
	got, err := e.s.GetDispute(ctx, want.ID)
	require.NoError(t, err)
	require.Equal(t, want, got, "mutating the argument after Create changed the store")

	mutate(&got)
	again, err := e.s.GetDispute(ctx, want.ID)
	require.NoError(t, err)
	require.Equal(t, want, again, "mutating a returned value changed the store")

	rows, err := e.s.ListDisputes(ctx, mediation.Filter{}, casework.Page{})
	require.NoError(t, err)
	require.Len(t, rows, 1)
	mutate(&rows[0])
	again, err = e.s.GetDispute(ctx, want.ID)
	require.NoError(t, err)
	require.Equal(t, want, again, "mutating a listed value changed the store")

	n := want.Clone()
	n.Version = 2
	wantN := n.Clone()
	require.NoError(t, e.s.UpdateDispute(ctx, n, e.change(n.ID)))
	mutate(&n)
	again, err = e.s.GetDispute(ctx, want.ID)
	require.NoError(t, err)
	require.Equal(t, wantN, again, "mutating the argument after Update changed the store")
}

// mutate changes every reference a dispute holds.
func mutate(d *mediation.Dispute) {
	d.Origin.ID = "x"
	d.Parties[0].PersonID = "x"
	d.Parties[1].Representatives[0].PersonID = "x"
	d.PartyDocIndex[0] = "x"
	d.Review.Note = "x"
	d.Police.Violation = "x"
	d.Police.Exclusions = append(d.Police.Exclusions, mediation.ExclGroupFight)
	d.Assigned[0] = "x"
	d.Sessions[0].Mediators[0].StaffID = "x"
	d.Sessions[0].Attendees[0].Name = "x"
	d.Agreements[0].Terms[0].Text = "x"
	d.Agreements[0].Responsibilities[0].Text = "x"
	d.Agreements[0].Signatures[0].SignedBy = "x"
	d.Agreements[0].Confirmation.Court = "x"
	d.FollowUps[0].By[0] = "x"
	d.FollowUps[0].Checks[0].Status = mediation.NotPerformed
	d.Referral.Body = "x"
	d.History[0].Reason = "x"
	d.Notices[0].Ref = "x"
}

// corpus is the data set of the filter and totals tests. Creation order
// differs from id order, and d-01 and d-05 share a creation time, so the
// order (CreatedAt, ID) is tested as well.
func (e *env) corpus(t *testing.T) map[string]mediation.Dispute {
	t.Helper()
	day := func(m time.Month, d int) time.Time { return time.Date(2020, m, d, 4, 0, 0, 0, time.UTC) }
	mk := func(id, unit string, created time.Time, f func(d *mediation.Dispute)) mediation.Dispute {
		d := minimal(id, unit, created)
		f(&d)
		return d
	}
	ds := []mediation.Dispute{
		mk("d-03", e.a.ID, at(0, 0), func(d *mediation.Dispute) {
			d.State, d.Category, d.Risk, d.Kind, d.Source = mediation.StateInMediation, "marriage_family", mediation.RiskMedium, mediation.KindPolice, mediation.SourceCall110
			d.PartyDocIndex, d.Assigned = []string{"idx-3"}, []string{"m1", "l1"}
			d.ReportedAt, d.AcceptedAt, d.FailedAt, d.NextDue = day(5, 5), day(5, 6), day(5, 25), time.Date(2020, 6, 5, 0, 0, 0, 0, time.UTC)
		}),
		mk("d-01", e.a1.ID, at(0, 1), func(d *mediation.Dispute) {
			d.PartyDocIndex, d.ReportedAt = []string{"idx-1"}, day(5, 1)
		}),
		mk("d-05", e.b.ID, at(0, 1), func(d *mediation.Dispute) {
			d.State, d.Category, d.Risk, d.Source = mediation.StateFailed, "labour/wages", mediation.RiskHigh, mediation.SourceReferralAgency
			d.PartyDocIndex, d.Assigned = []string{"idx-1"}, []string{"l1"}
			d.ReportedAt, d.FailedAt, d.NextDue = day(6, 10), day(6, 12), day(6, 11)
		}),
		mk("d-02", e.a1.ID, at(0, 2), func(d *mediation.Dispute) {
			d.State, d.Category, d.Risk, d.Source = mediation.StateAccepted, "neighbour/animal", mediation.RiskHigh, mediation.SourceOutreach
			d.PartyDocIndex, d.Assigned = []string{"idx-2", "idx-3"}, []string{"m1"}
			d.ReportedAt, d.AcceptedAt, d.ReferredAt, d.NextDue = day(5, 3), day(5, 3), day(5, 30), day(5, 4)
		}),
		mk("d-06", e.root.ID, at(0, 3), func(d *mediation.Dispute) {
			d.Category, d.Source = "other", mediation.SourceReferralCourt
			d.ReportedAt, d.AcceptedAt, d.SettledAt = day(4, 30), day(5, 2), day(5, 15)
		}),
		mk("d-04", e.b.ID, at(0, 4), func(d *mediation.Dispute) {
			d.State, d.Category, d.Kind = mediation.StateClosed, "neighbour", mediation.KindSettlement
			d.ReportedAt, d.SettledAt = time.Date(2020, 6, 1, 0, 0, 0, 0, casework.DefaultZone()).UTC(), day(6, 5)
		}),
	}
	out := map[string]mediation.Dispute{}
	for _, d := range ds {
		require.NoError(t, e.s.CreateDispute(context.Background(), d, e.change(d.ID)))
		out[d.ID] = d
	}
	return out
}

func ids(ds []mediation.Dispute) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

func testFilters(t *testing.T, e *env) {
	ctx := context.Background()
	all := e.corpus(t)
	cst := casework.DefaultZone()
	for _, tc := range []struct {
		name string
		f    mediation.Filter
		want []string
	}{
		{"all in (CreatedAt, ID) order", mediation.Filter{}, []string{"d-03", "d-01", "d-05", "d-02", "d-06", "d-04"}},
		{"subtree of a branch", mediation.Filter{UnitUnder: e.a.Path}, []string{"d-03", "d-01", "d-02"}},
		{"subtree of a station", mediation.Filter{UnitUnder: e.a1.Path}, []string{"d-01", "d-02"}},
		{"subtree of the root", mediation.Filter{UnitUnder: e.root.Path}, []string{"d-03", "d-01", "d-05", "d-02", "d-06", "d-04"}},
		{"one state", mediation.Filter{States: []mediation.State{mediation.StateReported}}, []string{"d-01", "d-06"}},
		{"two states", mediation.Filter{States: []mediation.State{mediation.StateAccepted, mediation.StateFailed}}, []string{"d-05", "d-02"}},
		{"first-level category", mediation.Filter{Category: "neighbour"}, []string{"d-01", "d-02", "d-04"}},
		{"second-level category", mediation.Filter{Category: "neighbour/noise"}, []string{"d-01"}},
		{"category without children", mediation.Filter{Category: "marriage_family"}, []string{"d-03"}},
		{"risk", mediation.Filter{Risk: mediation.RiskHigh}, []string{"d-05", "d-02"}},
		{"kind", mediation.Filter{Kind: mediation.KindPolice}, []string{"d-03"}},
		{"source", mediation.Filter{Source: mediation.SourceWalkIn}, []string{"d-01", "d-04"}},
		{"party document", mediation.Filter{PartyDocIndex: "idx-1"}, []string{"d-01", "d-05"}},
		{"party document among several", mediation.Filter{PartyDocIndex: "idx-3"}, []string{"d-03", "d-02"}},
		{"party document unknown", mediation.Filter{PartyDocIndex: "idx-9"}, []string{}},
		{"assigned", mediation.Filter{AssignedTo: "m1"}, []string{"d-03", "d-02"}},
		{"assigned lawyer", mediation.Filter{AssignedTo: "l1"}, []string{"d-03", "d-05"}},
		{"reported period [from, to)", mediation.Filter{ReportedFrom: time.Date(2020, 5, 1, 0, 0, 0, 0, cst), ReportedTo: time.Date(2020, 6, 1, 0, 0, 0, 0, cst)},
			[]string{"d-03", "d-01", "d-02"}},
		{"due by, inclusive", mediation.Filter{DueBy: time.Date(2020, 6, 5, 0, 0, 0, 0, time.UTC)}, []string{"d-03", "d-02"}},
		{"due by, just before", mediation.Filter{DueBy: time.Date(2020, 6, 4, 23, 59, 59, 999999000, time.UTC)}, []string{"d-02"}},
		{"combined", mediation.Filter{UnitUnder: e.a.Path, Risk: mediation.RiskHigh, Category: "neighbour"}, []string{"d-02"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.s.ListDisputes(ctx, tc.f, casework.Page{})
			require.NoError(t, err)
			require.Equal(t, tc.want, ids(got))
			for _, d := range got {
				require.Equal(t, all[d.ID], d)
			}
			if tc.f.UnitUnder != "" {
				return
			}
			// The subtree holds with every other filter: a service
			// searches by party, assignee or category only within reach.
			f := tc.f
			f.UnitUnder = e.a1.Path
			inA1 := []string{}
			for _, id := range tc.want {
				if id == "d-01" || id == "d-02" {
					inA1 = append(inA1, id)
				}
			}
			got, err = e.s.ListDisputes(ctx, f, casework.Page{})
			require.NoError(t, err)
			require.Equal(t, inA1, ids(got), "within the subtree of a1")
		})
	}
}

func testPaging(t *testing.T, e *env) {
	ctx := context.Background()
	e.corpus(t)
	want := []string{"d-03", "d-01", "d-05", "d-02", "d-06", "d-04"}
	for _, limit := range []int{1, 2, 4, 6, 7} {
		var got []string
		p := casework.Page{Limit: limit}
		for range 10 {
			rows, err := e.s.ListDisputes(ctx, mediation.Filter{}, p)
			require.NoError(t, err)
			require.LessOrEqual(t, len(rows), limit)
			got = append(got, ids(rows)...)
			if len(rows) < limit {
				break
			}
			last := rows[len(rows)-1]
			p.After = casework.Cursor{At: last.CreatedAt, ID: last.ID}.Encode()
		}
		require.Equal(t, want, got, "limit %d", limit)
	}
	rows, err := e.s.ListDisputes(ctx, mediation.Filter{UnitUnder: e.a.Path}, casework.Page{Limit: 1, After: casework.Cursor{At: at(0, 1), ID: "d-01"}.Encode()})
	require.NoError(t, err)
	require.Equal(t, []string{"d-02"}, ids(rows), "paging combines with filters")
	_, err = e.s.ListDisputes(ctx, mediation.Filter{}, casework.Page{After: "not a cursor"})
	require.ErrorIs(t, err, mediation.ErrInvalid)
}

func testTotals(t *testing.T, e *env) {
	ctx := context.Background()
	e.corpus(t)
	cst := casework.DefaultZone()
	q := mediation.TotalsQuery{UnitUnder: e.root.Path, Start: time.Date(2020, 5, 1, 0, 0, 0, 0, cst).UTC(), End: time.Date(2020, 6, 1, 0, 0, 0, 0, cst).UTC()}
	row := func(key string, found, acc, settled, failed, referred int64) mediation.TotalsRow {
		return mediation.TotalsRow{Key: key, Found: found, Accepted: acc, Settled: settled, Failed: failed, Referred: referred}
	}
	for _, tc := range []struct {
		name string
		q    func(q mediation.TotalsQuery) mediation.TotalsQuery
		want []mediation.TotalsRow
	}{
		{"all", func(q mediation.TotalsQuery) mediation.TotalsQuery { return q }, []mediation.TotalsRow{row("", 3, 3, 1, 1, 1)}},
		{"by unit", func(q mediation.TotalsQuery) mediation.TotalsQuery { q.By = mediation.ByUnit; return q },
			[]mediation.TotalsRow{row(e.a.ID, 1, 1, 0, 1, 0), row(e.a1.ID, 2, 1, 0, 0, 1), row(e.root.ID, 0, 1, 1, 0, 0)}},
		{"by state", func(q mediation.TotalsQuery) mediation.TotalsQuery { q.By = mediation.ByState; return q },
			[]mediation.TotalsRow{row("accepted", 1, 1, 0, 0, 1), row("in_mediation", 1, 1, 0, 1, 0), row("reported", 1, 1, 1, 0, 0)}},
		{"by first-level category", func(q mediation.TotalsQuery) mediation.TotalsQuery { q.By = mediation.ByCategoryTop; return q },
			[]mediation.TotalsRow{row("marriage_family", 1, 1, 0, 1, 0), row("neighbour", 2, 1, 0, 0, 1), row("other", 0, 1, 1, 0, 0)}},
		{"by category", func(q mediation.TotalsQuery) mediation.TotalsQuery { q.By = mediation.ByCategory; return q },
			[]mediation.TotalsRow{row("marriage_family", 1, 1, 0, 1, 0), row("neighbour/animal", 1, 1, 0, 0, 1), row("neighbour/noise", 1, 0, 0, 0, 0), row("other", 0, 1, 1, 0, 0)}},
		{"subtree", func(q mediation.TotalsQuery) mediation.TotalsQuery { q.UnitUnder = e.a.Path; return q }, []mediation.TotalsRow{row("", 3, 2, 0, 1, 1)}},
		{"nothing in reach", func(q mediation.TotalsQuery) mediation.TotalsQuery { q.UnitUnder = e.b.Path; return q }, []mediation.TotalsRow{row("", 0, 0, 0, 0, 0)}},
		{"nothing in reach, grouped", func(q mediation.TotalsQuery) mediation.TotalsQuery {
			q.UnitUnder, q.By = e.b.Path, mediation.ByUnit
			return q
		}, nil},
		{"next month", func(q mediation.TotalsQuery) mediation.TotalsQuery {
			q.Start, q.End = q.End, time.Date(2020, 7, 1, 0, 0, 0, 0, cst).UTC()
			return q
		}, []mediation.TotalsRow{row("", 2, 0, 1, 1, 0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.s.Totals(ctx, tc.q(q))
			require.NoError(t, err)
			if tc.want == nil {
				require.Empty(t, got)
				return
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func testCancelled(t *testing.T, e *env) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	bg := context.Background()
	d := minimal("d-1", e.a1.ID, base)
	require.ErrorIs(t, e.s.CreateDispute(ctx, d, e.change(d.ID)), context.Canceled)
	_, err := e.s.GetDispute(bg, d.ID)
	require.ErrorIs(t, err, mediation.ErrNotFound, "a cancelled create writes nothing")
	require.Equal(t, e.auditBase, e.head(t))

	require.NoError(t, e.s.CreateDispute(bg, d, e.change(d.ID)))
	n := d.Clone()
	n.Version, n.Facts = 2, "changed"
	require.ErrorIs(t, e.s.UpdateDispute(ctx, n, e.change(d.ID)), context.Canceled)
	got, err := e.s.GetDispute(bg, d.ID)
	require.NoError(t, err)
	require.Equal(t, d, got, "a cancelled update writes nothing")
	require.Equal(t, e.auditBase+1, e.head(t))

	_, err = e.s.GetDispute(ctx, d.ID)
	require.ErrorIs(t, err, context.Canceled)
	_, err = e.s.ListDisputes(ctx, mediation.Filter{}, casework.Page{})
	require.ErrorIs(t, err, context.Canceled)
	_, err = e.s.Totals(ctx, mediation.TotalsQuery{Start: base, End: base.Add(time.Hour)})
	require.ErrorIs(t, err, context.Canceled)
}

func testAtomicChange(t *testing.T, e *env) {
	ctx := context.Background()
	d := minimal("d-1", e.a1.ID, base)
	ch := e.change(d.ID)
	ch.RequestKey = &casework.RequestKey{ActorID: "s-1", Key: "k-1", Fingerprint: "f", RecordType: mediation.RecordType, RecordID: d.ID, Result: []byte(`{}`), CreatedAt: base}
	ch.Inbox = &casework.InboxEntry{SourceKind: "visit", SourceID: "v-1", Step: "dispute/1", RecordType: mediation.RecordType, RecordID: d.ID, CreatedAt: base}
	ch.Outbox = []casework.OutboxMessage{{ID: "o-1", Kind: "storetest", SourceKind: mediation.RecordType, SourceID: d.ID, Step: "s", Payload: []byte(`{"a":1}`), CreatedAt: base}}
	require.NoError(t, e.s.CreateDispute(ctx, d, ch))
	rk, err := e.k.GetRequestKey(ctx, "s-1", "k-1")
	require.NoError(t, err)
	require.Equal(t, d.ID, rk.RecordID)
	in, err := e.k.GetInboxEntry(ctx, "visit", "v-1", "dispute/1")
	require.NoError(t, err)
	require.Equal(t, d.ID, in.RecordID)
	out, err := e.k.ListOutbox(ctx, mediation.RecordType, d.ID)
	require.NoError(t, err)
	require.Len(t, out, 1)
	trail, err := e.k.AuditTrail(ctx, mediation.RecordType, d.ID)
	require.NoError(t, err)
	require.Len(t, trail, 1)

	d2 := minimal("d-2", e.a1.ID, base)
	dup := e.change(d2.ID)
	dup.RequestKey = &casework.RequestKey{ActorID: "s-1", Key: "k-1", Fingerprint: "f", RecordType: mediation.RecordType, RecordID: d2.ID, CreatedAt: base}
	require.ErrorIs(t, e.s.CreateDispute(ctx, d2, dup), mediation.ErrConflict)
	_, err = e.s.GetDispute(ctx, d2.ID)
	require.ErrorIs(t, err, mediation.ErrNotFound, "a create whose request key is taken is not stored")

	n := d.Clone()
	n.Version, n.Facts = 2, "changed"
	dupIn := e.change(d.ID)
	dupIn.Inbox = &casework.InboxEntry{SourceKind: "visit", SourceID: "v-1", Step: "dispute/1", RecordType: mediation.RecordType, RecordID: d.ID, CreatedAt: base}
	require.ErrorIs(t, e.s.UpdateDispute(ctx, n, dupIn), mediation.ErrConflict)
	got, err := e.s.GetDispute(ctx, d.ID)
	require.NoError(t, err)
	require.Equal(t, d, got, "an update whose inbox mark is taken is not stored")
	require.Equal(t, e.auditBase+1, e.head(t))
}

func testConcurrentCAS(t *testing.T, e *env) {
	ctx := context.Background()
	d := minimal("d-cas", e.a1.ID, base)
	require.NoError(t, e.s.CreateDispute(ctx, d, e.change(d.ID)))
	const writers, rounds = 32, 3
	for round := 1; round <= rounds; round++ {
		cur, err := e.s.GetDispute(ctx, d.ID)
		require.NoError(t, err)
		version := int64(round + 1)
		require.Equal(t, version-1, cur.Version)
		var wg sync.WaitGroup
		errs := make([]error, writers)
		for i := range writers {
			next := cur.Clone()
			next.Version = version
			next.State = mediation.StateScreened
			next.Facts = fmt.Sprintf("writer %d of round %d", i, round)
			next.History = append(next.History, mediation.Step{From: cur.State, To: next.State, At: base, ActorID: fmt.Sprintf("w-%d", i), Reason: "race"})
			ch := e.change(d.ID)
			wg.Go(func() { errs[i] = e.s.UpdateDispute(ctx, next, ch) })
		}
		wg.Wait()
		winner := -1
		for i, err := range errs {
			if err == nil {
				require.Equal(t, -1, winner, "round %d: writers %d and %d both won", round, winner, i)
				winner = i
				continue
			}
			require.True(t, errors.Is(err, mediation.ErrConflict), "round %d writer %d: %v", round, i, err)
		}
		require.NotEqual(t, -1, winner, "round %d: nobody won", round)
		got, err := e.s.GetDispute(ctx, d.ID)
		require.NoError(t, err)
		require.Equal(t, version, got.Version)
		require.Equal(t, fmt.Sprintf("writer %d of round %d", winner, round), got.Facts)
		require.Equal(t, len(cur.History)+1, len(got.History))
		require.Equal(t, e.auditBase+1+int64(round), e.head(t), "exactly one audit entry per version")
	}
	rows, err := e.s.ListDisputes(ctx, mediation.Filter{States: []mediation.State{mediation.StateScreened}}, casework.Page{})
	require.NoError(t, err)
	require.True(t, slices.ContainsFunc(rows, func(x mediation.Dispute) bool { return x.ID == d.ID }))
}
