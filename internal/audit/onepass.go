package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// RedactCanonical returns Redact(before, after, sensitive).Canonical(): the
// same bytes, so entries written with either verify alike. It is what a
// store writes on every audited change, and Redact's definition encodes
// each state, decodes it into generic values, encodes it again and then
// encodes the diff, which made the payload the costliest part of a bulk
// create. Here each state is encoded once and its JSON rewritten with
// object keys sorted; any input outside what that rewrite handles takes
// the definition's path.
func RedactCanonical(before, after any, sensitive func(field string) bool) ([]byte, error) {
	if b, ok := redactCanonicalFast(before, after, sensitive); ok {
		return b, nil
	}
	p, err := Redact(before, after, sensitive)
	if err != nil {
		return nil, err
	}
	return p.Canonical()
}

// field is one top-level member of a state: its decoded name and its value
// as canonical JSON.
type field struct {
	name  string
	value []byte
}

// canonicalState encodes v once and returns its top-level fields sorted by
// name with canonical values, and the state digest; nil fields and "" for
// a state that encodes as null. ok is false when the input needs the
// definition's path (not an object, duplicate names after decoding).
func canonicalState(v any, s *stateScratch) (_ []field, digest string, ok bool) {
	if fields, digest, ok := typedState(v, s); ok {
		return fields, digest, true
	}
	raw, err := marshalJSON(v)
	if err != nil {
		return nil, "", false
	}
	if string(raw) == "null" {
		return nil, "", true
	}
	if len(raw) == 0 || raw[0] != '{' {
		return nil, "", false
	}
	fields, rest, ok := objectFields(raw)
	if !ok || len(rest) != 0 {
		return nil, "", false
	}
	canon := make([]byte, 0, len(raw))
	canon = appendObject(canon, fields)
	sum := sha256.Sum256(canon)
	return fields, hex.EncodeToString(sum[:]), true
}

// stateScratch holds a state's canonical bytes and members, and the
// payload being written: every audited write needs them, and only the
// payload outlives it.
type stateScratch struct {
	buf    []byte
	spans  []span
	fields []field
}

var scratchPool = sync.Pool{New: func() any { return new(stateScratch) }}

func getScratch() *stateScratch { return scratchPool.Get().(*stateScratch) }

// putScratch pools s unless a huge state grew it.
func putScratch(s *stateScratch) {
	if cap(s.buf) <= 1<<16 {
		// Let go of the names and map keys.
		clear(s.fields[:cap(s.fields)])
		clear(s.spans[:cap(s.spans)])
		scratchPool.Put(s)
	}
}

func redactCanonicalFast(before, after any, sensitive func(string) bool) ([]byte, bool) {
	bs, as, out := getScratch(), getScratch(), getScratch()
	defer func() { putScratch(bs); putScratch(as); putScratch(out) }()
	bf, bd, ok := canonicalState(before, bs)
	if !ok {
		return nil, false
	}
	af, ad, ok := canonicalState(after, as)
	if !ok {
		return nil, false
	}
	buf := out.buf[:0]
	buf = append(buf, `{"after":`...)
	buf = appendJSONString(buf, ad)
	buf = append(buf, `,"before":`...)
	buf = appendJSONString(buf, bd)
	buf = append(buf, `,"diff":[`...)
	first := true
	// Both lists are sorted by name: merge them.
	for i, j := 0, 0; i < len(bf) || j < len(af); {
		var old, cur *field
		switch {
		case j == len(af) || (i < len(bf) && bf[i].name < af[j].name):
			old = &bf[i]
			i++
		case i == len(bf) || af[j].name < bf[i].name:
			cur = &af[j]
			j++
		default:
			old, cur = &bf[i], &af[j]
			i, j = i+1, j+1
			if string(old.value) == string(cur.value) {
				continue
			}
		}
		name := cur
		if name == nil {
			name = old
		}
		hide := sensitive == nil || sensitive(name.name)
		if !first {
			buf = append(buf, ',')
		}
		first = false
		buf = append(buf, `{"field":`...)
		buf = appendJSONString(buf, name.name)
		buf = append(buf, `,"new":`...)
		buf = appendSide(buf, cur, hide)
		buf = append(buf, `,"old":`...)
		buf = appendSide(buf, old, hide)
		buf = append(buf, '}')
	}
	out.buf = append(buf, "]}"...)
	return slices.Clone(out.buf), true
}

