package outreach

import (
	"slices"
	"time"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// HazardStatus is where a hazard stands.
type HazardStatus string

// The hazard states: found → rectifying → rectified → verified. A rejected
// verification sends a hazard from rectified back to rectifying.
const (
	HazardFound      HazardStatus = "found"
	HazardRectifying HazardStatus = "rectifying"
	HazardRectified  HazardStatus = "rectified"
	HazardVerified   HazardStatus = "verified"
)

// hazardMoves is the whole state machine: every move not listed is refused.
var hazardMoves = map[HazardStatus][]HazardStatus{
	HazardFound:      {HazardRectifying},
	HazardRectifying: {HazardRectified},
	HazardRectified:  {HazardVerified, HazardRectifying},
}

// CanMoveHazard returns nil when a hazard may move from one state to the
// other, and an ErrInvalidTransition naming both otherwise.
func CanMoveHazard(from, to HazardStatus) error {
	if slices.Contains(hazardMoves[from], to) {
		return nil
	}
	return errs.Transition(string(from), string(to), "a hazard moves found → rectifying → rectified → verified")
}

// HazardEvent is a step of a hazard that the outreach table counts in the
// period it happened: a period's figures count events, never the hazard's
// current state, so a fix rejected later does not lower a figure already
// reported; the rejection is an event of its own period.
type HazardEvent string

// The counted events.
const (
	// HazardEventRectified: the hazard reached rectified (a recorded fix).
	HazardEventRectified HazardEvent = "rectified"
	// HazardEventFixRejected: a verifier sent a recorded fix back to
	// rectifying.
	HazardEventFixRejected HazardEvent = "fix_rejected"
)

// HazardEventOf is the one rule for what a write of a hazard records, for
// every store: next reaching rectified from prev (a create passes prev "")
// is HazardEventRectified at next.RectifiedAt; next going from rectified
// back to rectifying is HazardEventFixRejected at next.UpdatedAt. Any other
// write records nothing ("").
func HazardEventOf(prev HazardStatus, next Hazard) (HazardEvent, time.Time) {
	switch {
	case next.Status == HazardRectified && prev != HazardRectified:
		return HazardEventRectified, next.RectifiedAt
	case next.Status == HazardRectifying && prev == HazardRectified:
		return HazardEventFixRejected, next.UpdatedAt
	}
	return "", time.Time{}
}

// Severity grades a hazard.
type Severity string

// The severities (一般隐患, 重大隐患).
const (
	SeverityGeneral Severity = "general"
	SeverityMajor   Severity = "major"
)

// Hazard is a safety hazard (安全隐患) found on a visit or a patrol.
type Hazard struct {
	ID          string   `json:"id"`
	UnitID      string   `json:"unitId"`
	VisitID     string   `json:"visitId,omitempty"`
	AddressID   string   `json:"addressId,omitempty"`
	Community   string   `json:"community,omitempty"`
	Place       string   `json:"place"`
	Kind        string   `json:"kind"` // code of list outreach.hazard_kind
	Severity    Severity `json:"severity"`
	Description string   `json:"description"`
	// Responsible is who must fix it (the household, the firm's manager);
	// ResponsiblePersonID names a recorded person when there is one.
	Responsible         string       `json:"responsible"`
	ResponsiblePersonID string       `json:"responsiblePersonId,omitempty"`
	Deadline            time.Time    `json:"deadline"`
	Status              HazardStatus `json:"status"`
	FoundBy             string       `json:"foundBy"`
	FoundAt             time.Time    `json:"foundAt"`
	RectifyingAt        time.Time    `json:"rectifyingAt,omitzero"`
	// RectifiedAt is when the hazard last reached rectified. The report
	// counts each time it did (HazardEventRectified), not this field, which
	// a rejected fix clears.
	RectifiedAt time.Time `json:"rectifiedAt,omitzero"`
	RectifiedBy string    `json:"rectifiedBy,omitempty"` // the officer who recorded the fix
	VerifiedAt  time.Time `json:"verifiedAt,omitzero"`
	VerifiedBy  string    `json:"verifiedBy,omitempty"`
	Note        string    `json:"note,omitempty"` // the last move's note or reason
	Version     int64     `json:"version"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// Overdue is the one rule for hazards: overdue while not yet rectified once
// the deadline has passed (pastDeadline: the deadline instant itself is
// already late).
func (h Hazard) Overdue(now time.Time) bool {
	return (h.Status == HazardFound || h.Status == HazardRectifying) && pastDeadline(h.Deadline, now)
}

// HazardInput reports a hazard.
type HazardInput struct {
	UnitID              string   `json:"unitId" validate:"max=64,line"` // default: the visit's unit
	VisitID             string   `json:"visitId,omitempty" validate:"max=64,line"`
	AddressID           string   `json:"addressId,omitempty" validate:"max=64,line"`
	Place               string   `json:"place" validate:"required,max=300,line"`
	Kind                string   `json:"kind" validate:"required,max=64,line"`
	Severity            Severity `json:"severity" validate:"required,oneof=general major"`
	Description         string   `json:"description" validate:"required,max=2000"`
	Responsible         string   `json:"responsible" validate:"required,max=200,line"`
	ResponsiblePersonID string   `json:"responsiblePersonId,omitempty" validate:"max=64,line"`
	// Deadline, or DueInDays: the deadline is 24:00 local time on the Nth
	// day after the hazard was found (the day of finding not counted).
	Deadline   time.Time `json:"deadline,omitzero"`
	DueInDays  int       `json:"dueInDays,omitempty" validate:"min=0,max=3650"`
	RequestKey string    `json:"-"`
}

// HazardFilter selects hazards. Stores order hazards by (FoundAt, ID).
type HazardFilter struct {
	UnitUnder string
	Status    []HazardStatus
	VisitID   string
	// Areas selects hazards whose community or address id is one of these:
	// an officer's responsibility area.
	Areas []string
	// OverdueAt selects hazards overdue at this instant (Hazard.Overdue).
	OverdueAt time.Time
	From, To  time.Time // FoundAt in [From, To)
	PersonID  string    // ResponsiblePersonID
}
