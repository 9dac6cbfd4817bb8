package bulkload

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

// index is a secondary index, a roll-up trigger or (on PostgreSQL) a
// primary key, unique constraint or foreign key of a table the loader
// writes: dropped for a Fresh load and created again at Close. A foreign
// key's validate checks the rows against it (ALTER TABLE … VALIDATE
// CONSTRAINT), when create adds it NOT VALID.
type index struct {
	name, drop, create, validate string
	kind                         indexKind
}

// indexKind says in which order a Fresh load drops an index (the foreign
// keys first, then the keys they name, then the rest) and builds it again
// (the other way round).
type indexKind string

const (
	foreignKey indexKind = "foreign key"
	uniqueKey  indexKind = "key" // a primary key or UNIQUE constraint
	plainIndex indexKind = "index"
	trigger    indexKind = "trigger"
)

// dropOrder ranks the kinds in the order a Fresh load drops them.
var dropOrder = map[indexKind]int{foreignKey: 0, uniqueKey: 1, plainIndex: 2, trigger: 2}

// startFresh prepares a Fresh load: on SQLite one connection for every
// flush, without journal, fsync or foreign-key checks; on both engines
// the secondary indexes of the loaded tables dropped.
func (l *Loader) startFresh(ctx context.Context) error {
	idx, err := l.secondaryIndexes(ctx)
	if err != nil {
		return fmt.Errorf("bulkload: list the indexes: %w", err)
	}
	trig, err := l.rollupTriggers(ctx)
	if err != nil {
		return err
	}
	idx = append(idx, trig...)
	slices.SortStableFunc(idx, func(a, b index) int { return dropOrder[a.kind] - dropOrder[b.kind] })
	var exec func(context.Context, string, ...any) (sql.Result, error) = l.db.ExecContext
	if l.engine == sqlx.SQLite {
		// Leaving WAL needs the file to itself: close the pool's idle
		// connections (migrations and prepared statements leave some
		// open) before taking the one the load writes on. The pool keeps
		// none afterwards; a caller that tuned it sets it again after
		// Close (casework/sqlstore.KeepConnections).
		l.db.SetMaxIdleConns(0)
		if l.conn, err = l.db.Conn(ctx); err != nil {
			return err
		}
		l.stmts = stmtCache{}
		exec = l.conn.ExecContext
		for _, p := range []string{`PRAGMA foreign_keys = OFF`, `PRAGMA synchronous = OFF`} {
			if _, err := exec(ctx, p); err != nil {
				return fmt.Errorf("bulkload: %s: %w", p, err)
			}
		}
		if err := l.journal(ctx, "off"); err != nil {
			return err
		}
		if err := l.largePages(ctx); err != nil {
			return err
		}
	}
	for _, ix := range idx {
		if _, err := exec(ctx, ix.drop); err != nil {
			return fmt.Errorf("bulkload: drop index %s: %w", ix.name, err)
		}
	}
	l.indexes = idx
	return nil
}

