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

// kernelWorld is a kernel over a three-level tree (bureau → branch →
// station, plus a second branch) with staff in every role.
type kernelWorld struct {
	k                          *casework.Kernel
	store                      casework.KernelStore
	clock                      *casework.FixedClock
	bureau, branch, station    casework.Unit
	otherBranch                casework.Unit
	admin, officer, supervisor casework.Actor
	branchSupervisor, auditor  casework.Actor
	mediator, otherOfficer     casework.Actor
}

var kernelBackends = map[string]func(t testing.TB) casework.KernelStore{
	"memory": func(testing.TB) casework.KernelStore { return memstore.New() },
	"sqlite": func(t testing.TB) casework.KernelStore {
		s, err := sqlstore.New(testdb.SQLite(t), sqlstore.SQLite)
		require.NoError(t, err)
		require.NoError(t, s.Migrate(context.Background()))
		return s
	},
	"postgres": func(t testing.TB) casework.KernelStore {
		s, err := sqlstore.New(testdb.Postgres(t).DB, sqlstore.Postgres)
		require.NoError(t, err)
		require.NoError(t, s.Migrate(context.Background()))
		return s
	},
}

func newKernelWorld(t testing.TB, store casework.KernelStore, cfg *casework.Config) *kernelWorld {
	t.Helper()
	ctx := context.Background()
	if cfg == nil {
		cfg = &casework.Config{}
	}
	clock := casework.NewFixedClock(time.Date(2020, 5, 12, 1, 0, 0, 0, time.UTC))
	cfg.Clock, cfg.IDs = clock, &casework.SequentialIDs{Prefix: "k-"}
	k, err := casework.New(store, cfg)
	require.NoError(t, err)
	w := &kernelWorld{k: k, store: store, clock: clock}
	bureau, admin, err := k.Bootstrap(ctx, casework.UnitInput{Code: "370300000000", Name: "淄博市公安局", Level: casework.LevelBureau},
		casework.StaffInput{Name: "系统管理员", Roles: []casework.Role{casework.RoleAdmin}})
	require.NoError(t, err)
	w.bureau = bureau
	w.admin = casework.Actor{StaffID: admin.ID, UnitID: bureau.ID, Roles: admin.Roles}
	unit := func(code, name string, level casework.Level, parent string) casework.Unit {
		u, err := k.CreateUnit(ctx, w.admin, casework.UnitInput{Code: code, Name: name, Level: level, ParentID: parent})
		require.NoError(t, err)
		return u
	}
	w.branch = unit("370303000000", "张店公安分局", casework.LevelBranch, bureau.ID)
	w.station = unit("370303510000", "潘庄派出所", casework.LevelStation, w.branch.ID)
	w.otherBranch = unit("370305000000", "临淄公安分局", casework.LevelBranch, bureau.ID)
	staff := func(unit casework.Unit, name string, roles ...casework.Role) casework.Actor {
		s, err := k.CreateStaff(ctx, w.admin, casework.StaffInput{UnitID: unit.ID, Name: name, Roles: roles, Areas: []string{"潘庄社区"}})
		require.NoError(t, err)
		return casework.Actor{StaffID: s.ID, UnitID: unit.ID, Roles: roles}
	}
	w.officer = staff(w.station, "社区民警", casework.RoleOfficer, casework.RoleCommunityOfficer)
	w.supervisor = staff(w.station, "所长", casework.RoleSupervisor)
	w.branchSupervisor = staff(w.branch, "分局领导", casework.RoleSupervisor)
	w.auditor = staff(w.bureau, "审计员", casework.RoleAuditor)
	w.mediator = staff(w.station, "人民调解员", casework.RoleMediator)
	w.otherOfficer = staff(w.otherBranch, "临淄民警", casework.RoleOfficer)
	return w
}

// eachKernelBackend runs fn against a fresh world on every backend.
func eachKernelBackend(t *testing.T, fn func(t *testing.T, w *kernelWorld)) {
	for name, open := range kernelBackends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, newKernelWorld(t, open(t), nil))
		})
	}
}
