package audit

import (
	"crypto/sha256"
	"encoding"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// The typed path writes a Go value straight as canonical JSON: what
// encoding/json writes (HTML escaping off), decoded with UseNumber and
// encoded again, which sorts struct fields by name. It follows
// encoding/json's rules for the values records are made of (structs with
// json tags, strings, numbers, booleans, times, slices, arrays, maps with
// string keys, pointers and interfaces) from a plan built once per type,
// without encoding, parsing and sorting every value. Anything else (a
// custom marshaler, an embedded struct, a ",string" field, a NaN) makes it
// report !ok and the caller takes the slower path that is the definition.

// encoderFunc appends v as canonical JSON; ok is false when v needs the
// definition's path.
type encoderFunc func(buf []byte, v reflect.Value, depth int) (_ []byte, ok bool)

// maxDepth bounds nesting, so a cyclic value reaches encoding/json (which
// reports the cycle) instead of overflowing the stack.
const maxDepth = 100

var (
	encoders         sync.Map // reflect.Type → encoderFunc
	timeType         = reflect.TypeFor[time.Time]()
	numberType       = reflect.TypeFor[json.Number]()
	marshalerType    = reflect.TypeFor[json.Marshaler]()
	textMarshalType  = reflect.TypeFor[encoding.TextMarshaler]()
	isZeroerType     = reflect.TypeFor[isZeroer]()
	unsupportedValue = func([]byte, reflect.Value, int) ([]byte, bool) { return nil, false }
)

// typeEncoder returns the encoder of t, built once. A recursive type finds
// its own encoder under construction through an indirection, as in
// encoding/json.
func typeEncoder(t reflect.Type) encoderFunc {
	if f, ok := encoders.Load(t); ok {
		return f.(encoderFunc)
	}
	var (
		wg sync.WaitGroup
		f  encoderFunc
	)
	wg.Add(1)
	fi, loaded := encoders.LoadOrStore(t, encoderFunc(func(buf []byte, v reflect.Value, depth int) ([]byte, bool) {
		wg.Wait()
		return f(buf, v, depth)
	}))
	if loaded {
		return fi.(encoderFunc)
	}
	f = newTypeEncoder(t)
	wg.Done()
	encoders.Store(t, f)
	return f
}

// marshals reports whether encoding/json hands t (or, when addressable, *t)
// to a method of its own, which the typed path leaves to it.
func marshals(t reflect.Type) bool {
	return t.Implements(marshalerType) || t.Implements(textMarshalType) ||
		(t.Kind() != reflect.Pointer && (reflect.PointerTo(t).Implements(marshalerType) || reflect.PointerTo(t).Implements(textMarshalType)))
}

func newTypeEncoder(t reflect.Type) encoderFunc {
	switch {
	case t == timeType:
		return encodeTime
	case t == numberType:
		return encodeNumber
	case t.Kind() == reflect.Pointer && t.Elem() == timeType:
		// *time.Time has time.Time's MarshalJSON, which a nil pointer
		// skips: null.
		return newPointerEncoder(t)
	case marshals(t):
		return unsupportedValue
	}
	switch t.Kind() {
	case reflect.Bool:
		return func(buf []byte, v reflect.Value, _ int) ([]byte, bool) {
			return strconv.AppendBool(buf, v.Bool()), true
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(buf []byte, v reflect.Value, _ int) ([]byte, bool) {
			return strconv.AppendInt(buf, v.Int(), 10), true
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return func(buf []byte, v reflect.Value, _ int) ([]byte, bool) {
			return strconv.AppendUint(buf, v.Uint(), 10), true
		}
	case reflect.Float32:
		return floatEncoder(32)
	case reflect.Float64:
		return floatEncoder(64)
	case reflect.String:
		return func(buf []byte, v reflect.Value, _ int) ([]byte, bool) {
			return appendJSONString(buf, v.String()), true
		}
	case reflect.Interface:
		return encodeInterface
	case reflect.Pointer:
		return newPointerEncoder(t)
	case reflect.Struct:
		return newStructEncoder(t)
	case reflect.Map:
		return newMapEncoder(t)
	case reflect.Slice:
		return newSliceEncoder(t)
	case reflect.Array:
		return newArrayEncoder(t)
	}
	return unsupportedValue
}

// encodeTime writes what time.Time.MarshalJSON writes, and leaves the
// times it refuses (a year outside [0,9999], a zone offset of a day or
// more) to it.
func encodeTime(buf []byte, v reflect.Value, _ int) ([]byte, bool) {
	var t time.Time
	if v.CanAddr() {
		t = *v.Addr().Interface().(*time.Time)
	} else {
		t = v.Interface().(time.Time)
	}
	n0 := len(buf) + 1
	buf = t.AppendFormat(append(buf, '"'), time.RFC3339Nano)
	if buf[n0+len("9999")] != '-' {
		return nil, false
	}
	if buf[len(buf)-1] != 'Z' {
		c := buf[len(buf)-len("Z07:00")]
		hour := buf[len(buf)-len("07:00"):]
		if ('0' <= c && c <= '9') || 10*(hour[0]-'0')+(hour[1]-'0') >= 24 {
			return nil, false
		}
	}
	return append(buf, '"'), true
}

// encodeNumber writes a json.Number as its literal; "" (which
// encoding/json writes as 0) and invalid literals are left to it.
func encodeNumber(buf []byte, v reflect.Value, _ int) ([]byte, bool) {
	s := v.String()
	if !isValidNumber(s) {
		return nil, false
	}
	return append(buf, s...), true
}

// floatEncoder formats as encoding/json does (ES6 number to string); NaN
// and infinities, which it refuses, are left to it.
func floatEncoder(bits int) encoderFunc {
	return func(buf []byte, v reflect.Value, _ int) ([]byte, bool) {
		f := v.Float()
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, false
		}
		abs := math.Abs(f)
		format := byte('f')
		if abs != 0 {
			if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
				format = 'e'
			}
		}
		buf = strconv.AppendFloat(buf, f, format, -1, bits)
		if format == 'e' {
			// e-09 becomes e-9
			if n := len(buf); n >= 4 && buf[n-4] == 'e' && buf[n-3] == '-' && buf[n-2] == '0' {
				buf[n-2] = buf[n-1]
				buf = buf[:n-1]
			}
		}
		return buf, true
	}
}

func encodeInterface(buf []byte, v reflect.Value, depth int) ([]byte, bool) {
	if v.IsNil() {
		return append(buf, "null"...), true
	}
	if depth > maxDepth {
		return nil, false
	}
	e := v.Elem()
	return typeEncoder(e.Type())(buf, e, depth+1)
}

func newPointerEncoder(t reflect.Type) encoderFunc {
	elem := typeEncoder(t.Elem())
	return func(buf []byte, v reflect.Value, depth int) ([]byte, bool) {
		if v.IsNil() {
			return append(buf, "null"...), true
		}
		if depth > maxDepth {
			return nil, false
		}
		return elem(buf, v.Elem(), depth+1)
	}
}

func newSliceEncoder(t reflect.Type) encoderFunc {
	if t.Elem().Kind() == reflect.Uint8 {
		// encoding/json writes a byte slice as base64, unless its element
		// type has a marshaler (left to it by marshals).
		p := reflect.PointerTo(t.Elem())
		if p.Implements(marshalerType) || p.Implements(textMarshalType) {
			return unsupportedValue
		}
		return func(buf []byte, v reflect.Value, _ int) ([]byte, bool) {
			if v.IsNil() {
				return append(buf, "null"...), true
			}
			buf = append(buf, '"')
			buf = base64.StdEncoding.AppendEncode(buf, v.Bytes())
			return append(buf, '"'), true
		}
	}
	array := newArrayEncoder(t)
	return func(buf []byte, v reflect.Value, depth int) ([]byte, bool) {
		if v.IsNil() {
			return append(buf, "null"...), true
		}
		return array(buf, v, depth)
	}
}

func newArrayEncoder(t reflect.Type) encoderFunc {
	elem := typeEncoder(t.Elem())
	return func(buf []byte, v reflect.Value, depth int) (_ []byte, ok bool) {
		if depth > maxDepth {
			return nil, false
		}
		buf = append(buf, '[')
		for i := range v.Len() {
			if i > 0 {
				buf = append(buf, ',')
			}
			if buf, ok = elem(buf, v.Index(i), depth+1); !ok {
				return nil, false
			}
		}
		return append(buf, ']'), true
	}
}

// newMapEncoder handles maps with string keys (sorted as the canonical form
// sorts them); other keys are left to encoding/json.
func newMapEncoder(t reflect.Type) encoderFunc {
	if t.Key().Kind() != reflect.String {
		return unsupportedValue
	}
	elem := typeEncoder(t.Elem())
	return func(buf []byte, v reflect.Value, depth int) ([]byte, bool) {
		if v.IsNil() {
			return append(buf, "null"...), true
		}
		return appendMapMembers(buf, elem, v, depth, nil)
	}
}

// span is where a top-level member's value lies in the state's bytes.
type span struct {
	name       string
	start, end int
}

// appendMapMembers writes a non-nil map with string keys as a canonical
// object, and where each value lies when spans is not nil.
func appendMapMembers(buf []byte, elem encoderFunc, v reflect.Value, depth int, spans *[]span) (_ []byte, ok bool) {
	if depth > maxDepth {
		return nil, false
	}
	type member struct {
		key   string
		value reflect.Value
	}
	members := make([]member, 0, v.Len())
	for it := v.MapRange(); it.Next(); {
		k := it.Key().String()
		if !utf8.ValidString(k) {
			// encoding/json replaces invalid UTF-8 before sorting,
			// which can reorder keys; left to it.
			return nil, false
		}
		members = append(members, member{k, it.Value()})
	}
	slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.key, b.key) })
	buf = append(buf, '{')
	for i, m := range members {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(appendJSONString(buf, m.key), ':')
		start := len(buf)
		if buf, ok = elem(buf, m.value, depth+1); !ok {
			return nil, false
		}
		if spans != nil {
			*spans = append(*spans, span{m.key, start, len(buf)})
		}
	}
	return append(buf, '}'), true
}

