package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// serverBinary builds this command once per test run, into a directory
// the first caller's cleanup does not own (several tests share it);
// TestMain removes it.
var serverBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "grassroots-server-test-")
	if err != nil {
		return "", err
	}
	binDir = dir
	bin := filepath.Join(dir, "server")
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("the go command is needed to build the server: %w", err)
	}
	out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return bin, nil
})

var binDir string // where serverBinary built, removed by TestMain

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		os.Exit(serverCommand(os.Args[1:]))
	}
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// process is the server binary running as a child process.
type process struct {
	cmd    *exec.Cmd
	url    string // http://127.0.0.1:PORT
	data   string
	stderr *syncBuffer
	exited chan struct{} // closed when the process has exited
	err    error         // cmd.Wait's answer, once exited is closed
}

var listeningRE = regexp.MustCompile(`listening on http://(127\.0\.0\.1:\d+)/v1/`)

// startProcess starts the server binary on a free port of 127.0.0.1 with
// the data directory given and waits until it prints where it listens.
// The test's environment does not reach it (no GRASSROOTS_ variable).
func startProcess(t *testing.T, data string, args ...string) *process {
	t.Helper()
	bin, err := serverBinary()
	require.NoError(t, err)
	p := &process{data: data, stderr: &syncBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"-addr", "127.0.0.1:0", "-data", data, "-log-format", "json"}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GRASSROOTS_") {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	p.cmd.Stderr = p.stderr
	stdout, err := p.cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("server %s log:\n%s", p.url, p.stderr.String())
		}
	})
	select {
	case a := <-addr:
		p.url = "http://" + a
	case <-p.exited:
		t.Fatalf("the server exited at start: %v\n%s", p.err, p.stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("the server did not start within a minute\n%s", p.stderr.String())
	}
	return p
}

// token mints a token from the process's own secret file.
func (p *process) token(t *testing.T, staffID string) string {
	t.Helper()
	secret, err := loadSecret(filepath.Join(p.data, secretFileName))
	require.NoError(t, err)
	tok, err := mintToken(secret, "grassroots", "grassroots", staffID, time.Now(), time.Hour)
	require.NoError(t, err)
	return tok
}

// A real SIGTERM to the server binary: a request whose body is still
// arriving is finished with its answer, the listener refuses new
// connections meanwhile, and the process exits 0 within the deadline.
func TestSIGTERMDrainsRequestInFlight(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	p := startProcess(t, data, "-demo=false", "-shutdown-timeout", "15s")
	admin, err := os.ReadFile(filepath.Join(data, adminFileName))
	require.NoError(t, err)
	tok := p.token(t, strings.TrimSpace(string(admin)))
	req, err := http.NewRequest(http.MethodGet, p.url+"/v1/units", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	units, err := io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(units))
	rootID := regexp.MustCompile(`"id":"([^"]+)"`).FindSubmatch(units)
	require.NotNil(t, rootID, string(units))

	// The request is written by hand so that the test knows when the
	// handler runs: it asks for 100-continue, which net/http sends when
	// the handler first reads the body.
	body := fmt.Sprintf(`{"code":"ZD01","name":"张店分局","level":2,"parentId":%q}`, rootID[1])
	half := len(body) / 2
	conn, err := net.Dial("tcp", strings.TrimPrefix(p.url, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(30*time.Second)))
	_, err = fmt.Fprintf(conn, "POST /v1/units HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n"+
		"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n", strings.TrimPrefix(p.url, "http://"), tok, len(body))
	require.NoError(t, err)
	br := bufio.NewReader(conn)
	status, err := br.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "HTTP/1.1 100 Continue\r\n", status, "the handler reads the body")
	blank, err := br.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "\r\n", blank)
	_, err = io.WriteString(conn, body[:half])
	require.NoError(t, err)

	signalled := time.Now()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", strings.TrimPrefix(p.url, "http://"))
		if err == nil {
			_ = c.Close()
		}
		return err != nil
	}, 10*time.Second, 5*time.Millisecond, "new connections are refused once shutdown begins")
	select {
	case <-p.exited:
		t.Fatalf("the server exited with a request in flight: %v", p.err)
	default:
	}

	_, err = io.WriteString(conn, body[half:])
	require.NoError(t, err)
	answer, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	got, err := io.ReadAll(answer.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, answer.StatusCode, string(got))
	require.Contains(t, string(got), `"code":"ZD01"`)

	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		t.Fatal("the server did not exit within the shutdown deadline")
	}
	require.NoError(t, p.err, "exit status 0")
	require.Less(t, time.Since(signalled), 15*time.Second)
	log := p.stderr.String()
	require.Contains(t, log, `"in_flight":1`)
	require.Contains(t, log, `"message":"stopped"`)
	require.Contains(t, log, `"route":"POST /v1/units","status":201`)
	require.NotContains(t, log, tok, "never the token")
}
