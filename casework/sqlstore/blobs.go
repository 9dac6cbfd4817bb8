package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/blob"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

// DefaultBlobs keeps attachment bytes in the database itself (table
// attachment_blobs): as durable as the records that name them, copied by
// the same backup, and shared by every server process. It is the kernel's
// blob store unless casework.Config.Blobs names another (a folder, an
// object store) for deployments with many large files.
func (s *Store) DefaultBlobs() casework.BlobStore { return blob.NewRows(blobRows{s.db}) }

type blobRows struct{ db *sql.DB }

func (r blobRows) Upsert(ctx context.Context, h string, data []byte) error {
	_, err := r.db.ExecContext(ctx, `INSERT INTO attachment_blobs (sha256, size, data) VALUES ($1, $2, $3)
		ON CONFLICT (sha256) DO UPDATE SET size = excluded.size, data = excluded.data`, h, len(data), data)
	return sqlx.Translate(err)
}

func (r blobRows) Get(ctx context.Context, h string) ([]byte, error) {
	var b []byte
	err := r.db.QueryRowContext(ctx, `SELECT data FROM attachment_blobs WHERE sha256 = $1`, h).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s", blob.ErrNotFound, h)
	}
	return b, sqlx.Translate(err)
}

func (r blobRows) Delete(ctx context.Context, h string) error {
	res, err := r.db.ExecContext(ctx, `DELETE FROM attachment_blobs WHERE sha256 = $1`, h)
	if err != nil {
		return sqlx.Translate(err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("%w: %s", blob.ErrNotFound, h)
	}
	return nil
}
