package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// FS stores blobs as files under a root directory: the blob with digest h
// lives at root/h[:2]/h, fanning out over 256 directories so no single
// directory grows huge. Uploads are written to root/tmp, synced and renamed
// into place, so a blob is either absent or complete even across crashes,
// and never visible half written. Files are 0600 and directories 0700
// because attachments are evidence and personal data.
type FS struct {
	root string
	opts options
}

var _ Store = (*FS)(nil)

// tmpDir holds in-flight uploads. It is inside root so the final rename
// stays on one filesystem and is atomic.
const tmpDir = "tmp"

// NewFS returns a store rooted at root, creating it (0700) if needed.
// Existing directories keep their permissions: tightening is the operator's
// call.
func NewFS(root string, opts ...Option) (*FS, error) {
	if root == "" {
		return nil, errors.New("blob: empty root directory")
	}
	if err := os.MkdirAll(filepath.Join(root, tmpDir), 0o700); err != nil {
		return nil, fmt.Errorf("blob: create root: %w", err)
	}
	return &FS{root: root, opts: buildOptions(opts)}, nil
}

func (f *FS) path(h string) string { return filepath.Join(f.root, h[:2], h) }

// Put implements Store. Storing bytes that already exist rewrites the file
// with the freshly hashed copy, which also repairs a corrupted one.
func (f *FS) Put(ctx context.Context, r io.Reader) (ref Ref, err error) {
	if err := ctx.Err(); err != nil {
		return Ref{}, err
	}
	tmp, err := os.CreateTemp(filepath.Join(f.root, tmpDir), "put-*") // created 0600
	if err != nil {
		return Ref{}, fmt.Errorf("blob: create temp file: %w", err)
	}
	defer func() {
		// After a successful rename the temp name is gone and Remove is a
		// harmless no-op.
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
	}()

	ref, err = ingest(ctx, tmp, r, f.opts.maxSize)
	if err != nil {
		return Ref{}, err
	}
	if err := tmp.Sync(); err != nil {
		return Ref{}, fmt.Errorf("blob: sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return Ref{}, fmt.Errorf("blob: close: %w", err)
	}
	// A last check so a cancelled request does not publish a blob its
	// caller will never record.
	if err := ctx.Err(); err != nil {
		return Ref{}, err
	}
	dir := filepath.Join(f.root, ref.SHA256[:2])
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Ref{}, fmt.Errorf("blob: create directory: %w", err)
	}
	if err := os.Rename(tmp.Name(), f.path(ref.SHA256)); err != nil {
		return Ref{}, fmt.Errorf("blob: store %s: %w", ref.SHA256, err)
	}
	// Make the rename durable; without it a crash could lose a blob whose
	// Ref the caller has already committed.
	if err := syncDir(dir); err != nil {
		return Ref{}, fmt.Errorf("blob: sync directory: %w", err)
	}
	return ref, nil
}

// Open implements Store.
func (f *FS) Open(ctx context.Context, sha256hex string) (io.ReadCloser, error) {
	if err := validDigest(sha256hex); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	file, err := os.Open(f.path(sha256hex))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, sha256hex)
		}
		return nil, fmt.Errorf("blob: open %s: %w", sha256hex, err)
	}
	return newVerifyingReader(ctx, file, file, sha256hex), nil
}

// Delete implements Store. Fan-out directories are left in place: removing
// one could race with a Put renaming into it.
func (f *FS) Delete(ctx context.Context, sha256hex string) error {
	if err := validDigest(sha256hex); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Remove(f.path(sha256hex)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: %s", ErrNotFound, sha256hex)
		}
		return fmt.Errorf("blob: delete %s: %w", sha256hex, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
