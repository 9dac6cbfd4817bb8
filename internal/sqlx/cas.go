package sqlx

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Querier is what both *sql.DB and *sql.Tx offer.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// CheckCAS turns the result of a compare-and-swap UPDATE (… WHERE id = $1
// AND version = $expected) into nil, ErrNotFound or ErrConflict: a row that
// exists but was not updated was changed by someone else.
func CheckCAS(ctx context.Context, q Querier, res sql.Result, table, recordType, id string, expected int64) error {
	n, err := res.RowsAffected()
	if err != nil {
		return Translate(err)
	}
	if n == 1 {
		return nil
	}
	var one int
	err = q.QueryRowContext(ctx, fmt.Sprintf(`SELECT 1 FROM %s WHERE id = $1`, table), id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.NotFound(recordType, id)
	}
	if err != nil {
		return Translate(err)
	}
	return errs.Stale(recordType, id, expected)
}

// NotFound turns sql.ErrNoRows into the package's not-found error for a
// record type and id; other errors are translated.
func NotFound(err error, recordType, id string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.NotFound(recordType, id)
	}
	return Translate(err)
}

// Under is the SQL condition "the unit id in column lies in the subtree at
// the path bound to placeholder ph". Units never move, so the path prefix is
// exact.
func Under(column, ph string) string {
	return fmt.Sprintf(`%s IN (SELECT id FROM units WHERE substr(path, 1, length(%s)) = %s)`, column, ph, ph)
}

// Args collects query arguments and hands out their placeholders, so that
// optional filters compose without counting by hand.
type Args struct{ List []any }

// Values are the arguments in placeholder order.
func (a *Args) Values() []any { return a.List }

// Add appends an argument and returns its placeholder ($n).
func (a *Args) Add(v any) string {
	a.List = append(a.List, v)
	return fmt.Sprintf("$%d", len(a.List))
}

// N returns the number of arguments so far.
func (a *Args) N() int { return len(a.List) }

// In adds every value and returns the placeholders for an IN (…) list; an
// empty list yields a placeholder that matches nothing.
func In[T any](a *Args, vals []T) string {
	if len(vals) == 0 {
		return "NULL"
	}
	out := ""
	for i, v := range vals {
		if i > 0 {
			out += ", "
		}
		out += a.Add(v)
	}
	return out
}

// Scanner is what a row offers: *sql.Row and *sql.Rows.
type Scanner = interface{ Scan(...any) error }

// QueryAll runs a query and scans every row; every SQL store lists through
// it, so driver errors are translated in one place.
func QueryAll[T any](ctx context.Context, q Querier, query string, args []any, scan func(Scanner) (T, error)) ([]T, error) {
	return QueryPage(ctx, q, query, args, 0, scan)
}

// QueryPage is QueryAll for a query of at most limit rows (a page): the
// list is made for limit at the first row rather than grown row by row
// (51 visits of about 430 bytes grew through room for 127). A limit of 0
// grows the list as it goes. No row is a nil list either way.
func QueryPage[T any](ctx context.Context, q Querier, query string, args []any, limit int, scan func(Scanner) (T, error)) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, Translate(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, Translate(err)
		}
		if out == nil && limit > 0 {
			out = make([]T, 0, limit)
		}
		out = append(out, v)
	}
	return out, Translate(rows.Err())
}
