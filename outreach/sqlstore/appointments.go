package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/outreach"
)

const apptCols = `id, unit_id, service, person_id, requester, address_id, place, request, starts_at, ends_at, status, officer_id,
	recorded_by, accepted_at, closed_at, reason, note, visit_id, version, created_at, updated_at`

func scanAppointment(r scanner) (outreach.Appointment, error) {
	var a outreach.Appointment
	err := r.Scan(&a.ID, &a.UnitID, &a.Service, sqlx.Str{S: &a.PersonID}, &a.Requester, sqlx.Str{S: &a.AddressID}, &a.Place, &a.Request,
		sqlx.Time{T: &a.StartsAt}, sqlx.Time{T: &a.EndsAt}, &a.Status, sqlx.Str{S: &a.OfficerID}, &a.RecordedBy, sqlx.Time{T: &a.AcceptedAt},
		sqlx.Time{T: &a.ClosedAt}, sqlx.Str{S: &a.Reason}, sqlx.Str{S: &a.Note}, sqlx.Str{S: &a.VisitID}, &a.Version,
		sqlx.Time{T: &a.CreatedAt}, sqlx.Time{T: &a.UpdatedAt})
	return a, err
}

func apptArgs(a outreach.Appointment) []any {
	return []any{a.ID, a.UnitID, string(a.Service), sqlx.S(a.PersonID), a.Requester, sqlx.S(a.AddressID), a.Place, a.Request,
		micro(a.StartsAt), micro(a.EndsAt), string(a.Status), sqlx.S(a.OfficerID), a.RecordedBy, sqlx.T(a.AcceptedAt), sqlx.T(a.ClosedAt),
		sqlx.S(a.Reason), sqlx.S(a.Note), sqlx.S(a.VisitID), a.Version, sqlx.T(a.CreatedAt), sqlx.T(a.UpdatedAt)}
}

// checkOverlap is the overlap rule inside the write transaction. It first
// upserts the officer's lock row, which PostgreSQL keeps locked until the
// transaction ends, so a concurrent acceptance for the same officer waits
// here and then, its next statement seeing what this one committed, finds
// the overlap; SQLite's write lock serialises writers anyway.
func checkOverlap(ctx context.Context, tx *sql.Tx, a outreach.Appointment) error {
	if a.Status != outreach.AppointmentAccepted || a.OfficerID == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO outreach_officer_locks (officer_id, touched) VALUES ($1, $2)
		ON CONFLICT (officer_id) DO UPDATE SET touched = excluded.touched`, a.OfficerID, time.Now().UnixMicro()); err != nil {
		return err
	}
	var other string
	err := tx.QueryRowContext(ctx, `SELECT id FROM outreach_appointments WHERE officer_id = $1 AND status = $2 AND id <> $3
		AND starts_at < $4 AND ends_at > $5 LIMIT 1`,
		a.OfficerID, string(outreach.AppointmentAccepted), a.ID, micro(a.EndsAt), micro(a.StartsAt)).Scan(&other)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return errs.Wrap(errs.ErrConflict, outreach.ErrOverlap, "appointment %q", other)
}

// CreateAppointment implements outreach.Store.
func (s *Store) CreateAppointment(ctx context.Context, a outreach.Appointment, ch casework.Change) error {
	return s.k.Write(ctx, ch, func(tx *sql.Tx) error {
		if err := checkOverlap(ctx, tx, a); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO outreach_appointments (`+apptCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
			$10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`, apptArgs(a)...)
		return err
	})
}

// UpdateAppointment implements outreach.Store.
func (s *Store) UpdateAppointment(ctx context.Context, a outreach.Appointment, ch casework.Change) error {
	return s.k.Write(ctx, ch, func(tx *sql.Tx) error {
		if err := checkOverlap(ctx, tx, a); err != nil {
			return err
		}
		return update(ctx, tx, "outreach_appointments", outreach.RecordAppointment, a.ID, a.Version, `UPDATE outreach_appointments SET
			unit_id = $2, service = $3, person_id = $4, requester = $5, address_id = $6, place = $7, request = $8, starts_at = $9,
			ends_at = $10, status = $11, officer_id = $12, recorded_by = $13, accepted_at = $14, closed_at = $15, reason = $16,
			note = $17, visit_id = $18, version = $19, created_at = $20, updated_at = $21 WHERE id = $1 AND version = $22`,
			append(apptArgs(a), a.Version-1)...)
	})
}

// GetAppointment implements outreach.Store.
func (s *Store) GetAppointment(ctx context.Context, id string) (outreach.Appointment, error) {
	a, err := scanAppointment(s.db.QueryRowContext(ctx, `SELECT `+apptCols+` FROM outreach_appointments WHERE id = $1`, id))
	return a, sqlx.NotFound(err, outreach.RecordAppointment, id)
}

// ListAppointments implements outreach.Store.
func (s *Store) ListAppointments(ctx context.Context, f outreach.AppointmentFilter, p casework.Page) ([]outreach.Appointment, error) {
	var a sqlx.Args
	q := `SELECT ` + apptCols + ` FROM outreach_appointments WHERE 1 = 1`
	if f.UnitUnder != "" {
		q += ` AND ` + sqlx.Under("unit_id", a.Add(f.UnitUnder))
	}
	if f.OfficerID != "" {
		q += ` AND officer_id = ` + a.Add(f.OfficerID)
	}
	if f.PersonID != "" {
		q += ` AND person_id = ` + a.Add(f.PersonID)
	}
	if len(f.Status) > 0 {
		q += ` AND status IN (` + sqlx.In(&a, strs(f.Status)) + `)`
	}
	q = period(q, &a, "starts_at", f.From, f.To)
	q, err := casesql.PageClause(q, &a, p, "starts_at", "id")
	if err != nil {
		return nil, err
	}
	return sqlx.QueryAll(ctx, s.db, q, a.List, scanAppointment)
}
