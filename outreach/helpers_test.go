package outreach_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	cmem "github.com/grassroots-policing/grassroots/casework/memstore"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/noticetest"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/grassroots-policing/grassroots/outreach/memstore"
	"github.com/grassroots-policing/grassroots/outreach/sqlstore"
	"github.com/stretchr/testify/require"
)

// start is 2020-05-12 10:00 in Zibo.
var start = time.Date(2020, 5, 12, 2, 0, 0, 0, time.UTC)

// bundle is one test's world: a kernel over a fresh store, the outreach
// service, a three-level unit tree (bureau → branch → station, and a
// second branch) and staff acting in it.
type bundle struct {
	ctx   context.Context
	clock *casework.FixedClock
	k     *casework.Kernel
	svc   *outreach.Service
	kdb   *cmem.DB // memory backend only
	ks    casework.KernelStore
	os    outreach.Store
	// notices keeps what the kernel's notifier was told.
	notices *noticetest.Recorder

	root, branch, station, other casework.Unit
	admin, auditor               casework.Actor
	officer, community, chief    casework.Actor // station: officer, community officer (area 潘庄社区), supervisor
	otherOfficer                 casework.Actor // second branch
	address                      casework.Address
}

func setup(t *testing.T) *bundle { return setupOn(t, "memory", nil) }

func setupOn(t testing.TB, backend string, cfg *outreach.Config) *bundle {
	t.Helper()
	return setupOnKernel(t, backend, casework.Config{}, cfg)
}

// setupOnKernel is setupOn with the kernel tuned as kcfg says.
func setupOnKernel(t testing.TB, backend string, kcfg casework.Config, cfg *outreach.Config) *bundle {
	t.Helper()
	var kdb *cmem.DB
	var ks casework.KernelStore
	var os outreach.Store
	switch backend {
	case "memory":
		kdb = cmem.New()
		ks, os = kdb, memstore.New(kdb)
	case "sqlite":
		ks, os = sqlStores(t, testdb.SQLite(t), casesql.SQLite)
	case "postgres":
		ks, os = sqlStores(t, testdb.Postgres(t).DB, casesql.Postgres)
	default:
		t.Fatalf("unknown backend %q", backend)
	}
	b := setupWithKernel(t, ks, os, kcfg, cfg)
	b.kdb = kdb
	return b
}

// sqlStores are the kernel's and outreach's SQL stores on db, migrated.
func sqlStores(t testing.TB, db *sql.DB, e casesql.Engine) (casework.KernelStore, outreach.Store) {
	t.Helper()
	ctx := context.Background()
	k, err := casesql.New(db, e)
	require.NoError(t, err)
	require.NoError(t, k.Migrate(ctx))
	s := sqlstore.New(k)
	require.NoError(t, s.Migrate(ctx))
	return k, s
}

// setupWith builds the test world on the given stores.
func setupWith(t testing.TB, ks casework.KernelStore, os outreach.Store, cfg *outreach.Config) *bundle {
	t.Helper()
	return setupWithKernel(t, ks, os, casework.Config{}, cfg)
}

// setupWithKernel is setupWith with the kernel tuned as kcfg says (its
// clock, ids and notifier are the bundle's).
func setupWithKernel(t testing.TB, ks casework.KernelStore, os outreach.Store, kcfg casework.Config, cfg *outreach.Config) *bundle {
	t.Helper()
	ctx := context.Background()
	b := &bundle{ctx: ctx, clock: casework.NewFixedClock(start), notices: &noticetest.Recorder{}}
	b.ks, b.os = ks, os
	kcfg.Clock, kcfg.IDs, kcfg.Notifier = b.clock, &casework.SequentialIDs{Prefix: "id-"}, b.notices
	k, err := casework.New(ks, &kcfg)
	require.NoError(t, err)
	b.k = k
	b.svc, err = outreach.New(k, os, cfg)
	require.NoError(t, err)
	root, admin, err := k.Bootstrap(ctx, casework.UnitInput{Code: "370300", Name: "淄博市公安局", Level: casework.LevelBureau},
		casework.StaffInput{Name: "admin", Roles: []casework.Role{casework.RoleAdmin}})
	require.NoError(t, err)
	b.root, b.admin = root, actor(admin)
	b.branch = b.unit(t, "370302", "张店公安分局", casework.LevelBranch, root.ID)
	b.station = b.unit(t, "370302001", "潘庄派出所", casework.LevelStation, b.branch.ID)
	b.other = b.unit(t, "370305", "临淄公安分局", casework.LevelBranch, root.ID)
	b.officer = b.staff(t, b.station.ID, "民警甲", nil, casework.RoleOfficer)
	b.community = b.staff(t, b.station.ID, "社区民警乙", []string{"潘庄社区"}, casework.RoleCommunityOfficer)
	b.chief = b.staff(t, b.station.ID, "所长丙", nil, casework.RoleSupervisor)
	b.otherOfficer = b.staff(t, b.other.ID, "民警丁", nil, casework.RoleOfficer)
	b.auditor = b.staff(t, root.ID, "审计", nil, casework.RoleAuditor)
	b.address, err = k.CreateAddress(ctx, b.officer, casework.AddressInput{UnitID: b.station.ID, Text: "张店区潘庄社区3号楼2单元101", Community: "潘庄社区"})
	require.NoError(t, err)
	return b
}

func actor(s casework.Staff) casework.Actor {
	return casework.Actor{StaffID: s.ID, UnitID: s.UnitID, Roles: s.Roles}
}

func (b *bundle) unit(t testing.TB, code, name string, level casework.Level, parent string) casework.Unit {
	t.Helper()
	u, err := b.k.CreateUnit(b.ctx, b.admin, casework.UnitInput{Code: code, Name: name, Level: level, ParentID: parent})
	require.NoError(t, err)
	return u
}

func (b *bundle) staff(t testing.TB, unit, name string, areas []string, roles ...casework.Role) casework.Actor {
	t.Helper()
	s, err := b.k.CreateStaff(b.ctx, b.admin, casework.StaffInput{UnitID: unit, Name: name, Roles: roles, Areas: areas})
	require.NoError(t, err)
	return actor(s)
}

func (b *bundle) person(t testing.TB, name string, tags ...casework.Tag) casework.Person {
	t.Helper()
	p, err := b.k.CreatePerson(b.ctx, b.officer, casework.PersonInput{UnitID: b.station.ID, Name: name, AddressID: b.address.ID, Tags: tags})
	require.NoError(t, err)
	return p
}

// verify checks the whole audit chain as an auditor.
func (b *bundle) verify(t *testing.T) {
	t.Helper()
	rep, err := b.k.VerifyAudit(b.ctx, b.auditor)
	require.NoError(t, err)
	require.True(t, rep.OK, "%+v", rep)
}
