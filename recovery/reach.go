package recovery

import (
	"context"

	"github.com/grassroots-policing/grassroots/casework"
)

// above reports whether unit upper's subtree holds unit lower.
func (s *Service) above(ctx context.Context, upper, lower string) bool {
	up, err := s.k.UnitPath(ctx, upper)
	if err != nil {
		return false
	}
	low, err := s.k.UnitPath(ctx, lower)
	return err == nil && casework.Contains(up, low)
}
