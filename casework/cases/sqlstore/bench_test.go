package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	kstoretest "github.com/grassroots-policing/grassroots/casework/storetest"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/stretchr/testify/require"
)

// BenchmarkCountCases times the period counts of one year, for the whole
// tree and for one station, over three years of cases spread over four
// stations: what a year's report costs should grow with the year, not with
// the history.
func BenchmarkCountCases(b *testing.B) {
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
			k, c := migrated(b, db, e)
			root, stations := kstoretest.UnitTree(b, k, 2, 2)
			start := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
			const n = 3000
			var w cases.Write
			for i := range n {
				at := start.Add(time.Duration(i) * (3 * 365 * 24 * time.Hour / n))
				unit := stations[i%len(stations)]
				id := fmt.Sprintf("c-%05d", i)
				cs := cases.Case{ID: id, UnitID: unit.ID, Kind: cases.KindTheft, State: cases.StateSolved, Summary: "case " + id,
					IncidentAt: at.Add(-time.Hour), Place: "门前", ReportedAt: at, ReportedBy: "s-1", FiledAt: at.Add(time.Hour),
					SolvedAt: at.Add(48 * time.Hour), Version: 1, CreatedAt: at, UpdatedAt: at,
					Arrests: []cases.Arrest{{ID: "a-" + id, SuspectID: fmt.Sprintf("p-%d", i%500), At: at.Add(24 * time.Hour), By: "s-1", RecordedAt: at}}}
				w.NewCases = append(w.NewCases, cs)
				w.NewLeads = append(w.NewLeads, cases.Lead{ID: "l-" + id, UnitID: unit.ID, Source: casework.Source{Kind: cases.LeadFromTip, ID: "tip-" + id},
					Summary: "lead " + id, FoundAt: at, FoundBy: "s-1", State: cases.LeadNew, Version: 1, CreatedAt: at, UpdatedAt: at})
			}
			require.NoError(b, c.CommitCases(ctx, w, casework.Change{}))
			from, to := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
			for _, u := range []struct {
				name, path string
			}{{"city", root.Path}, {"station", stations[0].Path}} {
				b.Run(u.name, func(b *testing.B) {
					for b.Loop() {
						if _, err := c.CountCases(ctx, u.path, from, to); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkReport times the case workflow's part of the report
// (kstoretest.BenchReport: the city's year, a station's, a monthly and a
// daily series; grid against period by period) over three years of
// 10,000 cases (two in three solved, half with an arrest) and 10,000 leads
// in a 20-station city, bulk-inserted.
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
			k, c := migrated(b, db, e)
			root, stations := kstoretest.UnitTree(b, k, 4, 5)
			const n = 10000
			hour := int64(time.Hour / time.Microsecond)
			unit := func(i int) string { return stations[i%len(stations)].ID }
			kstoretest.BulkInsert(b, db, "case_cases", []string{"id", "unit_id", "kind", "state", "reported_at", "filed_at", "solved_at",
				"body", "version", "created_at", "updated_at"}, n, func(i int) []any {
				at := kstoretest.HistoryAt(i, n)
				solved := any(nil)
				if i%3 > 0 {
					solved = at + 48*hour
				}
				return []any{fmt.Sprintf("c-%05d", i), unit(i), "theft", "solved", at, at + hour, solved, "{}", 1, at, at}
			})
			kstoretest.BulkInsert(b, db, "case_arrests", []string{"id", "case_id", "unit_id", "person_id", "at"}, n/2, func(i int) []any {
				at := kstoretest.HistoryAt(2*i, n)
				return []any{fmt.Sprintf("a-%05d", i), fmt.Sprintf("c-%05d", 2*i), unit(2 * i), fmt.Sprintf("p-%d", i%700), at + 24*hour}
			})
			kstoretest.BulkInsert(b, db, "case_leads", []string{"id", "unit_id", "state", "source_kind", "found_at", "body", "version",
				"created_at", "updated_at"}, n, func(i int) []any {
				at := kstoretest.HistoryAt(i, n)
				return []any{fmt.Sprintf("l-%05d", i), unit(i + 1), "new", "tip", at, "{}", 1, at, at}
			})
			kstoretest.BenchReport(b, root.Path, stations[0].Path, func(ctx context.Context, g casework.Grid) error {
				_, err := c.CountCasesGrid(ctx, g)
				return err
			}, func(ctx context.Context, path string, start, end time.Time) error {
				_, err := c.CountCases(ctx, path, start, end)
				return err
			})
		})
	}
}
