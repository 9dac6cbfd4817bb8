package memstore

import (
	"strings"
	"time"
)

// Symbols is the database's table of the strings its records repeat, and
// of the time locations stored rows name: each gets a number, for rows
// (RowWriter), and one copy that stored records share (Intern). Records
// repeat a few strings many times (unit and staff ids, kinds, actions, a
// resident's id and target key across their visits), and every request
// decodes its own copy of each. The table only grows, with the distinct
// values stored, which the records keep anyway. Use it under the
// database's lock: the write lock to add to it.
type Symbols struct {
	ids    map[string]uint32
	strs   []string // id-1 → string
	locIDs map[*time.Location]uint32
	locs   []*time.Location // id-1 → location; 0 is UTC
}

func newSymbols() *Symbols {
	return &Symbols{ids: map[string]uint32{}, locIDs: map[*time.Location]uint32{}}
}

// id is s's number, added when s has none; s must not be empty.
func (t *Symbols) id(s string) uint32 {
	if n, ok := t.ids[s]; ok {
		return n
	}
	s = strings.Clone(s) // not a part of a larger string it would keep
	t.strs = append(t.strs, s)
	n := uint32(len(t.strs))
	t.ids[s] = n
	return n
}

// text is the string numbered n.
func (t *Symbols) text(n uint64) (string, bool) {
	if n == 0 || n > uint64(len(t.strs)) {
		return "", false
	}
	return t.strs[n-1], true
}

// locationID is loc's number: 0 for UTC.
func (t *Symbols) locationID(loc *time.Location) uint32 {
	if loc == time.UTC {
		return 0
	}
	if n, ok := t.locIDs[loc]; ok {
		return n
	}
	t.locs = append(t.locs, loc)
	n := uint32(len(t.locs))
	t.locIDs[loc] = n
	return n
}

// location is the location numbered n; nil for UTC.
func (t *Symbols) location(n uint64) (*time.Location, bool) {
	if n == 0 {
		return nil, true
	}
	if n > uint64(len(t.locs)) {
		return nil, false
	}
	return t.locs[n-1], true
}

// Symbols implements Host.
func (db *DB) Symbols() *Symbols { return db.syms }

// Intern returns the database's copy of s, keeping s as that copy when it
// has none, so that stored records share the strings they repeat. Call it
// inside Write (it adds to the table).
func (db *DB) Intern(s string) string {
	if s == "" {
		return s
	}
	return db.syms.strs[db.syms.id(s)-1]
}
