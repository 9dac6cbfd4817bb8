// Package storetest is the conformance suite every cases.Store must pass:
// the memory store, the SQL store on SQLite and PostgreSQL, and any store
// an integrator writes. A backend's test is a few lines:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) (cases.Store, casework.KernelStore) {
//			db := casemem.New()
//			return memstore.New(db), db
//		})
//	}
//
// A backend that several processes share (SQL) runs it with RunProcesses
// instead, giving more handles on the same database, so that the
// concurrency tests spread their writers over them as separate processes
// would.
//
// It covers the error contract of cases.Store: not found, duplicate
// ids and numbers, stale versions, all-or-nothing writes, filters, order and
// paging, no aliasing, timestamp round trips, cancelled contexts, concurrent
// compare-and-swap with exactly one winner per version, and gap-free case
// numbering under concurrent filing.
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
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/stretchr/testify/require"
)

// NewStore returns a case store and the kernel store it shares a database
// with, both empty and migrated. The suite creates its units through the
// kernel store and reads the audit chain, outbox and shares the case writes
// committed there.
type NewStore func(t *testing.T) (cases.Store, casework.KernelStore)

// NewStores is NewStore for a backend several processes share: it returns
// two or more case stores on one fresh database through separate handles
// (connection pools), as separate server processes hold them.
type NewStores func(t *testing.T) ([]cases.Store, casework.KernelStore)

// backend is one store under test, on a fresh, migrated, empty database.
type backend struct {
	Kernel casework.KernelStore
	Cases  cases.Store
	// Others are more handles on the same database, when the backend has
	// them: the concurrency tests spread their writers over Cases and
	// Others.
	Others []cases.Store
}

func (b backend) stores() []cases.Store {
	return append([]cases.Store{b.Cases}, b.Others...)
}

// fixture is a backend with a small unit tree:
//
//	root (370300) ── branch A (370302) ── station A1 (370302A1)
//	              └─ branch B (370303)
type fixture struct {
	backend
	root, a, a1, b casework.Unit
}

var base = time.Date(2020, 5, 12, 1, 2, 3, 123456000, time.UTC)

func setup(t *testing.T, open func(t *testing.T) backend) *fixture {
	t.Helper()
	f := &fixture{backend: open(t)}
	mk := func(id, code string, level casework.Level, parent *casework.Unit) casework.Unit {
		u := casework.Unit{ID: id, Code: code, Name: code, Level: level, Version: 1, CreatedAt: base, UpdatedAt: base}
		pp := ""
		if parent != nil {
			u.ParentID, pp = parent.ID, parent.Path
		}
		u.Path = casework.UnitPath(pp, id)
		require.NoError(t, f.Kernel.CreateUnit(context.Background(), u, casework.Change{}))
		return u
	}
	f.root = mk("u-root", "370300", casework.LevelBureau, nil)
	f.a = mk("u-a", "370302", casework.LevelBranch, &f.root)
	f.a1 = mk("u-a1", "370302A1", casework.LevelStation, &f.a)
	f.b = mk("u-b", "370303", casework.LevelBranch, &f.root)
	return f
}

// newCase is a reported case created at base+offset.
func newCase(id, unitID string, offset time.Duration) cases.Case {
	at := base.Add(offset)
	return cases.Case{ID: id, UnitID: unitID, Kind: cases.KindTheft, State: cases.StateReported,
		Summary: "case " + id, IncidentAt: at.Add(-time.Hour), Place: "门前", ReportedAt: at, ReportedBy: "s-1",
		History: []cases.Transition{{To: "reported", At: at, ActorID: "s-1", Action: "case.report"}},
		Version: 1, CreatedAt: at, UpdatedAt: at}
}

func newLead(id, unitID string, offset time.Duration) cases.Lead {
	at := base.Add(offset)
	return cases.Lead{ID: id, UnitID: unitID, Source: casework.Source{Kind: cases.LeadFromTip, ID: "tip-" + id},
		Summary: "lead " + id, FoundAt: at, FoundBy: "s-1", State: cases.LeadNew,
		History: []cases.Transition{{To: "new", At: at, ActorID: "s-1", Action: "lead.create"}},
		Version: 1, CreatedAt: at, UpdatedAt: at}
}

// change is a Change with one audit record for a record.
func change(recordType, id, action string) casework.Change {
	return casework.Change{Audit: []casework.AuditRecord{{Time: base, ActorID: "s-1", UnitID: "u-a", Action: action,
		RecordType: recordType, RecordID: id, Payload: []byte(`{"test":true}`)}}}
}

func (f *fixture) create(t *testing.T, cs ...cases.Case) {
	t.Helper()
	for _, c := range cs {
		require.NoError(t, f.Cases.CommitCases(context.Background(), cases.Write{NewCases: []cases.Case{c}}, change(cases.RecordCase, c.ID, "case.report")))
	}
}

func (f *fixture) get(t *testing.T, id string) cases.Case {
	t.Helper()
	c, err := f.Cases.GetCase(context.Background(), id)
	require.NoError(t, err)
	return c
}

