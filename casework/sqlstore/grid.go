package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

// GridBranch is one counted event of a grid query: a table, the event's
// time column (microseconds) and what to count of its rows. Every branch
// answers the same columns, so the branches of a source run as one
// UNION ALL statement.
type GridBranch struct {
	Table string // its rows carry unit_id
	Time  string // the event time column, indexed with unit_id
	Where string // a further condition on the table's columns, or ""
	// Key is an expression to group by within each cell (a target kind),
	// or "" for none. UnitKey groups by the unit that held the record when
	// the event happened (with Kind's corrections), not by its unit now.
	Key string
	// Aggs are the aggregates of the cell's rows, e.g. "COUNT(*)" and
	// "COUNT(DISTINCT t.person_id)" (the table is t); a branch with fewer
	// than another answers 0 for the rest.
	Aggs []string
	// Distinct, if not "", is an expression whose distinct non-null values
	// in the cell are counted after Aggs (one more value). Each of Aggs must
	// then be a COUNT(*) or SUM, because on PostgreSQL the branch groups by
	// the expression first and sums those groups (distinctTwoLevel).
	Distinct string
	// Kind, when set, is the record type (casework.RecordMove.Kind) of the
	// table's rows, whose unit_id follows the record when a unit's closing
	// moves it: the grid then corrects the figures so that every event
	// counts in the unit that held the record when it happened
	// (moveBranches). Only additive aggregates may be corrected. IDCol is
	// the column holding the record's id ("" is "id").
	Kind, IDCol string
	// Rollup, if not "", names the branch's roll-up series: the branch is
	// also kept as daily rows per unit and per ancestor (table
	// rollup_<Rollup>, made by RollupStmts in its store's migration, kept
	// by triggers), which QueryGrid reads instead of the raw rows when
	// every bound of the grid is a UTC+08:00 midnight (rollup.go). Its
	// Aggs must be COUNT(*) or SUM; a Distinct branch rolls up only
	// without Aggs (its rows keep each distinct value of the day).
	Rollup string
}

// UnitKey is the GridBranch.Key of a breakdown by unit.
const UnitKey = "t.unit_id"

// GridCell is one answered row of a grid query: branch b, grid row R,
// column C, the group key and the aggregates, in the branch's order.
type GridCell struct {
	Branch, R, C int
	Key          string
	V            []int64
}

// QueryGrid counts the branches over every cell of g in one statement and
// calls fn for each non-empty (branch, row, column, key). The period of
// every event is in WHERE on the branch's (unit_id, time) index — the
// grid's whole span — and its column is computed from the time (column),
// so a daily series of a year reads the year's rows once. Rows of the grid are unit
// subtrees: a single subtree filters with the unit list, several join the
// events to a (unit, row) list built from the unit paths, so a unit under
// two rows' paths counts in both. Reads go through sqlx.Reader, so a
// report's snapshot covers them.
func QueryGrid(ctx context.Context, h Host, g casework.Grid, branches []GridBranch, fn func(GridCell)) error {
	if err := g.Check(); err != nil {
		return err
	}
	rolled := false
	for _, b := range branches {
		if b.Rollup != "" {
			if _, err := b.rollup(); err != nil {
				return err
			}
			rolled = true
		}
	}
	c, ok := h.(interface{ checksRollups() bool })
	checking := ok && c.checksRollups()
	if rolled && checking {
		if err := checkCover(ctx, h, g, branches); err != nil {
			return err
		}
	}
	days := rollupDays(g)
	if !rolled || days == nil {
		return queryGrid(ctx, h, g, branches, nil, fn)
	}
	roots, err := rollupRoots(ctx, h, g.Paths)
	if err != nil {
		return err
	}
	if roots == nil {
		return queryGrid(ctx, h, g, branches, nil, fn)
	}
	rg := &rollupGrid{days: days, roots: roots}
	if checking {
		return checkRollups(ctx, h, g, branches, rg, fn)
	}
	return queryGrid(ctx, h, g, branches, rg, fn)
}

