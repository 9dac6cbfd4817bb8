package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

func TestLoopStateAlive(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	for name, tc := range map[string]struct {
		at      time.Time
		stop    bool
		ran     time.Duration // after start; 0: never ran
		wantErr string
	}{
		"new, within three intervals":            {at: start.Add(3 * time.Minute)},
		"new, never ran in three intervals":      {at: start.Add(3*time.Minute + time.Second), wantErr: "sweep loop has not finished a run for 3m1s (it runs every 1m0s)"},
		"ran lately":                             {at: start.Add(10 * time.Minute), ran: 8 * time.Minute},
		"last ran more than three intervals ago": {at: start.Add(10 * time.Minute), ran: 6 * time.Minute, wantErr: "has not finished a run for 4m0s"},
		"stopped":                                {at: start.Add(time.Second), stop: true, wantErr: "sweep loop has stopped"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newLoopState("sweep", time.Minute, start)
			if tc.ran != 0 {
				s.record(start.Add(tc.ran), nil)
			}
			s.stopped.Store(tc.stop)
			err := s.alive(tc.at)
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}

// A run that hangs leaves the loop alive for three intervals, then not:
// the tick it misses is what /readyz sees.
func TestHungLoopIsNotAlive(t *testing.T) {
	t.Parallel()
	a := &app{log: zerolog.New(io.Discard)}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	s := newLoopState("outbox", 20*time.Millisecond, time.Now())
	entered := make(chan struct{}, 1)
	a.loop(ctx, &wg, s, func(ctx context.Context) error {
		select {
		case entered <- struct{}{}:
		default:
		}
		<-ctx.Done() // hangs until the loop is stopped
		return ctx.Err()
	})
	<-entered
	require.Eventually(t, func() bool { return s.alive(time.Now()) != nil }, 5*time.Second, 5*time.Millisecond)
	require.ErrorContains(t, s.alive(time.Now()), "outbox loop has not finished a run")
	cancel()
	wg.Wait()
	require.ErrorContains(t, s.alive(time.Now()), "outbox loop has stopped")
}

// /readyz answers 503 naming the loop when the sweep or the outbox loop
// falls silent or stops, and 200 again once it runs.
func TestReadyzWatchesTheLoops(t *testing.T) {
	t.Parallel()
	for name, args := range map[string][]string{"sqlite": nil, "memory": {"-db", "memory"}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			// Intervals long enough that a run on a loaded machine (-race) is
			// never three intervals late.
			r := startServer(t, append([]string{"-deliver-every", "1s", "-sweep-every", "1s"}, args...)...)
			require.Eventually(t, func() bool {
				return r.app.outbox.lastOK.Load() != 0 && r.app.sweep.lastOK.Load() != 0
			}, 10*time.Second, 10*time.Millisecond, "both loops run on their own")
			require.Equal(t, http.StatusOK, r.get(t, "/readyz", "").StatusCode)

			for _, l := range []*loopState{r.app.sweep, r.app.outbox} {
				l.stopped.Store(true)
				resp := r.get(t, "/readyz", "")
				body, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
				require.Equal(t, l.name+" loop has stopped\n", string(body))
				l.stopped.Store(false)
			}
			// Silent for an hour: the loop's next run makes it ready again.
			r.app.sweep.lastRun.Store(time.Now().Add(-time.Hour).UnixNano())
			r.app.sweep.lastOK.Store(0)
			require.Eventually(t, func() bool { return r.app.sweep.lastOK.Load() != 0 }, 10*time.Second, 5*time.Millisecond)
			require.Equal(t, http.StatusOK, r.get(t, "/readyz", "").StatusCode)
			r.app.sweep.lastRun.Store(time.Now().Add(-time.Hour).UnixNano())
			resp := r.get(t, "/readyz", "")
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			if resp.StatusCode == http.StatusOK { // the loop ran between the two lines
				return
			}
			require.True(t, strings.HasPrefix(string(body), "sweep loop has not finished a run for 1h0m"), string(body))
		})
	}
}
