package openapi

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// object writes JSON objects field by field with the append functions of
// jsonappend.go: key adds a field's name (and the comma before every field
// but an object's first), and the other methods a value. The opt methods
// are for fields tagged omitempty or omitzero, which the generated types
// tag together: both leave out the same values (empty strings and lists,
// zero numbers, false, the zero time). The first error of a time stays in
// err.
type object struct {
	b     []byte
	comma bool
	err   error
}

// open starts an object as a value (of a field, an element or the
// document); close ends it.
func (o *object) open() {
	o.b = append(o.b, '{')
	o.comma = false
}

func (o *object) close() {
	o.b = append(o.b, '}')
	o.comma = true
}

func (o *object) key(name string) {
	if o.comma {
		o.b = append(o.b, ',')
	}
	o.comma = true
	o.b = append(o.b, '"')
	o.b = append(o.b, name...)
	o.b = append(o.b, '"', ':')
}

func (o *object) str(name, v string) {
	o.key(name)
	o.b = appendString(o.b, v)
}

func (o *object) optStr(name, v string) {
	if v != "" {
		o.str(name, v)
	}
}

func (o *object) int(name string, v int64) {
	o.key(name)
	o.b = strconv.AppendInt(o.b, v, 10)
}

func (o *object) optInt(name string, v int64) {
	if v != 0 {
		o.int(name, v)
	}
}

func (o *object) bool(name string, v bool) {
	o.key(name)
	o.b = strconv.AppendBool(o.b, v)
}

func (o *object) optBool(name string, v bool) {
	if v {
		o.bool(name, v)
	}
}

func (o *object) time(name string, t time.Time) {
	o.key(name)
	if o.err != nil {
		return
	}
	var err error
	if o.b, err = appendTime(o.b, t); err != nil {
		o.err = err
	}
}

func (o *object) optTime(name string, t time.Time) {
	if !t.IsZero() {
		o.time(name, t)
	}
}

// strs is a list of strings (or of a string type such as an enum); nil is
// null.
func strs[S ~string](o *object, name string, list []S) {
	o.key(name)
	if list == nil {
		o.b = append(o.b, "null"...)
		return
	}
	o.b = append(o.b, '[')
	for i, s := range list {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = appendString(o.b, string(s))
	}
	o.b = append(o.b, ']')
}

func optStrs[S ~string](o *object, name string, list []S) {
	if len(list) > 0 {
		strs(o, name, list)
	}
}

// objects writes list as an array of objects, each one's fields by
// fields; nil is [] (the lists it serves are never nil in the generated
// answer).
func objects[T any](o *object, list []T, fields func(*object, T)) {
	o.b = append(o.b, '[')
	for i, v := range list {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.open()
		fields(o, v)
		o.close()
	}
	o.b = append(o.b, ']')
}

// optObjects is a list of objects tagged omitempty.
func optObjects[T any](o *object, name string, list []T, fields func(*object, T)) {
	if len(list) > 0 {
		o.key(name)
		objects(o, list, fields)
	}
}

// document appends one object, its fields by fields, and the newline
// after it, as json.Encoder writes a value; a time JSON cannot carry fails
// it with Time.MarshalJSON's error.
func (o *object) document(fields func(*object)) error {
	o.open()
	fields(o)
	o.close()
	if o.err != nil {
		return o.err
	}
	o.b = append(o.b, '\n')
	return nil
}

// document appends to b the document of fields.
func document(b []byte, fields func(*object)) ([]byte, error) {
	o := object{b: b}
	if err := o.document(fields); err != nil {
		return nil, err
	}
	return o.b, nil
}

// docObjects keeps the answers' objects with their buffers: a page of 50
// visits is about 25 KB, grown anew for every request otherwise. The
// object itself is pooled too, since the field writers it is handed to
// make it escape to the heap.
var docObjects = sync.Pool{New: func() any { return new(object) }}

// maxPooledBuf is the largest buffer put back: a rare huge page is let go.
const maxPooledBuf = 1 << 20

// unframedBody is the largest body net/http sends with a Content-Length
// of its own (its bufferBeforeChunkingSize): a longer one without a
// Content-Length from the handler goes out chunked.
const unframedBody = 2048

// writeDocument answers 200 with the document of fields (and the ETag
// given, if any) as a generated JSON response does, or, if a time cannot
// be written, with the error alone and nothing written. A document longer
// than unframedBody (a page of visits, 25 KB) is sent with its
// Content-Length rather than chunked: the same bytes to read, and one
// write(2) fewer for the server, the chunked body's end.
func writeDocument(w http.ResponseWriter, etag string, fields func(*object)) error {
	o := docObjects.Get().(*object)
	defer func() {
		if cap(o.b) <= maxPooledBuf {
			*o = object{b: o.b[:0]}
			docObjects.Put(o)
		}
	}()
	if err := o.document(fields); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if len(o.b) > unframedBody {
		h.Set("Content-Length", strconv.Itoa(len(o.b)))
	}
	if etag != "" {
		h.Set("ETag", etag)
	}
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(o.b)
	return err
}
