// Package storetest is the conformance suite every recovery.Store passes:
// the memory store, the SQL store on SQLite and PostgreSQL, and any store an
// integrator writes. A backend's test is a few lines:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) (recovery.Store, casework.KernelStore) {
//			db := memstore.New()
//			return recmem.New(db), db
//		})
//	}
package storetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/recovery"
	"github.com/stretchr/testify/require"
)

// NewStore returns a fresh, empty store and the kernel store it writes
// through (the suite creates units there, for subtree filters). It is
// called once per subtest; subtests run in parallel.
type NewStore func(t *testing.T) (recovery.Store, casework.KernelStore)

// Run runs the suite.
func Run(t *testing.T, newStore NewStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, f *fixture)
	}{
		{"NotFound", testNotFound},
		{"CreateConflict", testCreateConflict},
		{"StaleVersion", testStaleVersion},
		{"CustodyAppendOnly", testCustody},
		{"BatchAtomic", testBatchAtomic},
		{"ItemFiltersOrderPaging", testItemFilters},
		{"OtherLists", testOtherLists},
		{"NoAliasing", testNoAliasing},
		{"TimestampRoundTrip", testTimestamps},
		{"CancelledContext", testCancelled},
		{"ConcurrentCAS", testConcurrentCAS},
		{"Totals", testTotals},
		{"GridMatchesPeriods", testGrid},
		{"ChangeCommitsWithRecord", testChange},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, ks := newStore(t)
			tc.fn(t, newFixture(t, s, ks))
		})
	}
}

// fixture holds a store and a unit tree: root → a → a1, root → b.
type fixture struct {
	s                recovery.Store
	k                casework.KernelStore
	root, a, a1, b   casework.Unit
	base             time.Time
	seq              int
	mu               sync.Mutex
	ctx              context.Context
	receiptSHA256Hex string
}

func newFixture(t *testing.T, s recovery.Store, ks casework.KernelStore) *fixture {
	ctx := context.Background()
	f := &fixture{s: s, k: ks, ctx: ctx, base: time.Date(2020, 5, 12, 1, 2, 3, 456789000, time.UTC),
		receiptSHA256Hex: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
	mk := func(id, code string, level casework.Level, parent *casework.Unit) casework.Unit {
		u := casework.Unit{ID: id, Code: code, Name: "unit " + code, Level: level, Version: 1, CreatedAt: f.base, UpdatedAt: f.base}
		pp := ""
		if parent != nil {
			u.ParentID, pp = parent.ID, parent.Path
		}
		u.Path = casework.UnitPath(pp, id)
		require.NoError(t, ks.CreateUnit(ctx, u, casework.Change{}))
		return u
	}
	f.root = mk("st-root", "ST0", casework.LevelBureau, nil)
	f.a = mk("st-a", "STA", casework.LevelBranch, &f.root)
	f.a1 = mk("st-a1", "STA1", casework.LevelStation, &f.a)
	f.b = mk("st-b", "STB", casework.LevelBranch, &f.root)
	return f
}

func (f *fixture) next() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	return f.seq
}

// item returns a valid item with every field set.
func (f *fixture) item(unit casework.Unit) recovery.Item {
	n := f.next()
	at := f.base.Add(time.Duration(n) * time.Minute)
	return recovery.Item{
		ID: fmt.Sprintf("item-%03d", n), UnitID: unit.ID, CaseID: "case-1", Origin: recovery.OriginFound, Category: "e_bike",
		Description: "白色雅迪电动自行车", Identifiers: []casework.Identifier{{Kind: "frame", Value: fmt.Sprintf("LC%06d", n)}},
		Quantity: 1, ValueFen: 180000, ValueConfirmed: true, OwnerPersonID: "person-1", State: recovery.StateRecovered,
		StolenAt: at.Add(-48 * time.Hour), StolenPlace: "张店区华光路", RecoveredAt: at, RecoveredPlace: "张店区共青团路",
		HoldUntil: at.Add(180 * 24 * time.Hour), Holder: recovery.Holder{Kind: recovery.HolderLocation, ID: "A-01", Name: "仓库"},
		CustodySeq: 0, Traces: []recovery.Trace{{CaseID: "case-1", ArrestID: "arrest-1", At: at}},
		Source: casework.Source{Kind: "case", ID: "case-1", Step: "stolen"}, Version: 1, CreatedAt: at, UpdatedAt: at,
	}
}

func (f *fixture) entry(itemID string, seq int64) recovery.CustodyEntry {
	at := f.base.Add(time.Duration(seq) * time.Hour)
	return recovery.CustodyEntry{ItemID: itemID, Seq: seq, Kind: recovery.EntryMove,
		From: recovery.Holder{Kind: recovery.HolderStaff, ID: "staff-1", Name: "民警甲"},
		To:   recovery.Holder{Kind: recovery.HolderLocation, ID: "A-01", Name: "仓库"}, ActorID: "staff-2", UnitID: f.a.ID,
		WitnessID: "staff-3", At: at, Reason: "入库", Condition: "完好", Seal: recovery.SealIntact, SealNumber: "F-001",
		Photos: []string{f.receiptSHA256Hex}, CreatedAt: at}
}

