package recovery

import (
	"context"

	"github.com/grassroots-policing/grassroots/casework"
)

var _ casework.PersonReferences = (*Service)(nil)

// MovePersonReferences implements casework.PersonReferences: the items
// m.From owns and the returns naming them as owner or recipient move to
// m.To in one batch, each audited as a person merge. The kernel calls it
// inside the merge's atomic write.
func (s *Service) MovePersonReferences(ctx context.Context, m casework.PersonMove) (int, error) {
	items, err := casework.EveryPage(func(p casework.Page) ([]Item, error) {
		return s.store.ListItems(ctx, ItemFilter{OwnerPersonID: m.From}, p)
	}, func(it Item) casework.Cursor { return casework.Cursor{At: it.CreatedAt, ID: it.ID} })
	if err != nil {
		return 0, err
	}
	returns, err := casework.EveryPage(func(p casework.Page) ([]Return, error) {
		return s.store.ListReturns(ctx, ReturnFilter{PersonID: m.From}, p)
	}, func(r Return) casework.Cursor { return casework.Cursor{At: r.CreatedAt, ID: r.ID} })
	if err != nil {
		return 0, err
	}
	if len(items)+len(returns) == 0 {
		return 0, nil
	}
	c := s.changes(ctx, m.Actor)
	var b Batch
	for _, it := range items {
		next := it.Clone()
		next.OwnerPersonID, next.Version, next.UpdatedAt = m.To, it.Version+1, m.Now
		c.add(string(casework.ActionMergePersons), RecordItem, it.ID, it, next)
		b.Items = append(b.Items, next)
	}
	for _, r := range returns {
		next := r.Clone()
		if next.OwnerPersonID == m.From {
			next.OwnerPersonID = m.To
		}
		if next.RecipientPersonID == m.From {
			next.RecipientPersonID = m.To
		}
		next.Version, next.UpdatedAt = r.Version+1, m.Now
		c.add(string(casework.ActionMergePersons), RecordReturn, r.ID, r, next)
		b.Returns = append(b.Returns, next)
	}
	if c.err != nil {
		return 0, c.err
	}
	if err := s.store.Apply(ctx, b, c.ch); err != nil {
		return 0, err
	}
	return len(items) + len(returns), nil
}
