package outreach

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// linkFinding writes the receiver's id on the visit's finding, in its own
// small transaction, audited as the system acting for the visit's unit. A
// repeat with the same id changes nothing; a lost race with another writer
// of the visit is retried.
func (s *Service) linkFinding(ctx context.Context, msg casework.OutboxMessage, resultID string) error {
	if msg.SourceKind != RecordVisit {
		return fmt.Errorf("outreach: hand-off %s comes from a %s, not a visit", msg.ID, msg.SourceKind)
	}
	return retry(func() error {
		cur, err := s.store.GetVisit(ctx, msg.SourceID)
		if err != nil {
			return err
		}
		i := -1
		for j, f := range cur.Findings {
			if f.Step == msg.Step {
				i = j
			}
		}
		if i < 0 {
			return errs.NotFound("finding", msg.SourceID+"/"+msg.Step)
		}
		if cur.Findings[i].ResultID == resultID {
			return nil
		}
		next := cur.Clone()
		now := s.k.Now()
		next.Findings[i].ResultID, next.Findings[i].LinkedAt = resultID, now
		next.Version, next.UpdatedAt = cur.Version+1, now
		sys := casework.Actor{StaffID: casework.SystemActorID, UnitID: cur.UnitID}
		ch, err := s.k.Change(ctx, sys, "visit.link_finding", RecordVisit, cur.ID, cur, next)
		if err != nil {
			return err
		}
		if err := s.store.UpdateVisit(ctx, next, ch); errors.Is(err, errs.ErrConflict) {
			return errRetry
		} else if err != nil {
			return err
		}
		return nil
	})
}

// HandOffs returns the hand-offs of a visit with their delivery state, for a
// reader who may see the visit.
func (s *Service) HandOffs(ctx context.Context, actor casework.Actor, visitID string) ([]casework.OutboxMessage, error) {
	if _, err := s.GetVisit(ctx, actor, visitID); err != nil {
		return nil, err
	}
	msgs, err := s.k.Store().ListOutbox(ctx, RecordVisit, visitID)
	if err != nil {
		return nil, err
	}
	for i := range msgs {
		msgs[i].Payload = json.RawMessage(nil)
	}
	return msgs, nil
}
