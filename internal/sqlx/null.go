package sqlx

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// Times are stored as BIGINT microseconds since the Unix epoch, UTC, in both
// engines: exact, sortable, and compared without time-zone surprises. The
// zero time is NULL.

// T converts a time for a query argument.
func T(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// Time scans a nullable BIGINT microsecond column into a time.Time.
type Time struct{ T *time.Time }

// Scan implements sql.Scanner.
func (s Time) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*s.T = time.Time{}
	case int64:
		*s.T = time.UnixMicro(x).UTC()
	default:
		return fmt.Errorf("sqlx: cannot scan %T into a time", v)
	}
	return nil
}

// S converts a string for a query argument: "" is NULL, so that optional
// unique columns (a person's document index) do not collide on "".
func S(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Str scans a nullable TEXT column.
type Str struct{ S *string }

// Scan implements sql.Scanner.
func (s Str) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*s.S = ""
	case string:
		*s.S = x
	case []byte:
		*s.S = string(x)
	default:
		return fmt.Errorf("sqlx: cannot scan %T into a string", v)
	}
	return nil
}

// JSON stores a value as a JSON TEXT column and scans it back.
type JSON struct{ V any }

// Value implements driver.Valuer.
func (j JSON) Value() (driver.Value, error) {
	b, err := json.Marshal(j.V)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// List stores a slice as a JSON array: a nil slice is stored as [] rather
// than null, so that every row reads back as a list.
func List[T any](s []T) JSON {
	if s == nil {
		s = []T{}
	}
	return JSON{V: s}
}

// Scan implements sql.Scanner. The two documents most list columns hold,
// null and an empty array, are set without the decoder, as it would set
// them (a zero value; an empty, non-nil slice): a list of 50 visits scans
// 250 such columns.
func (j JSON) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		if j.scanTrivial(x) || j.scanStrings(x) {
			return nil
		}
		return json.Unmarshal([]byte(x), j.V)
	case []byte:
		if j.scanTrivial(string(x)) || j.scanStrings(string(x)) {
			return nil
		}
		return json.Unmarshal(x, j.V)
	}
	return fmt.Errorf("sqlx: cannot scan %T as JSON", v)
}

// scanStrings sets a *[]string target to an array of plain strings (ASCII
// from space to tilde, no escapes, as the id lists are) without the
// decoder, as it would set it (a new slice of the strings), and reports
// whether it did; anything else is left to the decoder, which also turns
// invalid UTF-8 into U+FFFD. Whitespace between the tokens is allowed
// (PostgreSQL's jsonb writes a space after each comma).
func (j JSON) scanStrings(doc string) bool {
	dst, ok := j.V.(*[]string)
	if !ok || dst == nil {
		return false
	}
	i := skipSpace(doc, 0)
	if i == len(doc) || doc[i] != '[' {
		return false
	}
	out := make([]string, 0, strings.Count(doc, ",")+1)
	for {
		i = skipSpace(doc, i+1) // past '[' or ','
		if i == len(doc) || doc[i] != '"' {
			return false
		}
		end := i + 1
		for end < len(doc) && doc[end] >= ' ' && doc[end] <= '~' && doc[end] != '"' && doc[end] != '\\' {
			end++
		}
		if end == len(doc) || doc[end] != '"' {
			return false
		}
		out = append(out, doc[i+1:end])
		i = skipSpace(doc, end+1)
		if i == len(doc) {
			return false
		}
		if doc[i] == ']' {
			break
		}
		if doc[i] != ',' {
			return false
		}
	}
	if skipSpace(doc, i+1) != len(doc) {
		return false
	}
	*dst = out
	return true
}

// skipSpace returns the index of the first byte from i on that is not
// JSON whitespace.
func skipSpace(doc string, i int) int {
	for i < len(doc) && (doc[i] == ' ' || doc[i] == '\t' || doc[i] == '\n' || doc[i] == '\r') {
		i++
	}
	return i
}

// scanTrivial sets the target of "null" (its zero value, as json.Unmarshal
// sets a pointer, slice, map or interface; other kinds it leaves alone)
// and of "[]" into a slice (an empty one), and reports whether it did.
func (j JSON) scanTrivial(doc string) bool {
	if doc != "null" && doc != "[]" {
		return false
	}
	t := reflect.ValueOf(j.V)
	if t.Kind() != reflect.Pointer || t.IsNil() {
		return false
	}
	e := t.Elem()
	switch {
	case doc == "null":
		switch e.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
			e.SetZero()
		}
		return true
	case e.Kind() == reflect.Slice:
		e.Set(reflect.MakeSlice(e.Type(), 0, 0))
		return true
	}
	return false
}