func (f *fixture) head(t *testing.T) int64 {
	t.Helper()
	h, err := f.Kernel.AuditHead(context.Background())
	require.NoError(t, err)
	return h.Seq
}

func bump(c cases.Case) cases.Case {
	c = c.Clone()
	c.Version++
	c.UpdatedAt = c.UpdatedAt.Add(time.Second)
	return c
}

// Run runs the suite against fresh stores from newStore; subtests run in
// parallel, each on its own store.
func Run(t *testing.T, newStore NewStore) {
	run(t, func(t *testing.T) backend {
		s, k := newStore(t)
		return backend{Kernel: k, Cases: s}
	})
}

// RunProcesses runs the suite against fresh databases from newStores, whose
// concurrency tests spread their writers over every handle.
func RunProcesses(t *testing.T, newStores NewStores) {
	run(t, func(t *testing.T) backend {
		ss, k := newStores(t)
		require.NotEmpty(t, ss, "NewStores returns at least one store")
		return backend{Kernel: k, Cases: ss[0], Others: ss[1:]}
	})
}

func run(t *testing.T, open func(t *testing.T) backend) {
	ctx := context.Background()

	t.Run("NotFound", func(t *testing.T) {
		t.Parallel()
		f := setup(t, open)
		_, err := f.Cases.GetCase(ctx, "missing")
		require.ErrorIs(t, err, casework.ErrNotFound)
		_, err = f.Cases.GetLead(ctx, "missing")
		require.ErrorIs(t, err, casework.ErrNotFound)
		err = f.Cases.CommitCases(ctx, cases.Write{Cases: []cases.Case{bump(newCase("missing", f.a.ID, 0))}}, casework.Change{})
		require.ErrorIs(t, err, casework.ErrNotFound)
		l := newLead("missing", f.a.ID, 0)
		l.Version = 2
		err = f.Cases.CommitCases(ctx, cases.Write{Leads: []cases.Lead{l}}, casework.Change{})
		require.ErrorIs(t, err, casework.ErrNotFound)
	})

	t.Run("DuplicateIDsAndNumbers", func(t *testing.T) {
		t.Parallel()
		f := setup(t, open)
		c := newCase("c-1", f.a.ID, 0)
		f.create(t, c)
		seq := f.head(t)
		err := f.Cases.CommitCases(ctx, cases.Write{NewCases: []cases.Case{c}}, change(cases.RecordCase, c.ID, "dup"))
		require.ErrorIs(t, err, casework.ErrConflict)
		require.Equal(t, seq, f.head(t), "a refused write appends no audit entry")

		numbered := newCase("c-2", f.a.ID, time.Second)
		numbered.Number, numbered.State = "370302-2020-000001", cases.StateFiled
		f.create(t, numbered)
		other := newCase("c-3", f.a.ID, 2*time.Second)
		other.Number = numbered.Number
		err = f.Cases.CommitCases(ctx, cases.Write{NewCases: []cases.Case{other}}, casework.Change{})
		require.ErrorIs(t, err, casework.ErrConflict)
		_, err = f.Cases.GetCase(ctx, "c-3")
		require.ErrorIs(t, err, casework.ErrNotFound)

		l := newLead("l-1", f.a.ID, 0)
		require.NoError(t, f.Cases.CommitCases(ctx, cases.Write{NewLeads: []cases.Lead{l}}, casework.Change{}))
		err = f.Cases.CommitCases(ctx, cases.Write{NewLeads: []cases.Lead{l}}, casework.Change{})
		require.ErrorIs(t, err, casework.ErrConflict)
	})

	t.Run("StaleVersion", func(t *testing.T) {
		t.Parallel()
		f := setup(t, open)
		c := newCase("c-1", f.a.ID, 0)
		f.create(t, c)
		skip := bump(bump(c))
		require.ErrorIs(t, f.Cases.CommitCases(ctx, cases.Write{Cases: []cases.Case{skip}}, casework.Change{}), casework.ErrConflict)
		v2 := bump(c)
		v2.Summary = "second"
		require.NoError(t, f.Cases.CommitCases(ctx, cases.Write{Cases: []cases.Case{v2}}, casework.Change{}))
		again := bump(c)
		again.Summary = "lost update"
		require.ErrorIs(t, f.Cases.CommitCases(ctx, cases.Write{Cases: []cases.Case{again}}, casework.Change{}), casework.ErrConflict)
		got := f.get(t, c.ID)
		require.Equal(t, int64(2), got.Version)
		require.Equal(t, "second", got.Summary)

		l := newLead("l-1", f.a.ID, 0)
		require.NoError(t, f.Cases.CommitCases(ctx, cases.Write{NewLeads: []cases.Lead{l}}, casework.Change{}))
		l.Version = 3
		require.ErrorIs(t, f.Cases.CommitCases(ctx, cases.Write{Leads: []cases.Lead{l}}, casework.Change{}), casework.ErrConflict)
	})

	t.Run("AllOrNothing", func(t *testing.T) {
		t.Parallel()
		f := setup(t, open)
		c := newCase("c-1", f.a.ID, 0)
		f.create(t, c)
		seq := f.head(t)
		ch := change(cases.RecordCase, "c-2", "case.report")
		ch.Outbox = []casework.OutboxMessage{{ID: "m-1", Kind: casework.KindStolenItems, SourceKind: "case", SourceID: "c-2",
			Step: "stolen", Payload: []byte(`{}`), CreatedAt: base}}
		ch.Shares = []casework.Share{{ID: "sh-1", RecordType: "case", RecordID: "c-2", OwnerUnitID: f.a.ID, UnitID: f.b.ID, GrantedBy: "s-1", CreatedAt: base, Version: 1}}
		stale := bump(bump(c))
		err := f.Cases.CommitCases(ctx, cases.Write{
			NewCases: []cases.Case{newCase("c-2", f.a.ID, time.Second)},
			NewLeads: []cases.Lead{newLead("l-1", f.a.ID, 0)},
			Cases:    []cases.Case{stale},
		}, ch)
		require.ErrorIs(t, err, casework.ErrConflict)
		_, err = f.Cases.GetCase(ctx, "c-2")
		require.ErrorIs(t, err, casework.ErrNotFound)
		_, err = f.Cases.GetLead(ctx, "l-1")
		require.ErrorIs(t, err, casework.ErrNotFound)
		_, err = f.Kernel.GetShare(ctx, "sh-1")
		require.ErrorIs(t, err, casework.ErrNotFound)
		msgs, err := f.Kernel.ListOutbox(ctx, "case", "c-2")
		require.NoError(t, err)
		require.Empty(t, msgs)
		require.Equal(t, seq, f.head(t))
	})

	t.Run("CommitsChangeAndShares", func(t *testing.T) {
		t.Parallel()
		f := setup(t, open)
		c := newCase("c-1", f.a.ID, 0)
		seq := f.head(t)
		ch := change(cases.RecordCase, c.ID, "case.report")
		ch.Audit = append(ch.Audit, ch.Audit[0])
		ch.Outbox = []casework.OutboxMessage{{ID: "m-1", Kind: casework.KindStolenItems, SourceKind: "case", SourceID: c.ID,
			Step: "stolen", Payload: []byte(`{"caseId":"c-1"}`), CreatedAt: base}}
		ch.RequestKey = &casework.RequestKey{ActorID: "s-1", Key: "k-1", Fingerprint: "f", RecordType: "case", RecordID: c.ID, Result: []byte(`{}`), CreatedAt: base}
		share := casework.Share{ID: "sh-1", RecordType: "case", RecordID: c.ID, OwnerUnitID: f.a.ID, UnitID: f.b.ID, GrantedBy: "s-1",
			Reason: "跟踪", CreatedAt: base, Version: 1}
		ch.Shares = []casework.Share{share}
		require.NoError(t, f.Cases.CommitCases(ctx, cases.Write{NewCases: []cases.Case{c}}, ch))
		require.Equal(t, seq+2, f.head(t))
		msgs, err := f.Kernel.ListOutbox(ctx, "case", c.ID)
		require.NoError(t, err)
		require.Len(t, msgs, 1)
		require.Equal(t, "stolen", msgs[0].Step)
		rk, err := f.Kernel.GetRequestKey(ctx, "s-1", "k-1")
		require.NoError(t, err)
		require.Equal(t, c.ID, rk.RecordID)
		shares, err := f.Kernel.ListShares(ctx, "case", c.ID)
		require.NoError(t, err)
		require.Equal(t, []casework.Share{share}, shares)

		bad := share
		bad.ID, bad.UnitID = "sh-2", "no-such-unit"
		v2 := bump(c)
		err = f.Cases.CommitCases(ctx, cases.Write{Cases: []cases.Case{v2}}, casework.Change{Shares: []casework.Share{bad}})
		require.ErrorIs(t, err, casework.ErrInvalid, "a share with a unit that does not exist is refused")
		require.Equal(t, int64(1), f.get(t, c.ID).Version)
	})

	t.Run("FiltersOrderPaging", func(t *testing.T) { t.Parallel(); testFilters(t, setup(t, open)) })
	t.Run("LeadFiltersPaging", func(t *testing.T) { t.Parallel(); testLeadFilters(t, setup(t, open)) })

	t.Run("NoAliasing", func(t *testing.T) {
		t.Parallel()
		f := setup(t, open)
		c := richCase(f.a.ID)
		want := c.Clone()
		f.create(t, c)
		c.Items[0].Identifiers[0].Value = "CHANGED"
		c.History[0].Reason = "changed"
		c.Survey.Matches[0].Reasons[0] = "changed"
		c.Dispatch.Officers[0] = "changed"
		c.Corrections[0].Fields[0] = "changed"
		got := f.get(t, want.ID)
		require.Equal(t, want, got)
		got.Items[0].Identifiers[0].Value = "CHANGED"
		got.Arrests[0].ItemIDs[0] = "changed"
		got.Review.Links[0].CaseID = "changed"
		got.SuspectIDs[0] = "changed"
		got.Corrections[1].ItemIDs[0] = "changed"
		require.Equal(t, want, f.get(t, want.ID))
		list, err := f.Cases.ListCases(ctx, cases.Filter{}, casework.Page{})
		require.NoError(t, err)
		list[0].Analysis.Shares[0].UnitID = "changed"
		require.Equal(t, want, f.get(t, want.ID))

		l := newLead("l-1", f.a.ID, 0)
		l.PersonIDs = []string{"p-1"}
		wantLead := l.Clone()
		require.NoError(t, f.Cases.CommitCases(ctx, cases.Write{NewLeads: []cases.Lead{l}}, casework.Change{}))
		l.PersonIDs[0] = "changed"
		gotLead, err := f.Cases.GetLead(ctx, "l-1")
		require.NoError(t, err)
		require.Equal(t, wantLead, gotLead)
		gotLead.History[0].Reason = "changed"
		gotLead, err = f.Cases.GetLead(ctx, "l-1")
		require.NoError(t, err)
		require.Equal(t, wantLead, gotLead)
	})

	t.Run("TimestampRoundTrip", func(t *testing.T) {
		t.Parallel()
		f := setup(t, open)
		c := richCase(f.a.ID)
		c.FiledAt = time.Date(2020, 12, 31, 16, 30, 0, 999999000, time.UTC)
		c.SolvedAt = time.Date(1999, 1, 2, 3, 4, 5, 1000, time.UTC)
		f.create(t, c)
		got := f.get(t, c.ID)
		require.Equal(t, c, got)
		require.True(t, got.ClosedAt.IsZero(), "a zero time stays zero")
		require.True(t, got.FiledAt.Equal(c.FiledAt))
		require.Equal(t, time.UTC, got.ReportedAt.Location())
		l := newLead("l-1", f.a.ID, 0)
		l.FoundAt = time.Date(2020, 5, 12, 23, 59, 59, 999999000, time.UTC)
		require.NoError(t, f.Cases.CommitCases(ctx, cases.Write{NewLeads: []cases.Lead{l}}, casework.Change{}))
		gl, err := f.Cases.GetLead(ctx, l.ID)
		require.NoError(t, err)
		require.Equal(t, l, gl)
	})

	t.Run("CancelledContext", func(t *testing.T) {
		t.Parallel()
		f := setup(t, open)
		c := newCase("c-1", f.a.ID, 0)
		f.create(t, c)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		err := f.Cases.CommitCases(cctx, cases.Write{NewCases: []cases.Case{newCase("c-2", f.a.ID, 0)}}, change("case", "c-2", "x"))
		require.ErrorIs(t, err, context.Canceled)
		_, err = f.Cases.FileCase(cctx, cases.NumberKey{UnitID: f.a.ID, Year: 2020}, func(seq int64) (cases.Case, casework.Change, error) {
			n := bump(c)
			n.Number = fmt.Sprintf("X-%d", seq)
			return n, casework.Change{}, nil
		})
		require.ErrorIs(t, err, context.Canceled)
		_, err = f.Cases.GetCase(cctx, c.ID)
		require.ErrorIs(t, err, context.Canceled)
		_, err = f.Cases.ListCases(cctx, cases.Filter{}, casework.Page{})
		require.ErrorIs(t, err, context.Canceled)
		_, err = f.Cases.GetLead(cctx, "l")
		require.ErrorIs(t, err, context.Canceled)
		_, err = f.Cases.ListLeads(cctx, cases.LeadFilter{}, casework.Page{})
		require.ErrorIs(t, err, context.Canceled)
		_, err = f.Cases.CountCases(cctx, "", base, base.Add(time.Hour))
		require.ErrorIs(t, err, context.Canceled)
		_, err = f.Cases.GetCase(ctx, "c-2")
		require.ErrorIs(t, err, casework.ErrNotFound, "a cancelled write writes nothing")
		require.Equal(t, int64(1), f.get(t, c.ID).Version)
	})

	t.Run("ConcurrentCAS", func(t *testing.T) {
		t.Parallel()
		f := setup(t, open)
		c := newCase("c-1", f.a.ID, 0)
		f.create(t, c)
		stores := f.stores()
		for round := range 3 {
			cur := f.get(t, c.ID)
			const writers = 8
			var wg sync.WaitGroup
			errs := make([]error, writers)
			for i := range writers {
				wg.Go(func() {
					n := bump(cur)
					n.Summary = fmt.Sprintf("round %d writer %d", round, i)
					errs[i] = stores[i%len(stores)].CommitCases(ctx, cases.Write{Cases: []cases.Case{n}}, change("case", c.ID, "case.update"))
				})
			}
			wg.Wait()
			won := 0
			for _, err := range errs {
				if err == nil {
					won++
				} else {
					require.ErrorIs(t, err, casework.ErrConflict)
				}
			}
			require.Equal(t, 1, won, "exactly one writer wins version %d", cur.Version+1)
			require.Equal(t, cur.Version+1, f.get(t, c.ID).Version)
		}
	})

	t.Run("Numbering", func(t *testing.T) { t.Parallel(); testNumbering(t, setup(t, open)) })
	t.Run("ConcurrentNumbering", func(t *testing.T) { t.Parallel(); testConcurrentNumbering(t, setup(t, open), 40, 8) })
	t.Run("Counts", func(t *testing.T) { t.Parallel(); testCounts(t, setup(t, open)) })
	t.Run("GridMatchesPeriods", func(t *testing.T) { t.Parallel(); testGrid(t, setup(t, open)) })
}

