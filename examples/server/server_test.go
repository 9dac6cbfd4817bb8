package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/testdb"
)

// syncBuffer is a bytes.Buffer the server's goroutines may log into.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// running is a server started in-process on 127.0.0.1:0 with a temporary
// data directory (SQLite).
type running struct {
	app    *app
	url    string
	data   string
	log    *syncBuffer
	stdout *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

func noEnv(string) string { return "" }

// startServer starts a server on an empty database without the demo city
// (args may still ask for it with -demo).
func startServer(t *testing.T, args ...string) *running {
	t.Helper()
	return start(t, append([]string{"-demo=false"}, args...)...)
}

// start starts a server as the command line args would.
func start(t testing.TB, args ...string) *running {
	t.Helper()
	data := filepath.Join(t.TempDir(), "data")
	cfg, err := parseConfig(append([]string{"-data", data, "-log-format", "json", "-log-level", "debug"}, args...), noEnv, io.Discard)
	require.NoError(t, err)
	r := &running{data: cfg.data, log: &syncBuffer{}, stdout: &syncBuffer{}, done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	r.app, err = newApp(ctx, cfg, r.stdout, r.log)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	r.url = "http://" + ln.Addr().String()
	go func() { r.done <- r.app.serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-r.done:
			require.NoError(t, err)
		case <-time.After(30 * time.Second):
			t.Error("server did not stop")
		}
	})
	return r
}

// logs is what the server logged so far, its buffer flushed first.
func (r *running) logs() string {
	if r.app.logs != nil {
		_ = r.app.logs.Flush()
	}
	return r.log.String()
}

// token mints a token from the server's own secret file.
func (r *running) token(t testing.TB, staffID string) string {
	t.Helper()
	secret, err := loadSecret(filepath.Join(r.data, secretFileName))
	require.NoError(t, err)
	tok, err := mintToken(secret, "grassroots", "grassroots", staffID, time.Now(), time.Hour)
	require.NoError(t, err)
	return tok
}

func (r *running) get(t *testing.T, path, authorization string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, r.url+path, nil)
	require.NoError(t, err)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func TestFirstStartCreatesKeysAndAdmin(t *testing.T) {
	t.Parallel()
	r := startServer(t)
	for _, name := range []string{"keys.json", secretFileName, adminFileName} {
		st, err := os.Stat(filepath.Join(r.data, name))
		require.NoError(t, err, name)
		require.Equal(t, os.FileMode(0o600), st.Mode().Perm(), name)
	}
	require.NotEmpty(t, r.app.admin)
	require.Eventually(t, func() bool { return strings.Contains(r.stdout.String(), "listening on "+r.url+"/v1/") }, 5*time.Second, time.Millisecond)
	require.Contains(t, r.stdout.String(), "token -data "+r.data+" -staff "+r.app.admin)
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	r := startServer(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		require.Equal(t, http.StatusOK, r.get(t, path, "").StatusCode, path)
	}
	// Another process migrates the database past this program: not ready.
	_, err := r.app.db.Exec(`INSERT INTO grassroots_migrations (line, version, applied_at) VALUES ('kernel', 999, 0)`)
	require.NoError(t, err)
	require.Equal(t, http.StatusServiceUnavailable, r.get(t, "/readyz", "").StatusCode)
	require.Equal(t, http.StatusOK, r.get(t, "/healthz", "").StatusCode)
}

func TestAdminTokenListsUnits(t *testing.T) {
	t.Parallel()
	r := startServer(t)
	resp := r.get(t, "/v1/units", "Bearer "+r.token(t, r.app.admin))
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.Contains(t, string(body), `"code":"ROOT"`)
	// The access line names the route pattern and the staff id.
	require.Eventually(t, func() bool {
		return strings.Contains(r.logs(), `"route":"GET /v1/units","status":200`) &&
			strings.Contains(r.logs(), `"staff_id":"`+r.app.admin+`"`)
	}, 5*time.Second, 10*time.Millisecond)
}

// Every request has an id in its access line, the open routes too; a
// caller's well-formed id is kept through the API handler, never replaced
// by a second one, and a malformed one is.
func TestAccessLineNamesRequestID(t *testing.T) {
	t.Parallel()
	r := startServer(t)
	resp := r.get(t, "/healthz", "")
	generated := resp.Header.Get("X-Request-Id")
	require.Len(t, generated, 26, "a fresh id for an open route")
	for _, tc := range []struct{ sent, want string }{
		{"trace-0001.a_b", "trace-0001.a_b"},
		{"bad id <forged>", ""},
	} {
		req, err := http.NewRequest(http.MethodGet, r.url+"/v1/units", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+r.token(t, r.app.admin))
		req.Header.Set("X-Request-Id", tc.sent)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		require.Equal(t, http.StatusOK, resp.StatusCode)
		got := resp.Header.Values("X-Request-Id")
		require.Len(t, got, 1, "one id per request")
		if tc.want != "" {
			require.Equal(t, tc.want, got[0])
		} else {
			require.NotEqual(t, tc.sent, got[0])
		}
		id := got[0]
		require.Eventually(t, func() bool {
			return strings.Contains(r.logs(), `"request_id":"`+id+`","route":"GET /v1/units"`)
		}, 5*time.Second, 10*time.Millisecond)
	}
	require.Eventually(t, func() bool {
		return strings.Contains(r.logs(), `"request_id":"`+generated+`","route":"GET /healthz"`)
	}, 5*time.Second, 10*time.Millisecond)
}

