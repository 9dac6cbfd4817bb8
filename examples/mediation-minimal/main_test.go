package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// stdoutOf runs fn with os.Stdout going into a pipe and returns what it
// printed. It swaps a process global, so tests that use it do not run in
// parallel.
func stdoutOf(t *testing.T, fn func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	saved := os.Stdout
	os.Stdout = w
	defer func() { os.Stdout = saved }()
	var out bytes.Buffer
	copied := make(chan error, 1)
	go func() { _, err := io.Copy(&out, r); copied <- err }()
	fn()
	require.NoError(t, w.Close())
	require.NoError(t, <-copied)
	return out.String()
}

// The program takes one dispute from its report to a settled close: six
// steps (reported, screened, accepted, in mediation, agreed, closed).
func TestMainSettlesTheDispute(t *testing.T) {
	require.Equal(t, "般阳路派出所, neighbour/noise (people): closed, settled; 2 parties, 6 steps\n", stdoutOf(t, main))
}

// The README promises a program under 40 lines.
func TestUnderFortyLines(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("main.go")
	require.NoError(t, err)
	require.Less(t, strings.Count(string(src), "\n"), 40)
}
