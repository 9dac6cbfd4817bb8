package browsertest_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/internal/browsertest"
)

func TestIsLocal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url  string
		want bool
	}{
		{"http://127.0.0.1:8080/docs", true},
		{"http://127.0.0.2/x", true},
		{"http://[::1]:9/x", true},
		{"http://localhost:1/x", true},
		{"ws://127.0.0.1:1/socket", true},
		{"data:image/png;base64,AAAA", true},
		{"blob:http://127.0.0.1/abc", true},
		{"about:blank", true},
		{"https://unpkg.com/swagger-ui-dist/swagger-ui.css", false},
		{"http://10.0.0.1/x", false},
		{"http://localhost.example.com/x", false},
		{"ftp://127.0.0.1/x", false},
		{"chrome-extension://abc/x", false},
		{"http://%zz", false},
	} {
		require.Equal(t, tc.want, browsertest.IsLocal(tc.url), tc.url)
	}
}

func TestRequireBrowser(t *testing.T) {
	for _, tc := range []struct {
		ci, require string
		want        bool
	}{
		{"", "", false},
		{"true", "", true},
		{"", "1", true},
		{"false", "0", false},
		{"", " YES ", true},
	} {
		t.Setenv("CI", tc.ci)
		t.Setenv("GRASSROOTS_REQUIRE_BROWSER", tc.require)
		require.Equal(t, tc.want, browsertest.RequireBrowser(), "CI=%q REQUIRE=%q", tc.ci, tc.require)
	}
}

func TestBinaryHonoursEnvironment(t *testing.T) {
	t.Setenv(browsertest.EnvBinary, "/nonexistent/chromium")
	_, err := browsertest.Binary()
	require.ErrorIs(t, err, browsertest.ErrNoBrowser)
}

// TestRecordSeesEveryRequest renders a page that loads one local script and
// tries one remote image; the record holds both, and only the remote one is
// reported as leaving the machine.
func TestRecordSeesEveryRequest(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><title>t</title><p id="out">waiting</p>
<script src="/app.js"></script><img src="http://cdn.example.com/logo.png">`))
	})
	mux.HandleFunc("/app.js", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		_, _ = w.Write([]byte(`document.getElementById("out").textContent = "ran";`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	ctx := browsertest.New(t, 30*time.Second)
	reqs, err := browsertest.Record(ctx)
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")))
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("out")))
	require.NoError(t, err)
	require.Equal(t, "ran", strings.TrimSpace(text))

	require.Eventually(t, func() bool { return len(reqs.NotLoopback()) == 1 }, 10*time.Second, 50*time.Millisecond,
		"recorded: %v", reqs.URLs())
	require.Equal(t, []string{"http://cdn.example.com/logo.png"}, reqs.NotLoopback())
	require.Contains(t, reqs.URLs(), srv.URL+"/app.js")
	require.Contains(t, reqs.URLs(), srv.URL+"/")
}
