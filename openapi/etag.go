package openapi

import (
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

// withETag returns err; when err is a stale version (a conflict) it carries
// the record's current ETag as well, read with current, so that the 412
// tells the client which version to base a retry on. A failing re-read
// leaves err as it was.
func withETag(err error, current func() (int64, error)) error {
	if !errors.Is(err, casework.ErrConflict) || errors.Is(err, casework.ErrRequestKeyReused) {
		return err
	}
	v, rerr := current()
	if rerr != nil {
		return err
	}
	return &httpError{kind: casework.ErrConflict, detail: "the record was changed by someone else; its current ETag is " + etag(v), etag: etag(v), cause: err}
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
		return zero, withETag(err, current)
	}
	return out, nil
}
