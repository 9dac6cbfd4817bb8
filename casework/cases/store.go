package cases

import (
	"context"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
)

// Store is what a backend must do for the case workflow. It is separate
// from casework.KernelStore so that an embedder who wants only mediation
// (or only outreach) implements no case tables. A Store is built on the
// same database as the kernel's store (cases/memstore.New(db),
// cases/sqlstore.New(kernelStore)): its writes commit their
// casework.Change — audit entries, outbox messages, request key, inbox
// mark, shares — in the same transaction, through the kernel store's write
// path, and need nothing of the kernel's tables beyond it.
//
// Error contract, for every method:
//   - a missing case or lead is ErrNotFound;
//   - a create whose id exists, or a case number that exists, is
//     ErrConflict;
//   - an update whose stored version is not rec.Version-1 is ErrConflict
//     (compare-and-swap: the caller read version v and writes v+1), and an
//     update of a missing record is ErrNotFound;
//   - a cancelled or expired ctx returns ctx.Err() (wrapped) and writes
//     nothing;
//   - values are copied in and out: mutating an argument after the call, or
//     a returned value, changes nothing stored;
//   - Case.SharedWith is not kept: reads return it empty.
type Store interface {
	// CommitCases writes everything in w and ch in one transaction: both or
	// neither. Creates are checked for duplicate ids, updates are
	// compare-and-swap on Version; ch.Shares are kernel shares created with
	// the write (so that 快研判·同步共享 is one step).
	CommitCases(ctx context.Context, w Write, ch casework.Change) error

	// FileCase files a case under the next number of key's counter, in one
	// transaction: it increments the counter of (key.UnitID, key.Year) —
	// creating it at 1 — calls file with the new sequence number, writes the
	// case file returns (compare-and-swap, as an update) and commits the
	// Change file returns. If file or any write fails, the counter is not
	// advanced, so numbers have no gaps; concurrent filers of one unit and
	// year, in any number of processes, each get a different number.
	// file must not touch the store.
	FileCase(ctx context.Context, key NumberKey, file func(seq int64) (Case, casework.Change, error)) (Case, error)

	GetCase(ctx context.Context, id string) (Case, error)
	// ListCases returns cases ordered by (CreatedAt, ID) after the cursor.
	ListCases(ctx context.Context, f Filter, p casework.Page) ([]Case, error)

	GetLead(ctx context.Context, id string) (Lead, error)
	// ListLeads returns leads ordered by (CreatedAt, ID) after the cursor.
	ListLeads(ctx context.Context, f LeadFilter, p casework.Page) ([]Lead, error)

	// CountCases counts what happened in [from, to) in a unit subtree: see
	// Counts.
	CountCases(ctx context.Context, unitUnder string, from, to time.Time) (Counts, error)
	// CountCasesGrid is CountCases for every cell of g at once (the counts
	// of row r, column c at g.Cell(r, c)): what a series or a by-unit
	// table reads, each cell equal to CountCases of its subtree and period.
	CountCasesGrid(ctx context.Context, g casework.Grid) ([]Counts, error)
}

// Write is what one case-workflow write creates and updates.
type Write struct {
	NewCases []Case
	Cases    []Case // updates
	NewLeads []Lead
	Leads    []Lead // updates
}

// NumberKey names a numbering counter: one per filing unit and year.
type NumberKey struct {
	UnitID string
	Year   int
}

// Counts is what a store counts for the totals, for cases owned by the
// units of a subtree and instants in [from, to):
//   - Reported: ReportedAt in the period;
//   - Filed: FiledAt in the period (a case withdrawn later still counts);
//   - Solved: SolvedAt in the period;
//   - Closed, Dropped: ClosedAt, DroppedAt in the period (ClosedAt is the
//     first closing: a case reopened and closed again keeps it);
//   - Reopened: ReopenedAt (the first reopening) in the period: an event
//     of its own date, which changes no other period's figures;
//   - Arrests: arrests whose At is in the period;
//   - PeopleArrested: distinct suspects of those arrests;
//   - LeadsCollected: leads whose FoundAt is in the period.
type Counts struct {
	Reported       int64 `json:"reported"`
	Filed          int64 `json:"filed"`
	Solved         int64 `json:"solved"`
	Closed         int64 `json:"closed"`
	Dropped        int64 `json:"dropped"`
	Arrests        int64 `json:"arrests"`
	PeopleArrested int64 `json:"peopleArrested"`
	LeadsCollected int64 `json:"leadsCollected"`
	Reopened       int64 `json:"reopened"`
}

// CountOf counts cs in memory exactly as Store.CountCases specifies, for
// stores that keep cases in memory (and for tests that check a SQL store
// against it). inUnit reports whether a unit id lies in the subtree.
func CountOf(cases []Case, leads []Lead, inUnit func(recordType, id, unitID string, at time.Time) bool, from, to time.Time) Counts {
	in := func(t time.Time) bool { return !t.IsZero() && !t.Before(from) && t.Before(to) }
	var n Counts
	people := map[string]bool{}
	for _, c := range cases {
		for _, x := range []struct {
			t time.Time
			n *int64
		}{{c.ReportedAt, &n.Reported}, {c.FiledAt, &n.Filed}, {c.SolvedAt, &n.Solved}, {c.ClosedAt, &n.Closed}, {c.DroppedAt, &n.Dropped},
			{c.ReopenedAt, &n.Reopened}} {
			if in(x.t) && inUnit(RecordCase, c.ID, c.UnitID, x.t) {
				*x.n++
			}
		}
		for _, a := range c.Arrests {
			if in(a.At) && inUnit(RecordCase, c.ID, c.UnitID, a.At) {
				n.Arrests++
				people[a.SuspectID] = true
			}
		}
	}
	n.PeopleArrested = int64(len(people))
	for _, l := range leads {
		if in(l.FoundAt) && inUnit(RecordLead, l.ID, l.UnitID, l.FoundAt) {
			n.LeadsCollected++
		}
	}
	return n
}
