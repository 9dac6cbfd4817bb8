package blob_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/internal/blob"
)

// store pairs a Store with a way to damage its stored bytes behind its back.
type store struct {
	blob.Store
	corrupt func(t *testing.T, sha256hex string)
	root    string // FS only
}

var stores = []struct {
	name string
	new  func(t *testing.T, opts ...blob.Option) store
}{
	{name: "FS", new: func(t *testing.T, opts ...blob.Option) store {
		root := filepath.Join(t.TempDir(), "blobs")
		s, err := blob.NewFS(root, opts...)
		require.NoError(t, err)
		return store{Store: s, root: root, corrupt: func(t *testing.T, h string) {
			p := filepath.Join(root, h[:2], h)
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			b[len(b)/2] ^= 0xff
			require.NoError(t, os.WriteFile(p, b, 0o600))
		}}
	}},
	{name: "Rows", new: func(t *testing.T, opts ...blob.Option) store {
		rows := &mapRows{m: map[string][]byte{}}
		return store{Store: blob.NewRows(rows, opts...), corrupt: func(_ *testing.T, h string) {
			rows.mu.Lock()
			defer rows.mu.Unlock()
			b := rows.m[h]
			b[len(b)/2] ^= 0xff
		}}
	}},
	{name: "Memory", new: func(t *testing.T, opts ...blob.Option) store {
		m := blob.NewMemory(opts...)
		return store{Store: m, corrupt: func(_ *testing.T, h string) { m.CorruptForTest(h) }}
	}},
}

// mapRows is the table a database would keep, for RowStore.
type mapRows struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (r *mapRows) Upsert(_ context.Context, h string, data []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.m[h] = bytes.Clone(data)
	return nil
}

func (r *mapRows) Get(_ context.Context, h string) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, ok := r.m[h]
	if !ok {
		return nil, blob.ErrNotFound
	}
	return bytes.Clone(b), nil
}

func (r *mapRows) Delete(_ context.Context, h string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.m[h]; !ok {
		return blob.ErrNotFound
	}
	delete(r.m, h)
	return nil
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func readAll(t *testing.T, s blob.Store, h string) ([]byte, error) {
	t.Helper()
	rc, err := s.Open(context.Background(), h)
	require.NoError(t, err)
	b, readErr := io.ReadAll(rc)
	return b, errors.Join(readErr, rc.Close())
}

func TestPutOpenRoundTrip(t *testing.T) {
	t.Parallel()
	contents := []struct {
		name string
		data []byte
	}{
		{name: "empty", data: []byte{}},
		{name: "text", data: []byte("statement of witness")},
		{name: "several copy buffers", data: randomBytes(200 << 10)},
	}
	for _, st := range stores {
		for _, c := range contents {
			t.Run(st.name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				s := st.new(t)
				ref, err := s.Put(context.Background(), bytes.NewReader(c.data))
				require.NoError(t, err)
				require.Equal(t, blob.Ref{SHA256: digest(c.data), Size: int64(len(c.data))}, ref)

				got, err := readAll(t, s, ref.SHA256)
				require.NoError(t, err)
				require.Equal(t, c.data, got)

				// Odd read sizes and reads after EOF must behave like any
				// io.Reader while still verifying.
				rc, err := s.Open(context.Background(), ref.SHA256)
				require.NoError(t, err)
				require.NoError(t, iotest.TestReader(rc, c.data))
				require.NoError(t, rc.Close())
			})
		}
	}
}

func TestSameContentSameRef(t *testing.T) {
	t.Parallel()
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			s := st.new(t)
			data := []byte("the same photo, uploaded twice")
			first, err := s.Put(context.Background(), bytes.NewReader(data))
			require.NoError(t, err)
			second, err := s.Put(context.Background(), iotest.HalfReader(bytes.NewReader(data)))
			require.NoError(t, err)
			require.Equal(t, first, second)

			got, err := readAll(t, s, first.SHA256)
			require.NoError(t, err)
			require.Equal(t, data, got)

			if s.root != "" {
				entries, err := os.ReadDir(filepath.Join(s.root, first.SHA256[:2]))
				require.NoError(t, err)
				require.Len(t, entries, 1)
				requireNoTempFiles(t, s.root)
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	absent := digest([]byte("never stored"))
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := st.new(t)
			_, err := s.Open(ctx, absent)
			require.ErrorIs(t, err, blob.ErrNotFound)
			require.ErrorIs(t, s.Delete(ctx, absent), blob.ErrNotFound)

			ref, err := s.Put(ctx, strings.NewReader("to be deleted"))
			require.NoError(t, err)
			require.NoError(t, s.Delete(ctx, ref.SHA256))
			_, err = s.Open(ctx, ref.SHA256)
			require.ErrorIs(t, err, blob.ErrNotFound)
			require.ErrorIs(t, s.Delete(ctx, ref.SHA256), blob.ErrNotFound)
		})
	}
}

