package cases

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

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

// notFound tells a reference that answered "no such record" from any other
// failure.
func notFound(err error) bool { return errors.Is(err, errs.ErrNotFound) }
