package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

// appendAudit chains the records after the head and stores them, on
// SQLite (PostgreSQL chains them itself at commit: queueAudit). The head row
// is read here, as the last statement group of the transaction, which holds
// the database's write lock. Entries and payloads go in one multi-row
// INSERT each, so a write pays three statements for its audit, not 2N+2.
func (s *Store) appendAudit(ctx context.Context, tx *sql.Tx, recs []casework.AuditRecord) error {
	if len(recs) == 0 {
		return nil
	}
	var head casework.AuditHead
	var hash []byte
	if err := s.stmts.QueryRowTx(ctx, tx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&head.Seq, &hash); err != nil {
		return err
	}
	copy(head.Hash[:], hash)
	// Chunks keep a statement under SQLite's bound on variables.
	const chunk = 1000
	for len(recs) > 0 {
		n := min(len(recs), chunk)
		var err error
		if head, err = s.insertAudit(ctx, tx, head, recs[:n]); err != nil {
			return err
		}
		recs = recs[n:]
	}
	return nil
}

// insertAudit appends records after head and moves the head row to the
// last of them.
func (s *Store) insertAudit(ctx context.Context, tx *sql.Tx, head casework.AuditHead, recs []casework.AuditRecord) (casework.AuditHead, error) {
	var logA, payA sqlx.Args // each statement numbers its own placeholders
	var logRows, payRows []string
	for _, r := range recs {
		e := casework.ChainNext(head, r)
		logRows = append(logRows, "("+strings.Join([]string{logA.Add(e.Seq), logA.Add(sqlx.T(e.Time)), logA.Add(e.ActorID),
			logA.Add(e.UnitID), logA.Add(e.Action), logA.Add(e.RecordType), logA.Add(e.RecordID), logA.Add(e.RequestID),
			logA.Add(e.PayloadDigest[:]), logA.Add(e.PrevHash[:]), logA.Add(e.Hash[:])}, ", ")+")")
		if len(r.Payload) > 0 {
			payRows = append(payRows, "("+payA.Add(e.Seq)+", "+payA.Add(r.Payload)+")")
		}
		head = e.Head()
	}
	if _, err := s.execAudit(ctx, tx, len(recs), `INSERT INTO audit_log (`+auditCols+`) VALUES `+strings.Join(logRows, ", "), logA.List...); err != nil {
		return head, err
	}
	if len(payRows) > 0 {
		if _, err := s.execAudit(ctx, tx, len(recs), `INSERT INTO audit_payloads (seq, payload) VALUES `+strings.Join(payRows, ", "), payA.List...); err != nil {
			return head, err
		}
	}
	_, err := s.stmts.Exec(ctx, tx, `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`, head.Seq, head.Hash[:])
	return head, err
}

// execAudit runs an append's statement, prepared once when it appends few
// entries (a create's one or two: the texts repeat), as it is otherwise
// (one text per number of entries would fill the statement cache).
func (s *Store) execAudit(ctx context.Context, tx *sql.Tx, n int, query string, args ...any) (sql.Result, error) {
	if n <= 4 {
		return s.stmts.Exec(ctx, tx, query, args...)
	}
	return tx.ExecContext(ctx, query, args...)
}

const auditCols = `seq, at, actor_id, unit_id, action, record_type, record_id, request_id, payload_digest, prev_hash, hash`

func scanAudit(row interface{ Scan(...any) error }, extra ...any) (casework.AuditEntry, error) {
	var e casework.AuditEntry
	var digest, prev, hash []byte
	err := row.Scan(append([]any{&e.Seq, sqlx.Time{T: &e.Time}, &e.ActorID, &e.UnitID, &e.Action, &e.RecordType, &e.RecordID,
		&e.RequestID, &digest, &prev, &hash}, extra...)...)
	copy(e.PayloadDigest[:], digest)
	copy(e.PrevHash[:], prev)
	copy(e.Hash[:], hash)
	return e, err
}

// AuditHead implements casework.AuditStore.
func (s *Store) AuditHead(ctx context.Context) (casework.AuditHead, error) {
	var h casework.AuditHead
	var hash []byte
	err := s.stmts.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&h.Seq, &hash)
	copy(h.Hash[:], hash)
	return h, sqlx.Translate(err)
}

// ScanAudit implements casework.AuditStore. It reads in batches by seq, so a
// long chain is verified in constant memory and fn may call the store.
func (s *Store) ScanAudit(ctx context.Context, from int64, fn func(casework.AuditEntry, []byte) error) error {
	const batch = 2000
	type row struct {
		e casework.AuditEntry
		p []byte
	}
	for {
		rows, err := s.db.QueryContext(ctx, `SELECT a.`+auditColsPrefixed()+`, p.payload FROM audit_log a
			LEFT JOIN audit_payloads p ON p.seq = a.seq WHERE a.seq >= $1 ORDER BY a.seq LIMIT $2`, from, batch)
		if err != nil {
			return sqlx.Translate(err)
		}
		var got []row
		for rows.Next() {
			var p []byte
			e, err := scanAudit(rows, &p)
			if err != nil {
				rows.Close()
				return sqlx.Translate(err)
			}
			got = append(got, row{e, p})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return sqlx.Translate(err)
		}
		for _, r := range got {
			if err := fn(r.e, r.p); err != nil {
				return err
			}
		}
		if len(got) < batch {
			return nil
		}
		from = got[len(got)-1].e.Seq + 1
	}
}

