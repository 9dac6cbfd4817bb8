package mediation

import (
	"context"
	"slices"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
)

var _ casework.PersonReferences = (*Service)(nil)

// partyDocsAfterMerge is d's party document indexes once m re-pointed d:
// the merged person's document leaves them (the tombstone is out of every
// document index), and the survivor's joins them when the survivor is now
// a party, so a search by either document finds the dispute under the
// survivor, as the party filter would have found it had the survivor been
// named at the report.
func partyDocsAfterMerge(d Dispute, m casework.PersonMove) []string {
	out := slices.DeleteFunc(slices.Clone(d.PartyDocIndex), func(x string) bool { return x == m.FromDocIndex })
	if _, party := d.Party(m.To); party && m.ToDocIndex != "" && !slices.Contains(out, m.ToDocIndex) {
		out = append(out, m.ToDocIndex)
	}
	return out
}

// MovePersonReferences implements casework.PersonReferences: every dispute
// naming m.From — as a party, a representative, an attendee, a signer —
// names m.To instead, each update audited as a person merge. Person ids
// live inside the dispute's body, which no index covers, so it reads every
// dispute: merges are rare, and this keeps the schema as it is. The kernel
// calls it inside the merge's atomic write.
func (s *Service) MovePersonReferences(ctx context.Context, m casework.PersonMove) (int, error) {
	return casework.MoveReferences(ctx, s.k, m, casework.PersonRecords[Dispute]{
		RecordType: RecordType,
		List: func(ctx context.Context, p casework.Page) ([]Dispute, error) {
			return s.store.ListDisputes(ctx, Filter{}, p)
		},
		Key: func(d Dispute) casework.Cursor { return casework.Cursor{At: d.CreatedAt, ID: d.ID} },
		Stamp: func(cur Dispute, next *Dispute, now time.Time) {
			next.Version, next.UpdatedAt = cur.Version+1, now
			next.PartyDocIndex = partyDocsAfterMerge(*next, m)
		},
		Audit:  func(d Dispute) any { return view(d) },
		Update: s.store.UpdateDispute,
	})
}