// endFresh ends a Fresh load: the indexes built again and the roll-ups
// filled; on SQLite the foreign keys checked, the file back in WAL mode
// with synchronous=FULL and fsynced; on PostgreSQL the foreign keys added
// again and the loaded tables analysed.
func (l *Loader) endFresh(ctx context.Context) error {
	defer l.release()
	if l.engine == sqlx.Postgres {
		return l.endFreshPostgres(ctx)
	}
	exec := l.conn.ExecContext
	// The INSERTs are done; leaving WAL wants no statement open.
	if err := l.conn.Raw(func(any) error { return l.stmts.close() }); err != nil {
		return err
	}
	start := l.mark()
	// The sorts of the index builds and of the roll-ups' GROUP BYs may
	// use helper threads (SQLite's multi-threaded sorter), one per core,
	// with their temporary files in memory. SQLite sorts what fits in its
	// page cache in one piece on the connection's own thread at the end of
	// the scan (two thirds of an index build's CPU at -scale 1); with 16
	// MiB of cache it hands each 16 MiB of keys to a helper thread, which
	// sorts it while the scan goes on, and merges the pieces on several
	// threads. The scans read each table once, in order, and need no
	// cache.
	for _, p := range []string{fmt.Sprintf(`PRAGMA threads = %d`, runtime.GOMAXPROCS(0)), `PRAGMA temp_store = MEMORY`,
		`PRAGMA cache_size = -16384`} {
		if _, err := exec(ctx, p); err != nil {
			return fmt.Errorf("bulkload: %s: %w", p, err)
		}
	}
	for _, ix := range l.indexes {
		if _, err := exec(ctx, ix.create); err != nil {
			return fmt.Errorf("bulkload: create index %s: %w", ix.name, err)
		}
	}
	start = l.phase("indexes", start)
	fills, err := l.rollupFills(ctx)
	if err != nil {
		return err
	}
	if len(fills) > 0 {
		// Every fill credits a unit's rows to the unit and each ancestor,
		// found by comparing paths (ancestorJoin): a table of those
		// pairs, built once, makes each a key lookup.
		for _, q := range []string{`CREATE TEMP TABLE ` + ancestorTable + ` (unit_id TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (unit_id, id)) WITHOUT ROWID`,
			`INSERT INTO ` + ancestorTable + ` (unit_id, id) SELECT u.id, a.id FROM units u ` + ancestorJoin} {
			if _, err := exec(ctx, q); err != nil {
				return fmt.Errorf("bulkload: the units' ancestors: %w", err)
			}
		}
	}
	for _, f := range fills {
		for _, q := range f.stmts(true) {
			if _, err := exec(ctx, q); err != nil {
				return fmt.Errorf("bulkload: fill the roll-up %s: %w", f.name, err)
			}
		}
	}
	if len(fills) > 0 {
		if _, err := exec(ctx, `DROP TABLE `+ancestorTable); err != nil {
			return err
		}
	}
	start = l.phase("roll-ups", start)
	l.indexes = nil
	if err := l.foreignKeyCheck(ctx); err != nil {
		return err
	}
	start = l.phase("foreign keys", start)
	defer l.phase("wal", start)
	for _, p := range []string{`PRAGMA foreign_keys = ON`, `PRAGMA synchronous = FULL`} {
		if _, err := exec(ctx, p); err != nil {
			return fmt.Errorf("bulkload: %s: %w", p, err)
		}
	}
	if err := l.journal(ctx, "wal"); err != nil {
		return err
	}
	var seq int
	var name, file string
	if err := l.conn.QueryRowContext(ctx, `PRAGMA database_list`).Scan(&seq, &name, &file); err != nil {
		return err
	}
	f, err := os.OpenFile(file, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}

// freshPageSize is the page size of a Fresh SQLite load: 16 KiB instead
// of SQLite's 4, so the load writes a quarter as many pages (citygen
// -scale 0.1: a tenth less CPU a record, a file 9% smaller, and its
// reports cost the same CPU).
const freshPageSize = 16384

// largePages rewrites the file in pages of freshPageSize unless it has
// them: the new database is nearly empty, so the VACUUM costs little.
func (l *Loader) largePages(ctx context.Context) error {
	var size int
	if err := l.conn.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&size); err != nil {
		return fmt.Errorf("bulkload: read the page size: %w", err)
	}
	if size == freshPageSize {
		return nil
	}
	for _, p := range []string{fmt.Sprintf(`PRAGMA page_size = %d`, freshPageSize), `VACUUM`} {
		if _, err := l.conn.ExecContext(ctx, p); err != nil {
			return fmt.Errorf("bulkload: %s: %w", p, err)
		}
	}
	return nil
}

// journal sets the SQLite connection's journal mode and checks that it
// took: SQLite leaves the mode as it was when another connection holds the
// file.
func (l *Loader) journal(ctx context.Context, mode string) error {
	var got string
	if err := l.conn.QueryRowContext(ctx, `PRAGMA journal_mode = `+mode).Scan(&got); err != nil {
		return fmt.Errorf("bulkload: journal_mode %s: %w", mode, err)
	}
	if !strings.EqualFold(got, mode) {
		return fmt.Errorf("bulkload: journal_mode %s: SQLite kept %s (another connection is using the file)", mode, got)
	}
	return nil
}

