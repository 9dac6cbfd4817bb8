package sqlx

import (
	"context"
	"database/sql"
	"errors"

	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Translate maps a driver error to the error kinds of package errs by the
// driver's own code (PostgreSQL SQLSTATE, SQLite extended result code), never
// by its text. The result wraps both the sentinel and the driver error
// (go-cloud style): errors.Is finds errs.ErrConflict and errors.As still finds
// *pgconn.PgError or *sqlite.Error for a log. An error it does not know is
// returned unchanged. It is the only place that knows driver error codes.
func Translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return errs.Wrap(errs.ErrNotFound, err, "no such record")
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return translatePG(err, pg)
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		return translateSQLite(err, lite.Code())
	}
	return err
}

// translatePG maps a PostgreSQL SQLSTATE (Appendix A of the PostgreSQL
// manual); GR001 is the code our append-only trigger raises.
func translatePG(err error, pg *pgconn.PgError) error {
	switch pg.Code {
	case "23505": // unique_violation
		return errs.Wrap(errs.ErrConflict, err, "duplicate key (%s)", pg.ConstraintName)
	case "23P01": // exclusion_violation
		return errs.Wrap(errs.ErrConflict, err, "overlaps an existing record (%s)", pg.ConstraintName)
	case "23502", "23514": // not_null_violation, check_violation
		return errs.Wrap(errs.ErrInvalid, err, "a required value is missing or out of range (%s%s)", pg.ColumnName, pg.ConstraintName)
	case "23503": // foreign_key_violation
		return errs.Wrap(errs.ErrInvalid, err, "refers to a record that does not exist (%s)", pg.ConstraintName)
	case "40001", "40P01": // serialization_failure, deadlock_detected
		return errs.Wrap(errs.ErrConflict, err, "concurrent update, retry")
	case "55P03": // lock_not_available (NOWAIT, lock_timeout)
		return errs.Wrap(errs.ErrConflict, err, "record locked by another transaction, retry")
	case "GR001":
		return errs.Wrap(errs.ErrForbidden, err, "append-only table")
	case "57014": // query_canceled
		return errs.Wrap(context.Canceled, err, "query cancelled")
	}
	if len(pg.Code) == 5 && pg.Code[:2] == "22" { // class 22: data exception
		return errs.Wrap(errs.ErrInvalid, err, "a value the database cannot store (%s)", pg.Code)
	}
	return err
}

// translateSQLite maps a SQLite result code; the driver turns extended result
// codes on, so constraint kinds are told apart by code. SQLITE_CONSTRAINT_TRIGGER
// is RAISE(ABORT, …), which only the append-only guard uses.
func translateSQLite(err error, code int) error {
	switch code {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_ROWID:
		return errs.Wrap(errs.ErrConflict, err, "duplicate key")
	case sqlite3.SQLITE_CONSTRAINT_NOTNULL, sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_DATATYPE:
		return errs.Wrap(errs.ErrInvalid, err, "a required value is missing or out of range")
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return errs.Wrap(errs.ErrInvalid, err, "refers to a record that does not exist")
	case sqlite3.SQLITE_CONSTRAINT_TRIGGER:
		return errs.Wrap(errs.ErrForbidden, err, "append-only table")
	}
	switch code & 0xff { // the primary code, for the families matched as a whole
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return errs.Wrap(errs.ErrConflict, err, "database busy, retry")
	case sqlite3.SQLITE_INTERRUPT:
		return errs.Wrap(context.Canceled, err, "query interrupted")
	case sqlite3.SQLITE_TOOBIG, sqlite3.SQLITE_MISMATCH:
		return errs.Wrap(errs.ErrInvalid, err, "a value the database cannot store")
	}
	return err
}
