package outreach

import (
	"fmt"

	"github.com/grassroots-policing/grassroots/casework"
)

// The error kinds are the kernel's, the same in every grassroots package
// (details through errors.As on *casework.InvalidError and
// *casework.TransitionError); they are named here so that a caller matches
// errors.Is(err, outreach.ErrNotFound) with this package alone.
var (
	ErrNotFound             = casework.ErrNotFound
	ErrConflict             = casework.ErrConflict
	ErrInvalid              = casework.ErrInvalid
	ErrInvalidTransition    = casework.ErrInvalidTransition
	ErrForbidden            = casework.ErrForbidden
	ErrPreconditionRequired = casework.ErrPreconditionRequired
)

// ErrOverlap is the conflict of an officer accepting an appointment that
// overlaps one already accepted. It matches ErrConflict too.
var ErrOverlap = fmt.Errorf("%w: the officer already holds an accepted appointment at that time", casework.ErrConflict)
