package sqlx

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
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

// Scan implements sql.Scanner.
func (j JSON) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return json.Unmarshal([]byte(x), j.V)
	case []byte:
		return json.Unmarshal(x, j.V)
	}
	return fmt.Errorf("sqlx: cannot scan %T as JSON", v)
}
