package casework

import (
	"context"

	"github.com/grassroots-policing/grassroots/internal/seal"
)

// Sealer encrypts sensitive personal data at rest and computes blind indexes
// for exact-match search. The default implementation is AES-256-GCM with key
// ids (so keys rotate: new writes use the current key, old ciphertexts still
// open) and HMAC-SHA256 blind indexes under a key that does not rotate.
//
// Error contract: Open fails on any tampering, a wrong aad or an unknown key
// id; it never returns partial plaintext.
type Sealer interface {
	Seal(ctx context.Context, plaintext, aad []byte) ([]byte, error)
	Open(ctx context.Context, sealed, aad []byte) ([]byte, error)
	BlindIndex(ctx context.Context, purpose string, normalised []byte) (string, error)
}

type (
	// KeyProvider hands out sealing keys by id.
	KeyProvider = seal.KeyProvider
	// Key is one sealing key with its index key.
	Key = seal.Key
	// KeyFile is the key material a server keeps: sealing keys, the index
	// key id and the checkpoint signing key.
	KeyFile = seal.KeyFile
)

// NewSealer builds the default Sealer over a key provider; indexKeyID names
// the key whose Index part computes blind indexes.
func NewSealer(keys KeyProvider, indexKeyID string) (Sealer, error) {
	return seal.NewSealer(keys, indexKeyID)
}

// EnsureKeyFile loads the key file at path, creating it (mode 0600) with
// fresh keys when it does not exist; created says which happened.
func EnsureKeyFile(path string) (kf *KeyFile, created bool, err error) {
	return seal.EnsureKeyFile(path)
}

// KeysFromEnv reads keys from GRASSROOTS_SEAL_KEY, GRASSROOTS_INDEX_KEY,
// GRASSROOTS_SEAL_KEY_ID and GRASSROOTS_CHECKPOINT_KEY.
func KeysFromEnv(lookup func(string) (string, bool)) (*KeyFile, error) {
	return seal.KeysFromEnv(lookup)
}
