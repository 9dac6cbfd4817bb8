// Command server is the reference server: the whole Grassroots API over
// HTTP, with no set-up.
//
//	go run ./examples/server                       # SQLite in ./grassroots-data, on 127.0.0.1:8080
//	go run ./examples/server token -staff <id>     # mint a bearer token from the server's own secret
//	go run ./examples/server backup -to DIR        # a consistent copy of the live SQLite database and its keys
//	go run ./examples/server -help                 # every flag and its environment variable
//
// On its first start it creates the data directory, the database (migrated),
// the sealing and checkpoint keys (keys.json) and the token signing secret
// (jwt-secret), both mode 0600, and a root unit with its first admin. On a
// new SQLite database (or any empty one with -demo) it loads the article's
// city instead — 淄博市公安局, its branches and stations, staff, residents
// and the stories' records — and prints the staff id of a demonstration
// officer with the command that mints a token for them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/grassroots-policing/grassroots/openapi"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "server:", err)
		}
		os.Exit(2)
	}
}

// run dispatches to the server or to a subcommand.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "token" {
		return runToken(args[1:], getenv, stdout, stderr)
	}
	if len(args) > 0 && args[0] == "backup" {
		return runBackup(ctx, args[1:], getenv, stdout, stderr)
	}
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	limit := applyMemoryLimit(cfg, getenv)
	a, err := newApp(ctx, cfg, stdout, stderr)
	if err != nil {
		return err
	}
	if limit != math.MaxInt64 {
		a.log.Info().Int64("bytes", limit).Msg("soft memory limit (-memory-limit)")
	}
	return a.listenAndServe(ctx)
}

// config is everything the server is told by flags or environment.
type config struct {
	addr, data, db              string
	blobs                       string // attachment bytes: a folder, or "db"; see blobStore
	logLevel, logFormat         string
	issuer, audience            string
	deliverEvery, sweepEvery    time.Duration
	shutdownTimeout             time.Duration
	readHeaderTimeout, readTime time.Duration
	writeTimeout, idleTimeout   time.Duration
	maxHeaderBytes              int
	maxBodyBytes                int64
	maxConcurrent               int             // see openapi.Config.MaxConcurrent
	jwks                        string          // the identity provider's public keys; see loadJWKS
	jwtAlgs                     string          // the accepted algorithms; see parseAlgs
	algs                        map[string]bool // jwtAlgs, parsed
	corsOrigins                 string          // see parseOrigins
	origins                     map[string]bool // corsOrigins, parsed
	demo                        optBool         // load the article's city into an empty database; see wantDemo
	memoryLimit                 memoryLimit     // the runtime's soft memory limit; see applyMemoryLimit
}

