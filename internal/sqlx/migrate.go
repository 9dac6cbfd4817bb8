package sqlx

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"time"
)

// Step is one migration of a line. Steps are applied in Version order, each
// in its own transaction, and never edited once released: a change is a new
// step.
type Step struct {
	Version int
	Stmts   func(d *Dialect) []string
}

// Migrate applies the pending steps of one migration line ("kernel",
// "casework", "mediation" …). Lines are independent, so an embedder who uses
// only mediation gets only the kernel's and mediation's tables. Concurrent
// callers are safe: PostgreSQL serialises them on an advisory lock, SQLite
// on its write lock.
func Migrate(ctx context.Context, db *sql.DB, d *Dialect, line string, steps []Step) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS grassroots_migrations (
		line TEXT NOT NULL, version BIGINT NOT NULL, applied_at BIGINT NOT NULL,
		PRIMARY KEY (line, version))`); err != nil {
		return fmt.Errorf("migrate %s: %w", line, Translate(err))
	}
	for _, st := range steps {
		if err := apply(ctx, db, d, line, st); err != nil {
			return fmt.Errorf("migrate %s step %d: %w", line, st.Version, err)
		}
	}
	return nil
}

func apply(ctx context.Context, db *sql.DB, d *Dialect, line string, st Step) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return Translate(err)
	}
	defer func() { _ = tx.Rollback() }()
	if d.Engine == Postgres {
		h := fnv.New64a()
		_, _ = h.Write([]byte("grassroots_migrations"))
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(h.Sum64()>>1)); err != nil {
			return Translate(err)
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM grassroots_migrations WHERE line = $1 AND version = $2`, line, st.Version).Scan(&n); err != nil {
		return Translate(err)
	}
	if n > 0 {
		return nil
	}
	for _, s := range st.Stmts(d) {
		if _, err := tx.ExecContext(ctx, d.DDL(s)); err != nil {
			return fmt.Errorf("%w\n%s", Translate(err), s)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO grassroots_migrations (line, version, applied_at) VALUES ($1, $2, $3)`, line, st.Version, time.Now().UnixMicro()); err != nil {
		return Translate(err)
	}
	return Translate(tx.Commit())
}

// Tx runs fn in a transaction and commits it, or rolls back on any error.
// On SQLite the connection string makes every transaction BEGIN IMMEDIATE,
// so a write never fails late on a lock upgrade.
func Tx(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return Translate(err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return Translate(err)
	}
	return Translate(tx.Commit())
}
