// Package api is generated from ../openapi.yaml by oapi-codegen (go generate
// ./openapi/...): the request and response models, the net/http server
// interface with its Go 1.22 routes, and the strict server, whose typed
// request and response objects the handlers translate to and from service
// calls. Only this file is written by hand.
//
// The generated error hooks answer plain text carrying err.Error(); a handler
// that mounts this package replaces all three (StdHTTPServerOptions.
// ErrorHandlerFunc, StrictHTTPServerOptions.RequestErrorHandlerFunc and
// ResponseErrorHandlerFunc) with problem+json responses.
package api
