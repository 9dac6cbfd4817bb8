package bulkload

import (
	"context"
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
		ix := index{kind: trigger}
		err := sc.Scan(&ix.name, &ix.drop, &ix.create)
		return ix, err
	})
	if err != nil {
		return nil, fmt.Errorf("bulkload: list the roll-up triggers: %w", err)
	}
	return out, nil
}

// fill is one roll-up series' fill statement (grid_rollups), which
// builds its rows from its source table as it is.
type fill struct{ name, stmt string }

// ancestorJoin is how every fill statement joins a unit (u) to itself and
// each unit above it (a), by comparing every unit's path with the unit's
// (casework/sqlstore's GridBranch.fill).
const ancestorJoin = `JOIN units a ON substr(u.path, 1, length(a.path)) = a.path`

// ancestorTable holds the pairs ancestorJoin finds, built once on SQLite
// for every fill: SQLite compared every unit's path with each grouped
// row's unit, most of a fill's time (at -scale 0.1 the fills' CPU went
// from 3.4 to 1.3 s), where the table makes it a key lookup. (PostgreSQL
// joins the units with each other first.)
const ancestorTable = `temp.bulkload_ancestors`

// stmts are the statements that rebuild the series: its rows deleted,
// then filled; with ancestors, the fill reads the pairs from ancestorTable
// (the same rows: the table holds what the statement's join finds).
func (f fill) stmts(ancestors bool) []string {
	q := f.stmt
	if join := `JOIN units u ON u.id = s.unit_id ` + ancestorJoin; ancestors && strings.Contains(q, join) {
		q = strings.Replace(q, join, `JOIN `+ancestorTable+` a ON a.unit_id = s.unit_id`, 1)
	}
	return []string{`DELETE FROM rollup_` + f.name, q}
}

// rollupFills are the fill statements of every roll-up series, if the
// load dropped their triggers (a Fresh load writes without them and
// builds the roll-up rows once at the end).
func (l *Loader) rollupFills(ctx context.Context) ([]fill, error) {
	if !slices.ContainsFunc(l.indexes, func(ix index) bool { return ix.kind == trigger }) {
		return nil, nil
	}
	all, err := sqlx.QueryAll(ctx, l.reader(), `SELECT series, fill FROM grid_rollups ORDER BY series`, nil, func(sc sqlx.Scanner) (fill, error) {
		var f fill
		err := sc.Scan(&f.name, &f.stmt)
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("bulkload: list the roll-ups: %w", err)
	}
	return all, nil
}

// reader is where a Fresh load reads: its own connection on SQLite.
func (l *Loader) reader() sqlx.Querier {
	if l.conn != nil {
		return l.conn
	}
	return l.db
}
