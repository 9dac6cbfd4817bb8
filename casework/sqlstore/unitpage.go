package sqlstore

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

// MaxUnitWalks is the largest subtree PageByUnit walks unit by unit; a
// larger one (a city) is listed by the caller's plain query, where most
// rows of a period match and the time index finds a page quickly.
const MaxUnitWalks = 32

// Querier is what a list reads through: a *sql.DB, *sql.Tx or *sql.Conn.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Scanner is a row being read: *sql.Row or *sql.Rows.
type Scanner = interface{ Scan(...any) error }

// Arguments are a query's placeholders and, in their order, its values.
type Arguments interface {
	Placeholders
	Values() []any
}

// subtree is what a Lister knows of the units under a path.
type subtree struct {
	units []string // at most MaxUnitWalks, in id order; nil when large
	large bool     // more than MaxUnitWalks units: listed by one query
	count int64    // how many units the whole table held when units were read
}

// maxSubtrees bounds how many subtrees a Lister keeps (each at most
// MaxUnitWalks ids); past it, it forgets them all and starts again.
const maxSubtrees = 1024

// Lister runs the lists of one store within subtrees (ListUnder) over q,
// and keeps the units of each subtree it has listed, so that a station's
// page costs one statement, not two. What it keeps is never trusted
// without the database: units are never deleted and never move (a path
// never changes), so a subtree only gains units, and the whole table's
// unit count tells whether any were added. Each page walked unit by unit
// carries the count its units were read at and returns no row unless the
// table still holds exactly that many units, checked in the same statement
// (one snapshot), so a list never misses a unit created meanwhile, in
// this process or any other. An empty page is checked by reading the
// subtree again (and run again if it grew). A subtree of more than MaxUnitWalks units stays large,
// so it is kept without a count. Safe for concurrent use.
type Lister struct {
	q     Querier
	mu    sync.RWMutex
	trees map[string]subtree
}

// NewLister returns a Lister reading through q (usually an *sqlx.Stmts,
// so the lists' few statement texts are prepared once).
func NewLister(q Querier) *Lister { return &Lister{q: q, trees: map[string]subtree{}} }

func (l *Lister) kept(path string) (subtree, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	t, ok := l.trees[path]
	return t, ok
}

// read reads the subtree at path with the unit count in one statement and
// keeps it; a path that names no unit is not kept.
func (l *Lister) read(ctx context.Context, path string) (subtree, error) {
	var t subtree
	ids, err := sqlx.QueryAll(ctx, l.q, `SELECT id, (SELECT count(*) FROM units) FROM units WHERE substr(path, 1, length($1)) = $1
		ORDER BY id LIMIT $2`, []any{path, MaxUnitWalks + 1}, func(r Scanner) (string, error) {
		var id string
		return id, r.Scan(&id, &t.count)
	})
	if err != nil || len(ids) == 0 {
		return t, err
	}
	if len(ids) > MaxUnitWalks {
		t.large = true
	} else {
		t.units = ids
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.trees) >= maxSubtrees {
		clear(l.trees)
	}
	l.trees[path] = t
	return t, nil
}

// UnitPage is a list of one table ordered by (AtCol, IDCol) within a set
// of units, filtered by Where: conditions each written " AND cond", with
// placeholders from the same Args ("" for none). Covered says that Cols
// are plain columns, AtCol and IDCol among them, all in the unit index the
// list walks: each unit's arm of a page then reads them there, and the
// page is sorted from the arms with no lookup of its rows by id after.
type UnitPage struct {
	Table, Cols           string
	UnitCol, AtCol, IDCol string
	Where                 string
	Covered               bool
}

// ListUnder runs one page of a list within the subtree at path ("" for
// all units): unit by unit through PageByUnit when the subtree has at most
// MaxUnitWalks units, else one query filtering the time order. Every
// workflow's default list (a station's records in order) takes this path,
// so none sorts a station's whole history for a page. The subtree's units
// come from l (see Lister): a subtree it has listed before costs no
// statement of its own, and the page is exact all the same.
func ListUnder[T any](ctx context.Context, l *Lister, path string, a Arguments, p casework.Page, u UnitPage,
	scan func(Scanner) (T, error)) ([]T, error) {
	base := slices.Clip(a.Values()) // the filter's arguments; each query below adds its own after them
	if path == "" {
		return pageUnder(ctx, l.q, subtree{}, "", false, base, p, u, scan)
	}
	t, ok := l.kept(path)
	if !ok {
		var err error
		if t, err = l.read(ctx, path); err != nil {
			return nil, err
		}
	}
	for range guardedTries {
		if t.large || len(t.units) == 0 {
			break // a large subtree needs no guard; an empty one has no page
		}
		rows, err := pageUnder(ctx, l.q, t, path, true, base, p, u, scan)
		if err != nil || len(rows) > 0 {
			return rows, err
		}
		// No row: none matched, or the guard saw units added since t was
		// read. The count only grows, so the same count read now means it
		// was the same when the page ran: the page is empty.
		fresh, err := l.read(ctx, path)
		if err != nil || fresh.count == t.count {
			return nil, err
		}
		t = fresh
	}
	return pageUnder(ctx, l.q, t, path, false, base, p, u, scan)
}

