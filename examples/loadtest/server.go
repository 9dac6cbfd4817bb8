package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// buildServer compiles the reference server into dir, so that the process
// measured is the server itself (not go run) and its PID is the one whose
// memory is read.
func buildServer(ctx context.Context, dir string, log io.Writer) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" || strings.TrimSpace(string(out)) == os.DevNull {
		return "", errors.New("run the load test inside the grassroots module (go run ./examples/loadtest)")
	}
	bin := filepath.Join(dir, "grassroots-server")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./examples/server")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(out)))
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build the server: %w", err)
	}
	return bin, nil
}

// server is one running reference server.
type server struct {
	bin, data, base string
	cmd             *exec.Cmd
	exited          chan struct{}
	logPath         string
}

// freeAddr picks a free local port.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startServer starts the server on a fresh data directory with the given
// -db and waits until it is ready; the article's city is loaded on every
// backend (-demo).
func startServer(ctx context.Context, bin, data, db, logLevel string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	s := &server{bin: bin, data: data, base: "http://" + addr, exited: make(chan struct{}), logPath: filepath.Join(data, "server.log")}
	if err := os.MkdirAll(data, 0o700); err != nil {
		return nil, err
	}
	logf, err := os.Create(s.logPath)
	if err != nil {
		return nil, err
	}
	s.cmd = exec.Command(bin, "-data", data, "-addr", addr, "-db", db, "-demo", "-log-format", "json", "-log-level", logLevel)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	go func() {
		_ = s.cmd.Wait()
		logf.Close()
		close(s.exited)
	}()
	deadline := time.Now().Add(3 * time.Minute) // the demo city loads first
	for {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case <-s.exited:
			return nil, fmt.Errorf("the server exited before it was ready; its log:\n%s", tail(s.logPath))
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("the server was not ready within 3 minutes; its log:\n%s", tail(s.logPath))
		}
	}
}

// stop ends the server gracefully (SIGTERM), killing it after 30 s.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// tail returns the end of a log file, for an error message.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// token mints a bearer token for a staff member with the server's own
// subcommand, as an operator does.
func (s *server) token(ctx context.Context, staffID string) (string, error) {
	out, err := exec.CommandContext(ctx, s.bin, "token", "-data", s.data, "-staff", staffID, "-ttl", "4h").Output()
	if err != nil {
		return "", fmt.Errorf("mint a token: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// fixture is what the scenarios need, set up through the API: an officer
// of a station (its token), a person in that station, visits to list, and
// the file naming every person the get scenario reads.
type fixture struct {
	token, unit, person string
	persons             string // file of person ids, one a line (LOAD_PERSONS)
	from, visitedAt     string // RFC 3339: the list's lower bound, the visits' time
}

// env is the fixture as the environment the Lua scripts read.
func (f fixture) env(run string) []string {
	return []string{"LOAD_TOKEN=" + f.token, "LOAD_UNIT=" + f.unit, "LOAD_PERSON=" + f.person, "LOAD_PERSONS=" + f.persons,
		"LOAD_FROM=" + f.from, "LOAD_VISITED_AT=" + f.visitedAt, "LOAD_RUN=" + run}
}

// seedVisits is how many visits the fixture records before any run, so
// that a list of 50 is full from the start.
const seedVisits = 60

// seedPersons is how many persons of the station the get scenario reads,
// one picked at random per request, so that it measures reads spread over
// a station's registry rather than one hot record that any cache holds.
const seedPersons = 1000

// setUp creates, as the city's admin, an officer at 潘庄派出所, and as that
// officer seedPersons persons and seedVisits visits.
func (s *server) setUp(ctx context.Context) (fixture, error) {
	adminID, err := os.ReadFile(filepath.Join(s.data, "admin-staff-id"))
	if err != nil {
		return fixture{}, err
	}
	admin, err := s.token(ctx, strings.TrimSpace(string(adminID)))
	if err != nil {
		return fixture{}, err
	}
	var units struct {
		Items []struct {
			ID, Code string
			Level    int // 3: a station (派出所)
		}
	}
	if err := s.call(ctx, admin, http.MethodGet, "/v1/units?limit=200", "", nil, &units); err != nil {
		return fixture{}, err
	}
	var f fixture
	for _, u := range units.Items {
		if u.Code == "370303001" || (f.unit == "" && u.Level == 3) {
			f.unit = u.ID
		}
	}
	if f.unit == "" {
		return fixture{}, errors.New("the demo city has no station")
	}
	var officer struct{ ID string }
	if err := s.call(ctx, admin, http.MethodPost, "/v1/staff", "", map[string]any{"unitId": f.unit, "name": "压测民警",
		"roles": []string{"officer", "community_officer"}}, &officer); err != nil {
		return fixture{}, err
	}
	if f.token, err = s.token(ctx, officer.ID); err != nil {
		return fixture{}, err
	}
	var person struct{ ID string }
	if err := s.call(ctx, f.token, http.MethodPost, "/v1/persons", "", map[string]any{"unitId": f.unit, "name": "王某",
		"phone": "13800000001"}, &person); err != nil {
		return fixture{}, err
	}
	f.person = person.ID
	if f.persons, err = s.seedPersons(ctx, f.token, f.unit, f.person); err != nil {
		return fixture{}, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	f.from, f.visitedAt = now.Add(-24*time.Hour).Format(time.RFC3339), now.Add(-time.Hour).Format(time.RFC3339)
	for i := range seedVisits {
		if err := s.call(ctx, f.token, http.MethodPost, "/v1/visits", "seed-"+strconv.Itoa(i), map[string]any{"unitId": f.unit,
			"personId": f.person, "targetKind": "difficult_family", "visitedAt": f.visitedAt, "notes": "压测前的走访"}, nil); err != nil {
			return fixture{}, err
		}
	}
	return f, nil
}

// seedPersons records seedPersons-1 more persons in unit (first is the
// first), four requests at a time, and writes every id into a file.
func (s *server) seedPersons(ctx context.Context, token, unit, first string) (string, error) {
	ids := make([]string, seedPersons)
	ids[0] = first
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		next = make(chan int)
	)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				var p struct{ ID string }
				err := s.call(ctx, token, http.MethodPost, "/v1/persons", "", map[string]any{"unitId": unit,
					"name": "居民" + strconv.Itoa(i), "phone": fmt.Sprintf("139%08d", i)}, &p)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				}
				ids[i] = p.ID
				mu.Unlock()
			}
		}()
	}
	for i := 1; i < seedPersons; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return "", err
	}
	path := filepath.Join(s.data, "persons.txt")
	return path, os.WriteFile(path, []byte(strings.Join(ids, "\n")+"\n"), 0o600)
}

