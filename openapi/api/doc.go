// Package api is generated from ../openapi.yaml by oapi-codegen (go generate
// ./openapi/...): the request and response models, the net/http server
// interface with its Go 1.22 routes, and the strict server, whose typed
// request and response objects the handlers translate to and from service
// calls. Two of oapi-codegen's templates are replaced (see cfg.yaml): the
// wrapper parses a request's query once, and the strict handler wraps each
// operation in its middlewares once, when it is built. Only this file, the
// templates and the test are written by hand.
//
// The generated error hooks answer plain text carrying err.Error(); a handler
// that mounts this package replaces all three (StdHTTPServerOptions.
// ErrorHandlerFunc, StrictHTTPServerOptions.RequestErrorHandlerFunc and
// ResponseErrorHandlerFunc) with problem+json responses.
package api
