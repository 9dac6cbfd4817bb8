package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	ksql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	kstoretest "github.com/grassroots-policing/grassroots/casework/storetest"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/grassroots-policing/grassroots/recovery"
	"github.com/stretchr/testify/require"
)

// BenchmarkTotals times the totals of one year, for the whole tree and for
// one station, over three years of items (half of them returned) spread
// over four stations, written in one batch.
func BenchmarkTotals(b *testing.B) {
	for _, engine := range []struct {
		name string
		open func(testing.TB) (*sql.DB, ksql.Engine)
	}{
		{"sqlite", func(t testing.TB) (*sql.DB, ksql.Engine) { return testdb.SQLite(t), ksql.SQLite }},
		{"postgres", func(t testing.TB) (*sql.DB, ksql.Engine) { return testdb.Postgres(t).DB, ksql.Postgres }},
	} {
		b.Run(engine.name, func(b *testing.B) {
			ctx := context.Background()
			db, e := engine.open(b)
			s, k := open(b, db, e)
			root, stations := kstoretest.UnitTree(b, k, 2, 2)
			start := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
			const n = 3000
			var batch recovery.Batch
			for i := range n {
				at := start.Add(time.Duration(i) * (3 * 365 * 24 * time.Hour / n))
				it := recovery.Item{ID: fmt.Sprintf("item-%05d", i), UnitID: stations[i%len(stations)].ID, Origin: recovery.OriginFound,
					Category: "e_bike", Description: "电动自行车", Quantity: 1, ValueFen: 180000, State: recovery.StateRecovered,
					RecoveredAt: at, HoldUntil: at.Add(180 * 24 * time.Hour), Holder: recovery.Holder{Kind: recovery.HolderLocation, ID: "A-01", Name: "仓库"},
					Source: casework.Source{Kind: "case", ID: "case-1"}, Version: 1, CreatedAt: at, UpdatedAt: at}
				if i%2 == 0 {
					it.State, it.ReturnedAt = recovery.StateReturned, at.Add(30*24*time.Hour)
				}
				batch.NewItems = append(batch.NewItems, it)
			}
			require.NoError(b, s.Apply(ctx, batch, casework.Change{}))
			from, to := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
			for _, u := range []struct {
				name, path string
			}{{"city", root.Path}, {"station", stations[0].Path}} {
				b.Run(u.name, func(b *testing.B) {
					for b.Loop() {
						if _, err := s.Totals(ctx, recovery.TotalsFilter{UnitUnder: u.path, Start: from, End: to}); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkReport times recovery's part of the report
// (kstoretest.BenchReport: the city's year, a station's, a monthly and a
// daily series; grid against period by period) over three years of
// 10,000 items (recovered, half of them returned, a tenth unclaimed and
// disposed), 100 return events and 1,000 disposals in a 20-station city,
// bulk-inserted.
func BenchmarkReport(b *testing.B) {
	for _, engine := range []struct {
		name string
		open func(testing.TB) (*sql.DB, ksql.Engine)
	}{
		{"sqlite", func(t testing.TB) (*sql.DB, ksql.Engine) { return testdb.SQLite(t), ksql.SQLite }},
		{"postgres", func(t testing.TB) (*sql.DB, ksql.Engine) { return testdb.Postgres(t).DB, ksql.Postgres }},
	} {
		b.Run(engine.name, func(b *testing.B) {
			db, e := engine.open(b)
			s, k := open(b, db, e)
			root, stations := kstoretest.UnitTree(b, k, 4, 5)
			const n = 10000
			day := int64(24 * time.Hour / time.Microsecond)
			unit := func(i int) string { return stations[i%len(stations)].ID }
			kstoretest.BulkInsert(b, db, "recovery_items", []string{"id", "unit_id", "origin", "category", "description", "identifiers",
				"quantity", "value_fen", "value_confirmed", "state", "recovered_at", "returned_at", "unclaimed_at", "disposed_at",
				"custody_seq", "traces", "source", "version", "created_at", "updated_at"}, n, func(i int) []any {
				at := kstoretest.HistoryAt(i, n)
				returned, unclaimed, disposed := any(nil), any(nil), any(nil)
				if i%2 == 0 {
					returned = at + 30*day
				}
				if i%10 == 1 {
					unclaimed, disposed = at+180*day, at+200*day
				}
				return []any{fmt.Sprintf("i-%05d", i), unit(i), "found", "e_bike", "电动自行车", "[]", 1, 100 * (i%5000 + 1), true, "recovered",
					at, returned, unclaimed, disposed, 0, "[]", "{}", 1, at, at}
			})
			kstoretest.BulkInsert(b, db, "recovery_events", []string{"id", "unit_id", "name", "place", "state", "return_ids", "results",
				"created_by", "held_at", "version", "created_at", "updated_at"}, n/100, func(i int) []any {
				at := kstoretest.HistoryAt(100*i, n)
				return []any{fmt.Sprintf("e-%05d", i), unit(i), "返还会", "分局", "held", "[]", "[]", "s-1", at, 2, at, at}
			})
			kstoretest.BulkInsert(b, db, "recovery_disposals", []string{"id", "unit_id", "item_id", "method", "state", "reason", "requested_by",
				"proceeds_fen", "document", "completed_at", "version", "created_at", "updated_at"}, n/10, func(i int) []any {
				at := kstoretest.HistoryAt(10*i+1, n)
				return []any{fmt.Sprintf("d-%05d", i), unit(10*i + 1), fmt.Sprintf("i-%05d", 10*i+1), "auction", "completed", "无人认领", "s-1",
					5000, "{}", at + 200*day, 2, at, at}
			})
			kstoretest.BenchReport(b, root.Path, stations[0].Path, func(ctx context.Context, g casework.Grid) error {
				_, err := s.TotalsGrid(ctx, g)
				return err
			}, func(ctx context.Context, path string, start, end time.Time) error {
				_, err := s.Totals(ctx, recovery.TotalsFilter{UnitUnder: path, Start: start, End: end})
				return err
			})
		})
	}
}
