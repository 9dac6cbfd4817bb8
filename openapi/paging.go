package openapi

import (
	"strconv"

	"github.com/grassroots-policing/grassroots/casework"
)

// Page sizes of every list (issue 11, item 6).
const (
	defaultLimit = 50
	maxLimit     = 200
)

// page turns the limit and cursor query parameters into a casework.Page:
// limit defaults to 50, and outside 1…200 it is 400 naming limit. The
// cursor is the opaque `next` of the previous page, passed through.
func page(limit *int, cursor *string) (casework.Page, error) {
	p := casework.Page{Limit: defaultLimit}
	if limit != nil {
		if *limit < 1 || *limit > maxLimit {
			return casework.Page{}, badRequest("limit", "max", "must be between 1 and "+strconv.Itoa(maxLimit))
		}
		p.Limit = *limit
	}
	if cursor != nil {
		p.After = *cursor
	}
	return p, nil
}

// pageSorted pages a whole list the kernel returns unpaged, in its own
// stable order of key (units by path): the cursor is the key of the last
// row given, encoded like every other cursor.
func pageSorted[T any](all []T, p casework.Page, key func(T) string) ([]T, string, error) {
	after := ""
	if p.After != "" {
		c, err := casework.DecodeCursor(p.After)
		if err != nil {
			return nil, "", badRequest("cursor", "format", "is not a cursor this API gave out")
		}
		after = c.ID
	}
	var out []T
	for _, v := range all {
		if after != "" && key(v) <= after {
			continue
		}
		if len(out) == p.Limit {
			return out, casework.Cursor{ID: key(out[len(out)-1])}.Encode(), nil
		}
		out = append(out, v)
	}
	return out, "", nil
}
