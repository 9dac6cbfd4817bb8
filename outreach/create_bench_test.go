package outreach_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	cmem "github.com/grassroots-policing/grassroots/casework/memstore"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/grassroots-policing/grassroots/outreach/memstore"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// pgCounter counts the statements (BEGIN and COMMIT included: each is a
// round trip) a pgx pool sends.
type pgCounter struct{ n atomic.Int64 }

func (c *pgCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (c *pgCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// BenchmarkRecordVisit measures a visit create through the service as the
// load script's create does it (a person visited, a service given, a unique
// request key, the audit entry, a durable commit), from 32 goroutines per
// CPU, and reports the statements each create sent (on SQLite BEGIN and
// COMMIT not counted, on PostgreSQL counted: every one is a round trip).
func BenchmarkRecordVisit(b *testing.B) {
	for _, backend := range []string{"memory", "sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			var count func() int64
			var w *bundle
			switch backend {
			case "memory":
				kdb := cmem.New()
				w = setupWith(b, kdb, memstore.New(kdb), nil)
				count = func() int64 { return 0 }
			case "sqlite":
				db, st := testdb.CountingSQLite(b)
				db.SetMaxIdleConns(128) // as casesql.OpenSQLite does
				ks, os := sqlStores(b, db, casesql.SQLite)
				w = setupWith(b, ks, os, nil)
				count = st.N
			case "postgres":
				cfg := testdb.Postgres(b).ConnConfig()
				c := &pgCounter{}
				cfg.Tracer = c
				db := stdlib.OpenDB(*cfg)
				b.Cleanup(func() { _ = db.Close() })
				ks, os := sqlStores(b, db, casesql.Postgres)
				w = setupWith(b, ks, os, nil)
				count = c.n.Load
			}
			p := w.person(b, "走访对象")
			in := outreach.VisitInput{UnitID: w.station.ID, PersonID: p.ID, TargetKind: outreach.DifficultFamily, VisitedAt: start,
				Notes: "压测走访：了解家庭近况", Services: []outreach.ServiceGiven{{Kind: outreach.ServiceDoorToDoor, Note: "送米面油"}}}
			var seq atomic.Int64
			b.SetParallelism(32)
			before, cpu := count(), cpuNow()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					in := in
					in.RequestKey = fmt.Sprintf("bench-%d", seq.Add(1))
					if _, err := w.svc.RecordVisit(w.ctx, w.officer, in); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(count()-before)/float64(b.N), "stmts/op")
			b.ReportMetric(float64((cpuNow()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

// cpuNow is the CPU time (user and system) this process has used.
func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCreateBaseline is the load script's SQLite create baseline
// (examples/loadtest): a synchronous=FULL transaction that inserts a row
// and appends one hash-chained row, from as many goroutines as
// BenchmarkRecordVisit, with the CPU each costs (cpu-µs/op is comparable
// on a loaded machine, where ns/op is not).
func BenchmarkCreateBaseline(b *testing.B) {
	db := testdb.SQLite(b)
	db.SetMaxIdleConns(128)
	ctx := context.Background()
	for _, q := range []string{
		`CREATE TABLE bl_records (id TEXT PRIMARY KEY, body TEXT NOT NULL)`,
		`CREATE TABLE bl_chain (seq BIGINT PRIMARY KEY, record_id TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL)`,
		`CREATE TABLE bl_head (id INTEGER PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL)`,
		`INSERT INTO bl_head (id, seq, hash) VALUES (1, 0, '')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	const body = `{"unitId":"01HZP0000000000000000ZTZS1","personId":"01HZP0000000000000000PERS1","targetKind":"difficult_family"}`
	var seq atomic.Int64
	b.SetParallelism(32)
	cpu := cpuNow()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf("r-%d", seq.Add(1))
			err := func() error {
				tx, err := db.BeginTx(ctx, nil)
				if err != nil {
					return err
				}
				defer func() { _ = tx.Rollback() }()
				var n int64
				var prev string
				if err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM bl_head WHERE id = 1`).Scan(&n, &prev); err != nil {
					return err
				}
				sum := sha256.Sum256([]byte(prev + id + body))
				hash := hex.EncodeToString(sum[:])
				for _, st := range []struct {
					q    string
					args []any
				}{
					{`INSERT INTO bl_records (id, body) VALUES ($1, $2)`, []any{id, body}},
					{`INSERT INTO bl_chain (seq, record_id, prev, hash) VALUES ($1, $2, $3, $4)`, []any{n + 1, id, prev, hash}},
					{`UPDATE bl_head SET seq = $1, hash = $2 WHERE id = 1`, []any{n + 1, hash}},
				} {
					if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
						return err
					}
				}
				return tx.Commit()
			}()
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64((cpuNow()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
}
