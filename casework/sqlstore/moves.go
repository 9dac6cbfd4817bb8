package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

// RecordMoves implements casework.MoveStore.
func (s *Store) RecordMoves(ctx context.Context, kind, recordID string) ([]casework.RecordMove, error) {
	out, err := sqlx.QueryAll(ctx, sqlx.Reader(ctx, s.db), `SELECT kind, record_id, from_unit, to_unit, moved_at FROM record_moves
		WHERE kind = $1 AND record_id = $2 ORDER BY moved_at`, []any{kind, recordID},
		func(sc sqlx.Scanner) (casework.RecordMove, error) {
			var m casework.RecordMove
			err := sc.Scan(&m.Kind, &m.RecordID, &m.FromUnit, &m.ToUnit, sqlx.Time{T: &m.MovedAt})
			return m, err
		})
	return out, sqlx.Translate(err)
}

// moveGrid is what the correction branches of a grid query share with its
// counting branches (QueryGrid): the subtree placeholder of a one-row grid
// (or "" when the rows are grid_units), the period's placeholders, and the
// column expression of a time column.
type moveGrid struct {
	path, lo, hi string
	column       func(col string) string
	group        func(b GridBranch) (key, group string)
	width        int
	args         *sqlx.Args
	moved        map[string]bool // the kinds with record moves
}

// movedKinds are the record kinds of the branches that have record moves:
// one small read of record_moves (its rows are the closings' moves) when a
// branch follows moved records, so that a database where no unit ever
// closed runs the grid's statement as it was, without correction branches.
func movedKinds(ctx context.Context, h Host, branches []GridBranch) (map[string]bool, error) {
	follows := false
	for _, b := range branches {
		follows = follows || b.Kind != ""
	}
	if !follows {
		return nil, nil
	}
	kinds, err := sqlx.QueryAll(ctx, sqlx.Reader(ctx, h.DB()), `SELECT DISTINCT kind FROM record_moves`, nil,
		func(sc sqlx.Scanner) (string, error) {
			var k string
			err := sc.Scan(&k)
			return k, err
		})
	if err != nil {
		return nil, sqlx.Translate(err)
	}
	out := make(map[string]bool, len(kinds))
	for _, k := range kinds {
		out[k] = true
	}
	return out, nil
}

// moveBranches are the correction branches of branch i, one that adds and
// one that subtracts, for a branch whose rows follow a record that a unit's
// closing moved (GridBranch.Kind): every event of a moved record before its
// move counts in the unit it left (+) and not in the unit it entered (−),
// which the record's current unit_id credited it to. Over a chain of moves
// (A→B, then B→C) the corrections telescope to the unit that held the
// record when the event happened (casework.UnitAt). Only additive
// aggregates (COUNT(*), SUM) can be corrected so; a branch with a
// COUNT(DISTINCT …) is refused, and its rows must not move.
func moveBranches(i int, b GridBranch, mg moveGrid) ([]string, error) {
	if b.Kind == "" {
		return nil, nil
	}
	if b.Distinct != "" {
		return nil, errs.Invalid("distinct", "additive", "the grid branch over %s follows moved records but counts distinct %s, which no correction can move", b.Table, b.Distinct)
	}
	for _, agg := range b.Aggs {
		if strings.Contains(strings.ToUpper(agg), "DISTINCT") {
			return nil, errs.Invalid("aggs", "additive", "the grid branch over %s follows moved records but counts %s, which no correction can move", b.Table, agg)
		}
	}
	if !mg.moved[b.Kind] {
		return nil, nil
	}
	id := b.IDCol
	if id == "" {
		id = "id"
	}
	kind := mg.args.Add(b.Kind)
	key, group := mg.group(b)
	col := "t." + b.Time
	where := ""
	if b.Where != "" {
		where = " AND " + b.Where
	}
	out := make([]string, 0, 2)
	for _, side := range []struct{ unit, sign string }{{"m.from_unit", ""}, {"m.to_unit", "-"}} {
		if b.Key == UnitKey {
			key = side.unit // the correction is the unit's, not the record's unit now
		}
		aggs := make([]string, mg.width)
		for j := range aggs {
			aggs[j] = "0"
			if j < len(b.Aggs) {
				aggs[j] = "CAST(COALESCE(" + side.sign + "(" + b.Aggs[j] + "), 0) AS BIGINT)"
			}
		}
		from, row := "", "0"
		if mg.path != "" {
			from = fmt.Sprintf("record_moves m JOIN %s t ON t.%s = m.record_id WHERE %s", b.Table, id, sqlx.Under(side.unit, mg.path))
		} else {
			from = fmt.Sprintf("grid_units g JOIN record_moves m ON %s = g.unit_id JOIN %s t ON t.%s = m.record_id WHERE 1 = 1", side.unit, b.Table, id)
			row = "g.r"
		}
		out = append(out, fmt.Sprintf(`SELECT %d, %s, %s, %s, %s FROM %s AND m.kind = %s AND %s < m.moved_at AND %s >= %s AND %s < %s%s%s`,
			i, row, mg.column(col), key, strings.Join(aggs, ", "), from, kind, col, col, mg.lo, col, mg.hi, where, group))
	}
	return out, nil
}

// cellSums adds up the rows of one (branch, row, column, key) when
// correction branches answer beside the counting ones, and hands each sum
// on once, in the order the cells first came, leaving out those that sum
// to nothing.
type cellSums struct {
	index map[[3]int]map[string]int
	cells []GridCell
}

func (s *cellSums) add(c GridCell) {
	if s.index == nil {
		s.index = map[[3]int]map[string]int{}
	}
	k := [3]int{c.Branch, c.R, c.C}
	byKey := s.index[k]
	if byKey == nil {
		byKey = map[string]int{}
		s.index[k] = byKey
	}
	if i, ok := byKey[c.Key]; ok {
		for j, v := range c.V {
			s.cells[i].V[j] += v
		}
		return
	}
	byKey[c.Key] = len(s.cells)
	s.cells = append(s.cells, c)
}

func (s *cellSums) emit(fn func(GridCell)) {
	for _, c := range s.cells {
		for _, v := range c.V {
			if v != 0 {
				fn(c)
				break
			}
		}
	}
}
