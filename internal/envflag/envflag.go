// Package envflag reads the yes/no switches the test helpers take from the
// environment (CI, GRASSROOTS_REQUIRE_PG, GRASSROOTS_REQUIRE_BROWSER, ...),
// so that every helper understands the same spellings.
package envflag

import (
	"os"
	"strings"
)

// On reports whether the environment variable name is set to 1, true, yes or
// on (any case, surrounding blanks ignored). Unset, empty or anything else is
// off.
func On(name string) bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(name))) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}
