// Package brokentest runs a conformance suite against deliberately broken
// stores, each in a child test process, and requires the suite to fail for
// every one of them: the meta-test that keeps the exported suites honest.
// A broken store breaks one promise of a Store doc comment; a suite that
// passes it does not check that promise.
package brokentest

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

const env = "GRASSROOTS_BROKEN_STORE"

// Name is the broken store this process is the child for, or "" in the
// parent (and when the child test is run directly, which then does
// nothing).
func Name() string { return os.Getenv(env) }

// Catches runs the test named child of this test binary once per entry of
// want, in a child process whose Name is that entry's key, and requires it
// to fail with at least one failing subtest of child matching the entry's
// value (a regexp alternation of subtest names). A child process keeps
// one broken store's failures, panics and deadlocks away from the others.
func Catches(t *testing.T, child string, want map[string]string) {
	failing := regexp.MustCompile(`--- FAIL: ` + regexp.QuoteMeta(child) + `/(\w+)`)
	for name, caught := range want {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^"+child+"$", "-test.count=1", "-test.timeout=2m")
			cmd.Env = append(os.Environ(), env+"="+name)
			out, err := cmd.CombinedOutput()
			require.Error(t, err, "the suite passed a store that %s:\n%s", name, out)
			var names []string
			for _, m := range failing.FindAllStringSubmatch(string(out), -1) {
				names = append(names, m[1])
			}
			require.NotEmpty(t, names, "%s", out)
			require.True(t, slices.ContainsFunc(names, regexp.MustCompile("^("+caught+")$").MatchString),
				"failing subtests %v do not include %s", names, caught)
			t.Logf("%s caught by %v", name, names)
		})
	}
}
