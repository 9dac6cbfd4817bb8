package openapi

import (
	"time"
	"unicode/utf8"
)

// The append functions below write JSON exactly as encoding/json writes
// it for the generated types (HTML-escaped strings, RFC 3339 times, the
// fields in declaration order), without its reflection and without the
// second pass it makes over every time.Time's MarshalJSON output. They
// serve the hot reads (the list of visits, GetPerson), where encoding/json
// was up to half of a request's CPU; the object builder of jsonobject.go
// puts them together, and TestAppendString, TestAppendTimeEdges,
// TestVisitJSON and TestPersonJSONIsEncodingJSON hold them to
// encoding/json's bytes.

// jsonSafe marks the ASCII bytes a JSON string carries as they are:
// encoding/json escapes the rest, < > & included (its escapeHTML).
var jsonSafe = func() (safe [utf8.RuneSelf]bool) {
	for c := byte(0x20); c < utf8.RuneSelf; c++ {
		safe[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return safe
}()

// appendString quotes s as encoding/json does: control characters, quote,
// backslash and < > & escaped, invalid UTF-8 as \ufffd, and U+2028 and
// U+2029 escaped.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendTime writes t as time.Time's MarshalJSON does (RFC 3339 with
// nanoseconds, trailing zeros cut), with its error for a year outside
// 0–9999 or an offset it cannot write.
func appendTime(b []byte, t time.Time) ([]byte, error) {
	b = append(b, '"')
	if t.Location() == time.UTC {
		if year := t.Year(); year >= 0 && year <= 9999 {
			return append(appendUTC(b, t, year), '"'), nil
		}
	}
	b, err := t.AppendText(b)
	if err != nil {
		return nil, err
	}
	return append(b, '"'), nil
}

// appendUTC writes a UTC time of year 0–9999 as AppendText does, without
// the check that it makes of its own output: every stored time is UTC.
func appendUTC(b []byte, t time.Time, year int) []byte {
	_, month, day := t.Date()
	hour, minute, sec := t.Clock()
	b = appendDigits(b, year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(month), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	b = append(b, 'T')
	b = appendDigits(b, hour, 2)
	b = append(b, ':')
	b = appendDigits(b, minute, 2)
	b = append(b, ':')
	b = appendDigits(b, sec, 2)
	if ns := t.Nanosecond(); ns != 0 {
		digits := 9
		for ns%10 == 0 {
			ns /= 10
			digits--
		}
		b = append(b, '.')
		b = appendDigits(b, ns, digits)
	}
	return append(b, 'Z')
}

// appendDigits writes n (≥ 0) in width decimal digits, zero-padded.
func appendDigits(b []byte, n, width int) []byte {
	var buf [9]byte
	for i := width - 1; i >= 0; i-- {
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, buf[:width]...)
}
