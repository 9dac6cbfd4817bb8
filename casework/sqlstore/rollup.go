package sqlstore

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

// Roll-ups (GridBranch.Rollup) keep a branch's figures as daily rows per
// unit and per ancestor, so that an aligned grid (every bound a day's
// start, rollupDays) reads a few thousand rows instead of every event of
// its span (issue 13: a city's year is 333,849 visits, its roll-up rows
// 365 × 9). Everything about them is generated from the branch itself —
// the table, the triggers that keep it and the statement that fills it —
// so the figures a roll-up answers cannot drift from the raw count.
//
// Each row of the branch's table whose event time t is set and whose
// Where holds adds its values to the roll-up row (a, day(t), key) of every
// ancestor a of the unit that held it at t, the unit itself included. The
// unit that held it is unitAt: the from_unit of the record's first move
// after t (casework.RecordMove), else its unit_id, as the raw grid's
// correction counts it (moveBranches). Triggers keep the rows in the
// writing transaction: on SQLite AFTER INSERT, UPDATE and DELETE triggers
// (and one on record_moves, whose row a closing writes after moving the
// records); on PostgreSQL deferred constraint triggers, fired at commit
// before the audit chain's head is locked, each adding to rows of the
// transaction's own shard, so writers never wait on each other's roll-up
// rows (rollup_shard.go, from kernel migration 13). A deferred trigger
// sees the transaction's final record_moves, so a closing's move and the
// records' new unit_id net out to nothing there.

// The roll-up day: a fixed UTC+08:00 day (China Standard Time, which the
// default report zone Asia/Shanghai has kept since 1991), numbered from
// the epoch. A grid whose every bound is such a midnight reads roll-ups;
// any other grid (another zone, a bound inside a day, a bound before the
// second day) counts raw rows.
const (
	rollupDayMicros    = 24 * 3600 * 1_000_000
	rollupOffsetMicros = 8 * 3600 * 1_000_000
)

// rollupDay is the SQL day number of the time column col, exact for every
// time at or after the epoch (integer division truncates; earlier rows
// land on day 0 or before, which no aligned grid reads).
func rollupDay(col string) string {
	return fmt.Sprintf("((%s + %d) / %d)", col, rollupOffsetMicros, rollupDayMicros)
}

var (
	seriesName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	rowColumn  = regexp.MustCompile(`\bt\.([a-z_][a-z0-9_]*)`)
	countAll   = regexp.MustCompile(`^(?i)COUNT\(\s*\*\s*\)$`)
	sumOf      = regexp.MustCompile(`^(?i)SUM\((.*)\)$`)
	sumOrZero  = regexp.MustCompile(`^(?i)COALESCE\(\s*SUM\((.*)\)\s*,\s*0\s*\)$`)
)

// rollupShape is what a rolled-up branch keeps per row: its values (the
// per-row term of each additive aggregate), or for a distinct branch the
// value whose distinct count the branch answers.
type rollupShape struct {
	table  string   // rollup_<series>
	values []string // per-row terms of Aggs, over t
}

// rollup checks that b can be kept as roll-up rows and says how: every
// aggregate additive (COUNT(*) adds 1 a row, SUM(e) and COALESCE(SUM(e), 0)
// add COALESCE(e, 0)), or a Distinct branch with no aggregates. A count of
// distinct values, a minimum or anything else cannot be summed from daily
// rows and is refused.
func (b GridBranch) rollup() (rollupShape, error) {
	if !seriesName.MatchString(b.Rollup) {
		return rollupShape{}, errs.Invalid("rollup", "name", "the roll-up series %q of the grid branch over %s is not a lower-case SQL name", b.Rollup, b.Table)
	}
	if b.Key == UnitKey {
		return rollupShape{}, errs.Invalid("rollup", "key", "the grid branch over %s groups by unit, which its roll-up rows already are", b.Table)
	}
	s := rollupShape{table: "rollup_" + b.Rollup}
	if b.Distinct != "" {
		if len(b.Aggs) > 0 {
			return rollupShape{}, errs.Invalid("rollup", "distinct", "the rolled-up grid branch over %s counts distinct %s beside other aggregates; split it in two branches", b.Table, b.Distinct)
		}
		return s, nil
	}
	for _, agg := range b.Aggs {
		agg = strings.TrimSpace(agg)
		var m []string
		switch {
		case countAll.MatchString(agg):
			s.values = append(s.values, "1")
			continue
		case sumOrZero.MatchString(agg):
			m = sumOrZero.FindStringSubmatch(agg)
		case sumOf.MatchString(agg):
			m = sumOf.FindStringSubmatch(agg)
		}
		if m == nil || !balanced(m[1]) || strings.Contains(strings.ToUpper(m[1]), "DISTINCT") {
			return rollupShape{}, errs.Invalid("rollup", "additive", "the rolled-up grid branch over %s aggregates %s; a roll-up keeps only COUNT(*) and SUM", b.Table, agg)
		}
		s.values = append(s.values, "COALESCE("+m[1]+", 0)")
	}
	return s, nil
}

