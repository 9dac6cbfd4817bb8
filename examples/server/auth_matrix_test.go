package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/openapi"
)

// idp is an identity provider for tests: an Ed25519 and an RSA signing
// key, published in a JWKS file the server is started with.
type idp struct {
	ed  ed25519.PrivateKey
	rsa *rsa.PrivateKey
}

const (
	edKid  = "idp-ed-2026"
	rsaKid = "idp-rsa-2026"
)

var (
	idpOnce sync.Once
	theIDP  idp
)

// testIDP generates the keys once per test binary (RSA generation is
// slow on a shared machine).
func testIDP(t *testing.T) idp {
	t.Helper()
	idpOnce.Do(func() {
		_, ed, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			panic(err)
		}
		rk, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		theIDP = idp{ed: ed, rsa: rk}
	})
	return theIDP
}

// jwksFile writes the provider's public keys as a JWKS file (the RSA key's
// alg left out, as many providers do) and returns its path.
func (p idp) jwksFile(t *testing.T) string {
	t.Helper()
	b64 := base64.RawURLEncoding.EncodeToString
	doc := map[string]any{"keys": []map[string]string{
		{"kty": "OKP", "crv": "Ed25519", "kid": edKid, "alg": "EdDSA", "use": "sig", "x": b64(p.ed.Public().(ed25519.PublicKey))},
		{"kty": "RSA", "kid": rsaKid, "use": "sig", "n": b64(p.rsa.N.Bytes()), "e": b64(big.NewInt(int64(p.rsa.E)).Bytes())},
		{"kty": "EC", "kid": "idp-ec", "crv": "P-256", "x": "AA", "y": "AA"}, // not for us: left out
	}}
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "jwks.json")
	require.NoError(t, os.WriteFile(path, b, 0o644))
	return path
}

// tokens signs claims for the running server r as its tests need.
type tokens struct {
	t      *testing.T
	secret []byte
	now    time.Time
	staff  string
}

func (k tokens) claims(edit func(*jwt.RegisteredClaims)) jwt.RegisteredClaims {
	c := jwt.RegisteredClaims{Issuer: "grassroots", Audience: jwt.ClaimStrings{"grassroots"}, Subject: k.staff,
		IssuedAt: jwt.NewNumericDate(k.now), NotBefore: jwt.NewNumericDate(k.now), ExpiresAt: jwt.NewNumericDate(k.now.Add(time.Hour))}
	if edit != nil {
		edit(&c)
	}
	return c
}

// sign signs c with m and key, naming kid in the header when not empty.
func (k tokens) sign(m jwt.SigningMethod, key any, kid string, c jwt.RegisteredClaims) string {
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	require.NoError(k.t, err)
	return s
}

func (k tokens) hs(edit func(*jwt.RegisteredClaims)) string {
	return k.sign(jwt.SigningMethodHS256, k.secret, "", k.claims(edit))
}

// operation is one operation of the contract, its path's parameters
// filled with a dummy id.
type operation struct{ method, path string }

// specOperations iterates openapi.yaml: every operation under /v1.
func specOperations(t *testing.T) []operation {
	t.Helper()
	var spec struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	require.NoError(t, yaml.Unmarshal(openapi.Spec, &spec))
	param := regexp.MustCompile(`\{[^}]+\}`)
	var ops []operation
	for path, item := range spec.Paths {
		require.True(t, strings.HasPrefix(path, "/v1/"), path)
		for method := range item {
			switch method {
			case "get", "post", "put", "patch", "delete":
				ops = append(ops, operation{strings.ToUpper(method), param.ReplaceAllString(path, "01JNOSUCHRECORD0000000000")})
			}
		}
	}
	slices.SortFunc(ops, func(a, b operation) int { return strings.Compare(a.path+a.method, b.path+b.method) })
	return ops
}

// deactivatedStaff creates a staff member of the admin's unit and
// deactivates them.
func deactivatedStaff(t *testing.T, r *running) string {
	t.Helper()
	ctx := context.Background()
	st, err := r.app.kernel.Store().GetStaff(ctx, r.app.admin)
	require.NoError(t, err)
	admin := casework.Actor{StaffID: st.ID, UnitID: st.UnitID, Roles: st.Roles}
	gone, err := r.app.kernel.CreateStaff(ctx, admin, casework.StaffInput{UnitID: st.UnitID, Name: "离职民警", Roles: []casework.Role{casework.RoleOfficer}})
	require.NoError(t, err)
	off := false
	_, err = r.app.kernel.UpdateStaff(ctx, admin, gone.ID, gone.Version, casework.StaffUpdate{Active: &off})
	require.NoError(t, err)
	return gone.ID
}

