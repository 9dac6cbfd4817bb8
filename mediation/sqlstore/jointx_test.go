package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/mediation/sqlstore"
	"github.com/stretchr/testify/require"
)

// An embedding application records a call in its own table and reports the
// dispute it raised through mediation, in one transaction of its own
// (casesql.WithTx): rolled back, neither exists; committed, both do, and
// the audit chain verifies.
func TestJoinApplicationTransaction(t *testing.T) {
	t.Parallel()
	for name, engine := range map[string]casesql.Engine{"sqlite": casesql.SQLite, "postgres": casesql.Postgres} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var db *sql.DB
			if engine == casesql.SQLite {
				db = testdb.SQLite(t)
			} else {
				db = testdb.Postgres(t).DB
			}
			ctx := context.Background()
			ks, err := casesql.New(db, engine)
			require.NoError(t, err)
			ks.CheckRollups()
			ms := sqlstore.New(ks)
			require.NoError(t, ks.MigrateAll(ctx, ms))
			_, err = db.ExecContext(ctx, `CREATE TABLE app_calls (id TEXT PRIMARY KEY, dispute_id TEXT NOT NULL)`)
			require.NoError(t, err)

			k, err := casework.New(ks, &casework.Config{Clock: casework.NewFixedClock(time.Date(2020, 5, 6, 1, 0, 0, 0, time.UTC))})
			require.NoError(t, err)
			svc, err := mediation.New(k, ms, nil)
			require.NoError(t, err)
			root, admin, err := k.Bootstrap(ctx, casework.UnitInput{Code: "370300", Name: "淄博市公安局", Level: casework.LevelBureau},
				casework.StaffInput{Name: "admin", Roles: []casework.Role{casework.RoleAdmin}})
			require.NoError(t, err)
			adm := casework.Actor{StaffID: admin.ID, UnitID: root.ID, Roles: admin.Roles}
			st, err := k.CreateStaff(ctx, adm, casework.StaffInput{UnitID: root.ID, Name: "王民警", Roles: []casework.Role{casework.RoleOfficer}})
			require.NoError(t, err)
			officer := casework.Actor{StaffID: st.ID, UnitID: root.ID, Roles: st.Roles}
			auditorStaff, err := k.CreateStaff(ctx, adm, casework.StaffInput{UnitID: root.ID, Name: "审计", Roles: []casework.Role{casework.RoleAuditor}})
			require.NoError(t, err)
			auditor := casework.Actor{StaffID: auditorStaff.ID, UnitID: root.ID, Roles: auditorStaff.Roles}

			// callAndReport is the application's unit of work.
			callAndReport := func(callID string, commit bool) string {
				tx, err := db.BeginTx(ctx, nil)
				require.NoError(t, err)
				d, err := svc.Report(casesql.WithTx(ctx, tx), officer, mediation.ReportInput{UnitID: root.ID, Category: "neighbour/noise",
					Source: mediation.SourceCall110, Facts: "楼上楼下噪音纠纷"})
				require.NoError(t, err)
				_, err = tx.ExecContext(ctx, `INSERT INTO app_calls (id, dispute_id) VALUES ($1, $2)`, callID, d.ID)
				require.NoError(t, err)
				if commit {
					require.NoError(t, tx.Commit())
				} else {
					require.NoError(t, tx.Rollback())
				}
				return d.ID
			}
			count := func(q string, args ...any) int {
				var n int
				require.NoError(t, db.QueryRowContext(ctx, q, args...).Scan(&n))
				return n
			}
			audited := count(`SELECT COUNT(*) FROM audit_log`)

			gone := callAndReport("call-1", false)
			require.Zero(t, count(`SELECT COUNT(*) FROM app_calls`))
			_, err = svc.Get(ctx, officer, gone)
			require.ErrorIs(t, err, mediation.ErrNotFound, "rolled back: the dispute is gone too")
			require.Equal(t, audited, count(`SELECT COUNT(*) FROM audit_log`), "and so is its audit entry")

			kept := callAndReport("call-2", true)
			require.Equal(t, 1, count(`SELECT COUNT(*) FROM app_calls WHERE dispute_id = $1`, kept))
			d, err := svc.Get(ctx, officer, kept)
			require.NoError(t, err)
			require.Equal(t, mediation.StateReported, d.State)
			rep, err := k.VerifyAudit(ctx, auditor)
			require.NoError(t, err)
			require.True(t, rep.OK, "the chain verifies after the joined commit")

			// A refused write inside the application's transaction leaves
			// nothing of itself and the transaction usable.
			tx, err := db.BeginTx(ctx, nil)
			require.NoError(t, err)
			_, err = svc.Report(casesql.WithTx(ctx, tx), officer, mediation.ReportInput{UnitID: root.ID, Category: "no-such-category",
				Source: mediation.SourceCall110, Facts: "x"})
			require.ErrorIs(t, err, mediation.ErrInvalid)
			_, err = tx.ExecContext(ctx, `INSERT INTO app_calls (id, dispute_id) VALUES ($1, $2)`, "call-3", "none")
			require.NoError(t, err)
			require.NoError(t, tx.Commit())
			require.Equal(t, 2, count(`SELECT COUNT(*) FROM app_calls`))
		})
	}
}
