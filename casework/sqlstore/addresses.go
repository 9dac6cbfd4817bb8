package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

const addressCols = `id, unit_id, code, text, community, registry, version, created_at, updated_at`

func scanAddress(row interface{ Scan(...any) error }) (casework.Address, error) {
	var a casework.Address
	err := row.Scan(&a.ID, &a.UnitID, sqlx.Str{S: &a.Code}, &a.Text, sqlx.Str{S: &a.Community}, sqlx.JSON{V: &a.Registry},
		&a.Version, sqlx.Time{T: &a.CreatedAt}, sqlx.Time{T: &a.UpdatedAt})
	return a, err
}

// CreateAddress implements casework.AddressStore.
func (s *Store) CreateAddress(ctx context.Context, a casework.Address, ch casework.Change) error {
	return s.Write(ctx, ch, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO addresses (`+addressCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			a.ID, a.UnitID, sqlx.S(a.Code), a.Text, sqlx.S(a.Community), sqlx.JSON{V: a.Registry}, a.Version, sqlx.T(a.CreatedAt), sqlx.T(a.UpdatedAt))
		return err
	})
}

// UpdateAddress implements casework.AddressStore.
func (s *Store) UpdateAddress(ctx context.Context, a casework.Address, ch casework.Change) error {
	return s.Write(ctx, ch, func(tx *sql.Tx) error { return updateAddress(ctx, tx, a) })
}

func updateAddress(ctx context.Context, tx *sql.Tx, a casework.Address) error {
	res, err := tx.ExecContext(ctx, `UPDATE addresses SET code = $1, text = $2, community = $3, registry = $4, version = $5, updated_at = $6,
		unit_id = $9 WHERE id = $7 AND version = $8`,
		sqlx.S(a.Code), a.Text, sqlx.S(a.Community), sqlx.JSON{V: a.Registry}, a.Version, sqlx.T(a.UpdatedAt), a.ID, a.Version-1, a.UnitID)
	if err != nil {
		return err
	}
	return sqlx.CheckCAS(ctx, tx, res, "addresses", "address", a.ID, a.Version-1)
}

// GetAddress implements casework.AddressStore.
func (s *Store) GetAddress(ctx context.Context, id string) (casework.Address, error) {
	a, err := scanAddress(s.stmts.QueryRow(ctx, `SELECT `+addressCols+` FROM addresses WHERE id = $1`, id))
	return a, sqlx.NotFound(err, "address", id)
}

// ListAddresses implements casework.AddressStore.
func (s *Store) ListAddresses(ctx context.Context, f casework.AddressFilter, p casework.Page) ([]casework.Address, error) {
	var a sqlx.Args
	q := `SELECT ` + addressCols + ` FROM addresses WHERE 1 = 1`
	if f.UnitUnder != "" {
		q += ` AND ` + sqlx.Under("unit_id", a.Add(f.UnitUnder))
	}
	if f.Community != "" {
		q += ` AND community = ` + a.Add(f.Community)
	}
	if f.Code != "" {
		q += ` AND code = ` + a.Add(f.Code)
	}
	q, err := pageClause(q, &a, p)
	if err != nil {
		return nil, err
	}
	return sqlx.QueryAll(ctx, s.db, q, a.List, scanAddress)
}

const shareCols = `id, record_type, record_id, owner_unit_id, unit_id, granted_by, reason, created_at, revoked_at, revoked_by, version, expires_at, revoke_reason`

func scanShare(row interface{ Scan(...any) error }) (casework.Share, error) {
	var m casework.Share
	err := row.Scan(&m.ID, &m.RecordType, &m.RecordID, &m.OwnerUnitID, &m.UnitID, &m.GrantedBy, sqlx.Str{S: &m.Reason},
		sqlx.Time{T: &m.CreatedAt}, sqlx.Time{T: &m.RevokedAt}, sqlx.Str{S: &m.RevokedBy}, &m.Version,
		sqlx.Time{T: &m.ExpiresAt}, sqlx.Str{S: &m.RevokeReason})
	return m, err
}

// CreateShare implements casework.ShareStore.
func (s *Store) CreateShare(ctx context.Context, m casework.Share, ch casework.Change) error {
	return s.Write(ctx, ch, func(tx *sql.Tx) error { return insertShare(ctx, tx, m) })
}

func insertShare(ctx context.Context, tx *sql.Tx, m casework.Share) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO shares (`+shareCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		m.ID, m.RecordType, m.RecordID, m.OwnerUnitID, m.UnitID, m.GrantedBy, sqlx.S(m.Reason), sqlx.T(m.CreatedAt),
		sqlx.T(m.RevokedAt), sqlx.S(m.RevokedBy), m.Version, sqlx.T(m.ExpiresAt), sqlx.S(m.RevokeReason))
	return err
}

// UpdateShare implements casework.ShareStore.
func (s *Store) UpdateShare(ctx context.Context, m casework.Share, ch casework.Change) error {
	return s.Write(ctx, ch, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE shares SET reason = $1, revoked_at = $2, revoked_by = $3, version = $4, expires_at = $5, revoke_reason = $6
			WHERE id = $7 AND version = $8`,
			sqlx.S(m.Reason), sqlx.T(m.RevokedAt), sqlx.S(m.RevokedBy), m.Version, sqlx.T(m.ExpiresAt), sqlx.S(m.RevokeReason), m.ID, m.Version-1)
		if err != nil {
			return err
		}
		return sqlx.CheckCAS(ctx, tx, res, "shares", "share", m.ID, m.Version-1)
	})
}

// GetShare implements casework.ShareStore.
func (s *Store) GetShare(ctx context.Context, id string) (casework.Share, error) {
	m, err := scanShare(s.db.QueryRowContext(ctx, `SELECT `+shareCols+` FROM shares WHERE id = $1`, id))
	return m, sqlx.NotFound(err, "share", id)
}

// ListShares implements casework.ShareStore.
func (s *Store) ListShares(ctx context.Context, recordType, recordID string) ([]casework.Share, error) {
	return sqlx.QueryAll(ctx, s.db, `SELECT `+shareCols+` FROM shares WHERE record_type = $1 AND record_id = $2 ORDER BY created_at, id`,
		[]any{recordType, recordID}, scanShare)
}

// ListSharesTo implements casework.ShareStore.
func (s *Store) ListSharesTo(ctx context.Context, f casework.ShareFilter, p casework.Page) ([]casework.Share, error) {
	var a sqlx.Args
	q := `SELECT ` + shareCols + ` FROM shares WHERE 1 = 1`
	var to []string
	for _, id := range f.UnitIDs {
		to = append(to, `unit_id = `+a.Add(id))
	}
	if f.UnitUnder != "" {
		to = append(to, sqlx.Under("unit_id", a.Add(f.UnitUnder)))
	}
	if len(to) > 0 {
		q += ` AND (` + strings.Join(to, ` OR `) + `)`
	}
	if !f.ActiveAt.IsZero() {
		at := a.Add(f.ActiveAt.UnixMicro())
		q += ` AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ` + at + `)`
	}
	q, err := pageClause(q, &a, p)
	if err != nil {
		return nil, err
	}
	return sqlx.QueryAll(ctx, s.db, q, a.List, scanShare)
}
