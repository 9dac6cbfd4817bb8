package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/stretchr/testify/require"
)

// rollupFixture is a migrated store with a table of events (rt) under a
// root and three stations, kept as roll-ups by two branches: counts and
// sums by kind (following records a closing moves), and distinct targets.
type rollupFixture struct {
	ctx context.Context
	db  *sql.DB
	s   *sqlstore.Store
	day func(d int, h int) int64 // +08:00 day d of the test, hour h, in µs
}

var (
	rtCounts = sqlstore.GridBranch{Table: "rt", Time: "at", Key: "t.kind", Where: "t.kind <> 'skip'",
		Aggs: []string{"COUNT(*)", "COALESCE(SUM(t.n), 0)", "SUM(CASE WHEN t.n > 1 THEN 1 ELSE 0 END)"}, Kind: "rt", Rollup: "test_rt"}
	rtTargets = sqlstore.GridBranch{Table: "rt", Time: "at", Key: "t.kind", Distinct: "t.target", Rollup: "test_rt_targets"}
)

func newRollupFixture(t *testing.T, db *sql.DB, s *sqlstore.Store) *rollupFixture {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, s.Migrate(ctx))
	for _, u := range [][3]string{{"r", "", "/r/"}, {"a", "r", "/r/a/"}, {"b", "r", "/r/b/"}, {"c", "r", "/r/c/"}} {
		var parent any
		if u[1] != "" {
			parent = u[1]
		}
		_, err := db.ExecContext(ctx, `INSERT INTO units (id, code, name, level, parent_id, path, version, created_at, updated_at)
			VALUES ($1, $1, $1, 1, $2, $3, 1, 1, 1)`, u[0], parent, u[2])
		require.NoError(t, err)
	}
	_, err := db.ExecContext(ctx, `CREATE TABLE rt (id TEXT PRIMARY KEY, unit_id TEXT NOT NULL, at BIGINT, kind TEXT NOT NULL, target TEXT, n BIGINT)`)
	require.NoError(t, err)
	for _, stmt := range append(sqlstore.RollupStmts(s.Engine(), rtCounts, rtTargets), sqlstore.ShardRollups(s.Engine(), rtCounts, rtTargets)...) {
		_, err := db.ExecContext(ctx, stmt)
		require.NoError(t, err, stmt)
	}
	cst := time.FixedZone("CST", 8*3600)
	return &rollupFixture{ctx: ctx, db: db, s: s, day: func(d, h int) int64 {
		return time.Date(2024, 3, 1+d, h, 0, 0, 0, cst).UnixMicro()
	}}
}

func (f *rollupFixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	_, err := f.db.ExecContext(f.ctx, q, args...)
	require.NoError(t, err, q)
}

// grid answers the two branches over paths and bounds (in µs) as
// branch/row/column/key → values.
func (f *rollupFixture) grid(t *testing.T, paths []string, bounds ...int64) (map[[3]int]map[string][]int64, error) {
	t.Helper()
	g := casework.Grid{Paths: paths}
	for _, b := range bounds {
		g.Bounds = append(g.Bounds, time.UnixMicro(b))
	}
	out := map[[3]int]map[string][]int64{}
	err := sqlstore.QueryGrid(f.ctx, f.s, g, []sqlstore.GridBranch{rtCounts, rtTargets}, func(c sqlstore.GridCell) {
		k := [3]int{c.Branch, c.R, c.C}
		if out[k] == nil {
			out[k] = map[string][]int64{}
		}
		out[k][c.Key] = c.V
	})
	return out, err
}

