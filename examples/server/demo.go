package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/examples/internal/city"
	"github.com/grassroots-policing/grassroots/examples/internal/wiring"
)

// demoFileName keeps the staff id of the demonstration officer (not a
// secret) so that every start can print the command that mints their token.
const demoFileName = "demo-staff-id"

// optBool is a boolean flag that knows whether it was given: -demo's
// default depends on the database, so "not given" differs from false.
type optBool struct{ set, v bool }

func (b *optBool) String() string {
	if b == nil || !b.set {
		return ""
	}
	return strconv.FormatBool(b.v)
}

func (b *optBool) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	b.set, b.v = true, v
	return nil
}

func (b *optBool) IsBoolFlag() bool { return true }

// wantDemo says whether to load the article's city into an empty
// database: when -demo says so, and otherwise only on SQLite (a file the
// first start created for a developer trying the server); never unasked
// on PostgreSQL, which is somebody's deployment.
func (c *config) wantDemo() bool {
	if c.demo.set {
		return c.demo.v
	}
	return strings.HasPrefix(c.db, "sqlite:")
}

// loadClock is the wall clock, except while the city loads: its stories
// happen in May 2020, when the article was written, and move a fixed
// clock through the month.
type loadClock struct {
	fixed atomic.Pointer[casework.FixedClock]
}

func (c *loadClock) Now() time.Time {
	if f := c.fixed.Load(); f != nil {
		return f.Now()
	}
	return casework.SystemClock{}.Now()
}

// loadCity loads the article's city through the services when the
// database is empty; loaded is false when it was not (nothing changed).
func (a *app) loadCity(ctx context.Context, w *wiring.World, clock *loadClock) (loaded bool, err error) {
	fixed := casework.NewFixedClock(city.Local(1, 8, 0))
	clock.fixed.Store(fixed)
	defer clock.fixed.Store(nil)
	c, err := city.Bootstrap(ctx, w, fixed, infoLines{a.log.With().Str("component", "city").Logger()})
	if errors.Is(err, casework.ErrConflict) { // the database has its root already
		if a.cfg.demo.set {
			a.log.Warn().Msg("-demo: the database is not empty, so the article's city is not loaded")
		}
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("demo city: %w", err)
	}
	a.admin, a.demo = c.Admin.StaffID, c.Chief.StaffID
	if err := os.WriteFile(filepath.Join(a.cfg.data, adminFileName), []byte(a.admin+"\n"), 0o600); err != nil {
		return false, err
	}
	if err := c.Stories(); err != nil {
		return false, fmt.Errorf("demo city: %w", err)
	}
	if err := os.WriteFile(filepath.Join(a.cfg.data, demoFileName), []byte(a.demo+"\n"), 0o600); err != nil {
		return false, err
	}
	a.log.Warn().Str("staff_id", a.demo).Msg("new database: loaded the article's city (淄博市公安局, May 2020)")
	return true, nil
}

// infoLines logs each line written to it at info level: the city's walk
// tells what it loaded.
type infoLines struct{ log zerolog.Logger }

func (l infoLines) Write(p []byte) (int, error) {
	l.log.Info().Msg(strings.TrimSpace(string(p)))
	return len(p), nil
}
