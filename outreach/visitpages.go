package outreach

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
)

// DefaultPageCacheBytes bounds, by default, the pages of visit refs a
// Service keeps (Config.PageCacheBytes): about 50 pages of 50 visits.
const DefaultPageCacheBytes = 256 << 10

// visitPages keeps the refs of the visit lists a Service has read, each
// with the audit chain's head seq read before it (casework.AuditStore).
// Every change to the database commits with an audit entry in the same
// transaction and moves the head (architecture: "Every state change and
// its audit entry commit in one transaction"), so a head that reads the
// same seq now as before a page was read means nothing was committed
// since, in this process or any other sharing the database: the page is
// exactly what the store would answer. A station's list thus costs one
// read of the head while nothing is written, and the page's read plus
// the head's once anything was. Only the refs are kept: reach, permission
// and masking are decided for the actor on every request.
type visitPages struct {
	c *casework.VersionCache[[]VisitRef]
}

func newVisitPages(maxBytes int64) visitPages {
	if maxBytes == 0 {
		maxBytes = DefaultPageCacheBytes
	}
	return visitPages{c: casework.NewVersionCache(maxBytes, refsBytes)}
}

// refs returns the store's refs of filter f and page p, from the cache
// when nothing was committed since it read them. The head is read before
// the page, so a write committed between the two leaves a kept page newer
// than the seq it is kept under, never older: the next list sees the head
// moved and reads again.
func (vp visitPages) refs(ctx context.Context, s *Service, f VisitFilter, p casework.Page) ([]VisitRef, error) {
	if vp.c == nil {
		return s.store.ListVisitRefs(ctx, f, p)
	}
	head, err := s.k.Store().AuditHead(ctx)
	if err != nil {
		return nil, err
	}
	key := casework.Listed{RecordType: "visit_page", ID: pageKey(f, p), Version: head.Seq}
	if refs, ok := vp.c.Get(key); ok {
		return refs, nil
	}
	refs, err := s.store.ListVisitRefs(ctx, f, p)
	if err != nil {
		return nil, err
	}
	vp.c.Put(key, refs)
	return refs, nil
}

// pageKey names a list's filter and page: each field prefixed by its
// length, so that no two filters share a name whatever their fields hold.
func pageKey(f VisitFilter, p casework.Page) string {
	micro := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return strconv.FormatInt(t.UnixMicro(), 10)
	}
	var b strings.Builder
	for _, field := range []string{f.UnitUnder, f.OfficerID, string(f.TargetKind), micro(f.From), micro(f.To), f.CampaignID,
		f.PlanEntryID, f.AddressID, f.PersonID, strconv.Itoa(p.Limit), p.After} {
		b.WriteString(strconv.Itoa(len(field)))
		b.WriteByte(':')
		b.WriteString(field)
	}
	return b.String()
}

// refsBytes is about what a kept page of refs holds.
func refsBytes(refs []VisitRef) int64 {
	n := int64(24 + 64*len(refs)) // the slice, and each ref's fixed part
	for _, r := range refs {
		n += int64(len(r.ID) + len(r.TargetKind))
	}
	return n
}
