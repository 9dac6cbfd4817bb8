package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/stretchr/testify/require"
)

// line is a workflow store's migration line, for MigrateAll.
type line struct {
	name  string
	stmts [][]string // step n+1's statements
}

func (l line) MigrationLine() sqlstore.MigrationLine {
	var steps []sqlx.Step
	for i, stmts := range l.stmts {
		steps = append(steps, sqlx.Step{Version: i + 1, Stmts: func(*sqlx.Dialect) []string { return stmts }})
	}
	return sqlstore.MigrationLine{Name: l.name, Steps: steps}
}

// wa's first step reads a kernel table and wb's writes wa's table: each
// fails unless the lines before it ran first.
var (
	wa = line{name: "wa", stmts: [][]string{{`CREATE TABLE wa (n BIGINT NOT NULL)`, `INSERT INTO wa (n) SELECT seq FROM audit_head`}}}
	wb = line{name: "wb", stmts: [][]string{{`INSERT INTO wa (n) VALUES (2)`}}}
)

func eachEngine(t *testing.T, fn func(t *testing.T, db *sql.DB, s *sqlstore.Store)) {
	for name, open := range map[string]func(t *testing.T) (*sql.DB, sqlstore.Engine){
		"sqlite":   func(t *testing.T) (*sql.DB, sqlstore.Engine) { return testdb.SQLite(t), sqlstore.SQLite },
		"postgres": func(t *testing.T) (*sql.DB, sqlstore.Engine) { return testdb.Postgres(t).DB, sqlstore.Postgres },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db, engine := open(t)
			s, err := sqlstore.New(db, engine)
			require.NoError(t, err)
			fn(t, db, s)
		})
	}
}

type appliedStep struct {
	Line      string
	Version   int
	AppliedAt int64
	Checksum  sql.NullString
}

func applied(t *testing.T, db *sql.DB) []appliedStep {
	t.Helper()
	rows, err := db.Query(`SELECT line, version, applied_at, checksum FROM grassroots_migrations ORDER BY line, version`)
	require.NoError(t, err)
	defer rows.Close()
	var out []appliedStep
	for rows.Next() {
		var a appliedStep
		require.NoError(t, rows.Scan(&a.Line, &a.Version, &a.AppliedAt, &a.Checksum))
		out = append(out, a)
	}
	require.NoError(t, rows.Err())
	return out
}

func count(t *testing.T, db *sql.DB, q string) int {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRow(q).Scan(&n))
	return n
}

func TestMigrateAllRunsTheKernelThenEachLineInOrderOnce(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *sql.DB, s *sqlstore.Store) {
		ctx := context.Background()
		require.NoError(t, s.MigrateAll(ctx, wa, wb))
		first := applied(t, db)
		got := map[string][]int{}
		for _, a := range first {
			got[a.Line] = append(got[a.Line], a.Version)
			require.True(t, a.Checksum.Valid && len(a.Checksum.String) == 64, "%s step %d records its checksum", a.Line, a.Version)
		}
		require.Equal(t, map[string][]int{"kernel": {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}, "wa": {1}, "wb": {1}}, got)
		require.Equal(t, 2, count(t, db, `SELECT COUNT(*) FROM wa`))

		require.NoError(t, s.MigrateAll(ctx, wa, wb), "a rerun is a no-op")
		require.NoError(t, s.Migrate(ctx))
		require.Equal(t, first, applied(t, db))
		require.Equal(t, 2, count(t, db, `SELECT COUNT(*) FROM wa`), "no step ran twice")
	})
}

func TestMigrateAllRefusesAChangedStep(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *sql.DB, s *sqlstore.Store) {
		ctx := context.Background()
		require.NoError(t, s.MigrateAll(ctx, wa))
		edited := line{name: "wa", stmts: [][]string{{`CREATE TABLE wa (n BIGINT)`, `INSERT INTO wa (n) SELECT seq FROM audit_head`}}}
		err := s.MigrateAll(ctx, edited, wb)
		require.ErrorIs(t, err, sqlstore.ErrMigrationChanged)
		require.Contains(t, err.Error(), "migration wa step 1 differs")
		require.Equal(t, 1, count(t, db, `SELECT COUNT(*) FROM wa`), "refused before wb ran")
	})
}

func TestMigrateAllRefusesANewerDatabase(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *sql.DB, s *sqlstore.Store) {
		ctx := context.Background()
		require.NoError(t, s.Migrate(ctx))
		_, err := db.Exec(`INSERT INTO grassroots_migrations (line, version, applied_at, checksum) VALUES ('kernel', 14, 0, 'x')`)
		require.NoError(t, err)
		err = s.MigrateAll(ctx, wa)
		require.ErrorIs(t, err, sqlstore.ErrSchemaNewer)
		require.Contains(t, err.Error(), "database schema kernel v14 is newer than this program knows (v13); upgrade the program")
		require.Zero(t, count(t, db, `SELECT COUNT(*) FROM grassroots_migrations WHERE line = 'wa'`), "nothing applied")
	})
}

// A database migrated before checksums existed opens: its steps adopt the
// program's checksums on the first run, and are checked from then on.
func TestMigrateAllAdoptsStepsAppliedBeforeChecksums(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *sql.DB, s *sqlstore.Store) {
		ctx := context.Background()
		for _, q := range []string{
			`CREATE TABLE grassroots_migrations (line TEXT NOT NULL, version BIGINT NOT NULL, applied_at BIGINT NOT NULL, PRIMARY KEY (line, version))`,
			`CREATE TABLE wa (n BIGINT NOT NULL)`,
			`INSERT INTO grassroots_migrations (line, version, applied_at) VALUES ('wa', 1, 0)`,
		} {
			_, err := db.Exec(q)
			require.NoError(t, err)
		}
		require.NoError(t, s.MigrateAll(ctx, wa))
		require.Zero(t, count(t, db, `SELECT COUNT(*) FROM wa`), "the applied step did not run again")
		for _, a := range applied(t, db) {
			require.True(t, a.Checksum.Valid, "%s step %d has its checksum now", a.Line, a.Version)
		}
		edited := line{name: "wa", stmts: [][]string{{`CREATE TABLE wa (n TEXT)`}}}
		require.ErrorIs(t, s.MigrateAll(ctx, edited), sqlstore.ErrMigrationChanged)
	})
}
