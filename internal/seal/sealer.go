package seal

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// formatV1 is the first byte of every sealed value, so the layout can change
// later without guessing what old rows contain.
const formatV1 byte = 1

const (
	nonceSize = 12
	tagSize   = 16
)

var (
	// ErrMalformed reports bytes that are not a sealed value at all:
	// truncated, an unknown format version, or a bad header.
	ErrMalformed = errors.New("seal: malformed sealed value")

	// ErrAuthFailed reports a sealed value that does not authenticate: it was
	// modified, is being opened with different associated data than it was
	// sealed with, or the key behind its key id has changed.
	ErrAuthFailed = errors.New("seal: sealed value failed authentication (tampered, wrong associated data or wrong key)")
)

// Sealer seals and opens values and computes blind indexes. It is safe for
// concurrent use.
type Sealer struct {
	keys       KeyProvider
	indexKeyID string
}

// NewSealer returns a Sealer that seals with keys' current key and computes
// blind indexes with the Index of the key indexKeyID. The index key id must
// stay the same for the life of the stored indexes (see the package doc), so
// it belongs in configuration next to the keys rather than being derived
// from whichever key is current.
func NewSealer(keys KeyProvider, indexKeyID string) (*Sealer, error) {
	if keys == nil {
		return nil, fmt.Errorf("%w: nil KeyProvider", ErrInvalidKey)
	}
	if err := validateKeyID(indexKeyID); err != nil {
		return nil, fmt.Errorf("index key id: %w", err)
	}
	return &Sealer{keys: keys, indexKeyID: indexKeyID}, nil
}

// Seal encrypts plaintext under the current key, binding it to aad so a
// value copied into another row or column (a different aad) will not open.
// Layout: version byte, key-id length byte, key id, 12-byte random nonce,
// ciphertext with GCM tag. The header is authenticated too.
//
// Empty plaintext seals to nil so an absent value costs nothing to store;
// the flip side is that erasing a sealed value cannot be detected.
//
// Random nonces limit a key to about 2^32 seals; rotate well before that.
func (s *Sealer) Seal(ctx context.Context, plaintext, aad []byte) ([]byte, error) {
	if len(plaintext) == 0 {
		return nil, nil
	}
	k, err := s.keys.Current(ctx)
	if err != nil {
		return nil, fmt.Errorf("seal: current key: %w", err)
	}
	return sealWith(k, plaintext, aad)
}

func sealWith(k Key, plaintext, aad []byte) ([]byte, error) {
	if err := k.validate(); err != nil {
		return nil, err
	}
	aead, err := newAEAD(k.Seal)
	if err != nil {
		return nil, err
	}
	header := make([]byte, 0, 2+len(k.ID)+nonceSize+len(plaintext)+tagSize)
	header = append(header, formatV1, byte(len(k.ID)))
	header = append(header, k.ID...)
	// aead.Seal appends nonce||ciphertext to header; the authenticated data
	// must be a separate slice because dst and additional data may not
	// overlap.
	return aead.Seal(header, nil, plaintext, authData(header, aad)), nil
}

// Open reverses Seal. It fails with ErrMalformed for bytes that are not a
// sealed value, with an error matching ErrUnknownKey when the key has been
// retired, and with ErrAuthFailed when the value or aad does not match.
// Empty input opens to empty output, mirroring Seal.
func (s *Sealer) Open(ctx context.Context, sealed, aad []byte) ([]byte, error) {
	pt, _, err := s.open(ctx, sealed, aad)
	return pt, err
}

