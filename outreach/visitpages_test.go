package outreach_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	cmem "github.com/grassroots-policing/grassroots/casework/memstore"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/grassroots-policing/grassroots/outreach/memstore"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
)

// refCounting counts the store's reads of list refs.
type refCounting struct {
	outreach.Store
	reads atomic.Int64
}

func (c *refCounting) ListVisitRefs(ctx context.Context, f outreach.VisitFilter, p casework.Page) ([]outreach.VisitRef, error) {
	c.reads.Add(1)
	return c.Store.ListVisitRefs(ctx, f, p)
}

// A list's page of refs is answered again only while nothing was
// committed, and each actor still gets their own view of the kept page. A
// visit recorded or amended by another kernel on the same database handle
// (this process) is listed at once; by another process (a handle of its
// own), once the kernel's watch has looked (CacheWatch), or at once when
// it does not watch.
func TestVisitPagesAnswerWhatAnotherProcessWrote(t *testing.T) {
	t.Parallel()
	const watch = time.Hour // looks only when the test's clock says so
	for _, tc := range []struct {
		name, backend string
		bytes         int64
		cacheWatch    time.Duration
		process       bool // the other kernel has a database handle of its own
	}{
		{name: "memory", backend: "memory"},
		{name: "sqlite", backend: "sqlite"},
		{name: "postgres", backend: "postgres"},
		{name: "sqlite/process", backend: "sqlite", process: true},
		{name: "postgres/process", backend: "postgres", process: true},
		{name: "sqlite/process/unwatched", backend: "sqlite", process: true, cacheWatch: -1},
		{name: "sqlite/off", backend: "sqlite", bytes: -1, process: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var ks, ks2 casework.KernelStore
			var os, os2 outreach.Store
			switch tc.backend {
			case "memory":
				kdb := cmem.New()
				ks, os = kdb, memstore.New(kdb)
				ks2, os2 = ks, os
			case "sqlite":
				db, path := testdb.SQLiteFile(t)
				ks, os = sqlStores(t, db, casesql.SQLite)
				ks2, os2 = ks, os
				if tc.process {
					db2, err := testdb.DefaultOpenSQLite(path)
					require.NoError(t, err)
					t.Cleanup(func() { _ = db2.Close() })
					ks2, os2 = sqlStores(t, db2, casesql.SQLite)
				}
			case "postgres":
				pg := testdb.Postgres(t)
				ks, os = sqlStores(t, pg.DB, casesql.Postgres)
				ks2, os2 = ks, os
				if tc.process {
					ks2, os2 = sqlStores(t, pg.Open(t), casesql.Postgres)
				}
			}
			counted := &refCounting{Store: os}
			cacheWatch := cmp.Or(tc.cacheWatch, watch)
			b := setupWithKernel(t, ks, counted, casework.Config{CacheWatch: cacheWatch}, &outreach.Config{PageCacheBytes: tc.bytes})
			k2, err := casework.New(ks2, &casework.Config{Clock: b.clock, IDs: &casework.SequentialIDs{Prefix: "other-"}})
			require.NoError(t, err)
			other, err := outreach.New(k2, os2, nil)
			require.NoError(t, err)
			cached := tc.bytes >= 0
			atOnce := !tc.process || !cached || cacheWatch < 0

			p := b.person(t, "重点人员家属", casework.TagKeyPerson)
			first, err := b.svc.RecordVisit(b.ctx, b.community, outreach.VisitInput{UnitID: b.station.ID, AddressID: b.address.ID,
				TargetKind: outreach.KeyPersonFamily, PersonID: p.ID, Notes: "近况稳定"})
			require.NoError(t, err)
			b.clock.Advance(time.Hour)

			list := func(a casework.Actor) []casework.Listed {
				t.Helper()
				page, err := b.svc.ListVisitPage(b.ctx, a, outreach.VisitQuery{UnitID: b.station.ID})
				require.NoError(t, err)
				return page.Items
			}
			ids := func(items []casework.Listed) []string {
				out := make([]string, len(items))
				for i, it := range items {
					out[i] = it.ID
				}
				return out
			}
			// seen lists as the officer until the list holds want, with the
			// watch due at most once (a list that does not wait for it must
			// hold want the first time).
			seen := func(want func([]casework.Listed) bool, msg string) {
				t.Helper()
				if !atOnce {
					before := counted.reads.Load()
					require.False(t, want(list(b.officer)), "before the watch looks, the kept page answers: %s", msg)
					require.Equal(t, before, counted.reads.Load(), "and the store was not read")
					b.clock.Advance(cacheWatch)
				}
				require.True(t, want(list(b.officer)), msg)
			}

			require.Equal(t, []string{first.ID}, ids(list(b.officer)))
			reads := counted.reads.Load()
			masked, whole := list(b.officer), list(b.community)
			require.Equal(t, casework.ViewMasked, masked[0].View, "the officer sees the key person's visit masked")
			require.Empty(t, whole[0].View, "the community officer sees it whole")
			if cached {
				require.Equal(t, reads, counted.reads.Load(), "nothing was written: the kept page answers")
			} else {
				require.Equal(t, reads+2, counted.reads.Load(), "no cache: every list reads")
			}

			second, err := other.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, AddressID: b.address.ID,
				TargetKind: outreach.DifficultFamily, Organisation: "赵希兰家"})
			require.NoError(t, err)
			seen(func(items []casework.Listed) bool { return len(items) == 2 }, "a visit recorded elsewhere is listed")
			require.ElementsMatch(t, []string{first.ID, second.ID}, ids(list(b.officer)))

			notes := "复访"
			_, err = other.AmendVisit(b.ctx, b.officer, second.ID, second.Version, outreach.VisitAmendment{Notes: &notes})
			require.NoError(t, err)
			seen(func(items []casework.Listed) bool {
				return slices.ContainsFunc(items, func(it casework.Listed) bool { return it.ID == second.ID && it.Version == second.Version+1 })
			}, "an amendment made elsewhere is listed at its new version")

			// A write of this process is listed at once, watched or not.
			third, err := b.svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, AddressID: b.address.ID,
				TargetKind: outreach.DifficultFamily, Organisation: "李家"})
			require.NoError(t, err)
			require.Contains(t, ids(list(b.officer)), third.ID)
		})
	}
}

