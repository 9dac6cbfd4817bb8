package casework

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"

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
	return Attachment{Name: name, MediaType: mediaType, Size: ref.Size, SHA256: ref.SHA256}, nil
}

// CheckAttachment confirms that an attachment's bytes are stored and match
// its digest and size, before a workflow attaches it to a record: a receipt
// that cannot be opened later is no receipt. No bytes leave the store.
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
	return nil
}

func selfTarget(a Actor) Target {
	return Target{RecordType: "attachment", UnitID: a.UnitID, AssignedTo: []string{a.StaffID}}
}