// TestRollupsEqualRawRowsAfterEveryChange: with the check on, every grid
// (aligned: read from roll-ups and compared with the raw rows) answers the
// raw figures after inserts, updates of every column a branch reads,
// deletes, and a closing's moves, single and chained — written in the
// order casework.Kernel.CloseUnit writes them (the records' unit first,
// the move after) and in the other order.
func TestRollupsEqualRawRowsAfterEveryChange(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *sql.DB, s *sqlstore.Store) {
		s.CheckRollups()
		f := newRollupFixture(t, db, s)
		days := []int64{f.day(0, 0), f.day(1, 0), f.day(2, 0), f.day(3, 0)}
		check := func(step string) map[[3]int]map[string][]int64 {
			t.Helper()
			got, err := f.grid(t, []string{"/r/"}, days...)
			require.NoError(t, err, step)
			_, err = f.grid(t, []string{"/r/", "/r/a/", "/r/b/", "/r/c/"}, days[0], days[3])
			require.NoError(t, err, step)
			return got
		}
		f.exec(t, `INSERT INTO rt VALUES ('e1', 'a', $1, 'x', 'p', 2)`, f.day(0, 10))
		f.exec(t, `INSERT INTO rt VALUES ('e2', 'a', $1, 'x', 'p', 1)`, f.day(0, 23))
		f.exec(t, `INSERT INTO rt VALUES ('e3', 'b', $1, 'y', 'q', NULL)`, f.day(1, 0))
		f.exec(t, `INSERT INTO rt VALUES ('e4', 'b', $1, 'skip', 'q', 5)`, f.day(1, 1))
		f.exec(t, `INSERT INTO rt VALUES ('e5', 'c', NULL, 'x', 'r', 5)`)
		got := check("inserts")
		require.Equal(t, []int64{2, 3, 1}, got[[3]int{0, 0, 0}]["x"], "day 0: two visits of x, n summed")
		require.Equal(t, []int64{1, 0, 0}, got[[3]int{0, 0, 1}]["y"])
		require.Equal(t, []int64{1, 0, 0}, got[[3]int{1, 0, 0}]["x"], "one distinct target of x on day 0")

		f.exec(t, `UPDATE rt SET kind = 'y', n = 7 WHERE id = 'e2'`)
		f.exec(t, `UPDATE rt SET at = $1 WHERE id = 'e5'`, f.day(2, 5))
		f.exec(t, `UPDATE rt SET at = $1, target = 'z' WHERE id = 'e1'`, f.day(1, 3))
		f.exec(t, `UPDATE rt SET kind = 'x' WHERE id = 'e4'`)
		check("updates")
		f.exec(t, `DELETE FROM rt WHERE id = 'e3'`)
		check("delete")

		// Unit a closes into b (e1 and e2 move), then b into c.
		closeInto := func(from, to string, at int64, moveFirst bool) {
			var ids []string
			rows, err := db.QueryContext(f.ctx, `SELECT id FROM rt WHERE unit_id = $1`, from)
			require.NoError(t, err)
			for rows.Next() {
				var id string
				require.NoError(t, rows.Scan(&id))
				ids = append(ids, id)
			}
			require.NoError(t, rows.Err())
			require.NotEmpty(t, ids)
			tx, err := db.BeginTx(f.ctx, nil)
			require.NoError(t, err)
			move := func() {
				for _, id := range ids {
					_, err := tx.ExecContext(f.ctx, `INSERT INTO record_moves (kind, record_id, from_unit, to_unit, moved_at)
						VALUES ('rt', $1, $2, $3, $4)`, id, from, to, at)
					require.NoError(t, err)
				}
			}
			if moveFirst {
				move()
			}
			_, err = tx.ExecContext(f.ctx, `UPDATE rt SET unit_id = $1 WHERE unit_id = $2`, to, from)
			require.NoError(t, err)
			if !moveFirst {
				move()
			}
			require.NoError(t, tx.Commit())
		}
		closeInto("a", "b", f.day(1, 12), false)
		got = check("a closed into b")
		byUnit, err := f.grid(t, []string{"/r/a/", "/r/b/"}, days[0], days[3])
		require.NoError(t, err)
		require.Equal(t, int64(2), byUnit[[3]int{0, 0, 0}]["x"][0]+byUnit[[3]int{0, 0, 0}]["y"][0], "a keeps the events it held")
		f.exec(t, `INSERT INTO rt VALUES ('e6', 'b', $1, 'x', 'p', 1)`, f.day(2, 1))
		closeInto("b", "c", f.day(2, 12), true)
		check("b closed into c, the moves written first")
		f.exec(t, `UPDATE rt SET at = $1 WHERE id = 'e1'`, f.day(2, 20))
		check("a moved record's event after its moves")
		require.NotEmpty(t, got)

		// A roll-up row that misses a change is found.
		f.exec(t, `UPDATE rollup_test_rt SET v0 = v0 + 1 WHERE unit_id = 'r'`)
		_, err = f.grid(t, []string{"/r/"}, days...)
		require.ErrorIs(t, err, sqlstore.ErrRollupDiffers)
		require.ErrorContains(t, err, `roll-up "test_rt"`)
	})
}

