package recovery

import (
	"time"

	"github.com/grassroots-policing/grassroots/casework"
)

// DisposalMethod is how an unclaimed item leaves custody for good.
type DisposalMethod string

// Disposal methods (list property_disposal_method).
const (
	DisposeAuction     DisposalMethod = "auction"     // 公开拍卖: proceeds go to the treasury
	DisposeDestruction DisposalMethod = "destruction" // 销毁: no proceeds
	DisposeTreasury    DisposalMethod = "treasury"    // 上缴国库: cash and valuables handed over
)

func (m DisposalMethod) valid() bool {
	return m == DisposeAuction || m == DisposeDestruction || m == DisposeTreasury
}

// DisposalState is where a disposal stands.
type DisposalState string

// Disposal states: requested → approved → completed, or requested →
// rejected.
const (
	DisposalRequested DisposalState = "requested"
	DisposalApproved  DisposalState = "approved"
	DisposalRejected  DisposalState = "rejected"
	DisposalCompleted DisposalState = "completed"
)

// Open reports whether the disposal still holds its item.
func (s DisposalState) Open() bool { return s == DisposalRequested || s == DisposalApproved }

// Disposal is the end of an unclaimed item after its holding period: auction,
// destruction or transfer to the treasury. It needs a supervisor's approval
// (branch level by default; never the requester's own), and its completion
// records the method, the proceeds in fen and who received the item.
type Disposal struct {
	ID           string               `json:"id"`
	UnitID       string               `json:"unitId"`
	ItemID       string               `json:"itemId"`
	Method       DisposalMethod       `json:"method"`
	State        DisposalState        `json:"state"`
	Reason       string               `json:"reason"`
	RequestedBy  string               `json:"requestedBy"`
	RequestedAt  time.Time            `json:"requestedAt"`
	DecidedBy    string               `json:"decidedBy,omitempty"`
	DecidedAt    time.Time            `json:"decidedAt,omitzero"`
	DecisionNote string               `json:"decisionNote,omitempty"`
	ProceedsFen  int64                `json:"proceedsFen"`
	Recipient    string               `json:"recipient,omitempty"` // the buyer, the treasury office, the destruction site
	Document     *casework.Attachment `json:"document,omitempty"`  // auction record, destruction certificate, treasury receipt
	CompletedBy  string               `json:"completedBy,omitempty"`
	CompletedAt  time.Time            `json:"completedAt,omitzero"`
	Version      int64                `json:"version"`
	CreatedAt    time.Time            `json:"createdAt"`
	UpdatedAt    time.Time            `json:"updatedAt"`
}

// Clone returns a copy that shares nothing with d.
func (d Disposal) Clone() Disposal {
	if d.Document != nil {
		a := *d.Document
		d.Document = &a
	}
	return d
}

// DisposalInput asks for an unclaimed item to be disposed of.
type DisposalInput struct {
	ItemID     string         `json:"itemId" validate:"line"`
	Method     DisposalMethod `json:"method" validate:"line"`
	Reason     string         `json:"reason"`
	RequestKey string         `json:"-"`
}

// DisposalCompletion records the disposal carried out.
type DisposalCompletion struct {
	ProceedsFen int64                `json:"proceedsFen"`
	Recipient   string               `json:"recipient" validate:"line"`
	Document    *casework.Attachment `json:"document"`
	WitnessID   string               `json:"witnessId" validate:"line"`
	Condition   string               `json:"condition"`
	Photos      []string             `json:"photos,omitempty"`
}
