package blob

import (
	"bytes"
	"context"
	"io"
)

// Rows is a table of blobs, one row per digest: what a database gives
// RowStore. Upsert writes the row, replacing one of the same digest (which
// repairs a damaged row); Get and Delete return an error matching
// ErrNotFound for a missing digest.
type Rows interface {
	Upsert(ctx context.Context, sha256hex string, data []byte) error
	Get(ctx context.Context, sha256hex string) ([]byte, error)
	Delete(ctx context.Context, sha256hex string) error
}

// RowStore is a Store over database rows, so that attachment bytes live in
// the same database as the records that name them: as durable, backed up
// with them, and shared by every server process. Reads verify the digest
// like every Store.
type RowStore struct {
	rows Rows
	opts options
}

var _ Store = (*RowStore)(nil)

// NewRows returns a Store over rows.
func NewRows(rows Rows, opts ...Option) *RowStore {
	return &RowStore{rows: rows, opts: buildOptions(opts)}
}

// Put implements Store.
func (s *RowStore) Put(ctx context.Context, r io.Reader) (Ref, error) {
	var buf bytes.Buffer
	ref, err := ingest(ctx, &buf, r, s.opts.maxSize)
	if err != nil {
		return Ref{}, err
	}
	if err := s.rows.Upsert(ctx, ref.SHA256, buf.Bytes()); err != nil {
		return Ref{}, err
	}
	return ref, nil
}

// Open implements Store.
func (s *RowStore) Open(ctx context.Context, sha256hex string) (io.ReadCloser, error) {
	if err := validDigest(sha256hex); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := s.rows.Get(ctx, sha256hex)
	if err != nil {
		return nil, err
	}
	return newVerifyingReader(ctx, bytes.NewReader(b), nil, sha256hex), nil
}

// Delete implements Store.
func (s *RowStore) Delete(ctx context.Context, sha256hex string) error {
	if err := validDigest(sha256hex); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.rows.Delete(ctx, sha256hex)
}