// TestGridReadsRollupsOnlyOnWholeDays: a grid whose every bound is a
// UTC+08:00 midnight reads the roll-up rows; a bound inside a day, or a
// path that names no unit, counts the raw rows — shown by a roll-up row
// tampered with, which only the aligned grid answers.
func TestGridReadsRollupsOnlyOnWholeDays(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *sql.DB, s *sqlstore.Store) {
		f := newRollupFixture(t, db, s)
		f.exec(t, `INSERT INTO rt VALUES ('e1', 'a', $1, 'x', 'p', 2)`, f.day(0, 10))
		f.exec(t, `UPDATE rollup_test_rt SET v1 = 100`)
		for name, tc := range map[string]struct {
			paths  []string
			bounds []int64
			want   int64
		}{
			"whole days":            {paths: []string{"/r/"}, bounds: []int64{f.day(0, 0), f.day(1, 0)}, want: 100},
			"whole days, by unit":   {paths: []string{"/r/a/", "/r/"}, bounds: []int64{f.day(0, 0), f.day(1, 0)}, want: 100},
			"a bound inside a day":  {paths: []string{"/r/"}, bounds: []int64{f.day(0, 1), f.day(1, 0)}, want: 2},
			"a UTC midnight":        {paths: []string{"/r/"}, bounds: []int64{f.day(0, 8), f.day(1, 8)}, want: 2},
			"a path of no unit":     {paths: []string{"/r/a"}, bounds: []int64{f.day(0, 0), f.day(1, 0)}, want: 2},
			"a path of no unit too": {paths: []string{"/r/", "/r/a"}, bounds: []int64{f.day(0, 0), f.day(1, 0)}, want: 2},
		} {
			got, err := f.grid(t, tc.paths, tc.bounds...)
			require.NoError(t, err, name)
			require.Equal(t, tc.want, got[[3]int{0, 0, 0}]["x"][1], name)
		}
	})
}

// TestRollupRefusesWhatDoesNotAdd: a rolled-up branch counts only what
// daily rows can add up.
func TestRollupRefusesWhatDoesNotAdd(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, _ *sql.DB, s *sqlstore.Store) {
		ctx := context.Background()
		require.NoError(t, s.Migrate(ctx))
		g := casework.Grid{Paths: []string{"/r/"}, Bounds: []time.Time{time.Unix(0, 0), time.Unix(100, 0)}}
		for name, b := range map[string]sqlstore.GridBranch{
			"distinct":            {Aggs: []string{"COUNT(DISTINCT t.name)"}},
			"max":                 {Aggs: []string{"MAX(t.version)"}},
			"two sums":            {Aggs: []string{"SUM(t.version) + SUM(t.version)"}},
			"distinct beside":     {Aggs: []string{"COUNT(*)"}, Distinct: "t.name"},
			"by unit":             {Aggs: []string{"COUNT(*)"}, Key: sqlstore.UnitKey},
			"not a name":          {Aggs: []string{"COUNT(*)"}, Rollup: "x; DROP TABLE staff"},
			"a sum of a distinct": {Aggs: []string{"SUM(DISTINCT t.version)"}},
		} {
			b.Table, b.Time = "staff", "created_at"
			if b.Rollup == "" {
				b.Rollup = "test"
			}
			err := sqlstore.QueryGrid(ctx, s, g, []sqlstore.GridBranch{b}, func(sqlstore.GridCell) {})
			require.ErrorIs(t, err, errs.ErrInvalid, name)
		}
	})
}
