package memstore

import "github.com/grassroots-policing/grassroots/internal/errs"

// Insert stores v under id unless id is taken (ErrConflict). It is the create
// half of every memory store; call it inside DB.Write.
func Insert[T any](m map[string]T, id string, v T, recordType string) error {
	if _, ok := m[id]; ok {
		return errs.New(errs.ErrConflict, "%s %q exists", recordType, id)
	}
	m[id] = v
	return nil
}

// Replace stores v under id when the stored version is version-1
// (compare-and-swap); otherwise ErrNotFound or ErrConflict, and nothing
// changes. Call it inside DB.Write.
func Replace[T any](m map[string]T, id string, v T, version func(T) int64, recordType string) error {
	cur, ok := m[id]
	if !ok {
		return errs.NotFound(recordType, id)
	}
	if version(cur) != version(v)-1 {
		return errs.Stale(recordType, id, version(v)-1)
	}
	m[id] = v
	return nil
}

// Get returns a clone of the record under id, or ErrNotFound.
func Get[T any](m map[string]T, id string, clone func(T) T, recordType string) (T, error) {
	v, ok := m[id]
	if !ok {
		var zero T
		return zero, errs.NotFound(recordType, id)
	}
	return clone(v), nil
}