// queryGrid is QueryGrid's statement: the rolled-up branches read their
// roll-up rows when rg is set, every other branch counts raw rows.
func queryGrid(ctx context.Context, h Host, g casework.Grid, branches []GridBranch, rg *rollupGrid, fn func(GridCell)) (err error) {
	raw := make([]GridBranch, 0, len(branches))
	for _, b := range branches {
		if !rg.reads(b) {
			raw = append(raw, b)
		}
	}
	// The raw branches' arguments, only when there are any: PostgreSQL
	// refuses a statement with a parameter it never sees used.
	var a sqlx.Args
	lo, hi := "", ""
	if len(raw) > 0 {
		lo, hi = a.Add(g.Bounds[0].UnixMicro()), a.Add(g.Bounds[len(g.Bounds)-1].UnixMicro())
	}
	mg := moveGrid{lo: lo, hi: hi, args: &a}
	if mg.moved, err = movedKinds(ctx, h, raw); err != nil {
		return err
	}
	bounds := make([]int64, len(g.Bounds))
	for i, b := range g.Bounds {
		bounds[i] = b.UnixMicro()
	}
	with, from, row := "", "", "0"
	switch {
	case len(g.Paths) == 1 && len(raw) == 0:
	case len(g.Paths) == 1:
		mg.path = a.Add(g.Paths[0])
		from = "{table} t WHERE " + sqlx.Under("t.unit_id", mg.path)
	default:
		rows := make([]string, len(g.Paths))
		for i, p := range g.Paths {
			rows[i] = fmt.Sprintf("(%d, %s)", i, a.Add(p))
		}
		with = `WITH grid_paths (r, path) AS (VALUES ` + strings.Join(rows, ", ") + `),
			grid_units (unit_id, r) AS (SELECT u.id, p.r FROM units u JOIN grid_paths p ON substr(u.path, 1, length(p.path)) = p.path)` +
			rg.with(&a) + ` `
		from = "grid_units g JOIN {table} t ON t.unit_id = g.unit_id WHERE 1 = 1"
		row = "g.r"
	}
	width := 0
	for _, b := range branches {
		width = max(width, len(b.Aggs)+min(len(b.Distinct), 1))
	}
	mg.width = width
	mg.column = func(col string) string { return column(col, bounds) }
	mg.group = func(b GridBranch) (string, string) {
		// One cell needs no grouping but the key's: SQLite would sort the
		// rows for a GROUP BY on constants.
		key, group := "''", " GROUP BY 2, 3"
		switch {
		case b.Key != "" && g.Len() == 1:
			key, group = b.Key, " GROUP BY 4"
		case b.Key != "":
			key, group = b.Key, " GROUP BY 2, 3, 4"
		case g.Len() == 1:
			group = ""
		}
		return key, group
	}
	sel := make([]string, len(branches))
	var moves []string
	for i, b := range branches {
		if rg.reads(b) {
			sel[i] = rg.read(i, b, &a, width)
			continue
		}
		key, group := mg.group(b)
		fix, err := moveBranches(i, b, mg)
		if err != nil {
			return err
		}
		moves = append(moves, fix...)
		where := ""
		if b.Where != "" {
			where = " AND " + b.Where
		}
		col := "t." + b.Time
		filter := fmt.Sprintf(`%s AND %s >= %s AND %s < %s%s`, strings.ReplaceAll(from, "{table}", b.Table), col, lo, col, hi, where)
		if b.Distinct != "" && h.Engine() == Postgres {
			sel[i] = distinctTwoLevel(i, row, column(col, bounds), key, filter, b, width)
			continue
		}
		aggs := make([]string, width)
		for j := range aggs {
			aggs[j] = "0"
			switch {
			case j < len(b.Aggs):
				aggs[j] = "CAST(" + b.Aggs[j] + " AS BIGINT)"
			case j == len(b.Aggs) && b.Distinct != "":
				aggs[j] = "CAST(COUNT(DISTINCT " + b.Distinct + ") AS BIGINT)"
			}
		}
		sel[i] = fmt.Sprintf(`SELECT %d, %s, %s, %s, %s FROM %s%s`,
			i, row, column(col, bounds), key, strings.Join(aggs, ", "), filter, group)
	}
	var sums cellSums
	var emit func(GridCell)
	if len(moves) > 0 {
		// Corrections answer beside the counts: add each cell's rows up
		// before fn sees them.
		sel, emit, fn = append(sel, moves...), fn, sums.add
	}
	rows, err := sqlx.Reader(ctx, h.DB()).QueryContext(ctx, with+strings.Join(sel, " UNION ALL "), a.List...)
	if err != nil {
		return sqlx.Translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		c := GridCell{V: make([]int64, width)}
		dest := []any{&c.Branch, &c.R, &c.C, &c.Key}
		for j := range c.V {
			dest = append(dest, &c.V[j])
		}
		if err := rows.Scan(dest...); err != nil {
			return sqlx.Translate(err)
		}
		fn(c)
	}
	if err := rows.Err(); err != nil {
		return sqlx.Translate(err)
	}
	if emit != nil {
		sums.emit(emit)
	}
	return nil
}

