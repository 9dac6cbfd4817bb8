package casework

import (
	"context"
	"time"
)

// RecordMove is one open record moved from one unit to another when a unit
// closes (Kernel.CloseUnit), kept so that a report of a past period still
// counts the record's past events in the unit that held it then: the
// record's own unit is its current one, and its events before MovedAt
// belonged to FromUnit. Past figures never change (architecture.md), also
// not the closed unit's own.
//
// A move is written with the write that moves the record (Change.Moves),
// never changed or deleted.
type RecordMove struct {
	Kind     string    `json:"kind"` // the record type (OpenRecord.RecordType)
	RecordID string    `json:"recordId"`
	FromUnit string    `json:"fromUnit"`
	ToUnit   string    `json:"toUnit"`
	MovedAt  time.Time `json:"movedAt"`
}

// MoveStore keeps the record moves written through Change.Moves.
type MoveStore interface {
	// RecordMoves returns the moves of one record, oldest first (by
	// MovedAt); none is an empty answer, not ErrNotFound.
	RecordMoves(ctx context.Context, kind, recordID string) ([]RecordMove, error)
}

// UnitAt is the unit a record belonged to at t, given its moves oldest
// first and the unit it is in now: the unit it left by the first move after
// t, or its current unit when no move came after t. An event at the very
// instant of a move counts in the receiving unit.
//
// A SQL grid counts the same by correction (casework/sqlstore.QueryGrid):
// for each move after the event, +1 in FromUnit and −1 in ToUnit, which
// telescopes over a chain of moves (A→B, then B→C) to the unit of UnitAt.
func UnitAt(moves []RecordMove, current string, t time.Time) string {
	for _, m := range moves {
		if t.Before(m.MovedAt) {
			return m.FromUnit
		}
	}
	return current
}