// richCase has every part of a case set, for aliasing and round trips.
func richCase(unitID string) cases.Case {
	c := newCase("c-rich", unitID, 0)
	at := c.ReportedAt
	c.Number, c.State, c.ModusOperandi = "370302-2020-000009", cases.StateSolved, "趁无人 摘走"
	c.VictimIDs, c.SuspectIDs, c.LeadIDs, c.LeadID, c.ReporterID = []string{"p-1"}, []string{"p-2"}, []string{"l-9"}, "l-0", "p-1"
	c.Items = []cases.Item{{ItemID: "i-1", Category: "cage", Description: "鸟笼", Quantity: 1, ValueFen: 50000,
		Identifiers: []casework.Identifier{{Kind: "serial", Value: "SN-1"}}, OwnerPersonID: "p-1", TracedBy: []string{"a-1"}}}
	c.Dispatch = &cases.DispatchStep{At: at.Add(time.Minute), Officers: []string{"s-1"}, FiledBy: "s-1", RecordedAt: at.Add(time.Minute)}
	c.Survey = &cases.SurveyStep{At: at.Add(time.Hour), Identifiers: []casework.Identifier{{Kind: "imei", Value: "8610 0000"}},
		Matches: []cases.Match{{Source: "case", ID: "c-x", State: "filed", Score: 0.5, Reasons: []string{"same modus operandi"}}},
		By:      "s-1", RecordedAt: at.Add(time.Hour)}
	c.Analysis = &cases.AnalysisStep{At: at.Add(2 * time.Hour), Findings: "监控", Shares: []cases.ShareTo{{ShareID: "sh", UnitID: "u-b"}},
		By: "s-1", RecordedAt: at.Add(2 * time.Hour)}
	c.Arrests = []cases.Arrest{{ID: "a-1", SuspectID: "p-2", At: at.Add(24 * time.Hour), ItemIDs: []string{"i-1"}, By: "s-1", RecordedAt: at.Add(24 * time.Hour)}}
	c.Review = &cases.ReviewStep{At: at.Add(48 * time.Hour), Findings: "倒查", Links: []cases.Link{{CaseID: "c-x", Reason: cases.LinkSamePattern}},
		By: "s-1", RecordedAt: at.Add(48 * time.Hour)}
	c.SolvedAt = at.Add(24 * time.Hour)
	c.Handoffs = []cases.Handoff{{Kind: casework.KindStolenItems, Step: "stolen", ResultID: "r", At: at}}
	// Corrections after the report (facts corrected, items added) are kept
	// whole, in order.
	c.Corrections = []cases.Correction{
		{Action: "case.correct", Fields: []string{"place", "incidentAt"}, At: at.Add(time.Hour), ActorID: "s-1", Reason: "报案人补充"},
		{Action: "case.add_items", ItemIDs: []string{"i-1"}, At: at.Add(2 * time.Hour), ActorID: "s-1", Reason: "补报"},
	}
	return c
}

