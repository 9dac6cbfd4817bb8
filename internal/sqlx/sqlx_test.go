package sqlx_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
)

func TestTranslate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   error
		want error
	}{
		{"no rows", sql.ErrNoRows, errs.ErrNotFound},
		{"unique", &pgconn.PgError{Code: "23505", ConstraintName: "units_code_key"}, errs.ErrConflict},
		{"foreign key", &pgconn.PgError{Code: "23503"}, errs.ErrInvalid},
		{"not null", &pgconn.PgError{Code: "23502", ColumnName: "at"}, errs.ErrInvalid},
		{"serialization", &pgconn.PgError{Code: "40001"}, errs.ErrConflict},
		{"deadlock", &pgconn.PgError{Code: "40P01"}, errs.ErrConflict},
		{"append-only guard", &pgconn.PgError{Code: "GR001"}, errs.ErrForbidden},
		{"bad encoding", &pgconn.PgError{Code: "22021"}, errs.ErrInvalid},
		{"any data exception", &pgconn.PgError{Code: "22003"}, errs.ErrInvalid},
		{"lock not available", &pgconn.PgError{Code: "55P03"}, errs.ErrConflict},
		{"wrapped", fmt.Errorf("insert: %w", &pgconn.PgError{Code: "23505"}), errs.ErrConflict},
		{"cancelled", context.Canceled, context.Canceled},
	}
	for _, tc := range tests {
		got := sqlx.Translate(tc.in)
		require.ErrorIs(t, got, tc.want, tc.name)
		require.ErrorIs(t, got, tc.in, "%s: the driver error stays reachable", tc.name)
	}
	require.NoError(t, sqlx.Translate(nil))
	other := errors.New("disk on fire")
	require.Equal(t, other, sqlx.Translate(other), "unknown errors pass through unchanged")
}

func TestArgsAndIn(t *testing.T) {
	t.Parallel()
	var a sqlx.Args
	require.Equal(t, "$1", a.Add("x"))
	type state string
	require.Equal(t, "$2, $3", sqlx.In(&a, []state{"filed", "solved"}))
	require.Equal(t, "NULL", sqlx.In(&a, []string{}), "an empty list matches nothing")
	require.Equal(t, 3, a.N())
	require.Contains(t, sqlx.Under("unit_id", "$4"), "substr(path, 1, length($4)) = $4")
}

func TestDialects(t *testing.T) {
	t.Parallel()
	lite, err := sqlx.Of(sqlx.SQLite)
	require.NoError(t, err)
	pg, err := sqlx.Of(sqlx.Postgres)
	require.NoError(t, err)
	_, err = sqlx.Of("oracle")
	require.Error(t, err)
	require.Equal(t, "x BLOB", lite.DDL("x BYTES"))
	require.Equal(t, "x BYTEA", pg.DDL("x BYTES"))
	require.Empty(t, lite.ForUpdate())
	require.Equal(t, " FOR UPDATE SKIP LOCKED", pg.SkipLocked())
	require.Len(t, lite.AppendOnly("t"), 2)
	require.Len(t, pg.AppendOnly("t"), 3)
}

func TestSQLiteDSNEscapesThePath(t *testing.T) {
	t.Parallel()
	dsn := sqlx.SQLiteDSN("/tmp/a?b#c%d.db")
	path, query, ok := strings.Cut(dsn, "?")
	require.True(t, ok)
	require.Equal(t, "file:/tmp/a%3fb%23c%25d.db", path)
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)", "_txlock=immediate"} {
		require.Contains(t, query, p)
	}
}

func TestNotFoundSeesAWrappedNoRows(t *testing.T) {
	t.Parallel()
	err := sqlx.NotFound(fmt.Errorf("load unit: %w", sql.ErrNoRows), "unit", "u1")
	require.ErrorIs(t, err, errs.ErrNotFound)
	require.Equal(t, errs.NotFound("unit", "u1").Error(), err.Error(), "names the record, not the driver's 'no rows'")
	other := errors.New("disk on fire")
	require.ErrorIs(t, sqlx.NotFound(other, "unit", "u1"), other)
	require.NotErrorIs(t, sqlx.NotFound(other, "unit", "u1"), errs.ErrNotFound)
}
