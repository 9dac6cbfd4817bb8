package casework

import (
	"crypto/sha256"
	"encoding/json"
	"time"
)

// Change is everything that one write commits together with the record it
// changes: the audit entries, the hand-offs to other packages, the request
// key of a create and the inbox mark of a received hand-off. A Store commits
// the record and its Change in one transaction: both or neither.
//
// Stores outside this module use the exported helpers (AuditEntryFor,
// ChainHash) to append audit entries, so the chain is the same whatever
// store wrote it.
type Change struct {
	Audit      []AuditRecord
	Outbox     []OutboxMessage
	RequestKey *RequestKey
	Inbox      *InboxEntry
	// Addresses are kernel addresses a workflow write updates with its own
	// record (a visit's 一标三实 registry update), compare-and-swap on their
	// versions like any update: both or neither.
	Addresses []Address
	// Shares are kernel shares a workflow write creates with its own record
	// (快研判·同步共享: the analysis and its shares are one step): both or
	// neither. A share whose id exists is ErrConflict; one naming a unit
	// that does not exist is ErrInvalid.
	Shares []Share
	// Moves are records moved to another unit with this write (a unit's
	// closing), kept for ever so that past figures stay where they were
	// counted (RecordMove). They are only inserted.
	Moves []RecordMove
}

// AuditRecord is an audit entry before the chain places it: the store
// assigns Seq and the hashes under the chain-head lock.
type AuditRecord struct {
	Time       time.Time
	ActorID    string
	UnitID     string
	Action     string
	RecordType string
	RecordID   string
	RequestID  string
	// Payload is the redacted payload (JSON): digests of the before and
	// after states and a diff whose sensitive fields are redacted. The chain
	// holds only its SHA-256, so a purge may erase it.
	Payload []byte
}

// PayloadDigest is what the chain holds of a payload: its SHA-256, or all
// zeros for an action without one.
func PayloadDigest(payload []byte) [32]byte {
	if len(payload) == 0 {
		return [32]byte{}
	}
	return sha256.Sum256(payload)
}

// RequestKey records a create made under an actor-scoped key, so that a
// repeat of the same request returns the first result and creates nothing.
type RequestKey struct {
	ActorID     string    `json:"actorId"`
	Key         string    `json:"key"`
	Fingerprint string    `json:"fingerprint"` // hex SHA-256 of the request input
	RecordType  string    `json:"recordType"`
	RecordID    string    `json:"recordId"`
	Result      []byte    `json:"result"` // JSON snapshot of the first result
	CreatedAt   time.Time `json:"createdAt"`
	// ExpiredBefore is the cutoff of a key being committed (zero: none): a
	// stored key of the same actor and key created before it has expired,
	// and the commit replaces it in its own transaction instead of failing
	// on the unique key. Stores keep no cutoff: a key read back has none.
	ExpiredBefore time.Time `json:"-"`
}

// InboxEntry marks a hand-off as received. Stores keep (SourceKind,
// SourceID, Step) unique, which is what makes at-least-once delivery
// exactly-once in effect.
type InboxEntry struct {
	SourceKind string    `json:"sourceKind"`
	SourceID   string    `json:"sourceId"`
	Step       string    `json:"step"`
	RecordType string    `json:"recordType"`
	RecordID   string    `json:"recordId"`
	CreatedAt  time.Time `json:"createdAt"`
}

// OutboxMessage is a hand-off from one package to another, committed in the
// sender's transaction and delivered later, at least once.
type OutboxMessage struct {
	ID         string          `json:"id"`
	Kind       string          `json:"kind"` // receiver registry key, e.g. "mediation.dispute_finding"
	SourceKind string          `json:"sourceKind"`
	SourceID   string          `json:"sourceId"`
	Step       string          `json:"step"`
	Payload    json.RawMessage `json:"payload"`
	CreatedAt  time.Time       `json:"createdAt"`

	// Delivery state, kept by the store.
	Attempts    int       `json:"attempts"`
	LeaseOwner  string    `json:"leaseOwner,omitempty"`
	LeaseUntil  time.Time `json:"leaseUntil,omitzero"`
	NextAttempt time.Time `json:"nextAttempt,omitzero"`
	DeliveredAt time.Time `json:"deliveredAt,omitzero"`
	ResultID    string    `json:"resultId,omitempty"`
	LastError   string    `json:"lastError,omitempty"`
	// DeadAt is when the message ran out of attempts (Config.
	// HandoffMaxAttempts): it is no longer delivered until an admin replays
	// it. Replays counts those replays; it is the compare-and-swap version
	// of ReplayHandoff.
	DeadAt  time.Time `json:"deadAt,omitzero"`
	Replays int       `json:"replays"`
}

// Delivered reports whether the receiver has acknowledged the message.
func (m OutboxMessage) Delivered() bool { return !m.DeliveredAt.IsZero() }

// Dead reports whether the message ran out of attempts and waits for a
// replay.
func (m OutboxMessage) Dead() bool { return !m.DeadAt.IsZero() }
