package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

// ErrRollupDiffers is the answer of a grid whose roll-up rows differ from
// its raw rows, which only a store checking its roll-ups asks
// (Store.CheckRollups): a trigger or a fill that missed a change.
var ErrRollupDiffers = errors.New("roll-up differs from the raw rows")

// rollupGrid is a grid that reads roll-ups: its bounds as day numbers and
// the unit id of each row's subtree.
type rollupGrid struct {
	days  []int64
	roots []string
}

// reads says whether branch b answers from its roll-up rows.
func (rg *rollupGrid) reads(b GridBranch) bool { return rg != nil && b.Rollup != "" }

// with is the CTE of a several-row grid's unit ids, after grid_paths.
func (rg *rollupGrid) with(a *sqlx.Args) string {
	if rg == nil {
		return ""
	}
	rows := make([]string, len(rg.roots))
	for i, id := range rg.roots {
		rows[i] = fmt.Sprintf("(%d, %s)", i, a.Add(id))
	}
	return `, grid_roots (r, unit_id) AS (VALUES ` + strings.Join(rows, ", ") + `)`
}

// read is branch i answered from its roll-up rows: the rows of each grid
// row's own unit (which hold its whole subtree) over the grid's days,
// grouped by column and key. A distinct branch counts the distinct values
// of its rows.
func (rg *rollupGrid) read(i int, b GridBranch, a *sqlx.Args, width int) string {
	s, _ := b.rollup() // QueryGrid checked it
	row, from := "0", s.table+" r WHERE r.unit_id = "
	if len(rg.roots) == 1 {
		from += a.Add(rg.roots[0])
	} else {
		row, from = "g.r", "grid_roots g JOIN "+s.table+" r ON r.unit_id = g.unit_id WHERE 1 = 1"
	}
	aggs := make([]string, width)
	for j := range aggs {
		aggs[j] = "0"
		switch {
		case b.Distinct != "" && j == 0:
			aggs[j] = "CAST(COUNT(DISTINCT r.value) AS BIGINT)"
		case b.Distinct == "" && j < len(s.values):
			aggs[j] = fmt.Sprintf("CAST(SUM(r.v%d) AS BIGINT)", j)
		}
	}
	having, where := " HAVING SUM(r.n) > 0", ""
	if b.Distinct != "" {
		having, where = "", " AND r.n > 0"
	}
	return fmt.Sprintf(`SELECT %d, %s, %s, r.key, %s FROM %s AND r.day >= %d AND r.day < %d%s GROUP BY 2, 3, 4%s`,
		i, row, column("r.day", rg.days), strings.Join(aggs, ", "), from, rg.days[0], rg.days[len(rg.days)-1], where, having)
}

// rollupDays are the grid's bounds as roll-up day numbers, or nil when a
// bound is not a UTC+08:00 midnight after the epoch's first day: such a
// grid counts raw rows.
func rollupDays(g casework.Grid) []int64 {
	days := make([]int64, len(g.Bounds))
	for i, b := range g.Bounds {
		us := b.UnixMicro() + rollupOffsetMicros
		if us < rollupDayMicros || us%rollupDayMicros != 0 {
			return nil
		}
		days[i] = us / rollupDayMicros
	}
	return days
}

// rollupRoots are the unit ids of the grid's subtrees, read once, or nil
// when a path names no unit (a roll-up is kept per unit; such a grid
// counts raw rows).
func rollupRoots(ctx context.Context, h Host, paths []string) ([]string, error) {
	var a sqlx.Args
	found, err := sqlx.QueryAll(ctx, sqlx.Reader(ctx, h.DB()), `SELECT path, id FROM units WHERE path IN (`+sqlx.In(&a, paths)+`)`, a.List,
		func(sc sqlx.Scanner) ([2]string, error) {
			var pi [2]string
			err := sc.Scan(&pi[0], &pi[1])
			return pi, err
		})
	if err != nil {
		return nil, sqlx.Translate(err)
	}
	ids := make(map[string]string, len(found))
	for _, pi := range found {
		ids[pi[0]] = pi[1]
	}
	out := make([]string, len(paths))
	for i, p := range paths {
		if out[i] = ids[p]; out[i] == "" {
			return nil, nil
		}
	}
	return out, nil
}

