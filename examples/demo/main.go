// Command demo walks the article's stories through all four workflows on a
// fresh SQLite database (no set-up), then prints the one report that gives
// every figure the article quotes, and verifies the audit chain.
//
//	go run ./examples/demo                 # a new SQLite file in a temporary directory
//	go run ./examples/demo -db grassroots.db
//	go run ./examples/demo -store memory
//	go run ./examples/demo -store postgres -db postgres://postgres@127.0.0.1:5432/test
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/reportview"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/examples/internal/city"
)

func main() {
	store := flag.String("store", "sqlite", "sqlite, postgres or memory")
	dsn := flag.String("db", "", "SQLite file (default: a new one in a temporary directory) or PostgreSQL URL")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *store, *dsn); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// run builds the stores, walks the stories and prints the report.
func run(ctx context.Context, out io.Writer, store, dsn string) error {
	var s stores
	keysDir := ""
	switch store {
	case "memory":
		s = memoryStores()
	case "sqlite":
		if dsn == "" {
			dir, err := os.MkdirTemp("", "grassroots-demo-")
			if err != nil {
				return err
			}
			dsn = filepath.Join(dir, "grassroots.db")
		}
		if _, err := os.Stat(dsn); err == nil {
			return fmt.Errorf("%s exists: the demo starts from an empty database, give it a new path", dsn)
		}
		db, err := casesql.OpenSQLite(dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		if s, err = sqlStores(ctx, db, casesql.SQLite); err != nil {
			return err
		}
		keysDir = filepath.Dir(dsn)
		fmt.Fprintf(out, "database: SQLite %s\n", dsn)
	case "postgres":
		db, err := casesql.OpenPostgres(dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		if s, err = sqlStores(ctx, db, casesql.Postgres); err != nil {
			return err
		}
		fmt.Fprintln(out, "database: PostgreSQL")
	default:
		return fmt.Errorf("unknown store %q (sqlite, postgres or memory)", store)
	}
	cfg := demoConfig()
	if keysDir != "" {
		// The sealing and checkpoint keys live beside the database (mode
		// 0600); a database without its keys cannot reveal what it sealed.
		keys, created, err := casework.EnsureKeyFile(filepath.Join(keysDir, "keys.json"))
		if err != nil {
			return err
		}
		if cfg.Sealer, err = keys.Sealer(); err != nil {
			return err
		}
		cfg.CheckpointKey = keys.Checkpoint
		if created {
			fmt.Fprintf(out, "keys: generated %s (mode 0600)\n", filepath.Join(keysDir, "keys.json"))
		}
	}
	d, err := walk(ctx, out, s, cfg)
	if err != nil {
		return err
	}
	return d.report()
}

// walk wires the world and runs every story.
func walk(ctx context.Context, out io.Writer, s stores, cfg *casework.Config) (*demo, error) {
	w, err := newWorld(s, cfg)
	if err != nil {
		return nil, err
	}
	c, err := city.Load(ctx, w, cfg.Clock.(*casework.FixedClock), out)
	if err != nil {
		return nil, err
	}
	return &demo{City: c, ctx: ctx}, nil
}

// demo is the city the stories built, with the report the demo prints.
type demo struct {
	*city.City
	ctx context.Context
}

// demoConfig is the kernel configuration of the stories: May 2020 in Zibo,
// readable ids.
func demoConfig() *casework.Config {
	return &casework.Config{Clock: casework.NewFixedClock(city.Local(1, 8, 0)), IDs: &casework.SequentialIDs{Prefix: "id-"},
		CheckpointPolicy: casework.CheckpointPolicy{Every: 50, Interval: time.Hour}}
}

// report prints the one report of the bureau for May 2020 and verifies the
// audit chain.
func (d *demo) report() error {
	d.At(city.Local(31, 23, 0))
	if _, err := d.W.K.Sweep(d.ctx, d.Clock.Now()); err != nil {
		return err
	}
	figures, err := d.figures()
	if err != nil {
		return err
	}
	d.Say("\n%s, 2020-05-01 to 2020-05-31:", d.Bureau.Name)
	for _, f := range figures {
		// Printed as a reader expects (100.0%, ¥3,800.00); the key names
		// the figure in the JSON API.
		d.Say("  %-44s %16s  %s", f.Key, reportview.Value(f), reportview.Heading(f))
	}
	if _, err := d.W.K.Checkpoint(d.ctx, true); err != nil {
		return err
	}
	rep, err := d.W.K.VerifyAudit(d.ctx, d.Auditor)
	if err != nil {
		return err
	}
	if !rep.OK {
		return errors.New("audit chain broken: " + rep.Reason)
	}
	d.Say("\naudit chain: %d entries verified, %d signed checkpoint(s), head %x", rep.Entries, rep.CheckpointsVerified, rep.Head.Hash[:8])
	return nil
}

// figures is the bureau's report for May 2020.
func (d *demo) figures() ([]casework.Figure, error) {
	return d.W.K.Report(d.ctx, d.Chief, casework.ReportQuery{UnitID: d.Bureau.ID, From: city.Local(1, 0, 0), To: city.Local(31, 0, 0)})
}
