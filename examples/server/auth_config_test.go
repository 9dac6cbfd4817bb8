package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every server flag is listed by -help with its environment variable, and
// has a row in the README's configuration table.
func TestEveryFlagInHelpAndREADME(t *testing.T) {
	t.Parallel()
	var help bytes.Buffer
	_, err := parseConfig([]string{"-help"}, noEnv, &help)
	require.True(t, errors.Is(err, flag.ErrHelp))
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	n := 0
	for _, name := range flagNames(t) {
		n++
		require.Contains(t, help.String(), "$"+envName(name), name)
		require.Contains(t, string(readme), "| `-"+name+"` | `"+envName(name)+"` |", "README row of -%s", name)
	}
	require.GreaterOrEqual(t, n, 20)
	for _, name := range []string{"jwks", "jwt-algs", "cors-origins", "max-body-bytes", "max-header-bytes", "read-timeout", "write-timeout", "idle-timeout", "read-header-timeout"} {
		require.Contains(t, help.String(), "  -"+name+" ", name)
	}
}

// flagNames lists the server's flags by parsing -help's own output.
func flagNames(t *testing.T) []string {
	t.Helper()
	var help bytes.Buffer
	_, _ = parseConfig([]string{"-help"}, noEnv, &help)
	var names []string
	for _, l := range strings.Split(help.String(), "\n") {
		if f, ok := strings.CutPrefix(l, "  -"); ok {
			names = append(names, strings.Fields(f)[0])
		}
	}
	return names
}

func TestSecurityFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, c *config, err error)
	}{
		{"defaults accept the three algorithms and no origin", nil, func(t *testing.T, c *config, err error) {
			require.NoError(t, err)
			require.Equal(t, map[string]bool{"HS256": true, "EdDSA": true, "RS256": true}, c.algs)
			require.Empty(t, c.origins)
			require.EqualValues(t, 1<<20, c.maxBodyBytes)
			require.Equal(t, 8*runtime.GOMAXPROCS(0), c.maxConcurrent)
		}},
		{"reads without turns", []string{"-max-concurrent", "0"}, func(t *testing.T, c *config, err error) {
			require.NoError(t, err)
			require.Zero(t, c.maxConcurrent)
		}},
		{"a subset of algorithms", []string{"-jwt-algs", " EdDSA , RS256 "}, func(t *testing.T, c *config, err error) {
			require.NoError(t, err)
			require.Equal(t, map[string]bool{"EdDSA": true, "RS256": true}, c.algs)
		}},
		{"exact origins", []string{"-cors-origins", "https://console.example.gov.cn,http://127.0.0.1:3000"}, func(t *testing.T, c *config, err error) {
			require.NoError(t, err)
			require.Equal(t, map[string]bool{"https://console.example.gov.cn": true, "http://127.0.0.1:3000": true}, c.origins)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := parseConfig(tt.args, noEnv, &bytes.Buffer{})
			tt.check(t, c, err)
		})
	}
	for name, args := range map[string][]string{
		"alg none":                {"-jwt-algs", "none"},
		"an unsupported alg":      {"-jwt-algs", "HS256,HS512"},
		"no alg":                  {"-jwt-algs", " , "},
		"wildcard origin":         {"-cors-origins", "*"},
		"wildcard subdomain":      {"-cors-origins", "https://*.example.gov.cn"},
		"origin with a path":      {"-cors-origins", "https://console.example.gov.cn/app"},
		"origin with a slash":     {"-cors-origins", "https://console.example.gov.cn/"},
		"origin without a scheme": {"-cors-origins", "console.example.gov.cn"},
		"origin in capitals":      {"-cors-origins", "https://Console.example.gov.cn"},
		"zero body bytes":         {"-max-body-bytes", "0"},
		"negative turns":          {"-max-concurrent", "-1"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := parseConfig(args, noEnv, &bytes.Buffer{})
			require.Error(t, err)
			require.Contains(t, err.Error(), "-"+strings.TrimPrefix(args[0], "-"))
		})
	}
}

