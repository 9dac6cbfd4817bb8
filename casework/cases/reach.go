package cases

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// unitReach checks, before any permission check, that a unit the actor
// names (to report into, list or count) lies in its reach; "" is the
// actor's own unit. A unit out of reach, and any unit for an actor who is
// no active staff member, answers ErrNotFound as a unit that does not exist.
func (s *Service) unitReach(ctx context.Context, actor casework.Actor, unitID string) error {
	if unitID == "" {
		unitID = actor.UnitID
	}
	return s.k.Reach(ctx, actor, casework.Target{RecordType: "unit", RecordID: unitID, UnitID: unitID})
}

// checkRefs records a field error (rule "exists") for every id that names
// no kernel record of recordType in the actor's reach — one that does not
// exist and one of another unit alike, so an input cannot probe other
// units. A single id is reported under field itself, a list under
// field[i]. Any other failure is returned.
func (s *Service) checkRefs(ctx context.Context, actor casework.Actor, f *errs.Fields, recordType, field string, ids []string) error {
	for i, id := range ids {
		if id == "" {
			continue
		}
		ok, err := s.k.RefInReach(ctx, actor, recordType, id)
		if err != nil {
			return err
		}
		if !ok {
			name := field
			if !strings.HasSuffix(field, "Id") {
				name = field + "[" + strconv.Itoa(i) + "]"
			}
			f.Add(name, "exists", "no %s %q in reach", recordType, id)
		}
	}
	return nil
}

// reachThen checks a loaded record's target: reach first (ErrNotFound as
// for an id that does not exist), then the action (Authorize).
func (s *Service) reachThen(ctx context.Context, actor casework.Actor, action casework.Action, t casework.Target) error {
	if err := s.k.Reach(ctx, actor, t); err != nil {
		return err
	}
	return s.k.Authorize(ctx, actor, action, t)
}

// notFound tells a reference that answered "no such record" from any other
// failure.
func notFound(err error) bool { return errors.Is(err, errs.ErrNotFound) }