// However lists and writes interleave, a list that begins after a write
// returned holds it: a page read while the write was in flight is never
// answered after it.
func TestVisitPagesHoldEveryWriteThatReturned(t *testing.T) {
	t.Parallel()
	for _, backend := range []string{"memory", "sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			// The watch looks once, as the world is set up: every list
			// below is answered by the writes counted, never by the head.
			b := setupOnKernel(t, backend, casework.Config{CacheWatch: time.Hour}, nil)
			listed := func() (map[string]bool, error) {
				page, err := b.svc.ListVisitPage(b.ctx, b.officer, outreach.VisitQuery{UnitID: b.station.ID, Page: casework.Page{Limit: 200}})
				if err != nil {
					return nil, err
				}
				ids := map[string]bool{}
				for _, it := range page.Items {
					ids[it.ID] = true
				}
				return ids, nil
			}
			stop := make(chan struct{})
			var g errgroup.Group
			for range 2 { // listers that keep pages while the writers write
				g.Go(func() error {
					for {
						select {
						case <-stop:
							return nil
						default:
						}
						if _, err := listed(); err != nil {
							return err
						}
					}
				})
			}
			var writers errgroup.Group
			for w := range 3 {
				writers.Go(func() error {
					for i := range 8 {
						v, err := b.svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, AddressID: b.address.ID,
							TargetKind: outreach.DifficultFamily, Organisation: fmt.Sprintf("第%d组第%d户", w, i)})
						if err != nil {
							return err
						}
						ids, err := listed()
						if err != nil {
							return err
						}
						if !ids[v.ID] {
							return fmt.Errorf("visit %s returned, then a list left it out", v.ID)
						}
					}
					return nil
				})
			}
			require.NoError(t, writers.Wait())
			close(stop)
			require.NoError(t, g.Wait())
		})
	}
}
