package recovery

import (
	"context"

	"github.com/grassroots-policing/grassroots/casework"
)

// CheckStolen is a temporary stand-in so that the tree compiles while the
// real check (recovery's item validation, shared with RegisterStolen) is
// written in parallel; it accepts everything. Delete this file when the
// real method lands.
func (s *Service) CheckStolen(context.Context, casework.StolenItems) error { return nil }
