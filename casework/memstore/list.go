package memstore

import (
	"cmp"
	"slices"

	"github.com/grassroots-policing/grassroots/casework"
)

// List is the paging every memory store shares: it keeps the items that
// match, orders them by (CreatedAt, ID) through key, skips to the cursor and
// returns at most p.Limit clones. Call it under Read.
func List[T any](items map[string]T, keep func(T) bool, key func(T) casework.Cursor, clone func(T) T, p casework.Page) ([]T, error) {
	after, err := casework.DecodeCursor(p.After)
	if err != nil {
		return nil, err
	}
	p = p.Normalize()
	out := make([]T, 0, min(len(items), p.Limit))
	for _, it := range items {
		k := key(it)
		if keep(it) && after.After(k.At, k.ID) {
			out = append(out, it)
		}
	}
	slices.SortFunc(out, func(a, b T) int {
		ka, kb := key(a), key(b)
		if c := ka.At.Compare(kb.At); c != 0 {
			return c
		}
		return cmp.Compare(ka.ID, kb.ID)
	})
	if len(out) > p.Limit {
		out = out[:p.Limit]
	}
	for i := range out {
		out[i] = clone(out[i])
	}
	return out, nil
}

// Identity is the clone of a value without reference fields.
func Identity[T any](v T) T { return v }
