package sqlx_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
	"modernc.org/sqlite"
)

// driverCase is one statement that the real database refuses, and the kind
// Translate must give its error.
type driverCase struct {
	name  string
	query string
	args  []any
	want  error
}

// refusals are statements both engines refuse, run against the tables that
// schema creates; their translation must not depend on the engine.
var refusals = []driverCase{
	{"duplicate primary key", `INSERT INTO parent (id) VALUES ('p1')`, nil, errs.ErrConflict},
	{"duplicate unique column", `INSERT INTO child (id, code, n) VALUES ('c2', 'A', 1)`, nil, errs.ErrConflict},
	{"not null", `INSERT INTO child (id, code, n) VALUES ('c3', 'B', NULL)`, nil, errs.ErrInvalid},
	{"check", `INSERT INTO child (id, code, n) VALUES ('c4', 'C', -1)`, nil, errs.ErrInvalid},
	{"foreign key", `INSERT INTO child (id, code, n, parent_id) VALUES ('c5', 'D', 1, 'nope')`, nil, errs.ErrInvalid},
	{"append-only update", `UPDATE log SET msg = 'edited'`, nil, errs.ErrForbidden},
	{"append-only delete", `DELETE FROM log`, nil, errs.ErrForbidden},
}

// schema creates the tables refusals run against, with one row in each.
func schema(t *testing.T, db *sql.DB, d *sqlx.Dialect) {
	t.Helper()
	stmts := []string{
		`CREATE TABLE parent (id TEXT PRIMARY KEY)`,
		`CREATE TABLE child (id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, n INTEGER NOT NULL CHECK (n >= 0), parent_id TEXT REFERENCES parent (id))`,
		`CREATE TABLE log (id INTEGER PRIMARY KEY, msg TEXT NOT NULL)`,
		`INSERT INTO parent (id) VALUES ('p1')`,
		`INSERT INTO child (id, code, n, parent_id) VALUES ('c1', 'A', 1, 'p1')`,
		`INSERT INTO log (id, msg) VALUES (1, 'first')`,
	}
	stmts = append(stmts, d.AppendOnly("log")...)
	for _, s := range stmts {
		_, err := db.Exec(s)
		require.NoError(t, err, s)
	}
}

// requireTranslated checks the go-cloud contract: the sentinel and the
// driver's own error are both reachable from what Translate returns.
func requireTranslated[D error](t *testing.T, raw error, want error) {
	t.Helper()
	require.Error(t, raw)
	got := sqlx.Translate(raw)
	require.ErrorIs(t, got, want, "raw error: %v", raw)
	var driverErr D
	require.ErrorAs(t, got, &driverErr, "the driver error stays reachable")
}

func TestTranslateRealSQLiteErrors(t *testing.T) {
	t.Parallel()
	db, path := testdb.SQLiteFile(t)
	d, err := sqlx.Of(sqlx.SQLite)
	require.NoError(t, err)
	schema(t, db, d)
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.Exec(tc.query, tc.args...)
			requireTranslated[*sqlite.Error](t, err, tc.want)
		})
	}

	t.Run("busy", func(t *testing.T) {
		// A second pool that does not wait for the lock, as a writer whose
		// busy timeout ran out.
		impatient, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)&_txlock=immediate")
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, impatient.Close()) })
		holder, err := db.Begin()
		require.NoError(t, err)
		t.Cleanup(func() { _ = holder.Rollback() })
		_, err = holder.Exec(`INSERT INTO parent (id) VALUES ('p2')`)
		require.NoError(t, err)
		_, err = impatient.Begin()
		requireTranslated[*sqlite.Error](t, err, errs.ErrConflict)
	})
}

func TestTranslateRealPostgresErrors(t *testing.T) {
	t.Parallel()
	pg := testdb.Postgres(t)
	d, err := sqlx.Of(sqlx.Postgres)
	require.NoError(t, err)
	schema(t, pg.DB, d)
	cases := append(append([]driverCase(nil), refusals...),
		driverCase{"NUL in text", `INSERT INTO parent (id) VALUES ($1)`, []any{"a\x00b"}, errs.ErrInvalid},
		driverCase{"not a number", `SELECT CAST($1 AS INTEGER)`, []any{"twelve"}, errs.ErrInvalid},
		driverCase{"out of range", `SELECT CAST($1 AS SMALLINT)`, []any{"99999"}, errs.ErrInvalid},
		driverCase{"append-only truncate", `TRUNCATE log`, nil, errs.ErrForbidden},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := pg.DB.Exec(tc.query, tc.args...)
			requireTranslated[*pgconn.PgError](t, err, tc.want)
		})
	}

	t.Run("lock not available", func(t *testing.T) {
		holder, err := pg.DB.Begin()
		require.NoError(t, err)
		t.Cleanup(func() { _ = holder.Rollback() })
		_, err = holder.Exec(`SELECT id FROM parent WHERE id = 'p1' FOR UPDATE`)
		require.NoError(t, err)
		_, err = pg.DB.Exec(`SELECT id FROM parent WHERE id = 'p1' FOR UPDATE NOWAIT`)
		requireTranslated[*pgconn.PgError](t, err, errs.ErrConflict)
	})

	t.Run("serialization failure", func(t *testing.T) {
		ctx := context.Background()
		opts := &sql.TxOptions{Isolation: sql.LevelSerializable}
		a, err := pg.DB.BeginTx(ctx, opts)
		require.NoError(t, err)
		t.Cleanup(func() { _ = a.Rollback() })
		b, err := pg.DB.BeginTx(ctx, opts)
		require.NoError(t, err)
		t.Cleanup(func() { _ = b.Rollback() })
		var n int
		require.NoError(t, a.QueryRow(`SELECT n FROM child WHERE id = 'c1'`).Scan(&n))
		require.NoError(t, b.QueryRow(`SELECT n FROM child WHERE id = 'c1'`).Scan(&n))
		_, err = a.Exec(`UPDATE child SET n = n + 1 WHERE id = 'c1'`)
		require.NoError(t, err)
		require.NoError(t, a.Commit())
		_, err = b.Exec(`UPDATE child SET n = n + 1 WHERE id = 'c1'`)
		requireTranslated[*pgconn.PgError](t, err, errs.ErrConflict)
	})

	t.Run("statement cancelled", func(t *testing.T) {
		conn, err := pg.DB.Conn(context.Background())
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, conn.Close()) })
		_, err = conn.ExecContext(context.Background(), `SET statement_timeout = 50`)
		require.NoError(t, err)
		start := time.Now()
		_, err = conn.ExecContext(context.Background(), `SELECT pg_sleep(5)`)
		require.Less(t, time.Since(start), 4*time.Second)
		requireTranslated[*pgconn.PgError](t, err, context.Canceled)
	})
}

func TestTranslateKeepsUnknownDriverErrors(t *testing.T) {
	t.Parallel()
	db := testdb.SQLite(t)
	_, err := db.Exec(`SELECT * FROM no_such_table`)
	require.Error(t, err)
	got := sqlx.Translate(err)
	require.Equal(t, err, got, "a syntax or schema error is a bug, not a kind")
	for _, kind := range []error{errs.ErrConflict, errs.ErrInvalid, errs.ErrForbidden, errs.ErrNotFound, context.Canceled} {
		require.False(t, errors.Is(got, kind), "%v", kind)
	}
	require.True(t, strings.Contains(got.Error(), "no_such_table"))
}
