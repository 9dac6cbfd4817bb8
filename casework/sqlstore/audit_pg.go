package sqlstore

import (
	"context"
	"database/sql"
	"encoding/hex"
	"strings"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/audit"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

// On PostgreSQL the chain is appended at commit, by the database. Every
// concurrent writer appends to one chain, so appends are serialised on the
// head row's lock, and the rate of writes is one over the time that lock is
// held. Read and locked by the server, the head stayed locked while the
// server computed the entries, sent them and then the COMMIT — round trips
// of a process that shares the machine's cores with every other request,
// and the commit's flush. Instead a write inserts its records into
// audit_pending (an unlogged queue whose rows never outlive their
// transaction) and a deferred constraint trigger, fired at COMMIT, locks
// the head, places each record after it, hashes it, stores the entry and
// its payload, moves the head and removes the queued row. The head row is
// locked from the first such trigger to the end of the commit, inside the
// database, with no round trip in between. Several server processes share
// the chain as before: the lock is the row's, in the database.
//
// The hash is audit.ComputeHash's: SHA-256 of audit.Prefix, the sequence
// number (int8send is big-endian, as the Go encoding), audit.Body (computed
// by the server from the record: every field the place does not decide) and
// the previous hash. VerifyAudit recomputes every hash in Go from the
// stored columns, so a body that disagreed with them would show.
//
// Deferred triggers fire in the order their rows were queued, so records
// are chained in the order they were written. Since kernel migration 13
// the chaining is a second round (auditSecondRoundSQL): every deferred
// trigger the write's record change queued (the roll-ups') fires first,
// before the head is locked.
func auditChainSQL() []string {
	return []string{
		`CREATE UNLOGGED TABLE audit_pending (
			id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
			at BIGINT NOT NULL,
			actor_id TEXT NOT NULL,
			unit_id TEXT NOT NULL,
			action TEXT NOT NULL,
			record_type TEXT NOT NULL,
			record_id TEXT NOT NULL,
			request_id TEXT NOT NULL,
			payload_digest BYTEA NOT NULL,
			payload BYTEA,
			body BYTEA NOT NULL)`,
		`CREATE FUNCTION grassroots_audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  s BIGINT;
  prev BYTEA;
  h BYTEA;
BEGIN
  SELECT seq, hash INTO STRICT s, prev FROM audit_head WHERE id = 1 FOR UPDATE;
  s := s + 1;
  h := sha256('\x` + hex.EncodeToString(audit.Prefix()) + `'::bytea || int8send(s) || NEW.body || prev);
  INSERT INTO audit_log (` + auditCols + `) VALUES (s, NEW.at, NEW.actor_id, NEW.unit_id, NEW.action,
    NEW.record_type, NEW.record_id, NEW.request_id, NEW.payload_digest, prev, h);
  IF NEW.payload IS NOT NULL THEN
    INSERT INTO audit_payloads (seq, payload) VALUES (s, NEW.payload);
  END IF;
  UPDATE audit_head SET seq = s, hash = h WHERE id = 1;
  DELETE FROM audit_pending WHERE id = NEW.id;
  RETURN NULL;
END $$`,
		`CREATE CONSTRAINT TRIGGER audit_pending_chain AFTER INSERT ON audit_pending
			DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION grassroots_audit_chain()`,
	}
}

// auditSecondRoundSQL is kernel migration 13's change to the chaining
// (see rollup_shard.go): the deferred trigger on a queued record no longer
// chains it but touches its row, and that update's deferred trigger chains
// it. PostgreSQL fires the deferred triggers queued before COMMIT in the
// order they were queued, then, round after round, those their own
// statements queued: so every record is chained, still in the order
// written, after every other deferred trigger of the transaction — the
// roll-ups' included — and the head is locked only for the chaining and
// the commit itself.
func auditSecondRoundSQL() []string {
	return []string{
		`DROP TRIGGER audit_pending_chain ON audit_pending`,
		`CREATE FUNCTION grassroots_audit_defer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE audit_pending SET at = at WHERE id = NEW.id;
  RETURN NULL;
END $$`,
		`CREATE CONSTRAINT TRIGGER audit_pending_queue AFTER INSERT ON audit_pending
			DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION grassroots_audit_defer()`,
		`CREATE CONSTRAINT TRIGGER audit_pending_chain AFTER UPDATE ON audit_pending
			DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION grassroots_audit_chain()`,
	}
}

const pendingCols = `at, actor_id, unit_id, action, record_type, record_id, request_id, payload_digest, payload, body`

// queueAudit inserts records into audit_pending, for the database to chain
// at commit. key, when given, is a request key written by the same
// statement: a live key of the same actor and name makes it write no key,
// and the write is ErrConflict.
func (s *Store) queueAudit(ctx context.Context, tx *sql.Tx, recs []casework.AuditRecord, key *casework.RequestKey) error {
	// Chunks keep a statement under PostgreSQL's 65,535 parameters.
	const chunk = 1000
	for len(recs) > 0 {
		n := min(len(recs), chunk)
		if err := s.queueChunk(ctx, tx, recs[:n], key); err != nil {
			return err
		}
		recs, key = recs[n:], nil
	}
	return nil
}

func (s *Store) queueChunk(ctx context.Context, tx *sql.Tx, recs []casework.AuditRecord, key *casework.RequestKey) error {
	var a sqlx.Args
	rows := make([]string, len(recs))
	for i, r := range recs {
		e := casework.ChainEntry(r)
		var payload any // NULL when the record has none
		if len(r.Payload) > 0 {
			payload = r.Payload
		}
		rows[i] = "(" + strings.Join([]string{a.Add(sqlx.T(e.Time)), a.Add(e.ActorID), a.Add(e.UnitID), a.Add(e.Action),
			a.Add(e.RecordType), a.Add(e.RecordID), a.Add(e.RequestID), a.Add(e.PayloadDigest[:]), a.Add(payload),
			a.Add(audit.Body(e))}, ", ") + ")"
	}
	insert := `INSERT INTO audit_pending (` + pendingCols + `) VALUES ` + strings.Join(rows, ", ")
	if key == nil {
		_, err := s.execAudit(ctx, tx, len(recs), insert, a.List...)
		return err
	}
	ph := make([]string, 8)
	for i, v := range []any{key.ActorID, key.Key, key.Fingerprint, key.RecordType, key.RecordID, key.Result,
		sqlx.T(key.CreatedAt), sqlx.T(key.ExpiredBefore)} {
		ph[i] = a.Add(v)
	}
	res, err := s.execAudit(ctx, tx, len(recs), `WITH p AS (`+insert+`) INSERT INTO request_keys (actor_id, key, fingerprint,
		record_type, record_id, result, created_at) VALUES (`+strings.Join(ph[:7], ", ")+`)`+upsertRequestKey+ph[7], a.List...)
	return keyClaimed(key.Key, res, err)
}
