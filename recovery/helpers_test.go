package recovery_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	kmem "github.com/grassroots-policing/grassroots/casework/memstore"
	ksql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/grassroots-policing/grassroots/recovery"
	recmem "github.com/grassroots-policing/grassroots/recovery/memstore"
	recsql "github.com/grassroots-policing/grassroots/recovery/sqlstore"
	"github.com/stretchr/testify/require"
)

// backends names the stores service tests run on.
var backends = []string{"memory", "sqlite", "postgres"}

// stores builds a kernel store and a recovery store on one backend.
func stores(t testing.TB, backend string) (casework.KernelStore, recovery.Store) {
	t.Helper()
	ctx := context.Background()
	switch backend {
	case "memory":
		db := kmem.New()
		return db, recmem.New(db)
	case "sqlite", "postgres":
		var k *ksql.Store
		var err error
		if backend == "sqlite" {
			k, err = ksql.New(testdb.SQLite(t), ksql.SQLite)
		} else {
			k, err = ksql.New(testdb.Postgres(t).DB, ksql.Postgres)
		}
		require.NoError(t, err)
		require.NoError(t, k.Migrate(ctx))
		s := recsql.New(k)
		require.NoError(t, s.Migrate(ctx))
		return k, s
	}
	t.Fatalf("unknown backend %q", backend)
	return nil, nil
}

// env is a setup bundle: a kernel on a fixed clock, the service, a unit
// tree (bureau → 张店分局 → 车站派出所, and 淄川分局 beside it) and its staff,
// and three residents with documents.
type env struct {
	ctx   context.Context
	k     *casework.Kernel
	svc   *recovery.Service
	clock *casework.FixedClock

	bureau, branch, station, branch2 casework.Unit

	admin, officer, officer2, custodian, custodian2    casework.Actor
	supervisor, supervisor2, stationSup, auditor, away casework.Actor

	owner, owner2, delegate, noDoc casework.Person
	docs                           map[string]string // person id → document number
}

var start = time.Date(2020, 5, 12, 2, 0, 0, 0, time.UTC) // 10:00 in Zibo

func newEnv(t testing.TB, backend string, cfg *recovery.Config) *env {
	t.Helper()
	ks, rs := stores(t, backend)
	return newEnvOn(t, ks, rs, cfg)
}

// newEnvOn builds the env on given stores: a test wraps the kernel store to
// break it.
func newEnvOn(t testing.TB, ks casework.KernelStore, rs recovery.Store, cfg *recovery.Config) *env {
	t.Helper()
	ctx := context.Background()
	clock := casework.NewFixedClock(start)
	k, err := casework.New(ks, &casework.Config{Clock: clock, IDs: &casework.SequentialIDs{Prefix: "id-"}})
	require.NoError(t, err)
	svc, err := recovery.New(k, rs, cfg)
	require.NoError(t, err)
	e := &env{ctx: ctx, k: k, svc: svc, clock: clock, docs: map[string]string{}}
	root, adm, err := k.Bootstrap(ctx, casework.UnitInput{Code: "370300", Name: "淄博市公安局", Level: casework.LevelBureau},
		casework.StaffInput{Name: "管理员", Roles: []casework.Role{casework.RoleAdmin}})
	require.NoError(t, err)
	e.bureau, e.admin = root, actor(adm)
	unit := func(code, name string, level casework.Level, parent casework.Unit) casework.Unit {
		u, err := k.CreateUnit(ctx, e.admin, casework.UnitInput{Code: code, Name: name, Level: level, ParentID: parent.ID})
		require.NoError(t, err)
		return u
	}
	e.branch = unit("370302", "张店公安分局", casework.LevelBranch, root)
	e.station = unit("370302010", "车站派出所", casework.LevelStation, e.branch)
	e.branch2 = unit("370303", "淄川公安分局", casework.LevelBranch, root)
	staff := func(u casework.Unit, name string, roles ...casework.Role) casework.Actor {
		s, err := k.CreateStaff(ctx, e.admin, casework.StaffInput{UnitID: u.ID, Name: name, Roles: roles})
		require.NoError(t, err)
		return actor(s)
	}
	e.officer = staff(e.station, "民警张某", casework.RoleOfficer)
	e.officer2 = staff(e.station, "民警李某", casework.RoleOfficer)
	e.custodian = staff(e.branch, "保管员王某", casework.RoleCustodian)
	e.custodian2 = staff(e.branch, "保管员赵某", casework.RoleCustodian)
	e.supervisor = staff(e.branch, "副局长孙某", casework.RoleSupervisor)
	e.supervisor2 = staff(e.branch, "所长周某", casework.RoleSupervisor, casework.RoleOfficer)
	e.stationSup = staff(e.station, "所长吴某", casework.RoleSupervisor)
	e.auditor = staff(root, "审计员", casework.RoleAuditor)
	e.away = staff(e.branch2, "淄川民警", casework.RoleOfficer, casework.RoleCustodian)
	e.owner = e.person(t, "陈某某", residentID("11010519491231002"))
	e.owner2 = e.person(t, "王某", residentID("37030319800512123"))
	e.delegate = e.person(t, "刘某", residentID("37030219900101456"))
	p, err := k.CreatePerson(ctx, e.officer, casework.PersonInput{UnitID: e.station.ID, Name: "无证人", DocType: casework.DocNone})
	require.NoError(t, err)
	e.noDoc = p
	return e
}

