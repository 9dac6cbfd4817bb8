package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "modernc.org/sqlite" // the SQLite baseline uses the server's driver

	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

// The create baselines: what the database itself does for a durable write
// that appends to a hash chain, with no server around it. A create through
// the server does that and more (validation, the request key, reach
// checks); the ratio says how much the rest costs.
//
// One transaction: lock the chain's head, insert one record row, append one
// chain row whose hash covers the previous hash and the record, move the
// head. On SQLite the connection is the server's (WAL, synchronous=FULL,
// BEGIN IMMEDIATE); on PostgreSQL plain pgx connections, one per client.

// baselineRecord is the record row's body: about a visit's size.
const baselineRecord = `{"unitId":"01HZP0000000000000000ZTZS1","personId":"01HZP0000000000000000PERS1",` +
	`"targetKind":"difficult_family","visitedAt":"2020-05-06T01:00:00Z","notes":"压测走访：了解家庭近况",` +
	`"services":[{"kind":"door_to_door","note":"送米面油"}]}`

var baselineDDL = []string{
	`CREATE TABLE IF NOT EXISTS bl_records (id TEXT PRIMARY KEY, body TEXT NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS bl_chain (seq BIGINT PRIMARY KEY, record_id TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS bl_head (id INTEGER PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL)`,
	`INSERT INTO bl_head (id, seq, hash) VALUES (1, 0, '') ON CONFLICT (id) DO NOTHING`,
}

// createBaselineSchema creates the baseline's tables through exec.
func createBaselineSchema(ctx context.Context, exec func(ctx context.Context, q string) error) error {
	for _, q := range baselineDDL {
		if err := exec(ctx, q); err != nil {
			return fmt.Errorf("baseline schema: %w", err)
		}
	}
	return nil
}

// chainStep is one append: the next sequence number and its hash.
func chainStep(seq int64, prev, id string) (int64, string) {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write([]byte(id))
	h.Write([]byte(baselineRecord))
	return seq + 1, hex.EncodeToString(h.Sum(nil))
}

func newRecordID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// hammer runs tx from clients goroutines for d and returns transactions
// per second; the first error stops the run.
func hammer(ctx context.Context, clients int, d time.Duration, tx func(ctx context.Context, client int) error) (float64, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		done  atomic.Int64
		wg    sync.WaitGroup
		first error
		once  sync.Once
	)
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			for ctx.Err() == nil {
				if err := tx(ctx, c); err != nil {
					if ctx.Err() == nil {
						once.Do(func() { first = err; cancel() })
					}
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	if first != nil {
		return 0, first
	}
	return float64(done.Load()) / time.Since(start).Seconds(), nil
}

// sqliteBaseline runs the baseline on a SQLite file at path.
func sqliteBaseline(ctx context.Context, path string, clients int, d time.Duration) (float64, error) {
	db, err := sql.Open("sqlite", sqlx.SQLiteDSN(path))
	if err != nil {
		return 0, err
	}
	defer db.Close()
	// Each client keeps its connection, as the server's pool does
	// (database/sql keeps two idle ones by default: the other clients
	// would open a connection, and parse the schema, per transaction).
	db.SetMaxIdleConns(clients)
	if err := createBaselineSchema(ctx, func(ctx context.Context, q string) error { _, err := db.ExecContext(ctx, q); return err }); err != nil {
		return 0, err
	}
	return hammer(ctx, clients, d, func(ctx context.Context, _ int) error {
		return sqliteAppend(ctx, db)
	})
}

func sqliteAppend(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE, as the server's
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	err = appendOnce(`SELECT seq, hash FROM bl_head WHERE id = 1`,
		func(q string, dest ...any) error { return tx.QueryRowContext(ctx, q).Scan(dest...) },
		func(q string, args ...any) error { _, err := tx.ExecContext(ctx, q, args...); return err })
	if err != nil {
		return err
	}
	return tx.Commit()
}

// appendOnce is one append inside a transaction: read (and lock) the head
// with headQuery, then run the append's statements.
func appendOnce(headQuery string, scan func(q string, dest ...any) error, exec func(q string, args ...any) error) error {
	var seq int64
	var prev string
	if err := scan(headQuery, &seq, &prev); err != nil {
		return err
	}
	id := newRecordID()
	next, hash := chainStep(seq, prev, id)
	for _, st := range appendStatements(id, prev, next, hash) {
		if err := exec(st.q, st.args...); err != nil {
			return err
		}
	}
	return nil
}

type statement struct {
	q    string
	args []any
}

// appendStatements are the writes of one append, after the head was read
// (and locked): one statement, one round trip each, as the server's stores
// do.
func appendStatements(id, prev string, next int64, hash string) []statement {
	return []statement{
		{`INSERT INTO bl_records (id, body) VALUES ($1, $2)`, []any{id, baselineRecord}},
		{`INSERT INTO bl_chain (seq, record_id, prev, hash) VALUES ($1, $2, $3, $4)`, []any{next, id, prev, hash}},
		{`UPDATE bl_head SET seq = $1, hash = $2 WHERE id = 1`, []any{next, hash}},
	}
}

// pgBaseline runs the baseline on the PostgreSQL database at url with one
// plain pgx connection per client.
func pgBaseline(ctx context.Context, url string, clients int, d time.Duration) (float64, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return 0, err
	}
	cfg.MaxConns, cfg.MinConns = int32(clients), int32(clients)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return 0, err
	}
	defer pool.Close()
	if err := createBaselineSchema(ctx, func(ctx context.Context, q string) error { _, err := pool.Exec(ctx, q); return err }); err != nil {
		return 0, err
	}
	conns := make([]*pgxpool.Conn, clients) // each client keeps its own connection, as a plain pgx client does
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i := range conns {
		if conns[i], err = pool.Acquire(ctx); err != nil {
			return 0, err
		}
	}
	return hammer(ctx, clients, d, func(ctx context.Context, client int) error {
		return pgAppend(ctx, conns[client].Conn())
	})
}

func pgAppend(ctx context.Context, conn *pgx.Conn) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		return appendOnce(`SELECT seq, hash FROM bl_head WHERE id = 1 FOR UPDATE`,
			func(q string, dest ...any) error { return tx.QueryRow(ctx, q).Scan(dest...) },
			func(q string, args ...any) error { _, err := tx.Exec(ctx, q, args...); return err })
	})
}
