package casework

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Cursor is a position in a list ordered by (At, ID). It is opaque to
// clients: they pass back what they were given.
type Cursor struct {
	At time.Time
	ID string
}

// Encode makes the opaque string.
func (c Cursor) Encode() string {
	if c.ID == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.At.UnixMicro(), 10) + "|" + c.ID))
}

// DecodeCursor reads a string made by Encode; "" is the start.
func DecodeCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, errs.Invalid("cursor", "cursor", "is not a cursor this server made")
	}
	at, id, ok := strings.Cut(string(raw), "|")
	micros, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil || id == "" {
		return Cursor{}, errs.Invalid("cursor", "cursor", "is not a cursor this server made")
	}
	return Cursor{At: time.UnixMicro(micros).UTC(), ID: id}, nil
}

// After reports whether a record at (at, id) comes after the cursor.
func (c Cursor) After(at time.Time, id string) bool {
	if c.ID == "" {
		return true
	}
	if !at.Equal(c.At) {
		return at.After(c.At)
	}
	return id > c.ID
}

// PageOf trims a list fetched with Limit+1 rows to the page and returns the
// cursor of the next page ("" when this is the last).
func PageOf[T any](rows []T, limit int, key func(T) Cursor) ([]T, string) {
	if len(rows) <= limit {
		return rows, ""
	}
	rows = rows[:limit]
	return rows, key(rows[limit-1]).Encode()
}

// EveryPage reads every row of a list, a page of MaxPageLimit at a time, for
// the rare operation that must see all of them (a person merge moving every
// reference): list is called with each page's cursor until a short page.
func EveryPage[T any](list func(p Page) ([]T, error), key func(T) Cursor) ([]T, error) {
	var out []T
	p := Page{Limit: MaxPageLimit}
	for {
		rows, err := list(p)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
		if len(rows) < p.Limit {
			return out, nil
		}
		p.After = key(rows[len(rows)-1]).Encode()
	}
}
