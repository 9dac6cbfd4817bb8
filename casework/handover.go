package casework

import (
	"context"
	"slices"
)

// OpenRecord is an open record of a workflow (a dispute not closed, a
// visit-plan entry not done, a case step not finished, an item not
// returned): what a hand-over or a unit's closing moves. Version is the
// version listed; the move is a compare-and-swap on it, so a record
// changed since it was listed stops the whole move (ErrConflict).
type OpenRecord struct {
	Workflow   string   `json:"workflow"`
	RecordType string   `json:"recordType"`
	ID         string   `json:"id"`
	UnitID     string   `json:"unitId"`
	Assignees  []string `json:"assignees,omitempty"` // staff ids assigned to it
	Version    int64    `json:"version"`
}

// OpenQuery selects open records: those of a unit subtree (UnitUnder, a
// unit path), or those of a staff member: assigned to them (AssigneeID) or
// held through their responsibility areas (Areas, the member's; records
// kept by area, such as visit-plan entries and hazards, have no assignee).
// With AssigneeID set and Areas empty, no record is selected by area.
type OpenQuery struct {
	UnitUnder  string
	AssigneeID string
	Areas      []string
}

// Move says where a workflow's open records go. ToUnitID, when set, is the
// unit that owns them afterwards; FromStaffID and ToStaffID, when set,
// replace one assignee by another (records held by area move with the
// areas, which the kernel hands to ToStaffID, so they need no change). Actor and Reason are for the audit
// entry each moved record gets.
type Move struct {
	Actor       Actor
	Reason      string
	ToUnitID    string
	FromStaffID string
	ToStaffID   string
}

// AssignmentMover is the hook each workflow registers (Provision.Mover) so
// that the kernel can hand a retiring officer's work over and empty a
// closing station in one operation without knowing the workflow's records.
//
// OpenRecords lists the workflow's open records that q selects. CheckMove
// refuses a move the workflow cannot take (a new assignee without the
// role its records need) and writes nothing: the kernel asks every
// workflow before any moves, so a refusal leaves nothing half-moved even
// on a store without rollback. MoveOpen moves recs as m says, each an audited compare-and-swap (ErrConflict when
// a record's version is no longer the listed one), writing through the
// workflow's store with ctx, which carries the kernel's transaction: it
// must not open one of its own that the kernel cannot roll back.
type AssignmentMover interface {
	OpenRecords(ctx context.Context, q OpenQuery) ([]OpenRecord, error)
	CheckMove(ctx context.Context, recs []OpenRecord, m Move) error
	MoveOpen(ctx context.Context, recs []OpenRecord, m Move) error
}

// Reassign returns ids with from replaced by to (once, keeping the order),
// for a workflow's list of assignees; a new slice, never ids itself.
func Reassign(ids []string, from, to string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id == from {
			id = to
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
