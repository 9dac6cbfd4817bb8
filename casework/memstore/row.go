package memstore

import (
	"encoding/binary"
	"errors"
	"time"
	"unsafe"
)

// A row is a stored record in a compact form, for the records a memory
// store keeps by the ten thousand (visits): a Go struct of a dozen strings,
// slices and times costs about 450 bytes in its map before any text, where
// its row costs about 100. Strings a store repeats (units, staff, kinds,
// targets) are written as their number in the database's table of
// strings (Symbols), free text as its bytes, integers as varints and
// times as seconds from the row's previous time. A row reads back equal to
// what was written: nil and empty slices stay apart, times keep their
// location (the database keeps a table of the locations rows name) — a
// time with a monotonic clock reading is the one thing a row cannot keep,
// and RowWriter.OK then reports false, so the store keeps that record
// as it came.
//
// A RowWriter and RowReader run under the database's lock (the write lock
// to write, either to read): they read and add to its tables.

// RowWriter appends a row's fields to B.
type RowWriter struct {
	B       []byte
	h       *Symbols
	lastSec int64
	bad     bool
}

// NewRowWriter starts a row naming the strings and locations of h (the
// database's, Host.Symbols), appending to buf[:0].
func NewRowWriter(h *Symbols, buf []byte) RowWriter { return RowWriter{B: buf[:0], h: h} }

// OK reports whether every field written can be read back as it was.
func (w *RowWriter) OK() bool { return !w.bad }

// Uint writes n.
func (w *RowWriter) Uint(n uint64) { w.B = binary.AppendUvarint(w.B, n) }

// Int writes n.
func (w *RowWriter) Int(n int64) { w.B = binary.AppendVarint(w.B, n) }

// Bool writes b.
func (w *RowWriter) Bool(b bool) {
	if b {
		w.B = append(w.B, 1)
	} else {
		w.B = append(w.B, 0)
	}
}

// Len writes a slice's length, keeping nil apart from empty.
func (w *RowWriter) Len(n int, isNil bool) {
	if isNil {
		w.Uint(0)
		return
	}
	w.Uint(uint64(n) + 1)
}

// Sym writes a string the store repeats, as its number in the database's
// table of strings.
func (w *RowWriter) Sym(s string) {
	if s == "" {
		w.Uint(0)
		return
	}
	w.Uint(uint64(w.h.id(s))<<1 | 1)
}

// Text writes free text as its bytes.
func (w *RowWriter) Text(s string) {
	w.Uint(uint64(len(s)) << 1)
	w.B = append(w.B, s...)
}

// Time writes t: its location, its seconds from the row's previous time,
// and its nanoseconds (divided by 1,000 when whole microseconds, as the
// stores keep them).
func (w *RowWriter) Time(t time.Time) {
	if t != t.Round(0) {
		w.bad = true // a monotonic clock reading, which no row keeps
	}
	w.Uint(uint64(w.h.locationID(t.Location())))
	sec := t.Unix()
	w.Int(sec - w.lastSec)
	w.lastSec = sec
	if ns := t.Nanosecond(); ns%1000 == 0 {
		w.Uint(uint64(ns/1000) << 1)
	} else {
		w.Uint(uint64(ns)<<1 | 1)
	}
}

var errRow = errors.New("memstore: a stored row is corrupt")

// RowReader reads a row's fields in the order they were written. A read
// past the row's end or of a value the database never stored yields the
// zero value, and Err reports it.
type RowReader struct {
	b       []byte
	h       *Symbols
	lastSec int64
	view    bool
	err     error
}

// NewRowReader reads row on h. With view, the texts it returns share the
// row's bytes, for rows that are never changed in place; without, each
// text is a copy.
func NewRowReader(h *Symbols, row []byte, view bool) RowReader {
	return RowReader{b: row, h: h, view: view}
}

// Err is the first corruption the reader met, or nil; a row read to its
// end with bytes left over is corrupt too.
func (r *RowReader) Err() error {
	if r.err == nil && len(r.b) != 0 {
		r.err = errRow
	}
	return r.err
}

// ErrSoFar is the first corruption the reader met, or nil, for a reader
// that stops before the row's end.
func (r *RowReader) ErrSoFar() error { return r.err }

// Uint reads an unsigned integer.
func (r *RowReader) Uint() uint64 {
	if len(r.b) > 0 && r.b[0] < 0x80 { // most are one byte
		n := r.b[0]
		r.b = r.b[1:]
		return uint64(n)
	}
	return r.uvarint()
}

func (r *RowReader) uvarint() uint64 {
	n, k := binary.Uvarint(r.b)
	if k <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[k:]
	return n
}

// Int reads a signed integer.
func (r *RowReader) Int() int64 {
	n, k := binary.Varint(r.b)
	if k <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[k:]
	return n
}

// Bool reads a bool.
func (r *RowReader) Bool() bool { return r.Uint() != 0 }

// Len reads a slice's length; isNil for a nil slice. The length is at
// most what the rest of the row could hold, one byte an element.
func (r *RowReader) Len() (n int, isNil bool) {
	u := r.Uint()
	if u == 0 {
		return 0, true
	}
	if u-1 > uint64(len(r.b)) {
		r.fail()
		return 0, true
	}
	return int(u - 1), false
}

// Sym reads a string written by Sym or Text.
func (r *RowReader) Sym() string { return r.Text() }

// Text reads a string written by Text or Sym.
func (r *RowReader) Text() string {
	u := r.Uint()
	if u&1 == 1 {
		s, ok := r.h.text(u >> 1)
		if !ok {
			r.fail()
		}
		return s
	}
	n := u >> 1
	if n > uint64(len(r.b)) {
		r.fail()
		return ""
	}
	b := r.b[:n]
	r.b = r.b[n:]
	if n == 0 {
		return ""
	}
	if r.view {
		return unsafe.String(&b[0], len(b))
	}
	return string(b)
}

// Time reads a time written by Time.
func (r *RowReader) Time() time.Time {
	loc, ok := r.h.location(r.Uint())
	if !ok {
		r.fail()
	}
	sec := r.lastSec + r.Int()
	r.lastSec = sec
	ns := r.Uint()
	if ns&1 == 0 {
		ns = ns >> 1 * 1000
	} else {
		ns >>= 1
	}
	if ns >= 1e9 {
		r.fail()
		return time.Time{}
	}
	t := time.Unix(sec, int64(ns))
	if loc == nil {
		return t.UTC()
	}
	return t.In(loc)
}

// raw reads n bytes written as they are.
func (r *RowReader) raw(n int) []byte {
	if n > len(r.b) {
		r.fail()
		return nil
	}
	b := r.b[:n]
	r.b = r.b[n:]
	return b
}

func (r *RowReader) fail() {
	if r.err == nil {
		r.err = errRow
	}
	r.b = nil
}
