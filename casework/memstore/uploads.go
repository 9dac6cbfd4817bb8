package memstore

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// CreateUpload implements casework.AttachmentStore.
func (db *DB) CreateUpload(ctx context.Context, u casework.Upload, ch casework.Change) error {
	return db.Write(ctx, ch, func() error { return Insert(db.uploads, u.ID, u, "upload") })
}

// GetUpload implements casework.AttachmentStore.
func (db *DB) GetUpload(ctx context.Context, id string) (u casework.Upload, err error) {
	err = db.Read(ctx, func() error {
		u, err = Get(db.uploads, id, Identity, "upload")
		return err
	})
	return u, err
}

// ListUploads implements casework.AttachmentStore.
func (db *DB) ListUploads(ctx context.Context, sha256 string) ([]casework.Upload, error) {
	return db.uploadsWhere(ctx, 0, func(u casework.Upload) bool { return u.SHA256 == sha256 })
}

// ListStaleUploads implements casework.AttachmentStore.
func (db *DB) ListStaleUploads(ctx context.Context, before time.Time, limit int) ([]casework.Upload, error) {
	return db.uploadsWhere(ctx, limit, func(u casework.Upload) bool { return !u.Linked() && u.UploadedAt.Before(before) })
}

// uploadsWhere returns the uploads keep accepts, ordered by (UploadedAt,
// ID), at most limit of them (no limit when limit <= 0).
func (db *DB) uploadsWhere(ctx context.Context, limit int, keep func(casework.Upload) bool) (out []casework.Upload, err error) {
	err = db.Read(ctx, func() error {
		for _, u := range db.uploads {
			if keep(u) {
				out = append(out, u)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b casework.Upload) int {
		return cmp.Or(a.UploadedAt.Compare(b.UploadedAt), cmp.Compare(a.ID, b.ID))
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// LinkUpload implements casework.AttachmentStore.
func (db *DB) LinkUpload(ctx context.Context, id string, at time.Time, ch casework.Change) error {
	return db.Write(ctx, ch, func() error {
		u, err := db.unlinked(id)
		if err == nil {
			u.LinkedAt = at
			db.uploads[id] = u
		}
		return err
	})
}

// DeleteUpload implements casework.AttachmentStore.
func (db *DB) DeleteUpload(ctx context.Context, id string, ch casework.Change) error {
	return db.Write(ctx, ch, func() error {
		_, err := db.unlinked(id)
		if err == nil {
			delete(db.uploads, id)
		}
		return err
	})
}

// unlinked is upload id while no record links it: ErrNotFound when there
// is none, ErrConflict when it is linked (linking is once, and the sweep
// never removes what a record links).
func (db *DB) unlinked(id string) (casework.Upload, error) {
	u, ok := db.uploads[id]
	switch {
	case !ok:
		return casework.Upload{}, errs.NotFound("upload", id)
	case u.Linked():
		return casework.Upload{}, errs.New(errs.ErrConflict, "upload %q is linked", id)
	}
	return u, nil
}
