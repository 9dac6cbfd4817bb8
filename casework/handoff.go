package casework

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Hand-off kinds: the outbox's receiver registry keys. The payloads are
// kernel types, so a sending package needs nothing of the receiver's.
const (
	KindDisputeFinding = "dispute_finding" // outreach → mediation
	KindLeadFinding    = "lead_finding"    // outreach → casework
	KindStolenItems    = "stolen_items"    // casework → recovery (case reported)
	KindTraceItems     = "trace_items"     // casework → recovery (arrest made)
)

// The code lists of hand-off payloads. The receiving package registers them
// (mediation the dispute categories, recovery the property categories); a
// sender checks its payload against them with CheckHandoffCode, so a bad
// code is refused when the officer enters it, not retried forever in the
// outbox.
const (
	ListDisputeCategory  = "dispute_category"
	ListPropertyCategory = "property_category"
)

// CheckHandoffCode checks value against a hand-off code list when the
// receiving package is wired in (its list is registered); without a
// receiver there is nothing to agree with, and any code passes.
func (c *CodeLists) CheckHandoffCode(field, list, value string) error {
	if len(c.List(list)) == 0 {
		return nil
	}
	return c.Check(field, list, value)
}

// Source names what a hand-off came from; the receiver is idempotent on it.
type Source struct {
	Kind string `json:"kind"` // sender record type, e.g. "visit", "case"
	ID   string `json:"id"`
	Step string `json:"step"` // e.g. "dispute/1", "arrest/<id>"
}

// DisputeFinding is a dispute found on an outreach visit (or any screening)
// and handed to mediation, which creates a dispute from it.
type DisputeFinding struct {
	Source    Source    `json:"source"`
	Actor     Actor     `json:"actor"`  // who found it; the receiver acts as this actor
	UnitID    string    `json:"unitId"` // the unit that owns the new dispute
	Category  string    `json:"category"`
	Summary   string    `json:"summary"`
	AddressID string    `json:"addressId,omitempty"`
	Address   string    `json:"address,omitempty"`
	PartyIDs  []string  `json:"partyIds,omitempty"` // persons already recorded
	Risk      string    `json:"risk,omitempty"`     // low, medium, high
	RiskNote  string    `json:"riskNote,omitempty"`
	FoundAt   time.Time `json:"foundAt"`
}

// LeadFinding is a lead (线索) collected on a visit and handed to casework.
type LeadFinding struct {
	Source    Source    `json:"source"`
	Actor     Actor     `json:"actor"`
	UnitID    string    `json:"unitId"`
	Summary   string    `json:"summary"`
	AddressID string    `json:"addressId,omitempty"`
	PersonIDs []string  `json:"personIds,omitempty"`
	FoundAt   time.Time `json:"foundAt"`
}

// Identifier is an identifying mark of a property item.
type Identifier struct {
	Kind  string `json:"kind"` // serial, imei, frame, engine, plate, other
	Value string `json:"value"`
}

// StolenItem is an item reported stolen in a case. The case assigns its id;
// recovery creates the item with that id, so both sides know it at once.
type StolenItem struct {
	ItemID      string       `json:"itemId"`
	Category    string       `json:"category"`
	Description string       `json:"description"`
	Identifiers []Identifier `json:"identifiers,omitempty"`
	Quantity    int          `json:"quantity"`
	ValueFen    int64        `json:"valueFen"`
	// ValueConfirmed confirms a very large value (NIBRS-style): recovery
	// refuses such a value without it.
	ValueConfirmed bool   `json:"valueConfirmed,omitempty"`
	OwnerPersonID  string `json:"ownerPersonId,omitempty"`
}

// StolenItems registers a case's stolen items in recovery as reported_stolen.
type StolenItems struct {
	Source    Source       `json:"source"`
	Actor     Actor        `json:"actor"`
	UnitID    string       `json:"unitId"`
	CaseID    string       `json:"caseId"`
	StolenAt  time.Time    `json:"stolenAt"`
	Place     string       `json:"place,omitempty"`
	AddressID string       `json:"addressId,omitempty"`
	Items     []StolenItem `json:"items"`
}

// TraceItems marks a case's stolen items as being traced, linked to an
// arrest (快抓捕 · 同步挽损).
type TraceItems struct {
	Source   Source    `json:"source"`
	Actor    Actor     `json:"actor"`
	CaseID   string    `json:"caseId"`
	ArrestID string    `json:"arrestId"`
	ItemIDs  []string  `json:"itemIds"`
	At       time.Time `json:"at"`
}

// Receive adapts a typed intake method to a Receiver: it decodes the
// outbox payload and calls fn. Inside a delivery, a finding or stolen
// items sent to a unit that has closed since are redirected to the unit it
// was closed into (redirectClosed). fn must be idempotent on the payload's
// Source (use Kernel.ReceiveOnce).
func Receive[T any](fn func(ctx context.Context, payload T) (string, error)) Receiver {
	return func(ctx context.Context, msg OutboxMessage) (string, error) {
		var v T
		if err := json.Unmarshal(msg.Payload, &v); err != nil {
			return "", fmt.Errorf("hand-off %s %s: %w", msg.Kind, msg.ID, err)
		}
		if p, ok := any(&v).(createsIn); ok {
			if k, ok := ctx.Value(deliveringKernel{}).(*Kernel); ok {
				if err := k.redirectClosed(ctx, p); err != nil {
					return "", err
				}
			}
		}
		return fn(ctx, v)
	}
}

// PropertyLedger is what the case workflow (package casework/cases) needs
// of the stolen-property register: package recovery satisfies it, and the
// wiring connects them with cases.Service.Connect. It is a kernel contract,
// in kernel types, so that neither package imports the other.
//
//   - CheckStolen reports, writing nothing, whether RegisterStolen would
//     accept these items' values, categories and identifiers; an
//     *InvalidError names each failing field as items[i].<field>. The case
//     workflow calls it before it commits a case with stolen items, so that
//     what a case accepts the register accepts, and no hand-off is retried
//     for ever.
//   - RegisterStolen creates the items of a case as reported_stolen under
//     the ids the case assigned. It is called from the outbox, at least
//     once: it must be idempotent on items.Source (Kernel.ReceiveOnce).
//   - MarkTraced marks items as being traced, linked to an arrest; also
//     called from the outbox, idempotent on t.Source.
//   - CompareProperty searches the register for items that match what a
//     scene survey found, in the actor's reach. It is called synchronously;
//     an error makes the survey fail and record nothing.
type PropertyLedger interface {
	CheckStolen(ctx context.Context, items StolenItems) error
	RegisterStolen(ctx context.Context, items StolenItems) (string, error)
	MarkTraced(ctx context.Context, t TraceItems) (string, error)
	CompareProperty(ctx context.Context, actor Actor, q PropertyQuery) ([]PropertyMatch, error)
}

// PropertyQuery is what a survey compares: identifiers first, then
// category, description, time and place.
type PropertyQuery struct {
	Identifiers []Identifier `json:"identifiers,omitempty"`
	Category    string       `json:"category,omitempty"`
	Description string       `json:"description,omitempty"`
	At          time.Time    `json:"at,omitzero"`
	Place       string       `json:"place,omitempty"`
	UnitID      string       `json:"unitId,omitempty"`
}

// PropertyMatch is an item of the register that matches a query.
type PropertyMatch struct {
	ItemID  string   `json:"itemId"`
	State   string   `json:"state"`
	Score   float64  `json:"score"` // higher is closer; an exact identifier match scores 1 or more
	Reasons []string `json:"reasons"`
}
