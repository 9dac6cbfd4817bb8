// Package errs holds the few error kinds every package of grassroots shares.
//
// Callers match kinds with errors.Is against the sentinels and read details
// with errors.As; nothing ever matches error strings. Storage errors keep the
// backend's own error reachable through Unwrap so that a log can show it,
// while the HTTP layer maps only the sentinel.
package errs

import (
	"errors"
	"fmt"
	"strings"
)

// The sentinels. Each package re-exports them so that an embedder writes
// mediation.ErrNotFound without importing internal code.
var (
	ErrNotFound             = errors.New("not found")
	ErrConflict             = errors.New("conflict")
	ErrInvalid              = errors.New("invalid input")
	ErrInvalidTransition    = errors.New("invalid transition")
	ErrForbidden            = errors.New("forbidden")
	ErrPreconditionRequired = errors.New("precondition required")
)

// FieldError names one field that broke one rule.
type FieldError struct {
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// InvalidError reports every field that failed, so a form can show them all
// at once instead of one per round trip.
type InvalidError struct {
	Fields []FieldError
}

func (e *InvalidError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// Invalid builds an InvalidError for one field.
func Invalid(field, rule, format string, args ...any) error {
	return &InvalidError{Fields: []FieldError{{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)}}}
}

// Fields collects field errors; Err returns nil when nothing was added, so
// validation code reads as a list of checks followed by one return.
type Fields struct{ list []FieldError }

// Add records one failed rule.
func (f *Fields) Add(field, rule, format string, args ...any) {
	f.list = append(f.list, FieldError{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

// Merge adds the fields of an InvalidError under a prefix (e.g. "parties[0].");
// any other non-nil error is recorded against the prefix itself.
func (f *Fields) Merge(prefix string, err error) {
	if err == nil {
		return
	}
	var inv *InvalidError
	if errors.As(err, &inv) {
		for _, fe := range inv.Fields {
			fe.Field = prefix + fe.Field
			f.list = append(f.list, fe)
		}
		return
	}
	f.list = append(f.list, FieldError{Field: strings.TrimSuffix(prefix, "."), Rule: "invalid", Message: err.Error()})
}

// Err returns the collected errors, or nil.
func (f *Fields) Err() error {
	if len(f.list) == 0 {
		return nil
	}
	return &InvalidError{Fields: append([]FieldError(nil), f.list...)}
}

// TransitionError says which state change was refused and why.
type TransitionError struct {
	From, To, Why string
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("invalid transition from %s to %s: %s", e.From, e.To, e.Why)
}

// Is makes errors.Is(err, ErrInvalidTransition) true.
func (e *TransitionError) Is(target error) bool { return target == ErrInvalidTransition }

// Transition builds a TransitionError.
func Transition(from, to, why string) error { return &TransitionError{From: from, To: to, Why: why} }

// kindError carries a sentinel, a message for people and, optionally, the
// backend error that caused it (go-cloud style: both are reachable).
type kindError struct {
	kind  error
	msg   string
	cause error
}

func (e *kindError) Error() string {
	if e.msg == "" {
		return e.kind.Error()
	}
	return e.kind.Error() + ": " + e.msg
}

func (e *kindError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

// New returns an error of the given kind with a message.
func New(kind error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// Wrap returns an error of the given kind that also wraps cause.
func Wrap(kind, cause error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...), cause: cause}
}

// NotFound is the error for a record that does not exist or is out of the
// actor's reach; the two are indistinguishable on purpose.
func NotFound(recordType, id string) error {
	return New(ErrNotFound, "%s %q", recordType, id)
}

// Stale is the compare-and-swap failure: the caller's version is not the
// stored one.
func Stale(recordType, id string, version int64) error {
	return New(ErrConflict, "%s %q was changed by someone else (version %d is stale)", recordType, id, version)
}
