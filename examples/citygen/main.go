// Command citygen generates a city: the 淄博市公安局 tree (11 branches, 62
// stations), its staff and residents, and three years of visits, hazards,
// disputes, cases, leads, stolen items with their custody, returns and
// return events, with the rhythm of the week and the seasons. The same
// seed gives the same city: the same records, ids and times, and so the
// same audit chain head (sealed columns excepted: AES-GCM seals with a
// fresh nonce each time).
//
// Records go in through the bulk path (internal/bulkload): COPY on
// PostgreSQL, large transactions of multi-row prepared INSERTs on SQLite,
// every record with its audit entry in the one hash chain and signed
// checkpoints, so VerifyAudit passes. Units and staff go through the
// kernel's services.
//
// The generator keeps its own ground truth (what it counted while
// generating, never read back) and writes it with -truth as JSON: for each
// unit, day and figure key, the day's figure.
//
// With -article it builds the article's city instead, whose report for the
// article's periods prints the article's figures, and prints them period by
// period beside the article's words.
//
//	go run ./examples/citygen -db city.db -scale 0.1
//	go run ./examples/citygen -db 'postgres://localhost/grassroots' -scale 1
//	go run ./examples/citygen -db article.db -article
//
// With -bench-report N it generates nothing: it opens the city already in
// -db and times the kernel's reports over it (issue 13's targets), N warm
// runs each, printing the medians.
//
//	go run ./examples/citygen -db city.db -bench-report 20
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/examples/internal/wiring"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "citygen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("citygen", flag.ContinueOnError)
	dsn := fs.String("db", "city.db", "a new SQLite file, or a postgres:// URL of an empty database")
	keys := fs.String("keys", "", "the key file (default: keys.json beside a SQLite file; required for PostgreSQL)")
	seed := fs.Uint64("seed", 1, "the random seed: the same seed gives the same city")
	scale := fs.Float64("scale", 0.01, "the share of the full city (1,000,000 visits, 100,000 disputes and cases, 300,000 items)")
	article := fs.Bool("article", false, "build the article's city and print its figures by period")
	truth := fs.String("truth", "", "write the ground truth (per unit, day and figure key) to this JSON file")
	verify := fs.Bool("verify", true, "verify the audit chain after loading")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the load to this file")
	memProfile := fs.String("memprofile", "", "write a heap profile after the load to this file")
	benchRuns := fs.Int("bench-report", 0, "instead of generating, time the reports over the city already in -db: this many warm runs each, median printed")
	benchYear := fs.Int("bench-year", 2020, "the year -bench-report reports on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// The load allocates at a high rate and keeps little: collect when
	// the heap has grown fourfold, not twofold (a third of the GC work).
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *scale <= 0 || *scale > 10 {
		return errors.New("-scale must be in (0, 10]")
	}
	engine := casesql.SQLite
	var keyPath string
	if strings.HasPrefix(*dsn, "postgres://") || strings.HasPrefix(*dsn, "postgresql://") {
		engine = casesql.Postgres
		if keyPath = *keys; keyPath == "" {
			return errors.New("-keys is required with PostgreSQL: the sealing and checkpoint keys are kept in a file")
		}
	} else {
		if _, err := os.Stat(*dsn); err == nil && *benchRuns == 0 {
			return fmt.Errorf("%s exists: citygen builds a new database", *dsn)
		} else if err != nil && *benchRuns > 0 {
			return fmt.Errorf("-bench-report reads an existing city: %w", err)
		}
		if keyPath = *keys; keyPath == "" {
			keyPath = filepath.Join(filepath.Dir(*dsn), "keys.json")
		}
	}
	db, err := openDB(engine, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	stores, err := wiring.SQL(ctx, db, engine)
	if err != nil {
		return err
	}
	kf, _, err := casework.EnsureKeyFile(keyPath)
	if err != nil {
		return err
	}
	sealer, err := kf.Sealer()
	if err != nil {
		return err
	}
	if *benchRuns > 0 {
		w, err := wiring.New(stores, &casework.Config{Sealer: sealer, CheckpointKey: kf.Checkpoint})
		if err != nil {
			return err
		}
		return benchReport(ctx, w, db, engine, *benchYear, *benchRuns, out)
	}
	clock := casework.NewFixedClock(time.Date(2019, 1, 1, 0, 0, 0, 0, casework.DefaultZone()))
	w, err := wiring.New(stores, &casework.Config{Clock: clock, IDs: &casework.SequentialIDs{Prefix: "k-"}, Sealer: sealer,
		CheckpointKey: kf.Checkpoint})
	if err != nil {
		return err
	}
	opts := Options{Seed: *seed, Size: FullSize.Scaled(*scale), Article: *article, CheckpointKey: kf.Checkpoint}
	res, err := Build(ctx, w, clock, sealer, db, engine, opts)
	if err != nil {
		return err
	}
	// A record is one created record with its audit entry (a visit, a
	// custody entry, a hand-off's receipt …): the entries of later changes
	// are part of the records they change.
	n := res.Counts.Total()
	fmt.Fprintf(out, "loaded %d records (%d audit entries, %d rows) in %s: %.0f records/s, %.0f rows/s\n",
		n, res.Records, res.Rows, res.Load.Round(time.Millisecond), float64(n)/res.Load.Seconds(), float64(res.Rows)/res.Load.Seconds())
	// On a shared machine the wall time says how busy the others were;
	// the CPU time says what the load cost (the database server's, on
	// PostgreSQL, comes on top).
	fmt.Fprintf(out, "load CPU %s (%.1f µs a record): %.0f records per CPU-second; %s\n", res.CPU.Round(time.Millisecond),
		float64(res.CPU.Microseconds())/float64(n), float64(n)/res.CPU.Seconds(), res.Counts)
	fmt.Fprintf(out, "audit chain head: seq %d, hash %x\n", res.Head.Seq, res.Head.Hash)
	if len(res.Phases) > 0 {
		parts := make([]string, len(res.Phases))
		for i, p := range res.Phases {
			parts[i] = fmt.Sprintf("%s %s (CPU %s)", p.Name, p.Took.Round(time.Millisecond), p.CPU.Round(time.Millisecond))
		}
		fmt.Fprintf(out, "after the generation (wall, this process's CPU): %s\n", strings.Join(parts, ", "))
	}
	if *memProfile != "" {
		f, err := os.Create(*memProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			return err
		}
	}
	if *truth != "" {
		f, err := os.Create(*truth)
		if err != nil {
			return err
		}
		if err := res.Truth.WriteJSON(f, w.K.Zone(), res.Periods); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	if *verify {
		start := time.Now()
		rep, err := w.K.VerifyAudit(ctx, res.Auditor)
		if err != nil {
			return err
		}
		if !rep.OK {
			return fmt.Errorf("audit chain broken at seq %d: %s", rep.FirstBrokenSeq, rep.Reason)
		}
		fmt.Fprintf(out, "audit verified: %d entries, %d checkpoints, in %s\n", rep.Head.Seq, rep.CheckpointsVerified, time.Since(start).Round(time.Millisecond))
	}
	if !*article {
		return nil
	}
	lines, err := ArticleReport(ctx, w, res.Chief, res.Bureau.ID, res.Periods)
	if err != nil {
		return err
	}
	bad := 0
	period := ""
	for _, l := range lines {
		if l.Period != period {
			period = l.Period
			fmt.Fprintf(out, "\n%s\n", period)
		}
		mark := "✓"
		if !l.OK() {
			mark, bad = "✗ article: "+format(l.Key, l.Value), bad+1
		}
		fmt.Fprintf(out, "  %-40s %14s  %s %s\n", l.Key, format(l.Key, l.Report), l.Says, mark)
	}
	if bad > 0 {
		return fmt.Errorf("%d figures differ from the article", bad)
	}
	return nil
}

func openDB(engine sqlx.Engine, dsn string) (*sql.DB, error) {
	if engine == casesql.Postgres {
		return casesql.OpenPostgres(dsn)
	}
	return casesql.OpenSQLite(dsn)
}