// guardedTries is how many times ListUnder runs a guarded page before,
// with units being added all along, it runs the page unguarded on the
// units it read last (as exact as reading the units, then the page).
const guardedTries = 3

// pageUnder runs a page of the list within the subtree t at path: with a
// path of "" over all units, for a large subtree through one query on the
// time order, else unit by unit, and then, when guarded, only if the unit
// table still holds t.count units.
func pageUnder[T any](ctx context.Context, q Querier, t subtree, path string, guarded bool, base []any, p casework.Page, u UnitPage,
	scan func(Scanner) (T, error)) ([]T, error) {
	a := &sqlx.Args{List: base}
	var query string
	var err error
	if path == "" || t.large {
		where := u.Where
		if path != "" {
			where += ` AND ` + sqlx.Under(u.UnitCol, a.Add(path))
		}
		query, err = PageClause(`SELECT `+u.Cols+` FROM `+u.Table+` WHERE 1 = 1`+where, a, p, u.AtCol, u.IDCol)
	} else {
		guard := ""
		if guarded {
			guard = ` AND (SELECT count(*) FROM units) = ` + a.Add(t.count)
		}
		query, err = pageByUnit(t.units, a, p, u, guard)
		if err == nil && len(t.units) == 0 {
			return nil, nil
		}
	}
	if err != nil {
		return nil, err
	}
	return sqlx.QueryPage(ctx, q, query, a.Values(), p.ForStore().Limit, scan)
}

// PageByUnit builds the query of one page of a list restricted to units:
// for each unit, the first Limit rows after the cursor read in order from
// an index on (UnitCol, [equality filters,] AtCol, IDCol), then the first
// Limit of those, then their rows. A list of one station's records in a
// period thus reads about Limit index entries per unit, however many rows
// the period holds, where "unit IN (subtree) ORDER BY at" reads and sorts
// them all. The arms share placeholders, so their number does not grow the
// arguments. A subtree of one unit reads its page straight from that index.
// A Covered list reads its rows in the arms and needs no last step.
func PageByUnit(units []string, a Placeholders, p casework.Page, l UnitPage) (string, error) {
	return pageByUnit(units, a, p, l, "")
}

// pageByUnit is PageByUnit with guard (" AND cond", or "") added once to
// the query's outermost WHERE.
func pageByUnit(units []string, a Placeholders, p casework.Page, l UnitPage, guard string) (string, error) {
	c, err := casework.DecodeCursor(p.After)
	if err != nil {
		return "", err
	}
	p = p.ForStore()
	cond := l.Where
	if c.ID != "" {
		// A row value seeks the index to the cursor on both engines.
		cond += ` AND (` + l.AtCol + `, ` + l.IDCol + `) > (` + a.Add(c.At.UnixMicro()) + `, ` + a.Add(c.ID) + `)`
	}
	limit := a.Add(p.Limit)
	order := ` ORDER BY ` + l.AtCol + `, ` + l.IDCol
	if len(units) == 1 {
		// One unit (a station): its index gives the order, so the page is
		// read in order and stops at the limit, with no union to sort.
		return `SELECT ` + l.Cols + ` FROM ` + l.Table + ` WHERE ` + l.UnitCol + ` = ` + a.Add(units[0]) + cond + guard + order +
			` LIMIT ` + limit, nil
	}
	armCols := l.AtCol + `, ` + l.IDCol
	if l.Covered {
		armCols = l.Cols
	}
	arms := make([]string, len(units))
	for i, u := range units {
		alias := `w` + strconv.Itoa(i)
		arms[i] = `SELECT ` + armCols + ` FROM (SELECT ` + armCols + ` FROM ` + l.Table +
			` WHERE ` + l.UnitCol + ` = ` + a.Add(u) + cond + order + ` LIMIT ` + limit + `) ` + alias
	}
	if l.Covered {
		return `SELECT ` + l.Cols + ` FROM (` + strings.Join(arms, ` UNION ALL `) + `) page WHERE 1 = 1` + guard + order +
			` LIMIT ` + limit, nil
	}
	return `SELECT ` + l.Cols + ` FROM ` + l.Table + ` WHERE ` + l.IDCol + ` IN (SELECT ` + l.IDCol + ` FROM (` +
		strings.Join(arms, ` UNION ALL `) + order + ` LIMIT ` + limit + `) page)` + guard + order, nil
}
