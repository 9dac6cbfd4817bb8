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
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/stretchr/testify/require"
)

// BenchmarkTotals times the totals of one year, for the whole tree and for
// one station, over three years of disputes spread over four stations.
func BenchmarkTotals(b *testing.B) {
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
				id := fmt.Sprintf("d-%05d", i)
				d := mediation.Dispute{ID: id, UnitID: stations[i%len(stations)].ID, State: mediation.StateAgreed, Kind: mediation.KindPeople,
					Category: "neighbour/noise", Source: mediation.SourceWalkIn, Risk: mediation.RiskLow, Facts: "facts " + id,
					ReportedAt: at, AcceptedAt: at.Add(time.Hour), SettledAt: at.Add(72 * time.Hour), Version: 1, CreatedAt: at, UpdatedAt: at}
				if i%5 == 0 {
					d.State, d.SettledAt, d.FailedAt = mediation.StateFailed, time.Time{}, at.Add(72*time.Hour)
				}
				require.NoError(b, s.CreateDispute(ctx, d, casework.Change{}))
			}
			from, to := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
			for _, u := range []struct {
				name, path string
			}{{"city", root.Path}, {"station", stations[0].Path}} {
				b.Run(u.name, func(b *testing.B) {
					for b.Loop() {
						if _, err := s.Totals(ctx, mediation.TotalsQuery{UnitUnder: u.path, Start: from, End: to}); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkReport times mediation's part of the report (kstoretest.BenchReport:
// the city's year, a station's, a monthly and a daily series; grid against
// period by period) over three years of 10,000 disputes in a 20-station
// city, bulk-inserted.
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
			const n = 10000
			hour := int64(time.Hour / time.Microsecond)
			kstoretest.BulkInsert(b, db, "mediation_disputes", []string{"id", "unit_id", "state", "kind", "category", "category_top", "source", "risk",
				"reported_at", "accepted_at", "settled_at", "failed_at", "body", "version", "created_at", "updated_at"}, n, func(i int) []any {
				at := kstoretest.HistoryAt(i, n)
				settled, failed := any(at+72*hour), any(nil)
				if i%5 == 0 {
					settled, failed = nil, at+72*hour
				}
				return []any{fmt.Sprintf("d-%05d", i), stations[i%len(stations)].ID, "agreed", "people", "neighbour/noise", "neighbour", "walk_in", "low",
					at, at + hour, settled, failed, "{}", 1, at, at}
			})
			kstoretest.BenchReport(b, root.Path, stations[0].Path, func(ctx context.Context, g casework.Grid) error {
				_, err := s.TotalsGrid(ctx, g)
				return err
			}, func(ctx context.Context, path string, start, end time.Time) error {
				_, err := s.Totals(ctx, mediation.TotalsQuery{UnitUnder: path, Start: start, End: end})
				return err
			})
		})
	}
}
