package casework

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"time"

	"github.com/grassroots-policing/grassroots/internal/blob"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// BlobStore keeps attachment bytes by their SHA-256. Error contract: a
// missing blob is an error matching ErrBlobNotFound; a reader whose bytes do
// not hash to their name fails with ErrDigestMismatch at EOF or Close.
type BlobStore = blob.Store

// Blob errors.
var (
	ErrBlobNotFound   = blob.ErrNotFound
	ErrDigestMismatch = blob.ErrDigestMismatch
)

// NewFileBlobs keeps attachment bytes under a directory.
func NewFileBlobs(root string) (BlobStore, error) { return blob.NewFS(root) }

// NewMemoryBlobs keeps attachment bytes in memory.
func NewMemoryBlobs() BlobStore { return blob.NewMemory() }

// Attachment is a file attached to a record: a photo, a signed agreement, a
// receipt. The record keeps this metadata; the bytes live in the BlobStore.
type Attachment struct {
	Name      string `json:"name" validate:"required,max=200"`
	MediaType string `json:"mediaType" validate:"required,max=100"`
	Size      int64  `json:"size" validate:"min=0"`
	SHA256    string `json:"sha256" validate:"required,len=64,hexadecimal"`
}

// PutAttachment stores bytes and returns the metadata to keep on a record.
// It records the upload (unit, staff member, time) with its audit entry
// "attachment.put" in one transaction: the upload's unit is whose reach
// may download the bytes (OpenAttachment), and the sweep removes an upload
// that no record links (CheckAttachment) within Config.AttachmentTTL.
func (k *Kernel) PutAttachment(ctx context.Context, actor Actor, name, mediaType string, r io.Reader) (Attachment, error) {
	// Bytes are not yet attached to a record: the workflow method that
	// attaches them checks the record. So an assigned mediator may upload.
	if err := k.Check(ctx, actor, ActionPutAttachment, selfTarget(actor)); err != nil {
		return Attachment{}, err
	}
	var f errs.Fields
	if name == "" || len(name) > 200 {
		f.Add("name", "required", "must be 1 to 200 bytes")
	} else {
		f.Merge("", CheckLine("name", name, 0))
	}
	if _, _, err := mime.ParseMediaType(mediaType); err != nil {
		f.Add("mediaType", "media_type", "is not a media type")
	}
	if r == nil {
		f.Add("r", "required", "no bytes to store")
	}
	if err := f.Err(); err != nil {
		return Attachment{}, err
	}
	ref, err := k.blobs.Put(ctx, r)
	if err != nil {
		return Attachment{}, fmt.Errorf("store attachment: %w", err)
	}
	u := Upload{ID: k.NewID(), SHA256: ref.SHA256, Size: ref.Size, MediaType: mediaType, Name: name,
		UnitID: actor.UnitID, StaffID: actor.StaffID, UploadedAt: k.Now()}
	ch, err := k.Change(ctx, actor, ActionPutAttachment, "attachment", u.ID, nil, u)
	if err != nil {
		return Attachment{}, err
	}
	// Bytes stored without their upload row are removed by no sweep; they
	// are harmless (another upload of them is kept) and rare (a failed
	// commit), so they are not deleted here, where an upload of the same
	// bytes may be committing at once.
	if err := k.store.CreateUpload(ctx, u, ch); err != nil {
		return Attachment{}, err
	}
	return u.Attachment(), nil
}

// CheckAttachment confirms that an attachment's bytes are stored and match
// its digest and size, before a workflow attaches it to a record: a receipt
// that cannot be opened later is no receipt. No bytes leave the store.
//
// It also marks the digest's uploads linked, so the sweep keeps them. It
// marks them before the workflow's write commits: a write that then fails
// leaves bytes kept that no record names — kept too long, never lost.
// Marking twice changes nothing.
func (k *Kernel) CheckAttachment(ctx context.Context, a Attachment) error {
	rc, err := k.blobs.Open(ctx, a.SHA256)
	if errors.Is(err, ErrBlobNotFound) || errors.Is(err, blob.ErrInvalidDigest) {
		return errs.Invalid("sha256", "stored", "no attachment with this digest was stored (PutAttachment first)")
	}
	if err != nil {
		return err // a failing blob store is not a bad attachment
	}
	defer rc.Close()
	n, err := io.Copy(io.Discard, rc)
	if errors.Is(err, ErrDigestMismatch) {
		return errs.Invalid("sha256", "digest", "the stored bytes do not match the digest")
	}
	if err != nil {
		return err
	}
	if n != a.Size {
		return errs.Invalid("size", "matches", "the stored bytes are %d long, not %d", n, a.Size)
	}
	return k.linkUploads(ctx, a.SHA256)
}

