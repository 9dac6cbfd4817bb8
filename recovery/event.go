package recovery

import (
	"slices"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
)

// EventState is where a return event stands.
type EventState string

// Event states: planned → held.
const (
	EventPlanned EventState = "planned"
	EventHeld    EventState = "held"
)

// Event is a return event (涉案物品返还会): a gathering at a date and place,
// hosted by a unit, where many approved returns are handed over together,
// each with its own receipt. A hand-over that fails (the owner is absent)
// is recorded and leaves its item approved and in custody for a later
// occasion: holding an event never loses an item.
type Event struct {
	ID     string     `json:"id"`
	UnitID string     `json:"unitId"` // the hosting unit
	Name   string     `json:"name"`
	Date   time.Time  `json:"date"`
	Place  string     `json:"place"`
	State  EventState `json:"state"`
	// ReturnIDs are the approved returns planned for the event.
	ReturnIDs []string `json:"returnIds,omitempty"`
	// Results are the outcomes, one per planned return, once held.
	Results   []EventResult `json:"results,omitempty"`
	CreatedBy string        `json:"createdBy"`
	HeldBy    string        `json:"heldBy,omitempty"`
	HeldAt    time.Time     `json:"heldAt,omitzero"`
	Version   int64         `json:"version"`
	CreatedAt time.Time     `json:"createdAt"`
	UpdatedAt time.Time     `json:"updatedAt"`
}

// EventResult is the outcome of one planned return.
type EventResult struct {
	ReturnID string               `json:"returnId"`
	ItemID   string               `json:"itemId"`
	Returned bool                 `json:"returned"`
	Reason   string               `json:"reason,omitempty"` // why it failed
	Receipt  *casework.Attachment `json:"receipt,omitempty"`
}

// Clone returns a copy that shares nothing with e.
func (e Event) Clone() Event {
	e.ReturnIDs = slices.Clone(e.ReturnIDs)
	e.Results = slices.Clone(e.Results)
	for i, r := range e.Results {
		if r.Receipt != nil {
			a := *r.Receipt
			e.Results[i].Receipt = &a
		}
	}
	return e
}

// Returned counts the hand-overs that happened.
func (e Event) Returned() int {
	n := 0
	for _, r := range e.Results {
		if r.Returned {
			n++
		}
	}
	return n
}

// EventInput plans a return event.
type EventInput struct {
	UnitID     string    `json:"unitId" validate:"line"`
	Name       string    `json:"name" validate:"line"`
	Date       time.Time `json:"date"`
	Place      string    `json:"place"`
	RequestKey string    `json:"-"`
}
