package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	stdlog "log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/grassroots-policing/grassroots/casework"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/examples/internal/wiring"
	"github.com/grassroots-policing/grassroots/openapi"
)

// app is one running server: its database, kernel and services, the HTTP
// handler and the background loops.
type app struct {
	cfg    *config
	log    zerolog.Logger
	stdout io.Writer

	db      *sql.DB          // nil for the memory store
	schema  map[string]int64 // migration line → newest step, as migrated at start
	kernel  *casework.Kernel // the services' kernel
	handler http.Handler     // everything the server serves
	metrics *metrics         // what /metrics exposes
	admin   string           // the bootstrapped admin's staff id, when known
	demo    string           // the demo city's officer to mint a token for, when loaded
	active  atomic.Int64     // requests in flight
	outbox  *loopState       // the outbox dispatcher's liveness
	sweep   *loopState       // the sweep's liveness
	closers []func() error   // run in order by close
	logs    *logBuffer       // the JSON log's buffer (nil for pretty lines), closed last
}

// adminFileName keeps the bootstrapped admin's staff id (not a secret) so
// that every start can print the command that mints a token for them.
const adminFileName = "admin-staff-id"

// newApp builds everything the server needs, migrating and bootstrapping
// the database on its first start.
func newApp(ctx context.Context, cfg *config, stdout, stderr io.Writer) (*app, error) {
	log, logs, err := newLogger(cfg.logLevel, cfg.logFormat, stderr)
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: log, stdout: stdout, logs: logs}
	if err := a.build(ctx); err != nil {
		return nil, errors.Join(err, a.close())
	}
	return a, nil
}

// build does newApp's work; on failure newApp closes what it opened.
func (a *app) build(ctx context.Context) error {
	cfg := a.cfg
	if err := os.MkdirAll(cfg.data, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	keysPath := filepath.Join(cfg.data, "keys.json")
	keys, created, err := casework.EnsureKeyFile(keysPath)
	if err != nil {
		return err
	}
	if created {
		a.log.Warn().Str("path", keysPath).Msg("generated the sealing and checkpoint keys (mode 0600): back them up with the database, which cannot be read without them")
	}
	secretPath := filepath.Join(cfg.data, secretFileName)
	secret, created, err := ensureSecret(secretPath)
	if err != nil {
		return err
	}
	if created {
		a.log.Warn().Str("path", secretPath).Msg("generated the token signing secret (mode 0600): whoever reads it can mint tokens")
	}
	sealer, err := keys.Sealer()
	if err != nil {
		return err
	}
	st, err := a.openStores(ctx, cfg.db)
	if err != nil {
		return err
	}
	blobs, err := blobStore(cfg)
	if err != nil {
		return err
	}
	clock := &loadClock{}
	w, err := wiring.New(st, &casework.Config{Clock: clock, Sealer: sealer, CheckpointKey: keys.Checkpoint, Blobs: blobs, Logger: &a.log})
	if err != nil {
		return err
	}
	a.kernel = w.K
	a.outbox = newLoopState("outbox", cfg.deliverEvery, time.Now())
	a.sweep = newLoopState("sweep", cfg.sweepEvery, time.Now())
	a.metrics = newMetrics(a.db, w.K, a.outbox, a.sweep)
	auth, err := a.newAuth(secret, StaffLookupFunc(w.K.LookupStaff))
	if err != nil {
		return err
	}
	api, err := openapi.NewHandler(&openapi.Config{Kernel: w.K, Cases: w.Cases, Mediation: w.Mediation, Outreach: w.Outreach,
		Recovery: w.Recovery, Auth: auth, Logger: &a.log, MaxBodyBytes: cfg.maxBodyBytes, MaxConcurrent: cfg.maxConcurrent})
	if err != nil {
		return err
	}
	if err := a.bootstrap(ctx, w, clock); err != nil {
		return err
	}
	mux := http.NewServeMux()
	apiHandler := withCORS(cfg.origins, challenging(api))
	mux.Handle("/", apiHandler)
	for _, pattern := range apiRoutes {
		mux.Handle(pattern, apiHandler)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { writeStatus(w, http.StatusOK, "ok") })
	mux.HandleFunc("GET /readyz", a.readyz)
	mux.Handle("GET /metrics", a.metrics.handler())
	mux.Handle("GET /openapi.yaml", withCORS(cfg.origins, http.HandlerFunc(specHandler)))
	docs := docsHandler()
	mux.Handle("GET /docs", docs)
	mux.Handle("GET /docs/", docs)
	a.handler = a.accessLog(mux)
	return nil
}

// openStores opens the database that -db names and migrates it through
// the one entry point, the kernel's line first.
func (a *app) openStores(ctx context.Context, dsn string) (wiring.Stores, error) {
	if dsn == "memory" {
		a.log.Warn().Msg("memory store: everything is lost when the server stops")
		return wiring.Memory(), nil
	}
	var (
		engine casesql.Engine
		err    error
	)
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if a.db, err = casesql.OpenSQLite(path); err != nil {
			return wiring.Stores{}, err
		}
		engine = casesql.SQLite
		a.log.Info().Str("path", path).Msg("database: SQLite")
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		if a.db, err = casesql.OpenPostgres(dsn); err != nil {
			return wiring.Stores{}, err
		}
		engine = casesql.Postgres
		a.log.Info().Msg("database: PostgreSQL") // the URL may hold a password
	default:
		return wiring.Stores{}, fmt.Errorf("-db %q: want sqlite:PATH, postgres://… or memory", dsn)
	}
	a.closers = append(a.closers, a.db.Close)
	st, err := wiring.SQL(ctx, a.db, engine)
	if err != nil {
		return wiring.Stores{}, err
	}
	if a.schema, err = schemaVersions(ctx, a.db); err != nil {
		return wiring.Stores{}, err
	}
	return st, nil
}

