package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
)

// oneStaff is a StaffLookup holding one staff member.
type oneStaff struct{ active bool }

func (s *oneStaff) GetStaff(_ context.Context, id string) (casework.Staff, error) {
	if id != "staff-1" {
		return casework.Staff{}, casework.ErrNotFound
	}
	return casework.Staff{ID: id, UnitID: "unit-1", Roles: []casework.Role{casework.RoleOfficer}, Active: s.active}, nil
}

func bearerRequest(tok string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/v1/units", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	return r
}

// A verified token answers from the cache until its expiry plus the
// tolerated skew, and never after; the cache never holds more than its
// bound.
func TestVerifiedTokens(t *testing.T) {
	t.Parallel()
	exp := time.Date(2026, 5, 12, 8, 0, 0, 0, time.UTC)
	var c verifiedTokens
	_, ok := c.get("tok", exp.Add(-time.Hour))
	require.False(t, ok, "nothing verified yet")
	c.put("tok", "staff-1", exp)
	for _, tc := range []struct {
		name string
		at   time.Time
		want bool
	}{
		{"long before expiry", exp.Add(-time.Hour), true},
		{"within the skew", exp.Add(clockSkew - time.Nanosecond), true},
		{"at expiry plus skew", exp.Add(clockSkew), false},
		{"after", exp.Add(time.Hour), false},
	} {
		sub, ok := c.get("tok", tc.at)
		require.Equal(t, tc.want, ok, tc.name)
		if tc.want {
			require.Equal(t, "staff-1", sub, tc.name)
		}
	}
	_, ok = c.get("tok2", exp.Add(-time.Hour))
	require.False(t, ok, "another token string is another token")
	for i := range maxVerifiedTokens + 1 {
		c.put("t"+strconv.Itoa(i), "s", exp)
	}
	require.LessOrEqual(t, len(c.m), maxVerifiedTokens)
}

// The same token authenticates every request; the subject's staff record
// is still read each time, so a token of a staff member deactivated since
// its first use is refused.
func TestAuthenticateCachedToken(t *testing.T) {
	t.Parallel()
	secret := []byte("0123456789abcdef0123456789abcdef")
	staff := &oneStaff{active: true}
	a, err := NewJWTAuth(AuthConfig{Secret: secret, Algorithms: map[string]bool{algHS256: true},
		Issuer: "grassroots", Audience: "grassroots", Staff: staff})
	require.NoError(t, err)
	tok, err := mintToken(secret, "grassroots", "grassroots", "staff-1", time.Now(), time.Hour)
	require.NoError(t, err)
	for range 3 {
		actor, err := a.Authenticate(bearerRequest(tok))
		require.NoError(t, err)
		require.Equal(t, "staff-1", actor.StaffID)
	}
	staff.active = false
	_, err = a.Authenticate(bearerRequest(tok))
	requireReason(t, err, reasonDeactivated)
	forged := tok[:len(tok)-2] + "xx"
	_, err = a.Authenticate(bearerRequest(forged))
	requireReason(t, err, reasonSignature) // a token differing from a verified one is verified afresh
}

func requireReason(t *testing.T, err error, want authReason) {
	t.Helper()
	var ae *authError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, want, ae.reason)
}
