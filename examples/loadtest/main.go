// Command loadtest measures the reference server under load and prints
// every figure as a ratio to a bare net/http handler measured in the same
// run on the same machine, because absolute numbers on a shared machine
// drift and ratios drift much less.
//
//	make load                                    # PostgreSQL ensured first
//	go run ./examples/loadtest                   # SQLite, memory, PostgreSQL when reachable
//	go run ./examples/loadtest -duration 10s -backends sqlite
//
// For each backend it builds and starts examples/server on a fresh data
// directory with the article's city (-demo), creates an officer of a
// station through the API and mints their token with the server's token
// subcommand, records 1,000 persons and 60 visits, then runs wrk
// (installed from Debian's packages when missing and run as root) with the
// Lua scripts in scripts/:
//
//   - get: GET one person, authorised and masked, picked at random from
//     the 1,000 per request (so a record cache is measured on a spread of
//     reads, not on one hot record);
//   - list: GET 50 visits of the station, filtered by kind and date;
//   - create: POST a visit with a unique Idempotency-Key per request;
//   - mix: 70% get, 20% list, 10% create.
//
// Right before each scenario it runs the same wrk load against the bare
// handler (served by this process); after the scenarios, with the server
// stopped, the create baseline: on SQLite a loop
// of synchronous=FULL transactions that insert one row and append one
// hash-chained row, on PostgreSQL the same transaction from plain pgx
// connections, at the same concurrency. The server's resident set size is
// read from /proc while each scenario runs. The table it prints (Markdown)
// is the one in the README's Performance section.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/grassroots-policing/grassroots/internal/testdb"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
		}
		os.Exit(2)
	}
}

// options are the command line.
type options struct {
	load      load
	backends  []string
	scenarios []string
	pgURL     string
	logLevel  string
	keep      bool
}

var (
	allBackends  = []string{"sqlite", "memory", "postgres"}
	allScenarios = []string{"get", "list", "create", "mix"}
)

func parseOptions(args []string, stderr io.Writer) (options, error) {
	o := options{}
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&o.load.duration, "duration", 5*time.Second, "how long each wrk run lasts (whole seconds)")
	fs.IntVar(&o.load.connections, "connections", 64, "wrk connections (-c)")
	fs.IntVar(&o.load.threads, "threads", 2, "wrk threads (-t)")
	backends := fs.String("backends", strings.Join(allBackends, ","), "backends to measure; postgres is skipped with a note when unreachable unless it is the only one")
	scenarios := fs.String("scenarios", strings.Join(allScenarios, ","), "scenarios to run")
	fs.StringVar(&o.pgURL, "pg-url", testdb.PGURL(), "PostgreSQL server (a fresh database is created on it and dropped after) [$GRASSROOTS_PG_URL]")
	fs.StringVar(&o.logLevel, "server-log-level", "info", "the server's -log-level (info logs every request, as a deployment does)")
	fs.BoolVar(&o.keep, "keep", false, "keep the work directory (server logs, wrk output, databases)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	var err error
	if o.backends, err = pick("backend", *backends, allBackends); err != nil {
		return o, err
	}
	if o.scenarios, err = pick("scenario", *scenarios, allScenarios); err != nil {
		return o, err
	}
	if o.load.duration < time.Second || o.load.connections < 1 || o.load.threads < 1 || o.load.threads > o.load.connections {
		return o, errors.New("want -duration >= 1s, -connections >= 1 and 1 <= -threads <= -connections")
	}
	return o, nil
}

// pick parses a comma-separated list of names from known.
func pick(what, list string, known []string) ([]string, error) {
	var out []string
	for name := range strings.SplitSeq(list, ",") {
		name = strings.TrimSpace(name)
		if !slices.Contains(known, name) {
			return nil, fmt.Errorf("unknown %s %q (want some of %s)", what, name, strings.Join(known, ","))
		}
		out = append(out, name)
	}
	return out, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	if err := ensureWrk(ctx, stderr); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "grassroots-load-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(stderr, "work directory (kept):", work)
	} else {
		defer os.RemoveAll(work)
	}
	wrkLog, err := os.Create(filepath.Join(work, "wrk.log"))
	if err != nil {
		return err
	}
	defer wrkLog.Close()
	scriptPaths, err := writeScripts(work)
	if err != nil {
		return err
	}
	progress(stderr, "building the server")
	bin, err := buildServer(ctx, work, stderr)
	if err != nil {
		return err
	}
	r := &runner{o: o, bin: bin, work: work, scripts: scriptPaths, wrkLog: wrkLog, log: stderr}
	var rows []row
	for _, b := range o.backends {
		got, err := r.backend(ctx, b, len(o.backends) == 1)
		if errors.Is(err, errSkipped) {
			fmt.Fprintf(stderr, "%s: skipped: %v\n", b, err)
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", b, err)
		}
		rows = append(rows, got...)
	}
	printTable(stdout, o, rows)
	for _, rw := range rows {
		if rw.res.Errors() > 0 {
			return fmt.Errorf("%s %s: %d requests failed (see %s with -keep)", rw.backend, rw.scenario, rw.res.Errors(), filepath.Join(work, "wrk.log"))
		}
	}
	return nil
}

