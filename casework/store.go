package casework

import (
	"context"
	"time"
)

// KernelStore is what a backend must do for the kernel: units, staff,
// persons, addresses, shares, and the shared tables every workflow's store
// writes through (audit chain, request keys, inbox, outbox).
//
// Error contract, for every method:
//   - a missing record is ErrNotFound;
//   - a create whose id or unique key (unit code, person document index,
//     request key, inbox source) exists is ErrConflict — except that a
//     Change's RequestKey replaces a stored key of the same actor and key
//     created before its ExpiredBefore (an expired key), deleting it and
//     inserting the new one in the write's transaction. Two writes racing
//     to replace one expired key: one commits, the other is ErrConflict, as
//     if the key had never expired (the delete of the loser finds nothing
//     older than its cutoff, and its insert meets the winner's key);
//   - an update whose stored version is not rec.Version-1 is ErrConflict
//     (compare-and-swap: the caller read version v and writes v+1);
//   - a cancelled or expired ctx returns ctx.Err() (wrapped) and writes
//     nothing;
//   - values are copied in and out: mutating an argument after the call, or
//     a returned value, changes nothing stored.
//
// Every write commits the record and ch in one transaction.
type KernelStore interface {
	UnitStore
	StaffStore
	PersonStore
	AddressStore
	ShareStore
	AuditStore
	RequestStore
	OutboxStore
	AttachmentStore
	SnapshotStore
	RecordAttachmentStore
	MoveStore

	// Atomically runs fn so that every write made with the context it is
	// given — by this store and by every workflow store on the same
	// database — commits together, or none does when fn returns an error
	// (a person merge moves references held by several workflows). A nested
	// call joins the outer one. Reads made with that context may not see
	// the writes fn made before them: read first, then write.
	Atomically(ctx context.Context, fn func(ctx context.Context) error) error

	// DefaultBlobs is where attachment bytes go when Config.Blobs is nil: as
	// durable as the store itself (memory for a memory store; the SQL
	// stores keep them in the database), so that an attachment outlives the
	// process whenever its record does.
	DefaultBlobs() BlobStore
}

// UnitStore keeps the unit tree.
type UnitStore interface {
	CreateUnit(ctx context.Context, u Unit, ch Change) error
	UpdateUnit(ctx context.Context, u Unit, ch Change) error
	GetUnit(ctx context.Context, id string) (Unit, error)
	GetUnitByCode(ctx context.Context, code string) (Unit, error)
	// ListUnits returns units ordered by Path.
	ListUnits(ctx context.Context, f UnitFilter) ([]Unit, error)
}

// StaffStore keeps staff members.
type StaffStore interface {
	CreateStaff(ctx context.Context, s Staff, ch Change) error
	UpdateStaff(ctx context.Context, s Staff, ch Change) error
	GetStaff(ctx context.Context, id string) (Staff, error)
	// ListStaff returns staff ordered by (CreatedAt, ID) after the cursor.
	ListStaff(ctx context.Context, f StaffFilter, p Page) ([]Staff, error)
}

// PersonStore keeps persons in their sealed form; it never sees plaintext
// identity numbers, phones or sensitive tags.
type PersonStore interface {
	// CreatePerson is ErrConflict when another person holds the same
	// document index (one person per document number).
	CreatePerson(ctx context.Context, p PersonRecord, ch Change) error
	UpdatePerson(ctx context.Context, p PersonRecord, ch Change) error
	GetPerson(ctx context.Context, id string) (PersonRecord, error)
	// ListPersons returns persons ordered by (CreatedAt, ID) after the cursor.
	ListPersons(ctx context.Context, f PersonFilter, p Page) ([]PersonRecord, error)
}

// AddressStore keeps standard addresses and their 一标三实 registry.
type AddressStore interface {
	CreateAddress(ctx context.Context, a Address, ch Change) error
	UpdateAddress(ctx context.Context, a Address, ch Change) error
	GetAddress(ctx context.Context, id string) (Address, error)
	// ListAddresses returns addresses ordered by (CreatedAt, ID) after the cursor.
	ListAddresses(ctx context.Context, f AddressFilter, p Page) ([]Address, error)
}

// ShareStore keeps read grants of one unit's record to another unit.
type ShareStore interface {
	CreateShare(ctx context.Context, s Share, ch Change) error
	UpdateShare(ctx context.Context, s Share, ch Change) error
	GetShare(ctx context.Context, id string) (Share, error)
	// ListShares returns the shares of a record (revoked ones included),
	// ordered by (CreatedAt, ID).
	ListShares(ctx context.Context, recordType, recordID string) ([]Share, error)
	// ListSharesTo returns the shares the filter selects by receiving unit
	// (ShareFilter), ordered by (CreatedAt, ID) after the cursor.
	ListSharesTo(ctx context.Context, f ShareFilter, p Page) ([]Share, error)
}

