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

// benchEngines are the SQL engines every benchmark here runs on.
var benchEngines = []struct {
	name string
	open func(testing.TB) (*sql.DB, casesql.Engine)
}{
	{"sqlite", func(t testing.TB) (*sql.DB, casesql.Engine) { return testdb.SQLite(t), casesql.SQLite }},
	{"postgres", func(t testing.TB) (*sql.DB, casesql.Engine) { return testdb.Postgres(t).DB, casesql.Postgres }},
}

// BenchmarkTally times the tally of one year, for the whole tree and for
// one station, over three years of visits and hazards (a third of them
// rectified) spread over four stations.
func BenchmarkTally(b *testing.B) {
	for _, engine := range benchEngines {
		b.Run(engine.name, func(b *testing.B) {
			ctx := context.Background()
			db, e := engine.open(b)
			s, root, stations := benchCity(b, db, e, 3000)
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

// benchCity records n visits over three years, spread over four stations;
// a third of them find a hazard, half of those rectified. It returns the
// store, the root and the stations.
func benchCity(b *testing.B, db *sql.DB, e casesql.Engine, n int) (outreach.Store, casework.Unit, []casework.Unit) {
	ctx := context.Background()
	s, k := open(b, db, e)
	root, stations := kstoretest.UnitTree(b, k, 2, 2)
	start := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		at := start.Add(time.Duration(i) * (3 * 365 * 24 * time.Hour / time.Duration(n)))
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
	return s, root, stations
}

// BenchmarkListVisits times a station's work list: 50 visits of one kind
// from a date (here the start of a history of 12,000), in order, over the benchCity history (the first page,
// and the page after it through its cursor).
func BenchmarkListVisits(b *testing.B) {
	for _, engine := range benchEngines {
		b.Run(engine.name, func(b *testing.B) {
			ctx := context.Background()
			db, e := engine.open(b)
			s, root, stations := benchCity(b, db, e, 12000)
			from := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC) // the whole history
			for _, u := range []struct {
				name, path string
			}{{"station", stations[0].Path}, {"city", root.Path}} {
				f := outreach.VisitFilter{UnitUnder: u.path, TargetKind: outreach.DifficultFamily, From: from}
				first, err := s.ListVisits(ctx, f, casework.Page{Limit: 51})
				require.NoError(b, err)
				require.Len(b, first, 51)
				next := casework.Cursor{At: first[49].VisitedAt, ID: first[49].ID}.Encode()
				for _, pg := range []struct {
					name  string
					after string
				}{{"first", ""}, {"next", next}} {
					b.Run(u.name+"/"+pg.name, func(b *testing.B) {
						for b.Loop() {
							if _, err := s.ListVisits(ctx, f, casework.Page{Limit: 51, After: pg.after}); err != nil {
								b.Fatal(err)
							}
						}
					})
				}
			}
		})
	}
}
