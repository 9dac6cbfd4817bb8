package outreach

import (
	"context"
	"errors"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

var _ casework.Sweeper = (*Service)(nil)

// ReasonReferralDue is the reason code of a referral's overdue notice.
const ReasonReferralDue = "referral_due"

// Sweep sends one overdue notice for every referral overdue at now
// (Referral.Overdue, the one outreach deadline rule, as the store selects
// it) that has not had one. Each notice is first recorded on the referral
// (OverdueNoticedAt, audited as the system actor, compare-and-swap), then
// sent, so two processes sweeping at once do not both notify and a second
// sweep at the same or a later now sends nothing new; a referral closed
// before the sweep is not overdue and gets none. The notice is for the
// referral's owner (Notice.StaffID) while the owner is active and reaches
// the referral; otherwise it is for the unit's supervisors alone, who must
// hand it over. A referral changed by someone else meanwhile is skipped and
// seen again by the next sweep if it is still overdue. A notice the
// notifier fails to deliver is logged, as every notice is: the overdue
// list shows the same fact.
func (s *Service) Sweep(ctx context.Context, now time.Time) (casework.SweepResult, error) {
	var res casework.SweepResult
	now = casework.Truncate(now)
	f := ReferralFilter{OverdueAt: now, Unnoticed: true}
	page := casework.Page{Limit: casework.MaxPageLimit}
	for {
		rows, err := s.store.ListReferrals(ctx, f, page)
		if err != nil {
			return casework.SweepResult{}, err
		}
		for _, r := range rows {
			ok, err := s.markOverdue(ctx, r)
			if err != nil {
				return casework.SweepResult{}, err
			}
			if !ok {
				continue
			}
			res.Changed++
			to, err := s.noticeOwner(ctx, r)
			if err != nil {
				return casework.SweepResult{}, err
			}
			n := casework.Notice{Kind: casework.NoticeOverdue, UnitID: r.UnitID, RecordType: RecordReferral, RecordID: r.ID,
				Reason: ReasonReferralDue, Due: r.Due, StaffID: to}
			if err := s.k.Notifier().Notify(ctx, n); err != nil {
				s.k.Logger().Warn().Err(err).Str("referral_id", r.ID).Msg("overdue referral notice not delivered")
				continue
			}
			res.Notified++
		}
		if len(rows) < page.Limit {
			return res, nil
		}
		last := rows[len(rows)-1]
		page.After = casework.Cursor{At: last.CreatedAt, ID: last.ID}.Encode()
	}
}

// markOverdue records on the referral that its overdue notice goes out;
// false means someone else changed it first.
func (s *Service) markOverdue(ctx context.Context, cur Referral) (bool, error) {
	now := s.k.Now()
	next := cur.Clone()
	next.OverdueNoticedAt, next.Version, next.UpdatedAt = now, cur.Version+1, now
	system := casework.Actor{StaffID: casework.SystemActorID, UnitID: cur.UnitID}
	ch, err := s.k.Change(ctx, system, "referral.overdue_notice", RecordReferral, cur.ID, cur, next)
	if err != nil {
		return false, err
	}
	err = s.store.UpdateReferral(ctx, next, ch)
	if errors.Is(err, errs.ErrConflict) {
		return false, nil
	}
	return err == nil, err
}

// noticeOwner is whom a referral's overdue notice is for: its owner while
// active and reaching the referral, else "" (the unit's supervisors).
func (s *Service) noticeOwner(ctx context.Context, r Referral) (string, error) {
	st, err := s.k.Store().GetStaff(ctx, r.OwnerID)
	if errors.Is(err, errs.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	err = s.k.Reach(ctx, casework.Actor{StaffID: st.ID, UnitID: st.UnitID, Roles: st.Roles}, referralTarget(r))
	switch {
	case err == nil:
		return st.ID, nil
	case errors.Is(err, errs.ErrNotFound):
		return "", nil
	}
	return "", err
}