func (f *fixture) ret(it recovery.Item) recovery.Return {
	n := f.next()
	at := f.base.Add(time.Duration(n) * time.Minute)
	return recovery.Return{ID: fmt.Sprintf("ret-%03d", n), UnitID: it.UnitID, ItemID: it.ID, CaseID: it.CaseID, State: recovery.ReturnApproved,
		OwnerPersonID: "person-1", RecipientPersonID: "person-2", Delegate: true,
		Authorisation: &casework.Attachment{Name: "委托书.pdf", MediaType: "application/pdf", Size: 10, SHA256: f.receiptSHA256Hex},
		RequestedBy:   "staff-1", RequestedAt: at, RequestNote: "note", DecidedBy: "staff-9", DecidedAt: at, DecisionNote: "ok",
		Attempts: []recovery.Attempt{{At: at, ActorID: "staff-1", Reason: "失主未到"}}, Version: 1, CreatedAt: at, UpdatedAt: at}
}

func (f *fixture) event(unit casework.Unit) recovery.Event {
	n := f.next()
	at := f.base.Add(time.Duration(n) * time.Minute)
	return recovery.Event{ID: fmt.Sprintf("ev-%03d", n), UnitID: unit.ID, Name: "返还会", Date: at, Place: "张店分局", State: recovery.EventPlanned,
		ReturnIDs: []string{"r1"}, Results: []recovery.EventResult{{ReturnID: "r1", ItemID: "i1", Returned: true,
			Receipt: &casework.Attachment{Name: "r.jpg", MediaType: "image/jpeg", Size: 1, SHA256: f.receiptSHA256Hex}}},
		CreatedBy: "staff-1", Version: 1, CreatedAt: at, UpdatedAt: at}
}

func (f *fixture) disposal(it recovery.Item) recovery.Disposal {
	n := f.next()
	at := f.base.Add(time.Duration(n) * time.Minute)
	return recovery.Disposal{ID: fmt.Sprintf("disp-%03d", n), UnitID: it.UnitID, ItemID: it.ID, Method: recovery.DisposeAuction,
		State: recovery.DisposalRequested, Reason: "无人认领", RequestedBy: "staff-1", RequestedAt: at, ProceedsFen: 0,
		Document: &casework.Attachment{Name: "拍卖记录.pdf", MediaType: "application/pdf", Size: 3, SHA256: f.receiptSHA256Hex},
		Version:  1, CreatedAt: at, UpdatedAt: at}
}

func (f *fixture) put(t *testing.T, b recovery.Batch) {
	t.Helper()
	require.NoError(t, f.s.Apply(f.ctx, b, casework.Change{}))
}

func testNotFound(t *testing.T, f *fixture) {
	ctx := f.ctx
	_, err := f.s.GetItem(ctx, "nope")
	require.ErrorIs(t, err, recovery.ErrNotFound)
	_, err = f.s.GetReturn(ctx, "nope")
	require.ErrorIs(t, err, recovery.ErrNotFound)
	_, err = f.s.GetEvent(ctx, "nope")
	require.ErrorIs(t, err, recovery.ErrNotFound)
	_, err = f.s.GetDisposal(ctx, "nope")
	require.ErrorIs(t, err, recovery.ErrNotFound)
	it := f.item(f.a)
	it.Version = 2
	require.ErrorIs(t, f.s.Apply(ctx, recovery.Batch{Items: []recovery.Item{it}}, casework.Change{}), recovery.ErrNotFound)
	es, err := f.s.Custody(ctx, "nope")
	require.NoError(t, err)
	require.Empty(t, es)
}

func testCreateConflict(t *testing.T, f *fixture) {
	it := f.item(f.a)
	f.put(t, recovery.Batch{NewItems: []recovery.Item{it}})
	require.ErrorIs(t, f.s.Apply(f.ctx, recovery.Batch{NewItems: []recovery.Item{it}}, casework.Change{}), recovery.ErrConflict)
	r := f.ret(it)
	f.put(t, recovery.Batch{NewReturns: []recovery.Return{r}})
	require.ErrorIs(t, f.s.Apply(f.ctx, recovery.Batch{NewReturns: []recovery.Return{r}}, casework.Change{}), recovery.ErrConflict)
	e := f.event(f.a)
	f.put(t, recovery.Batch{NewEvents: []recovery.Event{e}})
	require.ErrorIs(t, f.s.Apply(f.ctx, recovery.Batch{NewEvents: []recovery.Event{e}}, casework.Change{}), recovery.ErrConflict)
	d := f.disposal(it)
	f.put(t, recovery.Batch{NewDisposals: []recovery.Disposal{d}})
	require.ErrorIs(t, f.s.Apply(f.ctx, recovery.Batch{NewDisposals: []recovery.Disposal{d}}, casework.Change{}), recovery.ErrConflict)
}