// commonFlags are those the server and the token command share.
func commonFlags(fs *flag.FlagSet, c *config) {
	fs.StringVar(&c.data, "data", "grassroots-data", "data directory: database, keys.json and jwt-secret live here")
	fs.StringVar(&c.issuer, "issuer", "grassroots", "JWT issuer (iss) minted and required")
	fs.StringVar(&c.audience, "audience", "grassroots", "JWT audience (aud) minted and required")
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	commonFlags(fs, c)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&c.db, "db", "", "database: sqlite:PATH, postgres://… or memory (default sqlite:DATA/grassroots.db)")
	fs.StringVar(&c.blobs, "blobs", "", "attachment bytes: a folder, or db to keep them in the database (default DATA/blobs on SQLite, the database on PostgreSQL, where every server process must share them)")
	fs.StringVar(&c.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&c.logFormat, "log-format", "auto", "log format: json, pretty, or auto (pretty on a terminal, else JSON)")
	fs.DurationVar(&c.deliverEvery, "deliver-every", 5*time.Second, "how often the outbox dispatcher delivers pending hand-offs")
	fs.DurationVar(&c.sweepEvery, "sweep-every", time.Minute, "how often the sweep (overdue visits, deadlines) runs")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 20*time.Second, "how long shutdown waits for requests in flight")
	fs.DurationVar(&c.readHeaderTimeout, "read-header-timeout", 5*time.Second, "http.Server ReadHeaderTimeout")
	fs.DurationVar(&c.readTime, "read-timeout", 30*time.Second, "http.Server ReadTimeout (headers and body)")
	fs.DurationVar(&c.writeTimeout, "write-timeout", 60*time.Second, "http.Server WriteTimeout")
	fs.DurationVar(&c.idleTimeout, "idle-timeout", 120*time.Second, "http.Server IdleTimeout")
	fs.IntVar(&c.maxHeaderBytes, "max-header-bytes", 64<<10, "http.Server MaxHeaderBytes")
	fs.Int64Var(&c.maxBodyBytes, "max-body-bytes", openapi.DefaultMaxBodyBytes, "largest JSON request body in bytes (larger: 413)")
	fs.IntVar(&c.maxConcurrent, "max-concurrent", defaultMaxConcurrent(), "reads (GET) that run their database work at once, the rest waiting in arrival order (0: no bound)")
	fs.StringVar(&c.jwks, "jwks", "", "JWKS file of the identity provider's public keys (Ed25519 kty OKP, RSA ≥ 2048 bits), chosen by a token's kid; read at start")
	fs.StringVar(&c.jwtAlgs, "jwt-algs", defaultAlgs, "accepted token algorithms, comma-separated, from HS256 (the local secret), EdDSA and RS256 (keys of -jwks); a token's own header never widens them")
	fs.StringVar(&c.corsOrigins, "cors-origins", "", "browser origins allowed to call the API, comma-separated, exact (https://console.example.gov.cn); none by default, * refused")
	fs.Var(&c.memoryLimit, "memory-limit", "soft limit on the Go runtime's memory (runtime/debug.SetMemoryLimit) such as 128MiB, or off (default: GOMEMLIMIT when set, else 100MiB on the memory backend, whose records all live in the heap, and none on SQL)")
	fs.Var(&c.demo, "demo", "load the article's city (淄博市公安局, May 2020) into an empty database (default: on a new SQLite database only; -demo=false never)")
	if err := parse(fs, args, getenv, stderr); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (the subcommands are token and backup)", fs.Arg(0))
	}
	if c.db == "" {
		c.db = "sqlite:" + filepath.Join(c.data, "grassroots.db")
	}
	for name, d := range map[string]time.Duration{"deliver-every": c.deliverEvery, "sweep-every": c.sweepEvery,
		"shutdown-timeout": c.shutdownTimeout, "read-header-timeout": c.readHeaderTimeout, "read-timeout": c.readTime,
		"write-timeout": c.writeTimeout, "idle-timeout": c.idleTimeout} {
		if d <= 0 {
			return nil, fmt.Errorf("-%s must be positive", name)
		}
	}
	if c.maxHeaderBytes <= 0 {
		return nil, errors.New("-max-header-bytes must be positive")
	}
	if c.maxBodyBytes <= 0 {
		return nil, errors.New("-max-body-bytes must be positive")
	}
	if c.maxConcurrent < 0 {
		return nil, errors.New("-max-concurrent must not be negative")
	}
	var err error
	if c.algs, err = parseAlgs(c.jwtAlgs); err != nil {
		return nil, err
	}
	if c.origins, err = parseOrigins(c.corsOrigins); err != nil {
		return nil, err
	}
	return c, nil
}

// commaList splits a flag's comma-separated list, dropping blanks.
func commaList(list string) []string {
	var out []string
	for _, v := range strings.Split(list, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// envName is the environment variable of a flag: GRASSROOTS_ and the
// flag's name in capitals, dashes as underscores (-log-level is
// GRASSROOTS_LOG_LEVEL).
func envName(flagName string) string {
	return "GRASSROOTS_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parse parses args; a flag not given on the command line takes its
// environment variable when that is set. -help lists both.
func parse(fs *flag.FlagSet, args []string, getenv func(string) string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	fs.VisitAll(func(f *flag.Flag) { f.Usage += " [$" + envName(f.Name) + "]" })
	if err := fs.Parse(args); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if v := getenv(envName(f.Name)); v != "" && !given[f.Name] && err == nil {
			if serr := fs.Set(f.Name, v); serr != nil {
				err = fmt.Errorf("$%s: %w", envName(f.Name), serr)
			}
		}
	})
	return err
}

// runToken mints a token from the secret in the data directory.
func runToken(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c := &config{}
	fs := flag.NewFlagSet("server token", flag.ContinueOnError)
	commonFlags(fs, c)
	staff := fs.String("staff", "", "staff id the token is for (its subject)")
	ttl := fs.Duration("ttl", 8*time.Hour, "how long the token is valid")
	if err := parse(fs, args, getenv, stderr); err != nil {
		return err
	}
	secret, err := loadSecret(filepath.Join(c.data, secretFileName))
	if err != nil {
		return fmt.Errorf("token: %w (start the server once to create it)", err)
	}
	tok, err := mintToken(secret, c.issuer, c.audience, *staff, time.Now(), *ttl)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, tok)
	return err
}

// defaultMaxConcurrent is -max-concurrent's default: a few reads per core
// at a time keep every core busy while one waits for the database, and
// keep the tail short under load (openapi.Config.MaxConcurrent): on two
// cores and PostgreSQL, wrk's GET at 64 connections had a p99 of 184–488
// ms unbounded and 68–116 ms at 16, at the same rate.
func defaultMaxConcurrent() int { return 8 * runtime.GOMAXPROCS(0) }