// A request in flight when the server is told to stop is finished, not
// cut: its body arrives only after shutdown began, and it still succeeds.
func TestGracefulShutdownFinishesRequestInFlight(t *testing.T) {
	t.Parallel()
	r := startServer(t)
	units := r.get(t, "/v1/units", "Bearer "+r.token(t, r.app.admin))
	require.Equal(t, http.StatusOK, units.StatusCode)
	root, err := r.app.kernel.Store().ListUnits(context.Background(), casework.UnitFilter{})
	require.NoError(t, err)
	pr, pw := io.Pipe()
	req, err := http.NewRequest(http.MethodPost, r.url+"/v1/units", pr)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+r.token(t, r.app.admin))
	req.Header.Set("Content-Type", "application/json")
	type result struct {
		status int
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- result{err: err}
			return
		}
		_ = resp.Body.Close()
		got <- result{status: resp.StatusCode}
	}()
	_, err = io.WriteString(pw, `{"code":"ZD01",`)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return r.app.active.Load() == 1 }, 5*time.Second, time.Millisecond)
	r.cancel()
	// Shutdown has begun once the listener refuses new connections.
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", strings.TrimPrefix(r.url, "http://"))
		if err == nil {
			_ = c.Close()
		}
		return err != nil
	}, 5*time.Second, time.Millisecond)
	_, err = fmt.Fprintf(pw, `"name":"张店分局","level":2,"parentId":%q}`, root[0].ID)
	require.NoError(t, err)
	require.NoError(t, pw.Close())
	res := <-got
	require.NoError(t, res.err)
	require.Equal(t, http.StatusCreated, res.status)
	require.NoError(t, <-r.done)
	r.done <- nil // for the cleanup
}

// A second start on the same data directory keeps the data, the keys and
// the admin, and bootstraps nothing new.
func TestRestartKeepsDataAndAdmin(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	first := startServer(t, "-data", data)
	tok := first.token(t, first.app.admin)
	first.cancel()
	require.NoError(t, <-first.done)
	first.done <- nil // for its cleanup

	again := startServer(t, "-data", data)
	require.Equal(t, first.app.admin, again.app.admin)
	resp := again.get(t, "/v1/units", "Bearer "+tok)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	units, err := again.app.kernel.Store().ListUnits(context.Background(), casework.UnitFilter{})
	require.NoError(t, err)
	require.Len(t, units, 1)
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	r := startServer(t, "-db", testdb.Postgres(t).URL())
	require.Equal(t, http.StatusOK, r.get(t, "/readyz", "").StatusCode)
	require.Equal(t, http.StatusOK, r.get(t, "/v1/units", "Bearer "+r.token(t, r.app.admin)).StatusCode)
}

// The background loops run on their interval, survive a failing run and
// a panicking one (counted as failures), and stop when told.
func TestLoopRunsUntilStopped(t *testing.T) {
	t.Parallel()
	log := &syncBuffer{}
	a := &app{log: zerolog.New(log)}
	ctx, cancel := context.WithCancel(context.Background())
	var runs atomic.Int64
	var wg sync.WaitGroup
	state := newLoopState("test", time.Millisecond, time.Now())
	a.loop(ctx, &wg, state, func(context.Context) error {
		switch runs.Add(1) {
		case 1:
			return errors.New("first run fails")
		case 2:
			panic("a sweeper's bug")
		}
		return nil
	})
	require.Eventually(t, func() bool { return runs.Load() >= 3 }, 5*time.Second, time.Millisecond)
	cancel()
	wg.Wait()
	stopped := runs.Load()
	time.Sleep(5 * time.Millisecond)
	require.Equal(t, stopped, runs.Load())
	require.Contains(t, log.String(), `"loop":"test"`)
	require.Contains(t, log.String(), "background loop panicked")
	require.Contains(t, log.String(), "a sweeper's bug")
	require.EqualValues(t, 2, state.failures.Load())
	require.NotZero(t, state.lastOK.Load())
	require.ErrorContains(t, state.alive(time.Now()), "test loop has stopped")
}

// On SQLite the attachment bytes live in a folder beside the database
// (DATA/blobs), not in memory and not in the database file.
func TestAttachmentsGoBesideTheDatabase(t *testing.T) {
	t.Parallel()
	r := startServer(t)
	ctx := context.Background()
	admin, err := r.app.kernel.Store().GetStaff(ctx, r.app.admin)
	require.NoError(t, err)
	officer, err := r.app.kernel.CreateStaff(ctx, casework.Actor{StaffID: admin.ID, UnitID: admin.UnitID, Roles: admin.Roles},
		casework.StaffInput{UnitID: admin.UnitID, Name: "值班民警", Roles: []casework.Role{casework.RoleOfficer}})
	require.NoError(t, err)
	png := append([]byte("\x89PNG\r\n\x1a\n"), []byte("签收页")...)
	req, err := http.NewRequest(http.MethodPost, r.url+"/v1/attachments?name=%E7%AD%BE%E6%94%B6.png", bytes.NewReader(png))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+r.token(t, officer.ID))
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	sum := sha256.Sum256(png)
	digest := hex.EncodeToString(sum[:])
	st, err := os.Stat(filepath.Join(r.data, "blobs", digest[:2], digest))
	require.NoError(t, err, "the bytes are a file under DATA/blobs")
	require.EqualValues(t, len(png), st.Size())
}