func TestInvalidDigest(t *testing.T) {
	t.Parallel()
	valid := digest([]byte("x"))
	names := []string{
		"",
		"../../etc/passwd",
		strings.ToUpper(valid),
		valid[:63],
		valid + "0",
		"zz" + valid[2:],
		valid[:2] + "/" + valid[3:],
	}
	for _, st := range stores {
		for _, name := range names {
			t.Run(st.name+"/"+name, func(t *testing.T) {
				t.Parallel()
				s := st.new(t)
				_, err := s.Open(context.Background(), name)
				require.ErrorIs(t, err, blob.ErrInvalidDigest)
				require.ErrorIs(t, s.Delete(context.Background(), name), blob.ErrInvalidDigest)
			})
		}
	}
}

func TestCorruptionIsDetected(t *testing.T) {
	t.Parallel()
	contents := []struct {
		name string
		data []byte
	}{
		{name: "small", data: []byte("chain of custody record")},
		{name: "large", data: randomBytes(256 << 10)},
	}
	for _, st := range stores {
		for _, c := range contents {
			t.Run(st.name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				s := st.new(t)
				ref, err := s.Put(context.Background(), bytes.NewReader(c.data))
				require.NoError(t, err)
				s.corrupt(t, ref.SHA256)

				rc, err := s.Open(context.Background(), ref.SHA256)
				require.NoError(t, err)
				_, err = io.Copy(io.Discard, rc)
				require.ErrorIs(t, err, blob.ErrDigestMismatch)
				// The failure is sticky and Close reports it too.
				_, err = rc.Read(make([]byte, 1))
				require.ErrorIs(t, err, blob.ErrDigestMismatch)
				require.ErrorIs(t, rc.Close(), blob.ErrDigestMismatch)

				// Storing the content again repairs it.
				_, err = s.Put(context.Background(), bytes.NewReader(c.data))
				require.NoError(t, err)
				got, err := readAll(t, s, ref.SHA256)
				require.NoError(t, err)
				require.Equal(t, c.data, got)
			})
		}
	}
}

func TestFSDetectsDamagedFiles(t *testing.T) {
	t.Parallel()
	data := []byte("photograph of the scene")
	tests := []struct {
		name   string
		damage func(b []byte) []byte
	}{
		{name: "truncated", damage: func(b []byte) []byte { return b[:len(b)-1] }},
		{name: "emptied", damage: func([]byte) []byte { return nil }},
		{name: "extended", damage: func(b []byte) []byte { return append(b, '!') }},
		{name: "replaced", damage: func([]byte) []byte { return []byte("a different photograph") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			s, err := blob.NewFS(root)
			require.NoError(t, err)
			ref, err := s.Put(context.Background(), bytes.NewReader(data))
			require.NoError(t, err)
			p := filepath.Join(root, ref.SHA256[:2], ref.SHA256)
			require.NoError(t, os.WriteFile(p, tc.damage(bytes.Clone(data)), 0o600))

			_, err = readAll(t, s, ref.SHA256)
			require.ErrorIs(t, err, blob.ErrDigestMismatch)
		})
	}
}

func TestSizeLimit(t *testing.T) {
	t.Parallel()
	const limit = 1024
	tests := []struct {
		name    string
		size    int
		wantErr error
	}{
		{name: "under", size: limit - 1},
		{name: "exactly at", size: limit},
		{name: "one over", size: limit + 1, wantErr: blob.ErrTooLarge},
		{name: "far over", size: 10 * limit, wantErr: blob.ErrTooLarge},
	}
	for _, st := range stores {
		for _, tc := range tests {
			t.Run(st.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				s := st.new(t, blob.WithMaxSize(limit))
				data := randomBytes(tc.size)
				ref, err := s.Put(context.Background(), bytes.NewReader(data))
				if tc.wantErr == nil {
					require.NoError(t, err)
					require.Equal(t, int64(tc.size), ref.Size)
					return
				}
				require.ErrorIs(t, err, tc.wantErr)
				_, err = s.Open(context.Background(), digest(data))
				require.ErrorIs(t, err, blob.ErrNotFound, "nothing may be stored")
				if s.root != "" {
					requireNoTempFiles(t, s.root)
				}
			})
		}
	}
}

