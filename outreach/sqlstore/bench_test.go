package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	kstoretest "github.com/grassroots-policing/grassroots/casework/storetest"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/stretchr/testify/require"
)

// BenchmarkTally times the tally of one year, for the whole tree and for
// one station, over three years of visits and hazards (a third of them
// rectified) spread over four stations.
func BenchmarkTally(b *testing.B) {
	for _, engine := range []struct {
		name string
		open func(testing.TB) (*sql.DB, casesql.Engine)
	}{
		{"sqlite", func(t testing.TB) (*sql.DB, casesql.Engine) { return testdb.SQLite(t), casesql.SQLite }},
		{"postgres", func(t testing.TB) (*sql.DB, casesql.Engine) { return testdb.Postgres(t).DB, casesql.Postgres }},
	} {
		b.Run(engine.name, func(b *testing.B) {
			ctx := context.Background()
			db, e := engine.open(b)
			s, k := open(b, db, e)
			root, stations := kstoretest.UnitTree(b, k, 2, 2)
			start := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
			const n = 3000
			for i := range n {
				at := start.Add(time.Duration(i) * (3 * 365 * 24 * time.Hour / n))
				unit := stations[i%len(stations)].ID
				id := fmt.Sprintf("v-%05d", i)
				w := outreach.VisitWrite{Visit: outreach.Visit{ID: id, UnitID: unit, OfficerIDs: []string{"st-1"}, VisitedAt: at,
					TargetKind: outreach.DifficultFamily, TargetKey: fmt.Sprintf("org:%d", i%700), Organisation: "org",
					Services: []outreach.ServiceGiven{{Kind: outreach.ServiceDoorToDoor}}, RecordedBy: "st-1", Version: 1, CreatedAt: at, UpdatedAt: at}}
				if i%3 == 0 {
					h := outreach.Hazard{ID: "h-" + id, UnitID: unit, VisitID: id, Place: "楼道", Kind: "fire", Severity: outreach.SeverityGeneral,
						Description: "杂物堵塞", Responsible: "物业", Deadline: at.Add(72 * time.Hour), Status: outreach.HazardFound, FoundBy: "st-1",
						FoundAt: at, Version: 1, CreatedAt: at, UpdatedAt: at}
					if i%2 == 0 {
						h.Status, h.RectifiedAt, h.RectifiedBy = outreach.HazardRectified, at.Add(48*time.Hour), "st-1"
					}
					w.Hazards = []outreach.Hazard{h}
					w.Visit.HazardIDs = []string{h.ID}
				}
				require.NoError(b, s.CreateVisit(ctx, w, casework.Change{}))
			}
			from, to := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
			for _, u := range []struct {
				name, path string
			}{{"city", root.Path}, {"station", stations[0].Path}} {
				b.Run(u.name, func(b *testing.B) {
					for b.Loop() {
						if _, err := s.Tally(ctx, outreach.TallyFilter{UnitUnder: u.path, From: from, To: to}); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
