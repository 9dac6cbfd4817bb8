package main

import (
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"slices"
	"strings"
)

// The algorithms a token may be signed with. Each names one kind of key:
// HS256 the server's own secret, EdDSA an Ed25519 public key (JWK kty OKP),
// RS256 an RSA public key (kty RSA). No other algorithm is ever accepted,
// whatever a token's header says.
const (
	algHS256 = "HS256"
	algEdDSA = "EdDSA"
	algRS256 = "RS256"
)

// supportedAlgs is the closed list -jwt-algs chooses from.
var supportedAlgs = []string{algHS256, algEdDSA, algRS256}

// defaultAlgs is -jwt-algs' default: local tokens, and both kinds of key a
// JWKS file may hold (a token for which no key is configured is refused
// anyway: its kid is unknown).
const defaultAlgs = "HS256,EdDSA,RS256"

// minRSABits refuses RSA keys too short to be trusted (NIST SP 800-131A).
const minRSABits = 2048

// parseAlgs reads -jwt-algs: a comma-separated, non-empty subset of
// supportedAlgs.
func parseAlgs(list string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, a := range commaList(list) {
		if !slices.Contains(supportedAlgs, a) {
			return nil, fmt.Errorf("-jwt-algs: %q is not supported; choose from %s", a, strings.Join(supportedAlgs, ", "))
		}
		out[a] = true
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-jwt-algs: name at least one of %s", strings.Join(supportedAlgs, ", "))
	}
	return out, nil
}

// publicKey is one verification key of a JWKS file: the one algorithm it
// verifies (from its kty, checked against its alg) and the key itself.
type publicKey struct {
	alg string
	key any // ed25519.PublicKey or *rsa.PublicKey
}

// keySet is a JWKS file's usable keys by kid.
type keySet map[string]publicKey

// otherRSAAlgs are the RSA algorithms this server does not verify: a key
// published for one of them is left out of the set.
var otherRSAAlgs = []string{"RS384", "RS512", "PS256", "PS384", "PS512"}

// jwk is the part of an RFC 7517 JSON Web Key this server reads.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	Use string `json:"use"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	N   string `json:"n"`
	E   string `json:"e"`
	D   string `json:"d"` // private: its presence refuses the file
}

// errSkipKey marks a key of a kind this server does not verify with (an EC
// key, an RS512 key): the identity provider's file may hold such keys
// beside those meant for us, so they are left out, not refused.
var errSkipKey = errors.New("not a kind of key this server verifies with")

// loadJWKS reads a JWKS file ({"keys": [...]}) of public keys. A key that
// contradicts itself (an alg its kty cannot have, a short RSA modulus, a
// missing or repeated kid) or carries private material refuses the whole
// file: a configuration mistake is better found at start than as 401s.
// skipped lists the kids left out because of errSkipKey.
func loadJWKS(path string) (keys keySet, skipped []string, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("-jwks: %w", err)
	}
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, nil, fmt.Errorf("-jwks %s: not a JWKS document: %w", path, err)
	}
	keys = keySet{}
	for i, raw := range doc.Keys {
		var k jwk
		if err := json.Unmarshal(raw, &k); err != nil {
			return nil, nil, fmt.Errorf("-jwks %s: keys[%d]: %w", path, i, err)
		}
		pk, err := k.publicKey()
		switch {
		case errors.Is(err, errSkipKey):
			skipped = append(skipped, k.Kid)
			continue
		case err != nil:
			return nil, nil, fmt.Errorf("-jwks %s: keys[%d] (kid %q): %w", path, i, k.Kid, err)
		}
		if _, dup := keys[k.Kid]; dup {
			return nil, nil, fmt.Errorf("-jwks %s: keys[%d]: kid %q is used twice", path, i, k.Kid)
		}
		keys[k.Kid] = pk
	}
	if len(keys) == 0 {
		return nil, nil, fmt.Errorf("-jwks %s: no Ed25519 or RSA signing key", path)
	}
	return keys, skipped, nil
}

// publicKey checks one JWK and decodes its key.
func (k jwk) publicKey() (publicKey, error) {
	if k.D != "" {
		return publicKey{}, errors.New("holds private key material (d); publish public keys only")
	}
	if k.Use != "" && k.Use != "sig" {
		return publicKey{}, fmt.Errorf("use %q: %w", k.Use, errSkipKey)
	}
	want := map[string]string{"OKP": algEdDSA, "RSA": algRS256}[k.Kty]
	switch {
	case k.Kty == "EC" || k.Kty == "oct":
		return publicKey{}, fmt.Errorf("kty %q: %w", k.Kty, errSkipKey)
	case want == "":
		return publicKey{}, fmt.Errorf("kty %q: want OKP or RSA", k.Kty)
	case k.Alg == "" || k.Alg == want:
	case k.Kty == "RSA" && slices.Contains(otherRSAAlgs, k.Alg):
		return publicKey{}, fmt.Errorf("alg %q: %w", k.Alg, errSkipKey)
	default:
		return publicKey{}, fmt.Errorf("alg %q does not fit kty %q (want %s)", k.Alg, k.Kty, want)
	}
	if k.Kid == "" {
		return publicKey{}, errors.New("kid is required: tokens choose their key by kid")
	}
	if k.Kty == "OKP" {
		if k.Crv != "Ed25519" {
			return publicKey{}, fmt.Errorf("crv %q: want Ed25519", k.Crv)
		}
		x, err := base64.RawURLEncoding.DecodeString(k.X)
		if err != nil || len(x) != ed25519.PublicKeySize {
			return publicKey{}, errors.New("x is not a base64url Ed25519 public key of 32 bytes")
		}
		return publicKey{alg: algEdDSA, key: ed25519.PublicKey(x)}, nil
	}
	n, errN := base64.RawURLEncoding.DecodeString(k.N)
	e, errE := base64.RawURLEncoding.DecodeString(k.E)
	if errN != nil || errE != nil || len(n) == 0 || len(e) == 0 || len(e) > 4 {
		return publicKey{}, errors.New("n and e must be base64url big-endian integers")
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	if pub.N.BitLen() < minRSABits {
		return publicKey{}, fmt.Errorf("RSA modulus of %d bits: at least %d are required", pub.N.BitLen(), minRSABits)
	}
	if pub.E < 3 || pub.E%2 == 0 {
		return publicKey{}, fmt.Errorf("RSA exponent %d is not an odd number of at least 3", pub.E)
	}
	return publicKey{alg: algRS256, key: pub}, nil
}
