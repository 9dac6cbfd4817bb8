package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/grassroots-policing/grassroots/casework"
)

// StaffLookup finds a stored staff record without an actor: the kernel's
// store (casework.KernelStore) satisfies it. It must return an error
// matching casework.ErrNotFound for an unknown id, and a record the caller
// may keep (the actor holds its roles).
type StaffLookup interface {
	GetStaff(ctx context.Context, id string) (casework.Staff, error)
}

// AuthConfig is what JWTAuth verifies tokens with.
type AuthConfig struct {
	// Secret signs and verifies local HS256 tokens (at least 32 bytes).
	Secret []byte
	// JWKS holds the identity provider's public keys by kid (may be empty).
	JWKS keySet
	// Algorithms are the accepted algorithms, a subset of supportedAlgs.
	Algorithms       map[string]bool
	Issuer, Audience string
	Staff            StaffLookup
}

// JWTAuth is an openapi.Authenticator for bearer JWTs: HS256 tokens signed
// by the server's own secret, and EdDSA or RS256 tokens of an identity
// provider whose public keys a JWKS file holds, chosen by the token's kid.
// The token only says who is asking (its subject is a staff id); the unit
// and roles come from the stored staff record on every request, so a
// deactivated officer or a changed role takes effect at once (through this
// server; within the kernel's CacheWatch, 100 ms by default, and at the
// latest its StaffCacheTTL, 2 seconds, when another server process sharing
// the database made the change), not when the token expires.
type JWTAuth struct {
	secret []byte
	jwks   keySet
	algs   map[string]bool
	staff  StaffLookup
	parser *jwt.Parser
	note   func(ctx context.Context, staffID string)    // the access log's staff id
	failed func(ctx context.Context, reason authReason) // counts and marks a failure
	tokens verifiedTokens
}

// StaffLookupFunc is a function as a StaffLookup: the server passes the
// kernel's LookupStaff, which answers from the staff cache the permission
// check keeps, so authenticating a request costs no query.
type StaffLookupFunc func(ctx context.Context, id string) (casework.Staff, error)

// GetStaff calls f.
func (f StaffLookupFunc) GetStaff(ctx context.Context, id string) (casework.Staff, error) {
	return f(ctx, id)
}

// clockSkew tolerates clocks that differ a little between the token's
// issuer and this server: exp, nbf and iat are checked 30 seconds wide.
const clockSkew = 30 * time.Second

// NewJWTAuth verifies tokens as c says.
func NewJWTAuth(c AuthConfig) (*JWTAuth, error) {
	if len(c.Secret) < 32 {
		return nil, errors.New("auth: the signing secret needs at least 32 bytes")
	}
	if c.Issuer == "" || c.Audience == "" {
		return nil, errors.New("auth: issuer and audience must be set")
	}
	if c.Staff == nil {
		return nil, errors.New("auth: a staff lookup is required")
	}
	algs := map[string]bool{}
	for a, ok := range c.Algorithms {
		if !ok {
			continue
		}
		if !slices.Contains(supportedAlgs, a) {
			return nil, fmt.Errorf("auth: algorithm %q is not supported", a)
		}
		algs[a] = true
	}
	if len(algs) == 0 {
		return nil, errors.New("auth: at least one algorithm must be accepted")
	}
	return &JWTAuth{
		secret: c.Secret,
		jwks:   c.JWKS,
		algs:   algs,
		staff:  c.Staff,
		// No WithValidMethods: key picks the key for the algorithm, and
		// refuses every algorithm the configuration does not accept, so
		// that a refusal is told apart from a bad signature.
		parser: jwt.NewParser(
			jwt.WithIssuer(c.Issuer),
			jwt.WithAudience(c.Audience),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(clockSkew),
		),
	}, nil
}

