package recovery

import (
	"context"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
)

// Store is what a backend must do for the recovery workflow.
//
// Error contract, for every method:
//   - a missing record is ErrNotFound;
//   - a create whose id exists is ErrConflict;
//   - an update whose stored version is not rec.Version-1 is ErrConflict
//     (compare-and-swap: the caller read version v and writes v+1);
//   - a custody entry whose Seq is not the next of its item (stored entries
//   - 1) is ErrConflict: entries are appended, never replaced;
//   - a cancelled or expired ctx returns ctx.Err() (wrapped) and writes
//     nothing;
//   - values are copied in and out: mutating an argument after the call, or
//     a returned value, changes nothing stored.
//
// Lists return records ordered by (CreatedAt, ID) after the page's cursor,
// at most Page.Limit of them (the service asks for one more to know whether
// there is a next page).
type Store interface {
	// Apply commits every record of b and ch in one transaction: all of it
	// or none. A service step that touches several records (a hand-over
	// changes the item, the return and the custody chain) is one Apply.
	Apply(ctx context.Context, b Batch, ch casework.Change) error

	GetItem(ctx context.Context, id string) (Item, error)
	ListItems(ctx context.Context, f ItemFilter, p casework.Page) ([]Item, error)
	// Custody returns an item's custody entries in Seq order (none for an
	// item never in custody, or an unknown item).
	Custody(ctx context.Context, itemID string) ([]CustodyEntry, error)

	GetReturn(ctx context.Context, id string) (Return, error)
	ListReturns(ctx context.Context, f ReturnFilter, p casework.Page) ([]Return, error)
	GetEvent(ctx context.Context, id string) (Event, error)
	ListEvents(ctx context.Context, f EventFilter, p casework.Page) ([]Event, error)
	GetDisposal(ctx context.Context, id string) (Disposal, error)
	ListDisposals(ctx context.Context, f DisposalFilter, p casework.Page) ([]Disposal, error)

	// Totals sums a unit subtree's figures over [Start, End).
	Totals(ctx context.Context, f TotalsFilter) (Totals, error)
	// TotalsGrid is Totals for every cell of g at once, the totals of grid
	// row r and column c at g.Cell(r, c): what a series or a by-unit table
	// reads.
	TotalsGrid(ctx context.Context, g casework.Grid) ([]Totals, error)
}

// Batch is the records one Apply commits: creates (New…), compare-and-swap
// updates and appended custody entries.
type Batch struct {
	NewItems     []Item
	Items        []Item
	Custody      []CustodyEntry
	NewReturns   []Return
	Returns      []Return
	NewEvents    []Event
	Events       []Event
	NewDisposals []Disposal
	Disposals    []Disposal
}

// ItemFilter selects items; zero fields select everything. Time ranges are
// half-open: [From, To).
type ItemFilter struct {
	UnitUnder     string // unit subtree path
	States        []State
	Origin        Origin
	Category      string
	CaseID        string
	OwnerPersonID string
	// Identifier is a normalised identifier value (any kind).
	Identifier string
	// Unmatched keeps only items no confirmed match has linked.
	Unmatched     bool
	StolenFrom    time.Time
	StolenTo      time.Time
	RecoveredFrom time.Time
	RecoveredTo   time.Time
	// HoldExpired keeps items whose HoldUntil is set and at or before it.
	HoldExpired time.Time
	IDs         []string
}

// ReturnFilter selects returns.
type ReturnFilter struct {
	UnitUnder string
	ItemID    string
	CaseID    string
	EventID   string
	States    []ReturnState
	IDs       []string // any of these (nil: no filter)
	// PersonID keeps returns whose owner or recipient is this person.
	PersonID string
}

// EventFilter selects return events; the range applies to Date.
type EventFilter struct {
	UnitUnder string
	States    []EventState
	From      time.Time
	To        time.Time
}

// DisposalFilter selects disposals.
type DisposalFilter struct {
	UnitUnder string
	ItemID    string
	States    []DisposalState
}

// TotalsFilter asks for a unit subtree's totals over [Start, End).
type TotalsFilter struct {
	UnitUnder string
	Start     time.Time
	End       time.Time
}

