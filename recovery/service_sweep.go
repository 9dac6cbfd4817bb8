package recovery

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

var _ casework.Sweeper = (*Service)(nil)

// Sweep makes every recovered item whose holding period ended by now
// unclaimed, and tells its unit (a notice, never personal data). The item
// counts as unclaimed from the end of its holding period, not from the
// sweep, so a late sweep changes no figure. It is idempotent: a second
// sweep at the same now changes nothing. An item changed concurrently (just
// identified) is skipped; the next sweep sees it again if it is still due.
// The audit log names the system as the actor.
func (s *Service) Sweep(ctx context.Context, now time.Time) (casework.SweepResult, error) {
	now = casework.Truncate(now)
	var due []Item
	err := s.scan(ctx, ItemFilter{States: []State{StateRecovered}, HoldExpired: now}, math.MaxInt, func(it Item) error {
		due = append(due, it)
		return nil
	})
	if err != nil {
		return casework.SweepResult{}, err
	}
	var res casework.SweepResult
	for _, it := range due {
		next := it.Clone()
		next.State, next.UnclaimedAt = StateUnclaimed, it.HoldUntil
		next.Version, next.UpdatedAt = it.Version+1, s.k.Now()
		sys := casework.Actor{StaffID: casework.SystemActorID, UnitID: it.UnitID}
		c := s.changes(ctx, sys)
		c.add("recovery.item.unclaimed", RecordItem, it.ID, it, next)
		if err := c.apply(Batch{Items: []Item{next}}); err != nil {
			if errors.Is(err, errs.ErrConflict) {
				continue
			}
			return casework.SweepResult{}, err
		}
		res.Changed++
		n := casework.Notice{Kind: casework.NoticeOverdue, UnitID: it.UnitID, RecordType: RecordItem, RecordID: it.ID,
			Reason: "holding_period_ended", Due: it.HoldUntil}
		if err := s.k.Notifier().Notify(ctx, n); err != nil {
			s.k.Logger().Warn().Err(err).Str("item_id", it.ID).Msg("unclaimed-item notice not delivered")
			continue
		}
		res.Notified++
	}
	return res, nil
}
