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
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/grassroots-policing/grassroots/casework"
)

// The reasons an authentication fails. The openapi handler answers every
// one of them 401 and logs the error's text, so none of them carries the
// token or any part of it.
var (
	errNoToken      = errors.New("no bearer token")
	errBadToken     = errors.New("token refused")
	errUnknownStaff = errors.New("token subject is not an active staff member")
)

// StaffLookup finds a stored staff record without an actor: the kernel's
// store (casework.KernelStore) satisfies it. It must return an error
// matching casework.ErrNotFound for an unknown id.
type StaffLookup interface {
	GetStaff(ctx context.Context, id string) (casework.Staff, error)
}

// StaffLookupFunc is a function as a StaffLookup: the server passes the
// kernel's LookupStaff, which answers from the staff cache the permission
// check keeps, so authenticating a request costs no query.
type StaffLookupFunc func(ctx context.Context, id string) (casework.Staff, error)

// GetStaff calls f.
func (f StaffLookupFunc) GetStaff(ctx context.Context, id string) (casework.Staff, error) {
	return f(ctx, id)
}

// JWTAuth is an openapi.Authenticator for bearer JWTs signed by the
// server's own secret (HS256). The token only says who is asking (its
// subject is a staff id); the unit and roles come from the stored staff
// record on every request, so a deactivated officer or a changed role takes
// effect at once (through this server; within the kernel's StaffCacheTTL,
// 2 seconds by default, when another server process sharing the database
// made the change), not when the token expires.
type JWTAuth struct {
	secret []byte
	staff  StaffLookup
	parser *jwt.Parser
	note   func(ctx context.Context, staffID string)
	tokens verifiedTokens
}

// jwtMethod is the one accepted algorithm. It is fixed here, never taken
// from the token's header: a token that names another algorithm (none,
// RS256 with the secret as a "public key", …) is refused by the parser.
var jwtMethod = jwt.SigningMethodHS256

// clockSkew tolerates clocks that differ a little between the token's
// issuer and this server.
const clockSkew = 30 * time.Second

// NewJWTAuth verifies tokens signed with secret whose issuer and audience
// are the given ones, and looks their subject up in staff.
func NewJWTAuth(secret []byte, issuer, audience string, staff StaffLookup) (*JWTAuth, error) {
	if len(secret) < 32 {
		return nil, errors.New("auth: the signing secret needs at least 32 bytes")
	}
	if issuer == "" || audience == "" {
		return nil, errors.New("auth: issuer and audience must be set")
	}
	if staff == nil {
		return nil, errors.New("auth: a staff lookup is required")
	}
	return &JWTAuth{
		secret: secret,
		staff:  staff,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwtMethod.Alg()}),
			jwt.WithIssuer(issuer),
			jwt.WithAudience(audience),
			jwt.WithExpirationRequired(),
			jwt.WithLeeway(clockSkew),
		),
	}, nil
}

// Authenticate returns the actor named by the request's bearer token.
func (a *JWTAuth) Authenticate(r *http.Request) (casework.Actor, error) {
	scheme, raw, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(raw) == "" {
		return casework.Actor{}, errNoToken
	}
	subject, err := a.subject(strings.TrimSpace(raw), time.Now())
	if err != nil {
		return casework.Actor{}, err
	}
	s, err := a.staff.GetStaff(r.Context(), subject)
	if err != nil {
		if errors.Is(err, casework.ErrNotFound) {
			return casework.Actor{}, fmt.Errorf("%w: staff %s", errUnknownStaff, subject)
		}
		return casework.Actor{}, fmt.Errorf("auth: look up staff: %w", err)
	}
	if !s.Active {
		return casework.Actor{}, fmt.Errorf("%w: staff %s is deactivated", errUnknownStaff, s.ID)
	}
	if a.note != nil {
		a.note(r.Context(), s.ID)
	}
	return casework.Actor{StaffID: s.ID, UnitID: s.UnitID, Roles: s.Clone().Roles}, nil
}

// subject verifies a token (or finds it verified before and not yet
// expired) and returns its subject.
func (a *JWTAuth) subject(raw string, now time.Time) (string, error) {
	if sub, ok := a.tokens.get(raw, now); ok {
		return sub, nil
	}
	var claims jwt.RegisteredClaims
	_, err := a.parser.ParseWithClaims(raw, &claims, func(t *jwt.Token) (any, error) {
		if t.Method != jwtMethod { // belt and braces beside WithValidMethods
			return nil, errBadToken
		}
		return a.secret, nil
	})
	if err != nil {
		// jwt's errors name the failed check (expired, signature invalid,
		// malformed …), never the token's text.
		return "", fmt.Errorf("%w: %w", errBadToken, err)
	}
	if claims.Subject == "" {
		return "", fmt.Errorf("%w: no subject", errBadToken)
	}
	a.tokens.put(raw, claims.Subject, claims.ExpiresAt.Time) // WithExpirationRequired: never nil here
	return claims.Subject, nil
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
	return jwt.NewWithClaims(jwtMethod, claims).SignedString(secret)
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
