package casework

import (
	"context"
	"errors"
	"time"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// ActionAttachRecord attaches an uploaded photo or document to a record (a
// case, a visit, a hazard): a write of that record, so a unit the record
// is only shared with may not.
const ActionAttachRecord Action = "record.attach"

// MaxRecordAttachments bounds the attachments of one record, so that the
// list read with the record stays one page.
const MaxRecordAttachments = 100

// RecordAttachment links an uploaded attachment to a record. The link
// carries the record's unit, so a download is in reach for whoever may read
// the record (its unit's subtree, and the units it is shared with), besides
// the uploading unit (OpenAttachment).
type RecordAttachment struct {
	RecordType  string `json:"recordType"`
	RecordID    string `json:"recordId"`
	OwnerUnitID string `json:"ownerUnitId"`
	Attachment
	AttachedBy string    `json:"attachedBy"`
	AttachedAt time.Time `json:"attachedAt"`
}

// RecordAttachmentStore keeps the links. Error contract, besides
// KernelStore's:
//   - AddRecordAttachment is ErrConflict when the record links the digest
//     already, and commits ch with the link;
//   - ListRecordAttachments returns one record's links ordered by
//     (AttachedAt, SHA256); none is an empty list;
//   - ListAttachmentLinks returns the links of one digest, any record,
//     ordered by (AttachedAt, RecordType, RecordID).
type RecordAttachmentStore interface {
	AddRecordAttachment(ctx context.Context, a RecordAttachment, ch Change) error
	ListRecordAttachments(ctx context.Context, recordType, recordID string) ([]RecordAttachment, error)
	ListAttachmentLinks(ctx context.Context, sha256 string) ([]RecordAttachment, error)
}

// AttachToRecord links an uploaded attachment (PutAttachment) to the
// record t names, audited as ActionAttachRecord on that record. The
// workflow service loads the record and passes its Target (unit, shares);
// the kernel checks reach and the write permission, that the bytes are
// stored as described (CheckAttachment, which also keeps them from the
// sweep), and the record's bound. Attaching the same digest again returns
// the existing link unchanged, so a retried request is harmless.
func (k *Kernel) AttachToRecord(ctx context.Context, actor Actor, t Target, a Attachment) (RecordAttachment, error) {
	if err := k.Check(ctx, actor, ActionAttachRecord, t); err != nil {
		return RecordAttachment{}, err
	}
	if err := k.Validate(a); err != nil {
		return RecordAttachment{}, err
	}
	cur, err := k.store.ListRecordAttachments(ctx, t.RecordType, t.RecordID)
	if err != nil {
		return RecordAttachment{}, err
	}
	for _, l := range cur {
		if l.SHA256 == a.SHA256 {
			return l, nil
		}
	}
	if len(cur) >= MaxRecordAttachments {
		return RecordAttachment{}, errs.Invalid("sha256", "max", "a record holds at most %d attachments", MaxRecordAttachments)
	}
	if err := k.CheckAttachment(ctx, a); err != nil {
		return RecordAttachment{}, err
	}
	l := RecordAttachment{RecordType: t.RecordType, RecordID: t.RecordID, OwnerUnitID: t.UnitID, Attachment: a,
		AttachedBy: actor.StaffID, AttachedAt: k.Now()}
	ch, err := k.Change(ctx, actor, ActionAttachRecord, t.RecordType, t.RecordID, nil, l)
	if err != nil {
		return RecordAttachment{}, err
	}
	err = k.store.AddRecordAttachment(ctx, l, ch)
	if errors.Is(err, ErrConflict) {
		return k.recordAttachment(ctx, t, a.SHA256) // a concurrent attach of the same digest won
	}
	if err != nil {
		return RecordAttachment{}, err
	}
	return l, nil
}

func (k *Kernel) recordAttachment(ctx context.Context, t Target, sha256 string) (RecordAttachment, error) {
	cur, err := k.store.ListRecordAttachments(ctx, t.RecordType, t.RecordID)
	if err != nil {
		return RecordAttachment{}, err
	}
	for _, l := range cur {
		if l.SHA256 == sha256 {
			return l, nil
		}
	}
	return RecordAttachment{}, errs.NotFound("attachment", sha256)
}

// RecordAttachments lists the attachments of the record t names, for
// whoever may read it (reach, then ActionReadAttachment).
func (k *Kernel) RecordAttachments(ctx context.Context, actor Actor, t Target) ([]RecordAttachment, error) {
	if err := k.Check(ctx, actor, ActionReadAttachment, t); err != nil {
		return nil, err
	}
	return k.store.ListRecordAttachments(ctx, t.RecordType, t.RecordID)
}

// AttachmentsOfRead lists the attachments of a record the workflow has
// just read for actor (t as its read built it), to embed them in that
// read: one store query. An actor who may read the record but not its
// attachments (ActionReadAttachment refused) gets none rather than an
// error, so the record's read still answers.
func (k *Kernel) AttachmentsOfRead(ctx context.Context, actor Actor, t Target) ([]RecordAttachment, error) {
	list, err := k.RecordAttachments(ctx, actor, t)
	if errors.Is(err, ErrForbidden) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return list, nil
}

// linkedInReach reports whether a record linking the digest is in the
// actor's reach: its unit's subtree, or a unit it is shared with now;
// it returns the link and the record's Target.
func (k *Kernel) linkedInReach(ctx context.Context, actor Actor, sha256 string) (RecordAttachment, Target, bool, error) {
	links, err := k.store.ListAttachmentLinks(ctx, sha256)
	if err != nil {
		return RecordAttachment{}, Target{}, false, err
	}
	for _, l := range links {
		shared, err := k.ActiveShares(ctx, l.RecordType, l.RecordID, l.OwnerUnitID)
		if err != nil {
			return RecordAttachment{}, Target{}, false, err
		}
		t := Target{RecordType: l.RecordType, RecordID: l.RecordID, UnitID: l.OwnerUnitID, SharedWith: shared}
		err = k.Reach(ctx, actor, t)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return RecordAttachment{}, Target{}, false, err
		}
		return l, t, true, nil
	}
	return RecordAttachment{}, Target{}, false, nil
}
