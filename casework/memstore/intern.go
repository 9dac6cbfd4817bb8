package memstore

import (
	"strings"

	"github.com/grassroots-policing/grassroots/casework"
)

// Intern returns the database's copy of s, keeping s as that copy when it
// has none. Records repeat a few strings many times (unit and staff ids,
// kinds, actions, a resident's id and target key across their visits), and
// every request decodes its own copy of each: stored records share one
// instead. Call it inside Write (it adds to the table); the table grows
// with the distinct values stored, which the records keep anyway.
func (db *DB) Intern(s string) string {
	if s == "" {
		return s
	}
	if c, ok := db.strs[s]; ok {
		return c
	}
	s = strings.Clone(s) // not a part of a larger string it would keep
	db.strs[s] = s
	return s
}

// internEntry shares an audit entry's repeated strings.
func (db *DB) internEntry(e *casework.AuditEntry) {
	e.ActorID, e.UnitID = db.Intern(e.ActorID), db.Intern(e.UnitID)
	e.Action, e.RecordType = db.Intern(e.Action), db.Intern(e.RecordType)
}
