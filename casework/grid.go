package casework

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Grid asks for a whole table of totals at once: one row for each unit
// subtree in Paths, one column for each period [Bounds[c], Bounds[c+1]).
// A series is one path and many bounds; a by-unit table is many paths and
// two bounds. SQL stores answer a grid in one grouped query per counted
// table (the column found from the event time, the row from the unit), so
// a daily series over a year costs what one year's report costs, not 365
// of them; memory stores may answer it cell by cell (GridCells). Either
// way every cell equals what the single-period query for its subtree and
// period answers.
type Grid struct {
	Paths  []string
	Bounds []time.Time // never decreasing, at least two
	// Zone is the zone the bounds were drawn in (for figures that shift a
	// period, such as the same period a year earlier).
	Zone *time.Location
}

// Rows is the number of rows (unit subtrees).
func (g Grid) Rows() int { return len(g.Paths) }

// Cols is the number of columns (periods).
func (g Grid) Cols() int { return max(len(g.Bounds)-1, 0) }

// Cell is the index of row r, column c in a grid's answer.
func (g Grid) Cell(r, c int) int { return r*g.Cols() + c }

// Len is the number of cells.
func (g Grid) Len() int { return g.Rows() * g.Cols() }

// Column returns the column whose period holds t, and false when t is zero
// or outside every period.
func (g Grid) Column(t time.Time) (int, bool) {
	if t.IsZero() || g.Cols() == 0 || t.Before(g.Bounds[0]) || !t.Before(g.Bounds[len(g.Bounds)-1]) {
		return 0, false
	}
	// The first bound after t ends t's period.
	return sort.Search(len(g.Bounds), func(i int) bool { return g.Bounds[i].After(t) }) - 1, true
}

// Check refuses a grid a store cannot answer: no rows, fewer than two
// bounds, or bounds that decrease. Equal bounds make an empty period (the
// same period a year earlier of 29 February to 1 March is 1 March to
// 1 March).
func (g Grid) Check() error {
	if len(g.Paths) == 0 {
		return errs.Invalid("paths", "required", "a grid needs at least one unit subtree")
	}
	if len(g.Bounds) < 2 {
		return errs.Invalid("bounds", "min", "a grid needs at least one period (two bounds)")
	}
	for i := 1; i < len(g.Bounds); i++ {
		if g.Bounds[i].Before(g.Bounds[i-1]) {
			return errs.Invalid("bounds", "increasing", "the bounds of a grid may not decrease")
		}
	}
	return nil
}

// Shift returns the grid with every bound moved by f (e.g. to the same
// local instant a year earlier).
func (g Grid) Shift(f func(time.Time) time.Time) Grid {
	out := g
	out.Bounds = make([]time.Time, len(g.Bounds))
	for i, b := range g.Bounds {
		out.Bounds[i] = f(b)
	}
	return out
}

// GridCells answers a grid cell by cell with a single-period function: the
// per-period way, for memory stores and for sources with no grouped query.
func GridCells[T any](ctx context.Context, g Grid, cell func(ctx context.Context, path string, start, end time.Time) (T, error)) ([]T, error) {
	if err := g.Check(); err != nil {
		return nil, err
	}
	out := make([]T, 0, g.Len())
	for _, path := range g.Paths {
		for c := range g.Cols() {
			v, err := cell(ctx, path, g.Bounds[c], g.Bounds[c+1])
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
	}
	return out, nil
}

// GridPeriods is GridCells over Periods, for a FigureSource without a
// grouped query of its own.
func GridPeriods[T any](ctx context.Context, g Grid, fn func(ctx context.Context, p Period) (T, error)) ([]T, error) {
	return GridCells(ctx, g, func(ctx context.Context, path string, start, end time.Time) (T, error) {
		return fn(ctx, Period{UnitPath: path, Start: start, End: end, Zone: g.Zone})
	})
}

// MapGrid turns every cell of a store's answer into what a report shows.
func MapGrid[T, U any](cells []T, err error, f func(T) U) ([]U, error) {
	if err != nil {
		return nil, err
	}
	out := make([]U, len(cells))
	for i, c := range cells {
		out[i] = f(c)
	}
	return out, nil
}

// childUnits is the rows of a by-unit table: the unit itself, over its
// whole subtree, then each unit directly below it, in the order of units
// (ListUnits orders by path, so the unit comes first).
func childUnits(units []Unit, path string) []Unit {
	return slices.DeleteFunc(units, func(u Unit) bool { return u.Path != path && u.Path != UnitPath(path, u.ID) })
}