func (s *Sealer) open(ctx context.Context, sealed, aad []byte) (plaintext []byte, keyID string, err error) {
	if len(sealed) == 0 {
		return nil, "", nil
	}
	id, header, body, err := parse(sealed)
	if err != nil {
		return nil, "", err
	}
	k, err := s.keys.Key(ctx, id)
	if err != nil {
		return nil, "", fmt.Errorf("seal: key %q: %w", id, err)
	}
	if err := k.validate(); err != nil {
		return nil, "", err
	}
	aead, err := newAEAD(k.Seal)
	if err != nil {
		return nil, "", err
	}
	pt, err := aead.Open(nil, nil, body, authData(header, aad))
	if err != nil {
		return nil, "", fmt.Errorf("%w (key %q)", ErrAuthFailed, id)
	}
	if pt == nil {
		pt = []byte{}
	}
	return pt, id, nil
}

// Reseal re-encrypts a value under the current key so old keys can
// eventually be retired. A value already under the current key is still
// authenticated but returned unchanged, so a migration can compare input and
// output to skip needless writes.
func (s *Sealer) Reseal(ctx context.Context, sealed, aad []byte) ([]byte, error) {
	if len(sealed) == 0 {
		return nil, nil
	}
	pt, id, err := s.open(ctx, sealed, aad)
	if err != nil {
		return nil, err
	}
	cur, err := s.keys.Current(ctx)
	if err != nil {
		return nil, fmt.Errorf("seal: current key: %w", err)
	}
	if cur.ID == id {
		return sealed, nil
	}
	return sealWith(cur, pt, aad)
}

// KeyID reports which key a value was sealed under without decrypting it,
// so a migration can find values that still need Reseal. Empty input has no
// key and returns "".
func KeyID(sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	id, _, _, err := parse(sealed)
	return id, err
}

// BlindIndex returns a deterministic, keyed digest of a normalised value for
// equality lookups over sealed columns: HMAC-SHA256 over purpose, a zero
// byte and the value, using the pinned index key, encoded as unpadded
// base64url (the full 32-byte MAC, 43 characters). The purpose (for example
// "person.phone") keeps indexes of different fields unlinkable, so equal
// digits in a phone and an ID number do not match. Callers must normalise
// values first (trim, case-fold, strip formatting) or equal values will not
// match. An empty value has no index and returns "", mirroring Seal.
//
// Low-entropy values such as phone numbers can be brute-forced by anyone
// holding the index key; its secrecy is what protects them.
func (s *Sealer) BlindIndex(ctx context.Context, purpose string, normalised []byte) (string, error) {
	if purpose == "" || strings.IndexByte(purpose, 0) >= 0 {
		return "", errors.New("seal: blind index purpose must be non-empty and contain no zero byte")
	}
	if len(normalised) == 0 {
		return "", nil
	}
	k, err := s.keys.Key(ctx, s.indexKeyID)
	if err != nil {
		return "", fmt.Errorf("seal: index key %q: %w", s.indexKeyID, err)
	}
	if err := k.validate(); err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, k.Index)
	mac.Write([]byte(purpose))
	mac.Write([]byte{0})
	mac.Write(normalised)
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), nil
}

func parse(sealed []byte) (id string, header, body []byte, err error) {
	if sealed[0] != formatV1 {
		return "", nil, nil, fmt.Errorf("%w: unknown format version %d", ErrMalformed, sealed[0])
	}
	if len(sealed) < 2 {
		return "", nil, nil, fmt.Errorf("%w: truncated header", ErrMalformed)
	}
	n := int(sealed[1])
	if n == 0 {
		return "", nil, nil, fmt.Errorf("%w: empty key id", ErrMalformed)
	}
	if len(sealed) < 2+n+nonceSize+tagSize {
		return "", nil, nil, fmt.Errorf("%w: truncated (%d bytes)", ErrMalformed, len(sealed))
	}
	return string(sealed[2 : 2+n]), sealed[:2+n], sealed[2+n:], nil
}

// authData binds the header (format and key id) as well as the caller's aad.
// The header is length-prefixed, so the concatenation is unambiguous.
func authData(header, aad []byte) []byte {
	ad := make([]byte, 0, len(header)+len(aad))
	ad = append(ad, header...)
	return append(ad, aad...)
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	return aead, nil
}
