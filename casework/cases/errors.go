package cases

import "github.com/grassroots-policing/grassroots/internal/errs"

// The error kinds of this package, the same sentinels every grassroots
// package shares. Match them with errors.Is; read details with errors.As on
// *InvalidError (every field and the rule it broke) or *TransitionError
// (from, to and why).
var (
	ErrNotFound             = errs.ErrNotFound
	ErrConflict             = errs.ErrConflict
	ErrInvalid              = errs.ErrInvalid
	ErrInvalidTransition    = errs.ErrInvalidTransition
	ErrForbidden            = errs.ErrForbidden
	ErrPreconditionRequired = errs.ErrPreconditionRequired
)

type (
	// InvalidError lists every field that broke a rule.
	InvalidError = errs.InvalidError
	// TransitionError names the refused state change and why.
	TransitionError = errs.TransitionError
)
