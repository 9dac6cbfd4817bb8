package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
)

// Every way a token can be wrong answers 401 problem+json with a Bearer
// challenge — never 5xx, never the data — and the token is not logged.
func TestAuthenticationFailures(t *testing.T) {
	t.Parallel()
	r := startServer(t)
	secret, err := loadSecret(filepath.Join(r.data, secretFileName))
	require.NoError(t, err)
	st, err := r.app.kernel.Store().GetStaff(context.Background(), r.app.admin)
	require.NoError(t, err)
	gone := deactivatedStaff(t, r)

	now := time.Now()
	claims := func(edit func(*jwt.RegisteredClaims)) jwt.RegisteredClaims {
		c := jwt.RegisteredClaims{Issuer: "grassroots", Audience: jwt.ClaimStrings{"grassroots"}, Subject: r.app.admin,
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))}
		if edit != nil {
			edit(&c)
		}
		return c
	}
	sign := func(m jwt.SigningMethod, key any, c jwt.RegisteredClaims) string {
		tok, err := jwt.NewWithClaims(m, c).SignedString(key)
		require.NoError(t, err)
		return tok
	}
	hs := func(edit func(*jwt.RegisteredClaims)) string {
		return sign(jwt.SigningMethodHS256, secret, claims(edit))
	}
	valid := hs(nil)
	parts := strings.Split(valid, ".")

	tests := []struct {
		name, authorization string
	}{
		{"no token", ""},
		{"empty bearer", "Bearer "},
		{"other scheme", "Basic " + valid},
		{"malformed", "Bearer not.a.jwt"},
		{"garbage", "Bearer " + strings.Repeat("x", 300)},
		{"expired", "Bearer " + hs(func(c *jwt.RegisteredClaims) {
			c.IssuedAt, c.NotBefore, c.ExpiresAt = jwt.NewNumericDate(now.Add(-2*time.Hour)), jwt.NewNumericDate(now.Add(-2*time.Hour)), jwt.NewNumericDate(now.Add(-time.Hour))
		})},
		{"not yet valid", "Bearer " + hs(func(c *jwt.RegisteredClaims) { c.NotBefore = jwt.NewNumericDate(now.Add(time.Hour)) })},
		{"no expiry", "Bearer " + hs(func(c *jwt.RegisteredClaims) { c.ExpiresAt = nil })},
		{"wrong issuer", "Bearer " + hs(func(c *jwt.RegisteredClaims) { c.Issuer = "someone-else" })},
		{"wrong audience", "Bearer " + hs(func(c *jwt.RegisteredClaims) { c.Audience = jwt.ClaimStrings{"another-app"} })},
		{"no subject", "Bearer " + hs(func(c *jwt.RegisteredClaims) { c.Subject = "" })},
		{"wrong signature", "Bearer " + sign(jwt.SigningMethodHS256, bytes.Repeat([]byte("k"), 32), claims(nil))},
		{"tampered payload", "Bearer " + parts[0] + "." + strings.Split(hs(func(c *jwt.RegisteredClaims) { c.Subject = "someone" }), ".")[1] + "." + parts[2]},
		{"alg none", "Bearer " + sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil))},
		{"algorithm not configured (HS512, same secret)", "Bearer " + sign(jwt.SigningMethodHS512, secret, claims(nil))},
		{"unknown staff id", "Bearer " + hs(func(c *jwt.RegisteredClaims) { c.Subject = "01NOSUCHSTAFF" })},
		{"deactivated staff", "Bearer " + hs(func(c *jwt.RegisteredClaims) { c.Subject = gone })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, path := range []string{"/v1/units", "/v1/units/" + st.UnitID, "/v1/no-such-operation"} {
				resp := r.get(t, path, tt.authorization)
				require.Equal(t, http.StatusUnauthorized, resp.StatusCode, path)
				require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
				require.True(t, strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer"), resp.Header.Get("WWW-Authenticate"))
				var p struct {
					Status int `json:"status"`
				}
				require.NoError(t, json.NewDecoder(resp.Body).Decode(&p))
				require.Equal(t, http.StatusUnauthorized, p.Status)
			}
		})
	}
	// The valid token works, so the failures above are the token's.
	require.Equal(t, http.StatusOK, r.get(t, "/v1/units", "Bearer "+valid).StatusCode)
	t.Cleanup(func() {
		logs := r.logs()
		require.Contains(t, logs, "authentication failed")
		for _, tt := range tests {
			if tok, ok := strings.CutPrefix(tt.authorization, "Bearer "); ok && len(tok) > 20 {
				require.NotContains(t, logs, tok, tt.name)
				if sig := tok[strings.LastIndex(tok, ".")+1:]; sig != "" {
					require.NotContains(t, logs, sig, tt.name)
				}
			}
		}
	})
}

