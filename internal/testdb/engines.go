package testdb

import (
	"database/sql"
	"testing"

	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

// EachEngine runs run as a parallel subtest on a fresh database of each
// SQL engine (named sqlite and postgres).
func EachEngine(t *testing.T, run func(t *testing.T, db *sql.DB, engine sqlx.Engine)) {
	t.Helper()
	for _, engine := range []sqlx.Engine{sqlx.SQLite, sqlx.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			if engine == sqlx.SQLite {
				run(t, SQLite(t), engine)
				return
			}
			run(t, Postgres(t).DB, engine)
		})
	}
}
