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

import "github.com/grassroots-policing/grassroots/internal/envflag"

// Long reports whether long-running tests were asked for (GRASSROOTS_LONG=1).
// Use it to scale iteration counts or to skip soak tests by default:
//
//	if !testdb.Long() { t.Skip("set GRASSROOTS_LONG=1") }
func Long() bool { return envflag.On("GRASSROOTS_LONG") }

// RequirePG reports whether an unreachable PostgreSQL must fail tests rather
// than skip them: true when CI=true or GRASSROOTS_REQUIRE_PG=1.
func RequirePG() bool {
	return envflag.On("CI") || envflag.On("GRASSROOTS_REQUIRE_PG")
}
