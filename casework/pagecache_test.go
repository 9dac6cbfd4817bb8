package casework_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/stretchr/testify/require"
)

// pageWorld is a kernel world with a page cache whose reads it counts.
type pageWorld struct {
	*kernelWorld
	pages *casework.PageCache[string]
	reads atomic.Int64
}

func newPageWorld(t *testing.T, store casework.KernelStore, cfg casework.Config) *pageWorld {
	t.Helper()
	w := &pageWorld{kernelWorld: newKernelWorld(t, store, &cfg)}
	w.pages = casework.NewPageCache(w.k, "test_page", 0, func(refs []string) int64 { return int64(16 * len(refs)) })
	return w
}

// page reads the page "p" through the cache.
func (w *pageWorld) page(t *testing.T) { t.Helper(); w.pageIn(t, context.Background()) }

// pageIn reads the page "p" through the cache under ctx.
func (w *pageWorld) pageIn(t *testing.T, ctx context.Context) {
	t.Helper()
	refs, err := w.pages.Page(ctx, "p", func(context.Context) ([]string, error) {
		w.reads.Add(1)
		return []string{"a", "b"}, nil
	})
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b"}, refs)
}

// write commits something through kernel k.
func (w *pageWorld) write(t *testing.T, k *casework.Kernel) {
	t.Helper()
	_, err := k.CreatePerson(context.Background(), w.officer, casework.PersonInput{UnitID: w.station.ID, Name: "王某"})
	require.NoError(t, err)
}

// otherProcess is the kernel store as a process sees it whose own writes
// never touch the records read: the writes it counts never move, so what
// changes them is another process's, seen through the audit chain alone.
// Its watch's reads of the chain fail while failing is set.
type otherProcess struct {
	casework.KernelStore
	failing atomic.Bool
}

func (*otherProcess) Writes() uint64 { return 0 }

func (*otherProcess) InWrite(context.Context) bool { return false }

func (s *otherProcess) AuditSince(ctx context.Context, after int64, limit int) ([]casework.AuditEntry, error) {
	if s.failing.Load() {
		return nil, errors.New("the database is gone")
	}
	return s.KernelStore.AuditSince(ctx, after, limit)
}

// headOnly is a kernel store that counts no writes (an embedder's
// wrapper, say): every page asks for the chain's head.
type headOnly struct {
	casework.KernelStore
	heads atomic.Int64
}

func (s *headOnly) AuditHead(ctx context.Context) (casework.AuditHead, error) {
	s.heads.Add(1)
	return s.KernelStore.AuditHead(ctx)
}

// headCounting is a kernel store that counts its writes (it passes them
// on) and its reads of the chain's head.
type headCounting struct {
	headOnly
	casework.WriteCounter
}

func newHeadCounting(s casework.KernelStore) *headCounting {
	return &headCounting{headOnly: headOnly{KernelStore: s}, WriteCounter: s.(casework.WriteCounter)}
}

