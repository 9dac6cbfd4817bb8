// Package audit holds the storage-independent rules of the records system's
// audit log: one hash-chained, append-only log per database, with signed
// checkpoints and a streaming verifier.
//
// The package does no I/O. The memory, SQLite and PostgreSQL stores call
// [Next] inside the transaction that changes a record, persist the returned
// [Entry], and feed stored entries back through a [Verifier]. Keeping the
// rules here means every store produces byte-identical hashes, so a log can
// move between stores and still verify.
//
// # What is hashed, and why
//
// Each entry's hash covers the previous entry's hash, so altering, removing,
// reordering or inserting an entry breaks the chain at that point. The hash
// covers only the payload's digest, never the payload, because payloads
// (before/after digests and a redacted diff) live in a separate table that
// may lawfully be erased — for example under a records-retention order —
// without destroying the evidence that the action happened. An erasure is
// itself an entry (EraseAction, naming the erased seq in its RecordID), the
// tombstone that tells it from a deletion: a payload missing with no such
// entry fails verification (Report.DeletedPayloads).
//
// All hashes are fixed [32]byte arrays (SHA-256). Stores persist them as
// BLOB/BYTEA, or as lowercase hex TEXT if they must; either way they must
// round-trip the exact 32 bytes. Times are hashed as Unix microseconds in
// UTC, the finest precision PostgreSQL's timestamptz keeps, so a stored and
// reloaded entry hashes the same.
//
// # What a chain cannot prove on its own
//
// Anyone with write access to the database can rewrite an entry and
// recompute every later hash; the result is internally consistent. Signed
// [Checkpoint]s close that gap up to the newest checkpoint: a rewrite or a
// tail truncation after the newest checkpoint is undetectable until the next
// checkpoint is taken and compared. Signatures stop forgery of checkpoints,
// not their deletion, so copies of checkpoints should also be kept outside
// the database the log lives in (for example with the oversight body).
package audit
