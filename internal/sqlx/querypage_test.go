package sqlx_test

import (
	"testing"

	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/stretchr/testify/require"
)

// QueryPage returns what QueryAll returns, in a list made for the page at
// once, and nil for no row, as QueryAll does.
func TestQueryPage(t *testing.T) {
	t.Parallel()
	db := testdb.SQLite(t)
	scan := func(r sqlx.Scanner) (int, error) {
		var n int
		return n, r.Scan(&n)
	}
	const q = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) SELECT i FROM n WHERE i <= $2`
	for _, c := range []struct{ rows, limit int }{{3, 5}, {5, 5}, {1, 51}, {0, 5}, {4, 0}} {
		all, err := sqlx.QueryAll(t.Context(), db, q, []any{max(c.rows, 1), c.rows}, scan)
		require.NoError(t, err)
		page, err := sqlx.QueryPage(t.Context(), db, q, []any{max(c.rows, 1), c.rows}, c.limit, scan)
		require.NoError(t, err)
		require.Equal(t, all, page)
		require.Len(t, page, c.rows)
		if c.rows == 0 {
			require.Nil(t, page)
		} else if c.limit > 0 {
			require.Equal(t, c.limit, cap(page))
		}
	}
}
