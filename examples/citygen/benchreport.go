package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/examples/internal/wiring"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

// reportCase is one report the benchmark times: a kernel call, and the
// grid it asks every figure source for (so each source can be timed alone).
type reportCase struct {
	name   string
	target time.Duration // issue 13's target, or 0 for none
	run    func(ctx context.Context) error
	grid   casework.Grid
}

// benchReport times the kernel's reports over a generated city already in
// db (issue 13's targets): the whole city for one year, its busiest
// station for that year, a daily and a monthly series of the city's year
// and the city's table by child unit. Each runs once to warm up and then n
// times; it prints the median, the fastest and the slowest, and the median
// of each figure source's grid query alone (outside the report's snapshot).
func benchReport(ctx context.Context, w *wiring.World, db *sql.DB, engine sqlx.Engine, year, n int, out io.Writer) error {
	if n < 1 {
		return errors.New("-bench-report needs at least one run")
	}
	var chief casework.Actor
	err := db.QueryRowContext(ctx, `SELECT id, unit_id FROM staff WHERE name = '市局指挥中心'`).Scan(&chief.StaffID, &chief.UnitID)
	if errors.Is(err, sql.ErrNoRows) {
		return errors.New("no city in this database: -bench-report reads a city citygen generated")
	}
	if err != nil {
		return err
	}
	chief.Roles = []casework.Role{casework.RoleSupervisor}
	var station, stationPath, cityPath string
	var stationVisits int64
	if err := db.QueryRowContext(ctx, `SELECT path FROM units WHERE id = $1`, chief.UnitID).Scan(&cityPath); err != nil {
		return err
	}
	zone := w.K.Zone()
	from, to := time.Date(year, 1, 1, 0, 0, 0, 0, zone), time.Date(year, 12, 31, 0, 0, 0, 0, zone)
	start, end := from.UTC(), to.AddDate(0, 0, 1).UTC()
	// The busiest station of the year by visits.
	err = db.QueryRowContext(ctx, `SELECT v.unit_id, u.path, COUNT(*) FROM outreach_visits v JOIN units u ON u.id = v.unit_id
		WHERE v.visited_at >= $1 AND v.visited_at < $2
		GROUP BY v.unit_id, u.path ORDER BY 3 DESC, 1 LIMIT 1`, start.UnixMicro(), end.UnixMicro()).Scan(&station, &stationPath, &stationVisits)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("no visits in %d", year)
	}
	if err != nil {
		return err
	}
	var children []string
	units, err := w.K.ListUnits(ctx, chief)
	if err != nil {
		return err
	}
	for _, u := range units {
		if u.ParentID == chief.UnitID {
			children = append(children, u.Path)
		}
	}
	q := casework.ReportQuery{UnitID: chief.UnitID, From: from, To: to}
	qs := q
	qs.UnitID = station
	series := func(step func(time.Time) time.Time) []time.Time {
		b := []time.Time{start}
		for t := from; t.Before(to.AddDate(0, 0, 1)); {
			t = step(t)
			b = append(b, t.UTC())
		}
		return b
	}
	day := series(func(t time.Time) time.Time { return t.AddDate(0, 0, 1) })
	month := series(func(t time.Time) time.Time { return t.AddDate(0, 1, 0) })
	year1 := []time.Time{start, end}
	cases := []reportCase{
		{"city, one year", 200 * time.Millisecond, func(ctx context.Context) error {
			_, err := w.K.Report(ctx, chief, q)
			return err
		}, casework.Grid{Paths: []string{cityPath}, Bounds: year1, Zone: zone}},
		{"busiest station, one year", 20 * time.Millisecond, func(ctx context.Context) error {
			_, err := w.K.Report(ctx, chief, qs)
			return err
		}, casework.Grid{Paths: []string{stationPath}, Bounds: year1, Zone: zone}},
		{"city, daily series of the year", 500 * time.Millisecond, func(ctx context.Context) error {
			_, err := w.K.ReportSeries(ctx, chief, q, casework.StepDay)
			return err
		}, casework.Grid{Paths: []string{cityPath}, Bounds: day, Zone: zone}},
		{"city, monthly series of the year", 0, func(ctx context.Context) error {
			_, err := w.K.ReportSeries(ctx, chief, q, casework.StepMonth)
			return err
		}, casework.Grid{Paths: []string{cityPath}, Bounds: month, Zone: zone}},
		{"city by branch, one year", 0, func(ctx context.Context) error {
			_, err := w.K.ReportByChild(ctx, chief, q)
			return err
		}, casework.Grid{Paths: append([]string{cityPath}, children...), Bounds: year1, Zone: zone}},
	}
	sources := []struct {
		name string
		s    casework.FigureSource
	}{{"outreach", w.Outreach}, {"mediation", w.Mediation}, {"cases", w.Cases}, {"recovery", w.Recovery}}
	// Warm the pool and the caches, then find the server's backends.
	for _, c := range cases {
		if err := c.run(ctx); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
	}
	pids, err := backends(ctx, db, engine)
	if err != nil {
		return err
	}
	meter := &cpuMeter{pids: pids}
	fmt.Fprintf(out, "reports of %d over %s (%s; busiest station %s, %d visits that year), %d warm runs each; cpu is per run, this process's and the database server's:\n",
		year, engine, cityPath, station, stationVisits, n)
	fmt.Fprintf(out, "%-34s %10s %10s %10s %16s  %s\n", "report", "median", "min", "cpu", "target", "by source: median / cpu")
	for _, c := range cases {
		med, lo, cpu, err := meter.timeRuns(ctx, n, c.run)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		var parts string
		for _, s := range sources {
			m, _, sc, err := meter.timeRuns(ctx, n, func(ctx context.Context) error {
				_, err := s.s.GridFigures(ctx, c.grid)
				return err
			})
			if err != nil {
				return fmt.Errorf("%s, %s: %w", c.name, s.name, err)
			}
			parts += fmt.Sprintf("  %s %s / %s", s.name, ms(m), ms(sc))
		}
		target := "—"
		if c.target > 0 {
			target = "< " + ms(c.target)
			if med >= c.target {
				target += " (over)"
			}
		}
		fmt.Fprintf(out, "%-34s %10s %10s %10s %16s %s\n", c.name, ms(med), ms(lo), ms(cpu), target, parts)
	}
	return nil
}

