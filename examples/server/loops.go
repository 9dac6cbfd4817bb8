package main

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// loopStaleAfter is how many intervals a background loop may go without
// finishing a run before /readyz calls it dead: one late tick is load,
// three are a loop that is stuck or gone.
const loopStaleAfter = 3

// loopState is what a background loop (the outbox dispatcher, the sweep)
// records of itself, for /readyz and /metrics: when it last finished a
// run, when a run last succeeded, and whether it has stopped. Readiness
// looks at runs attempted, not succeeded: a run that fails (the database
// is down, a receiver keeps erroring) is the database check's or an
// alert's business, and taking every process out of the load balancer for
// it would turn one failing hand-off into an outage.
type loopState struct {
	name  string
	every time.Duration

	lastRun  atomic.Int64 // unix nanoseconds: last run finished, or the loop's creation
	lastOK   atomic.Int64 // unix nanoseconds: last run that succeeded; 0 before one
	failures atomic.Int64 // runs that failed or panicked
	stopped  atomic.Bool
}

func newLoopState(name string, every time.Duration, now time.Time) *loopState {
	s := &loopState{name: name, every: every}
	s.lastRun.Store(now.UnixNano())
	return s
}

// alive returns why the loop is not alive at now, or nil when it is.
func (s *loopState) alive(now time.Time) error {
	if s.stopped.Load() {
		return fmt.Errorf("%s loop has stopped", s.name)
	}
	last := time.Unix(0, s.lastRun.Load())
	if late := now.Sub(last); late > loopStaleAfter*s.every {
		return fmt.Errorf("%s loop has not finished a run for %s (it runs every %s)", s.name, late.Round(time.Millisecond), s.every)
	}
	return nil
}

// record notes a finished run.
func (s *loopState) record(at time.Time, err error) {
	s.lastRun.Store(at.UnixNano())
	if err != nil {
		s.failures.Add(1)
		return
	}
	s.lastOK.Store(at.UnixNano())
}

// loop runs fn every s.every until ctx ends, then marks s stopped. A
// failure or a panic is logged and the next tick tries again; with several
// server processes the outbox leases and the sweep's compare-and-swap
// keep them from doing a thing twice.
func (a *app) loop(ctx context.Context, wg *sync.WaitGroup, s *loopState, fn func(context.Context) error) {
	s.lastRun.Store(time.Now().UnixNano()) // the first tick is one interval away
	wg.Go(func() {
		defer s.stopped.Store(true)
		t := time.NewTicker(s.every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				err := a.runOnce(ctx, s.name, fn)
				if ctx.Err() != nil {
					return
				}
				s.record(time.Now(), err)
			}
		}
	})
}

// runOnce runs fn, turning a panic into an error so that one bad run
// neither kills the process nor silently ends the loop.
func (a *app) runOnce(ctx context.Context, name string, fn func(context.Context) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
			a.log.Error().Err(err).Str("loop", name).Str("stack", string(debug.Stack())).Msg("background loop panicked")
		}
	}()
	if err = fn(ctx); err != nil && ctx.Err() == nil {
		a.log.Error().Err(err).Str("loop", name).Msg("background loop failed")
	}
	return err
}