// A kept page answers while nothing was committed, and a write of this
// process, through any kernel on the store, is seen at once: on every
// backend, whether the store counts its writes or the head is read.
func TestPageCacheSeesThisProcessWritesAtOnce(t *testing.T) {
	t.Parallel()
	for name, open := range kernelBackends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			inner := open(t)
			_, counts := inner.(casework.WriteCounter)
			require.True(t, counts, "every store of ours counts its writes")
			store := newHeadCounting(inner)
			// The watch looks once, as the world is set up, and not again
			// on the test's clock: every page is marked by the writes.
			w := newPageWorld(t, store, casework.Config{CacheWatch: time.Hour})
			other, err := casework.New(inner, &casework.Config{Clock: w.clock})
			require.NoError(t, err)
			heads := store.heads.Load()
			w.page(t)
			w.page(t)
			require.EqualValues(t, 1, w.reads.Load(), "nothing was written: the kept page answers")
			defer func() { require.Equal(t, heads, store.heads.Load(), "no page read the chain's head") }()
			w.write(t, w.k)
			w.page(t)
			require.EqualValues(t, 2, w.reads.Load(), "this kernel's write is seen at once")
			w.write(t, other)
			w.page(t)
			require.EqualValues(t, 3, w.reads.Load(), "another kernel's write on the same store is seen at once")
		})
	}
	t.Run("inside a write", func(t *testing.T) {
		t.Parallel()
		db := memstore.New()
		w := newPageWorld(t, db, casework.Config{CacheWatch: time.Hour})
		require.Error(t, db.Atomically(context.Background(), func(ctx context.Context) error {
			w.pageIn(t, ctx)
			w.page(t) // a list outside the write, while it is under way
			return errors.New("the write fails")
		}))
		require.EqualValues(t, 2, w.reads.Load(), "a page read inside a write, which saw it uncommitted, is never answered outside it")
	})
	t.Run("head", func(t *testing.T) {
		t.Parallel()
		store := &headOnly{KernelStore: memstore.New()}
		w := newPageWorld(t, store, casework.Config{})
		heads := store.heads.Load()
		w.page(t)
		w.page(t)
		require.EqualValues(t, 1, w.reads.Load())
		require.Equal(t, heads+2, store.heads.Load(), "a store that counts no writes: each page reads the head")
		w.write(t, w.k)
		w.page(t)
		require.EqualValues(t, 2, w.reads.Load())
	})
	t.Run("off", func(t *testing.T) {
		t.Parallel()
		w := newPageWorld(t, memstore.New(), casework.Config{})
		w.pages = casework.NewPageCache(w.k, "test_page", -1, func([]string) int64 { return 0 })
		w.page(t)
		w.page(t)
		require.EqualValues(t, 2, w.reads.Load(), "a cache of negative bytes keeps nothing")
		w.pages = casework.NewPageCache[string](nil, "test_page", 0, nil)
		w.page(t)
		require.EqualValues(t, 3, w.reads.Load(), "nor does one without a kernel")
	})
	t.Run("default size", func(t *testing.T) {
		t.Parallel()
		w := newPageWorld(t, memstore.New(), casework.Config{})
		w.pages = casework.NewPageCache[string](w.k, "test_page", 0, nil)
		w.page(t)
		w.page(t)
		require.EqualValues(t, 1, w.reads.Load(), "pages are counted at 64 bytes a ref")
	})
}

// Another process's write is seen once the kernel's watch has looked at
// the audit chain (CacheWatch); while its looks fail, the kept page is
// trusted for at most twice the interval, then the head is read.
func TestPageCacheSeesAnotherProcessWithinTheWatch(t *testing.T) {
	t.Parallel()
	t.Run("watched", func(t *testing.T) {
		t.Parallel()
		db := memstore.New()
		const every = time.Hour // the test's clock decides when it looks
		w := newPageWorld(t, &otherProcess{KernelStore: db}, casework.Config{CacheWatch: every})
		other, err := casework.New(db, &casework.Config{Clock: w.clock})
		require.NoError(t, err)
		w.page(t)
		w.write(t, other)
		w.page(t)
		require.EqualValues(t, 1, w.reads.Load(), "before the watch looks, the kept page answers")
		w.clock.Advance(every)
		w.page(t)
		require.EqualValues(t, 2, w.reads.Load(), "once it looked, another process's write is seen")
		w.page(t)
		require.EqualValues(t, 2, w.reads.Load())
	})
	t.Run("failing", func(t *testing.T) {
		t.Parallel()
		db := memstore.New()
		const every = 5 * time.Millisecond
		store := &otherProcess{KernelStore: db}
		w := newPageWorld(t, store, casework.Config{CacheWatch: every})
		other, err := casework.New(db, &casework.Config{Clock: w.clock})
		require.NoError(t, err)
		w.page(t)
		store.failing.Store(true)
		w.write(t, other)
		w.clock.Advance(every)
		w.page(t) // the look fails
		time.Sleep(2 * every)
		w.page(t)
		require.EqualValues(t, 2, w.reads.Load(), "no good look for twice the interval: the head is read, and it moved")
	})
}