func testStaleVersion(t *testing.T, f *fixture) {
	ctx := f.ctx
	it := f.item(f.a)
	r := f.ret(it)
	e := f.event(f.a)
	d := f.disposal(it)
	f.put(t, recovery.Batch{NewItems: []recovery.Item{it}, NewReturns: []recovery.Return{r}, NewEvents: []recovery.Event{e}, NewDisposals: []recovery.Disposal{d}})
	// The caller read version 1 and writes 2: accepted once.
	it2 := it.Clone()
	it2.Version, it2.Description = 2, "changed"
	f.put(t, recovery.Batch{Items: []recovery.Item{it2}})
	for _, v := range []int64{1, 2, 4} {
		stale := it.Clone()
		stale.Version = v
		require.ErrorIs(t, f.s.Apply(ctx, recovery.Batch{Items: []recovery.Item{stale}}, casework.Change{}), recovery.ErrConflict, "version %d", v)
	}
	got, err := f.s.GetItem(ctx, it.ID)
	require.NoError(t, err)
	require.Equal(t, it2, got)

	r2, e2, d2 := r.Clone(), e.Clone(), d.Clone()
	r2.Version, e2.Version, d2.Version = 2, 2, 2
	f.put(t, recovery.Batch{Returns: []recovery.Return{r2}, Events: []recovery.Event{e2}, Disposals: []recovery.Disposal{d2}})
	require.ErrorIs(t, f.s.Apply(ctx, recovery.Batch{Returns: []recovery.Return{r2}}, casework.Change{}), recovery.ErrConflict)
	require.ErrorIs(t, f.s.Apply(ctx, recovery.Batch{Events: []recovery.Event{e2}}, casework.Change{}), recovery.ErrConflict)
	require.ErrorIs(t, f.s.Apply(ctx, recovery.Batch{Disposals: []recovery.Disposal{d2}}, casework.Change{}), recovery.ErrConflict)
	r3 := r.Clone()
	r3.ID, r3.Version = "ret-missing", 2
	require.ErrorIs(t, f.s.Apply(ctx, recovery.Batch{Returns: []recovery.Return{r3}}, casework.Change{}), recovery.ErrNotFound)
}

func testCustody(t *testing.T, f *fixture) {
	ctx := f.ctx
	it := f.item(f.a)
	f.put(t, recovery.Batch{NewItems: []recovery.Item{it}, Custody: []recovery.CustodyEntry{f.entry(it.ID, 1)}})
	f.put(t, recovery.Batch{Custody: []recovery.CustodyEntry{f.entry(it.ID, 2), f.entry(it.ID, 3)}})
	for _, seq := range []int64{1, 3, 5} {
		require.ErrorIs(t, f.s.Apply(ctx, recovery.Batch{Custody: []recovery.CustodyEntry{f.entry(it.ID, seq)}}, casework.Change{}),
			recovery.ErrConflict, "seq %d", seq)
	}
	es, err := f.s.Custody(ctx, it.ID)
	require.NoError(t, err)
	require.Len(t, es, 3)
	for i, e := range es {
		require.Equal(t, f.entry(it.ID, int64(i+1)), e)
	}
}

func testBatchAtomic(t *testing.T, f *fixture) {
	ctx := f.ctx
	old := f.item(f.a)
	f.put(t, recovery.Batch{NewItems: []recovery.Item{old}})
	fresh := f.item(f.a)
	stale := old.Clone()
	stale.Version = 5
	err := f.s.Apply(ctx, recovery.Batch{NewItems: []recovery.Item{fresh}, Custody: []recovery.CustodyEntry{f.entry(fresh.ID, 1)},
		Items: []recovery.Item{stale}}, casework.Change{})
	require.ErrorIs(t, err, recovery.ErrConflict)
	_, err = f.s.GetItem(ctx, fresh.ID)
	require.ErrorIs(t, err, recovery.ErrNotFound, "a failed batch writes nothing")
	es, err := f.s.Custody(ctx, fresh.ID)
	require.NoError(t, err)
	require.Empty(t, es)
	// The same record twice in one batch is a stale second update.
	a, b := old.Clone(), old.Clone()
	a.Version, b.Version = 2, 2
	require.ErrorIs(t, f.s.Apply(ctx, recovery.Batch{Items: []recovery.Item{a, b}}, casework.Change{}), recovery.ErrConflict)
	got, err := f.s.GetItem(ctx, old.ID)
	require.NoError(t, err)
	require.Equal(t, int64(1), got.Version)
}

func ids[T any](rows []T, id func(T) string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = id(r)
	}
	return out
}

func itemID(it recovery.Item) string { return it.ID }

