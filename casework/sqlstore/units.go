package sqlstore

import (
	"context"
	"database/sql"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

const unitCols = `id, code, name, level, parent_id, path, version, created_at, updated_at, closed_at, closed_into`

func scanUnit(row interface{ Scan(...any) error }) (casework.Unit, error) {
	var u casework.Unit
	err := row.Scan(&u.ID, &u.Code, &u.Name, &u.Level, sqlx.Str{S: &u.ParentID}, &u.Path, &u.Version,
		sqlx.Time{T: &u.CreatedAt}, sqlx.Time{T: &u.UpdatedAt}, sqlx.Time{T: &u.ClosedAt}, sqlx.Str{S: &u.ClosedInto})
	return u, err
}

// CreateUnit implements casework.UnitStore.
func (s *Store) CreateUnit(ctx context.Context, u casework.Unit, ch casework.Change) error {
	return s.Write(ctx, ch, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO units (`+unitCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			u.ID, u.Code, u.Name, u.Level, sqlx.S(u.ParentID), u.Path, u.Version, sqlx.T(u.CreatedAt), sqlx.T(u.UpdatedAt),
			sqlx.T(u.ClosedAt), sqlx.S(u.ClosedInto))
		return err
	})
}

// UpdateUnit implements casework.UnitStore. The name, level and closing
// change: code and place in the tree are immutable.
func (s *Store) UpdateUnit(ctx context.Context, u casework.Unit, ch casework.Change) error {
	return s.Write(ctx, ch, func(tx *sql.Tx) error {
		var code, path string
		if err := tx.QueryRowContext(ctx, `SELECT code, path FROM units WHERE id = $1`, u.ID).Scan(&code, &path); err != nil {
			return sqlx.NotFound(err, "unit", u.ID)
		}
		if code != u.Code || path != u.Path {
			return errs.Invalid("code", "immutable", "a unit's code and place in the tree never change")
		}
		res, err := tx.ExecContext(ctx, `UPDATE units SET name = $1, level = $2, version = $3, updated_at = $4, closed_at = $5, closed_into = $6
			WHERE id = $7 AND version = $8`,
			u.Name, u.Level, u.Version, sqlx.T(u.UpdatedAt), sqlx.T(u.ClosedAt), sqlx.S(u.ClosedInto), u.ID, u.Version-1)
		if err != nil {
			return err
		}
		return sqlx.CheckCAS(ctx, tx, res, "units", "unit", u.ID, u.Version-1)
	})
}

// GetUnit implements casework.UnitStore.
func (s *Store) GetUnit(ctx context.Context, id string) (casework.Unit, error) {
	u, err := scanUnit(s.stmts.QueryRow(ctx, `SELECT `+unitCols+` FROM units WHERE id = $1`, id))
	return u, sqlx.NotFound(err, "unit", id)
}

// GetUnitByCode implements casework.UnitStore.
func (s *Store) GetUnitByCode(ctx context.Context, code string) (casework.Unit, error) {
	u, err := scanUnit(s.db.QueryRowContext(ctx, `SELECT `+unitCols+` FROM units WHERE code = $1`, code))
	return u, sqlx.NotFound(err, "unit", code)
}

// ListUnits implements casework.UnitStore.
func (s *Store) ListUnits(ctx context.Context, f casework.UnitFilter) ([]casework.Unit, error) {
	var a sqlx.Args
	q := `SELECT ` + unitCols + ` FROM units WHERE 1 = 1`
	if f.Under != "" {
		p := a.Add(f.Under)
		q += ` AND substr(path, 1, length(` + p + `)) = ` + p
	}
	if f.Level != 0 {
		q += ` AND level = ` + a.Add(f.Level)
	}
	return sqlx.QueryAll(ctx, sqlx.Reader(ctx, s.db), q+` ORDER BY path`, a.List, scanUnit)
}
