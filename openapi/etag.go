package openapi

import (
	"context"
	"errors"
	"strconv"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/openapi/api"
)

// etag is the ETag of a record at a version: the version, quoted.
func etag(version int64) string {
	return `"` + strconv.FormatInt(version, 10) + `"`
}

// ifMatch reads the version an update is based on from If-Match: missing is
// 428, anything but one quoted version (an ETag this API gave out) is 400.
func ifMatch(header api.IfMatch) (int64, error) {
	if header == "" {
		return 0, &httpError{kind: casework.ErrPreconditionRequired, detail: "If-Match is required: send the ETag of the version the change is based on"}
	}
	if digits, ok := quoted(header); ok {
		if v, err := strconv.ParseInt(digits, 10, 64); err == nil {
			return v, nil
		}
	}
	return 0, badRequest("If-Match", "format", `must be one ETag such as "3"`)
}

// quoted returns the digits of a strong ETag such as "3".
func quoted(h string) (string, bool) {
	if len(h) < 3 || h[0] != '"' || h[len(h)-1] != '"' {
		return "", false
	}
	digits := h[1 : len(h)-1]
	for _, c := range []byte(digits) {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	return digits, true
}

// withETag returns err; when err is a conflict on a record whose current
// version is no longer sent — a stale If-Match — it becomes the 412 that
// carries the record's current ETag, read with current, so the client knows
// which version to base a retry on. A conflict at the version sent (a rule
// such as overlapping appointments, not a race) stays a 409, and a failing
// re-read leaves err as it was.
func withETag(err error, sent int64, current func() (int64, error)) error {
	if !errors.Is(err, casework.ErrConflict) || errors.Is(err, casework.ErrRequestKeyReused) {
		return err
	}
	v, rerr := current()
	if rerr != nil || v == sent {
		return err
	}
	return &httpError{kind: casework.ErrConflict, stale: true, detail: "the record was changed by someone else; its current ETag is " + etag(v), etag: etag(v), cause: err}
}

// requestKey is the input's RequestKey for an Idempotency-Key header
// ("" without one).
func requestKey(key *api.IdempotencyKey) string {
	if key == nil {
		return ""
	}
	return *key
}

// versioned runs a compare-and-swap change on the version If-Match names:
// 428 without it, 400 when malformed, and on a stale version a 412 that
// carries the current ETag, read with current.
func versioned[T any](header api.IfMatch, change func(version int64) (T, error), current func() (int64, error)) (T, error) {
	var zero T
	version, err := ifMatch(header)
	if err != nil {
		return zero, err
	}
	out, err := change(version)
	if err != nil {
		return zero, withETag(err, version, current)
	}
	return out, nil
}

// ifMatchChange is versioned for a change made as the request's actor:
// change runs on the If-Match version, and current re-reads the record's
// version for the 412 of a stale one.
func ifMatchChange[R any](ctx context.Context, header api.IfMatch, change func(casework.Actor, int64) (R, error), current func(casework.Actor) (int64, error)) (R, error) {
	actor := actorOf(ctx)
	return versioned(header, func(v int64) (R, error) { return change(actor, v) }, func() (int64, error) { return current(actor) })
}
