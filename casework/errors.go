package casework

import "github.com/grassroots-policing/grassroots/internal/errs"

// The error kinds of every grassroots package. Match them with errors.Is;
// read details with errors.As on *InvalidError or *TransitionError.
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
	// FieldError is one field, the rule it broke and a message for people.
	FieldError = errs.FieldError
	// TransitionError names the refused state change and why.
	TransitionError = errs.TransitionError
)