// foreignKeyCheck reports the first row whose foreign key names no row,
// which SQLite did not check while loading.
func (l *Loader) foreignKeyCheck(ctx context.Context) error {
	rows, err := l.conn.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		var table, parent string
		var rowid, fk sql.NullInt64
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			return err
		}
		return fmt.Errorf("bulkload: a row of %s (rowid %d) names no row of %s", table, rowid.Int64, parent)
	}
	return rows.Err()
}

// release gives back the connection of a Fresh load on SQLite.
func (l *Loader) release() {
	if l.conn != nil {
		_ = l.conn.Raw(func(any) error { return l.stmts.close() })
		_ = l.conn.Close()
		l.conn = nil
	}
}

// secondaryIndexes lists the indexes of the loaded tables that no
// constraint owns, and on PostgreSQL also their primary keys and UNIQUE
// constraints, and the foreign keys on them or naming them: COPY into a
// table without its key's B-tree, then one sorted build of it, costs the
// server less than inserting every row into the B-tree (citygen -scale 0.1,
// INSERT … SELECT of the loaded rows: a fifth to a third less CPU for the
// largest tables, audit_log 330 -> 210 ms, audit_payloads 750 -> 550 ms,
// the key's build included), and a foreign key's per-row trigger costs
// more than checking each key once at the end. PostgreSQL's manual gives
// the same recipe ("Populating a Database"). On SQLite the keys stay (a
// table's primary key is part of its B-tree or an index SQLite owns), and
// the foreign keys are switched off on the loading connection instead.
func (l *Loader) secondaryIndexes(ctx context.Context) ([]index, error) {
	var rows *sql.Rows
	var err error
	if l.engine == sqlx.Postgres {
		// A foreign key that was not valid before stays so (its
		// definition says NOT VALID) and is not validated.
		rows, err = l.db.QueryContext(ctx, `SELECT c.relname, 'DROP INDEX ' || quote_ident(c.relname), pg_get_indexdef(c.oid), '', 'index'
			FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
			JOIN pg_namespace n ON n.oid = t.relnamespace
			WHERE n.nspname = current_schema() AND t.relname = ANY($1)
			AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)
			UNION ALL
			SELECT k.conname, 'ALTER TABLE ' || quote_ident(t.relname) || ' DROP CONSTRAINT ' || quote_ident(k.conname),
				'ALTER TABLE ' || quote_ident(t.relname) || ' ADD CONSTRAINT ' || quote_ident(k.conname) || ' ' || pg_get_constraintdef(k.oid),
				CASE WHEN k.contype = 'f' AND k.convalidated
					THEN 'ALTER TABLE ' || quote_ident(t.relname) || ' VALIDATE CONSTRAINT ' || quote_ident(k.conname) ELSE '' END,
				CASE k.contype WHEN 'f' THEN 'foreign key' ELSE 'key' END
			FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
			LEFT JOIN pg_class r ON r.oid = k.confrelid
			WHERE n.nspname = current_schema() AND (k.contype IN ('p', 'u') AND t.relname = ANY($1)
				OR k.contype = 'f' AND (t.relname = ANY($1) OR r.relname = ANY($1)))
			ORDER BY 1`, tableOrder)
	} else {
		rows, err = l.db.QueryContext(ctx, `SELECT name, 'DROP INDEX "' || name || '"', sql, '', 'index' FROM sqlite_master
			WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (`+strings.Repeat("?, ", len(tableOrder)-1)+`?)
			ORDER BY name`, anys(tableOrder)...)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []index
	for rows.Next() {
		var ix index
		if err := rows.Scan(&ix.name, &ix.drop, &ix.create, &ix.validate, &ix.kind); err != nil {
			return nil, err
		}
		out = append(out, ix)
	}
	return out, rows.Err()
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
