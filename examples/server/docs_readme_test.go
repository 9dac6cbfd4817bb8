package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/internal/envflag"
)

// walkthroughMarker precedes the README's curl walk-through; the fenced
// block after it is what TestREADMEWalkthrough runs.
const walkthroughMarker = "<!-- walk-through: examples/server/docs_readme_test.go runs this block with bash, as written -->"

// helperEnv makes this test binary act as `go run ./examples/server` (see
// serverCommand), so that the walk-through's own token command
// runs as written without compiling the server again.
const helperEnv = "GRASSROOTS_TEST_AS_SERVER_COMMAND"

// readmeBlock returns the fenced block that follows marker in README.md.
func readmeBlock(t *testing.T, marker string) string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	_, after, ok := strings.Cut(string(readme), marker)
	require.True(t, ok, "README.md has no %q", marker)
	m := regexp.MustCompile("(?s)^\\s*```[a-z]*\\n(.*?)\\n```").FindStringSubmatch(after)
	require.NotNil(t, m, "no fenced block right after the marker")
	return m[1]
}

// exchange is one request the walk-through made and the status it got.
type exchange struct {
	Method, Path string
	Status       int
	ContentType  string
}

// recorder is a reverse proxy in front of the server that notes every
// exchange, so the test can assert each step's status however the block
// prints it.
type recorder struct {
	mu   sync.Mutex
	seen []exchange
}

func (rec *recorder) proxy(t *testing.T, target string) string {
	u, err := url.Parse(target)
	require.NoError(t, err)
	p := httputil.NewSingleHostReverseProxy(u)
	p.ModifyResponse = func(resp *http.Response) error {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		rec.seen = append(rec.seen, exchange{resp.Request.Method, resp.Request.URL.Path, resp.StatusCode,
			resp.Header.Get("Content-Type")})
		return nil
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv.URL
}

func (rec *recorder) exchanges() []exchange {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]exchange(nil), rec.seen...)
}

// The README's curl walk-through runs as written, with bash, against a
// server started as its first command starts it (a new SQLite database in
// ./grassroots-data, the demo city loaded). Only $GRASSROOTS is given (the
// test server's address); `go run ./examples/server token` is this test
// binary acting as the server command. Every request's status is checked,
// and so is what the block prints.
func TestREADMEWalkthrough(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			if envflag.On("CI") {
				t.Fatalf("the README walk-through needs %s: %v", tool, err)
			}
			t.Skipf("SKIPPING the README walk-through: %s is not installed (%v)", tool, err)
		}
	}
	block := readmeBlock(t, walkthroughMarker)
	dir := t.TempDir()
	r := start(t, "-data", filepath.Join(dir, "grassroots-data"))
	require.NotEmpty(t, r.app.demo)
	rec := &recorder{}
	base := rec.proxy(t, r.url)

	self, err := os.Executable()
	require.NoError(t, err)
	// go: only `go run ./examples/server ARGS` is expected; it runs this
	// binary's helper test with ARGS, in the block's directory.
	shim := `go() {
	if [[ $1 != run || $2 != ./examples/server ]]; then echo "walk-through test: unexpected: go $*" >&2; return 1; fi
	shift 2
	` + helperEnv + `=1 "$GRASSROOTS_TEST_BINARY" "$@"
}
`
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // seconds when idle; generous for a loaded -race run
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", shim+block)
	cmd.Dir = dir
	// TZ: `date +%Y` in the block counts years as the server's zone does.
	cmd.Env = append(os.Environ(), "GRASSROOTS="+base, "GRASSROOTS_TEST_BINARY="+self, "TZ=Asia/Shanghai")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	require.NoError(t, err, "the walk-through failed\nstdout:\n%s\nstderr:\n%s\nrequests: %+v", &stdout, &stderr, rec.exchanges())
	require.Empty(t, stderr.String(), "the walk-through printed errors")

	dispute := regexp.MustCompile(`^/v1/disputes/[0-9A-Z]{26}/`)
	var steps []string
	for _, e := range rec.exchanges() {
		steps = append(steps, fmt.Sprintf("%s %s %d", e.Method, dispute.ReplaceAllString(e.Path, "/v1/disputes/ID/"), e.Status))
	}
	require.Equal(t, []string{
		"GET /v1/disputes 200",
		"GET /v1/disputes 200",
		"POST /v1/disputes 201",
		"POST /v1/disputes/ID/screen 200",
		"POST /v1/disputes/ID/accept 200",
		"POST /v1/disputes/ID/start-mediation 200",
		"POST /v1/disputes/ID/agreements 200",
		"POST /v1/disputes/ID/close 412",
		"POST /v1/disputes/ID/close 200",
		"GET /v1/reports/summary 200",
	}, steps)
	report := rec.exchanges()[len(steps)-1]
	require.True(t, strings.HasPrefix(report.ContentType, "text/csv"), report.ContentType)

	out := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	require.GreaterOrEqual(t, len(out), 10, stdout.String())
	require.Regexp(t, `^[0-9A-Z]{26}\tclosed\tneighbour/noise$`, out[0])
	require.Regexp(t, `^[0-9A-Z]{26}\tclosed\tneighbour/animal$`, out[1])
	require.Equal(t, []string{"screened", "accepted", "in_mediation", "agreed", "412", "closed settled"}, out[2:8])

	rows, err := csv.NewReader(strings.NewReader(strings.Join(out[8:], "\n"))).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 2, "a header and the city's row")
	require.True(t, strings.HasPrefix(rows[0][0], "\uFEFF"), "the CSV starts with a BOM")
	require.Equal(t, "淄博市公安局", rows[1][0])
	col := map[string]string{}
	for i, h := range rows[0] {
		col[h] = rows[1][i]
	}
	require.Equal(t, "3", col["化解矛盾纠纷（起）"], "the README says 化解矛盾纠纷 is now 3: %v", col)
}

// serverCommand is this test binary run with helperEnv set (TestMain):
// the server command (`go run ./examples/server ARGS`) for the
// walk-through, with the binary's own arguments as ARGS.
func serverCommand(args []string) int {
	if err := run(context.Background(), args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		return 2
	}
	return 0
}
