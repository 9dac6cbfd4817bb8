package main

import (
	"context"
	"net"
	"net/http"
	"time"
)

// bareDocument is about the size and shape of a masked person: what the
// bare handler answers to every request.
const bareDocument = `{"id":"01HZP0000000000000000PERS1","unitId":"01HZP0000000000000000ZTZS1","name":"王某",` +
	`"docType":"resident_id","docNumber":"3703**********0012","phone":"138****0001","version":1,` +
	`"createdAt":"2020-05-06T01:00:00Z","updatedAt":"2020-05-06T01:00:00Z"}`

// bareHandler is the reference every figure is divided by: plain net/http
// answering a small JSON document, with no routing, authentication,
// database or logging. Absolute numbers drift on a shared machine; the
// ratio to this handler, measured in the same run, does much less.
func bareHandler() http.Handler {
	body := []byte(bareDocument)
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
}

// startBare serves the bare handler on a free local port until ctx ends,
// and returns its base URL.
func startBare(ctx context.Context) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: bareHandler(), ReadHeaderTimeout: 5 * time.Second}
	// Serve ends with ErrServerClosed at stop; any other failure shows as
	// wrk's connection errors, which fail the run.
	go func() { _ = srv.Serve(ln) }()
	stop := func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}
	return "http://" + ln.Addr().String(), stop, nil
}