// appendSide writes one side of a field change: null when the field is
// absent there, Redacted when hidden, else its canonical value.
func appendSide(buf []byte, f *field, hide bool) []byte {
	switch {
	case f == nil:
		return append(buf, "null"...)
	case hide:
		return appendJSONString(buf, Redacted)
	}
	return append(buf, f.value...)
}

// appendObject writes sorted fields as a canonical JSON object.
func appendObject(buf []byte, fields []field) []byte {
	buf = append(buf, '{')
	for i, f := range fields {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendJSONString(buf, f.name)
		buf = append(buf, ':')
		buf = append(buf, f.value...)
	}
	return append(buf, '}')
}

// objectFields reads the object at the start of data (compact JSON as
// encoding/json writes it) into fields sorted by decoded name, each value
// canonical, and returns what follows the object.
func objectFields(data []byte) (_ []field, rest []byte, ok bool) {
	data = data[1:] // '{'
	var fields []field
	for len(data) > 0 && data[0] != '}' {
		if len(fields) > 0 {
			if data[0] != ',' {
				return nil, nil, false
			}
			data = data[1:]
		}
		var name string
		if name, data, ok = readString(data); !ok || len(data) == 0 || data[0] != ':' {
			return nil, nil, false
		}
		var value []byte
		if value, data, ok = appendCanonicalJSON(nil, data[1:]); !ok {
			return nil, nil, false
		}
		fields = append(fields, field{name: name, value: value})
	}
	if len(data) == 0 {
		return nil, nil, false
	}
	slices.SortFunc(fields, func(a, b field) int { return strings.Compare(a.name, b.name) })
	for i := 1; i < len(fields); i++ {
		if fields[i].name == fields[i-1].name {
			// Decoding keeps the last of equal names; leave that to it.
			return nil, nil, false
		}
	}
	return fields, data[1:], true
}

// appendCanonicalJSON writes the value at the start of data canonically:
// what encoding it, decoding it with UseNumber and encoding it again writes.
func appendCanonicalJSON(buf, data []byte) (_, rest []byte, ok bool) {
	if len(data) == 0 {
		return nil, nil, false
	}
	switch data[0] {
	case '{':
		fields, rest, ok := objectFields(data)
		if !ok {
			return nil, nil, false
		}
		return appendObject(buf, fields), rest, true
	case '[':
		buf = append(buf, '[')
		data = data[1:]
		for n := 0; len(data) > 0 && data[0] != ']'; n++ {
			if n > 0 {
				if data[0] != ',' {
					return nil, nil, false
				}
				buf = append(buf, ',')
				data = data[1:]
			}
			if buf, data, ok = appendCanonicalJSON(buf, data); !ok {
				return nil, nil, false
			}
		}
		if len(data) == 0 {
			return nil, nil, false
		}
		return append(buf, ']'), data[1:], true
	case '"':
		s, rest, ok := readString(data)
		if !ok {
			return nil, nil, false
		}
		return appendJSONString(buf, s), rest, true
	}
	// A number, true, false or null: copied as written, as UseNumber keeps it.
	n := 0
	for n < len(data) && data[n] != ',' && data[n] != '}' && data[n] != ']' {
		n++
	}
	lit := string(data[:n])
	if lit != "true" && lit != "false" && lit != "null" && !isValidNumber(lit) {
		return nil, nil, false
	}
	return append(buf, lit...), data[n:], true
}

// readString decodes the JSON string at the start of data. A string with
// no escape is its own bytes; one with escapes is decoded by encoding/json.
func readString(data []byte) (_ string, rest []byte, ok bool) {
	escaped := false
	for i := 1; i < len(data); i++ {
		switch data[i] {
		case '\\':
			escaped = true
			i++
		case '"':
			if !escaped {
				s := string(data[1:i])
				// encoding/json escapes invalid UTF-8; unescaped text is valid.
				return s, data[i+1:], utf8.ValidString(s)
			}
			var s string
			if json.Unmarshal(data[:i+1], &s) != nil {
				return "", nil, false
			}
			return s, data[i+1:], true
		}
	}
	return "", nil, false
}