// testChange: Apply commits its Change — audit entry, outbox message,
// request key — with the batch, and a refused batch commits none of it.
func testChange(t *testing.T, f *fixture) {
	ctx := f.ctx
	it := f.item(f.a1)
	change := func(key string) casework.Change {
		return casework.Change{
			Audit: []casework.AuditRecord{{Time: f.base, ActorID: "s-1", UnitID: f.a1.ID, Action: "recovery.test", RecordType: recovery.RecordItem, RecordID: it.ID,
				Payload: []byte(`{"after":"x","before":"","diff":[]}`)}},
			Outbox:     []casework.OutboxMessage{{ID: "o-" + key, Kind: "storetest", SourceKind: recovery.RecordItem, SourceID: it.ID, Step: key, Payload: []byte(`{}`), CreatedAt: f.base}},
			RequestKey: &casework.RequestKey{ActorID: "s-1", Key: key, Fingerprint: "fp", RecordType: recovery.RecordItem, RecordID: it.ID, CreatedAt: f.base},
		}
	}
	head := func() int64 {
		h, err := f.k.AuditHead(ctx)
		require.NoError(t, err)
		return h.Seq
	}
	before := head()
	require.NoError(t, f.s.Apply(ctx, recovery.Batch{NewItems: []recovery.Item{it}, Custody: []recovery.CustodyEntry{f.entry(it.ID, 1)}}, change("k-1")))
	require.Equal(t, before+1, head(), "the batch committed its audit entry")
	trail, err := f.k.AuditTrail(ctx, recovery.RecordItem, it.ID)
	require.NoError(t, err)
	require.Len(t, trail, 1)
	_, err = f.k.GetRequestKey(ctx, "s-1", "k-1")
	require.NoError(t, err)
	out, err := f.k.ListOutbox(ctx, recovery.RecordItem, it.ID)
	require.NoError(t, err)
	require.Len(t, out, 1)

	stale := it.Clone()
	stale.Version = 5
	require.ErrorIs(t, f.s.Apply(ctx, recovery.Batch{Items: []recovery.Item{stale}}, change("k-2")), recovery.ErrConflict)
	require.Equal(t, before+1, head(), "a refused batch audits nothing")
	_, err = f.k.GetRequestKey(ctx, "s-1", "k-2")
	require.ErrorIs(t, err, casework.ErrNotFound)
	out, err = f.k.ListOutbox(ctx, recovery.RecordItem, it.ID)
	require.NoError(t, err)
	require.Len(t, out, 1)
}

func testItemFilters(t *testing.T, f *fixture) {
	ctx := f.ctx
	units := []casework.Unit{f.a, f.a1, f.b}
	states := recovery.States
	cats := []string{"e_bike", "mobile_phone", "cage"}
	var all []recovery.Item
	for i := range 30 {
		it := f.item(units[i%3])
		it.State = states[i%len(states)]
		it.Category = cats[i%len(cats)]
		it.CaseID = fmt.Sprintf("case-%d", i%4)
		it.OwnerPersonID = fmt.Sprintf("person-%d", i%5)
		it.Origin = []recovery.Origin{recovery.OriginFound, recovery.OriginReported}[i%2]
		if i%6 == 0 {
			it.MatchedItemID = "other"
		}
		if i%7 == 0 {
			it.RecoveredAt, it.HoldUntil = time.Time{}, time.Time{}
		}
		it.Identifiers = append(it.Identifiers, casework.Identifier{Kind: "serial", Value: fmt.Sprintf("S%d", i%3)})
		if i%5 == 0 { // ties on CreatedAt are ordered by id
			it.CreatedAt = f.base
		}
		all = append(all, it)
	}
	f.put(t, recovery.Batch{NewItems: all})
	t0 := all[10].RecoveredAt
	filters := []recovery.ItemFilter{
		{},
		{UnitUnder: f.a.Path},
		{UnitUnder: f.a1.Path},
		{UnitUnder: f.b.Path, States: []recovery.State{recovery.StateRecovered, recovery.StateUnclaimed}},
		{States: []recovery.State{recovery.StateReturned}},
		{Category: "cage"},
		{Origin: recovery.OriginReported},
		{CaseID: "case-2"},
		{OwnerPersonID: "person-3"},
		{Identifier: "S1"},
		{Identifier: all[4].Identifiers[0].Value},
		{Unmatched: true},
		{RecoveredFrom: t0},
		{RecoveredTo: t0},
		{RecoveredFrom: t0, RecoveredTo: t0.Add(5 * time.Minute)},
		{StolenFrom: t0.Add(-48 * time.Hour), StolenTo: t0.Add(-47 * time.Hour)},
		{HoldExpired: all[12].HoldUntil},
		{IDs: []string{all[1].ID, all[2].ID}},
		{IDs: []string{}},
		{UnitUnder: f.a.Path, Category: "e_bike", Unmatched: true, States: []recovery.State{recovery.StateReportedStolen, recovery.StateRecovered}},
	}
	// The subtree holds with every other filter: a service searches by
	// identifier or owner only within the actor's reach.
	for _, flt := range filters {
		if flt.UnitUnder == "" {
			flt.UnitUnder = f.a1.Path
			filters = append(filters, flt)
		}
	}
	for i, flt := range filters {
		var want []recovery.Item
		for _, it := range all {
			if flt.ItemMatches(it) && (flt.UnitUnder == "" || casework.Contains(flt.UnitUnder, unitPath(f, it.UnitID))) {
				want = append(want, it)
			}
		}
		slices.SortFunc(want, byCreated)
		got, err := f.s.ListItems(ctx, flt, casework.Page{Limit: casework.MaxPageLimit})
		require.NoError(t, err, "filter %d", i)
		require.Equal(t, ids(want, itemID), ids(got, itemID), "filter %d: %+v", i, flt)
		// Paging in fours gives the same rows in the same order.
		var paged []recovery.Item
		after := ""
		for {
			page, err := f.s.ListItems(ctx, flt, casework.Page{Limit: 4, After: after})
			require.NoError(t, err)
			paged = append(paged, page...)
			if len(page) < 4 {
				break
			}
			last := page[len(page)-1]
			after = casework.Cursor{At: last.CreatedAt, ID: last.ID}.Encode()
		}
		require.Equal(t, ids(want, itemID), ids(paged, itemID), "paged filter %d", i)
	}
	got, err := f.s.GetItem(ctx, all[3].ID)
	require.NoError(t, err)
	require.Equal(t, all[3], got)
	_, err = f.s.ListItems(ctx, recovery.ItemFilter{}, casework.Page{After: "not a cursor"})
	require.ErrorIs(t, err, recovery.ErrInvalid)
}

