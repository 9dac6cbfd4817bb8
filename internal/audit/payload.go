package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// Redacted replaces the value of a sensitive field in a diff. It is a fixed
// marker rather than, say, a hash of the value, because a hash of a
// low-entropy value (a date of birth, a phone number) can be guessed.
const Redacted = "[redacted]"

// Payload is the erasable detail of an entry. It is stored apart from the
// chain, which keeps only its Digest, so erasing it leaves the chain intact.
type Payload struct {
	// Before and After are StateDigest of the record before and after the
	// action, or "" when there was no record (creation, deletion). They let
	// an investigator confirm that a record's stored state is the one the
	// log vouches for without the log holding the state itself.
	Before string `json:"before"`
	After  string `json:"after"`
	// Diff lists the changed top-level fields in field order, with
	// sensitive values replaced by Redacted.
	Diff []FieldChange `json:"diff"`
}

// FieldChange is one changed top-level field. Old or New is nil when the
// field was absent on that side.
type FieldChange struct {
	Field string `json:"field"`
	Old   any    `json:"old"`
	New   any    `json:"new"`
}

// Canonical returns the payload as canonical JSON: object keys sorted at
// every level, no insignificant whitespace, HTML characters unescaped, a nil
// Diff written as []. Stores should persist these bytes verbatim (BLOB,
// BYTEA or TEXT — not JSONB, which rewrites numbers) and reload them with
// ParsePayload; the digest then survives the round trip.
func (p Payload) Canonical() ([]byte, error) {
	if b, ok := appendCanonicalPayload(make([]byte, 0, 512), p); ok {
		return b, nil
	}
	return p.canonicalSlow()
}

// canonicalSlow is the definition Canonical's fast path must match: it
// handles any value encoding/json can encode.
func (p Payload) canonicalSlow() ([]byte, error) {
	if p.Diff == nil {
		p.Diff = []FieldChange{}
	}
	raw, err := marshalJSON(p)
	if err != nil {
		return nil, fmt.Errorf("audit: encode payload: %w", err)
	}
	// Re-decoding into generic values sorts FieldChange keys the same way
	// map keys are sorted, and makes a parsed payload (whose numbers are
	// json.Number) encode identically to the one that was built.
	v, err := decodeJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("audit: canonicalise payload: %w", err)
	}
	return marshalJSON(v)
}

// Digest returns the SHA-256 of Canonical; it is what Entry.PayloadDigest
// holds. It fails only for values JSON cannot encode (NaN, channels), which
// Redact never produces.
func (p Payload) Digest() ([32]byte, error) {
	b, err := p.Canonical()
	if err != nil {
		return [32]byte{}, err
	}
	return sha256.Sum256(b), nil
}

// ParsePayload reads bytes written by Canonical. Numbers become json.Number
// so that they re-encode exactly as stored; unknown fields are rejected
// because silently dropping them would surface later as a digest mismatch
// that looks like tampering.
func ParsePayload(b []byte) (*Payload, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	var p Payload
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("audit: parse payload: %w", err)
	}
	if dec.More() {
		return nil, errors.New("audit: parse payload: trailing data")
	}
	return &p, nil
}

// StateDigest returns the lowercase hex SHA-256 of v's canonical JSON, or ""
// when v encodes as null, so "no record" is distinguishable from any state.
// It is exported so that a record's current state can be checked against
// the After digest of its latest entry.
//
// The digest covers sensitive fields too. Anyone who already knows every
// other field of a record can test guesses of a low-entropy sensitive value
// against it; that is why payloads are erasable.
func StateDigest(v any) (string, error) {
	_, d, err := state(v)
	return d, err
}

// Redact builds the payload for a change from before to after: digests of
// both full states and a diff of the top-level fields whose values differ.
// Values are compared and shown as JSON, so field names are the JSON names
// (after struct tags), and before/after must encode as JSON objects or null
// (nil for a creation or deletion).
//
// sensitive is asked about top-level field names only: a non-sensitive
// field's whole value is shown, so a secret nested inside it must be marked
// at the top-level field that contains it. A nil sensitive redacts every
// value, because forgetting the function must not publish anything.
// Presence is not redacted: a field that was absent on one side shows nil
// there.
func Redact(before, after any, sensitive func(field string) bool) (Payload, error) {
	bm, bd, err := state(before)
	if err != nil {
		return Payload{}, fmt.Errorf("audit: redact before: %w", err)
	}
	am, ad, err := state(after)
	if err != nil {
		return Payload{}, fmt.Errorf("audit: redact after: %w", err)
	}
	fields := make([]string, 0, len(bm)+len(am))
	for f := range bm {
		fields = append(fields, f)
	}
	for f := range am {
		if _, ok := bm[f]; !ok {
			fields = append(fields, f)
		}
	}
	slices.Sort(fields)

	p := Payload{Before: bd, After: ad, Diff: []FieldChange{}}
	for _, f := range fields {
		ov, inOld := bm[f]
		nv, inNew := am[f]
		if inOld && inNew {
			same, err := sameJSON(ov, nv)
			if err != nil {
				return Payload{}, fmt.Errorf("audit: redact field %q: %w", f, err)
			}
			if same {
				continue
			}
		}
		if sensitive == nil || sensitive(f) {
			if inOld {
				ov = Redacted
			}
			if inNew {
				nv = Redacted
			}
		}
		p.Diff = append(p.Diff, FieldChange{Field: f, Old: ov, New: nv})
	}
	return p, nil
}

// state decodes v into its top-level fields and digest; a nil map with an
// empty digest means "no record".
func state(v any) (map[string]any, string, error) {
	raw, err := marshalJSON(v)
	if err != nil {
		return nil, "", err
	}
	g, err := decodeJSON(raw)
	if err != nil {
		return nil, "", err
	}
	if g == nil {
		return nil, "", nil
	}
	m, ok := g.(map[string]any)
	if !ok {
		return nil, "", fmt.Errorf("state must encode as a JSON object, got %T", g)
	}
	canon, err := marshalJSON(m)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(canon)
	return m, hex.EncodeToString(sum[:]), nil
}

func sameJSON(a, b any) (bool, error) {
	ab, err := marshalJSON(a)
	if err != nil {
		return false, err
	}
	bb, err := marshalJSON(b)
	if err != nil {
		return false, err
	}
	return bytes.Equal(ab, bb), nil
}

// marshalJSON is json.Marshal without HTML escaping, which only obscures
// stored payloads for a reader and protects nothing here.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// decodeJSON keeps numbers as their literal text so that large integers
// (IDs, timestamps) are neither rounded nor re-formatted.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}
