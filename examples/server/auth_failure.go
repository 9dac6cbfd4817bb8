package main

import (
	"context"
	"net/http"
)

// authReason is why an authentication failed. The set is closed, so it
// can label a metric without growing it, and names the failed check, never
// anything of the token.
type authReason string

const (
	reasonNoToken      authReason = "no_token"      // no Authorization: Bearer header
	reasonMalformed    authReason = "malformed"     // not a JWT
	reasonAlgorithm    authReason = "algorithm"     // alg none, unknown or not accepted by -jwt-algs
	reasonUnknownKid   authReason = "unknown_kid"   // no key of -jwks has the token's kid
	reasonKeyMismatch  authReason = "key_mismatch"  // the kid's key is for another algorithm
	reasonSignature    authReason = "bad_signature" // the signature does not verify
	reasonExpired      authReason = "expired"       // exp passed (beyond clockSkew)
	reasonNotYetValid  authReason = "not_yet_valid" // nbf or iat in the future (beyond clockSkew)
	reasonClaims       authReason = "claims"        // wrong issuer or audience, no exp or subject
	reasonUnknownStaff authReason = "unknown_staff" // the subject is no staff member
	reasonDeactivated  authReason = "deactivated"   // the staff member is deactivated
	reasonLookup       authReason = "lookup_failed" // the staff record could not be read
)

// authReasons is every reason, so that the metric shows each at zero.
var authReasons = []authReason{reasonNoToken, reasonMalformed, reasonAlgorithm, reasonUnknownKid, reasonKeyMismatch,
	reasonSignature, reasonExpired, reasonNotYetValid, reasonClaims, reasonUnknownStaff, reasonDeactivated, reasonLookup}

// authError is a failed authentication. Its text is what the openapi
// handler logs (with the request id): the reason and a detail that never
// holds the token.
type authError struct {
	reason authReason
	detail string
}

func (e *authError) Error() string { return "reason=" + string(e.reason) + ": " + e.detail }

// noteFailure records, in the request's note (accessLog's), that the
// request was refused for reason: the response's challenge names it.
func noteFailure(ctx context.Context, reason authReason) {
	if n := noteOf(ctx); n != nil {
		n.failure = reason
	}
}

// bearerChallenge is the WWW-Authenticate of a 401. A request that sent
// no bearer token gets the bare challenge; one whose token was refused
// gets error="invalid_token", as RFC 6750 §3.1 says (a request "lacking
// any authentication information" should get no error code).
func bearerChallenge(reason authReason) string {
	if reason == "" || reason == reasonNoToken {
		return `Bearer realm="grassroots"`
	}
	return `Bearer realm="grassroots", error="invalid_token"`
}

// challenging sets the challenge on the openapi handler's 401s: its
// problem writer answers every authentication failure alike, and this
// adds what the failure was (the problem body stays the writer's own).
// It reads the note accessLog gave the request, and gives the request one
// when served without accessLog.
func challenging(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := noteOf(r.Context())
		if n == nil {
			n = &requestNote{}
			r = r.WithContext(context.WithValue(r.Context(), noteKey{}, n))
		}
		next.ServeHTTP(&challengeWriter{ResponseWriter: w, note: n}, r)
	})
}

// challengeWriter rewrites WWW-Authenticate as a 401's header is written.
type challengeWriter struct {
	http.ResponseWriter
	note *requestNote
}

func (c *challengeWriter) WriteHeader(status int) {
	if status == http.StatusUnauthorized {
		c.Header().Set("WWW-Authenticate", bearerChallenge(c.note.failure))
	}
	c.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (c *challengeWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
