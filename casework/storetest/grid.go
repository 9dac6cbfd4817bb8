package storetest

import (
	"context"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

// GridCheck is what every workflow's conformance suite uses to prove that
// its store's grid method (a series or a by-unit table in one grouped
// query) answers every cell exactly as its single-period method does:
// grids over unit subtrees that nest, daily series across a daylight-saving
// change (America/New_York, 14 March 2021, a 23-hour day) and in
// Asia/Shanghai, a monthly series, a by-unit table, and a period of no
// length; and instants for the records' event times drawn on every bound,
// a microsecond either side of it, and at random in between.
type GridCheck struct {
	Grids []casework.Grid
	units []casework.Unit
	times []time.Time
	rng   *rand.Rand
}

// NewGridCheck builds the grids over the units' subtrees (the first the
// widest, the others inside it), with a seeded random source so that a
// failure reproduces.
func NewGridCheck(t *testing.T, seed uint64, units ...casework.Unit) *GridCheck {
	t.Helper()
	paths := make([]string, len(units))
	for i, u := range units {
		paths[i] = u.Path
	}
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	sh := casework.DefaultZone()
	days := func(zone *time.Location, y int, m time.Month, d, n, step int) []time.Time {
		out := make([]time.Time, 0, n+1)
		for i := 0; i <= n; i++ {
			out = append(out, time.Date(y, m, d+i*step, 0, 0, 0, 0, zone).UTC())
		}
		return out
	}
	months := []time.Time{}
	for m := time.February; m <= time.May; m++ {
		months = append(months, time.Date(2021, m, 1, 0, 0, 0, 0, sh).UTC())
	}
	c := &GridCheck{units: units, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	c.Grids = []casework.Grid{
		{Paths: paths[:1], Bounds: days(sh, 2021, time.March, 10, 10, 1), Zone: sh},
		{Paths: paths[:1], Bounds: days(ny, 2021, time.March, 10, 10, 1), Zone: ny},
		{Paths: paths[:1], Bounds: days(ny, 2021, time.March, 1, 4, 7), Zone: ny},
		{Paths: paths[:1], Bounds: months, Zone: sh},
		{Paths: paths, Bounds: []time.Time{months[1], months[2]}, Zone: sh},
		{Paths: paths, Bounds: days(ny, 2021, time.March, 12, 4, 1), Zone: ny},
		{Paths: paths[:1], Bounds: []time.Time{months[1], months[1], months[2]}, Zone: sh},
	}
	for _, g := range c.Grids {
		for _, b := range g.Bounds {
			c.times = append(c.times, b.Add(-time.Microsecond), b, b.Add(time.Microsecond))
		}
	}
	return c
}

// Time is an event time for a record: on or next to a bound two times in
// three, otherwise anywhere from February to April 2021.
func (c *GridCheck) Time() time.Time {
	if c.rng.IntN(3) < 2 {
		return c.times[c.rng.IntN(len(c.times))]
	}
	lo := time.Date(2021, time.February, 1, 0, 0, 0, 0, time.UTC)
	return lo.Add(time.Duration(c.rng.Int64N(int64(89 * 24 * time.Hour)))).Truncate(time.Microsecond)
}

// Maybe is Time or, one time in three, the zero time (an event that has
// not happened).
func (c *GridCheck) Maybe() time.Time {
	if c.rng.IntN(3) == 0 {
		return time.Time{}
	}
	return c.Time()
}

// Unit is one of the check's units, at random.
func (c *GridCheck) Unit() casework.Unit { return c.units[c.rng.IntN(len(c.units))] }

// IntN is a random int in [0, n), from the check's seeded source.
func (c *GridCheck) IntN(n int) int { return c.rng.IntN(n) }

// GridMatches checks, for every grid, that grid answers as many cells as the grid
// has and each equals cell for that subtree and period.
func GridMatches[T any](t *testing.T, c *GridCheck, grid func(ctx context.Context, g casework.Grid) ([]T, error),
	cell func(ctx context.Context, path string, start, end time.Time) (T, error)) {
	t.Helper()
	ctx := context.Background()
	for i, g := range c.Grids {
		got, err := grid(ctx, g)
		require.NoError(t, err, "grid %d", i)
		require.Len(t, got, g.Len(), "grid %d", i)
		nonzero := false
		for r, path := range g.Paths {
			for col := range g.Cols() {
				want, err := cell(ctx, path, g.Bounds[col], g.Bounds[col+1])
				require.NoError(t, err)
				require.Equal(t, want, got[g.Cell(r, col)], "grid %d, row %s, column %d [%s, %s)", i, path, col, g.Bounds[col], g.Bounds[col+1])
				nonzero = nonzero || !reflect.ValueOf(want).IsZero()
			}
		}
		require.True(t, nonzero || i == len(c.Grids)-1, "grid %d counts something, so the comparison means something", i)
	}
}