// call makes one API request and decodes a 2xx answer into out.
func (s *server) call(ctx context.Context, token, method, path, key string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, b)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}

// rssSampler keeps the largest resident set size of a process, read from
// /proc every 100 ms while a scenario runs.
type rssSampler struct {
	pid  int
	stop chan struct{}
	done chan struct{}
	mu   sync.Mutex
	max  int64 // bytes
}

func sampleRSS(pid int) *rssSampler {
	r := &rssSampler{pid: pid, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if n, err := readRSS(pid); err == nil {
				r.mu.Lock()
				r.max = max(r.max, n)
				r.mu.Unlock()
			}
			select {
			case <-r.stop:
				return
			case <-t.C:
			}
		}
	}()
	return r
}

// Stop ends the sampling and returns the largest RSS seen, in bytes,
// reading it once more: the run may have ended up to a tick after the
// last reading.
func (r *rssSampler) Stop() int64 {
	close(r.stop)
	<-r.done
	if n, err := readRSS(r.pid); err == nil {
		r.max = max(r.max, n)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.max
}

// readRSS reads VmRSS from /proc/PID/status.
func readRSS(pid int) (int64, error) {
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return parseRSS(f)
}

// parseRSS finds the VmRSS line ("VmRSS:    12345 kB") of a status file.
func parseRSS(r io.Reader) (int64, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) != 2 || f[1] != "kB" {
				return 0, fmt.Errorf("VmRSS line %q", sc.Text())
			}
			kb, err := strconv.ParseInt(f[0], 10, 64)
			return kb << 10, err
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no VmRSS line")
}

// readCPU reads the user and system CPU time a process has used from
// /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s).
func readCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, err
	}
	return parseCPU(string(b))
}

// parseCPU reads utime and stime from a /proc/PID/stat line; the command
// name (field 2) may hold spaces, so fields are counted after its ')'.
func parseCPU(stat string) (time.Duration, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("stat: no command name")
	}
	f := strings.Fields(stat[i+1:]) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0, errors.New("stat: too few fields")
	}
	var total int64
	for _, s := range f[11:13] { // fields 14 (utime) and 15 (stime)
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("stat: %w", err)
		}
		total += n
	}
	return time.Duration(total) * 10 * time.Millisecond, nil
}