// key returns the key that verifies t, chosen by the configuration, never
// by the token: its alg must be one accepted, an HS256 token is verified
// with the local secret and names no kid, any other names the kid of a
// JWKS key made for exactly its alg. So "none", an HMAC signed with a
// public key, or an RS256 token pointing at an Ed25519 key are refused
// before any signature is checked.
func (a *JWTAuth) key(t *jwt.Token) (any, error) {
	alg := t.Method.Alg()
	if !a.algs[alg] {
		return nil, &authError{reason: reasonAlgorithm, detail: "algorithm " + alg + " is not accepted"}
	}
	kid, isString := t.Header["kid"].(string)
	if _, present := t.Header["kid"]; present && !isString {
		return nil, &authError{reason: reasonMalformed, detail: "kid is not a string"}
	}
	if alg == algHS256 {
		if kid != "" {
			return nil, &authError{reason: reasonUnknownKid, detail: "an HS256 token names no kid"}
		}
		return a.secret, nil
	}
	k, ok := a.jwks[kid]
	if !ok {
		return nil, &authError{reason: reasonUnknownKid, detail: fmt.Sprintf("no key with kid %q", clip(kid))}
	}
	if k.alg != alg {
		return nil, &authError{reason: reasonKeyMismatch, detail: fmt.Sprintf("key %q verifies %s, not %s", kid, k.alg, alg)}
	}
	return k.key, nil
}

// Authenticate returns the actor named by the request's bearer token.
// Every failure is an *authError whose reason the metric counts; the
// openapi handler logs its text once, with the request id, and answers
// 401 (a database failure too: the handler has no other answer for an
// authenticator's error).
func (a *JWTAuth) Authenticate(r *http.Request) (casework.Actor, error) {
	actor, err := a.authenticate(r)
	if err != nil {
		var ae *authError
		if !errors.As(err, &ae) {
			ae = &authError{reason: reasonLookup, detail: err.Error()}
		}
		if a.failed != nil {
			a.failed(r.Context(), ae.reason)
		}
		return casework.Actor{}, ae
	}
	if a.note != nil {
		a.note(r.Context(), actor.StaffID)
	}
	return actor, nil
}

func (a *JWTAuth) authenticate(r *http.Request) (casework.Actor, error) {
	raw, ok := bearer(r)
	if !ok {
		return casework.Actor{}, &authError{reason: reasonNoToken, detail: "no bearer token"}
	}
	subject, err := a.subject(raw, time.Now())
	if err != nil {
		return casework.Actor{}, err
	}
	s, err := a.staff.GetStaff(r.Context(), subject)
	switch {
	case errors.Is(err, casework.ErrNotFound):
		return casework.Actor{}, &authError{reason: reasonUnknownStaff, detail: "no staff member " + subject}
	case err != nil:
		return casework.Actor{}, fmt.Errorf("look up staff: %w", err)
	case !s.Active:
		return casework.Actor{}, &authError{reason: reasonDeactivated, detail: "staff " + s.ID + " is deactivated"}
	}
	return casework.Actor{StaffID: s.ID, UnitID: s.UnitID, Roles: s.Roles}, nil // s is ours: LookupStaff clones
}

// subject verifies a token (or finds it verified before and not yet
// expired) and returns its subject. Only verified tokens are remembered.
func (a *JWTAuth) subject(raw string, now time.Time) (string, error) {
	if sub, ok := a.tokens.get(raw, now); ok {
		return sub, nil
	}
	var claims jwt.RegisteredClaims
	if _, err := a.parser.ParseWithClaims(raw, &claims, a.key); err != nil {
		return "", tokenError(err)
	}
	if claims.Subject == "" {
		return "", &authError{reason: reasonClaims, detail: "the token has no subject"}
	}
	a.tokens.put(raw, claims.Subject, claims.ExpiresAt.Time) // WithExpirationRequired: never nil here
	return claims.Subject, nil
}

// clip shortens a value read from an unverified token header before it is
// logged: the header is the client's, and may be as long as the request's
// headers allow.
func clip(s string) string {
	const most = 64
	if r := []rune(s); len(r) > most {
		return string(r[:most]) + "…"
	}
	return s
}

// bearer is the token of an "Authorization: Bearer …" header.
func bearer(r *http.Request) (string, bool) {
	scheme, raw, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	raw = strings.TrimSpace(raw)
	return raw, ok && strings.EqualFold(scheme, "Bearer") && raw != ""
}

