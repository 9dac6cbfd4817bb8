package sqlstore_test

// The audit chain and its checkpoints are append-only in the database
// itself: raw UPDATE and DELETE fail whoever sends them, and the failure
// translates to ErrForbidden. Payloads live apart and may be erased.

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
)

type appendOnlyEngine struct {
	name   string
	engine sqlstore.Engine
	open   func(t *testing.T) *sql.DB
}

var appendOnlyEngines = []appendOnlyEngine{
	{"sqlite", sqlstore.SQLite, func(t *testing.T) *sql.DB { return testdb.SQLite(t) }},
	{"postgres", sqlstore.Postgres, func(t *testing.T) *sql.DB { return testdb.Postgres(t).DB }},
}

// appendOnlyFixture is a migrated store holding a few audit entries with
// payloads and two checkpoints.
func appendOnlyFixture(t *testing.T, e appendOnlyEngine) (*sql.DB, *sqlstore.Store) {
	t.Helper()
	ctx := context.Background()
	db := e.open(t)
	s, err := sqlstore.New(db, e.engine)
	require.NoError(t, err)
	require.NoError(t, s.Migrate(ctx))
	k, err := casework.New(s, &casework.Config{Clock: casework.NewFixedClock(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)),
		IDs: &casework.SequentialIDs{}})
	require.NoError(t, err)
	for i := range 3 {
		rec, err := k.AuditRecord(ctx, casework.Actor{StaffID: "s1", UnitID: "u1"}, "note.create", "note", "n"+string(rune('1'+i)),
			nil, map[string]any{"n": i})
		require.NoError(t, err)
		require.NoError(t, s.CommitChange(ctx, casework.Change{Audit: []casework.AuditRecord{rec}}))
		if i != 1 {
			cp, err := k.Checkpoint(ctx, true)
			require.NoError(t, err)
			require.NotNil(t, cp)
		}
	}
	return db, s
}

type auditSnapshot struct {
	entries []casework.AuditEntry
	cps     []casework.Checkpoint
}

func snapshotAudit(t *testing.T, s *sqlstore.Store) auditSnapshot {
	t.Helper()
	ctx := context.Background()
	var snap auditSnapshot
	require.NoError(t, s.ScanAudit(ctx, 1, func(e casework.AuditEntry, _ []byte) error {
		snap.entries = append(snap.entries, e)
		return nil
	}))
	cps, err := s.Checkpoints(ctx)
	require.NoError(t, err)
	snap.cps = cps
	return snap
}

// requireRefused checks that err is the database refusing a change to an
// append-only table, and that it translates to ErrForbidden with the
// driver's error still reachable.
func requireRefused(t *testing.T, engine sqlstore.Engine, stmt string, err error) {
	t.Helper()
	require.Error(t, err, "%s must be refused", stmt)
	require.Contains(t, err.Error(), "append-only", stmt)
	tr := sqlx.Translate(err)
	require.ErrorIs(t, tr, casework.ErrForbidden, "%s: %v", stmt, err)
	if engine == sqlstore.Postgres {
		var pg *pgconn.PgError
		require.True(t, errors.As(tr, &pg), "the driver error stays reachable: %v", tr)
		require.Equal(t, "GR001", pg.Code)
	} else {
		var lite interface{ Code() int }
		require.True(t, errors.As(tr, &lite), "the driver error stays reachable: %v", tr)
	}
}

func TestAppendOnlyAuditTablesRefuseUpdateAndDelete(t *testing.T) {
	t.Parallel()
	for _, e := range appendOnlyEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, s := appendOnlyFixture(t, e)
			before := snapshotAudit(t, s)
			require.Len(t, before.entries, 3)
			require.Len(t, before.cps, 2)

			refused := []string{
				`UPDATE audit_log SET actor_id = 'attacker' WHERE seq = 2`,
				`UPDATE audit_log SET hash = prev_hash`,
				`UPDATE audit_log SET seq = seq + 100 WHERE seq = 3`,
				`DELETE FROM audit_log WHERE seq = 3`,
				`DELETE FROM audit_log`,
				`UPDATE audit_checkpoints SET key_id = 'attacker'`,
				`UPDATE audit_checkpoints SET hash = (SELECT hash FROM audit_log WHERE seq = 1) WHERE seq = 3`,
				`DELETE FROM audit_checkpoints WHERE seq = 3`,
				`DELETE FROM audit_checkpoints`,
			}
			if e.engine == sqlstore.Postgres {
				refused = append(refused, `TRUNCATE audit_log`, `TRUNCATE audit_checkpoints`)
			}
			for _, stmt := range refused {
				_, err := db.ExecContext(ctx, stmt)
				requireRefused(t, e.engine, stmt, err)

				// Inside a transaction too: the refusal is the
				// database's, not a property of autocommit.
				tx, err := db.BeginTx(ctx, nil)
				require.NoError(t, err)
				_, err = tx.ExecContext(ctx, stmt)
				requireRefused(t, e.engine, stmt, err)
				require.NoError(t, tx.Rollback())
			}
			require.Equal(t, before, snapshotAudit(t, s), "nothing changed")

			// Append-only, not read-only: the chain still grows.
			rec := casework.AuditRecord{Time: time.Date(2024, 1, 2, 3, 5, 0, 0, time.UTC), ActorID: "s1", UnitID: "u1",
				Action: "note.create", RecordType: "note", RecordID: "n4", Payload: []byte(`{"after":"","before":"","diff":[]}`)}
			require.NoError(t, s.CommitChange(ctx, casework.Change{Audit: []casework.AuditRecord{rec}}))
			head, err := s.AuditHead(ctx)
			require.NoError(t, err)
			require.Equal(t, int64(4), head.Seq)
		})
	}
}

