package outreach_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/stretchr/testify/require"
)

// TestConcurrentCreateBurst sends a burst of concurrent visit creates (on
// SQLite they commit in groups): every key used twice with the same input
// answers one visit, a key used twice with different inputs answers one
// visit and one ErrRequestKeyReused that leaves nothing, and afterwards the
// audit chain verifies and holds exactly one create's entries per visit.
func TestConcurrentCreateBurst(t *testing.T) {
	t.Parallel()
	for _, backend := range []string{"memory", "sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			b := setupOn(t, backend, nil)
			p := b.person(t, "走访对象")
			in := outreach.VisitInput{UnitID: b.station.ID, PersonID: p.ID, TargetKind: outreach.DifficultFamily, VisitedAt: start,
				Services: []outreach.ServiceGiven{{Kind: outreach.ServiceDoorToDoor}}}
			h0, err := b.ks.AuditHead(b.ctx)
			require.NoError(t, err)
			first := in
			first.RequestKey = "probe"
			_, err = b.svc.RecordVisit(b.ctx, b.officer, first)
			require.NoError(t, err)
			h1, err := b.ks.AuditHead(b.ctx)
			require.NoError(t, err)
			perCreate := h1.Seq - h0.Seq
			require.Positive(t, perCreate)

			const keys = 24
			type answer struct {
				v   outreach.Visit
				err error
			}
			got := make([][2]answer, keys)
			var wg sync.WaitGroup
			for k := range keys {
				for j := range 2 {
					wg.Go(func() {
						in := in
						in.RequestKey = fmt.Sprintf("burst-%d", k)
						if k%3 == 0 && j == 1 { // the same key, another request
							in.Notes = "另一份记录"
						}
						v, err := b.svc.RecordVisit(b.ctx, b.officer, in)
						got[k][j] = answer{v, err}
					})
				}
			}
			wg.Wait()
			visits := map[string]bool{}
			for k, pair := range got {
				if k%3 == 0 {
					ok := 0
					for _, a := range pair {
						if a.err == nil {
							ok++
							visits[a.v.ID] = true
						} else {
							require.ErrorIs(t, a.err, casework.ErrRequestKeyReused)
							require.ErrorIs(t, a.err, errs.ErrConflict)
						}
					}
					require.Equal(t, 1, ok, "key %d used for two requests: one wins", k)
					continue
				}
				require.NoError(t, pair[0].err)
				require.NoError(t, pair[1].err)
				require.Equal(t, pair[0].v.ID, pair[1].v.ID, "key %d: one visit", k)
				visits[pair[0].v.ID] = true
			}
			require.Len(t, visits, keys)
			for id := range visits {
				_, err := b.svc.GetVisit(b.ctx, b.officer, id)
				require.NoError(t, err)
			}
			list, _, err := b.svc.ListVisits(b.ctx, b.officer, outreach.VisitQuery{UnitID: b.station.ID, Page: casework.Page{Limit: 100}})
			require.NoError(t, err)
			require.Len(t, list, keys+1, "the probe and one visit per key, nothing of the refused")
			h2, err := b.ks.AuditHead(b.ctx)
			require.NoError(t, err)
			require.Equal(t, int64(keys)*perCreate, h2.Seq-h1.Seq, "one create's audit entries per visit")
			b.verify(t)
		})
	}
}
