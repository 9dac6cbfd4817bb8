package memstore

import (
	"time"

	"context"
	"slices"

	"github.com/grassroots-policing/grassroots/casework"
	cmem "github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/outreach"
)

func referralClone(r outreach.Referral) outreach.Referral { return r.Clone() }
func referralVersion(r outreach.Referral) int64           { return r.Version }

// CreateReferral implements outreach.Store.
func (s *Store) CreateReferral(ctx context.Context, r outreach.Referral, ch casework.Change) error {
	r = r.Clone()
	return s.db.Write(ctx, ch, func() error { return cmem.Insert(s.referrals, r.ID, r, "referral") })
}

// UpdateReferral implements outreach.Store.
func (s *Store) UpdateReferral(ctx context.Context, r outreach.Referral, ch casework.Change) error {
	r = r.Clone()
	return s.db.Write(ctx, ch, func() error { return cmem.Replace(s.referrals, r.ID, r, referralVersion, "referral") })
}

// GetReferral implements outreach.Store.
func (s *Store) GetReferral(ctx context.Context, id string) (r outreach.Referral, err error) {
	err = s.db.Read(ctx, func() error {
		r, err = cmem.Get(s.referrals, id, referralClone, "referral")
		return err
	})
	return r, err
}

// ListReferrals implements outreach.Store.
func (s *Store) ListReferrals(ctx context.Context, f outreach.ReferralFilter, p casework.Page) (out []outreach.Referral, err error) {
	u, err := s.db.Subtree(ctx, f.UnitUnder)
	if err != nil {
		return nil, err
	}
	err = s.db.Read(ctx, func() error {
		out, err = cmem.List(s.referrals, func(r outreach.Referral) bool {
			return u.Has(r.UnitID) && (len(f.Status) == 0 || slices.Contains(f.Status, r.Status)) &&
				(f.OwnerID == "" || r.OwnerID == f.OwnerID) && (f.VisitID == "" || r.VisitID == f.VisitID) &&
				(f.OverdueAt.IsZero() || r.Overdue(f.OverdueAt)) && (!f.Unnoticed || r.OverdueNoticedAt.IsZero())
		}, func(r outreach.Referral) casework.Cursor { return casework.Cursor{At: r.CreatedAt, ID: r.ID} }, referralClone, p)
		return err
	})
	return out, err
}

// TallyReferralsGrid implements outreach.Store, cell by cell.
func (s *Store) TallyReferralsGrid(ctx context.Context, g casework.Grid) ([]outreach.ReferralTally, error) {
	return casework.GridCells(ctx, g, func(ctx context.Context, path string, start, end time.Time) (outreach.ReferralTally, error) {
		return s.TallyReferrals(ctx, outreach.TallyFilter{UnitUnder: path, From: start, To: end})
	})
}

// TallyReferrals implements outreach.Store.
func (s *Store) TallyReferrals(ctx context.Context, f outreach.TallyFilter) (t outreach.ReferralTally, err error) {
	u, err := s.db.Subtree(ctx, f.UnitUnder)
	if err != nil {
		return t, err
	}
	err = s.db.Read(ctx, func() error {
		for _, r := range s.referrals {
			// Counted in the unit that held the referral at the time (a
			// unit's closing moves open referrals).
			in := func(at time.Time) bool {
				return within(at, f.From, f.To) && u.Has(cmem.UnitAt(s.db, outreach.RecordReferral, r.ID, r.UnitID, at))
			}
			if in(r.CreatedAt) {
				t.Made++
			}
			if r.Status == outreach.ReferralClosed && in(r.ClosedAt) {
				t.Closed++
				if t.ClosedBy == nil {
					t.ClosedBy = map[outreach.ReferralOutcome]int64{}
				}
				t.ClosedBy[r.Outcome]++
			}
		}
		return nil
	})
	if err != nil {
		return outreach.ReferralTally{}, err
	}
	return t, nil
}