// CheckRollups makes every grid this store answers from roll-ups also
// count the raw rows, in the same snapshot, and fail with
// ErrRollupDiffers, naming the branch and cell, when they differ. For
// tests: every SQL store's suite turns it on, so each figure a test reads
// proves the roll-ups right after whatever the test changed.
func (s *Store) CheckRollups() { s.checkRollups.Store(true) }

func (s *Store) checksRollups() bool { return s.checkRollups.Load() }

// checkCover is what a checking store proves at every grid that has a
// rolled-up branch, aligned or not: over the whole days that cover the
// grid's span, for its subtrees, the roll-ups equal the raw rows, in one
// column and (for spans up to 62 days) day by day. So every report a test
// reads checks the roll-ups after whatever the test changed, even when
// the test's own periods are not whole days.
func checkCover(ctx context.Context, h Host, g casework.Grid, branches []GridBranch) error {
	lo := max(g.Bounds[0].UnixMicro()+rollupOffsetMicros, rollupDayMicros) / rollupDayMicros
	hi := (g.Bounds[len(g.Bounds)-1].UnixMicro() + rollupOffsetMicros + rollupDayMicros - 1) / rollupDayMicros
	if hi <= lo {
		return nil
	}
	roots, err := rollupRoots(ctx, h, g.Paths)
	if err != nil || roots == nil {
		return err
	}
	day := func(d int64) time.Time { return time.UnixMicro(d*rollupDayMicros - rollupOffsetMicros) }
	spans := [][]int64{{lo, hi}}
	if hi-lo <= 62 && hi-lo > 1 {
		var each []int64
		for d := lo; d <= hi; d++ {
			each = append(each, d)
		}
		spans = append(spans, each)
	}
	for _, days := range spans {
		cover := casework.Grid{Paths: g.Paths, Zone: g.Zone}
		for _, d := range days {
			cover.Bounds = append(cover.Bounds, day(d))
		}
		if err := checkRollups(ctx, h, cover, branches, &rollupGrid{days: days, roots: roots}, func(GridCell) {}); err != nil {
			return err
		}
	}
	return nil
}

// checkRollups answers the grid from roll-ups after comparing every cell
// with the raw count.
func checkRollups(ctx context.Context, h Host, g casework.Grid, branches []GridBranch, rg *rollupGrid, fn func(GridCell)) error {
	return sqlx.Snapshot(ctx, h.DB(), h.Engine(), func(ctx context.Context) error {
		var raw, rolled []GridCell
		if err := queryGrid(ctx, h, g, branches, nil, func(c GridCell) { raw = append(raw, c) }); err != nil {
			return err
		}
		if err := queryGrid(ctx, h, g, branches, rg, func(c GridCell) { rolled = append(rolled, c) }); err != nil {
			return err
		}
		if err := sameCells(branches, raw, rolled); err != nil {
			return err
		}
		for _, c := range rolled {
			fn(c)
		}
		return nil
	})
}

// sameCells compares two answers of one grid cell by cell; a cell missing
// from one equals a cell of zeros.
func sameCells(branches []GridBranch, raw, rolled []GridCell) error {
	type at struct {
		b, r, c int
		key     string
	}
	index := func(cells []GridCell) map[at][]int64 {
		m := map[at][]int64{}
		for _, c := range cells {
			if slices.ContainsFunc(c.V, func(v int64) bool { return v != 0 }) {
				m[at{c.Branch, c.R, c.C, c.Key}] = c.V
			}
		}
		return m
	}
	want, got := index(raw), index(rolled)
	for k := range got {
		if _, ok := want[k]; !ok {
			want[k] = nil
		}
	}
	for k, w := range want {
		if g := got[k]; !slices.Equal(w, g) {
			b := branches[k.b]
			return fmt.Errorf("%w: branch %d (%s %s, roll-up %q) row %d column %d key %q: roll-up %v, raw %v",
				ErrRollupDiffers, k.b, b.Table, b.Time, b.Rollup, k.r, k.c, k.key, g, w)
		}
	}
	return nil
}
