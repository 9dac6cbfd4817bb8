package casework

import (
	"github.com/grassroots-policing/grassroots/internal/audit"
)

// The audit chain's types. A store outside this module appends entries with
// ChainNext, so every store builds the same chain and VerifyAudit can check
// it whoever wrote it.
type (
	// AuditEntry is one link of the hash chain.
	AuditEntry = audit.Entry
	// AuditHead is the chain's last sequence number and hash.
	AuditHead = audit.Head
	// Checkpoint is an Ed25519-signed statement of the chain head.
	Checkpoint = audit.Checkpoint
	// AuditReport is what VerifyAudit found.
	AuditReport = audit.Report
	// CheckpointPolicy says when a checkpoint is due.
	CheckpointPolicy = audit.CheckpointPolicy
)

// ChainNext places a record after head: it assigns Seq, PrevHash and Hash.
// Stores call it while holding the chain-head lock, as the last step of a
// write's transaction.
func ChainNext(head AuditHead, r AuditRecord) AuditEntry { return audit.Next(head, ChainEntry(r)) }

// ChainEntry is r as an entry not yet placed in the chain (no Seq,
// PrevHash or Hash), for a store whose database places it: the entry's
// hash is then SHA-256 of audit.Prefix, Seq, audit.Body of this entry and
// PrevHash (see casework/sqlstore on PostgreSQL).
func ChainEntry(r AuditRecord) AuditEntry {
	return AuditEntry{
		Time:          Truncate(r.Time),
		ActorID:       r.ActorID,
		UnitID:        r.UnitID,
		Action:        r.Action,
		RecordType:    r.RecordType,
		RecordID:      r.RecordID,
		RequestID:     r.RequestID,
		PayloadDigest: PayloadDigest(r.Payload),
	}
}

// ChainHash computes an entry's hash from its fields and PrevHash.
func ChainHash(e AuditEntry) [32]byte { return audit.ComputeHash(e) }