func ids(cs []cases.Case) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func testFilters(t *testing.T, f *fixture) {
	ctx := context.Background()
	// Twelve cases, created a minute apart, c-00 … c-11; two share a
	// creation instant so that the id breaks the tie.
	var all []cases.Case
	for i := range 12 {
		c := newCase(fmt.Sprintf("c-%02d", i), []string{f.a.ID, f.a1.ID, f.b.ID}[i%3], time.Duration(i)*time.Minute)
		if i == 11 {
			c.CreatedAt = all[10].CreatedAt
		}
		switch i % 4 {
		case 1:
			c.State = cases.StateFiled
		case 2:
			c.State, c.Kind = cases.StateInvestigating, cases.KindVehicleTheft
		case 3:
			c.State = cases.StateSolved
		}
		if i%5 == 0 {
			c.SuspectIDs = []string{"p-suspect"}
		}
		if i == 7 {
			c.Arrests = []cases.Arrest{{ID: "a-7", SuspectID: "p-arrested", At: c.ReportedAt, By: "s-1", RecordedAt: c.ReportedAt}}
		}
		if i == 4 {
			c.Items = []cases.Item{{ItemID: "i-4", Category: "ebike", Description: "电动车", Quantity: 1,
				Identifiers: []casework.Identifier{{Kind: "frame", Value: "lx-2020 0001"}}}}
		}
		if i == 9 {
			c.Survey = &cases.SurveyStep{At: c.ReportedAt, Identifiers: []casework.Identifier{{Kind: "frame", Value: "LX20200001"}}, By: "s-1", RecordedAt: c.ReportedAt}
		}
		if i%6 == 0 {
			c.ModusOperandi = "  撬锁  盗窃 "
		}
		all = append(all, c)
	}
	// Create out of order: the store orders.
	for _, i := range []int{5, 0, 11, 3, 8, 1, 10, 2, 7, 4, 9, 6} {
		f.create(t, all[i])
	}
	list := func(fl cases.Filter) []string {
		t.Helper()
		got, err := f.Cases.ListCases(ctx, fl, casework.Page{Limit: casework.MaxPageLimit})
		require.NoError(t, err)
		return ids(got)
	}
	expect := func(keep func(i int, c cases.Case) bool) []string {
		var out []string
		for i, c := range all {
			if keep(i, c) {
				out = append(out, c.ID)
			}
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    cases.Filter
		want []string
	}{
		{"all in order", cases.Filter{}, expect(func(int, cases.Case) bool { return true })},
		{"subtree of branch A", cases.Filter{UnitUnder: f.a.Path}, expect(func(i int, _ cases.Case) bool { return i%3 != 2 })},
		{"subtree of station A1", cases.Filter{UnitUnder: f.a1.Path}, expect(func(i int, _ cases.Case) bool { return i%3 == 1 })},
		{"states", cases.Filter{States: []cases.State{cases.StateFiled, cases.StateSolved}}, expect(func(i int, _ cases.Case) bool { return i%2 == 1 })},
		{"no states", cases.Filter{States: []cases.State{}}, nil},
		{"kind", cases.Filter{Kind: cases.KindVehicleTheft}, expect(func(i int, _ cases.Case) bool { return i%4 == 2 })},
		{"period", cases.Filter{ReportedFrom: base.Add(3 * time.Minute), ReportedTo: base.Add(6 * time.Minute)}, []string{"c-03", "c-04", "c-05"}},
		{"suspect", cases.Filter{SuspectIDs: []string{"p-suspect"}}, []string{"c-00", "c-05", "c-10"}},
		{"arrested suspect", cases.Filter{SuspectIDs: []string{"p-arrested", "p-other"}}, []string{"c-07"}},
		{"identifier of an item or the survey", cases.Filter{Identifier: casework.NormalizeIdentifier(casework.IDSerial, "LX2020-0001").Value}, []string{"c-04", "c-09"}},
		{"modus operandi", cases.Filter{ModusOperandi: cases.NormalizeMO("撬锁 盗窃")}, []string{"c-00", "c-06"}},
		{"ids", cases.Filter{IDs: []string{"c-02", "c-03", "zzz"}}, []string{"c-02", "c-03"}},
		{"combined", cases.Filter{UnitUnder: f.a.Path, States: []cases.State{cases.StateReported}, SuspectIDs: []string{"p-suspect"}}, []string{"c-00"}},
	} {
		require.Equal(t, tc.want, list(tc.f), tc.name)
		if tc.f.UnitUnder != "" {
			continue
		}
		// The subtree holds with every other filter: a service searches
		// by suspect, identifier or modus operandi only within reach.
		inA1 := tc.f
		inA1.UnitUnder = f.a1.Path
		var want []string
		for _, id := range tc.want {
			if slices.ContainsFunc(all, func(c cases.Case) bool { return c.ID == id && c.UnitID == f.a1.ID }) {
				want = append(want, id)
			}
		}
		require.Equal(t, want, list(inA1), "%s within the subtree of a1", tc.name)
	}
	require.Equal(t, "c-10", all[10].ID)
	// Paging: pages of 5 cover everything once, in (CreatedAt, ID) order.
	var paged []string
	after := ""
	for {
		got, err := f.Cases.ListCases(ctx, cases.Filter{}, casework.Page{Limit: 5, After: after})
		require.NoError(t, err)
		paged = append(paged, ids(got)...)
		if len(got) < 5 {
			break
		}
		last := got[len(got)-1]
		after = casework.Cursor{At: last.CreatedAt, ID: last.ID}.Encode()
	}
	require.Equal(t, list(cases.Filter{}), paged)
	_, err := f.Cases.ListCases(ctx, cases.Filter{}, casework.Page{After: "not a cursor"})
	require.ErrorIs(t, err, casework.ErrInvalid)
}

func testLeadFilters(t *testing.T, f *fixture) {
	ctx := context.Background()
	var all []cases.Lead
	for i := range 7 {
		l := newLead(fmt.Sprintf("l-%02d", i), []string{f.a1.ID, f.b.ID}[i%2], time.Duration(i)*time.Hour)
		if i%3 == 0 {
			l.Source = casework.Source{Kind: cases.LeadFromVisit, ID: "visit-1", Step: fmt.Sprintf("lead/%d", i)}
		}
		if i == 2 {
			l.State, l.CaseID = cases.LeadConverted, "c-1"
		}
		all = append(all, l)
	}
	for _, i := range []int{3, 6, 0, 5, 1, 4, 2} {
		require.NoError(t, f.Cases.CommitCases(ctx, cases.Write{NewLeads: []cases.Lead{all[i]}}, casework.Change{}))
	}
	list := func(fl cases.LeadFilter, p casework.Page) []string {
		t.Helper()
		got, err := f.Cases.ListLeads(ctx, fl, p)
		require.NoError(t, err)
		out := make([]string, len(got))
		for i, l := range got {
			out[i] = l.ID
		}
		return out
	}
	max := casework.Page{Limit: casework.MaxPageLimit}
	require.Equal(t, []string{"l-00", "l-01", "l-02", "l-03", "l-04", "l-05", "l-06"}, list(cases.LeadFilter{}, max))
	require.Equal(t, []string{"l-00", "l-02", "l-04", "l-06"}, list(cases.LeadFilter{UnitUnder: f.a.Path}, max))
	require.Equal(t, []string{"l-02"}, list(cases.LeadFilter{States: []cases.LeadState{cases.LeadConverted}}, max))
	require.Equal(t, []string{"l-00", "l-03", "l-06"}, list(cases.LeadFilter{SourceKind: cases.LeadFromVisit}, max))
	require.Equal(t, []string{"l-01"}, list(cases.LeadFilter{SourceID: "tip-l-01"}, max))
	require.Equal(t, []string{"l-02", "l-03"}, list(cases.LeadFilter{FoundFrom: base.Add(2 * time.Hour), FoundTo: base.Add(4 * time.Hour)}, max))
	first := list(cases.LeadFilter{}, casework.Page{Limit: 3})
	require.Equal(t, []string{"l-00", "l-01", "l-02"}, first)
	l2 := all[2]
	require.Equal(t, []string{"l-03", "l-04", "l-05"}, list(cases.LeadFilter{}, casework.Page{Limit: 3, After: casework.Cursor{At: l2.CreatedAt, ID: l2.ID}.Encode()}))
}

// file files a case through FileCase the way the service does.
func file(ctx context.Context, s cases.Store, id string, key cases.NumberKey, code string) (cases.Case, error) {
	cur, err := s.GetCase(ctx, id)
	if err != nil {
		return cases.Case{}, err
	}
	return s.FileCase(ctx, key, func(seq int64) (cases.Case, casework.Change, error) {
		number, err := cases.FormatNumber(code, key.Year, seq)
		if err != nil {
			return cases.Case{}, casework.Change{}, err
		}
		n := bump(cur)
		n.Number, n.State, n.FiledAt = number, cases.StateFiled, n.UpdatedAt
		return n, change("case", id, "case.dispatch_file"), nil
	})
}

func testNumbering(t *testing.T, f *fixture) {
	ctx := context.Background()
	for i := range 6 {
		f.create(t, newCase(fmt.Sprintf("c-%d", i), f.a.ID, time.Duration(i)*time.Second))
	}
	key := cases.NumberKey{UnitID: f.a.ID, Year: 2020}
	got, err := file(ctx, f.Cases, "c-0", key, f.a.Code)
	require.NoError(t, err)
	require.Equal(t, "370302-2020-000001", got.Number)
	require.Equal(t, got, f.get(t, "c-0"))

	// A failure after the number was taken gives it back.
	boom := errors.New("second half failed")
	seen := int64(0)
	_, err = f.Cases.FileCase(ctx, key, func(seq int64) (cases.Case, casework.Change, error) {
		seen = seq
		return cases.Case{}, casework.Change{}, boom
	})
	require.ErrorIs(t, err, boom)
	require.Equal(t, int64(2), seen)
	// So does a stale case inside the filing transaction.
	seq := f.head(t)
	_, err = f.Cases.FileCase(ctx, key, func(seq int64) (cases.Case, casework.Change, error) {
		n := bump(bump(f.get(t, "c-1")))
		n.Number = fmt.Sprintf("370302-2020-%06d", seq)
		return n, change("case", "c-1", "case.dispatch_file"), nil
	})
	require.ErrorIs(t, err, casework.ErrConflict)
	require.Equal(t, seq, f.head(t))
	require.Empty(t, f.get(t, "c-1").Number)

	got, err = file(ctx, f.Cases, "c-1", key, f.a.Code)
	require.NoError(t, err)
	require.Equal(t, "370302-2020-000002", got.Number, "no gap after failed filings")
	// Counters are per unit and per year.
	got, err = file(ctx, f.Cases, "c-2", cases.NumberKey{UnitID: f.a.ID, Year: 2021}, f.a.Code)
	require.NoError(t, err)
	require.Equal(t, "370302-2021-000001", got.Number)
	got, err = file(ctx, f.Cases, "c-3", cases.NumberKey{UnitID: f.b.ID, Year: 2020}, f.b.Code)
	require.NoError(t, err)
	require.Equal(t, "370303-2020-000001", got.Number)
	got, err = file(ctx, f.Cases, "c-4", key, f.a.Code)
	require.NoError(t, err)
	require.Equal(t, "370302-2020-000003", got.Number)
	// Filing a case whose number another case holds is a conflict.
	_, err = f.Cases.FileCase(ctx, cases.NumberKey{UnitID: f.b.ID, Year: 2020}, func(int64) (cases.Case, casework.Change, error) {
		n := bump(f.get(t, "c-5"))
		n.Number = "370302-2020-000001"
		return n, casework.Change{}, nil
	})
	require.ErrorIs(t, err, casework.ErrConflict)
	got, err = file(ctx, f.Cases, "c-5", cases.NumberKey{UnitID: f.b.ID, Year: 2020}, f.b.Code)
	require.NoError(t, err)
	require.Equal(t, "370303-2020-000002", got.Number)
}

// ConcurrentNumbering files n reported cases from workers goroutines spread
// over every handle of the backend, and checks the numbers are 1..n with no
// gap and no duplicate. Stores and services use it for their own
// concurrency tests too.
func testConcurrentNumbering(t *testing.T, f *fixture, n, workers int) {
	ctx := context.Background()
	for i := range n {
		f.create(t, newCase(fmt.Sprintf("c-%03d", i), f.a1.ID, time.Duration(i)*time.Millisecond))
	}
	stores := f.stores()
	key := cases.NumberKey{UnitID: f.a1.ID, Year: 2020}
	numbers := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				c, err := file(ctx, stores[w%len(stores)], fmt.Sprintf("c-%03d", i), key, f.a1.Code)
				numbers[i], errs[i] = c.Number, err
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "case %d", i)
	}
	want := make([]string, n)
	for i := range n {
		want[i] = fmt.Sprintf("370302A1-2020-%06d", i+1)
	}
	slices.Sort(numbers)
	require.Equal(t, want, numbers)
}

