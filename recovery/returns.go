package recovery

import (
	"slices"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
)

// ReturnState is where a return (发还) stands.
type ReturnState string

// Return states: requested → approved → completed, or requested → rejected.
// A hand-over that fails (the owner did not come) leaves the return
// approved and the item waiting in custody; the attempt is recorded.
const (
	ReturnRequested ReturnState = "requested"
	ReturnApproved  ReturnState = "approved"
	ReturnRejected  ReturnState = "rejected"
	ReturnCompleted ReturnState = "completed"
)

// Open reports whether the return still holds its item (no other return or
// disposal may start).
func (s ReturnState) Open() bool { return s == ReturnRequested || s == ReturnApproved }

// Return is the hand-back of one item to its owner or the owner's delegate.
// It needs a supervisor's approval (branch level by default; never the
// requester's own) before the hand-over, and the hand-over needs the
// recipient's identity document checked against their person record and a
// signed receipt, which the return keeps. The document numbers shown at the
// hand-over are compared through blind indexes and never stored.
type Return struct {
	ID     string      `json:"id"`
	UnitID string      `json:"unitId"` // the item's unit
	ItemID string      `json:"itemId"`
	CaseID string      `json:"caseId,omitempty"`
	State  ReturnState `json:"state"`

	OwnerPersonID string `json:"ownerPersonId"`
	// RecipientPersonID is the owner, or a delegate holding the owner's
	// written authorisation (Authorisation).
	RecipientPersonID string               `json:"recipientPersonId"`
	Delegate          bool                 `json:"delegate,omitempty"`
	Authorisation     *casework.Attachment `json:"authorisation,omitempty"`

	RequestedBy  string    `json:"requestedBy"`
	RequestedAt  time.Time `json:"requestedAt"`
	RequestNote  string    `json:"requestNote,omitempty"`
	DecidedBy    string    `json:"decidedBy,omitempty"`
	DecidedAt    time.Time `json:"decidedAt,omitzero"`
	DecisionNote string    `json:"decisionNote,omitempty"`

	EventID string `json:"eventId,omitempty"` // the return event it is planned for

	Receipt     *casework.Attachment `json:"receipt,omitempty"`
	CompletedBy string               `json:"completedBy,omitempty"`
	CompletedAt time.Time            `json:"completedAt,omitzero"`
	// IdentityChecked records that the recipient's (and, for a delegate, the
	// owner's) document numbers matched their person records at hand-over.
	IdentityChecked bool `json:"identityChecked,omitempty"`
	// Attempts are hand-overs that did not happen, oldest first.
	Attempts []Attempt `json:"attempts,omitempty"`

	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Attempt is a failed hand-over: the item stayed in custody.
type Attempt struct {
	At      time.Time `json:"at"`
	EventID string    `json:"eventId,omitempty"`
	ActorID string    `json:"actorId"`
	Reason  string    `json:"reason"`
}

// Clone returns a copy that shares nothing with r.
func (r Return) Clone() Return {
	if r.Authorisation != nil {
		a := *r.Authorisation
		r.Authorisation = &a
	}
	if r.Receipt != nil {
		a := *r.Receipt
		r.Receipt = &a
	}
	r.Attempts = slices.Clone(r.Attempts)
	return r
}

// ReturnInput asks for an item to be returned.
type ReturnInput struct {
	ItemID string `json:"itemId" validate:"line"`
	// Recipient is who will receive the item: a person (the owner or a
	// delegate). A staff holder is refused: an officer may never receive a
	// returned item on an owner's behalf.
	Recipient Holder `json:"recipient"`
	// Authorisation is the owner's written authorisation, required when the
	// recipient is not the owner.
	Authorisation *casework.Attachment `json:"authorisation,omitempty"`
	Note          string               `json:"note,omitempty"`
	RequestKey    string               `json:"-"`
}

// Handover is what happens when the recipient comes for the item (or does
// not). Document numbers are checked against person records through blind
// indexes and are never stored or audited.
type Handover struct {
	ReturnID string `json:"returnId" validate:"line"`
	// Absent marks a hand-over that did not happen; Reason says why. The
	// item stays in custody, approved, waiting for the next occasion.
	Absent bool   `json:"absent,omitempty"`
	Reason string `json:"reason,omitempty"`

	RecipientDocType   casework.DocType `json:"recipientDocType,omitempty" validate:"line"`
	RecipientDocNumber string           `json:"recipientDocNumber,omitempty" validate:"line"`
	// OwnerDocType and OwnerDocNumber are the owner's, as written on a
	// delegate's authorisation; required for a delegate.
	OwnerDocType   casework.DocType     `json:"ownerDocType,omitempty" validate:"line"`
	OwnerDocNumber string               `json:"ownerDocNumber,omitempty" validate:"line"`
	Receipt        *casework.Attachment `json:"receipt,omitempty"`
	WitnessID      string               `json:"witnessId,omitempty" validate:"line"`
	Condition      string               `json:"condition,omitempty"`
	Photos         []string             `json:"photos,omitempty"`
}