// LinkAttachments marks the uploads of each digest linked, so the sweep
// keeps them, for a record that names attachments by digest alone (the
// photos of a custody entry); CheckAttachment links what it checks. A
// digest no upload names changes nothing: bytes stored before uploads were
// recorded are never swept. Call it before committing the record; a commit
// that then fails leaves the bytes kept too long, never lost.
func (k *Kernel) LinkAttachments(ctx context.Context, digests ...string) error {
	for _, d := range digests {
		if err := k.linkUploads(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// Audit actions of the uploads' life the system performs.
const (
	actionLinkAttachment  Action = "attachment.link"
	actionSweepAttachment Action = "attachment.sweep"
)

// linkUploads marks every upload of a digest linked, audited as the system
// actor (CheckAttachment has no actor; the workflow's own write records
// who attached). An upload another call linked meanwhile is left alone.
func (k *Kernel) linkUploads(ctx context.Context, sha256 string) error {
	ups, err := k.store.ListUploads(ctx, sha256)
	if err != nil {
		return err
	}
	sys := Actor{StaffID: SystemActorID}
	for _, u := range ups {
		if u.Linked() {
			continue
		}
		next := u
		next.LinkedAt = k.Now()
		ch, err := k.Change(ctx, sys, actionLinkAttachment, "attachment", u.ID, u, next)
		if err != nil {
			return err
		}
		ch.Audit[0].UnitID = u.UnitID
		if err := k.store.LinkUpload(ctx, u.ID, next.LinkedAt, ch); err != nil && !errors.Is(err, ErrConflict) {
			return err
		}
	}
	return nil
}

// OpenAttachment returns an attachment's metadata and a reader of its
// bytes, for a download. Reach first, as for every read: the bytes are in
// reach when an upload of them was made in the actor's reach, or when a
// record linking them (AttachToRecord) is — in the actor's subtree or
// shared with its unit now; a digest out of reach answers ErrNotFound
// exactly as one never stored. Then the policy (ActionReadAttachment). The
// reader fails with ErrDigestMismatch at EOF or Close when the stored bytes
// no longer hash to their digest, so a caller that streams them must not
// report success before reading to the end; the caller closes it.
func (k *Kernel) OpenAttachment(ctx context.Context, actor Actor, sha256 string) (Attachment, io.ReadCloser, error) {
	a, t, err := k.attachmentInReach(ctx, actor, sha256)
	if err != nil {
		return Attachment{}, nil, err
	}
	if err := k.Authorize(ctx, actor, ActionReadAttachment, t); err != nil {
		return Attachment{}, nil, err
	}
	rc, err := k.blobs.Open(ctx, sha256)
	if errors.Is(err, ErrBlobNotFound) {
		return Attachment{}, nil, errs.Wrap(errs.ErrNotFound, err, "attachment %s", sha256)
	}
	if err != nil {
		return Attachment{}, nil, err
	}
	return a, rc, nil
}

// attachmentInReach finds what puts a digest in the actor's reach: an
// upload of it in reach, else a record linking it in reach. It returns the
// metadata to send and the Target to authorize against.
func (k *Kernel) attachmentInReach(ctx context.Context, actor Actor, sha256 string) (Attachment, Target, error) {
	ups, err := k.store.ListUploads(ctx, sha256)
	if err != nil {
		return Attachment{}, Target{}, err
	}
	for _, u := range ups {
		if u.UnitID == "" {
			continue // bytes stored before uploads were recorded: no unit, no reach
		}
		t := Target{RecordType: "attachment", RecordID: sha256, UnitID: u.UnitID}
		err := k.Reach(ctx, actor, t)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return Attachment{}, Target{}, err
		}
		return u.Attachment(), t, nil
	}
	l, t, ok, err := k.linkedInReach(ctx, actor, sha256)
	if err != nil {
		return Attachment{}, Target{}, err
	}
	if !ok {
		return Attachment{}, Target{}, errs.NotFound("attachment", sha256)
	}
	return l.Attachment, t, nil
}

// DefaultAttachmentTTL is how long an upload may wait for a record to link
// it before the sweep removes it.
const DefaultAttachmentTTL = 24 * time.Hour

// sweepUploads removes the uploads no record linked within the TTL, each
// with its audit entry as the system actor, and then the bytes of each
// digest that no upload names any more. Running it twice at the same now
// removes nothing the second time; an upload linked or removed by a
// concurrent sweep meanwhile is skipped.
func (k *Kernel) sweepUploads(ctx context.Context, now time.Time) (SweepResult, error) {
	var res SweepResult
	sys := Actor{StaffID: SystemActorID}
	for {
		const batch = 100
		stale, err := k.store.ListStaleUploads(ctx, now.Add(-k.attachmentTTL), batch)
		if err != nil || len(stale) == 0 {
			return res, err
		}
		before := res.Changed
		for _, u := range stale {
			ch, err := k.Change(ctx, sys, actionSweepAttachment, "attachment", u.ID, u, nil)
			if err != nil {
				return res, err
			}
			ch.Audit[0].UnitID = u.UnitID
			err = k.store.DeleteUpload(ctx, u.ID, ch)
			if errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict) {
				continue
			}
			if err != nil {
				return res, err
			}
			res.Changed++
			if err := k.dropUnnamedBlob(ctx, u.SHA256); err != nil {
				return res, err
			}
		}
		if len(stale) < batch || res.Changed == before {
			return res, nil // the last batch, or one a concurrent sweep took
		}
	}
}

// dropUnnamedBlob deletes a digest's bytes when no upload names them. An
// upload of the same bytes committing at this very moment could lose them;
// the window is one query long, and such an upload's CheckAttachment fails
// (ErrInvalid), so the loss is seen, not silent.
func (k *Kernel) dropUnnamedBlob(ctx context.Context, sha256 string) error {
	left, err := k.store.ListUploads(ctx, sha256)
	if err != nil || len(left) > 0 {
		return err
	}
	if err := k.blobs.Delete(ctx, sha256); err != nil && !errors.Is(err, ErrBlobNotFound) {
		return err
	}
	return nil
}

func selfTarget(a Actor) Target {
	return Target{RecordType: "attachment", UnitID: a.UnitID, AssignedTo: []string{a.StaffID}}
}

// Upload records one PutAttachment: which bytes, under what name and media
// type, by whom, and whether a record links them yet. The upload's unit is
// the attachment's reach (OpenAttachment), and an upload no record links
// within Config.AttachmentTTL is removed by the sweep, so that bytes nobody
// attached do not pile up in the blob store. Several uploads may name the
// same digest (the same photo uploaded twice): the bytes go only when no
// upload names them any more.
type Upload struct {
	ID         string    `json:"id"`
	SHA256     string    `json:"sha256"`
	Size       int64     `json:"size"`
	MediaType  string    `json:"mediaType"`
	Name       string    `json:"name"`
	UnitID     string    `json:"unitId"`
	StaffID    string    `json:"staffId"`
	UploadedAt time.Time `json:"uploadedAt"`
	LinkedAt   time.Time `json:"linkedAt,omitzero"` // zero until a record links the bytes
}

// Linked reports whether a record links the upload's bytes.
func (u Upload) Linked() bool { return !u.LinkedAt.IsZero() }

// Attachment is the metadata a record keeps of the upload.
func (u Upload) Attachment() Attachment {
	return Attachment{Name: u.Name, MediaType: u.MediaType, Size: u.Size, SHA256: u.SHA256}
}

// AttachmentStore keeps the uploads. Error contract, besides KernelStore's
// (cancelled ctx, copies in and out):
//   - CreateUpload is ErrConflict when an upload with u.ID exists, and
//     commits ch with the upload;
//   - GetUpload is ErrNotFound for an id that names no upload;
//   - ListUploads returns the uploads of one digest ordered by (UploadedAt,
//     ID); a digest with none is an empty list, not an error;
//   - LinkUpload sets LinkedAt to at and commits ch with it: ErrNotFound
//     when there is no such upload, ErrConflict when it is linked already
//     (so two concurrent links commit one audit entry);
//   - ListStaleUploads returns up to limit unlinked uploads whose
//     UploadedAt is before before, ordered by (UploadedAt, ID);
//   - DeleteUpload removes an upload and commits ch with it; ErrNotFound
//     when there is none, ErrConflict when it was linked meanwhile (the
//     sweep never removes what a record links).
type AttachmentStore interface {
	CreateUpload(ctx context.Context, u Upload, ch Change) error
	GetUpload(ctx context.Context, id string) (Upload, error)
	ListUploads(ctx context.Context, sha256 string) ([]Upload, error)
	LinkUpload(ctx context.Context, id string, at time.Time, ch Change) error
	ListStaleUploads(ctx context.Context, before time.Time, limit int) ([]Upload, error)
	DeleteUpload(ctx context.Context, id string, ch Change) error
}
