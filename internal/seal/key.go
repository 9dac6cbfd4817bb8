package seal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
)

// KeySize is the length of both the sealing and the index key: AES-256 needs
// 32 bytes, and a 32-byte HMAC-SHA256 key gives indexes the same strength.
const KeySize = 32

// maxKeyIDLen keeps the id representable in the single length byte of the
// sealed format.
const maxKeyIDLen = 255

var (
	// ErrUnknownKey reports that a key id is not known to a KeyProvider,
	// typically because a value was sealed under a key that has since been
	// removed from the configuration.
	ErrUnknownKey = errors.New("seal: unknown key id")

	// ErrInvalidKey reports key material or a key id that cannot be used, so
	// misconfiguration fails at start-up rather than on first use.
	ErrInvalidKey = errors.New("seal: invalid key")
)

// Key is one generation of key material. Seal encrypts values; Index is only
// used when this key is the Sealer's pinned index key (see the package doc).
type Key struct {
	ID    string
	Seal  []byte // AES-256 key, KeySize bytes.
	Index []byte // HMAC-SHA256 key for blind indexes, KeySize bytes.
}

// String keeps key material out of logs and error messages when a Key is
// printed by accident.
func (k Key) String() string { return fmt.Sprintf("seal.Key{ID: %q, <redacted>}", k.ID) }

// GoString redacts %#v for the same reason as String.
func (k Key) GoString() string { return k.String() }

// MarshalJSON refuses, so that handing a Key to a JSON logger fails loudly
// instead of writing the key material out.
func (k Key) MarshalJSON() ([]byte, error) {
	return nil, fmt.Errorf("seal: refusing to marshal key %q", k.ID)
}

func (k Key) validate() error {
	if err := validateKeyID(k.ID); err != nil {
		return err
	}
	if len(k.Seal) != KeySize {
		return fmt.Errorf("%w: key %q: seal key is %d bytes, want %d", ErrInvalidKey, k.ID, len(k.Seal), KeySize)
	}
	if len(k.Index) != KeySize {
		return fmt.Errorf("%w: key %q: index key is %d bytes, want %d", ErrInvalidKey, k.ID, len(k.Index), KeySize)
	}
	return nil
}

func (k Key) clone() Key {
	return Key{ID: k.ID, Seal: bytes.Clone(k.Seal), Index: bytes.Clone(k.Index)}
}

// validateKeyID restricts ids to a conservative alphabet because they are
// stored in every sealed value and appear in logs and error messages.
func validateKeyID(id string) error {
	if id == "" || len(id) > maxKeyIDLen {
		return fmt.Errorf("%w: key id must be 1 to %d bytes", ErrInvalidKey, maxKeyIDLen)
	}
	for _, c := range []byte(id) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-' || c == '_' || c == '.' || c == ':':
		default:
			return fmt.Errorf("%w: key id %q may only contain letters, digits, '-', '_', '.' and ':' characters", ErrInvalidKey, id)
		}
	}
	return nil
}

// KeyProvider supplies key material to a Sealer, which lets keys live in a
// file, the environment or an external key manager without the Sealer
// caring.
//
// Contract: Current returns the key new values are sealed with. Key returns
// the key with the given id and must keep returning it for as long as values
// sealed under it exist, including after it stops being current; for an id it
// does not know it returns an error for which errors.Is(err, ErrUnknownKey)
// holds, so callers can tell a configuration gap from an outage. Returned
// keys must satisfy the length rules of Key, and implementations must be safe
// for concurrent use.
type KeyProvider interface {
	Current(ctx context.Context) (Key, error)
	Key(ctx context.Context, id string) (Key, error)
}

// StaticKeys is a KeyProvider over a fixed set of keys held in memory. It is
// immutable; rotating means building a new one with a different current id
// and the old keys still present.
type StaticKeys struct {
	current string
	keys    map[string]Key
}

var _ KeyProvider = (*StaticKeys)(nil)

// NewStaticKeys returns a provider whose current key is the one with id
// current; keys must include it along with every older key whose values
// still need to open. Key material is copied so later changes by the caller
// cannot alter it.
func NewStaticKeys(current string, keys ...Key) (*StaticKeys, error) {
	m := make(map[string]Key, len(keys))
	for _, k := range keys {
		if err := k.validate(); err != nil {
			return nil, err
		}
		if _, dup := m[k.ID]; dup {
			return nil, fmt.Errorf("%w: duplicate key id %q", ErrInvalidKey, k.ID)
		}
		m[k.ID] = k.clone()
	}
	if _, ok := m[current]; !ok {
		return nil, fmt.Errorf("%w: current key %q is not among the keys", ErrInvalidKey, current)
	}
	return &StaticKeys{current: current, keys: m}, nil
}

// Current implements KeyProvider.
func (s *StaticKeys) Current(ctx context.Context) (Key, error) {
	return s.Key(ctx, s.current)
}

// Key implements KeyProvider. It returns a copy so callers cannot corrupt
// the shared key material.
func (s *StaticKeys) Key(ctx context.Context, id string) (Key, error) {
	if err := ctx.Err(); err != nil {
		return Key{}, err
	}
	k, ok := s.keys[id]
	if !ok {
		return Key{}, fmt.Errorf("%w: %q", ErrUnknownKey, id)
	}
	return k.clone(), nil
}
