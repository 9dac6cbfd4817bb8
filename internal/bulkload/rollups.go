package bulkload

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

// rollupTriggers are the triggers that keep the reports' roll-up rows
// (casework/sqlstore.GridBranch.Rollup, named rollup_…). A Fresh load
// drops them with the secondary indexes, because each fires per row and
// writes the rows of the record's unit and of every ancestor, and builds
// the roll-up rows once at the end (fillRollups).
// A load that is not Fresh keeps them: every row it writes is counted as
// it is written.
func (l *Loader) rollupTriggers(ctx context.Context) ([]index, error) {
	q := `SELECT name, 'DROP TRIGGER "' || name || '"', sql FROM sqlite_master
		WHERE type = 'trigger' AND name LIKE 'rollup\_%' ESCAPE '\' ORDER BY name`
	if l.engine == sqlx.Postgres {
		q = `SELECT t.tgname, 'DROP TRIGGER ' || quote_ident(t.tgname) || ' ON ' || quote_ident(c.relname), pg_get_triggerdef(t.oid)
			FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = current_schema() AND NOT t.tgisinternal AND t.tgname LIKE 'rollup\_%' ORDER BY 1`
	}
	out, err := sqlx.QueryAll(ctx, l.db, q, nil, func(sc sqlx.Scanner) (index, error) {
		var ix index
		err := sc.Scan(&ix.name, &ix.drop, &ix.create)
		return ix, err
	})
	if err != nil {
		return nil, fmt.Errorf("bulkload: list the roll-up triggers: %w", err)
	}
	return out, nil
}

// fillRollups rebuilds every roll-up series from its source table with
// the fill statement its migration recorded (grid_rollups), after a Fresh
// load that wrote without the triggers.
func (l *Loader) fillRollups(ctx context.Context, exec func(context.Context, string, ...any) (sql.Result, error)) error {
	if !slices.ContainsFunc(l.indexes, func(ix index) bool { return strings.HasPrefix(ix.name, "rollup_") }) {
		return nil
	}
	type series struct{ name, fill string }
	all, err := sqlx.QueryAll(ctx, l.reader(), `SELECT series, fill FROM grid_rollups ORDER BY series`, nil, func(sc sqlx.Scanner) (series, error) {
		var s series
		err := sc.Scan(&s.name, &s.fill)
		return s, err
	})
	if err != nil {
		return fmt.Errorf("bulkload: list the roll-ups: %w", err)
	}
	for _, s := range all {
		for _, q := range []string{`DELETE FROM rollup_` + s.name, s.fill} {
			if _, err := exec(ctx, q); err != nil {
				return fmt.Errorf("bulkload: fill the roll-up %s: %w", s.name, err)
			}
		}
		if l.engine == sqlx.Postgres {
			if _, err := exec(ctx, `ANALYZE rollup_`+s.name); err != nil {
				return err
			}
		}
	}
	return nil
}

// reader is where a Fresh load reads: its own connection on SQLite.
func (l *Loader) reader() sqlx.Querier {
	if l.conn != nil {
		return l.conn
	}
	return l.db
}
