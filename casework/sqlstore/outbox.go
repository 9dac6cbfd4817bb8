package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

const outboxCols = `id, kind, source_kind, source_id, step, payload, created_at, attempts, lease_owner, lease_until,
	next_attempt, delivered_at, result_id, last_error, dead_at, replays`

func scanOutbox(r interface{ Scan(...any) error }) (casework.OutboxMessage, error) {
	var m casework.OutboxMessage
	var payload string
	err := r.Scan(&m.ID, &m.Kind, &m.SourceKind, &m.SourceID, &m.Step, &payload, sqlx.Time{T: &m.CreatedAt}, &m.Attempts,
		sqlx.Str{S: &m.LeaseOwner}, sqlx.Time{T: &m.LeaseUntil}, sqlx.Time{T: &m.NextAttempt}, sqlx.Time{T: &m.DeliveredAt},
		sqlx.Str{S: &m.ResultID}, sqlx.Str{S: &m.LastError}, sqlx.Time{T: &m.DeadAt}, &m.Replays)
	m.Payload = []byte(payload)
	return m, err
}

func (s *Store) enqueue(ctx context.Context, tx *sql.Tx, msgs []casework.OutboxMessage) error {
	for _, m := range msgs {
		if _, err := s.stmts.Exec(ctx, tx, `INSERT INTO outbox (id, kind, source_kind, source_id, step, payload, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, m.ID, m.Kind, m.SourceKind, m.SourceID, m.Step, string(m.Payload), sqlx.T(m.CreatedAt)); err != nil {
			return err
		}
	}
	return nil
}

// ClaimOutbox implements casework.OutboxStore. On PostgreSQL, SKIP LOCKED
// lets several processes claim disjoint messages at once; on SQLite the
// write lock serialises claimers.
func (s *Store) ClaimOutbox(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]casework.OutboxMessage, error) {
	var out []casework.OutboxMessage
	err := sqlx.Tx(ctx, s.db, func(tx *sql.Tx) error {
		msgs, err := sqlx.QueryAll(ctx, tx, `SELECT `+outboxCols+` FROM outbox WHERE delivered_at IS NULL AND dead_at IS NULL
			AND (lease_until IS NULL OR lease_until <= $1) AND (next_attempt IS NULL OR next_attempt <= $1)
			ORDER BY created_at, id LIMIT $2`+s.d.SkipLocked(), []any{now.UnixMicro(), limit}, scanOutbox)
		if err != nil {
			return err
		}
		until := now.Add(lease)
		for _, m := range msgs {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET lease_owner = $1, lease_until = $2, attempts = attempts + 1 WHERE id = $3`,
				owner, until.UnixMicro(), m.ID); err != nil {
				return err
			}
			m.LeaseOwner, m.LeaseUntil, m.Attempts = owner, until.UTC(), m.Attempts+1
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

func (s *Store) releaseLease(ctx context.Context, query, id string, args ...any) error {
	res, err := s.db.ExecContext(ctx, query, args...)
	if err != nil {
		return sqlx.Translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.New(errs.ErrConflict, "outbox message %q is not leased by this deliverer", id)
	}
	return nil
}

// CompleteOutbox implements casework.OutboxStore.
func (s *Store) CompleteOutbox(ctx context.Context, id, owner, resultID string, now time.Time) error {
	return s.releaseLease(ctx, `UPDATE outbox SET delivered_at = $1, result_id = $2, lease_owner = NULL, lease_until = NULL, last_error = NULL
		WHERE id = $3 AND lease_owner = $4 AND delivered_at IS NULL`, id, now.UnixMicro(), sqlx.S(resultID), id, owner)
}

// FailOutbox implements casework.OutboxStore.
func (s *Store) FailOutbox(ctx context.Context, id, owner, lastError string, retryAt time.Time) error {
	return s.releaseLease(ctx, `UPDATE outbox SET lease_owner = NULL, lease_until = NULL, last_error = $1, next_attempt = $2
		WHERE id = $3 AND lease_owner = $4 AND delivered_at IS NULL`, id, lastError, sqlx.T(retryAt), id, owner)
}

// MarkOutboxDead implements casework.OutboxStore.
func (s *Store) MarkOutboxDead(ctx context.Context, id, owner, lastError string, at time.Time) error {
	return s.releaseLease(ctx, `UPDATE outbox SET lease_owner = NULL, lease_until = NULL, last_error = $1, dead_at = $2
		WHERE id = $3 AND lease_owner = $4 AND delivered_at IS NULL`, id, lastError, at.UnixMicro(), id, owner)
}

// ReplayOutbox implements casework.OutboxStore.
func (s *Store) ReplayOutbox(ctx context.Context, id string, replays int, ch casework.Change) error {
	return s.Write(ctx, ch, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET dead_at = NULL, next_attempt = NULL, attempts = 0, replays = $1
			WHERE id = $2 AND dead_at IS NOT NULL AND replays = $3`, replays, id, replays-1)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errs.NotFound("outbox message", id)
		}
		return errs.Stale("outbox message", id, int64(replays-1))
	})
}

// GetOutbox implements casework.OutboxStore.
func (s *Store) GetOutbox(ctx context.Context, id string) (casework.OutboxMessage, error) {
	m, err := scanOutbox(s.db.QueryRowContext(ctx, `SELECT `+outboxCols+` FROM outbox WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return casework.OutboxMessage{}, errs.NotFound("outbox message", id)
	}
	if err != nil {
		return casework.OutboxMessage{}, sqlx.Translate(err)
	}
	return m, nil
}

// ListDeadOutbox implements casework.OutboxStore.
func (s *Store) ListDeadOutbox(ctx context.Context, p casework.Page) ([]casework.OutboxMessage, error) {
	var a sqlx.Args
	q, err := PageClause(`SELECT `+outboxCols+` FROM outbox WHERE dead_at IS NOT NULL`, &a, p, "dead_at", "id")
	if err != nil {
		return nil, err
	}
	return sqlx.QueryAll(ctx, s.db, q, a.List, scanOutbox)
}

// CountDeadOutbox implements casework.OutboxStore.
func (s *Store) CountDeadOutbox(ctx context.Context) (int64, error) {
	var n int64
	if err := sqlx.Reader(ctx, s.db).QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE dead_at IS NOT NULL`).Scan(&n); err != nil {
		return 0, sqlx.Translate(err)
	}
	return n, nil
}

// ListOutbox implements casework.OutboxStore.
func (s *Store) ListOutbox(ctx context.Context, sourceKind, sourceID string) ([]casework.OutboxMessage, error) {
	var a sqlx.Args
	q := `SELECT ` + outboxCols + ` FROM outbox WHERE 1 = 1`
	if sourceKind != "" {
		q += ` AND source_kind = ` + a.Add(sourceKind)
	}
	if sourceID != "" {
		q += ` AND source_id = ` + a.Add(sourceID)
	}
	return sqlx.QueryAll(ctx, s.db, q+` ORDER BY created_at, id`, a.List, scanOutbox)
}