func byCreated(a, b recovery.Item) int {
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

func unitPath(f *fixture, id string) string {
	for _, u := range []casework.Unit{f.root, f.a, f.a1, f.b} {
		if u.ID == id {
			return u.Path
		}
	}
	return ""
}

func testOtherLists(t *testing.T, f *fixture) {
	ctx := f.ctx
	itA, itB := f.item(f.a1), f.item(f.b)
	f.put(t, recovery.Batch{NewItems: []recovery.Item{itA, itB}})
	var rets []recovery.Return
	var evs []recovery.Event
	var dis []recovery.Disposal
	for i := range 6 {
		it := []recovery.Item{itA, itB}[i%2]
		r := f.ret(it)
		r.State = []recovery.ReturnState{recovery.ReturnRequested, recovery.ReturnApproved, recovery.ReturnCompleted}[i%3]
		r.EventID = []string{"", "ev-x"}[i%2]
		// Persons for the merge filter: p-owner owns 0 and 3, and
		// receives 4 as a delegate for another owner.
		switch i {
		case 0, 3:
			r.OwnerPersonID, r.RecipientPersonID = "p-owner", "p-owner"
		case 4:
			r.OwnerPersonID, r.RecipientPersonID = "p-other", "p-owner"
		default:
			r.OwnerPersonID, r.RecipientPersonID = "p-other", "p-other"
		}
		rets = append(rets, r)
		e := f.event([]casework.Unit{f.a, f.b}[i%2])
		if i%2 == 1 {
			e.State = recovery.EventHeld
		}
		evs = append(evs, e)
		d := f.disposal(it)
		if i%3 == 0 {
			d.State = recovery.DisposalCompleted
		}
		dis = append(dis, d)
	}
	f.put(t, recovery.Batch{NewReturns: rets, NewEvents: evs, NewDisposals: dis})
	check := func(name string, got, want []string) {
		t.Helper()
		require.Equal(t, want, got, name)
	}
	pick := func(keep func(int) bool, id func(int) string) []string {
		var out []string
		for i := range 6 {
			if keep(i) {
				out = append(out, id(i))
			}
		}
		return out
	}
	rs, err := f.s.ListReturns(ctx, recovery.ReturnFilter{UnitUnder: f.a.Path}, casework.Page{})
	require.NoError(t, err)
	check("returns under a", ids(rs, func(r recovery.Return) string { return r.ID }), pick(func(i int) bool { return i%2 == 0 }, func(i int) string { return rets[i].ID }))
	rs, err = f.s.ListReturns(ctx, recovery.ReturnFilter{States: []recovery.ReturnState{recovery.ReturnApproved}, EventID: "ev-x"}, casework.Page{})
	require.NoError(t, err)
	check("approved returns of ev-x", ids(rs, func(r recovery.Return) string { return r.ID }), pick(func(i int) bool { return i%3 == 1 && i%2 == 1 }, func(i int) string { return rets[i].ID }))
	rs, err = f.s.ListReturns(ctx, recovery.ReturnFilter{PersonID: "p-owner"}, casework.Page{})
	require.NoError(t, err)
	check("returns naming p-owner as owner or recipient", ids(rs, func(r recovery.Return) string { return r.ID }), []string{rets[0].ID, rets[3].ID, rets[4].ID})
	rs, err = f.s.ListReturns(ctx, recovery.ReturnFilter{ItemID: itB.ID, CaseID: itB.CaseID}, casework.Page{Limit: 2})
	require.NoError(t, err)
	check("returns of item b, first page", ids(rs, func(r recovery.Return) string { return r.ID }), []string{rets[1].ID, rets[3].ID})
	got, err := f.s.GetReturn(ctx, rets[2].ID)
	require.NoError(t, err)
	require.Equal(t, rets[2], got)

	es, err := f.s.ListEvents(ctx, recovery.EventFilter{States: []recovery.EventState{recovery.EventHeld}}, casework.Page{})
	require.NoError(t, err)
	check("held events", ids(es, func(e recovery.Event) string { return e.ID }), pick(func(i int) bool { return i%2 == 1 }, func(i int) string { return evs[i].ID }))
	es, err = f.s.ListEvents(ctx, recovery.EventFilter{UnitUnder: f.a.Path, From: evs[2].Date}, casework.Page{})
	require.NoError(t, err)
	check("events under a from the third", ids(es, func(e recovery.Event) string { return e.ID }), []string{evs[2].ID, evs[4].ID})
	ev, err := f.s.GetEvent(ctx, evs[1].ID)
	require.NoError(t, err)
	require.Equal(t, evs[1], ev)

	ds, err := f.s.ListDisposals(ctx, recovery.DisposalFilter{States: []recovery.DisposalState{recovery.DisposalCompleted}}, casework.Page{})
	require.NoError(t, err)
	check("completed disposals", ids(ds, func(d recovery.Disposal) string { return d.ID }), []string{dis[0].ID, dis[3].ID})
	ds, err = f.s.ListDisposals(ctx, recovery.DisposalFilter{UnitUnder: f.b.Path, ItemID: itB.ID}, casework.Page{Limit: 2, After: casework.Cursor{At: dis[1].CreatedAt, ID: dis[1].ID}.Encode()})
	require.NoError(t, err)
	check("disposals of b after the first", ids(ds, func(d recovery.Disposal) string { return d.ID }), []string{dis[3].ID, dis[5].ID})
	dg, err := f.s.GetDisposal(ctx, dis[4].ID)
	require.NoError(t, err)
	require.Equal(t, dis[4], dg)
}

func testNoAliasing(t *testing.T, f *fixture) {
	ctx := f.ctx
	it := f.item(f.a)
	want := it.Clone()
	r := f.ret(it)
	wantR := r.Clone()
	e := f.event(f.a)
	wantE := e.Clone()
	d := f.disposal(it)
	wantD := d.Clone()
	en := f.entry(it.ID, 1)
	wantEn := en.Clone()
	b := recovery.Batch{NewItems: []recovery.Item{it}, NewReturns: []recovery.Return{r}, NewEvents: []recovery.Event{e},
		NewDisposals: []recovery.Disposal{d}, Custody: []recovery.CustodyEntry{en}}
	f.put(t, b)
	// Mutating the arguments after the call changes nothing stored.
	b.NewItems[0].Identifiers[0].Value = "X"
	it.Identifiers[0].Value, it.Traces[0].ArrestID = "Y", "Y"
	r.Authorisation.Name, r.Attempts[0].Reason = "Y", "Y"
	e.ReturnIDs[0], e.Results[0].Receipt.Name = "Y", "Y"
	d.Document.Name = "Y"
	en.Photos[0] = "Y"
	gotIt, err := f.s.GetItem(ctx, want.ID)
	require.NoError(t, err)
	require.Equal(t, want, gotIt)
	gotR, err := f.s.GetReturn(ctx, wantR.ID)
	require.NoError(t, err)
	require.Equal(t, wantR, gotR)
	gotE, err := f.s.GetEvent(ctx, wantE.ID)
	require.NoError(t, err)
	require.Equal(t, wantE, gotE)
	gotD, err := f.s.GetDisposal(ctx, wantD.ID)
	require.NoError(t, err)
	require.Equal(t, wantD, gotD)
	gotEn, err := f.s.Custody(ctx, want.ID)
	require.NoError(t, err)
	require.Equal(t, []recovery.CustodyEntry{wantEn}, gotEn)
	// Mutating returned values changes nothing stored either.
	gotIt.Identifiers[0].Value, gotIt.Traces[0].ArrestID = "Z", "Z"
	gotR.Authorisation.Name, gotR.Attempts[0].Reason = "Z", "Z"
	gotE.ReturnIDs[0], gotE.Results[0].Receipt.Name = "Z", "Z"
	gotD.Document.Name = "Z"
	gotEn[0].Photos[0] = "Z"
	listed, err := f.s.ListItems(ctx, recovery.ItemFilter{}, casework.Page{})
	require.NoError(t, err)
	listed[0].Identifiers[0].Value = "Z"
	again, err := f.s.GetItem(ctx, want.ID)
	require.NoError(t, err)
	require.Equal(t, want, again)
	againR, err := f.s.GetReturn(ctx, wantR.ID)
	require.NoError(t, err)
	require.Equal(t, wantR, againR)
	againE, err := f.s.GetEvent(ctx, wantE.ID)
	require.NoError(t, err)
	require.Equal(t, wantE, againE)
	againD, err := f.s.GetDisposal(ctx, wantD.ID)
	require.NoError(t, err)
	require.Equal(t, wantD, againD)
	againEn, err := f.s.Custody(ctx, want.ID)
	require.NoError(t, err)
	require.Equal(t, []recovery.CustodyEntry{wantEn}, againEn)
}

func testTimestamps(t *testing.T, f *fixture) {
	ctx := f.ctx
	// Microsecond precision, UTC, far from the epoch and across DST-free
	// zones: what goes in comes out.
	at := time.Date(2031, 12, 31, 23, 59, 59, 999999000, time.UTC)
	it := f.item(f.a)
	it.StolenAt, it.RecoveredAt, it.HoldUntil = at.Add(-time.Microsecond), at, at.Add(time.Microsecond)
	it.IdentifiedAt, it.ReturnedAt, it.UnclaimedAt, it.DisposedAt = at.Add(2*time.Microsecond), at.Add(3*time.Microsecond), at.Add(4*time.Microsecond), at.Add(5*time.Microsecond)
	it.CreatedAt, it.UpdatedAt = time.Date(1970, 1, 1, 0, 0, 0, 1000, time.UTC), at
	it.Traces[0].At = at.Add(7 * time.Microsecond)
	en := f.entry(it.ID, 1)
	en.At, en.CreatedAt = at.Add(8*time.Microsecond), at.Add(9*time.Microsecond)
	r := f.ret(it)
	r.RequestedAt, r.DecidedAt, r.CompletedAt = at, at.Add(time.Microsecond), at.Add(2*time.Microsecond)
	r.Attempts[0].At = at.Add(3 * time.Microsecond)
	e := f.event(f.a)
	e.Date, e.HeldAt = at, at.Add(time.Microsecond)
	d := f.disposal(it)
	d.RequestedAt, d.DecidedAt, d.CompletedAt = at, at.Add(time.Microsecond), at.Add(2*time.Microsecond)
	f.put(t, recovery.Batch{NewItems: []recovery.Item{it}, Custody: []recovery.CustodyEntry{en}, NewReturns: []recovery.Return{r},
		NewEvents: []recovery.Event{e}, NewDisposals: []recovery.Disposal{d}})
	gotIt, err := f.s.GetItem(ctx, it.ID)
	require.NoError(t, err)
	require.Equal(t, it, gotIt)
	require.Equal(t, time.UTC, gotIt.RecoveredAt.Location())
	gotEn, err := f.s.Custody(ctx, it.ID)
	require.NoError(t, err)
	require.Equal(t, en, gotEn[0])
	gotR, err := f.s.GetReturn(ctx, r.ID)
	require.NoError(t, err)
	require.Equal(t, r, gotR)
	gotE, err := f.s.GetEvent(ctx, e.ID)
	require.NoError(t, err)
	require.Equal(t, e, gotE)
	gotD, err := f.s.GetDisposal(ctx, d.ID)
	require.NoError(t, err)
	require.Equal(t, d, gotD)
	// Zero times stay zero.
	z := f.item(f.a)
	z.StolenAt, z.RecoveredAt, z.HoldUntil, z.Traces = time.Time{}, time.Time{}, time.Time{}, nil
	f.put(t, recovery.Batch{NewItems: []recovery.Item{z}})
	gotZ, err := f.s.GetItem(ctx, z.ID)
	require.NoError(t, err)
	require.Equal(t, z, gotZ)
	require.True(t, gotZ.RecoveredAt.IsZero())
}

func testCancelled(t *testing.T, f *fixture) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	it := f.item(f.a)
	err := f.s.Apply(ctx, recovery.Batch{NewItems: []recovery.Item{it}}, casework.Change{})
	require.ErrorIs(t, err, context.Canceled)
	_, err = f.s.GetItem(f.ctx, it.ID)
	require.ErrorIs(t, err, recovery.ErrNotFound, "a cancelled write writes nothing")
	f.put(t, recovery.Batch{NewItems: []recovery.Item{it}})
	_, err = f.s.GetItem(ctx, it.ID)
	require.ErrorIs(t, err, context.Canceled)
	_, err = f.s.ListItems(ctx, recovery.ItemFilter{}, casework.Page{})
	require.ErrorIs(t, err, context.Canceled)
	_, err = f.s.Custody(ctx, it.ID)
	require.ErrorIs(t, err, context.Canceled)
	_, err = f.s.ListReturns(ctx, recovery.ReturnFilter{}, casework.Page{})
	require.ErrorIs(t, err, context.Canceled)
	_, err = f.s.Totals(ctx, recovery.TotalsFilter{})
	require.ErrorIs(t, err, context.Canceled)
}