// A JWKS file is read whole at start: a key that contradicts itself
// refuses the file with an error naming the key; keys for other
// algorithms are left out.
func TestLoadJWKS(t *testing.T) {
	t.Parallel()
	b64 := base64.RawURLEncoding.EncodeToString
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	rk := testIDP(t).rsa
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	ed := func(edit func(map[string]string)) map[string]string {
		k := map[string]string{"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": b64(edPub)}
		if edit != nil {
			edit(k)
		}
		return k
	}
	rsaKey := func(key *rsa.PublicKey, edit func(map[string]string)) map[string]string {
		k := map[string]string{"kty": "RSA", "kid": "rsa", "n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes())}
		if edit != nil {
			edit(k)
		}
		return k
	}
	write := func(t *testing.T, keys ...map[string]string) string {
		b, err := json.Marshal(map[string]any{"keys": keys})
		require.NoError(t, err)
		path := filepath.Join(t.TempDir(), "jwks.json")
		require.NoError(t, os.WriteFile(path, b, 0o644))
		return path
	}
	t.Run("usable keys by kid, others left out", func(t *testing.T) {
		t.Parallel()
		keys, skipped, err := loadJWKS(write(t, ed(nil), rsaKey(&rk.PublicKey, func(k map[string]string) { k["alg"] = "RS256" }),
			rsaKey(&rk.PublicKey, func(k map[string]string) { k["kid"], k["alg"] = "rs512", "RS512" }),
			map[string]string{"kty": "EC", "kid": "ec", "crv": "P-256"},
			ed(func(k map[string]string) { k["kid"], k["use"] = "enc", "enc" })))
		require.NoError(t, err)
		require.Len(t, keys, 2)
		require.Equal(t, algEdDSA, keys["ed"].alg)
		require.Equal(t, algRS256, keys["rsa"].alg)
		require.ElementsMatch(t, []string{"rs512", "ec", "enc"}, skipped)
	})
	for name, tt := range map[string]struct {
		keys []map[string]string
		want string
	}{
		"private key material":    {[]map[string]string{ed(func(k map[string]string) { k["d"] = "c2VjcmV0" })}, "private"},
		"alg of another kty":      {[]map[string]string{ed(func(k map[string]string) { k["alg"] = "RS256" })}, "does not fit"},
		"RSA key claiming EdDSA":  {[]map[string]string{rsaKey(&rk.PublicKey, func(k map[string]string) { k["alg"] = "EdDSA" })}, "does not fit"},
		"no kid":                  {[]map[string]string{ed(func(k map[string]string) { delete(k, "kid") })}, "kid is required"},
		"kid used twice":          {[]map[string]string{ed(nil), ed(nil)}, "used twice"},
		"another curve":           {[]map[string]string{ed(func(k map[string]string) { k["crv"] = "X25519" })}, "Ed25519"},
		"short x":                 {[]map[string]string{ed(func(k map[string]string) { k["x"] = "AAAA" })}, "32 bytes"},
		"RSA under 2048 bits":     {[]map[string]string{rsaKey(&small.PublicKey, nil)}, "at least 2048"},
		"even RSA exponent":       {[]map[string]string{rsaKey(&rk.PublicKey, func(k map[string]string) { k["e"] = "Ag" })}, "exponent"},
		"unknown kty":             {[]map[string]string{{"kty": "XYZ", "kid": "x"}}, "want OKP or RSA"},
		"no usable key":           {[]map[string]string{{"kty": "EC", "kid": "ec"}}, "no Ed25519 or RSA"},
		"not base64url (padding)": {[]map[string]string{ed(func(k map[string]string) { k["x"] = base64.URLEncoding.EncodeToString(edPub) })}, "base64url"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, _, err := loadJWKS(write(t, tt.keys...))
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.want)
		})
	}
	t.Run("not a JWKS", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "jwks.json")
		require.NoError(t, os.WriteFile(path, []byte("-----BEGIN PUBLIC KEY-----"), 0o644))
		_, _, err := loadJWKS(path)
		require.ErrorContains(t, err, "not a JWKS")
		_, _, err = loadJWKS(filepath.Join(t.TempDir(), "missing.json"))
		require.ErrorContains(t, err, "-jwks")
	})
	t.Run("the server refuses to start on a bad file", func(t *testing.T) {
		t.Parallel()
		cfg, err := parseConfig([]string{"-data", t.TempDir(), "-db", "memory", "-jwks", write(t, ed(func(k map[string]string) { k["d"] = "x" }))}, noEnv, &bytes.Buffer{})
		require.NoError(t, err)
		a, err := newApp(t.Context(), cfg, &bytes.Buffer{}, &bytes.Buffer{})
		require.ErrorContains(t, err, "private")
		require.Nil(t, a)
	})
}