// The authentication matrix (issue 12): every /v1 operation of the
// contract × every way a token can be wrong answers 401 problem+json with
// a Bearer challenge — never 5xx, never another status, whatever the
// operation's parameters or body. Each refusal is counted under its reason
// and logged once with the request id, never with the token. Tokens of
// all three configured algorithms are then accepted.
func TestAuthenticationMatrix(t *testing.T) {
	t.Parallel()
	p := testIDP(t)
	r := startServer(t, "-db", "memory", "-jwks", p.jwksFile(t))
	secret, err := loadSecret(filepath.Join(r.data, secretFileName))
	require.NoError(t, err)
	k := tokens{t: t, secret: secret, now: time.Now(), staff: r.app.admin}
	_, otherEd, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	gone := deactivatedStaff(t, r)

	rows := []struct {
		name, authorization string
		reason              authReason
	}{
		{"no token", "", reasonNoToken},
		{"malformed", "Bearer not.a.jwt", reasonMalformed},
		{"expired", "Bearer " + k.hs(func(c *jwt.RegisteredClaims) {
			c.IssuedAt, c.NotBefore = jwt.NewNumericDate(k.now.Add(-2*time.Hour)), jwt.NewNumericDate(k.now.Add(-2*time.Hour))
			c.ExpiresAt = jwt.NewNumericDate(k.now.Add(-time.Minute)) // beyond the 30 s leeway
		}), reasonExpired},
		{"not yet valid", "Bearer " + k.hs(func(c *jwt.RegisteredClaims) { c.NotBefore = jwt.NewNumericDate(k.now.Add(time.Minute)) }), reasonNotYetValid},
		{"wrong signature", "Bearer " + k.sign(jwt.SigningMethodHS256, []byte(strings.Repeat("k", 32)), "", k.claims(nil)), reasonSignature},
		{"wrong signature (EdDSA, another key under the kid)", "Bearer " + k.sign(jwt.SigningMethodEdDSA, otherEd, edKid, k.claims(nil)), reasonSignature},
		{"alg none", "Bearer " + k.sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "", k.claims(nil)), reasonAlgorithm},
		{"algorithm not configured (HS512, the server's secret)", "Bearer " + k.sign(jwt.SigningMethodHS512, secret, "", k.claims(nil)), reasonAlgorithm},
		{"unknown kid", "Bearer " + k.sign(jwt.SigningMethodEdDSA, p.ed, "idp-ed-2025", k.claims(nil)), reasonUnknownKid},
		{"unknown kid, 300 characters long", "Bearer " + k.sign(jwt.SigningMethodEdDSA, p.ed, strings.Repeat("k", 300), k.claims(nil)), reasonUnknownKid},
		{"key of another algorithm (RS256 naming the Ed25519 kid)", "Bearer " + k.sign(jwt.SigningMethodRS256, p.rsa, edKid, k.claims(nil)), reasonKeyMismatch},
		{"deactivated staff", "Bearer " + k.sign(jwt.SigningMethodEdDSA, p.ed, edKid, k.claims(func(c *jwt.RegisteredClaims) { c.Subject = gone })), reasonDeactivated},
	}
	ops := specOperations(t)
	require.Greater(t, len(ops), 100, "the contract's operations")
	counted := map[authReason]int{}
	for n, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			for i, op := range ops {
				id := fmt.Sprintf("matrix-%d-%d", n, i)
				status, hdr, body := send(t, r.url, op, row.authorization, id)
				require.Equal(t, http.StatusUnauthorized, status, "%s %s: %s", op.method, op.path, body)
				require.Equal(t, "application/problem+json", hdr.Get("Content-Type"), op)
				require.Equal(t, bearerChallenge(row.reason), hdr.Get("WWW-Authenticate"), op)
				var prob struct {
					Status int    `json:"status"`
					Type   string `json:"type"`
				}
				require.NoError(t, json.Unmarshal(body, &prob), op)
				require.Equal(t, http.StatusUnauthorized, prob.Status, op)
				require.Equal(t, id, hdr.Get("X-Request-Id"), op)
			}
			counted[row.reason] += len(ops)
			require.Equal(t, counted[row.reason], authFailures(t, r, row.reason), "every refusal counted under %s", row.reason)
		})
	}
	// Tokens of every configured algorithm reach a list.
	for name, tok := range map[string]string{
		"HS256 (local secret)": k.hs(nil),
		"EdDSA (JWKS)":         k.sign(jwt.SigningMethodEdDSA, p.ed, edKid, k.claims(nil)),
		"RS256 (JWKS)":         k.sign(jwt.SigningMethodRS256, p.rsa, rsaKid, k.claims(nil)),
	} {
		for _, path := range []string{"/v1/units", "/v1/disputes"} {
			status, _, body := send(t, r.url, operation{http.MethodGet, path}, "Bearer "+tok, "")
			require.Equal(t, http.StatusOK, status, "%s %s: %s", name, path, body)
		}
	}

	// Logged once per refusal, with its reason and request id; no token,
	// and no more of a client's header than a clipped kid.
	logs := r.logs()
	require.Contains(t, logs, strings.Repeat("k", 64)+"…")
	require.NotContains(t, logs, strings.Repeat("k", 65))
	for n, row := range rows {
		for i := range ops {
			id := fmt.Sprintf("matrix-%d-%d", n, i)
			lines := 0
			for _, l := range strings.Split(logs, "\n") {
				if strings.Contains(l, `"request_id":"`+id+`"`) && strings.Contains(l, "authentication failed") {
					lines++
					require.Contains(t, l, "reason="+string(row.reason))
				}
			}
			require.Equal(t, 1, lines, id)
		}
		if tok, ok := strings.CutPrefix(row.authorization, "Bearer "); ok && len(tok) > 20 {
			require.False(t, strings.Contains(logs, tok), "the token is in the log: %s", row.name)
			if sig := tok[strings.LastIndex(tok, ".")+1:]; sig != "" {
				require.False(t, strings.Contains(logs, sig), "the signature is in the log: %s", row.name)
			}
		}
	}
}

