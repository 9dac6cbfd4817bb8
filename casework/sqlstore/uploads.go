package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

const uploadCols = `id, sha256, size, media_type, name, unit_id, staff_id, uploaded_at, linked_at`

func scanUpload(row sqlx.Scanner) (casework.Upload, error) {
	var u casework.Upload
	err := row.Scan(&u.ID, &u.SHA256, &u.Size, &u.MediaType, &u.Name, &u.UnitID, &u.StaffID,
		sqlx.Time{T: &u.UploadedAt}, sqlx.Time{T: &u.LinkedAt})
	return u, err
}

// CreateUpload implements casework.AttachmentStore.
func (s *Store) CreateUpload(ctx context.Context, u casework.Upload, ch casework.Change) error {
	return s.Write(ctx, ch, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO attachment_uploads (`+uploadCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			u.ID, u.SHA256, u.Size, u.MediaType, u.Name, u.UnitID, u.StaffID, sqlx.T(u.UploadedAt), sqlx.T(u.LinkedAt))
		return err
	})
}

// GetUpload implements casework.AttachmentStore.
func (s *Store) GetUpload(ctx context.Context, id string) (casework.Upload, error) {
	u, err := scanUpload(s.db.QueryRowContext(ctx, `SELECT `+uploadCols+` FROM attachment_uploads WHERE id = $1`, id))
	return u, sqlx.NotFound(err, "upload", id)
}

// ListUploads implements casework.AttachmentStore.
func (s *Store) ListUploads(ctx context.Context, sha256 string) ([]casework.Upload, error) {
	return sqlx.QueryAll(ctx, s.db, `SELECT `+uploadCols+` FROM attachment_uploads WHERE sha256 = $1 ORDER BY uploaded_at, id`,
		[]any{sha256}, scanUpload)
}

// ListStaleUploads implements casework.AttachmentStore.
func (s *Store) ListStaleUploads(ctx context.Context, before time.Time, limit int) ([]casework.Upload, error) {
	return sqlx.QueryAll(ctx, s.db, `SELECT `+uploadCols+` FROM attachment_uploads
		WHERE linked_at IS NULL AND uploaded_at < $1 ORDER BY uploaded_at, id LIMIT $2`,
		[]any{before.UnixMicro(), max(limit, 0)}, scanUpload)
}

// LinkUpload implements casework.AttachmentStore.
func (s *Store) LinkUpload(ctx context.Context, id string, at time.Time, ch casework.Change) error {
	return s.Write(ctx, ch, func(tx *sql.Tx) error {
		return changeUnlinked(ctx, tx, id, `UPDATE attachment_uploads SET linked_at = $1 WHERE id = $2 AND linked_at IS NULL`, sqlx.T(at), id)
	})
}

// DeleteUpload implements casework.AttachmentStore.
func (s *Store) DeleteUpload(ctx context.Context, id string, ch casework.Change) error {
	return s.Write(ctx, ch, func(tx *sql.Tx) error {
		return changeUnlinked(ctx, tx, id, `DELETE FROM attachment_uploads WHERE id = $1 AND linked_at IS NULL`, id)
	})
}

// changeUnlinked runs a statement that changes upload id only while it is
// unlinked: ErrNotFound when there is no such upload, ErrConflict when it
// is linked.
func changeUnlinked(ctx context.Context, tx *sql.Tx, id, stmt string, args ...any) error {
	res, err := tx.ExecContext(ctx, stmt, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return sqlx.Translate(err)
	}
	var one int
	if err := tx.QueryRowContext(ctx, `SELECT 1 FROM attachment_uploads WHERE id = $1`, id).Scan(&one); err != nil {
		return sqlx.NotFound(err, "upload", id)
	}
	return errs.New(errs.ErrConflict, "upload %q is linked", id)
}