// Totals are the recovery figures of a unit subtree and period. An item
// counts where its step happened in the period: recovered (RecoveredAt),
// returned (ReturnedAt), unclaimed (UnclaimedAt), disposed (DisposedAt). A
// return event counts when it was held; proceeds when the disposal was
// completed.
type Totals struct {
	ItemsRecovered      int64 `json:"itemsRecovered"`
	ValueRecoveredFen   int64 `json:"valueRecoveredFen"`
	ItemsReturned       int64 `json:"itemsReturned"`
	ValueReturnedFen    int64 `json:"valueReturnedFen"`
	ReturnEvents        int64 `json:"returnEvents"`
	ItemsUnclaimed      int64 `json:"itemsUnclaimed"`
	ItemsDisposed       int64 `json:"itemsDisposed"`
	DisposalProceedsFen int64 `json:"disposalProceedsFen"`
}

// Add sums two totals.
func (t Totals) Add(o Totals) Totals {
	t.ItemsRecovered += o.ItemsRecovered
	t.ValueRecoveredFen += o.ValueRecoveredFen
	t.ItemsReturned += o.ItemsReturned
	t.ValueReturnedFen += o.ValueReturnedFen
	t.ReturnEvents += o.ReturnEvents
	t.ItemsUnclaimed += o.ItemsUnclaimed
	t.ItemsDisposed += o.ItemsDisposed
	t.DisposalProceedsFen += o.DisposalProceedsFen
	return t
}

// InRange reports whether t lies in [from, to); a zero bound is open.
func InRange(t, from, to time.Time) bool {
	if !from.IsZero() && (t.IsZero() || t.Before(from)) {
		return false
	}
	if !to.IsZero() && (t.IsZero() || !t.Before(to)) {
		return false
	}
	return true
}

// ItemMatches reports whether an item passes a filter, all but UnitUnder
// (which needs the unit tree). Memory stores use it, so the filter means
// the same in every backend.
func (f ItemFilter) ItemMatches(it Item) bool {
	if len(f.States) > 0 && !contains(f.States, it.State) {
		return false
	}
	if f.Origin != "" && it.Origin != f.Origin {
		return false
	}
	if f.Category != "" && it.Category != f.Category {
		return false
	}
	if f.CaseID != "" && it.CaseID != f.CaseID {
		return false
	}
	if f.OwnerPersonID != "" && it.OwnerPersonID != f.OwnerPersonID {
		return false
	}
	if f.Identifier != "" && !hasIdentifierValue(it, f.Identifier) {
		return false
	}
	if f.Unmatched && it.MatchedItemID != "" {
		return false
	}
	if (!f.StolenFrom.IsZero() || !f.StolenTo.IsZero()) && !InRange(it.StolenAt, f.StolenFrom, f.StolenTo) {
		return false
	}
	if (!f.RecoveredFrom.IsZero() || !f.RecoveredTo.IsZero()) && !InRange(it.RecoveredAt, f.RecoveredFrom, f.RecoveredTo) {
		return false
	}
	if !f.HoldExpired.IsZero() && (it.HoldUntil.IsZero() || it.HoldUntil.After(f.HoldExpired)) {
		return false
	}
	if f.IDs != nil && !contains(f.IDs, it.ID) {
		return false
	}
	return true
}

// ReturnMatches is ItemMatches for returns.
func (f ReturnFilter) ReturnMatches(r Return) bool {
	return (f.ItemID == "" || r.ItemID == f.ItemID) && (f.CaseID == "" || r.CaseID == f.CaseID) &&
		(f.EventID == "" || r.EventID == f.EventID) && (len(f.States) == 0 || contains(f.States, r.State)) &&
		(f.IDs == nil || contains(f.IDs, r.ID)) &&
		(f.PersonID == "" || r.OwnerPersonID == f.PersonID || r.RecipientPersonID == f.PersonID)
}

// EventMatches is ItemMatches for events.
func (f EventFilter) EventMatches(e Event) bool {
	if len(f.States) > 0 && !contains(f.States, e.State) {
		return false
	}
	return (f.From.IsZero() && f.To.IsZero()) || InRange(e.Date, f.From, f.To)
}

// DisposalMatches is ItemMatches for disposals.
func (f DisposalFilter) DisposalMatches(d Disposal) bool {
	return (f.ItemID == "" || d.ItemID == f.ItemID) && (len(f.States) == 0 || contains(f.States, d.State))
}

func hasIdentifierValue(it Item, v string) bool {
	for _, id := range it.Identifiers {
		if id.Value == v {
			return true
		}
	}
	return false
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