func TestJWTAuthRefusesWeakConfiguration(t *testing.T) {
	t.Parallel()
	secret := bytes.Repeat([]byte("s"), 32)
	tests := []struct {
		name             string
		secret           []byte
		issuer, audience string
		staff            StaffLookup
		algs             map[string]bool
	}{
		{"short secret", secret[:31], "i", "a", noStaff{}, hs256},
		{"no issuer", secret, "", "a", noStaff{}, hs256},
		{"no audience", secret, "i", "", noStaff{}, hs256},
		{"no staff lookup", secret, "i", "a", nil, hs256},
		{"no algorithm", secret, "i", "a", noStaff{}, nil},
		{"only a refused algorithm", secret, "i", "a", noStaff{}, map[string]bool{"HS256": false}},
		{"an unsupported algorithm", secret, "i", "a", noStaff{}, map[string]bool{"HS256": true, "none": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := NewJWTAuth(AuthConfig{Secret: tt.secret, Issuer: tt.issuer, Audience: tt.audience, Staff: tt.staff, Algorithms: tt.algs})
			require.Error(t, err)
			require.Nil(t, a)
		})
	}
}

var hs256 = map[string]bool{"HS256": true}

type noStaff struct{}

func (noStaff) GetStaff(context.Context, string) (casework.Staff, error) {
	return casework.Staff{}, casework.ErrNotFound
}

// The token subcommand mints, from the server's own secret, a token the
// server accepts; the data directory may come from the environment.
func TestTokenCommand(t *testing.T) {
	t.Parallel()
	r := startServer(t)
	var out, errOut bytes.Buffer
	env := func(k string) string {
		if k == "GRASSROOTS_DATA" {
			return r.data
		}
		return ""
	}
	require.NoError(t, run(context.Background(), []string{"token", "-staff", r.app.admin, "-ttl", "10m"}, env, &out, &errOut), errOut.String())
	tok := strings.TrimSpace(out.String())
	require.Equal(t, http.StatusOK, r.get(t, "/v1/units", "Bearer "+tok).StatusCode)

	var claims jwt.RegisteredClaims
	_, _, err := jwt.NewParser().ParseUnverified(tok, &claims)
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().Add(10*time.Minute), claims.ExpiresAt.Time, time.Minute)

	// Without a staff id, or without the server's secret, nothing is minted.
	out.Reset()
	require.Error(t, run(context.Background(), []string{"token", "-data", r.data}, noEnv, &out, &errOut))
	require.Error(t, run(context.Background(), []string{"token", "-data", t.TempDir(), "-staff", "x"}, noEnv, &out, &errOut))
	require.Empty(t, out.String())
}

func TestSecretFileRefusedWhenOthersMayReadIt(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), secretFileName)
	first, created, err := ensureSecret(path)
	require.NoError(t, err)
	require.True(t, created)
	again, created, err := ensureSecret(path)
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, first, again)
	require.NoError(t, os.Chmod(path, 0o644))
	_, _, err = ensureSecret(path)
	require.Error(t, err)
}
