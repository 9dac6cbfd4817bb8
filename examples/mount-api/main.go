// Command mount-api is an existing net/http application — its own users,
// its own login form and cookie sessions — that mounts the Grassroots API
// under /policing/ and lets its logged-in users call it. The application's
// session is the authentication: an openapi.Authenticator maps the session
// cookie to the user's staff id, and the staff record, not the session,
// says which unit and roles the user acts with.
//
//	go run ./examples/mount-api
//	curl -c jar -d user=wang -d password=… http://127.0.0.1:8081/login
//	curl -b jar http://127.0.0.1:8081/policing/v1/disputes
//
// Everything lives in memory and is gone when the program stops.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "address to listen on")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", *addr)
	if err == nil {
		err = run(ctx, ln, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mount-api:", err)
		os.Exit(1)
	}
}

// run builds the application and serves it on ln until ctx ends.
func run(ctx context.Context, ln net.Listener, stdout io.Writer) error {
	a, password, err := newApp(ctx)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: a, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "The application listens on %s/ and serves the Grassroots API under %s/policing/v1/\n", base, base)
	fmt.Fprintf(stdout, "Log in:  curl -c jar -d user=wang -d password=%s %s/login\n", password, base)
	fmt.Fprintf(stdout, "Then:    curl -b jar %s/policing/v1/disputes\n", base)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err = <-served:
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		err = srv.Shutdown(sctx)
		cancel()
		<-served
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
