package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/internal/envflag"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/internal/testdb"
)

func TestParseWrk(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, out string
		want      wrkResult
		err       string
	}{
		{"summary among wrk's lines", "Running 5s test @ http://127.0.0.1:1\n  2 threads and 64 connections\n" +
			`WRKJSON {"requests":5000,"duration_us":5000000,"p50_us":900,"p99_us":12000,"max_us":30000,"status_errors":2,"connect_errors":0,"read_errors":1,"write_errors":0,"timeouts":3}` + "\n",
			wrkResult{Requests: 5000, DurationUS: 5000000, P50US: 900, P99US: 12000, MaxUS: 30000, StatusErrors: 2, ReadErrors: 1, Timeouts: 3}, ""},
		{"no summary", "Running 5s test\n", wrkResult{}, "no \"WRKJSON\" line"},
		{"broken summary", "WRKJSON {\"requests\":", wrkResult{}, "wrk summary"},
		{"no requests", `WRKJSON {"requests":0,"duration_us":5000000}`, wrkResult{}, "no requests"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseWrk([]byte(tc.out))
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			require.InDelta(t, 1000.0, got.RPS(), 1e-9)
			require.Equal(t, int64(6), got.Errors())
			require.Equal(t, 12*time.Millisecond, got.P99())
		})
	}
}

func TestParseRSS(t *testing.T) {
	t.Parallel()
	n, err := parseRSS(strings.NewReader("Name:\tserver\nVmPeak:\t  900 kB\nVmRSS:\t   51200 kB\nThreads:\t9\n"))
	require.NoError(t, err)
	require.Equal(t, int64(50<<20), n)
	_, err = parseRSS(strings.NewReader("Name:\tkthread\n"))
	require.Error(t, err)
	_, err = parseRSS(strings.NewReader("VmRSS:\t12 MB\n"))
	require.Error(t, err)
	own, err := readRSS(os.Getpid())
	require.NoError(t, err)
	require.Positive(t, own)
}

func TestParseCPU(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, stat string
		want       time.Duration
		ok         bool
	}{
		{"plain", "4242 (server) S 1 4242 4242 0 -1 4194560 900 0 0 0 150 25 0 0 20 0 9 0", 1750 * time.Millisecond, true},
		{"spaces and parens in the name", "7 (a) b) R 1 7 7 0 -1 0 0 0 0 0 3 4 0 0", 70 * time.Millisecond, true},
		{"no name", "4242 server S 1", 0, false},
		{"short", "4242 (server) S 1 2 3", 0, false},
		{"not a number", "4242 (server) S 1 4242 4242 0 -1 4194560 900 0 0 0 x 25 0 0", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseCPU(tc.stat)
			if !tc.ok {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	own, err := readCPU(os.Getpid())
	require.NoError(t, err)
	require.GreaterOrEqual(t, own, time.Duration(0))
}

// Every row is judged against the targets: the ratio to the bare
// handler (to the baseline for create), p99 for reads, RSS and errors.
func TestVerdict(t *testing.T) {
	t.Parallel()
	run := func(rps float64, p99 time.Duration) wrkResult {
		return wrkResult{Requests: int64(rps * 10), DurationUS: 10_000_000, P99US: p99.Microseconds()}
	}
	bare := run(10000, 2*time.Millisecond)
	tests := []struct {
		name string
		r    row
		want string
	}{
		{"sqlite get met", row{backend: "sqlite", scenario: "get", res: run(5000, 10*time.Millisecond), bare: bare, rss: 60e6}, "met"},
		{"sqlite get below half", row{backend: "sqlite", scenario: "get", res: run(4900, 10*time.Millisecond), bare: bare}, "ratio < 0.50"},
		{"postgres get at 0.35", row{backend: "postgres", scenario: "get", res: run(3500, 10*time.Millisecond), bare: bare}, "met"},
		{"slow p99", row{backend: "memory", scenario: "get", res: run(9000, 25*time.Millisecond), bare: bare}, "p99 ≥ 20 ms"},
		{"list", row{backend: "memory", scenario: "list", res: run(2900, time.Second), bare: bare}, "ratio < 0.30"},
		{"create to baseline", row{backend: "sqlite", scenario: "create", res: run(700, time.Second), bare: bare, baseline: 1000}, "met"},
		{"create below baseline", row{backend: "postgres", scenario: "create", res: run(690, time.Second), bare: bare, baseline: 1000}, "ratio < 0.70"},
		{"memory create has no ratio target", row{backend: "memory", scenario: "create", res: run(10, time.Second), bare: bare}, "met"},
		{"rss", row{backend: "sqlite", scenario: "mix", res: run(10, time.Second), bare: bare, rss: 150e6}, "RSS ≥ 150 MB"},
		{"rss in MiB under 150", row{backend: "sqlite", scenario: "mix", res: run(10, time.Second), bare: bare, rss: 145 << 20}, "RSS ≥ 150 MB"},
		{"rss just under", row{backend: "sqlite", scenario: "mix", res: run(10, time.Second), bare: bare, rss: 150e6 - 1}, "met"},
		{"errors", row{backend: "sqlite", scenario: "mix", res: wrkResult{Requests: 10, DurationUS: 1, StatusErrors: 1}, bare: bare}, "1 errors"},
	}
	for _, tc := range tests {
		require.Contains(t, tc.r.verdict(), tc.want, tc.name)
	}
	var b bytes.Buffer
	printTable(&b, options{load: load{threads: 2, connections: 64, duration: 5 * time.Second}}, []row{tests[0].r, tests[5].r})
	require.Contains(t, b.String(), "| sqlite | get | 5000 | 10000 | 0.50 | 10.0 ms | 2.0 ms | — | — | 60 MB |")
	require.Contains(t, b.String(), "| sqlite | create | 700 | 10000 | 0.07 | 1000.0 ms | 2.0 ms | 1000 | 0.70 |")
}

func TestParseOptions(t *testing.T) {
	t.Parallel()
	o, err := parseOptions([]string{"-duration", "3s", "-backends", "sqlite,memory", "-scenarios", "get"}, io.Discard)
	require.NoError(t, err)
	require.Equal(t, []string{"sqlite", "memory"}, o.backends)
	require.Equal(t, []string{"get"}, o.scenarios)
	require.Equal(t, load{threads: 2, connections: 64, duration: 3 * time.Second}, o.load)
	for _, args := range [][]string{{"-backends", "oracle"}, {"-scenarios", "delete"}, {"-duration", "10ms"}, {"-threads", "65"}} {
		_, err := parseOptions(args, io.Discard)
		require.Error(t, err, "%v", args)
	}
}

// The scripts wrk runs are whole: common.lua first, each scenario's own
// after it, mix with create's request builder.
func TestWriteScripts(t *testing.T) {
	t.Parallel()
	paths, err := writeScripts(t.TempDir())
	require.NoError(t, err)
	for name := range scenarioScripts {
		b, err := os.ReadFile(paths[name])
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(string(b), "-- common.lua\n"), name)
		require.Contains(t, string(b), "function done(", name)
	}
	mix, err := os.ReadFile(paths["mix"])
	require.NoError(t, err)
	require.Contains(t, string(mix), "function create_request()")
	require.Contains(t, string(mix), `["Idempotency-Key"]`)
	for _, name := range []string{"get", "mix"} {
		b, err := os.ReadFile(paths[name])
		require.NoError(t, err)
		require.Contains(t, string(b), `io.lines(env("LOAD_PERSONS"))`, "%s reads persons spread over the registry, not one hot record", name)
		require.Contains(t, string(b), "[math.random(#", name)
	}
}

func TestBareHandler(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	base, stop, err := startBare(ctx)
	require.NoError(t, err)
	defer stop()
	resp, err := http.Get(base + "/v1/persons/bare")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	require.JSONEq(t, bareDocument, string(body))
}

// The baselines run their transaction and leave a valid chain: as many
// chain rows as records, each hash over the one before.
func TestBaselines(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "baseline.db")
		rate, err := sqliteBaseline(ctx, path, 8, 300*time.Millisecond)
		require.NoError(t, err)
		require.Positive(t, rate)
		db, err := sql.Open("sqlite", sqlx.SQLiteDSN(path))
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		requireChain(t, db)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		pg := testdb.Postgres(t)
		rate, err := pgBaseline(ctx, pg.URL(), 8, 300*time.Millisecond)
		require.NoError(t, err)
		require.Positive(t, rate)
		requireChain(t, pg.DB)
	})
}

