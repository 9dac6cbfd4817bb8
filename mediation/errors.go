package mediation

import "github.com/grassroots-policing/grassroots/casework"

// The error kinds are the kernel's, the same in every grassroots package
// (details through errors.As on *casework.InvalidError and
// *casework.TransitionError); they are named here so that a caller matches
// errors.Is(err, mediation.ErrNotFound) with this package alone.
var (
	ErrNotFound             = casework.ErrNotFound
	ErrConflict             = casework.ErrConflict
	ErrInvalid              = casework.ErrInvalid
	ErrInvalidTransition    = casework.ErrInvalidTransition
	ErrForbidden            = casework.ErrForbidden
	ErrPreconditionRequired = casework.ErrPreconditionRequired
)