// typedState is canonicalState by the typed path: the state's canonical
// object, its top-level members sorted by name (values within it) and its
// digest; nil fields and "" for a state that encodes as null. ok is false
// when v needs the definition's path.
func typedState(v any, s *stateScratch) (_ []field, digest string, ok bool) {
	rv := reflect.ValueOf(v)
	for rv.IsValid() && rv.Kind() == reflect.Pointer && !marshals(rv.Type()) {
		if rv.IsNil() {
			return nil, "", true
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return nil, "", true
	}
	t := rv.Type()
	if t == timeType || t == numberType || marshals(t) {
		return nil, "", false
	}
	buf, spans := s.buf[:0], s.spans[:0]
	switch t.Kind() {
	case reflect.Struct:
		p := planOf(t)
		if p == nil {
			return nil, "", false
		}
		if !rv.CanAddr() {
			// One copy makes every member addressable, so reading a
			// time or calling IsZero allocates nothing.
			c := reflect.New(t).Elem()
			c.Set(rv)
			rv = c
		}
		buf, ok = p.appendMembers(buf, rv, 0, &spans)
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return nil, "", false
		}
		if rv.IsNil() {
			return nil, "", true
		}
		buf, ok = appendMapMembers(buf, typeEncoder(t.Elem()), rv, 0, &spans)
	}
	if !ok {
		return nil, "", false
	}
	fields := s.fields[:0]
	for _, m := range spans {
		fields = append(fields, field{name: m.name, value: buf[m.start:m.end:m.end]})
	}
	s.buf, s.spans, s.fields = buf, spans, fields
	sum := sha256.Sum256(buf)
	return fields, hex.EncodeToString(sum[:]), true
}