// requireChain checks the baseline's chain: one row per record, seq 1..n
// with no gap, each hash over the previous hash and its record, the head
// at the last.
func requireChain(t *testing.T, db *sql.DB) {
	t.Helper()
	ctx := context.Background()
	var records, headSeq int64
	var headHash string
	require.NoError(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM bl_records`).Scan(&records))
	require.NoError(t, db.QueryRowContext(ctx, `SELECT seq, hash FROM bl_head WHERE id = 1`).Scan(&headSeq, &headHash))
	require.Positive(t, records)
	require.Equal(t, records, headSeq)
	rows, err := db.QueryContext(ctx, `SELECT seq, record_id, prev, hash FROM bl_chain ORDER BY seq`)
	require.NoError(t, err)
	defer rows.Close()
	var seq int64
	prev := ""
	for rows.Next() {
		var s int64
		var id, p, h string
		require.NoError(t, rows.Scan(&s, &id, &p, &h))
		wantSeq, wantHash := chainStep(seq, prev, id)
		require.Equal(t, wantSeq, s)
		require.Equal(t, prev, p)
		require.Equal(t, wantHash, h)
		seq, prev = s, h
	}
	require.NoError(t, rows.Err())
	require.Equal(t, headSeq, seq)
	require.Equal(t, headHash, prev)
}

// TestEndToEnd runs the whole load test briefly on SQLite: in CI (where
// `make test` installs wrk) and with GRASSROOTS_LONG=1; there a missing
// wrk fails the test instead of skipping it.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	inCI := envflag.On("CI")
	if !inCI && (testing.Short() || !testdb.Long()) {
		t.Skip("SKIPPING the load test end to end: set GRASSROOTS_LONG=1 (it builds the server and runs wrk)")
	}
	if _, err := exec.LookPath("wrk"); err != nil {
		if inCI {
			t.Fatalf("the load test needs wrk (make test installs it): %v", err)
		}
		t.Skip("SKIPPING the load test end to end: wrk is not installed")
	}
	var out, log bytes.Buffer
	err := run(context.Background(), []string{"-duration", "1s", "-backends", "sqlite", "-connections", "8"}, &out, &log)
	require.NoError(t, err, log.String())
	for _, sc := range allScenarios {
		require.Contains(t, out.String(), "| sqlite | "+sc+" |")
	}
}
