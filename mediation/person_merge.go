package mediation

import (
	"context"
	"slices"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
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
// names m.To instead, each update audited as a person merge. Stores index
// the persons a dispute names (Filter.PersonID), so it reads the person's
// disputes only, however many others there are. The kernel calls it
// inside the merge's atomic write.
func (s *Service) MovePersonReferences(ctx context.Context, m casework.PersonMove) (int, error) {
	return casework.MoveReferences(ctx, s.k, m, casework.PersonRecords[Dispute]{
		RecordType: RecordType,
		List: func(ctx context.Context, p casework.Page) ([]Dispute, error) {
			ds, err := s.store.ListDisputes(ctx, Filter{PersonID: m.From}, p)
			for _, d := range ds {
				if err == nil {
					err = opposingParties(d, m)
				}
			}
			return ds, err
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

// opposingParties refuses a merge of two persons who are both parties of
// one dispute: one person on two sides, or twice on one, is a dispute the
// merge would make nonsense of. Its parties are corrected first
// (UpdateParties), then the persons merged.
func opposingParties(d Dispute, m casework.PersonMove) error {
	_, from := d.Party(m.From)
	_, to := d.Party(m.To)
	if from && to {
		return errs.Invalid("mergedId", "parties", "both persons are parties of dispute %s: correct its parties before merging them", d.ID)
	}
	return nil
}

// PersonKeys are the JSON keys of a dispute whose string values are person
// ids: what PersonIDs reads, and what SQL stores read from stored bodies
// to index disputes written before they indexed persons. A field that
// names a person is added to both.
var PersonKeys = []string{"personId", "partyId", "obligorId", "signedBy", "refusedBy"}

// PersonIDs returns every person the dispute names — a party, a
// representative, an attendee, a party's responsibility or term, a
// signer, the party whose refusal failed it — sorted, each once: what
// stores index so that a person merge finds the person's disputes without
// reading the others (Filter.PersonID).
func (d Dispute) PersonIDs() []string {
	var out []string
	add := func(ids ...string) {
		for _, id := range ids {
			if id != "" {
				out = append(out, id)
			}
		}
	}
	for _, p := range d.Parties {
		add(p.PersonID)
		for _, r := range p.Representatives {
			add(r.PersonID)
		}
	}
	for _, s := range d.Sessions {
		for _, a := range s.Attendees {
			add(a.PersonID)
		}
	}
	for _, a := range d.Agreements {
		for _, r := range a.Responsibilities {
			add(r.PartyID)
		}
		for _, t := range a.Terms {
			add(t.ObligorID)
		}
		for _, s := range a.Signatures {
			add(s.PartyID, s.SignedBy)
		}
	}
	for _, h := range d.History {
		add(h.RefusedBy)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
