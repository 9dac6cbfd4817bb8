package openapi

import (
	"context"

	"github.com/grassroots-policing/grassroots/casework"
)

// cachedObjects returns the encoded objects of a listed page's records, in
// its order: those server.listed keeps for the record, version and view
// the service listed, and the others loaded in one call, encoded by fields
// and kept (casework.Resolve). The service has already checked reach and
// permission and chosen each record's view for the actor; a kept object
// is answered only for that same record, version and view, so it is
// exactly what encoding the record again would write. c may be nil.
func cachedObjects[V any](ctx context.Context, c *casework.VersionCache[[]byte], p casework.ListedPage[V], fields func(*object, V)) ([][]byte, error) {
	return casework.Resolve(ctx, c, p, func(v V) ([]byte, error) { return encodeObject(v, fields) })
}

// encodeObject returns v's object as fields writes it, in a slice of its
// own length (a kept object holds no more than itself).
func encodeObject[V any](v V, fields func(*object, V)) ([]byte, error) {
	o := docObjects.Get().(*object)
	defer func() {
		if cap(o.b) <= maxPooledBuf {
			*o = object{b: o.b[:0]}
			docObjects.Put(o)
		}
	}()
	o.open()
	fields(o, v)
	o.close()
	if o.err != nil {
		return nil, o.err
	}
	b := make([]byte, len(o.b))
	copy(b, o.b)
	return b, nil
}

// rawObjects writes encoded objects as an array, as objects writes them.
func rawObjects(o *object, items [][]byte) {
	o.b = append(o.b, '[')
	for i, it := range items {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = append(o.b, it...)
	}
	o.b = append(o.b, ']')
	o.comma = true
}