func testConcurrentCAS(t *testing.T, f *fixture) {
	it := f.item(f.a)
	it.CustodySeq = 1
	f.put(t, recovery.Batch{NewItems: []recovery.Item{it}, Custody: []recovery.CustodyEntry{f.entry(it.ID, 1)}})
	const writers, rounds = 8, 4
	for round := range rounds {
		cur, err := f.s.GetItem(f.ctx, it.ID)
		require.NoError(t, err)
		var wins, conflicts atomic.Int32
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				next := cur.Clone()
				next.Version = cur.Version + 1
				next.Description = fmt.Sprintf("round %d writer %d", round, w)
				next.CustodySeq = cur.CustodySeq + 1
				err := f.s.Apply(f.ctx, recovery.Batch{Items: []recovery.Item{next}, Custody: []recovery.CustodyEntry{f.entry(it.ID, next.CustodySeq)}}, casework.Change{})
				switch {
				case err == nil:
					wins.Add(1)
				case errors.Is(err, recovery.ErrConflict):
					conflicts.Add(1)
				default:
					t.Errorf("writer %d: %v", w, err)
				}
			}()
		}
		wg.Wait()
		require.Equal(t, int32(1), wins.Load(), "round %d: exactly one writer wins", round)
		require.Equal(t, int32(writers-1), conflicts.Load())
		got, err := f.s.GetItem(f.ctx, it.ID)
		require.NoError(t, err)
		require.Equal(t, cur.Version+1, got.Version)
		es, err := f.s.Custody(f.ctx, it.ID)
		require.NoError(t, err)
		require.Len(t, es, int(got.CustodySeq))
	}
}

