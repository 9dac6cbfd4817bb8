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

// BenchmarkReport times outreach's part of the report
// (kstoretest.BenchReport: the city's year, a station's, a monthly and a
// daily series; grid against period by period) over three years of
// 100,000 visits (seven kinds, repeated targets), 10,000 hazards, 5,000
// rectifications and 5,000 done appointments in a 20-station city,
// bulk-inserted.
func BenchmarkReport(b *testing.B) {
	for _, engine := range []struct {
		name string
		open func(testing.TB) (*sql.DB, casesql.Engine)
	}{
		{"sqlite", func(t testing.TB) (*sql.DB, casesql.Engine) { return testdb.SQLite(t), casesql.SQLite }},
		{"postgres", func(t testing.TB) (*sql.DB, casesql.Engine) { return testdb.Postgres(t).DB, casesql.Postgres }},
	} {
		b.Run(engine.name, func(b *testing.B) {
			db, e := engine.open(b)
			s, k := open(b, db, e)
			root, stations := kstoretest.UnitTree(b, k, 4, 5)
			const n = 100000
			hour := int64(time.Hour / time.Microsecond)
			unit := func(i int) string { return stations[i%len(stations)].ID }
			kstoretest.BulkInsert(b, db, "outreach_visits", []string{"id", "unit_id", "officer_ids", "visited_at", "target_kind", "target_key",
				"services", "aid", "findings", "hazard_ids", "registry_version", "recorded_by", "n_appointment", "n_door_to_door", "n_errand",
				"n_aid", "n_disputes", "n_leads", "version", "created_at", "updated_at"}, n, func(i int) []any {
				at := kstoretest.HistoryAt(i, n)
				kind := outreach.TargetKinds[i%len(outreach.TargetKinds)]
				return []any{fmt.Sprintf("v-%06d", i), unit(i), "[]", at, string(kind), fmt.Sprintf("%s:%d", kind, i%9000), "[]", "[]", "[]", "[]",
					0, "st-1", i % 2, 1, i % 3 / 2, i % 4 / 3, i % 50 / 49, i % 70 / 69, 1, at, at}
			})
			kstoretest.BulkInsert(b, db, "outreach_hazards", []string{"id", "unit_id", "place", "kind", "severity", "description", "responsible",
				"status", "found_by", "found_at", "version", "created_at", "updated_at"}, n/10, func(i int) []any {
				at := kstoretest.HistoryAt(10*i, n)
				return []any{fmt.Sprintf("h-%06d", i), unit(i), "楼道", "fire", "general", "杂物堵塞", "物业", "rectified", "st-1", at, 2, at, at}
			})
			kstoretest.BulkInsert(b, db, "outreach_hazard_events", []string{"hazard_id", "version", "kind", "at", "unit_id"}, n/20, func(i int) []any {
				return []any{fmt.Sprintf("h-%06d", 2*i), 2, "rectified", kstoretest.HistoryAt(20*i, n) + 48*hour, unit(2 * i)}
			})
			kstoretest.BulkInsert(b, db, "outreach_appointments", []string{"id", "unit_id", "service", "requester", "place", "request",
				"starts_at", "ends_at", "status", "officer_id", "recorded_by", "closed_at", "version", "created_at", "updated_at"}, n/20, func(i int) []any {
				at := kstoretest.HistoryAt(20*i, n)
				return []any{fmt.Sprintf("ap-%06d", i), unit(i), "door_to_door", "居民", "家中", "办证", at, at + hour, "done", "st-1", "st-1", at + hour, 2, at, at}
			})
			kstoretest.BenchReport(b, root.Path, stations[0].Path, func(ctx context.Context, g casework.Grid) error {
				_, err := s.TallyGrid(ctx, g)
				return err
			}, func(ctx context.Context, path string, start, end time.Time) error {
				_, err := s.Tally(ctx, outreach.TallyFilter{UnitUnder: path, From: start, To: end})
				return err
			})
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
// from a date (here the start of a history of 12,000), in order, over the
// benchCity history (the first page, the page after it through its
// cursor, and the first page's refs as the server lists them).
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
					refs  bool
				}{{"first", "", false}, {"next", next, false}, {"refs", "", true}} {
					b.Run(u.name+"/"+pg.name, func(b *testing.B) {
						b.ReportAllocs()
						for b.Loop() {
							p := casework.Page{Limit: 51, After: pg.after}
							var err error
							if pg.refs {
								_, err = s.ListVisitRefs(ctx, f, p)
							} else {
								_, err = s.ListVisits(ctx, f, p)
							}
							if err != nil {
								b.Fatal(err)
							}
						}
					})
				}
			}
		})
	}
}
