package sqlstore

import (
	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

// pageClause appends keyset paging on (created_at, id) to a query whose
// WHERE clause is open: rows after the cursor, in order, at most Limit.
func pageClause(q string, a *sqlx.Args, p casework.Page) (string, error) {
	return PageClause(q, a, p, "created_at", "id")
}

// Placeholders hands out the placeholder of each query argument it is given,
// so optional filters compose without counting by hand.
type Placeholders interface {
	// Add records v as the next argument and returns its placeholder ($n).
	Add(v any) string
}

// PageClause is keyset paging on (atCol, idCol) for any table; workflow
// stores use it so every list pages the same way.
func PageClause(q string, a Placeholders, p casework.Page, atCol, idCol string) (string, error) {
	c, err := casework.DecodeCursor(p.After)
	if err != nil {
		return "", err
	}
	p = p.ForStore()
	if c.ID != "" {
		at := a.Add(c.At.UnixMicro())
		q += ` AND (` + atCol + ` > ` + at + ` OR (` + atCol + ` = ` + at + ` AND ` + idCol + ` > ` + a.Add(c.ID) + `))`
	}
	return q + ` ORDER BY ` + atCol + `, ` + idCol + ` LIMIT ` + a.Add(p.Limit), nil
}