// timeRuns runs fn once to warm up and then n times, and answers the
// median, the fastest and the slowest run, and the CPU time a run took on
// average: this process's (all of it on SQLite) plus the PostgreSQL
// backends' in cpu.pids, read from /proc, because on a loaded machine the
// wall time is mostly waiting for a core.
func (c *cpuMeter) timeRuns(ctx context.Context, n int, fn func(context.Context) error) (med, lo, cpu time.Duration, err error) {
	if err := fn(ctx); err != nil {
		return 0, 0, 0, err
	}
	d := make([]time.Duration, n)
	cpu0 := c.now()
	for i := range d {
		t := time.Now()
		if err := fn(ctx); err != nil {
			return 0, 0, 0, err
		}
		d[i] = time.Since(t)
	}
	cpu = (c.now() - cpu0) / time.Duration(n)
	slices.Sort(d)
	return d[n/2], d[0], cpu, nil
}

// cpuMeter reads the CPU time of this process and of the PostgreSQL
// backends serving its pool (pids, from pg_stat_activity).
type cpuMeter struct{ pids []int }

func (c *cpuMeter) now() time.Duration {
	var ru syscall.Rusage
	var total time.Duration
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		total = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	for _, pid := range c.pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// After the command name in parentheses: utime and stime are the
		// 12th and 13th fields, in clock ticks (100 a second on Linux).
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) > 12 {
			u, _ := strconv.ParseInt(f[11], 10, 64)
			s, _ := strconv.ParseInt(f[12], 10, 64)
			total += time.Duration(u+s) * 10 * time.Millisecond
		}
	}
	return total
}

// backends are the PostgreSQL server processes of this database's
// connections, once the pool holds them.
func backends(ctx context.Context, db *sql.DB, engine sqlx.Engine) ([]int, error) {
	if engine != casesql.Postgres {
		return nil, nil
	}
	return sqlx.QueryAll(ctx, db, `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`, nil, func(sc sqlx.Scanner) (int, error) {
		var pid int
		err := sc.Scan(&pid)
		return pid, err
	})
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
