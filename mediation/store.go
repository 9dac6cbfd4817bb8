package mediation

import (
	"context"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
)

// Store is what a backend must do for mediation. Backends: memstore (built
// on casework/memstore.DB), sqlstore (SQLite and PostgreSQL, built on the
// kernel's casework/sqlstore.Store); storetest.Run checks any other.
//
// Error contract, for every method:
//   - a missing dispute is ErrNotFound;
//   - CreateDispute with an id that exists is ErrConflict;
//   - UpdateDispute is compare-and-swap: unless the stored version is
//     d.Version-1 it is ErrConflict (ErrNotFound when there is none), and
//     nothing is written;
//   - a duplicate request key or inbox mark in ch is ErrConflict, and
//     nothing is written;
//   - a cancelled or expired ctx returns ctx.Err() (possibly wrapped) and
//     writes nothing;
//   - values are copied in and out: mutating an argument after the call, or
//     a returned value, changes nothing stored;
//   - values come back as they went in — times in UTC at microsecond
//     precision — except that an empty list may come back nil.
//
// Every write commits the dispute and ch (audit entries, outbox messages,
// request key, inbox mark) in one transaction: both or neither.
type Store interface {
	CreateDispute(ctx context.Context, d Dispute, ch casework.Change) error
	UpdateDispute(ctx context.Context, d Dispute, ch casework.Change) error
	GetDispute(ctx context.Context, id string) (Dispute, error)
	// ListDisputes returns the disputes that match f, ordered by
	// (CreatedAt, ID), after the cursor p.After, at most p.Limit
	// (normalised by casework.Page.Normalize).
	ListDisputes(ctx context.Context, f Filter, p casework.Page) ([]Dispute, error)
	// Totals counts the disputes of a unit subtree whose events fall in a
	// period, grouped as q.By says, ordered by Key.
	Totals(ctx context.Context, q TotalsQuery) ([]TotalsRow, error)
	// TotalsGrid is Totals (ByNone) for every cell of g at once, the row
	// of grid row r and column c at g.Cell(r, c): what a series or a
	// by-unit table reads.
	TotalsGrid(ctx context.Context, g casework.Grid) ([]TotalsRow, error)
}

// Filter selects disputes. Zero fields select everything; set fields must
// all match.
type Filter struct {
	UnitUnder string  // unit subtree path (casework.Unit.Path)
	States    []State // any of these
	// Category matches a code exactly, or every code under a first-level
	// code ("neighbour" matches "neighbour/noise").
	Category      string
	Risk          Risk
	Kind          Kind
	Source        string
	PartyDocIndex string // a party's document blind index
	PersonID      string // a person the dispute names anywhere (Dispute.PersonIDs)
	AssignedTo    string // a staff id in Assigned
	ReportedFrom  time.Time
	ReportedTo    time.Time // exclusive
	// DueBy selects disputes with an open deadline due at or before it
	// (NextDue set and NextDue <= DueBy): the overdue ones when DueBy is now.
	DueBy time.Time
}

// GroupBy chooses the rows of a totals query.
type GroupBy string

// Groupings.
const (
	ByNone        GroupBy = ""             // one row, Key ""
	ByCategory    GroupBy = "category"     // full category code
	ByCategoryTop GroupBy = "category_top" // first-level category
	ByState       GroupBy = "state"        // current state
	ByUnit        GroupBy = "unit"         // owning unit id
)

// TotalsQuery asks for counts of a unit subtree over [Start, End).
type TotalsQuery struct {
	UnitUnder string
	Start     time.Time
	End       time.Time
	By        GroupBy
}

// TotalsRow holds the counts of one group. A dispute counts in each figure
// whose event falls in the period: Found by ReportedAt, Accepted by
// AcceptedAt, Settled by SettledAt (its first agreement took effect; one
// settled again after a reopening counts once, in that first period),
// Failed by FailedAt, Referred by ReferredAt, Reopened by ReopenedAt (its
// first reopening: a reopening is an event of its own date, and never
// changes the period that counted the dispute settled or closed). Groups
// with no event are left out;
// ByNone always returns its one row.
type TotalsRow struct {
	Key      string `json:"key"`
	Found    int64  `json:"found"`
	Accepted int64  `json:"accepted"`
	Settled  int64  `json:"settled"`
	Failed   int64  `json:"failed"`
	Referred int64  `json:"referred"`
	Reopened int64  `json:"reopened"`
}

// GroupKey returns the key of d under a grouping, as stores compute it.
func GroupKey(d Dispute, by GroupBy) string {
	switch by {
	case ByCategory:
		return d.Category
	case ByCategoryTop:
		return CategoryTop(d.Category)
	case ByState:
		return string(d.State)
	case ByUnit:
		return d.UnitID
	}
	return ""
}
