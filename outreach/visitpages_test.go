package outreach_test

import (
	"context"
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
// committed: a visit recorded or amended through another kernel and
// service on the same database (as by another process) is listed at
// once, and each actor still gets their own view of the kept page.
func TestVisitPagesAnswerWhatAnotherProcessWrote(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		backend string
		bytes   int64
		cached  bool
	}{
		{"memory", 0, true}, {"sqlite", 0, true}, {"postgres", 0, true}, {"sqlite", -1, false},
	} {
		t.Run(tc.backend, func(t *testing.T) {
			t.Parallel()
			var ks casework.KernelStore
			var os outreach.Store
			switch tc.backend {
			case "memory":
				kdb := cmem.New()
				ks, os = kdb, memstore.New(kdb)
			case "sqlite":
				ks, os = sqlStores(t, testdb.SQLite(t), casesql.SQLite)
			case "postgres":
				ks, os = sqlStores(t, testdb.Postgres(t).DB, casesql.Postgres)
			}
			counted := &refCounting{Store: os}
			b := setupWith(t, ks, counted, &outreach.Config{PageCacheBytes: tc.bytes})
			k2, err := casework.New(ks, &casework.Config{Clock: b.clock, IDs: &casework.SequentialIDs{Prefix: "other-"}})
			require.NoError(t, err)
			other, err := outreach.New(k2, os, nil)
			require.NoError(t, err)

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

			require.Equal(t, []string{first.ID}, ids(list(b.officer)))
			reads := counted.reads.Load()
			masked, whole := list(b.officer), list(b.community)
			require.Equal(t, casework.ViewMasked, masked[0].View, "the officer sees the key person's visit masked")
			require.Empty(t, whole[0].View, "the community officer sees it whole")
			if tc.cached {
				require.Equal(t, reads, counted.reads.Load(), "nothing was written: the kept page answers")
			} else {
				require.Equal(t, reads+2, counted.reads.Load(), "no cache: every list reads")
			}

			second, err := other.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, AddressID: b.address.ID,
				TargetKind: outreach.DifficultFamily, Organisation: "赵希兰家"})
			require.NoError(t, err)
			require.ElementsMatch(t, []string{first.ID, second.ID}, ids(list(b.officer)), "a visit recorded elsewhere is listed at once")

			notes := "复访"
			_, err = other.AmendVisit(b.ctx, b.officer, second.ID, second.Version, outreach.VisitAmendment{Notes: &notes})
			require.NoError(t, err)
			for _, it := range list(b.officer) {
				if it.ID == second.ID {
					require.Equal(t, second.Version+1, it.Version, "an amendment made elsewhere is listed at its new version")
				}
			}
		})
	}
}
