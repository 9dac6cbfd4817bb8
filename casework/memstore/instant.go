package memstore

import (
	"cmp"
	"time"
)

// Instant is a time as an index keeps it: its Unix seconds and
// nanoseconds, which order as the time does, and the database's number
// for its location, in 16 bytes where a time.Time takes 24 (and holds a
// pointer the collector scans). It keeps no monotonic clock reading.
type Instant struct {
	sec  int64
	nsec int32
	loc  uint32 // Symbols' number of the location, 0 for UTC
}

// InstantOf is t as an Instant in UTC, for bounds to compare with: a time
// that Compare orders as t.
func InstantOf(t time.Time) Instant {
	return Instant{sec: t.Unix(), nsec: int32(t.Nanosecond())}
}

// Compare orders instants as their times (the location aside), like
// time.Time.Compare.
func (a Instant) Compare(b Instant) int {
	if c := cmp.Compare(a.sec, b.sec); c != 0 {
		return c
	}
	return cmp.Compare(a.nsec, b.nsec)
}

// Instant is t as an Instant that keeps its location (Time gives t back,
// without a monotonic reading). Call it inside Write: it may add the
// location to the table.
func (t *Symbols) Instant(tm time.Time) Instant {
	i := InstantOf(tm)
	i.loc = t.locationID(tm.Location())
	return i
}

// Time is the time i was made from, in its location; call it inside Read
// or Write.
func (t *Symbols) Time(i Instant) time.Time {
	tm := time.Unix(i.sec, int64(i.nsec))
	if loc, ok := t.location(uint64(i.loc)); ok && loc != nil {
		return tm.In(loc)
	}
	return tm.UTC()
}
