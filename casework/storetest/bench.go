package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

// BulkInsert writes n rows into a table with multi-row INSERTs, a few
// thousand rows a statement and one transaction in all, so that a
// benchmark gets a city's worth of rows in seconds (the stores' write path,
// an audited transaction a record, would take minutes), then analyses the
// table. row returns the
// values of row i in the order of cols; every value is bound, never
// spliced.
func BulkInsert(tb testing.TB, db *sql.DB, table string, cols []string, n int, row func(i int) []any) {
	tb.Helper()
	ctx := context.Background()
	per := max(1, 30000/len(cols)) // under SQLite's and PostgreSQL's bound-parameter limits
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(tb, err)
	defer func() { _ = tx.Rollback() }()
	for from := 0; from < n; from += per {
		to := min(n, from+per)
		var q strings.Builder
		fmt.Fprintf(&q, "INSERT INTO %s (%s) VALUES ", table, strings.Join(cols, ", "))
		args := make([]any, 0, (to-from)*len(cols))
		for i := from; i < to; i++ {
			if i > from {
				q.WriteString(", ")
			}
			q.WriteByte('(')
			vals := row(i)
			require.Len(tb, vals, len(cols), "row %d of %s", i, table)
			for j, v := range vals {
				if j > 0 {
					q.WriteString(", ")
				}
				args = append(args, v)
				fmt.Fprintf(&q, "$%d", len(args))
			}
			q.WriteByte(')')
		}
		_, err := tx.ExecContext(ctx, q.String(), args...)
		require.NoError(tb, err, "bulk insert into %s", table)
	}
	require.NoError(tb, tx.Commit())
	// Fresh statistics, as PostgreSQL's autovacuum would gather after such
	// a load (and SQLite's planner uses them too).
	_, err = db.ExecContext(ctx, "ANALYZE "+table)
	require.NoError(tb, err)
}

// BenchYear is the history a report benchmark loads: three years from
// 2021 in the deployment zone, the middle one reported.
var BenchYear = struct{ HistoryStart, HistoryEnd, From, To time.Time }{
	HistoryStart: time.Date(2021, 1, 1, 0, 0, 0, 0, casework.DefaultZone()),
	HistoryEnd:   time.Date(2024, 1, 1, 0, 0, 0, 0, casework.DefaultZone()),
	From:         time.Date(2022, 1, 1, 0, 0, 0, 0, casework.DefaultZone()),
	To:           time.Date(2023, 1, 1, 0, 0, 0, 0, casework.DefaultZone()),
}

// HistoryAt spreads n events over the three years of BenchYear: event i of
// n, with a weekly rhythm (fewer on Sundays) so that days differ, in
// microseconds as the SQL stores keep times.
func HistoryAt(i, n int) int64 {
	span := BenchYear.HistoryEnd.Sub(BenchYear.HistoryStart)
	at := BenchYear.HistoryStart.Add(time.Duration(int64(span) / int64(n) * int64(i)))
	if at.Weekday() == time.Sunday && i%2 == 0 {
		at = at.Add(-24 * time.Hour)
	}
	return at.UnixMicro()
}

// BenchReport times a source's part of the report over the year of
// BenchYear in the four shapes the issue sets targets for — the whole city
// for the year, one station for the year, a monthly and a daily series of
// the city — each as one grid (grid) and, for comparison, period by period
// with the single-period query (per-period, the way reports were read
// before grids).
func BenchReport(b *testing.B, city, station string,
	grid func(ctx context.Context, g casework.Grid) error, cell func(ctx context.Context, path string, start, end time.Time) error) {
	zone := casework.DefaultZone()
	series := func(months, days int) []time.Time {
		var out []time.Time
		for t := BenchYear.From; !t.After(BenchYear.To); t = t.AddDate(0, months, days) {
			out = append(out, t.UTC())
		}
		return out
	}
	year := []time.Time{BenchYear.From.UTC(), BenchYear.To.UTC()}
	for _, shape := range []struct {
		name string
		g    casework.Grid
	}{
		{"city-year", casework.Grid{Paths: []string{city}, Bounds: year, Zone: zone}},
		{"station-year", casework.Grid{Paths: []string{station}, Bounds: year, Zone: zone}},
		{"city-monthly", casework.Grid{Paths: []string{city}, Bounds: series(1, 0), Zone: zone}},
		{"city-daily", casework.Grid{Paths: []string{city}, Bounds: series(0, 1), Zone: zone}},
	} {
		b.Run(shape.name+"/grid", func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				if err := grid(ctx, shape.g); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(shape.name+"/per-period", func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				if _, err := casework.GridCells(ctx, shape.g, func(ctx context.Context, path string, start, end time.Time) (struct{}, error) {
					return struct{}{}, cell(ctx, path, start, end)
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