// schemaVersions reads the newest applied step of each migration line.
func schemaVersions(ctx context.Context, db *sql.DB) (map[string]int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT line, MAX(version) FROM grassroots_migrations GROUP BY line`)
	if err != nil {
		return nil, fmt.Errorf("read schema versions: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var line string
		var v int64
		if err := rows.Scan(&line, &v); err != nil {
			return nil, fmt.Errorf("read schema versions: %w", err)
		}
		out[line] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read schema versions: %w", err)
	}
	return out, nil
}

// bootstrap creates the root unit and its first admin on an empty
// database, or the article's city when -demo asks for it; on any other
// database it only reads back the staff ids it noted.
func (a *app) bootstrap(ctx context.Context, w *wiring.World, clock *loadClock) error {
	if a.cfg.wantDemo() {
		if loaded, err := a.loadCity(ctx, w, clock); loaded || err != nil {
			return err
		}
	}
	path := filepath.Join(a.cfg.data, adminFileName)
	_, admin, err := a.kernel.Bootstrap(ctx,
		casework.UnitInput{Code: "ROOT", Name: "Headquarters", Level: casework.LevelBureau},
		casework.StaffInput{Name: "Administrator", Roles: []casework.Role{casework.RoleAdmin}})
	switch {
	case err == nil:
		a.admin = admin.ID
		a.log.Warn().Str("staff_id", admin.ID).Msg("new database: created the root unit and its first admin")
		return os.WriteFile(path, []byte(admin.ID+"\n"), 0o600)
	case errors.Is(err, casework.ErrConflict): // not the first start
		if b, rerr := os.ReadFile(path); rerr == nil {
			a.admin = strings.TrimSpace(string(b))
		}
		if b, rerr := os.ReadFile(filepath.Join(a.cfg.data, demoFileName)); rerr == nil {
			a.demo = strings.TrimSpace(string(b))
		}
		return nil
	default:
		return fmt.Errorf("bootstrap: %w", err)
	}
}

// readyz answers 200 when the database answers a ping, its schema is the
// one this process migrated to (another process may since have upgraded
// it, or a backup replaced it), and the outbox and sweep loops are alive
// (see loopState.alive); else 503 with the reason.
func (a *app) readyz(w http.ResponseWriter, r *http.Request) {
	if a.db != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := a.db.PingContext(ctx); err != nil {
			a.log.Warn().Err(err).Msg("readiness: database unreachable")
			writeStatus(w, http.StatusServiceUnavailable, "database unreachable")
			return
		}
		got, err := schemaVersions(ctx, a.db)
		if err != nil {
			a.log.Warn().Err(err).Msg("readiness: schema unreadable")
			writeStatus(w, http.StatusServiceUnavailable, "schema unreadable")
			return
		}
		for line, v := range a.schema {
			if got[line] != v {
				writeStatus(w, http.StatusServiceUnavailable, fmt.Sprintf("schema %s is at step %d, this process runs step %d", line, got[line], v))
				return
			}
		}
	}
	now := time.Now()
	for _, l := range []*loopState{a.outbox, a.sweep} {
		if err := l.alive(now); err != nil {
			a.log.Warn().Err(err).Msg("readiness: background loop not alive")
			writeStatus(w, http.StatusServiceUnavailable, err.Error())
			return
		}
	}
	writeStatus(w, http.StatusOK, "ready")
}

func writeStatus(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}

// listenAndServe listens on -addr and serves until ctx ends.
func (a *app) listenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.cfg.addr)
	if err != nil {
		_ = a.close()
		return err
	}
	return a.serve(ctx, ln)
}

// serve serves on ln with the background loops until ctx ends, then shuts
// down gracefully: it stops accepting, lets requests in flight finish
// within -shutdown-timeout, stops the loops and closes the database.
func (a *app) serve(ctx context.Context, ln net.Listener) error {
	defer func() { _ = a.close() }()
	ln = gatherListener{ln}
	srv := &http.Server{
		ConnContext:       gatherContext,
		Handler:           a.handler,
		ReadHeaderTimeout: a.cfg.readHeaderTimeout,
		ReadTimeout:       a.cfg.readTime,
		WriteTimeout:      a.cfg.writeTimeout,
		IdleTimeout:       a.cfg.idleTimeout,
		MaxHeaderBytes:    a.cfg.maxHeaderBytes,
		// net/http's own complaints (bad TLS handshakes, panics it
		// recovered) go to the structured log, not to a bare stderr line.
		ErrorLog: stdlog.New(a.log.With().Str("component", "http").Logger(), "", 0),
	}
	loopCtx, stopLoops := context.WithCancel(context.WithoutCancel(ctx))
	var loops sync.WaitGroup
	a.loop(loopCtx, &loops, a.outbox, func(ctx context.Context) error {
		n, err := a.kernel.DeliverPending(ctx, nil)
		if n > 0 {
			a.log.Info().Int("delivered", n).Msg("outbox: delivered hand-offs")
		}
		return err
	})
	a.loop(loopCtx, &loops, a.sweep, func(ctx context.Context) error {
		_, err := a.kernel.Sweep(ctx, a.kernel.Now())
		return err
	})
	a.announce(ln.Addr())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	var err error
	select {
	case err = <-served: // the listener failed
	case <-ctx.Done():
		a.log.Info().Int64("in_flight", a.active.Load()).Msg("shutting down: draining requests in flight")
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.shutdownTimeout)
		err = srv.Shutdown(sctx)
		cancel()
		if err != nil {
			err = fmt.Errorf("shutdown: %w", err)
			_ = srv.Close()
		}
		<-served
	}
	stopLoops()
	loops.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	a.log.Info().Msg("stopped")
	return err
}

// announce prints where the server listens and how to get a token.
func (a *app) announce(addr net.Addr) {
	a.log.Info().Str("addr", addr.String()).Msg("listening")
	staff, list := a.admin, "units"
	if a.demo != "" { // the demo city's officer sees every list and the report
		staff, list = a.demo, "disputes"
	}
	if staff == "" {
		staff = "STAFF_ID"
	}
	data := a.cfg.data
	if abs, err := filepath.Abs(data); err == nil {
		data = abs
	}
	mint := fmt.Sprintf("go run ./examples/server token -data %s -staff %s", shellQuote(data), staff)
	fmt.Fprintf(a.stdout, "Grassroots API listening on http://%s/v1/\n", addr)
	fmt.Fprintf(a.stdout, "API reference:  http://%s/docs/ (the spec: /openapi.yaml)\n", addr)
	if a.admin != "" {
		fmt.Fprintf(a.stdout, "Admin staff id: %s\n", a.admin)
	}
	if a.demo != "" {
		fmt.Fprintf(a.stdout, "Demo officer:   %s (市局指挥中心, supervisor of 淄博市公安局: every unit's records and the report)\n", a.demo)
	}
	fmt.Fprintf(a.stdout, "Mint a token:   TOKEN=$(%s)\n", mint)
	fmt.Fprintf(a.stdout, "Then:           curl -H \"Authorization: Bearer $TOKEN\" http://%s/v1/%s\n", addr, list)
}

// shellQuote quotes s for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func (a *app) close() error {
	var errs []error
	for _, c := range a.closers {
		errs = append(errs, c())
	}
	a.closers = nil
	if a.logs != nil {
		errs = append(errs, a.logs.Close()) // last: what the closers logged too
	}
	return errors.Join(errs...)
}

// newLogger builds the zerolog logger -log-level and -log-format ask for.
// JSON lines (a deployment's) go through a logBuffer, which the caller
// closes; pretty lines, for a person at a terminal, are written at once.
func newLogger(level, format string, w io.Writer) (zerolog.Logger, *logBuffer, error) {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil || level == "" {
		return zerolog.Logger{}, nil, fmt.Errorf("-log-level %q: want debug, info, warn or error", level)
	}
	pretty := false
	switch format {
	case "auto":
		if f, ok := w.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				pretty = true
			}
		}
	case "pretty":
		pretty = true
	case "json":
	default:
		return zerolog.Logger{}, nil, fmt.Errorf("-log-format %q: want json, pretty or auto", format)
	}
	if pretty {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly}
		return zerolog.New(w).Level(lvl).With().Timestamp().Logger(), nil, nil
	}
	logs := newLogBuffer(w, logFlushEvery)
	return zerolog.New(logs).Level(lvl).With().Timestamp().Logger(), logs, nil
}

// blobStore is where attachment bytes go: the folder -blobs names, the
// database's own table for "db", and by default a folder beside a SQLite
// database (DATA/blobs, files 0600) or the database itself on PostgreSQL
// and in memory (nil: the kernel store's default), so that several server
// processes on one PostgreSQL see the same attachments.
func blobStore(cfg *config) (casework.BlobStore, error) {
	dir := cfg.blobs
	switch {
	case dir == "db":
		return nil, nil
	case dir == "" && strings.HasPrefix(cfg.db, "sqlite:"):
		dir = filepath.Join(cfg.data, "blobs")
	case dir == "":
		return nil, nil
	}
	b, err := casework.NewFileBlobs(dir)
	if err != nil {
		return nil, fmt.Errorf("-blobs: %w", err)
	}
	return b, nil
}
