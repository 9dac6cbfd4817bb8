package openapi

// mapSlice translates every element of a list, keeping an empty list empty
// rather than null on the wire.
func mapSlice[T, U any](in []T, f func(T) U) []U {
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// deref reads an optional query parameter ("" when absent).
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
