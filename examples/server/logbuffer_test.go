package main

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

func TestLogBuffer(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		every time.Duration
		log   func(zerolog.Logger, *logBuffer)
		want  []string // lines written by the time the log func returned
	}{
		{"info waits for the interval", time.Hour, func(l zerolog.Logger, _ *logBuffer) { l.Info().Msg("a") }, nil},
		{"a warning is written at once, after what waited", time.Hour, func(l zerolog.Logger, _ *logBuffer) {
			l.Info().Msg("a")
			l.Warn().Msg("b")
		}, []string{"a", "b"}},
		{"an error too", time.Hour, func(l zerolog.Logger, _ *logBuffer) { l.Error().Msg("c") }, []string{"c"}},
		{"close writes what waits", time.Hour, func(l zerolog.Logger, b *logBuffer) {
			l.Info().Msg("a")
			require.NoError(t, b.Close())
			require.NoError(t, b.Close(), "a second close is harmless")
		}, []string{"a"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out syncBuffer
			b := newLogBuffer(&out, tc.every)
			t.Cleanup(func() { _ = b.Close() })
			tc.log(zerolog.New(b), b)
			var got []string
			for line := range strings.Lines(out.String()) {
				got = append(got, line[strings.Index(line, `"message":"`)+11:][:1])
			}
			require.Equal(t, tc.want, got)
		})
	}
}

// Info lines reach the writer within the interval, whole, from many
// goroutines at once.
func TestLogBufferFlushesOnItsOwn(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	b := newLogBuffer(&out, 10*time.Millisecond)
	t.Cleanup(func() { _ = b.Close() })
	l := zerolog.New(b)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				l.Info().Str("k", strings.Repeat("x", 100)).Msg("m")
			}
		})
	}
	wg.Wait()
	require.Eventually(t, func() bool { return strings.Count(out.String(), "\n") == 800 }, 5*time.Second, 5*time.Millisecond)
	for line := range strings.Lines(out.String()) {
		require.True(t, strings.HasPrefix(line, `{"level":"info"`) && strings.HasSuffix(line, "}\n"), line)
	}
}

// 64 KiB waiting wake the flusher before its interval; above 1 MiB a
// Write writes itself, so a log that is never flushed on time still
// never holds more.
func TestLogBufferWritesWhenFull(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	b := newLogBuffer(&out, time.Hour)
	t.Cleanup(func() { _ = b.Close() })
	line := []byte(strings.Repeat("x", 1023) + "\n")
	for range 64 {
		_, err := b.Write(line)
		require.NoError(t, err)
	}
	require.Eventually(t, func() bool { return len(out.String()) >= 64<<10 }, 5*time.Second, time.Millisecond)

	b.io.Lock() // the writer is stuck: the lines wait, up to the bound
	for range 1024 {
		_, err := b.Write(line)
		require.NoError(t, err)
	}
	b.mu.Lock()
	waiting := len(b.waiting)
	b.mu.Unlock()
	require.Equal(t, 1<<20, waiting)
	wrote := make(chan error, 1)
	go func() { _, err := b.Write(line); wrote <- err }() // above the bound: waits for the writer
	select {
	case err := <-wrote:
		b.io.Unlock()
		t.Fatalf("a Write above the bound returned while the writer was stuck: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	b.io.Unlock()
	require.NoError(t, <-wrote)
	require.Eventually(t, func() bool { return len(out.String()) == (64+1025)<<10 }, 5*time.Second, time.Millisecond)
}
