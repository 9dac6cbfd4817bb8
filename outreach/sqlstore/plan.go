package sqlstore

import (
	"context"
	"database/sql"

	"github.com/grassroots-policing/grassroots/casework"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/outreach"
)

const planCols = `id, unit_id, kind, address_id, address, community, person_id, organisation, note, since, last_visit_at,
	last_visit_id, due_from, deadline, active, version, created_at, updated_at`

func scanPlanEntry(r scanner) (outreach.PlanEntry, error) {
	var e outreach.PlanEntry
	err := r.Scan(&e.ID, &e.UnitID, &e.Kind, &e.AddressID, &e.Address, sqlx.Str{S: &e.Community}, sqlx.Str{S: &e.PersonID},
		sqlx.Str{S: &e.Organisation}, sqlx.Str{S: &e.Note}, sqlx.Time{T: &e.Since}, sqlx.Time{T: &e.LastVisitAt},
		sqlx.Str{S: &e.LastVisitID}, sqlx.Time{T: &e.DueFrom}, sqlx.Time{T: &e.Deadline}, &e.Active, &e.Version,
		sqlx.Time{T: &e.CreatedAt}, sqlx.Time{T: &e.UpdatedAt})
	return e, err
}

func planArgs(e outreach.PlanEntry) []any {
	return []any{e.ID, e.UnitID, string(e.Kind), e.AddressID, e.Address, sqlx.S(e.Community), sqlx.S(e.PersonID), sqlx.S(e.Organisation),
		sqlx.S(e.Note), micro(e.Since), sqlx.T(e.LastVisitAt), sqlx.S(e.LastVisitID), sqlx.T(e.DueFrom), micro(e.Deadline), e.Active,
		e.Version, sqlx.T(e.CreatedAt), sqlx.T(e.UpdatedAt)}
}

// CreatePlanEntry implements outreach.Store.
func (s *Store) CreatePlanEntry(ctx context.Context, e outreach.PlanEntry, ch casework.Change) error {
	return s.k.Write(ctx, ch, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO outreach_plan_entries (`+planCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
			$10, $11, $12, $13, $14, $15, $16, $17, $18)`, planArgs(e)...)
		return err
	})
}

func updatePlanEntry(ctx context.Context, tx *sql.Tx, e outreach.PlanEntry) error {
	return update(ctx, tx, "outreach_plan_entries", "plan entry", e.ID, e.Version, `UPDATE outreach_plan_entries SET
		unit_id = $2, kind = $3, address_id = $4, address = $5, community = $6, person_id = $7, organisation = $8, note = $9,
		since = $10, last_visit_at = $11, last_visit_id = $12, due_from = $13, deadline = $14, active = $15, version = $16,
		created_at = $17, updated_at = $18 WHERE id = $1 AND version = $19`, append(planArgs(e), e.Version-1)...)
}

// UpdatePlanEntry implements outreach.Store.
func (s *Store) UpdatePlanEntry(ctx context.Context, e outreach.PlanEntry, ch casework.Change) error {
	return s.k.Write(ctx, ch, func(tx *sql.Tx) error { return updatePlanEntry(ctx, tx, e) })
}

// GetPlanEntry implements outreach.Store.
func (s *Store) GetPlanEntry(ctx context.Context, id string) (outreach.PlanEntry, error) {
	e, err := scanPlanEntry(s.db.QueryRowContext(ctx, `SELECT `+planCols+` FROM outreach_plan_entries WHERE id = $1`, id))
	return e, sqlx.NotFound(err, "plan entry", id)
}

// ListPlanEntries implements outreach.Store.
func (s *Store) ListPlanEntries(ctx context.Context, f outreach.PlanFilter, p casework.Page) ([]outreach.PlanEntry, error) {
	var a sqlx.Args
	q := `SELECT ` + planCols + ` FROM outreach_plan_entries WHERE 1 = 1`
	if !f.IncludeInactive {
		q += ` AND active = ` + a.Add(true)
	}
	if f.UnitUnder != "" {
		q += ` AND ` + sqlx.Under("unit_id", a.Add(f.UnitUnder))
	}
	if f.Kind != "" {
		q += ` AND kind = ` + a.Add(string(f.Kind))
	}
	if f.Areas != nil {
		q += ` AND ` + areas(&a, f.Areas)
	}
	if f.AddressID != "" {
		q += ` AND address_id = ` + a.Add(f.AddressID)
	}
	if f.PersonID != "" {
		q += ` AND person_id = ` + a.Add(f.PersonID)
	}
	if !f.DueBy.IsZero() {
		q += ` AND due_from IS NOT NULL AND due_from <= ` + a.Add(f.DueBy.UnixMicro())
	}
	q, err := casesql.PageClause(q, &a, p, "deadline", "id")
	if err != nil {
		return nil, err
	}
	return sqlx.QueryAll(ctx, s.db, q, a.List, scanPlanEntry)
}
