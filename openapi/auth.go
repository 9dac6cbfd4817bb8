package openapi

import (
	"context"
	"net/http"

	"github.com/grassroots-policing/grassroots/casework"
)

// Authenticator turns a request into the acting staff member, so that an
// integrator plugs in the identity system it already has. Any error answers
// 401 (the error's text is logged, never sent). The services check the actor
// against the stored staff record on every call, so an Authenticator vouches
// only for who is asking, not for what they may do.
type Authenticator interface {
	Authenticate(r *http.Request) (casework.Actor, error)
}

// AuthenticatorFunc adapts a function to Authenticator.
type AuthenticatorFunc func(r *http.Request) (casework.Actor, error)

// Authenticate calls f.
func (f AuthenticatorFunc) Authenticate(r *http.Request) (casework.Actor, error) { return f(r) }

// authenticate puts the actor in the request context for the handlers, or
// answers 401 with a Bearer challenge.
func (h *handler) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.auth == nil {
			h.writeError(w, r, &httpError{kind: errUnauthenticated, detail: "no valid credentials"})
			return
		}
		actor, err := h.auth.Authenticate(r)
		if err != nil {
			h.log.Info().Err(err).Str("request_id", casework.RequestIDFrom(r.Context())).Msg("authentication failed")
			h.writeError(w, r, &httpError{kind: errUnauthenticated, detail: "no valid credentials"})
			return
		}
		// The Accept header goes in with the actor: one copy of the
		// request for both (route's handlers read them from the context).
		next.ServeHTTP(w, r.WithContext(withAccept(casework.WithActor(r.Context(), actor), r)))
	})
}

// actorOf returns the actor authenticate put in ctx. Every handler runs
// behind authenticate, so a missing actor is the zero Actor, which every
// service refuses.
func actorOf(ctx context.Context) casework.Actor {
	a, _ := casework.ActorFrom(ctx)
	return a
}