// tokenError classifies a parser error. Its detail is jwt's description of
// the failed check for the claims (fixed texts: "token has invalid
// issuer"), and nothing of the token's own bytes for the rest.
func tokenError(err error) *authError {
	var ae *authError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, jwt.ErrTokenMalformed):
		return &authError{reason: reasonMalformed, detail: "the token is not a well-formed JWT"}
	case errors.Is(err, jwt.ErrTokenUnverifiable): // an alg jwt does not know
		return &authError{reason: reasonAlgorithm, detail: "the token's algorithm is unknown"}
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return &authError{reason: reasonSignature, detail: "the signature does not verify"}
	case errors.Is(err, jwt.ErrTokenExpired):
		return &authError{reason: reasonExpired, detail: "the token has expired"}
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return &authError{reason: reasonNotYetValid, detail: "the token is not valid yet"}
	case errors.Is(err, jwt.ErrTokenInvalidClaims):
		return &authError{reason: reasonClaims, detail: err.Error()}
	}
	return &authError{reason: reasonMalformed, detail: "the token was refused"}
}

// newAuth builds the server's authenticator from its configuration: the
// local secret, the -jwks file's keys and -jwt-algs. Each failure is
// counted by reason and marked for the 401's challenge.
func (a *app) newAuth(secret []byte, staff StaffLookup) (*JWTAuth, error) {
	var keys keySet
	if a.cfg.jwks != "" {
		var skipped []string
		var err error
		if keys, skipped, err = loadJWKS(a.cfg.jwks); err != nil {
			return nil, err
		}
		for kid, k := range keys {
			if !a.cfg.algs[k.alg] {
				a.log.Warn().Str("kid", kid).Str("alg", k.alg).Msg("-jwks: this key's algorithm is not in -jwt-algs; its tokens are refused")
			}
		}
		a.log.Info().Int("keys", len(keys)).Strs("skipped_kids", skipped).Msg("-jwks: loaded the identity provider's public keys")
	}
	auth, err := NewJWTAuth(AuthConfig{Secret: secret, JWKS: keys, Algorithms: a.cfg.algs,
		Issuer: a.cfg.issuer, Audience: a.cfg.audience, Staff: staff})
	if err != nil {
		return nil, err
	}
	auth.note = noteStaff
	auth.failed = func(ctx context.Context, reason authReason) {
		a.metrics.authFailed(reason)
		noteFailure(ctx, reason)
	}
	return auth, nil
}

// mintToken signs a token for a staff member, valid from now for ttl.
func mintToken(secret []byte, issuer, audience, staffID string, now time.Time, ttl time.Duration) (string, error) {
	if staffID == "" {
		return "", errors.New("token: a staff id is required (-staff)")
	}
	if ttl <= 0 {
		return "", errors.New("token: -ttl must be positive")
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id) // crypto/rand.Read never fails
	claims := jwt.RegisteredClaims{
		Issuer:    issuer,
		Subject:   staffID,
		Audience:  jwt.ClaimStrings{audience},
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		ID:        base64.RawURLEncoding.EncodeToString(id),
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
}

// secretFileName is the HS256 secret's file in the data directory.
const secretFileName = "jwt-secret"

// ensureSecret loads the token signing secret from path, creating it (mode
// 0600, 32 random bytes, base64) when it does not exist. A file that group
// or others may read is refused: anyone who reads it can mint tokens for
// any staff member.
func ensureSecret(path string) (secret []byte, created bool, err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		_, werr := f.WriteString(base64.StdEncoding.EncodeToString(b) + "\n")
		if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
			_ = os.Remove(path)
			return nil, false, fmt.Errorf("write %s: %w", path, err)
		}
		return b, true, nil
	case !errors.Is(err, fs.ErrExist):
		return nil, false, err
	}
	secret, err = loadSecret(path)
	return secret, false, err
}

// loadSecret reads an existing secret file.
func loadSecret(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s is readable by others (mode %v); chmod 600 it", path, st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	secret, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(secret) < 32 {
		return nil, fmt.Errorf("%s does not hold a base64 secret of at least 32 bytes", path)
	}
	return secret, nil
}