func actor(s casework.Staff) casework.Actor {
	return casework.Actor{StaffID: s.ID, UnitID: s.UnitID, Roles: s.Roles}
}

func (e *env) person(t testing.TB, name, doc string) casework.Person {
	t.Helper()
	p, err := e.k.CreatePerson(e.ctx, e.officer, casework.PersonInput{UnitID: e.station.ID, Name: name, DocType: casework.DocResidentID, DocNumber: doc})
	require.NoError(t, err)
	e.docs[p.ID] = doc
	return p
}

// residentID completes 17 digits with the GB 11643 (ISO 7064 MOD 11-2)
// check character.
func residentID(first17 string) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(first17[i]-'0') * w
	}
	return first17 + string("10X98765432"[sum%11])
}

// imei completes 14 digits with the Luhn check digit.
func imei(first14 string) string { return first14 + string(recovery.LuhnDigit(first14)) }

// attach stores bytes as an attachment, as a desk would scan a receipt.
func (e *env) attach(t testing.TB, a casework.Actor, name, content string) *casework.Attachment {
	t.Helper()
	at, err := e.k.PutAttachment(e.ctx, a, name, "image/jpeg", bytes.NewReader([]byte(content)))
	require.NoError(t, err)
	return &at
}

func (e *env) advance(d time.Duration) { e.clock.Advance(d) }

// stolen reports an item stolen by the station officer.
func (e *env) stolen(t testing.TB, cat, desc string, value int64, owner casework.Person, ids ...casework.Identifier) recovery.Item {
	t.Helper()
	it, err := e.svc.ReportStolen(e.ctx, e.officer, recovery.StolenInput{ItemInput: recovery.ItemInput{UnitID: e.station.ID, CaseID: "case-1",
		Category: cat, Description: desc, Identifiers: ids, Quantity: 1, ValueFen: value, OwnerPersonID: owner.ID},
		StolenAt: e.k.Now().Add(-2 * time.Hour), StolenPlace: "张店区华光路"})
	require.NoError(t, err)
	return it
}

// recovery is a recovery into the officer's own hands, witnessed.
func (e *env) recoveryInput() recovery.RecoveryInput {
	return recovery.RecoveryInput{Place: "张店区共青团路废品站", From: "嫌疑人处扣押",
		To:             recovery.Holder{Kind: recovery.HolderStaff, ID: e.officer.StaffID},
		CustodyDetails: recovery.CustodyDetails{WitnessID: e.officer2.StaffID, Condition: "完好", Seal: recovery.SealIntact}}
}

// found records a found item.
func (e *env) found(t testing.TB, cat, desc string, value int64, ids ...casework.Identifier) recovery.Item {
	t.Helper()
	it, err := e.svc.RecordFound(e.ctx, e.officer, recovery.FoundInput{ItemInput: recovery.ItemInput{UnitID: e.station.ID,
		Category: cat, Description: desc, Identifiers: ids, Quantity: 1, ValueFen: value}, RecoveryInput: e.recoveryInput()})
	require.NoError(t, err)
	return it
}

// toStore moves an item into the branch's store room.
func (e *env) toStore(t testing.TB, it recovery.Item) recovery.Item {
	t.Helper()
	next, err := e.svc.Move(e.ctx, e.custodian, it.ID, it.Version, recovery.MoveInput{
		To:             recovery.Holder{Kind: recovery.HolderLocation, ID: "ZD-A-03", Name: "张店分局涉案财物管理中心A区03柜"},
		CustodyDetails: recovery.CustodyDetails{WitnessID: e.custodian2.StaffID, Reason: "入库保管", Condition: "完好", Seal: recovery.SealIntact, SealNumber: "F2020-001"}})
	require.NoError(t, err)
	return next
}

// approved takes an identified item to return_approved for its owner.
func (e *env) approved(t testing.TB, it recovery.Item) recovery.Return {
	t.Helper()
	r, err := e.svc.RequestReturn(e.ctx, e.officer, recovery.ReturnInput{ItemID: it.ID, Recipient: recovery.Holder{Kind: recovery.HolderPerson, ID: it.OwnerPersonID}})
	require.NoError(t, err)
	r, err = e.svc.ApproveReturn(e.ctx, e.supervisor, r.ID, r.Version, "")
	require.NoError(t, err)
	return r
}

func (e *env) get(t testing.TB, id string) recovery.Item {
	t.Helper()
	it, err := e.svc.Get(e.ctx, e.officer, id)
	require.NoError(t, err)
	return it
}

// verify checks the whole audit chain.
func (e *env) verify(t testing.TB) {
	t.Helper()
	rep, err := e.k.VerifyAudit(e.ctx, e.auditor)
	require.NoError(t, err)
	require.True(t, rep.OK, "%+v", rep)
}

// requireField asserts an invalid-input error naming field and rule.
func requireField(t testing.TB, err error, field, rule string) {
	t.Helper()
	require.ErrorIs(t, err, recovery.ErrInvalid)
	var inv *casework.InvalidError
	require.ErrorAs(t, err, &inv)
	var got []string
	for _, f := range inv.Fields {
		if f.Field == field && f.Rule == rule {
			return
		}
		got = append(got, f.Field+":"+f.Rule)
	}
	t.Fatalf("want %s:%s, got %s", field, rule, strings.Join(got, ", "))
}

func fen(yuan int64) int64 { return yuan * 100 }
