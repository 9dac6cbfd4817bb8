package sqlstore

import (
	"context"
	"database/sql"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

const staffCols = `id, unit_id, name, roles, areas, person_id, active, version, created_at, updated_at`

func scanStaff(row interface{ Scan(...any) error }) (casework.Staff, error) {
	var m casework.Staff
	err := row.Scan(&m.ID, &m.UnitID, &m.Name, sqlx.JSON{V: &m.Roles}, sqlx.JSON{V: &m.Areas}, sqlx.Str{S: &m.PersonID}, &m.Active, &m.Version,
		sqlx.Time{T: &m.CreatedAt}, sqlx.Time{T: &m.UpdatedAt})
	return m, err
}

// CreateStaff implements casework.StaffStore.
func (s *Store) CreateStaff(ctx context.Context, m casework.Staff, ch casework.Change) error {
	return s.Write(ctx, ch, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO staff (`+staffCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			m.ID, m.UnitID, m.Name, sqlx.JSON{V: m.Roles}, sqlx.List(m.Areas), sqlx.S(m.PersonID), m.Active, m.Version,
			sqlx.T(m.CreatedAt), sqlx.T(m.UpdatedAt))
		return err
	})
}

// UpdateStaff implements casework.StaffStore.
func (s *Store) UpdateStaff(ctx context.Context, m casework.Staff, ch casework.Change) error {
	return s.Write(ctx, ch, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE staff SET unit_id = $1, name = $2, roles = $3, areas = $4, person_id = $5, active = $6,
			version = $7, updated_at = $8 WHERE id = $9 AND version = $10`,
			m.UnitID, m.Name, sqlx.JSON{V: m.Roles}, sqlx.List(m.Areas), sqlx.S(m.PersonID), m.Active, m.Version,
			sqlx.T(m.UpdatedAt), m.ID, m.Version-1)
		if err != nil {
			return err
		}
		return sqlx.CheckCAS(ctx, tx, res, "staff", "staff", m.ID, m.Version-1)
	})
}

// GetStaff implements casework.StaffStore.
func (s *Store) GetStaff(ctx context.Context, id string) (casework.Staff, error) {
	m, err := scanStaff(s.stmts.QueryRow(ctx, `SELECT `+staffCols+` FROM staff WHERE id = $1`, id))
	return m, sqlx.NotFound(err, "staff", id)
}

// ListStaff implements casework.StaffStore. Role and area filters match an
// element of the JSON arrays exactly.
func (s *Store) ListStaff(ctx context.Context, f casework.StaffFilter, p casework.Page) ([]casework.Staff, error) {
	var a sqlx.Args
	q := `SELECT ` + staffCols + ` FROM staff WHERE 1 = 1`
	if f.UnitUnder != "" {
		q += ` AND ` + sqlx.Under("unit_id", a.Add(f.UnitUnder))
	}
	if f.Role != "" {
		q += ` AND ` + s.d.JSONArrayHas("roles", a.Add(string(f.Role)))
	}
	if f.PersonID != "" {
		q += ` AND person_id = ` + a.Add(f.PersonID)
	}
	if f.Area != "" {
		q += ` AND ` + s.d.JSONArrayHas("areas", a.Add(f.Area))
	}
	q, err := pageClause(q, &a, p)
	if err != nil {
		return nil, err
	}
	return sqlx.QueryAll(ctx, s.db, q, a.List, scanStaff)
}
