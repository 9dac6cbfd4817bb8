package sqlstore

import (
	"context"
	"database/sql"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

const recordAttachmentCols = `record_type, record_id, sha256, owner_unit_id, name, media_type, size, attached_by, attached_at`

func scanRecordAttachment(row sqlx.Scanner) (casework.RecordAttachment, error) {
	var a casework.RecordAttachment
	err := row.Scan(&a.RecordType, &a.RecordID, &a.SHA256, &a.OwnerUnitID, &a.Name, &a.MediaType, &a.Size,
		&a.AttachedBy, sqlx.Time{T: &a.AttachedAt})
	return a, err
}

// AddRecordAttachment implements casework.RecordAttachmentStore.
func (s *Store) AddRecordAttachment(ctx context.Context, a casework.RecordAttachment, ch casework.Change) error {
	return s.Write(ctx, ch, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO record_attachments (`+recordAttachmentCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			a.RecordType, a.RecordID, a.SHA256, a.OwnerUnitID, a.Name, a.MediaType, a.Size, a.AttachedBy, sqlx.T(a.AttachedAt))
		return err
	})
}

// ListRecordAttachments implements casework.RecordAttachmentStore.
func (s *Store) ListRecordAttachments(ctx context.Context, recordType, recordID string) ([]casework.RecordAttachment, error) {
	return sqlx.QueryAll(ctx, s.db, `SELECT `+recordAttachmentCols+` FROM record_attachments
		WHERE record_type = $1 AND record_id = $2 ORDER BY attached_at, sha256`, []any{recordType, recordID}, scanRecordAttachment)
}

// ListAttachmentLinks implements casework.RecordAttachmentStore.
func (s *Store) ListAttachmentLinks(ctx context.Context, sha256 string) ([]casework.RecordAttachment, error) {
	return sqlx.QueryAll(ctx, s.db, `SELECT `+recordAttachmentCols+` FROM record_attachments
		WHERE sha256 = $1 ORDER BY attached_at, record_type, record_id`, []any{sha256}, scanRecordAttachment)
}