// -cors-origins: a preflight from an allowed origin is answered before
// authentication; an allowed origin's requests carry the CORS headers;
// any other origin gets none, and no answer ever allows credentials.
func TestCORS(t *testing.T) {
	t.Parallel()
	const allowed = "https://console.example.gov.cn"
	r := startServer(t, "-db", "memory", "-cors-origins", allowed+",http://127.0.0.1:3000")
	tok := "Bearer " + r.token(t, r.app.admin)
	do := func(t *testing.T, method, path, origin string, header ...string) *http.Response {
		req, err := http.NewRequest(method, r.url+path, nil)
		require.NoError(t, err)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		return resp
	}
	t.Run("preflight from an allowed origin", func(t *testing.T) {
		t.Parallel()
		resp := do(t, http.MethodOptions, "/v1/disputes", allowed, "Access-Control-Request-Method", "POST",
			"Access-Control-Request-Headers", "authorization, content-type, idempotency-key")
		require.Equal(t, http.StatusNoContent, resp.StatusCode)
		require.Equal(t, allowed, resp.Header.Get("Access-Control-Allow-Origin"))
		require.Contains(t, resp.Header.Get("Access-Control-Allow-Methods"), "POST")
		for _, h := range []string{"Authorization", "Content-Type", "If-Match", "Idempotency-Key"} {
			require.Contains(t, resp.Header.Get("Access-Control-Allow-Headers"), h)
		}
		require.Empty(t, resp.Header.Get("Access-Control-Allow-Credentials"))
		require.Contains(t, resp.Header.Values("Vary"), "Origin")
	})
	t.Run("preflight from another origin is not answered as CORS", func(t *testing.T) {
		t.Parallel()
		resp := do(t, http.MethodOptions, "/v1/disputes", "https://evil.example", "Access-Control-Request-Method", "POST")
		require.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))
		require.Empty(t, resp.Header.Get("Access-Control-Allow-Methods"))
		require.NotEqual(t, http.StatusNoContent, resp.StatusCode)
	})
	t.Run("a call from an allowed origin", func(t *testing.T) {
		t.Parallel()
		resp := do(t, http.MethodGet, "/v1/units", "http://127.0.0.1:3000", "Authorization", tok)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Equal(t, "http://127.0.0.1:3000", resp.Header.Get("Access-Control-Allow-Origin"))
		require.Contains(t, resp.Header.Get("Access-Control-Expose-Headers"), "ETag")
		require.Empty(t, resp.Header.Get("Access-Control-Allow-Credentials"))
	})
	t.Run("a refused call from an allowed origin can read its challenge", func(t *testing.T) {
		t.Parallel()
		resp := do(t, http.MethodGet, "/v1/units", allowed)
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		require.Equal(t, allowed, resp.Header.Get("Access-Control-Allow-Origin"))
		require.Contains(t, resp.Header.Get("Access-Control-Expose-Headers"), "WWW-Authenticate")
	})
	t.Run("a call from another origin gets no CORS header", func(t *testing.T) {
		t.Parallel()
		for _, origin := range []string{"https://evil.example", "https://console.example.gov.cn.evil.example", "null", ""} {
			resp := do(t, http.MethodGet, "/v1/units", origin, "Authorization", tok)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"), origin)
		}
	})
	t.Run("without -cors-origins no CORS header at all", func(t *testing.T) {
		t.Parallel()
		plain := startServer(t, "-db", "memory")
		req, err := http.NewRequest(http.MethodOptions, plain.url+"/v1/disputes", nil)
		require.NoError(t, err)
		req.Header.Set("Origin", allowed)
		req.Header.Set("Access-Control-Request-Method", "GET")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))
	})
}