var errSkipped = errors.New("skipped")

// runner runs the backends one after another.
type runner struct {
	o       options
	bin     string
	work    string
	scripts map[string]string
	wrkLog  io.Writer
	log     io.Writer
}

func progress(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// backend measures one backend: the bare handler, the server's scenarios,
// then the create baseline.
func (r *runner) backend(ctx context.Context, name string, only bool) ([]row, error) {
	data := filepath.Join(r.work, name)
	db := "sqlite:" + filepath.Join(data, "grassroots.db")
	var pgDB *pgDatabase
	switch name {
	case "memory":
		db = "memory"
	case "postgres":
		var err error
		if pgDB, err = createPGDatabase(ctx, r.o.pgURL); err != nil {
			if only {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v (make ensure-postgres starts one)", errSkipped, err)
		}
		defer pgDB.drop(context.WithoutCancel(ctx))
		db = pgDB.url
	}
	bareURL, stopBare, err := startBare(ctx)
	if err != nil {
		return nil, err
	}
	defer stopBare()
	progress(r.log, "%s: starting the server (loading the article's city)", name)
	srv, err := startServer(ctx, r.bin, data, db, r.o.logLevel)
	if err != nil {
		return nil, err
	}
	rows, err := r.scenarios(ctx, name, srv, bareURL)
	srv.stop()
	if err != nil {
		return nil, err
	}
	baseline, err := r.baseline(ctx, name, data, pgDB)
	if err != nil {
		return nil, fmt.Errorf("create baseline: %w", err)
	}
	for i := range rows {
		if rows[i].scenario == "create" {
			rows[i].baseline = baseline
		}
	}
	return rows, nil
}

// scenarios sets the fixture up and runs each scenario against srv, each
// right after the same load against the bare handler: the neighbours'
// load on a shared machine drifts over minutes, so the reference is
// measured next to the figure it divides.
func (r *runner) scenarios(ctx context.Context, name string, srv *server, bareURL string) ([]row, error) {
	fx, err := srv.setUp(ctx)
	if err != nil {
		return nil, fmt.Errorf("set up: %w", err)
	}
	var rows []row
	for _, sc := range r.o.scenarios {
		progress(r.log, "%s: bare handler, then %s", name, sc)
		bare, err := runWrk(ctx, r.o.load, r.scripts["bare"], bareURL, nil, r.wrkLog)
		if err != nil {
			return nil, err
		}
		rss := sampleRSS(srv.cmd.Process.Pid)
		cpu0, cpuErr := readCPU(srv.cmd.Process.Pid)
		res, err := runWrk(ctx, r.o.load, r.scripts[sc], srv.base, fx.env(name+"-"+strconv.FormatInt(time.Now().UnixNano(), 36)), r.wrkLog)
		peak := rss.Stop()
		if err != nil {
			return nil, err
		}
		if cpu1, err := readCPU(srv.cmd.Process.Pid); err == nil && cpuErr == nil && res.Requests > 0 {
			// The server's CPU per request, which a loaded machine
			// changes far less than requests per second.
			progress(r.log, "%s: %s: server CPU %.0f µs a request", name, sc, float64((cpu1-cpu0).Microseconds())/float64(res.Requests))
		}
		rows = append(rows, row{backend: name, scenario: sc, res: res, bare: bare, rss: peak})
	}
	return rows, nil
}

// baseline measures the create baseline of a backend (0 for memory, which
// has none).
func (r *runner) baseline(ctx context.Context, name, data string, pgDB *pgDatabase) (float64, error) {
	if !slices.Contains(r.o.scenarios, "create") {
		return 0, nil
	}
	switch name {
	case "sqlite":
		progress(r.log, "%s: create baseline", name)
		return sqliteBaseline(ctx, filepath.Join(data, "baseline.db"), r.o.load.connections, r.o.load.duration)
	case "postgres":
		progress(r.log, "%s: create baseline", name)
		return pgBaseline(ctx, pgDB.url, r.o.load.connections, r.o.load.duration)
	}
	return 0, nil
}