// cancelAfterFirstRead cancels the upload's context once some bytes have
// gone through, like a client that disconnects mid-upload.
type cancelAfterFirstRead struct {
	r      io.Reader
	cancel context.CancelFunc
}

func (c *cancelAfterFirstRead) Read(p []byte) (int, error) {
	if len(p) > 8 {
		p = p[:8]
	}
	n, err := c.r.Read(p)
	c.cancel()
	return n, err
}

func TestCancelledContext(t *testing.T) {
	t.Parallel()
	data := []byte("an upload that is abandoned part way through")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	for _, st := range stores {
		t.Run(st.name+"/put before start", func(t *testing.T) {
			t.Parallel()
			s := st.new(t)
			_, err := s.Put(cancelled, bytes.NewReader(data))
			require.ErrorIs(t, err, context.Canceled)
			_, err = s.Open(context.Background(), digest(data))
			require.ErrorIs(t, err, blob.ErrNotFound)
		})
		t.Run(st.name+"/put mid-stream", func(t *testing.T) {
			t.Parallel()
			s := st.new(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			_, err := s.Put(ctx, &cancelAfterFirstRead{r: bytes.NewReader(data), cancel: cancel})
			require.ErrorIs(t, err, context.Canceled)
			_, err = s.Open(context.Background(), digest(data))
			require.ErrorIs(t, err, blob.ErrNotFound)
			if s.root != "" {
				requireNoTempFiles(t, s.root)
			}
		})
		t.Run(st.name+"/open, read and delete", func(t *testing.T) {
			t.Parallel()
			s := st.new(t)
			ref, err := s.Put(context.Background(), bytes.NewReader(data))
			require.NoError(t, err)

			_, err = s.Open(cancelled, ref.SHA256)
			require.ErrorIs(t, err, context.Canceled)
			require.ErrorIs(t, s.Delete(cancelled, ref.SHA256), context.Canceled)

			ctx, cancel := context.WithCancel(context.Background())
			rc, err := s.Open(ctx, ref.SHA256)
			require.NoError(t, err)
			cancel()
			_, err = io.ReadAll(rc)
			require.ErrorIs(t, err, context.Canceled)
			require.NoError(t, rc.Close())

			got, err := readAll(t, s, ref.SHA256)
			require.NoError(t, err, "a refused delete must leave the blob in place")
			require.Equal(t, data, got)
		})
	}
}

func TestPutReaderError(t *testing.T) {
	t.Parallel()
	boom := errors.New("connection reset")
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			s := st.new(t)
			r := io.MultiReader(strings.NewReader("partial"), iotest.ErrReader(boom))
			_, err := s.Put(context.Background(), r)
			require.ErrorIs(t, err, boom)
			_, err = s.Open(context.Background(), digest([]byte("partial")))
			require.ErrorIs(t, err, blob.ErrNotFound)
			if s.root != "" {
				requireNoTempFiles(t, s.root)
			}
		})
	}
}

func TestStoredBytesAreCopies(t *testing.T) {
	t.Parallel()
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			s := st.new(t)
			data := []byte("original")
			ref, err := s.Put(context.Background(), bytes.NewReader(data))
			require.NoError(t, err)
			copy(data, "mutated!")

			got, err := readAll(t, s, ref.SHA256)
			require.NoError(t, err)
			require.Equal(t, []byte("original"), got)
		})
	}
}

func TestFSPermissions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		data []byte
	}{
		{name: "text", data: []byte("witness statement")},
		{name: "empty", data: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := filepath.Join(t.TempDir(), "data", "blobs")
			s, err := blob.NewFS(root)
			require.NoError(t, err)
			ref, err := s.Put(context.Background(), bytes.NewReader(tc.data))
			require.NoError(t, err)

			for path, want := range map[string]fs.FileMode{
				root:                                0o700,
				filepath.Join(root, "tmp"):          0o700,
				filepath.Join(root, ref.SHA256[:2]): 0o700,
				filepath.Join(root, ref.SHA256[:2], ref.SHA256): 0o600,
			} {
				info, err := os.Stat(path)
				require.NoError(t, err)
				require.Equal(t, want, info.Mode().Perm(), path)
			}
		})
	}
}

func TestNewFSRejectsEmptyRoot(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		root string
	}{
		{name: "empty", root: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := blob.NewFS(tc.root)
			require.Error(t, err)
		})
	}
}

func requireNoTempFiles(t *testing.T, root string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, "tmp"))
	require.NoError(t, err)
	require.Empty(t, entries, "failed or finished uploads must not leave temp files")
}
