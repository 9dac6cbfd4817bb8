package cases

import (
	"context"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
)

var _ casework.PersonReferences = (*Service)(nil)

// MovePersonReferences implements casework.PersonReferences: every case
// naming m.From — a victim, a suspect, an arrest, a stolen item's owner —
// and every lead naming it names m.To instead, each update audited as a
// person merge. Stores index the persons a case or lead names
// (Filter.PersonID, LeadFilter.PersonID), so it reads the person's records
// only, however many others there are. The kernel calls it inside the
// merge's atomic write.
func (s *Service) MovePersonReferences(ctx context.Context, m casework.PersonMove) (int, error) {
	nc, err := casework.MoveReferences(ctx, s.k, m, casework.PersonRecords[Case]{
		RecordType: RecordCase,
		List: func(ctx context.Context, p casework.Page) ([]Case, error) {
			return s.store.ListCases(ctx, Filter{PersonID: m.From}, p)
		},
		Key:   func(c Case) casework.Cursor { return casework.Cursor{At: c.CreatedAt, ID: c.ID} },
		Stamp: func(cur Case, next *Case, now time.Time) { next.Version, next.UpdatedAt = cur.Version+1, now },
		Update: func(ctx context.Context, c Case, ch casework.Change) error {
			return s.store.CommitCases(ctx, Write{Cases: []Case{c}}, ch)
		},
	})
	if err != nil {
		return 0, err
	}
	nl, err := casework.MoveReferences(ctx, s.k, m, casework.PersonRecords[Lead]{
		RecordType: RecordLead,
		List: func(ctx context.Context, p casework.Page) ([]Lead, error) {
			return s.store.ListLeads(ctx, LeadFilter{PersonID: m.From}, p)
		},
		Key:   func(l Lead) casework.Cursor { return casework.Cursor{At: l.CreatedAt, ID: l.ID} },
		Stamp: func(cur Lead, next *Lead, now time.Time) { next.Version, next.UpdatedAt = cur.Version+1, now },
		Update: func(ctx context.Context, l Lead, ch casework.Change) error {
			return s.store.CommitCases(ctx, Write{Leads: []Lead{l}}, ch)
		},
	})
	return nc + nl, err
}
