package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/grassroots-policing/grassroots/casework"
)

// The passwords' work factor does not change what is tested.
func init() { passwordCost = bcrypt.MinCost }

// started is the program run as main runs it, on a free loopback port.
type started struct {
	base, password string
	client         *http.Client // keeps cookies, does not follow redirects
}

func startProgram(t *testing.T) *started {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	// run prints its three lines before it serves; the pipe hands them over.
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, ln, pw) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(15 * time.Second):
			t.Error("the program did not stop")
		}
	})
	base := "http://" + ln.Addr().String()
	lines := bufio.NewScanner(pr)
	var out []string
	for len(out) < 3 && lines.Scan() {
		out = append(out, lines.Text())
	}
	require.Len(t, out, 3, "the banner")
	require.Equal(t, "The application listens on "+base+"/ and serves the Grassroots API under "+base+"/policing/v1/", out[0])
	m := regexp.MustCompile(`^Log in:  curl -c jar -d user=wang -d password=(\S+) ` + regexp.QuoteMeta(base) + `/login$`).FindStringSubmatch(out[1])
	require.NotNil(t, m, out[1])
	require.Equal(t, "Then:    curl -b jar "+base+"/policing/v1/disputes", out[2])
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &started{base: base, password: m[1], client: client}
}

// do sends a request and returns the status, the Location header and the body.
func (s *started) do(t *testing.T, method, path, contentType, body string, header ...string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := s.client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

func (s *started) login(t *testing.T, user, password string) int {
	t.Helper()
	status, _, _ := s.do(t, http.MethodPost, "/login", "application/x-www-form-urlencoded",
		url.Values{"user": {user}, "password": {password}}.Encode())
	return status
}

// The API answers only the application's logged-in users, through their
// session cookie, and knows it is mounted under /policing/.
func TestSessionAuthenticatesTheMountedAPI(t *testing.T) {
	t.Parallel()
	s := startProgram(t)
	status, _, body := s.do(t, http.MethodGet, "/policing/v1/disputes", "", "")
	require.Equal(t, http.StatusUnauthorized, status, "no session")
	require.Contains(t, body, "no valid credentials")

	for _, bad := range []struct{ user, password string }{{"wang", "wrong"}, {"nobody", s.password}, {"", ""}} {
		require.Equal(t, http.StatusUnauthorized, s.login(t, bad.user, bad.password), "%q", bad.user)
	}
	require.Equal(t, http.StatusSeeOther, s.login(t, "wang", s.password))
	cookies := s.client.Jar.Cookies(&url.URL{Scheme: "http", Host: strings.TrimPrefix(s.base, "http://")})
	require.Len(t, cookies, 1)
	require.Equal(t, sessionCookie, cookies[0].Name)

	status, _, body = s.do(t, http.MethodGet, "/", "", "")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "Logged in as wang")

	status, _, body = s.do(t, http.MethodGet, "/policing/v1/disputes", "", "")
	require.Equal(t, http.StatusOK, status, body)
	var page struct {
		Items []struct{ UnitID string }
	}
	require.NoError(t, json.Unmarshal([]byte(body), &page))
	require.Len(t, page.Items, 1, "the seeded dispute, in the officer's station")

	report := `{"unitId":"` + page.Items[0].UnitID + `","category":"neighbour/noise","source":"walk_in","facts":"楼道堆放杂物"}`
	for _, tc := range []struct {
		name   string
		header []string
		want   int
	}{
		{"from another site", []string{"Origin", "https://elsewhere.example"}, http.StatusUnauthorized},
		{"cross-site fetch without Origin", []string{"Sec-Fetch-Site", "cross-site"}, http.StatusUnauthorized},
		{"from the application's page", []string{"Origin", s.base}, http.StatusCreated},
		{"from a client that is no browser", nil, http.StatusCreated},
	} {
		status, location, body := s.do(t, http.MethodPost, "/policing/v1/disputes", "application/json", report, tc.header...)
		require.Equal(t, tc.want, status, "%s: %s", tc.name, body)
		if status == http.StatusCreated {
			require.Regexp(t, `^/policing/v1/disputes/[0-9A-Z]{26}$`, location, tc.name)
		}
	}

	status, _, _ = s.do(t, http.MethodPost, "/logout", "", "", "Origin", s.base)
	require.Equal(t, http.StatusSeeOther, status)
	status, _, _ = s.do(t, http.MethodGet, "/policing/v1/disputes", "", "")
	require.Equal(t, http.StatusUnauthorized, status, "after logout")
}

// A deactivated staff member's session no longer opens the API: roles and
// unit come from the staff record on every request, not from the session.
func TestStaffRecordDecides(t *testing.T) {
	t.Parallel()
	a, _, err := newApp(context.Background())
	require.NoError(t, err)
	u := a.users["wang"]
	a.sessions["s1"] = session{user: u, expires: time.Now().Add(time.Hour)}
	a.sessions["old"] = session{user: u, expires: time.Now().Add(-time.Second)}
	req := func(cookie string) *http.Request {
		r, err := http.NewRequest(http.MethodGet, "/policing/v1/disputes", nil)
		require.NoError(t, err)
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
		return r
	}
	actor, err := a.Authenticate(req("s1"))
	require.NoError(t, err)
	require.Equal(t, u.staffID, actor.StaffID)
	require.NotEmpty(t, actor.UnitID)
	require.NotEmpty(t, actor.Roles)
	_, err = a.Authenticate(req("old"))
	require.ErrorIs(t, err, errNoSession, "an expired session")
	_, err = a.Authenticate(req("made-up"))
	require.ErrorIs(t, err, errNoSession)

	ctx := context.Background()
	admins, err := a.kernel.Store().ListStaff(ctx, casework.StaffFilter{Role: casework.RoleAdmin}, casework.Page{Limit: 1})
	require.NoError(t, err)
	require.Len(t, admins, 1)
	admin := casework.Actor{StaffID: admins[0].ID, UnitID: admins[0].UnitID, Roles: admins[0].Roles}
	st, err := a.kernel.Store().GetStaff(ctx, u.staffID)
	require.NoError(t, err)
	_, err = a.kernel.UpdateStaff(ctx, admin, st.ID, st.Version, casework.StaffUpdate{Active: new(false)})
	require.NoError(t, err)
	_, err = a.Authenticate(req("s1"))
	require.ErrorIs(t, err, errNotActive)
}
