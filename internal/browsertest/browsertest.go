// Package browsertest gives tests a headless Chromium driven through
// github.com/chromedp/chromedp, and records the requests the page makes.
//
// The browser is Debian's `chromium` package (.ci/ensure-chromium installs it
// for `make test`); nothing is ever downloaded. GRASSROOTS_CHROMIUM names
// another binary. When no browser is found the test is skipped with a message
// saying so, or failed when RequireBrowser reports true, so that CI cannot
// pass without having run the browser tests.
package browsertest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/grassroots-policing/grassroots/internal/envflag"
)

// EnvBinary names the environment variable that chooses the browser binary.
const EnvBinary = "GRASSROOTS_CHROMIUM"

// candidates are tried in order when EnvBinary is unset: Debian's launcher
// first (it is what .ci/ensure-chromium installs), then common names on PATH.
var candidates = []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// ErrNoBrowser is returned by Binary when no Chromium can be found.
var ErrNoBrowser = errors.New("browsertest: no Chromium found")

// RequireBrowser reports whether a missing browser must fail tests rather than
// skip them: true when CI=true or GRASSROOTS_REQUIRE_BROWSER=1 (the Makefile
// sets the latter after .ci/ensure-chromium succeeded).
func RequireBrowser() bool {
	return envflag.On("CI") || envflag.On("GRASSROOTS_REQUIRE_BROWSER")
}

// Binary returns the path of the browser to run: $GRASSROOTS_CHROMIUM when
// set (it must then be executable), else the first candidate that exists.
func Binary() (string, error) {
	if p := strings.TrimSpace(os.Getenv(EnvBinary)); p != "" {
		found, err := exec.LookPath(p)
		if err != nil {
			return "", errors.Join(ErrNoBrowser, err)
		}
		return found, nil
	}
	for _, c := range candidates {
		if found, err := exec.LookPath(c); err == nil {
			return found, nil
		}
	}
	return "", ErrNoBrowser
}

// flags are the switches every test browser starts with: headless, no
// sandbox (tests run as root in CI), and none of the background traffic a
// browser makes on its own (updates, sync, QUIC probes), so that a request
// log shows only what the page asked for. --host-resolver-rules makes every
// name but loopback unresolvable: a page that tries to leave the machine
// fails fast instead of reaching the internet, and its attempt is still
// recorded by Record.
var flags = []chromedp.ExecAllocatorOption{
	chromedp.NoFirstRun,
	chromedp.NoDefaultBrowserCheck,
	chromedp.Headless,
	chromedp.NoSandbox,
	chromedp.DisableGPU,
	chromedp.Flag("disable-quic", true),
	chromedp.Flag("disable-background-networking", true),
	chromedp.Flag("disable-component-update", true),
	chromedp.Flag("disable-sync", true),
	chromedp.Flag("disable-default-apps", true),
	chromedp.Flag("disable-extensions", true),
	chromedp.Flag("disable-dev-shm-usage", true),
	chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
	chromedp.Flag("metrics-recording-only", true),
	chromedp.Flag("safebrowsing-disable-auto-update", true),
	chromedp.Flag("password-store", "basic"),
	chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE [::1]"),
	chromedp.WindowSize(1280, 1024),
}

// New starts a fresh headless Chromium with its own profile in t.TempDir()
// and returns a chromedp context for one tab in it, bounded by timeout. The
// browser is stopped and its profile removed when the test ends. Without a
// browser the test is skipped, or failed when RequireBrowser is true.
func New(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		if RequireBrowser() {
			t.Fatalf("%v (required because CI=true or GRASSROOTS_REQUIRE_BROWSER=1; run .ci/ensure-chromium or set %s)", err, EnvBinary)
		}
		t.Skipf("SKIPPING BROWSER TEST: %v (run .ci/ensure-chromium or set %s; CI=true or GRASSROOTS_REQUIRE_BROWSER=1 fails instead)", err, EnvBinary)
	}
	opts := append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(t.TempDir()),
	}, flags...)
	ctx, cancelTimeout := context.WithTimeout(context.Background(), timeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	// Cleanups run last-in first-out; the browser must be gone before
	// t.TempDir's own cleanup removes the profile it writes into.
	t.Cleanup(func() {
		if err := chromedp.Cancel(tabCtx); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			t.Logf("browsertest: closing the browser: %v", err)
		}
		cancelTab()
		cancelAlloc()
		cancelTimeout()
	})
	return tabCtx
}
