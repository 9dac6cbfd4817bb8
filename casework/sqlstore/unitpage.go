package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

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

// unitsUnder returns the ids of the units in the subtree at path, at most
// MaxUnitWalks+1 of them (enough to tell that the subtree is too large to
// walk).
func unitsUnder(ctx context.Context, q Querier, path string) ([]string, error) {
	return sqlx.QueryAll(ctx, q, `SELECT id FROM units WHERE substr(path, 1, length($1)) = $1 ORDER BY id LIMIT $2`,
		[]any{path, MaxUnitWalks + 1}, func(r Scanner) (string, error) {
			var id string
			return id, r.Scan(&id)
		})
}

// UnitPage is a list of one table ordered by (AtCol, IDCol) within a set
// of units, filtered by Where: conditions each written " AND cond", with
// placeholders from the same Args ("" for none).
type UnitPage struct {
	Table, Cols           string
	UnitCol, AtCol, IDCol string
	Where                 string
}

// ListUnder runs one page of a list within the subtree at path ("" for
// all units): unit by unit through PageByUnit when the subtree has at most
// MaxUnitWalks units, else one query filtering the time order. Every
// workflow's default list (a station's records in order) takes this path,
// so none sorts a station's whole history for a page.
func ListUnder[T any](ctx context.Context, q Querier, path string, a Arguments, p casework.Page, l UnitPage,
	scan func(Scanner) (T, error)) ([]T, error) {
	where := l.Where
	if path != "" {
		units, err := unitsUnder(ctx, q, path)
		if err != nil {
			return nil, err
		}
		if len(units) <= MaxUnitWalks {
			query, err := PageByUnit(units, a, p, l)
			if err != nil || len(units) == 0 {
				return nil, err
			}
			return sqlx.QueryPage(ctx, q, query, a.Values(), p.ForStore().Limit, scan)
		}
		where += ` AND ` + sqlx.Under(l.UnitCol, a.Add(path))
	}
	query, err := PageClause(`SELECT `+l.Cols+` FROM `+l.Table+` WHERE 1 = 1`+where, a, p, l.AtCol, l.IDCol)
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
func PageByUnit(units []string, a Placeholders, p casework.Page, l UnitPage) (string, error) {
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
		return `SELECT ` + l.Cols + ` FROM ` + l.Table + ` WHERE ` + l.UnitCol + ` = ` + a.Add(units[0]) + cond + order +
			` LIMIT ` + limit, nil
	}
	arms := make([]string, len(units))
	for i, u := range units {
		alias := `w` + strconv.Itoa(i)
		arms[i] = `SELECT ` + l.AtCol + `, ` + l.IDCol + ` FROM (SELECT ` + l.AtCol + `, ` + l.IDCol + ` FROM ` + l.Table +
			` WHERE ` + l.UnitCol + ` = ` + a.Add(u) + cond + ` ORDER BY ` + l.AtCol + `, ` + l.IDCol + ` LIMIT ` + limit + `) ` + alias
	}
	return `SELECT ` + l.Cols + ` FROM ` + l.Table + ` WHERE ` + l.IDCol + ` IN (SELECT ` + l.IDCol + ` FROM (` +
		strings.Join(arms, ` UNION ALL `) + order + ` LIMIT ` + limit + `) page)` + order, nil
}
