package sqlx

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"time"
)

// Step is one migration of a line. Steps are applied in Version order, each
// in its own transaction, and never edited once released: a change is a new
// step. The checksum of its statements is stored when it is applied, and a
// step whose statements changed since is refused.
type Step struct {
	Version int
	Stmts   func(d *Dialect) []string
}

// Line is a named migration line ("kernel", "cases", "mediation" …).
type Line struct {
	Name  string
	Steps []Step
}

// The migration refusals. Both stop before anything is applied.
var (
	// ErrSchemaNewer: the database holds a step of a line that this
	// program does not know — a newer program migrated it.
	ErrSchemaNewer = errors.New("database schema is newer than this program")
	// ErrMigrationChanged: a step applied to the database has other
	// statements in this program — someone edited a released step.
	ErrMigrationChanged = errors.New("an applied migration step was changed")
)

// Migrate applies the pending steps of one migration line. Lines are
// independent, so an embedder who uses only mediation gets only the kernel's
// and mediation's tables.
func Migrate(ctx context.Context, db *sql.DB, d *Dialect, line string, steps []Step) error {
	return MigrateLines(ctx, db, d, Line{Name: line, Steps: steps})
}

// MigrateLines checks every line against the database and then applies the
// pending steps of each line, in the order given (the kernel's first: the
// workflows' tables refer to its units). Checking comes first, so a
// database newer than the program, or an applied step that changed, is
// refused (ErrSchemaNewer, ErrMigrationChanged) before anything is applied.
//
// A step applied before checksums existed has none recorded: the first run
// adopts the checksum of the program's step, on the grounds that the step
// was not edited before checksums could catch it.
//
// Concurrent callers are safe: PostgreSQL serialises them on an advisory
// lock, SQLite on its write lock.
func MigrateLines(ctx context.Context, db *sql.DB, d *Dialect, lines ...Line) error {
	if err := migrationsTable(ctx, db); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, l := range lines {
		if err := check(ctx, db, d, l); err != nil {
			return err
		}
	}
	for _, l := range lines {
		for _, st := range l.Steps {
			if err := apply(ctx, db, d, l.Name, st); err != nil {
				return fmt.Errorf("migrate %s step %d: %w", l.Name, st.Version, err)
			}
		}
	}
	return nil
}

// migrationsTable creates the table of applied steps, or adds the checksum
// column to one made before checksums existed.
func migrationsTable(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS grassroots_migrations (
		line TEXT NOT NULL, version BIGINT NOT NULL, applied_at BIGINT NOT NULL, checksum TEXT,
		PRIMARY KEY (line, version))`); err != nil {
		return Translate(err)
	}
	probe := func() error {
		rows, err := db.QueryContext(ctx, `SELECT checksum FROM grassroots_migrations WHERE 1 = 0`)
		if err != nil {
			return err
		}
		return rows.Close()
	}
	if probe() == nil {
		return nil
	}
	if _, err := db.ExecContext(ctx, `ALTER TABLE grassroots_migrations ADD COLUMN checksum TEXT`); err != nil {
		if probe() == nil {
			return nil // a concurrent migrator added it
		}
		return Translate(err)
	}
	return nil
}

// Checksum is the SHA-256 of a step's statements for an engine, hex.
func Checksum(d *Dialect, st Step) string {
	h := sha256.New()
	for _, s := range st.Stmts(d) {
		_, _ = h.Write([]byte(s))
		_, _ = h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func check(ctx context.Context, db *sql.DB, d *Dialect, l Line) error {
	known := map[int]Step{}
	newest := 0
	for _, st := range l.Steps {
		known[st.Version] = st
		newest = max(newest, st.Version)
	}
	rows, err := db.QueryContext(ctx, `SELECT version, checksum FROM grassroots_migrations WHERE line = $1 ORDER BY version`, l.Name)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", l.Name, Translate(err))
	}
	type applied struct {
		version int
		sum     sql.NullString
	}
	var list []applied
	for rows.Next() {
		var a applied
		if err := rows.Scan(&a.version, &a.sum); err != nil {
			_ = rows.Close()
			return fmt.Errorf("migrate %s: %w", l.Name, Translate(err))
		}
		list = append(list, a)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("migrate %s: %w", l.Name, Translate(err))
	}
	for _, a := range list {
		if a.version > newest {
			return fmt.Errorf("%w: database schema %s v%d is newer than this program knows (v%d); upgrade the program",
				ErrSchemaNewer, l.Name, a.version, newest)
		}
		st, ok := known[a.version]
		if !ok {
			return fmt.Errorf("%w: database schema %s has step %d, which this program does not have", ErrMigrationChanged, l.Name, a.version)
		}
		sum := Checksum(d, st)
		if !a.sum.Valid {
			if _, err := db.ExecContext(ctx, `UPDATE grassroots_migrations SET checksum = $1 WHERE line = $2 AND version = $3 AND checksum IS NULL`,
				sum, l.Name, a.version); err != nil {
				return fmt.Errorf("migrate %s step %d: record checksum: %w", l.Name, a.version, Translate(err))
			}
			continue
		}
		if a.sum.String != sum {
			return fmt.Errorf("%w: migration %s step %d differs from the one applied to this database (checksum %.12s, program %.12s); a change to a released step must be a new step",
				ErrMigrationChanged, l.Name, a.version, a.sum.String, sum)
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
	if _, err := tx.ExecContext(ctx, `INSERT INTO grassroots_migrations (line, version, applied_at, checksum) VALUES ($1, $2, $3, $4)`,
		line, st.Version, time.Now().UnixMicro(), Checksum(d, st)); err != nil {
		return Translate(err)
	}
	return Translate(tx.Commit())
}

// Tx runs fn in a transaction and commits it, or rolls back on any error.
// On SQLite the connection string makes every transaction BEGIN IMMEDIATE,
// so a write never fails late on a lock upgrade. When ctx carries a
// transaction of the embedding application (WithTx), fn runs inside it
// under a savepoint and the application's commit decides. On a database
// registered with GroupWrites, concurrent calls are committed in groups.
// Each call moves WriteCount(db) as it begins and as it ends.
func Tx(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	writes := WriteCount(db)
	writes.Add(1)
	defer writes.Add(1)
	if tx := joined(ctx); tx != nil {
		return inSavepoint(ctx, tx, fn)
	}
	if g := groupOf(db); g != nil {
		return g.run(ctx, db, fn)
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