func testTotals(t *testing.T, f *fixture) {
	ctx := f.ctx
	start := f.base
	end := start.Add(30 * 24 * time.Hour)
	in, before, after := start.Add(time.Hour), start.Add(-time.Hour), end
	var items []recovery.Item
	var want recovery.Totals
	wantA := recovery.Totals{}
	for i := range 24 {
		u := []casework.Unit{f.a, f.a1, f.b}[i%3]
		it := f.item(u)
		it.ValueFen = int64(1000 * (i + 1))
		times := []time.Time{in, before, after, {}}
		it.RecoveredAt = times[i%4]
		it.ReturnedAt = times[(i+1)%4]
		it.UnclaimedAt = times[(i+2)%4]
		it.DisposedAt = times[(i/4)%4]
		items = append(items, it)
		var t recovery.Totals
		if it.RecoveredAt.Equal(in) {
			t.ItemsRecovered, t.ValueRecoveredFen = 1, it.ValueFen
		}
		if it.ReturnedAt.Equal(in) {
			t.ItemsReturned, t.ValueReturnedFen = 1, it.ValueFen
		}
		if it.UnclaimedAt.Equal(in) {
			t.ItemsUnclaimed = 1
		}
		if it.DisposedAt.Equal(in) {
			t.ItemsDisposed = 1
		}
		want = want.Add(t)
		if u.ID != f.b.ID {
			wantA = wantA.Add(t)
		}
	}
	var evs []recovery.Event
	var dis []recovery.Disposal
	for i := range 6 {
		u := []casework.Unit{f.a1, f.b}[i%2]
		e := f.event(u)
		e.HeldAt = []time.Time{in, before, in}[i%3]
		if i != 2 {
			e.State = recovery.EventHeld
		}
		evs = append(evs, e)
		if e.State == recovery.EventHeld && e.HeldAt.Equal(in) {
			want.ReturnEvents++
			if u.ID == f.a1.ID {
				wantA.ReturnEvents++
			}
		}
		d := f.disposal(items[i])
		d.UnitID = u.ID
		d.ProceedsFen = int64(100 * (i + 1))
		d.CompletedAt = []time.Time{in, after, in}[i%3]
		if i%2 == 0 {
			d.State = recovery.DisposalCompleted
		}
		dis = append(dis, d)
		if d.State == recovery.DisposalCompleted && d.CompletedAt.Equal(in) {
			want.DisposalProceedsFen += d.ProceedsFen
			if u.ID == f.a1.ID {
				wantA.DisposalProceedsFen += d.ProceedsFen
			}
		}
	}
	f.put(t, recovery.Batch{NewItems: items, NewEvents: evs, NewDisposals: dis})
	got, err := f.s.Totals(ctx, recovery.TotalsFilter{UnitUnder: f.root.Path, Start: start, End: end})
	require.NoError(t, err)
	require.Equal(t, want, got)
	gotAll, err := f.s.Totals(ctx, recovery.TotalsFilter{Start: start, End: end})
	require.NoError(t, err)
	require.Equal(t, want, gotAll)
	gotA, err := f.s.Totals(ctx, recovery.TotalsFilter{UnitUnder: f.a.Path, Start: start, End: end})
	require.NoError(t, err)
	require.Equal(t, wantA, gotA)
	empty, err := f.s.Totals(ctx, recovery.TotalsFilter{UnitUnder: f.a.Path, Start: end.Add(time.Hour), End: end.Add(2 * time.Hour)})
	require.NoError(t, err)
	require.Equal(t, recovery.Totals{}, empty)
}
