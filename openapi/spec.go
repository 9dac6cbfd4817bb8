// Package openapi holds the HTTP contract of grassroots: openapi.yaml, the
// single source of truth from which the server interface (package api) and
// the Go client (package client) are generated.
package openapi

import _ "embed"

// Spec is openapi.yaml as written, for serving at a docs endpoint and for
// validating requests and responses in tests. It is embedded with go:embed
// rather than oapi-codegen's embedded-spec, which would pull kin-openapi into
// the runtime.
//
//go:embed openapi.yaml
var Spec []byte
