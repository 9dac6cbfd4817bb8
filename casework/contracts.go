package casework

import "context"

// The hand-off contracts. A sending workflow hands its findings on through
// the outbox; the receiving workflow satisfies the contract (checked at
// compile time) and registers its receiver in its New, so neither imports
// the other and each kind has exactly one receiver.

// DisputeIntake takes a dispute found on a visit (or any screening) and
// returns the id of the dispute it became (mediation satisfies it). It must
// be idempotent on the finding's Source (use Kernel.ReceiveOnce): deliveries
// repeat when a process dies between the receiver's commit and the
// acknowledgement.
type DisputeIntake interface {
	IntakeDispute(ctx context.Context, f DisputeFinding) (string, error)
}

// LeadIntake takes a lead collected on a visit and returns the id of the
// lead it became (casework/cases satisfies it), idempotently as above.
type LeadIntake interface {
	IntakeLead(ctx context.Context, f LeadFinding) (string, error)
}
