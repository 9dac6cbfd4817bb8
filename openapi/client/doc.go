// Package client is the Go client of the grassroots HTTP API, generated from
// ../openapi.yaml by oapi-codegen (go generate ./openapi/...). It uses the
// models of package api. ClientWithResponses parses each answer into its
// typed field (JSON200, JSON201, ApplicationproblemJSON412 …). Only this file
// is written by hand.
package client
