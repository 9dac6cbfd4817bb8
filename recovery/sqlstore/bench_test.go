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