func testCounts(t *testing.T, f *fixture) {
	ctx := context.Background()
	may := time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC)
	june := time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)
	mk := func(id, unit string, reported time.Time) cases.Case {
		c := newCase(id, unit, 0)
		c.ReportedAt, c.CreatedAt, c.UpdatedAt = reported, reported, reported
		return c
	}
	// c1: reported, filed and solved in May, two arrests of one person.
	c1 := mk("c1", f.a.ID, may.Add(24*time.Hour))
	c1.FiledAt, c1.SolvedAt, c1.State = c1.ReportedAt.Add(time.Hour), c1.ReportedAt.Add(48*time.Hour), cases.StateSolved
	c1.Arrests = []cases.Arrest{{ID: "a1", SuspectID: "p1", At: c1.SolvedAt}, {ID: "a2", SuspectID: "p1", At: c1.SolvedAt.Add(time.Hour)}}
	// c2: reported in April, filed in April, solved in May (clearance may exceed 100%).
	c2 := mk("c2", f.a1.ID, may.Add(-72*time.Hour))
	c2.FiledAt, c2.SolvedAt, c2.State = c2.ReportedAt.Add(time.Hour), may.Add(time.Hour), cases.StateSolved
	c2.Arrests = []cases.Arrest{{ID: "a3", SuspectID: "p2", At: c2.SolvedAt}}
	// c3: reported in May in branch B, dropped; c4: reported at the end instant (excluded).
	c3 := mk("c3", f.b.ID, may.Add(10*time.Hour))
	c3.DroppedAt, c3.State = c3.ReportedAt.Add(time.Hour), cases.StateDropped
	c4 := mk("c4", f.a.ID, june)
	f.create(t, c1, c2, c3, c4)
	l1, l2 := newLead("l1", f.a1.ID, 0), newLead("l2", f.b.ID, 0)
	l1.FoundAt, l2.FoundAt = may, june.Add(-time.Microsecond)
	require.NoError(t, f.Cases.CommitCases(ctx, cases.Write{NewLeads: []cases.Lead{l1, l2}}, casework.Change{}))

	got, err := f.Cases.CountCases(ctx, f.root.Path, may, june)
	require.NoError(t, err)
	require.Equal(t, cases.Counts{Reported: 2, Filed: 1, Solved: 2, Dropped: 1, Arrests: 3, PeopleArrested: 2, LeadsCollected: 2}, got)
	got, err = f.Cases.CountCases(ctx, f.a.Path, may, june)
	require.NoError(t, err)
	require.Equal(t, cases.Counts{Reported: 1, Filed: 1, Solved: 2, Arrests: 3, PeopleArrested: 2, LeadsCollected: 1}, got)
	got, err = f.Cases.CountCases(ctx, f.a1.Path, may, june)
	require.NoError(t, err)
	require.Equal(t, cases.Counts{Solved: 1, Arrests: 1, PeopleArrested: 1, LeadsCollected: 1}, got)
	got, err = f.Cases.CountCases(ctx, "", may.Add(-30*24*time.Hour), may)
	require.NoError(t, err)
	require.Equal(t, cases.Counts{Reported: 1, Filed: 1}, got)
}
