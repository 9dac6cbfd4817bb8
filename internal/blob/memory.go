package blob

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
)

// Memory is a Store in process memory for tests and throwaway servers. It
// copies bytes in and out, so callers can neither change stored content nor
// see later changes to it.
type Memory struct {
	opts  options
	mu    sync.RWMutex
	blobs map[string][]byte
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory store.
func NewMemory(opts ...Option) *Memory {
	return &Memory{opts: buildOptions(opts), blobs: make(map[string][]byte)}
}

// Put implements Store.
func (m *Memory) Put(ctx context.Context, r io.Reader) (Ref, error) {
	var buf bytes.Buffer
	ref, err := ingest(ctx, &buf, r, m.opts.maxSize)
	if err != nil {
		return Ref{}, err
	}
	if err := ctx.Err(); err != nil {
		return Ref{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.blobs[ref.SHA256] = bytes.Clone(buf.Bytes())
	return ref, nil
}

// Open implements Store. The reader works on a copy, so a concurrent Delete
// or Put does not affect it.
func (m *Memory) Open(ctx context.Context, sha256hex string) (io.ReadCloser, error) {
	if err := validDigest(sha256hex); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	b, ok := m.blobs[sha256hex]
	m.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, sha256hex)
	}
	return newVerifyingReader(ctx, bytes.NewReader(bytes.Clone(b)), nil, sha256hex), nil
}

// Delete implements Store.
func (m *Memory) Delete(ctx context.Context, sha256hex string) error {
	if err := validDigest(sha256hex); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.blobs[sha256hex]; !ok {
		return fmt.Errorf("%w: %s", ErrNotFound, sha256hex)
	}
	delete(m.blobs, sha256hex)
	return nil
}
