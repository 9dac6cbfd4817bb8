package main

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

//go:embed scripts/*.lua
var scripts embed.FS

// scenarioScripts names, per scenario, the script files the driver joins
// into the one file wrk runs (common.lua first).
var scenarioScripts = map[string][]string{
	"bare":   {"common.lua", "bare.lua"},
	"get":    {"common.lua", "get.lua"},
	"list":   {"common.lua", "list.lua"},
	"create": {"common.lua", "create.lua"},
	"mix":    {"common.lua", "create.lua", "mix.lua"},
}

// writeScripts writes each scenario's joined script into dir and returns
// scenario → path.
func writeScripts(dir string) (map[string]string, error) {
	out := map[string]string{}
	for name, parts := range scenarioScripts {
		var b bytes.Buffer
		for _, p := range parts {
			src, err := scripts.ReadFile("scripts/" + p)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(&b, "-- %s\n%s\n", p, src)
		}
		path := filepath.Join(dir, name+".lua")
		if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
			return nil, err
		}
		out[name] = path
	}
	return out, nil
}

// wrkResult is what common.lua's done() prints after a run.
type wrkResult struct {
	Requests      int64 `json:"requests"`
	DurationUS    int64 `json:"duration_us"`
	P50US         int64 `json:"p50_us"`
	P99US         int64 `json:"p99_us"`
	MaxUS         int64 `json:"max_us"`
	StatusErrors  int64 `json:"status_errors"`
	ConnectErrors int64 `json:"connect_errors"`
	ReadErrors    int64 `json:"read_errors"`
	WriteErrors   int64 `json:"write_errors"`
	Timeouts      int64 `json:"timeouts"`
}

// RPS is requests per second over the run.
func (r wrkResult) RPS() float64 {
	if r.DurationUS <= 0 {
		return 0
	}
	return float64(r.Requests) / (float64(r.DurationUS) / 1e6)
}

// Errors counts every failed request: an HTTP status of 400 or above, or a
// socket error or timeout.
func (r wrkResult) Errors() int64 {
	return r.StatusErrors + r.ConnectErrors + r.ReadErrors + r.WriteErrors + r.Timeouts
}

// P99 is the 99th percentile latency.
func (r wrkResult) P99() time.Duration { return time.Duration(r.P99US) * time.Microsecond }

const wrkPrefix = "WRKJSON "

// parseWrk finds the summary line common.lua printed in wrk's output.
func parseWrk(out []byte) (wrkResult, error) {
	for line := range strings.SplitSeq(string(out), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), wrkPrefix); ok {
			var r wrkResult
			if err := json.Unmarshal([]byte(rest), &r); err != nil {
				return wrkResult{}, fmt.Errorf("wrk summary %q: %w", rest, err)
			}
			if r.Requests <= 0 || r.DurationUS <= 0 {
				return wrkResult{}, fmt.Errorf("wrk made no requests: %s", rest)
			}
			return r, nil
		}
	}
	return wrkResult{}, fmt.Errorf("no %q line in wrk's output:\n%s", strings.TrimSpace(wrkPrefix), out)
}

// load is how hard wrk pushes: threads, connections, duration.
type load struct {
	threads, connections int
	duration             time.Duration
}

// runWrk runs one scenario's script against base with env added to wrk's
// environment (the scripts read their ids and token from it).
func runWrk(ctx context.Context, l load, script, base string, env []string, log io.Writer) (wrkResult, error) {
	args := []string{"-t", strconv.Itoa(l.threads), "-c", strconv.Itoa(l.connections),
		"-d", strconv.Itoa(int(l.duration.Round(time.Second)/time.Second)) + "s", "--timeout", "10s", "-s", script, base}
	cmd := exec.CommandContext(ctx, "wrk", args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	fmt.Fprintf(log, "$ wrk %s\n%s\n", strings.Join(args, " "), out.Bytes())
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk: %w\n%s", err, out.Bytes())
	}
	return parseWrk(out.Bytes())
}

// ensureWrk finds wrk, installing Debian's package when it is missing and
// this process may (root with apt-get); otherwise it says how to.
func ensureWrk(ctx context.Context, log io.Writer) error {
	if _, err := exec.LookPath("wrk"); err == nil {
		return nil
	}
	apt, err := exec.LookPath("apt-get")
	if err != nil || os.Geteuid() != 0 {
		return errors.New("wrk is not installed: install it (Debian/Ubuntu: sudo apt-get install wrk) and run again")
	}
	fmt.Fprintln(log, "wrk is missing: installing it with apt-get")
	install := func() error {
		cmd := exec.CommandContext(ctx, apt, "install", "-y", "-q", "wrk")
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		cmd.Stdout, cmd.Stderr = log, log
		return cmd.Run()
	}
	if install() != nil { // a fresh machine may have no package lists yet
		update := exec.CommandContext(ctx, apt, "update", "-q")
		update.Stdout, update.Stderr = log, log
		if err := update.Run(); err != nil {
			return fmt.Errorf("apt-get update: %w", err)
		}
		if err := install(); err != nil {
			return fmt.Errorf("apt-get install wrk: %w", err)
		}
	}
	_, err = exec.LookPath("wrk")
	return err
}
