package openapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/grassroots-policing/grassroots/openapi/api"
)

// personResponse answers GetPerson, the read the load script measures, with
// the bytes the generated GetPerson200JSONResponse writes, appended
// directly: encoding/json's reflection was a tenth of the server's CPU per
// read under load. TestPersonJSONIsEncodingJSON holds the two to the same
// bytes, for every field of api.Person.
type personResponse struct {
	p    api.Person
	etag string
}

func (r personResponse) VisitGetPersonResponse(w http.ResponseWriter) error {
	b, err := appendPerson(make([]byte, 0, 512), &r.p)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("ETag", r.etag)
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b)
	return err
}

// appendPerson appends p as json.Encoder encodes it (fields in declaration
// order, omitempty and omitzero as tagged, HTML escaped, a newline after).
func appendPerson(b []byte, p *api.Person) ([]byte, error) {
	var err error
	b = append(b, '{')
	first := true
	field := func(name string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, '"', ':')
	}
	str := func(name, v string, omitEmpty bool) {
		if omitEmpty && v == "" {
			return
		}
		field(name)
		b = appendJSONString(b, v)
	}
	tm := func(name string, v time.Time, omitZero bool) {
		if err != nil || omitZero && v.IsZero() {
			return
		}
		field(name)
		b = append(b, '"')
		if b, err = v.AppendText(b); err == nil { // what Time.MarshalJSON writes
			b = append(b, '"')
		}
	}
	boolean := func(name string, v, omitEmpty bool) {
		if omitEmpty && !v {
			return
		}
		field(name)
		b = strconv.AppendBool(b, v)
	}
	str("address", p.Address, true)
	str("addressId", p.AddressId, true)
	tm("birthDate", p.BirthDate, true)
	if len(p.Contacts) > 0 {
		field("contacts")
		b = appendArray(b, p.Contacts, func(b []byte, c api.Contact) []byte {
			b = append(b, '{')
			if c.Kind != "" {
				b = append(b, `"kind":`...)
				b = appendJSONString(b, string(c.Kind))
				b = append(b, ',')
			}
			b = append(b, `"value":`...)
			return append(appendJSONString(b, c.Value), '}')
		})
	}
	tm("createdAt", p.CreatedAt, false)
	str("description", p.Description, true)
	str("docNumber", p.DocNumber, true)
	str("docType", string(p.DocType), false)
	str("gender", string(p.Gender), false)
	str("id", p.Id, false)
	tm("mergedAt", p.MergedAt, true)
	str("mergedInto", p.MergedInto, true)
	str("name", p.Name, true)
	str("phone", p.Phone, true)
	boolean("revealed", p.Revealed, false)
	if len(p.Tags) > 0 {
		field("tags")
		b = appendArray(b, p.Tags, func(b []byte, t api.PersonTag) []byte { return appendJSONString(b, string(t)) })
	}
	boolean("unidentified", p.Unidentified, true)
	str("unitId", p.UnitId, false)
	tm("updatedAt", p.UpdatedAt, false)
	field("version")
	b = strconv.AppendInt(b, p.Version, 10)
	if err != nil {
		return nil, err
	}
	return append(b, '}', '\n'), nil
}

// appendArray appends items as a JSON array, each appended by one.
func appendArray[T any](b []byte, items []T, one func([]byte, T) []byte) []byte {
	b = append(b, '[')
	for i, t := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = one(b, t)
	}
	return append(b, ']')
}

// appendJSONString appends s quoted as encoding/json does by default. Most
// strings need no escape and are copied; the others (a control character,
// quote, backslash, <, > or &, U+2028, U+2029 or invalid UTF-8) are
// encoded by encoding/json itself, so the escapes are its own.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return appendEscaped(b, s)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return appendEscaped(b, s)
		}
		i += size
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendEscaped(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always encodes
	return append(b, q...)
}
