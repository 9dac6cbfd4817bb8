package casework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// ErrRequestKeyReused is the conflict of a request key used before with a
// different input. It is also ErrConflict; the HTTP layer tells it apart (422)
// from a record that conflicts (409) and a stale version (412).
var ErrRequestKeyReused = errors.New("request key used before with a different request")

// DefaultRequestKeyTTL is how long a request key answers a repeat of its
// request when Config.RequestKeyTTL is not set.
const DefaultRequestKeyTTL = 24 * time.Hour

// CreateOnce runs a create under an actor-scoped request key. Without a key
// it just runs create. With one:
//   - a key seen within Config.RequestKeyTTL with the same input returns the
//     first result and creates nothing; a key older than that has expired
//     and the request is a new one, whose key replaces the expired one in
//     the create's own transaction (RequestKey.ExpiredBefore);
//   - a key seen before with different input is ErrRequestKeyReused (also
//     ErrConflict);
//   - otherwise create runs with a RequestKey to commit in its Change (it
//     sets RecordType, RecordID and, through SetResult, the snapshot); a
//     concurrent request with the same key loses on the unique key and
//     returns the winner's result.
func CreateOnce[T any](ctx context.Context, k *Kernel, actor Actor, key string, input any, create func(rk *RequestKey) (T, error)) (T, error) {
	var zero T
	if key == "" {
		return zeroOnError(create(nil))
	}
	if len(key) > 200 {
		return zero, errs.Invalid("requestKey", "max", "must be at most 200 bytes")
	}
	fp, err := k.fingerprint(ctx, input)
	if err != nil {
		return zero, err
	}
	now := k.Now()
	cutoff := now.Add(-k.requestKeyTTL)
	if v, found, err := replay[T](ctx, k, actor, key, fp, cutoff); found || err != nil {
		return zeroOnError(v, err)
	}
	rk := &RequestKey{ActorID: actor.StaffID, Key: key, Fingerprint: fp, CreatedAt: now, ExpiredBefore: cutoff}
	v, err := create(rk)
	if errors.Is(err, errs.ErrConflict) {
		if prev, found, rerr := replay[T](ctx, k, actor, key, fp, cutoff); found || rerr != nil {
			return zeroOnError(prev, rerr)
		}
	}
	return zeroOnError(v, err)
}

// zeroOnError keeps the rule that a method returning an error returns the
// zero value with it, whatever create or a half-decoded replay left in v.
func zeroOnError[T any](v T, err error) (T, error) {
	if err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

// replay finds the answer of a request made before under key, unless the
// key was created before cutoff: an expired key answers nothing.
func replay[T any](ctx context.Context, k *Kernel, actor Actor, key, fp string, cutoff time.Time) (T, bool, error) {
	var v T
	rk, err := k.store.GetRequestKey(ctx, actor.StaffID, key)
	if errors.Is(err, errs.ErrNotFound) || (err == nil && rk.CreatedAt.Before(cutoff)) {
		return v, false, nil
	}
	if err != nil {
		return v, false, err
	}
	if rk.Fingerprint != fp {
		return v, true, errs.Wrap(errs.ErrConflict, ErrRequestKeyReused, "request key %q", key)
	}
	if err := json.Unmarshal(rk.Result, &v); err != nil {
		return v, true, fmt.Errorf("request key %q: stored result: %w", key, err)
	}
	return v, true, nil
}

// SetResult records the result snapshot a repeat of the request returns.
func (rk *RequestKey) SetResult(recordType, recordID string, result any) error {
	if rk == nil {
		return nil
	}
	b, err := json.Marshal(result)
	if err != nil {
		return err
	}
	rk.RecordType, rk.RecordID, rk.Result = recordType, recordID, b
	return nil
}

// fingerprint is keyed (a blind index), because the input holds identity
// numbers and phones: an unkeyed hash of it could be brute-forced offline
// from the other, public fields of the record.
func (k *Kernel) fingerprint(ctx context.Context, input any) (string, error) {
	b, err := json.Marshal(input)
	if err != nil {
		return "", fmt.Errorf("request fingerprint: %w", err)
	}
	return k.sealer.BlindIndex(ctx, "request.fingerprint", b)
}

// Keyed attaches a create's request key to its change, with the snapshot a
// repeat of the request returns. A nil key (no request key given) attaches
// nothing.
func (ch *Change) Keyed(rk *RequestKey, recordType, recordID string, result any) error {
	if rk == nil {
		return nil
	}
	if err := rk.SetResult(recordType, recordID, result); err != nil {
		return err
	}
	ch.RequestKey = rk
	return nil
}