func auditColsPrefixed() string {
	return `seq, a.at, a.actor_id, a.unit_id, a.action, a.record_type, a.record_id, a.request_id, a.payload_digest, a.prev_hash, a.hash`
}

// AuditTrail implements casework.AuditStore.
func (s *Store) AuditTrail(ctx context.Context, recordType, recordID string) ([]casework.AuditEntry, error) {
	return sqlx.QueryAll(ctx, s.db, `SELECT `+auditCols+` FROM audit_log WHERE record_type = $1 AND record_id = $2 ORDER BY seq`,
		[]any{recordType, recordID}, func(r interface{ Scan(...any) error }) (casework.AuditEntry, error) { return scanAudit(r) })
}

// AuditSince implements casework.AuditStore: a range of the primary key.
func (s *Store) AuditSince(ctx context.Context, after int64, limit int) ([]casework.AuditEntry, error) {
	return sqlx.QueryAll(ctx, s.stmts, `SELECT `+auditCols+` FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`,
		[]any{after, limit}, func(r interface{ Scan(...any) error }) (casework.AuditEntry, error) { return scanAudit(r) })
}

// AddCheckpoint implements casework.AuditStore. A checkpoint already taken
// at this seq is ErrConflict; it is looked up first because on SQLite the
// table's no-replace trigger, not the key, refuses the duplicate.
func (s *Store) AddCheckpoint(ctx context.Context, cp casework.Checkpoint) error {
	return sqlx.Tx(ctx, s.db, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_checkpoints WHERE seq = $1`, cp.Seq).Scan(&n); err != nil {
			return sqlx.Translate(err)
		}
		if n > 0 {
			return errs.New(errs.ErrConflict, "a checkpoint at seq %d exists", cp.Seq)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoints (seq, hash, at, key_id, signature) VALUES ($1, $2, $3, $4, $5)`,
			cp.Seq, cp.Hash[:], sqlx.T(cp.Time), cp.KeyID, cp.Signature)
		return sqlx.Translate(err)
	})
}

// Checkpoints implements casework.AuditStore.
func (s *Store) Checkpoints(ctx context.Context) ([]casework.Checkpoint, error) {
	return sqlx.QueryAll(ctx, s.db, `SELECT seq, hash, at, key_id, signature FROM audit_checkpoints ORDER BY seq`, nil,
		func(r interface{ Scan(...any) error }) (casework.Checkpoint, error) {
			var cp casework.Checkpoint
			var hash []byte
			err := r.Scan(&cp.Seq, &hash, sqlx.Time{T: &cp.Time}, &cp.KeyID, &cp.Signature)
			copy(cp.Hash[:], hash)
			return cp, err
		})
}

// ErasePayload implements casework.AuditStore.
func (s *Store) ErasePayload(ctx context.Context, seq int64, ch casework.Change) error {
	return s.Write(ctx, ch, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM audit_payloads WHERE seq = $1`, seq)
		if err != nil {
			return sqlx.Translate(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.NotFound("audit payload", strconv.FormatInt(seq, 10))
		}
		return nil
	})
}

// GetRequestKey implements casework.RequestStore.
func (s *Store) GetRequestKey(ctx context.Context, actorID, key string) (casework.RequestKey, error) {
	var rk casework.RequestKey
	// Every keyed create asks first (CreateOnce): prepared once.
	err := s.stmts.QueryRow(ctx, `SELECT actor_id, key, fingerprint, record_type, record_id, result, created_at
		FROM request_keys WHERE actor_id = $1 AND key = $2`, actorID, key).
		Scan(&rk.ActorID, &rk.Key, &rk.Fingerprint, &rk.RecordType, &rk.RecordID, &rk.Result, sqlx.Time{T: &rk.CreatedAt})
	return rk, sqlx.NotFound(err, "request key", key)
}

// DeleteRequestKeys implements casework.RequestStore.
func (s *Store) DeleteRequestKeys(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := sqlx.Tx(ctx, s.db, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM request_keys WHERE created_at < $1`, sqlx.T(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// GetInboxEntry implements casework.RequestStore.
func (s *Store) GetInboxEntry(ctx context.Context, sourceKind, sourceID, step string) (casework.InboxEntry, error) {
	var in casework.InboxEntry
	err := s.db.QueryRowContext(ctx, `SELECT source_kind, source_id, step, record_type, record_id, created_at
		FROM inbox WHERE source_kind = $1 AND source_id = $2 AND step = $3`, sourceKind, sourceID, step).
		Scan(&in.SourceKind, &in.SourceID, &in.Step, &in.RecordType, &in.RecordID, sqlx.Time{T: &in.CreatedAt})
	return in, sqlx.NotFound(err, "inbox entry", sourceKind+"/"+sourceID+"/"+step)
}

// CommitChange implements casework.AuditStore.
func (s *Store) CommitChange(ctx context.Context, ch casework.Change) error {
	return s.Write(ctx, ch, nil)
}