// TestAppendOnlyAuditTablesRefuseReplace plays an attacker who rewrites
// history with an INSERT that replaces a row: SQLite's REPLACE deletes the
// old row without firing the DELETE trigger, and an upsert turns into an
// UPDATE. Every form is refused and nothing changes.
func TestAppendOnlyAuditTablesRefuseReplace(t *testing.T) {
	t.Parallel()
	const forged = `seq, at, 'attacker', unit_id, action, record_type, record_id, request_id, payload_digest, prev_hash, hash`
	const cpForged = `seq, hash, at, 'attacker', signature`
	for _, e := range appendOnlyEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, s := appendOnlyFixture(t, e)
			before := snapshotAudit(t, s)
			refused := []string{
				`INSERT INTO audit_log SELECT ` + forged + ` FROM audit_log WHERE seq = 2 ON CONFLICT (seq) DO UPDATE SET actor_id = 'attacker'`,
				`INSERT INTO audit_log SELECT ` + forged + ` FROM audit_log WHERE seq = 2 ON CONFLICT (seq) DO NOTHING`,
				`INSERT INTO audit_checkpoints SELECT ` + cpForged + ` FROM audit_checkpoints WHERE seq = 3 ON CONFLICT (seq) DO UPDATE SET key_id = 'attacker'`,
			}
			if e.engine == sqlstore.SQLite {
				refused = append(refused,
					`INSERT OR REPLACE INTO audit_log SELECT `+forged+` FROM audit_log WHERE seq = 2`,
					`REPLACE INTO audit_log SELECT `+forged+` FROM audit_log WHERE seq = 2`,
					`INSERT OR REPLACE INTO audit_log (rowid, seq, at, actor_id, unit_id, action, record_type, record_id, request_id, payload_digest, prev_hash, hash)
						SELECT rowid, 99, at, 'attacker', unit_id, action, record_type, record_id, request_id, payload_digest, prev_hash, hash FROM audit_log WHERE seq = 2`,
					`INSERT OR REPLACE INTO audit_checkpoints SELECT `+cpForged+` FROM audit_checkpoints WHERE seq = 3`,
					`REPLACE INTO audit_checkpoints SELECT `+cpForged+` FROM audit_checkpoints WHERE seq = 3`,
					`INSERT OR REPLACE INTO audit_checkpoints (rowid, seq, hash, at, key_id, signature)
						SELECT rowid, 99, hash, at, 'attacker', signature FROM audit_checkpoints WHERE seq = 3`,
				)
			}
			for _, stmt := range refused {
				_, err := db.ExecContext(ctx, stmt)
				if e.engine == sqlstore.Postgres && strings.Contains(stmt, "DO NOTHING") {
					require.NoError(t, err, "DO NOTHING changes nothing")
					continue
				}
				requireRefused(t, e.engine, stmt, err)
			}
			require.Equal(t, before, snapshotAudit(t, s), "nothing changed")
			var n int
			require.NoError(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE actor_id = 'attacker'`).Scan(&n))
			require.Zero(t, n)
		})
	}
}

func TestAppendOnlyPayloadsAreErasable(t *testing.T) {
	t.Parallel()
	for _, e := range appendOnlyEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, s := appendOnlyFixture(t, e)
			before := snapshotAudit(t, s)

			res, err := db.ExecContext(ctx, `DELETE FROM audit_payloads WHERE seq = 2`)
			require.NoError(t, err, "payloads are erasable by design")
			n, err := res.RowsAffected()
			require.NoError(t, err)
			require.Equal(t, int64(1), n)
			require.NoError(t, s.ErasePayload(ctx, 1, casework.Change{}), "and through the store")

			payloads := map[int64][]byte{}
			require.NoError(t, s.ScanAudit(ctx, 1, func(e casework.AuditEntry, p []byte) error {
				payloads[e.Seq] = p
				return nil
			}))
			require.Nil(t, payloads[1])
			require.Nil(t, payloads[2])
			require.NotNil(t, payloads[3])
			require.Equal(t, before, snapshotAudit(t, s), "the chain and checkpoints are untouched")
		})
	}
}