// authFailures scrapes /metrics for the failures counted under reason.
func authFailures(t *testing.T, r *running, reason authReason) int {
	t.Helper()
	_, _, body := send(t, r.url, operation{http.MethodGet, "/metrics"}, "", "")
	m := regexp.MustCompile(`(?m)^grassroots_auth_failures_total\{reason="` + string(reason) + `"\} (\d+)$`).FindSubmatch(body)
	require.NotNil(t, m, "no counter for %s", reason)
	n, err := strconv.Atoi(string(m[1]))
	require.NoError(t, err)
	return n
}

// send makes one request with a JSON body for the methods that take one
// (any body: authentication comes before it is read) and returns the
// answer, closed.
func send(t *testing.T, base string, op operation, authorization, requestID string) (int, http.Header, []byte) {
	t.Helper()
	var body io.Reader
	if op.method != http.MethodGet && op.method != http.MethodDelete {
		body = strings.NewReader(`{}`)
	}
	req, err := http.NewRequest(op.method, base+op.path, body)
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("If-Match", `"1"`)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	if requestID != "" {
		req.Header.Set("X-Request-Id", requestID)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, b
}

// -jwt-algs fixes what is accepted: a valid token of an algorithm left
// out is refused like a forged one.
func TestAlgorithmsOutsideConfigurationRefused(t *testing.T) {
	t.Parallel()
	p := testIDP(t)
	jwks := p.jwksFile(t)
	tests := []struct {
		algs              string
		refused, accepted string // an algorithm of each
	}{
		{"HS256", "EdDSA", "HS256"},
		{"EdDSA,RS256", "HS256", "RS256"},
		{"HS256,EdDSA", "RS256", "EdDSA"},
	}
	for _, tt := range tests {
		t.Run(tt.algs, func(t *testing.T) {
			t.Parallel()
			r := startServer(t, "-db", "memory", "-jwks", jwks, "-jwt-algs", tt.algs)
			secret, err := loadSecret(filepath.Join(r.data, secretFileName))
			require.NoError(t, err)
			k := tokens{t: t, secret: secret, now: time.Now(), staff: r.app.admin}
			tok := map[string]string{
				"HS256": k.hs(nil),
				"EdDSA": k.sign(jwt.SigningMethodEdDSA, p.ed, edKid, k.claims(nil)),
				"RS256": k.sign(jwt.SigningMethodRS256, p.rsa, rsaKid, k.claims(nil)),
			}
			list := operation{http.MethodGet, "/v1/units"}
			status, hdr, _ := send(t, r.url, list, "Bearer "+tok[tt.refused], "")
			require.Equal(t, http.StatusUnauthorized, status)
			require.Contains(t, hdr.Get("WWW-Authenticate"), `error="invalid_token"`)
			require.Equal(t, 1, authFailures(t, r, reasonAlgorithm))
			status, _, body := send(t, r.url, list, "Bearer "+tok[tt.accepted], "")
			require.Equal(t, http.StatusOK, status, string(body))
		})
	}
}