// balanced says whether e's parentheses pair up, so that SUM(a) + SUM(b)
// is not taken for the sum of "a) + SUM(b".
func balanced(e string) bool {
	depth := 0
	for _, r := range e {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
			if depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}

// rollupRow is the branch's per-row SQL over one source row: the row's
// columns are written t.col in the branch and row.col here (NEW, OLD, or t
// itself).
type rollupRow struct {
	b     GridBranch
	s     rollupShape
	row   string // NEW, OLD or t
	from  string // "" for NEW/OLD, else the FROM item naming t
	where string // a further condition on the source, or ""
	// skipMove, if not "", leaves one record move out of unitAt (the
	// SQLite record_moves trigger's state before its own row).
	skipMove string
	// pathIDs finds the ancestors from the ids in the unit's path, one key
	// lookup each, rather than comparing every unit's path with it
	// (ancestors).
	pathIDs bool
	// shard, if not "", is the SQL of the shard the row's contribution is
	// added to (a sharded roll-up table, ShardRollups).
	shard string
}

// ancestors joins units a, the unit u and every unit above it. A unit's
// path is the ids from the root down ("/root/branch/station/"; ids never
// hold a slash), so on PostgreSQL a trigger reads the ancestors by key from
// it: comparing every unit's path with the row's was a third of their
// time (when they still ran inside the audit head's lock).
func (r rollupRow) ancestors() string {
	if r.pathIDs {
		return "units a ON a.id = ANY (string_to_array(btrim(u.path, '/'), '/'))"
	}
	return "units a ON substr(u.path, 1, length(a.path)) = a.path"
}

func (r rollupRow) expr(e string) string {
	if r.row == "t" {
		return e
	}
	return rowColumn.ReplaceAllString(e, r.row+".$1")
}

// unitAt is the unit that held the row at its event time.
func (r rollupRow) unitAt() string {
	unit := r.row + ".unit_id"
	if r.b.Kind == "" {
		return unit
	}
	id := r.b.IDCol
	if id == "" {
		id = "id"
	}
	skip := ""
	if r.skipMove != "" {
		skip = " AND " + r.skipMove
	}
	return fmt.Sprintf(`COALESCE((SELECT m.from_unit FROM record_moves m WHERE m.kind = %s AND m.record_id = %s.%s AND m.moved_at > %s.%s%s ORDER BY m.moved_at LIMIT 1), %s)`,
		quote(r.b.Kind), r.row, id, r.row, r.b.Time, skip, unit)
}

// key is the row's group key, never NULL (a roll-up row's key is part of
// its primary key).
func (r rollupRow) key() string {
	if r.b.Key == "" {
		return "''"
	}
	return "COALESCE(CAST(" + r.expr(r.b.Key) + " AS TEXT), '')"
}

// cond is the rows that count: the event happened and Where holds.
func (r rollupRow) cond() string {
	c := r.row + "." + r.b.Time + " IS NOT NULL"
	if r.b.Where != "" {
		c += " AND (" + r.expr(r.b.Where) + ")"
	}
	if r.b.Distinct != "" {
		c += " AND " + r.expr(r.b.Distinct) + " IS NOT NULL"
	}
	if r.where != "" {
		c += " AND " + r.where
	}
	return c
}

// columns are the roll-up table's value columns after unit_id, day, key.
func (s rollupShape) columns(b GridBranch) []string {
	if b.Distinct != "" {
		return []string{"value", "n"}
	}
	cols := []string{"n"}
	for j := range s.values {
		cols = append(cols, fmt.Sprintf("v%d", j))
	}
	return cols
}

// conflict is the roll-up row's key columns.
func (s rollupShape) conflict(b GridBranch) string {
	if b.Distinct != "" {
		return "unit_id, day, key, value"
	}
	return "unit_id, day, key"
}

// sharded is the key of a sharded roll-up table (ShardRollups).
func (s rollupShape) sharded(b GridBranch) string { return s.conflict(b) + ", shard" }

// add is the statement that adds the row's contribution (sign "" or "-")
// to the roll-up rows of its unit and every ancestor.
func (r rollupRow) add(sign string) string {
	cols := r.s.columns(r.b)
	vals := []string{"CAST(" + r.expr(r.b.Distinct) + " AS TEXT)", sign + "1"}
	set := []string{"n = " + r.s.table + ".n + excluded.n"}
	if r.b.Distinct == "" {
		vals = []string{sign + "1"}
		for j, v := range r.s.values {
			vals = append(vals, sign+"("+r.expr(v)+")")
			set = append(set, fmt.Sprintf("v%[1]d = %[2]s.v%[1]d + excluded.v%[1]d", j, r.s.table))
		}
	}
	from := ""
	if r.from != "" {
		from = r.from + " JOIN "
	}
	conflict := r.s.conflict(r.b)
	if r.shard != "" {
		cols, vals, conflict = append(cols, "shard"), append(vals, r.shard), r.s.sharded(r.b)
	}
	return fmt.Sprintf(`INSERT INTO %s (unit_id, day, key, %s) SELECT a.id, %s, %s, %s FROM %sunits u JOIN %s WHERE u.id = %s AND %s ON CONFLICT (%s) DO UPDATE SET %s`,
		r.s.table, strings.Join(cols, ", "), rollupDay(r.row+"."+r.b.Time), r.key(), strings.Join(vals, ", "), from,
		r.ancestors(), r.unitAt(), r.cond(), conflict, strings.Join(set, ", "))
}

// fill is the statement that builds the roll-up rows from the table's
// rows as they are: each (unit at the time, day, key) summed first, then
// credited to the unit and every ancestor.
func (b GridBranch) fill(s rollupShape) string {
	r := rollupRow{b: b, s: s, row: "t"}
	cols := s.columns(b)
	inner := []string{"COUNT(*) AS n"}
	outer := []string{"SUM(s.n)"}
	group := "1, 2, 3"
	if b.Distinct != "" {
		inner = []string{"CAST(" + b.Distinct + " AS TEXT) AS value", "COUNT(*) AS n"}
		outer = []string{"s.value", "SUM(s.n)"}
		group = "1, 2, 3, 4"
	}
	for j, v := range s.values {
		inner = append(inner, fmt.Sprintf("SUM(%s) AS v%d", v, j))
		outer = append(outer, fmt.Sprintf("SUM(s.v%d)", j))
	}
	return fmt.Sprintf(`INSERT INTO %s (unit_id, day, key, %s) SELECT a.id, s.day, s.key, %s FROM (SELECT %s AS unit_id, %s AS day, %s AS key, %s FROM %s t WHERE %s GROUP BY %s) s JOIN units u ON u.id = s.unit_id JOIN units a ON substr(u.path, 1, length(a.path)) = a.path GROUP BY %s`,
		s.table, strings.Join(cols, ", "), strings.Join(outer, ", "), r.unitAt(), rollupDay("t."+b.Time), r.key(),
		strings.Join(inner, ", "), b.Table, r.cond(), group, group)
}

// changed is the condition under which an update can change the row's
// contribution: a column the branch reads changed. IS DISTINCT FROM is
// SQLite's IS NOT.
func (b GridBranch) changed(d *sqlx.Dialect) string {
	cols := []string{"unit_id", b.Time}
	if b.Kind != "" {
		cols = append(cols, b.idCol())
	}
	for _, e := range append([]string{b.Where, b.Key, b.Distinct}, b.Aggs...) {
		for _, m := range rowColumn.FindAllStringSubmatch(e, -1) {
			cols = append(cols, m[1])
		}
	}
	op := " IS NOT "
	if d.Engine == Postgres {
		op = " IS DISTINCT FROM "
	}
	seen := map[string]bool{}
	var out []string
	for _, c := range cols {
		if !seen[c] {
			seen[c] = true
			out = append(out, "OLD."+c+op+"NEW."+c)
		}
	}
	return strings.Join(out, " OR ")
}

// updated is the WHEN of the update trigger: a column the branch reads
// changed, and the row counted before or counts after.
func (b GridBranch) updated(d *sqlx.Dialect, old, nu rollupRow) string {
	return fmt.Sprintf("(%s) AND ((%s) OR (%s))", b.changed(d), old.cond(), nu.cond())
}

func (b GridBranch) idCol() string {
	if b.IDCol == "" {
		return "id"
	}
	return b.IDCol
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// RollupStmts are a migration step's statements for the rolled-up
// branches: each one's table, its triggers, the rows it fills from the
// table as it is, and its entry in grid_rollups (whose fill statement a
// Fresh bulk load runs again after loading without triggers). A branch
// that cannot roll up is a definition the program must not ship: it
// panics, as the first migration of any test does.
func RollupStmts(engine Engine, branches ...GridBranch) []string {
	d := &sqlx.Dialect{Engine: engine}
	var out []string
	for _, b := range branches {
		s, err := b.rollup()
		if err != nil {
			panic(err)
		}
		out = append(out, s.create(b))
		out = append(out, b.triggers(d, s)...)
		out = append(out, b.fill(s),
			fmt.Sprintf(`INSERT INTO grid_rollups (series, source, fill) VALUES (%s, %s, %s)`, quote(b.Rollup), quote(b.Table), quote(b.fill(s))))
	}
	return out
}

// create is the roll-up table. Its primary key (unit, day, key[, value])
// is the index every read uses.
func (s rollupShape) create(b GridBranch) string {
	cols := []string{"unit_id TEXT NOT NULL", "day BIGINT NOT NULL", "key TEXT NOT NULL"}
	if b.Distinct != "" {
		cols = append(cols, "value TEXT NOT NULL")
	}
	cols = append(cols, "n BIGINT NOT NULL")
	for j := range s.values {
		cols = append(cols, fmt.Sprintf("v%d BIGINT NOT NULL", j))
	}
	return fmt.Sprintf(`CREATE TABLE %s (%s, PRIMARY KEY (%s))`, s.table, strings.Join(cols, ", "), s.conflict(b))
}

// pgTriggerFunction is the PostgreSQL function of the table's triggers
// (verb CREATE, or CREATE OR REPLACE), declaring decl after BEGIN's
// DECLARE when not "". Its text without decl is migration-stable: older
// steps' checksums hash it.
func pgTriggerFunction(verb string, s rollupShape, old, nu rollupRow, decl string) string {
	if decl != "" {
		decl = "DECLARE\n\t" + decl + "\n"
	}
	return fmt.Sprintf(`%[4]s FUNCTION %[1]s() RETURNS trigger LANGUAGE plpgsql AS $$
%[5]sBEGIN
	IF TG_OP <> 'INSERT' THEN
		%[2]s;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		%[3]s;
	END IF;
	RETURN NULL;
END $$`, s.table, old.add("-"), nu.add(""), verb, decl)
}

// triggers keep the roll-up table in every writing transaction.
func (b GridBranch) triggers(d *sqlx.Dialect, s rollupShape) []string {
	pg := d.Engine == Postgres
	old := rollupRow{b: b, s: s, row: "OLD", pathIDs: pg}
	nu := rollupRow{b: b, s: s, row: "NEW", pathIDs: pg}
	if d.Engine == Postgres {
		return []string{
			pgTriggerFunction("CREATE", s, old, nu, ""),
			fmt.Sprintf(`CREATE CONSTRAINT TRIGGER %[1]s_insert AFTER INSERT ON %[2]s DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (%[3]s) EXECUTE FUNCTION %[1]s()`,
				s.table, b.Table, nu.cond()),
			fmt.Sprintf(`CREATE CONSTRAINT TRIGGER %[1]s_update AFTER UPDATE ON %[2]s DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (%[3]s) EXECUTE FUNCTION %[1]s()`,
				s.table, b.Table, b.updated(d, old, nu)),
			fmt.Sprintf(`CREATE CONSTRAINT TRIGGER %[1]s_delete AFTER DELETE ON %[2]s DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (%[3]s) EXECUTE FUNCTION %[1]s()`,
				s.table, b.Table, old.cond()),
		}
	}
	// Each trigger fires only for a row that counts (its WHEN): a visit of
	// a kind counted by visits costs the distinct targets' trigger nothing.
	out := []string{
		fmt.Sprintf(`CREATE TRIGGER %s_insert AFTER INSERT ON %s WHEN %s BEGIN %s; END`, s.table, b.Table, nu.cond(), nu.add("")),
		fmt.Sprintf(`CREATE TRIGGER %s_update AFTER UPDATE ON %s WHEN %s BEGIN %s; %s; END`, s.table, b.Table, b.updated(d, old, nu), old.add("-"), nu.add("")),
		fmt.Sprintf(`CREATE TRIGGER %s_delete AFTER DELETE ON %s WHEN %s BEGIN %s; END`, s.table, b.Table, old.cond(), old.add("-")),
	}
	if b.Kind != "" {
		// A closing moves its records (their unit_id, crediting every
		// event to the new unit) before it writes their moves: the move's
		// row gives the events before it back to the unit they left. The
		// record's contribution without this move is taken away and the
		// one with it added, whichever came first.
		src := fmt.Sprintf("%s t", b.Table)
		at := fmt.Sprintf("t.%s = NEW.record_id", b.idCol())
		before := rollupRow{b: b, s: s, row: "t", from: src, where: at, skipMove: "m.rowid <> NEW.rowid"}
		after := rollupRow{b: b, s: s, row: "t", from: src, where: at}
		out = append(out, fmt.Sprintf(`CREATE TRIGGER %s_move AFTER INSERT ON record_moves WHEN NEW.kind = %s BEGIN %s; %s; END`,
			s.table, quote(b.Kind), before.add("-"), after.add("")))
	}
	return out
}
