package openapi

// The generated server (package api) and client (package client) come from
// openapi.yaml; oapi-codegen runs from the tool modfile so that it stays out of
// the module's requirements.
//go:generate go tool -modfile=../tools.mod oapi-codegen -config api/cfg.yaml openapi.yaml
//go:generate go tool -modfile=../tools.mod oapi-codegen -config client/cfg.yaml openapi.yaml
