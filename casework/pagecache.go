package casework

import (
	"context"
	"strconv"
)

// DefaultPageCacheBytes bounds, by default, the pages of refs a PageCache
// keeps: about 50 pages of 50 records.
const DefaultPageCacheBytes = 256 << 10

// PageCache keeps the pages of refs a list read from its store (record id,
// version, what the list filters on: never a record's fields), so that a
// list asked again while nothing changed costs no query. Reach, permission
// and each actor's view are still decided on every request; only the refs
// are kept. It is safe for concurrent use; a nil PageCache keeps nothing.
//
// A page is kept under a mark of everything committed (changeMark) and
// answered again only while the mark has not moved:
//   - a write made in this process is seen at once: with a store that
//     counts its writes (WriteCounter), and while the kernel watches the
//     audit chain (Config.CacheWatch), the mark moves when a write begins
//     and when it has committed, at no cost;
//   - a write made by another process sharing the database is seen within
//     CacheWatch, at the latest within twice it (a look that fails, or
//     none for longer, makes the next list read the head instead), as the
//     staff and person caches see it. So is a write inside a transaction
//     the application opened and committed (WithTx);
//   - with a store that counts no writes, or CacheWatch negative, the
//     mark is the audit chain's head read on every list: exact for every
//     process, at one small query a list.
//
// Every change commits with its audit entry in the same transaction
// (architecture: "Every state change and its audit entry commit in one
// transaction"): an application that writes these records without an
// audit entry must not use a PageCache.
type PageCache[R any] struct {
	k    *Kernel
	name string
	c    *VersionCache[[]R]
}

// NewPageCache returns a cache of the pages of the list name, of at most
// maxBytes (0: DefaultPageCacheBytes), counting each page as size says
// (nil: 64 bytes a ref); nil, which keeps nothing, when maxBytes is
// negative or there is no kernel to say what was committed.
func NewPageCache[R any](k *Kernel, name string, maxBytes int64, size func([]R) int64) *PageCache[R] {
	if maxBytes < 0 || k == nil {
		return nil
	}
	if maxBytes == 0 {
		maxBytes = DefaultPageCacheBytes
	}
	if size == nil {
		size = func(refs []R) int64 { return int64(64 * len(refs)) }
	}
	return &PageCache[R]{k: k, name: name, c: NewVersionCache(maxBytes, size)}
}

// Page returns the page key names (the list's filter and page, in a name
// no other filter shares), from the cache while nothing was committed
// since it was read, else from read, and keeps what read returns. The
// mark is taken before read runs, so a change committed meanwhile leaves
// a kept page newer than its mark, never older: the mark has moved (at
// once for this process's change, within the watch for another's) and
// the next list reads again. A list whose reads see a write not yet
// committed (WriteCounter.InWrite) reads around the cache: its page is
// for that write alone. The refs are handed out as kept: callers only
// read them.
func (pc *PageCache[R]) Page(ctx context.Context, key string, read func(context.Context) ([]R, error)) ([]R, error) {
	if pc == nil {
		return read(ctx)
	}
	if wc := pc.k.counter; wc != nil && wc.InWrite(ctx) {
		return read(ctx)
	}
	mark, kind, err := pc.k.changeMark(ctx)
	if err != nil {
		return nil, err
	}
	// The two marks count different things: each keeps its own pages.
	k := Listed{RecordType: pc.name, ID: key, Version: mark, View: kind}
	if refs, ok := pc.c.Get(k); ok {
		return refs, nil
	}
	refs, err := read(ctx)
	if err != nil {
		return nil, err
	}
	pc.c.Put(k, refs)
	return refs, nil
}

// WriteCounter is a KernelStore that counts the writes made through it,
// and through every workflow store built on it, in this process. With
// it, a PageCache answers from memory at no cost while nothing changes.
type WriteCounter interface {
	// Writes is a number that moves when a write begins and again once it
	// has committed or rolled back, and never otherwise: what a read found
	// after it said n holds, for this process's writes, while it says n.
	// A write inside a transaction the application opened (the SQL
	// stores' WithTx) ends when its part is done, before the application
	// commits: it is seen as another process's write is.
	Writes() uint64
	// InWrite reports whether reads under ctx see writes not yet
	// committed: ctx runs inside an atomic write whose reads are its own
	// (the memory store's Atomically).
	InWrite(ctx context.Context) bool
}

// changeMark returns a number that has moved whenever something may have
// been committed since it was last returned, and the kind of mark it is
// (see PageCache): "seen", this process's writes and the audit entries
// the watch has seen, or "head", the audit chain's head as read now.
func (k *Kernel) changeMark(ctx context.Context) (int64, string, error) {
	w := &k.watcher
	if wc := k.counter; wc != nil && w.every > 0 {
		if !w.pages.Load() {
			w.pages.Store(true)
		}
		k.watch(ctx, k.clock.Now())
		// Both only grow, so their sum moves whenever either does.
		if seq, ok := w.current(); ok {
			return int64(wc.Writes()) + seq, "seen", nil
		}
	}
	h, err := k.store.AuditHead(ctx)
	return h.Seq, "head", err
}

// PageKey names a list's filter and page by their fields, each prefixed
// with its length: no two lists of fields share a name, whatever the
// fields hold (joined by a separator, a field holding it could name
// another filter's page).
func PageKey(fields ...string) string {
	n := 0
	for _, f := range fields {
		n += len(f) + 4
	}
	b := make([]byte, 0, n)
	for _, f := range fields {
		b = strconv.AppendInt(b, int64(len(f)), 10)
		b = append(b, ':')
		b = append(b, f...)
	}
	return string(b)
}
