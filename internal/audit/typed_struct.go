package audit

import (
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
)

// How the typed path writes a struct: its members sorted by name, each
// under encoding/json's rules for tags and omitted values.

// structPlans holds each struct type's plan, built once (nil: not
// supported).
var structPlans sync.Map // reflect.Type → *structPlan

// structField is one member of a struct as encoding/json writes it.
type structField struct {
	name      string
	key       []byte // the name as a JSON string and a colon
	index     int
	omitEmpty bool
	omitZero  func(reflect.Value) bool // nil unless the tag says omitzero
	enc       encoderFunc
}

// structPlan is a struct type's members sorted by name, the canonical order.
type structPlan struct{ fields []structField }

// planOf returns the plan of struct type t, or nil when encoding/json's
// treatment of t is more than the typed path follows: embedded fields,
// ",string" options, names that collide.
func planOf(t reflect.Type) *structPlan {
	if p, ok := structPlans.Load(t); ok {
		return p.(*structPlan)
	}
	p := newStructPlan(t)
	structPlans.Store(t, p)
	return p
}

func newStructPlan(t reflect.Type) *structPlan {
	var fields []structField
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			return nil
		}
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if !isValidTag(name) {
			name = sf.Name
		}
		f := structField{name: name, index: i, key: append(appendJSONString(nil, name), ':')}
		for opt := range strings.SplitSeq(opts, ",") {
			switch opt {
			case "omitempty":
				f.omitEmpty = true
			case "omitzero":
				f.omitZero = zeroTest(sf.Type)
			case "string":
				return nil
			}
		}
		fields = append(fields, f)
	}
	slices.SortFunc(fields, func(a, b structField) int { return strings.Compare(a.name, b.name) })
	for i := 1; i < len(fields); i++ {
		if fields[i].name == fields[i-1].name {
			return nil
		}
	}
	// The field encoders last: a field of the struct's own type finds the
	// plan stored by then.
	for i := range fields {
		fields[i].enc = typeEncoder(t.Field(fields[i].index).Type)
	}
	return &structPlan{fields: fields}
}

type isZeroer interface{ IsZero() bool }

// zeroTest is encoding/json's omitzero test for a field of type t: the
// type's IsZero method if it has one, else the zero value.
func zeroTest(t reflect.Type) func(reflect.Value) bool {
	switch {
	case t == timeType:
		return func(v reflect.Value) bool {
			if v.CanAddr() {
				return v.Addr().Interface().(*time.Time).IsZero()
			}
			return v.Interface().(time.Time).IsZero()
		}
	case t.Kind() == reflect.Interface && t.Implements(isZeroerType):
		return func(v reflect.Value) bool {
			return v.IsNil() || (v.Elem().Kind() == reflect.Pointer && v.Elem().IsNil()) || v.Interface().(isZeroer).IsZero()
		}
	case t.Kind() == reflect.Pointer && t.Implements(isZeroerType):
		return func(v reflect.Value) bool { return v.IsNil() || v.Interface().(isZeroer).IsZero() }
	case t.Implements(isZeroerType):
		return func(v reflect.Value) bool {
			if v.CanAddr() {
				// The pointer has the value's methods, and boxing it
				// allocates nothing.
				return v.Addr().Interface().(isZeroer).IsZero()
			}
			return v.Interface().(isZeroer).IsZero()
		}
	case reflect.PointerTo(t).Implements(isZeroerType):
		return func(v reflect.Value) bool {
			if !v.CanAddr() {
				v2 := reflect.New(v.Type()).Elem()
				v2.Set(v)
				v = v2
			}
			return v.Addr().Interface().(isZeroer).IsZero()
		}
	}
	return reflect.Value.IsZero
}

// omitted reports whether encoding/json leaves the field's value fv out.
func (f *structField) omitted(fv reflect.Value) bool {
	return (f.omitEmpty && isEmptyValue(fv)) || (f.omitZero != nil && f.omitZero(fv))
}

func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64,
		reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

func newStructEncoder(t reflect.Type) encoderFunc {
	return func(buf []byte, v reflect.Value, depth int) ([]byte, bool) {
		p := planOf(t)
		if p == nil {
			return nil, false
		}
		return p.appendMembers(buf, v, depth, nil)
	}
}

// appendMembers writes a struct of the plan's type as a canonical object,
// and where each value lies when spans is not nil.
func (p *structPlan) appendMembers(buf []byte, v reflect.Value, depth int, spans *[]span) (_ []byte, ok bool) {
	if depth > maxDepth {
		return nil, false
	}
	buf = append(buf, '{')
	first := true
	for i := range p.fields {
		f := &p.fields[i]
		fv := v.Field(f.index)
		if f.omitted(fv) {
			continue
		}
		if !first {
			buf = append(buf, ',')
		}
		first = false
		buf = append(buf, f.key...)
		start := len(buf)
		if buf, ok = f.enc(buf, fv, depth+1); !ok {
			return nil, false
		}
		if spans != nil {
			*spans = append(*spans, span{f.name, start, len(buf)})
		}
	}
	return append(buf, '}'), true
}

// isValidTag is encoding/json's rule for a tag name it uses; any other
// name gives way to the Go field name.
func isValidTag(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}