// distinctTwoLevel is a branch with a Distinct count on PostgreSQL: the
// rows grouped by cell, key and the distinct expression (a hash
// aggregate), then those groups summed per cell and key and counted for the
// distinct values. PostgreSQL computes COUNT(DISTINCT) by sorting every
// row of a group, which spilled to disk for a city's year of visits; this
// reads the same rows and halved the visit branch's CPU (issue 13).
func distinctTwoLevel(i int, row, column, key, filter string, b GridBranch, width int) string {
	inner := make([]string, len(b.Aggs)+1)
	inner[0] = b.Distinct + " AS v"
	outer := make([]string, width)
	for j := range outer {
		switch {
		case j < len(b.Aggs):
			inner[j+1] = fmt.Sprintf("%s AS a%d", b.Aggs[j], j)
			outer[j] = fmt.Sprintf("CAST(SUM(d.a%d) AS BIGINT)", j)
		case j == len(b.Aggs):
			outer[j] = "CAST(COUNT(d.v) AS BIGINT)"
		default:
			outer[j] = "0"
		}
	}
	return fmt.Sprintf(`SELECT %d, d.r, d.c, d.k, %s FROM (SELECT %s AS r, %s AS c, %s AS k, %s FROM %s GROUP BY 1, 2, 3, 4) d GROUP BY 2, 3, 4`,
		i, strings.Join(outer, ", "), row, column, key, strings.Join(inner, ", "), filter)
}

// column is the grid column of the time in col, which WHERE keeps within
// the bounds. Equally spaced bounds (days or weeks in a zone without a
// clock change in the span) divide: one subtraction and one division a
// row, and a short statement. Any other bounds (months; days across a
// daylight-saving change) go through bucket. The bounds are integers the
// kernel computed, never input text, so they are written as literals (a
// daily series of a year has 366, too many to bind on every engine).
func column(col string, bounds []int64) string {
	step := bounds[1] - bounds[0]
	for i := 2; i < len(bounds) && step > 0; i++ {
		if bounds[i]-bounds[i-1] != step {
			step = 0
		}
	}
	if step > 0 && len(bounds) > 2 {
		return fmt.Sprintf("((%s - %d) / %d)", col, bounds[0], step)
	}
	return bucket(col, bounds[1:len(bounds)-1], 0)
}

// bucket is the number of inner bounds at or before the time in col: a
// CASE that halves the bounds at each level, about log2 of the columns
// comparisons a row.
func bucket(col string, inner []int64, first int) string {
	if len(inner) == 0 {
		return strconv.Itoa(first)
	}
	mid := len(inner) / 2
	return fmt.Sprintf("CASE WHEN %s < %d THEN %s ELSE %s END", col, inner[mid],
		bucket(col, inner[:mid], first), bucket(col, inner[mid+1:], first+mid+1))
}
