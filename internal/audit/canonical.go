package audit

import (
	"encoding/json"
	"slices"
	"unicode/utf8"
)

// appendCanonicalPayload writes p exactly as the encoding/json path in
// Payload.Canonical would, without reflection. Verifying a large log spends
// most of its time here, and payloads read back through ParsePayload hold
// only the generic types this handles. ok is false for anything else, and
// the caller falls back to encoding/json.
func appendCanonicalPayload(buf []byte, p Payload) (_ []byte, ok bool) {
	buf = append(buf, `{"after":`...)
	buf = appendJSONString(buf, p.After)
	buf = append(buf, `,"before":`...)
	buf = appendJSONString(buf, p.Before)
	buf = append(buf, `,"diff":[`...)
	for i, c := range p.Diff {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"field":`...)
		buf = appendJSONString(buf, c.Field)
		buf = append(buf, `,"new":`...)
		if buf, ok = appendCanonicalValue(buf, c.New); !ok {
			return nil, false
		}
		buf = append(buf, `,"old":`...)
		if buf, ok = appendCanonicalValue(buf, c.Old); !ok {
			return nil, false
		}
		buf = append(buf, '}')
	}
	return append(buf, "]}"...), true
}

func appendCanonicalValue(buf []byte, v any) (_ []byte, ok bool) {
	switch x := v.(type) {
	case nil:
		return append(buf, "null"...), true
	case bool:
		if x {
			return append(buf, "true"...), true
		}
		return append(buf, "false"...), true
	case string:
		return appendJSONString(buf, x), true
	case json.Number:
		// encoding/json writes "" as 0 and rejects invalid literals;
		// leave both to it rather than re-implement the quirk.
		if !isValidNumber(string(x)) {
			return nil, false
		}
		return append(buf, x...), true
	case []any:
		if x == nil {
			return append(buf, "null"...), true
		}
		buf = append(buf, '[')
		for i, e := range x {
			if i > 0 {
				buf = append(buf, ',')
			}
			if buf, ok = appendCanonicalValue(buf, e); !ok {
				return nil, false
			}
		}
		return append(buf, ']'), true
	case map[string]any:
		if x == nil {
			return append(buf, "null"...), true
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			// encoding/json sorts keys after replacing invalid UTF-8, which
			// can reorder or even merge them; leave that to it.
			if !utf8.ValidString(k) {
				return nil, false
			}
			keys = append(keys, k)
		}
		slices.Sort(keys)
		buf = append(buf, '{')
		for i, k := range keys {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSONString(buf, k)
			buf = append(buf, ':')
			if buf, ok = appendCanonicalValue(buf, x[k]); !ok {
				return nil, false
			}
		}
		return append(buf, '}'), true
	}
	return nil, false
}

// appendJSONString quotes s the way encoding/json does with HTML escaping
// off, except that invalid UTF-8 becomes a literal U+FFFD rather than the
// escape \ufffd: that is what the encode-decode-encode definition yields,
// and it stays the same when the payload is parsed back and re-encoded.
func appendJSONString(buf []byte, s string) []byte {
	const hex = "0123456789abcdef"
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch b {
			case '\\', '"':
				buf = append(buf, '\\', b)
			case '\b':
				buf = append(buf, '\\', 'b')
			case '\f':
				buf = append(buf, '\\', 'f')
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			buf = append(buf, s[start:i]...)
			buf = utf8.AppendRune(buf, utf8.RuneError)
		case c == '\u2028' || c == '\u2029':
			buf = append(buf, s[start:i]...)
			buf = append(buf, '\\', 'u', '2', '0', '2', hex[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

// isValidNumber reports whether s is a JSON number (RFC 8259, section 6).
func isValidNumber(s string) bool {
	if s != "" && s[0] == '-' {
		s = s[1:]
	}
	digits := func() int {
		n := 0
		for n < len(s) && '0' <= s[n] && s[n] <= '9' {
			n++
		}
		s = s[n:]
		return n
	}
	switch {
	case s == "":
		return false
	case s[0] == '0':
		s = s[1:]
	case '1' <= s[0] && s[0] <= '9':
		digits()
	default:
		return false
	}
	if s != "" && s[0] == '.' {
		s = s[1:]
		if digits() == 0 {
			return false
		}
	}
	if s != "" && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if s != "" && (s[0] == '+' || s[0] == '-') {
			s = s[1:]
		}
		if digits() == 0 {
			return false
		}
	}
	return s == ""
}
