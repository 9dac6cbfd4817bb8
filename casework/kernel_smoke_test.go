package casework_test

import (
	"context"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/stretchr/testify/require"
)

func TestSmoke(t *testing.T) {
	ctx := context.Background()
	for name, store := range map[string]func() casework.KernelStore{
		"memory": func() casework.KernelStore { return memstore.New() },
		"sqlite": func() casework.KernelStore {
			s, err := sqlstore.New(testdb.SQLite(t), sqlstore.SQLite)
			require.NoError(t, err)
			require.NoError(t, s.Migrate(ctx))
			return s
		},
		"postgres": func() casework.KernelStore {
			s, err := sqlstore.New(testdb.Postgres(t).DB, sqlstore.Postgres)
			require.NoError(t, err)
			require.NoError(t, s.Migrate(ctx))
			return s
		},
	} {
		t.Run(name, func(t *testing.T) {
			k, err := casework.New(store(), &casework.Config{Clock: casework.NewFixedClock(time.Date(2020, 5, 12, 2, 0, 0, 0, time.UTC))})
			require.NoError(t, err)
			root, admin, err := k.Bootstrap(ctx, casework.UnitInput{Code: "370300", Name: "淄博市公安局", Level: casework.LevelBureau}, casework.StaffInput{Name: "管理员", Roles: []casework.Role{casework.RoleAdmin}})
			require.NoError(t, err)
			adm := casework.Actor{StaffID: admin.ID, UnitID: root.ID, Roles: admin.Roles}
			br, err := k.CreateUnit(ctx, adm, casework.UnitInput{Code: "370302", Name: "张店公安分局", Level: casework.LevelBranch, ParentID: root.ID})
			require.NoError(t, err)
			off, err := k.CreateStaff(ctx, adm, casework.StaffInput{UnitID: br.ID, Name: "民警甲", Roles: []casework.Role{casework.RoleOfficer}})
			require.NoError(t, err)
			oa := casework.Actor{StaffID: off.ID, UnitID: br.ID, Roles: off.Roles}
			p, err := k.CreatePerson(ctx, oa, casework.PersonInput{UnitID: br.ID, Name: "陈某某", DocType: casework.DocResidentID, DocNumber: "11010519491231002X", Phone: "13812345678", Tags: []casework.Tag{casework.TagKeyPerson}})
			require.NoError(t, err)
			require.Equal(t, "110105********002X", p.DocNumber)
			r, err := k.RevealPerson(ctx, oa, p.ID, "case work")
			require.NoError(t, err)
			require.Equal(t, "11010519491231002X", r.DocNumber)
			_, err = k.RevealPerson(ctx, adm, p.ID, "curious")
			require.ErrorIs(t, err, casework.ErrForbidden)
			found, _, err := k.FindPersons(ctx, oa, casework.PersonQuery{DocNumber: "11010519491231002x"})
			require.NoError(t, err)
			require.Len(t, found, 1)
			_, err = k.CreatePerson(ctx, oa, casework.PersonInput{UnitID: br.ID, Name: "dup", DocType: casework.DocResidentID, DocNumber: "11010519491231002X"})
			require.ErrorIs(t, err, casework.ErrConflict)
			_, err = k.Checkpoint(ctx, true)
			require.NoError(t, err)
			aud, err := k.CreateStaff(ctx, adm, casework.StaffInput{UnitID: root.ID, Name: "审计", Roles: []casework.Role{casework.RoleAuditor}})
			require.NoError(t, err)
			rep, err := k.VerifyAudit(ctx, casework.Actor{StaffID: aud.ID, UnitID: root.ID, Roles: aud.Roles})
			require.NoError(t, err)
			require.True(t, rep.OK, "%+v", rep)
			t.Logf("%+v", rep)
		})
	}
}
