package mediation

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Sweep notifies the unit of every open deadline that is approaching
// (within Config.NoticeAhead) or overdue at now, as OpenDeadlines and
// Overdue decide them. Each notice is sent once: the sweep first records
// it on the dispute (audited, as the system actor, compare-and-swap), then
// sends it, so two processes sweeping at once do not both notify, and a
// second sweep at the same now changes nothing. A dispute changed by
// someone else meanwhile is skipped and caught by the next sweep. A sweep
// that fails answers the zero result with its error, as every method does;
// what it committed before failing is in the audit log, and the next sweep
// finds the rest.
func (s *Service) Sweep(ctx context.Context, now time.Time) (casework.SweepResult, error) {
	var res casework.SweepResult
	now = casework.Truncate(now)
	f := Filter{DueBy: now.Add(s.cfg.NoticeAhead)}
	page := casework.Page{Limit: casework.MaxPageLimit}
	for {
		rows, err := s.store.ListDisputes(ctx, f, page)
		if err != nil {
			return casework.SweepResult{}, err
		}
		for _, d := range rows {
			marks := s.dueNotices(d, now)
			if len(marks) == 0 {
				continue
			}
			ok, err := s.markNotices(ctx, d, marks)
			if err != nil {
				return casework.SweepResult{}, err
			}
			if !ok {
				continue
			}
			res.Changed++
			for _, m := range marks {
				s.notify(ctx, casework.Notice{Kind: m.Kind, UnitID: d.UnitID, RecordType: RecordType, RecordID: d.ID,
					Reason: string(m.Reason), Due: m.Due})
				res.Notified++
			}
		}
		if len(rows) < page.Limit {
			return res, nil
		}
		last := rows[len(rows)-1]
		page.After = casework.Cursor{At: last.CreatedAt, ID: last.ID}.Encode()
	}
}

// dueNotices returns the notices d calls for at now and has not had.
func (s *Service) dueNotices(d Dispute, now time.Time) []NoticeMark {
	overdue := Overdue(d, now)
	var out []NoticeMark
	for _, dl := range OpenDeadlines(d) {
		kind := casework.NoticeKind("")
		switch {
		case slices.Contains(overdue, dl):
			kind = casework.NoticeOverdue
		case dl.Due.Sub(now) <= s.cfg.NoticeAhead:
			kind = casework.NoticeDeadlineApproaching
		default:
			continue
		}
		sent := slices.ContainsFunc(d.Notices, func(m NoticeMark) bool {
			return m.Kind == kind && m.Reason == dl.Reason && m.Ref == dl.Ref && m.Due.Equal(dl.Due)
		})
		if !sent {
			out = append(out, NoticeMark{Kind: kind, Reason: dl.Reason, Ref: dl.Ref, Due: dl.Due, At: s.k.Now()})
		}
	}
	return out
}

// markNotices records the notices on the dispute; false means someone else
// changed it first.
func (s *Service) markNotices(ctx context.Context, cur Dispute, marks []NoticeMark) (bool, error) {
	next := cur.Clone()
	next.Notices = append(next.Notices, marks...)
	next.Version, next.UpdatedAt = cur.Version+1, s.k.Now()
	next.NextDue = NextDueOf(next)
	system := casework.Actor{StaffID: casework.SystemActorID, UnitID: cur.UnitID}
	ch, err := s.k.Change(ctx, system, "mediation.notice", RecordType, cur.ID, view(cur), view(next))
	if err != nil {
		return false, err
	}
	err = s.store.UpdateDispute(ctx, next, ch)
	if errors.Is(err, errs.ErrConflict) {
		return false, nil
	}
	return err == nil, err
}
