// Package blob stores attachment bytes (photos, statements, scans) by the
// SHA-256 of their content. Content addressing makes identical uploads
// share storage, lets a record hold a tamper-evident reference to its
// attachment, and lets every read prove the bytes are the ones referenced.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
)

var (
	// ErrNotFound reports that no blob has the requested digest.
	ErrNotFound = errors.New("blob: not found")

	// ErrDigestMismatch reports stored bytes that no longer hash to their
	// name: disk corruption or tampering. Data already read must be
	// discarded.
	ErrDigestMismatch = errors.New("blob: content does not match its sha256")

	// ErrTooLarge reports an upload over the store's size limit; nothing is
	// stored.
	ErrTooLarge = errors.New("blob: too large")

	// ErrInvalidDigest reports a name that is not 64 lowercase hex digits.
	// Checking it keeps arbitrary strings away from file paths.
	ErrInvalidDigest = errors.New("blob: invalid sha256 hex digest")
)

// Ref identifies stored content. SHA256 is lowercase hex.
type Ref struct {
	SHA256 string
	Size   int64
}

// Store holds content-addressed blobs. Implementations are safe for
// concurrent use.
//
// Put stores everything r yields and returns its Ref; storing the same bytes
// again returns the same Ref. It returns an error matching ErrTooLarge when
// the store's limit is exceeded, and the context's error when ctx ends
// before r is drained; in both cases nothing is stored.
//
// Open returns the content for a digest, or an error matching ErrNotFound.
// The reader hashes what it yields: if the bytes do not hash to the name,
// the read that reaches the end returns an error matching ErrDigestMismatch
// instead of io.EOF, and Close returns it too. A digest mismatch is an
// error, and bytes already read are untrustworthy. A reader closed before
// the end has verified nothing. ctx governs the whole read, not only the
// open: once it ends, reads fail with its error.
//
// Delete removes content, or returns an error matching ErrNotFound. As blobs
// are shared by everything that stored the same bytes, callers that dedupe
// must track references before deleting.
//
// Open and Delete return an error matching ErrInvalidDigest for a name that
// is not 64 lowercase hex digits.
type Store interface {
	Put(ctx context.Context, r io.Reader) (Ref, error)
	Open(ctx context.Context, sha256hex string) (io.ReadCloser, error)
	Delete(ctx context.Context, sha256hex string) error
}

// Option configures a store.
type Option func(*options)

type options struct {
	maxSize int64 // 0 means no limit
}

// WithMaxSize rejects blobs larger than n bytes, so an upload cannot fill
// the disk or memory. The default is no limit; n <= 0 keeps it.
func WithMaxSize(n int64) Option {
	return func(o *options) {
		if n > 0 {
			o.maxSize = n
		}
	}
}

func buildOptions(opts []Option) options {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

func validDigest(h string) error {
	if len(h) != sha256.Size*2 {
		return fmt.Errorf("%w: %q", ErrInvalidDigest, h)
	}
	for _, c := range []byte(h) {
		if ('0' > c || c > '9') && ('a' > c || c > 'f') {
			return fmt.Errorf("%w: %q", ErrInvalidDigest, h)
		}
	}
	return nil
}

// ingest copies r to w while hashing it, enforcing the size limit and
// honouring ctx between reads.
func ingest(ctx context.Context, w io.Writer, r io.Reader, maxSize int64) (Ref, error) {
	if err := ctx.Err(); err != nil {
		return Ref{}, err
	}
	src := io.Reader(ctxReader{ctx: ctx, r: r})
	if maxSize > 0 {
		// One byte beyond the limit tells "exactly at" from "over".
		src = io.LimitReader(src, maxSize+1)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), src)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return Ref{}, ctxErr
		}
		return Ref{}, fmt.Errorf("blob: read content: %w", err)
	}
	if maxSize > 0 && n > maxSize {
		return Ref{}, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, maxSize)
	}
	return Ref{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}, nil
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// verifyingReader turns silent corruption into an error at the end of the
// stream, where the digest can finally be checked.
type verifyingReader struct {
	ctx    context.Context
	r      io.Reader
	closer io.Closer // may be nil
	h      hash.Hash
	want   string
	final  error // sticky io.EOF or mismatch once the end is reached
	closed bool
}

func newVerifyingReader(ctx context.Context, r io.Reader, closer io.Closer, want string) *verifyingReader {
	return &verifyingReader{ctx: ctx, r: r, closer: closer, h: sha256.New(), want: want}
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	if v.final != nil {
		return 0, v.final
	}
	if err := v.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	if err == io.EOF {
		if got := hex.EncodeToString(v.h.Sum(nil)); got != v.want {
			v.final = fmt.Errorf("%w: %s hashes to %s", ErrDigestMismatch, v.want, got)
		} else {
			v.final = io.EOF
		}
		return n, v.final
	}
	return n, err
}

// Close reports a digest mismatch again so callers that only check Close
// (for example after io.Copy into a file) still see it.
func (v *verifyingReader) Close() error {
	var closeErr error
	if v.closer != nil && !v.closed {
		v.closed = true
		closeErr = v.closer.Close()
	}
	if errors.Is(v.final, ErrDigestMismatch) {
		return errors.Join(v.final, closeErr)
	}
	return closeErr
}
