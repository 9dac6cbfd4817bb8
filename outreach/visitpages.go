package outreach

import (
	"context"
	"strconv"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
)

// DefaultPageCacheBytes bounds, by default, the pages of visit refs a
// Service keeps (Config.PageCacheBytes).
const DefaultPageCacheBytes = casework.DefaultPageCacheBytes

// visitRefs returns the store's refs of filter f and page p, from the
// service's pages (casework.PageCache) while nothing was committed since
// they were read.
func (s *Service) visitRefs(ctx context.Context, f VisitFilter, p casework.Page) ([]VisitRef, error) {
	return s.pages.Page(ctx, pageKey(f, p), func(ctx context.Context) ([]VisitRef, error) {
		return s.store.ListVisitRefs(ctx, f, p)
	})
}

// pageKey names a list's filter and page, so that no two filters share a
// name whatever their fields hold (casework.PageKey).
func pageKey(f VisitFilter, p casework.Page) string {
	micro := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return strconv.FormatInt(t.UnixMicro(), 10)
	}
	return casework.PageKey(f.UnitUnder, f.OfficerID, string(f.TargetKind), micro(f.From), micro(f.To), f.CampaignID,
		f.PlanEntryID, f.AddressID, f.PersonID, strconv.Itoa(p.Limit), p.After)
}

// refsBytes is about what a kept page of refs holds.
func refsBytes(refs []VisitRef) int64 {
	n := int64(24 + 64*len(refs)) // the slice, and each ref's fixed part
	for _, r := range refs {
		n += int64(len(r.ID) + len(r.TargetKind))
	}
	return n
}
