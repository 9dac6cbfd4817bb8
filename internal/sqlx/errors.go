package sqlx

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/jackc/pgx/v5/pgconn"
)

// Translate maps a driver error to the error kinds of package errs, keeping
// the driver error reachable (errors.As still finds *pgconn.PgError). It is
// the only place that knows driver error codes.
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
		switch pg.Code {
		case "23505": // unique_violation
			return errs.Wrap(errs.ErrConflict, err, "duplicate key (%s)", pg.ConstraintName)
		case "23502", "23514": // not_null_violation, check_violation
			return errs.Wrap(errs.ErrInvalid, err, "a required value is missing or out of range (%s)", pg.ColumnName)
		case "23503": // foreign_key_violation
			return errs.Wrap(errs.ErrInvalid, err, "refers to a record that does not exist (%s)", pg.ConstraintName)
		case "40001", "40P01": // serialization_failure, deadlock_detected
			return errs.Wrap(errs.ErrConflict, err, "concurrent update, retry")
		case "22021", "22P05": // character_not_in_repertoire, untranslatable_character
			return errs.Wrap(errs.ErrInvalid, err, "text is not valid UTF-8")
		case "GR001":
			return errs.Wrap(errs.ErrForbidden, err, "append-only table")
		case "57014": // query_canceled
			return errs.Wrap(context.Canceled, err, "query cancelled")
		}
		return err
	}
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		switch lite.Code() {
		case 2067, 1555: // SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
			return errs.Wrap(errs.ErrConflict, err, "duplicate key")
		case 1299, 275: // SQLITE_CONSTRAINT_NOTNULL, SQLITE_CONSTRAINT_CHECK
			return errs.Wrap(errs.ErrInvalid, err, "a required value is missing or out of range")
		case 787: // SQLITE_CONSTRAINT_FOREIGNKEY
			return errs.Wrap(errs.ErrInvalid, err, "refers to a record that does not exist")
		case 1811: // SQLITE_CONSTRAINT_TRIGGER
			return errs.Wrap(errs.ErrForbidden, err, "append-only table")
		case 5, 517, 6: // SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED
			return errs.Wrap(errs.ErrConflict, err, "database busy, retry")
		}
		if strings.Contains(err.Error(), "append-only") {
			return errs.Wrap(errs.ErrForbidden, err, "append-only table")
		}
		if strings.Contains(err.Error(), "interrupted") {
			return errs.Wrap(context.Canceled, err, "query interrupted")
		}
	}
	return err
}
