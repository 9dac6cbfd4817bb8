// Package testdb gives tests of any package in this module a real, isolated
// database: a fresh SQLite file per test, or a fresh PostgreSQL schema per
// test, both cleaned up through t.Cleanup.
//
// Environment:
//
//	GRASSROOTS_PG_URL       PostgreSQL URL (default postgres://postgres@127.0.0.1:5432/test?sslmode=disable)
//	GRASSROOTS_REQUIRE_PG=1 an unreachable PostgreSQL fails the test instead of skipping it
//	CI=true                 same as GRASSROOTS_REQUIRE_PG=1
//	GRASSROOTS_LONG=1       Long() reports true: enable long-running tests
package testdb

import (
	"os"
	"strings"
)

// Long reports whether long-running tests were asked for (GRASSROOTS_LONG=1).
// Use it to scale iteration counts or to skip soak tests by default:
//
//	if !testdb.Long() { t.Skip("set GRASSROOTS_LONG=1") }
func Long() bool { return truthy(os.Getenv("GRASSROOTS_LONG")) }

// RequirePG reports whether an unreachable PostgreSQL must fail tests rather
// than skip them: true when CI=true or GRASSROOTS_REQUIRE_PG=1.
func RequirePG() bool {
	return truthy(os.Getenv("CI")) || truthy(os.Getenv("GRASSROOTS_REQUIRE_PG"))
}

func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}
