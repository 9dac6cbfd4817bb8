package recovery

import (
	"context"
	"errors"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// DefaultMatchLimit is how many candidates Match and CompareProperty return.
const DefaultMatchLimit = 10

// Match compares a recovered item with the reported-stolen items in the
// actor's subtree that no match has claimed yet: exact identifier matches
// first, then the scored match on category, description, time and place,
// best first, each with its reasons. limit ≤ 0 means DefaultMatchLimit.
func (s *Service) Match(ctx context.Context, actor casework.Actor, id string, limit int) ([]PropertyMatch, error) {
	it, err := s.loadItem(ctx, actor, ActionRead, id)
	if err != nil {
		return nil, err
	}
	if it.State != StateRecovered && it.State != StateUnclaimed {
		return nil, errs.Transition(string(it.State), string(StateIdentified), "only a recovered or unclaimed item is matched")
	}
	path, err := s.k.Scope(ctx, actor, "")
	if err != nil {
		return nil, err
	}
	found, err := s.side(ctx, it, false)
	if err != nil {
		return nil, err
	}
	base := ItemFilter{UnitUnder: path, States: []State{StateReportedStolen}, Unmatched: true}
	window := ItemFilter{StolenFrom: it.RecoveredAt.AddDate(0, 0, -s.cfg.MatchWindowDays), StolenTo: it.RecoveredAt.Add(24 * time.Hour)}
	return s.compare(ctx, base, window, it.Identifiers, limit, func(c Item) (float64, []string, error) {
		stolen, err := s.side(ctx, c, true)
		if err != nil {
			return 0, nil, err
		}
		score, _, reasons := Score(s.w, stolen, found)
		return score, reasons, nil
	}, it.ID)
}

// CompareProperty is the survey-and-compare step of casework (快勘查 ·
// 同步比对): what a scene survey knows of the stolen property against the
// recovered-property register (recovered and unclaimed items no match has
// claimed) in the actor's subtree, ranked with reasons. It changes nothing.
func (s *Service) CompareProperty(ctx context.Context, actor casework.Actor, q PropertyQuery) ([]PropertyMatch, error) {
	if err := s.k.UnitInReach(ctx, actor, ""); err != nil {
		return nil, err
	}
	if err := s.k.Validate(q); err != nil {
		return nil, err
	}
	if err := s.k.Authorize(ctx, actor, ActionRead, casework.Target{}); err != nil {
		return nil, err
	}
	path, err := s.k.Scope(ctx, actor, "")
	if err != nil {
		return nil, err
	}
	stolen := Side{Category: q.Category, Description: q.Description, At: casework.Truncate(q.At), Place: q.Place}
	for _, id := range q.Identifiers {
		if n := NormalizeIdentifier(id.Kind, id.Value); n.Value != "" {
			stolen.Identifiers = append(stolen.Identifiers, n)
		}
	}
	if q.UnitID != "" {
		if err := s.k.UnitInReach(ctx, actor, q.UnitID); errors.Is(err, errs.ErrNotFound) {
			return nil, errs.Invalid("unitId", "exists", "no unit in reach with id %q", q.UnitID)
		} else if err != nil {
			return nil, err
		}
		if stolen.UnitPath, err = s.k.UnitPath(ctx, q.UnitID); err != nil {
			return nil, err
		}
	}
	if len(stolen.Identifiers) == 0 && q.Category == "" && q.Description == "" {
		return nil, errs.Invalid("description", "required", "a comparison needs identifiers, a category or a description")
	}
	base := ItemFilter{UnitUnder: path, States: []State{StateRecovered, StateUnclaimed}, Unmatched: true}
	var window ItemFilter
	if !stolen.At.IsZero() {
		window.RecoveredFrom = stolen.At.Add(-24 * time.Hour)
	}
	return s.compare(ctx, base, window, stolen.Identifiers, DefaultMatchLimit, func(c Item) (float64, []string, error) {
		found, err := s.side(ctx, c, false)
		if err != nil {
			return 0, nil, err
		}
		score, _, reasons := Score(s.w, stolen, found)
		return score, reasons, nil
	}, "")
}

// compare gathers candidates — every item sharing an identifier value, then
// the items in the time window — scores each once and ranks them.
func (s *Service) compare(ctx context.Context, base, window ItemFilter, ids []casework.Identifier, limit int,
	score func(Item) (float64, []string, error), self string) ([]PropertyMatch, error) {
	if limit <= 0 {
		limit = DefaultMatchLimit
	}
	seen := map[string]bool{self: true}
	var out []PropertyMatch
	visit := func(c Item) error {
		if seen[c.ID] {
			return nil
		}
		seen[c.ID] = true
		sc, reasons, err := score(c)
		if err != nil {
			return err
		}
		if sc >= s.w.MinScore {
			out = append(out, PropertyMatch{ItemID: c.ID, State: string(c.State), Score: sc, Reasons: reasons})
		}
		return nil
	}
	for _, id := range ids {
		f := base
		f.Identifier = id.Value
		if err := s.scan(ctx, f, s.cfg.MaxCandidates, visit); err != nil {
			return nil, err
		}
	}
	f := base
	f.StolenFrom, f.StolenTo, f.RecoveredFrom, f.RecoveredTo = window.StolenFrom, window.StolenTo, window.RecoveredFrom, window.RecoveredTo
	if err := s.scan(ctx, f, s.cfg.MaxCandidates, visit); err != nil {
		return nil, err
	}
	return Rank(out, limit), nil
}

// scan calls fn for the items of a filter, page by page, up to max items.
func (s *Service) scan(ctx context.Context, f ItemFilter, max int, fn func(Item) error) error {
	return s.scanPages(ctx, f, max, func(items []Item) error {
		for _, it := range items {
			if err := fn(it); err != nil {
				return err
			}
		}
		return nil
	})
}

// scanPages is scan a store page at a time (MaxPageLimit items a query),
// for callers that load what each page's items point to in one query.
func (s *Service) scanPages(ctx context.Context, f ItemFilter, max int, fn func([]Item) error) error {
	after, n := "", 0
	for n < max {
		limit := min(casework.MaxPageLimit, max-n)
		rows, err := s.store.ListItems(ctx, f, casework.Page{Limit: limit, After: after})
		if err != nil {
			return err
		}
		if err := fn(rows); err != nil {
			return err
		}
		n += len(rows)
		if len(rows) < limit {
			return nil
		}
		last := rows[len(rows)-1]
		after = casework.Cursor{At: last.CreatedAt, ID: last.ID}.Encode()
	}
	return nil
}

// side turns an item into one side of a comparison.
func (s *Service) side(ctx context.Context, it Item, stolen bool) (Side, error) {
	path, err := s.k.UnitPath(ctx, it.UnitID)
	if err != nil {
		return Side{}, err
	}
	sd := Side{Category: it.Category, Description: it.Description, Identifiers: it.Identifiers, UnitPath: path}
	if stolen {
		sd.At, sd.Place = it.StolenAt, it.StolenPlace
	} else {
		sd.At, sd.Place = it.RecoveredAt, it.RecoveredPlace
	}
	return sd, nil
}

// ConfirmMatch confirms that a found item is a reported-stolen one: the two
// are linked, and the found item — the one in custody — moves to identified
// with the report's owner and case. The report keeps its state and points at
// the found item, which carries on to the return; nothing is counted twice.
func (s *Service) ConfirmMatch(ctx context.Context, actor casework.Actor, foundID string, version int64, reportedID, note string) (Item, error) {
	found, err := s.loadItem(ctx, actor, ActionIdentify, foundID)
	if err != nil {
		return Item{}, err
	}
	// The reported item is a reference: one out of reach answers as one
	// that does not exist, on its field.
	rep, err := s.loadItem(ctx, actor, ActionIdentify, reportedID)
	if errors.Is(err, errs.ErrNotFound) {
		return Item{}, errs.Invalid("reportedId", "exists", "no item in reach with id %q", reportedID)
	}
	if err != nil {
		return Item{}, err
	}
	if found.Version != version {
		return Item{}, stale(RecordItem, foundID, version)
	}
	if err := s.identifiable(ctx, found); err != nil {
		return Item{}, err
	}
	var f errs.Fields
	switch {
	case found.ID == rep.ID:
		f.Add("reportedId", "other_item", "an item cannot match itself")
	case found.MatchedItemID != "":
		f.Add("foundId", "unmatched", "item %s is already matched to %s", found.ID, found.MatchedItemID)
	case rep.State != StateReportedStolen:
		f.Add("reportedId", "reported_stolen", "item %s is %s, not reported_stolen", rep.ID, rep.State)
	case rep.MatchedItemID != "":
		f.Add("reportedId", "unmatched", "item %s is already matched to %s", rep.ID, rep.MatchedItemID)
	case rep.OwnerPersonID == "":
		f.Add("reportedId", "owner", "item %s names no owner; identify the found item with Identify", rep.ID)
	}
	checkText(&f, "note", note, false, maxNote)
	if err := f.Err(); err != nil {
		return Item{}, err
	}
	now := s.k.Now()
	next := found.Clone()
	next.State, next.OwnerPersonID, next.MatchedItemID, next.IdentifiedAt = StateIdentified, rep.OwnerPersonID, rep.ID, now
	if next.CaseID == "" {
		next.CaseID = rep.CaseID
	}
	next.Version, next.UpdatedAt = found.Version+1, now
	repNext := rep.Clone()
	repNext.MatchedItemID = found.ID
	repNext.Version, repNext.UpdatedAt = rep.Version+1, now
	c := s.changes(ctx, actor)
	c.add("recovery.item.match", RecordItem, found.ID, found, next)
	c.add("recovery.item.matched", RecordItem, rep.ID, rep, repNext)
	return commit(c, Batch{Items: []Item{next, repNext}}, next)
}