// AuditStore reads the hash chain. Appending happens only inside writes,
// through their Change.
type AuditStore interface {
	// CommitChange commits a Change that changes no record, such as the
	// audit entry of a reveal of sensitive data.
	CommitChange(ctx context.Context, ch Change) error
	AuditHead(ctx context.Context) (AuditHead, error)
	// AuditSince returns at most limit entries with Seq > after, in Seq
	// order, without payloads. An entry is visible only with the write it
	// records, and never before an entry of a lower Seq: the kernel's
	// caches read it to drop what other processes changed.
	AuditSince(ctx context.Context, after int64, limit int) ([]AuditEntry, error)
	// ScanAudit calls fn for every entry with Seq >= from, in Seq order, with
	// its payload (nil when erased). It stops at the first error fn returns.
	ScanAudit(ctx context.Context, from int64, fn func(AuditEntry, []byte) error) error
	// AuditTrail returns the entries of one record in Seq order.
	AuditTrail(ctx context.Context, recordType, recordID string) ([]AuditEntry, error)
	// AddCheckpoint stores a signed checkpoint; ErrConflict when one exists
	// at that Seq.
	AddCheckpoint(ctx context.Context, cp Checkpoint) error
	// Checkpoints returns every checkpoint in Seq order.
	Checkpoints(ctx context.Context) ([]Checkpoint, error)
	// ErasePayload deletes the payload of entry seq (a purge of personal
	// data) and commits ch, the erasure's own audit entry, in the same
	// transaction. That entry is the tombstone verification requires: the
	// chain holds only the payload's digest, so a payload missing without
	// an erasure entry naming it reads as deleted behind the library's
	// back. Erasing a payload that is not there (never written or already
	// erased) is ErrNotFound and commits nothing.
	ErasePayload(ctx context.Context, seq int64, ch Change) error
}

// RequestStore finds the request keys and inbox marks that writes recorded.
type RequestStore interface {
	// GetRequestKey finds the key actorID used: a key is its actor's own,
	// so two actors may use the same key, and neither sees the other's.
	// It returns an expired key too: expiry is the kernel's reading of
	// CreatedAt, so a store needs no clock.
	GetRequestKey(ctx context.Context, actorID, key string) (RequestKey, error)
	// DeleteRequestKeys deletes every request key created before before,
	// whoever's, and returns how many it deleted: the sweep of expired keys,
	// so the table does not grow for ever. Deleting none is not an error.
	DeleteRequestKeys(ctx context.Context, before time.Time) (int64, error)
	// GetInboxEntry finds the mark of one step of one source: the steps of
	// a source are marked, and found, one by one.
	GetInboxEntry(ctx context.Context, sourceKind, sourceID, step string) (InboxEntry, error)
}

// OutboxStore hands out pending messages under a lease, so that several
// processes can deliver without delivering the same message at once.
type OutboxStore interface {
	// ClaimOutbox leases up to limit undelivered messages that are not dead,
	// whose lease is free or expired and whose NextAttempt is due, in
	// CreatedAt order.
	ClaimOutbox(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]OutboxMessage, error)
	// CompleteOutbox marks a message delivered; ErrConflict when owner no
	// longer holds its lease.
	CompleteOutbox(ctx context.Context, id, owner, resultID string, now time.Time) error
	// FailOutbox releases the lease and schedules a retry at retryAt.
	FailOutbox(ctx context.Context, id, owner, lastError string, retryAt time.Time) error
	// MarkOutboxDead releases the lease and marks the message dead at at
	// with its last error: ClaimOutbox no longer hands it out. ErrConflict
	// when owner no longer holds its lease.
	MarkOutboxDead(ctx context.Context, id, owner, lastError string, at time.Time) error
	// ReplayOutbox makes a dead message pending again — due at once,
	// Attempts 0, Replays set to replays — and commits ch with it.
	// Compare-and-swap: ErrConflict unless the stored message is dead with
	// Replays == replays-1; ErrNotFound when there is no such message.
	ReplayOutbox(ctx context.Context, id string, replays int, ch Change) error
	// GetOutbox returns one message.
	GetOutbox(ctx context.Context, id string) (OutboxMessage, error)
	// ListDeadOutbox returns dead messages ordered by (DeadAt, ID) after
	// the cursor.
	ListDeadOutbox(ctx context.Context, p Page) ([]OutboxMessage, error)
	// CountDeadOutbox counts the dead messages.
	CountDeadOutbox(ctx context.Context) (int64, error)
	// ListOutbox returns messages of a source (or all when sourceID is ""),
	// in CreatedAt order.
	ListOutbox(ctx context.Context, sourceKind, sourceID string) ([]OutboxMessage, error)
}

// Page asks for up to Limit records after the cursor After (the value
// NextCursor returned for the last page; "" for the first).
type Page struct {
	Limit int
	After string
}

// DefaultPageLimit and MaxPageLimit bound every list.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 500
)

// ForStore applies the limits a store applies: services ask for one row
// more than a page to learn whether another page follows, so a store
// returns up to MaxPageLimit+1 rows.
func (p Page) ForStore() Page {
	if p.Limit <= 0 {
		p.Limit = DefaultPageLimit
	}
	p.Limit = min(p.Limit, MaxPageLimit+1)
	return p
}

// Normalize applies the default and maximum limits.
func (p Page) Normalize() Page {
	if p.Limit <= 0 {
		p.Limit = DefaultPageLimit
	}
	if p.Limit > MaxPageLimit {
		p.Limit = MaxPageLimit
	}
	return p
}

// SnapshotStore reads many queries as of one instant, so that a report's
// figures — several workflows, several tables — agree with each other
// even while officers write.
type SnapshotStore interface {
	// Snapshot runs fn with a context under which every read of this store,
	// and of every workflow store built on the same database, sees one
	// consistent state: the writes committed before the snapshot began and
	// none after (a read-only REPEATABLE READ transaction on PostgreSQL, one
	// read transaction on SQLite, the read lock in memory). A context that
	// already carries a snapshot of the store keeps it. fn must only read:
	// a write under the context is refused or, in memory, waits for the
	// snapshot to end.
	Snapshot(ctx context.Context, fn func(ctx context.Context) error) error
}
