package memstore

import (
	"cmp"
	"context"
	"slices"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// AddRecordAttachment implements casework.RecordAttachmentStore.
func (db *DB) AddRecordAttachment(ctx context.Context, a casework.RecordAttachment, ch casework.Change) error {
	key := [3]string{a.RecordType, a.RecordID, a.SHA256}
	return db.Write(ctx, ch, func() error {
		if _, ok := db.recAtt[key]; ok {
			return errs.New(errs.ErrConflict, "%s %q links attachment %s already", a.RecordType, a.RecordID, a.SHA256)
		}
		db.recAtt[key] = a
		return nil
	})
}

// ListRecordAttachments implements casework.RecordAttachmentStore.
func (db *DB) ListRecordAttachments(ctx context.Context, recordType, recordID string) ([]casework.RecordAttachment, error) {
	return db.recordAttachmentsWhere(ctx, func(a casework.RecordAttachment) bool {
		return a.RecordType == recordType && a.RecordID == recordID
	})
}

// ListAttachmentLinks implements casework.RecordAttachmentStore.
func (db *DB) ListAttachmentLinks(ctx context.Context, sha256 string) ([]casework.RecordAttachment, error) {
	return db.recordAttachmentsWhere(ctx, func(a casework.RecordAttachment) bool { return a.SHA256 == sha256 })
}

// recordAttachmentsWhere returns the links keep accepts, ordered by
// (AttachedAt, RecordType, RecordID, SHA256).
func (db *DB) recordAttachmentsWhere(ctx context.Context, keep func(casework.RecordAttachment) bool) (out []casework.RecordAttachment, err error) {
	err = db.Read(ctx, func() error {
		for _, a := range db.recAtt {
			if keep(a) {
				out = append(out, a)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b casework.RecordAttachment) int {
		return cmp.Or(a.AttachedAt.Compare(b.AttachedAt), cmp.Compare(a.RecordType, b.RecordType),
			cmp.Compare(a.RecordID, b.RecordID), cmp.Compare(a.SHA256, b.SHA256))
	})
	return out, nil
}
