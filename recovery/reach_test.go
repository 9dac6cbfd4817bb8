package recovery_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/recovery"
	"github.com/stretchr/testify/require"
)

// Promise: reach. A record outside the actor's unit subtree (and not
// shared with it) answers exactly as an id that does not exist —
// ErrNotFound and the zero value — before roles, policy or level are
// consulted; an actor who is no staff member reaches nothing.

// jurisdiction is the unit tree around the station the records belong to:
// the same unit, a child (警务室), the parent branch, a sibling station, an
// unrelated station under the other branch, and someone who is no staff
// member at all. Each staff actor holds officer, custodian and supervisor,
// so what it gets depends on reach (and, for approvals, level) alone.
type jurisdiction struct {
	same, child, parent, sibling, unrelated, nobody casework.Actor
	siblingUnit, unrelatedUnit                      casework.Unit
}

func (e *env) jurisdiction(t testing.TB) jurisdiction {
	t.Helper()
	unit := func(code, name string, level casework.Level, parent casework.Unit) casework.Unit {
		u, err := e.k.CreateUnit(e.ctx, e.admin, casework.UnitInput{Code: code, Name: name, Level: level, ParentID: parent.ID})
		require.NoError(t, err)
		return u
	}
	office := unit("370302010001", "华光路警务室", casework.LevelOffice, e.station)
	sibling := unit("370302011", "公园派出所", casework.LevelStation, e.branch)
	unrelated := unit("370303010", "般阳派出所", casework.LevelStation, e.branch2)
	staff := func(u casework.Unit, name string) casework.Actor {
		s, err := e.k.CreateStaff(e.ctx, e.admin, casework.StaffInput{UnitID: u.ID, Name: name,
			Roles: []casework.Role{casework.RoleOfficer, casework.RoleCustodian, casework.RoleSupervisor}})
		require.NoError(t, err)
		return actor(s)
	}
	return jurisdiction{
		same:          staff(e.station, "本所民警"),
		child:         staff(office, "警务室民警"),
		parent:        staff(e.branch, "分局民警"),
		sibling:       staff(sibling, "兄弟所民警"),
		unrelated:     staff(unrelated, "外分局民警"),
		nobody:        casework.Actor{StaffID: "nobody", UnitID: e.station.ID, Roles: []casework.Role{casework.RoleOfficer, casework.RoleSupervisor}},
		siblingUnit:   sibling,
		unrelatedUnit: unrelated,
	}
}

// method is one exported method of Service in the matrix: prepare builds
// what the call acts on (a record in the state it needs; its id), call
// makes the call as actor and returns its value and error. approve marks a
// decision that needs a branch-level supervisor: the station's own actor
// reaches the record and is refused by level (ErrForbidden). scoped marks
// a search without a record id: out of reach, it succeeds and shows
// nothing of the record.
type method struct {
	name    string
	prepare func(t *testing.T, e *env) string
	call    func(t *testing.T, e *env, a casework.Actor, id string) (any, error)
	approve bool
	scoped  bool
}

// The states records are prepared in, by the station's own staff.
func foundItem(t *testing.T, e *env) string {
	return e.found(t, "bicycle", "蓝色捷安特自行车", fen(800)).ID
}

func reportedItem(t *testing.T, e *env) string {
	return e.stolen(t, "bicycle", "蓝色捷安特自行车", fen(800), e.owner).ID
}

func identifiedItem(t *testing.T, e *env) recovery.Item {
	t.Helper()
	it := e.found(t, "bicycle", "蓝色捷安特自行车", fen(800))
	it, err := e.svc.Identify(e.ctx, e.officer, it.ID, it.Version, recovery.IdentifyInput{OwnerPersonID: e.owner.ID, CaseID: "case-1"})
	require.NoError(t, err)
	return it
}

func requestedReturn(t *testing.T, e *env) string {
	t.Helper()
	it := identifiedItem(t, e)
	r, err := e.svc.RequestReturn(e.ctx, e.officer, recovery.ReturnInput{ItemID: it.ID, Recipient: recovery.Holder{Kind: recovery.HolderPerson, ID: e.owner.ID}})
	require.NoError(t, err)
	return r.ID
}

func approvedReturn(t *testing.T, e *env) string { return e.approved(t, identifiedItem(t, e)).ID }

func plannedEvent(t *testing.T, e *env) string {
	t.Helper()
	ev, err := e.svc.PlanEvent(e.ctx, e.officer, recovery.EventInput{UnitID: e.station.ID, Name: "返还会", Date: e.k.Now().Add(24 * time.Hour), Place: "所大厅"})
	require.NoError(t, err)
	return ev.ID
}

func eventWithReturn(t *testing.T, e *env) string {
	t.Helper()
	id := plannedEvent(t, e)
	ev, err := e.svc.GetEvent(e.ctx, e.officer, id)
	require.NoError(t, err)
	_, err = e.svc.AddReturns(e.ctx, e.officer, ev.ID, ev.Version, []string{approvedReturn(t, e)})
	require.NoError(t, err)
	return id
}

func unclaimedItem(t *testing.T, e *env) string {
	t.Helper()
	it := e.found(t, "bicycle", "无人认领自行车", fen(300))
	e.clock.Set(it.HoldUntil.Add(time.Hour))
	_, err := e.svc.Sweep(e.ctx, e.k.Now())
	require.NoError(t, err)
	return it.ID
}

func requestedDisposal(t *testing.T, e *env) string {
	t.Helper()
	d, err := e.svc.RequestDisposal(e.ctx, e.custodian, recovery.DisposalInput{ItemID: unclaimedItem(t, e), Method: recovery.DisposeAuction, Reason: "保管期满"})
	require.NoError(t, err)
	return d.ID
}

func approvedDisposal(t *testing.T, e *env) string {
	t.Helper()
	d, err := e.svc.GetDisposal(e.ctx, e.officer, requestedDisposal(t, e))
	require.NoError(t, err)
	d, err = e.svc.ApproveDisposal(e.ctx, e.supervisor, d.ID, d.Version, "")
	require.NoError(t, err)
	return d.ID
}

// versionOf is a record's version as the station's officer reads it, or
// 1 for a made-up id.
func versionOf[T any](e *env, id string, get func(context.Context, casework.Actor, string) (T, error), version func(T) int64) int64 {
	if v, err := get(e.ctx, e.officer, id); err == nil {
		return version(v)
	}
	return 1
}

func itemVersion(e *env, id string) int64 {
	return versionOf(e, id, e.svc.Get, func(it recovery.Item) int64 { return it.Version })
}

func returnVersion(e *env, id string) int64 {
	return versionOf(e, id, e.svc.GetReturn, func(r recovery.Return) int64 { return r.Version })
}

func disposalVersion(e *env, id string) int64 {
	return versionOf(e, id, e.svc.GetDisposal, func(d recovery.Disposal) int64 { return d.Version })
}

func eventVersion(e *env, id string) int64 {
	return versionOf(e, id, e.svc.GetEvent, func(ev recovery.Event) int64 { return ev.Version })
}

// unitOf is the unit of a record, or a made-up unit for a made-up id.
func unitOf(e *env, id string) string {
	if it, err := e.svc.Get(e.ctx, e.officer, id); err == nil {
		return it.UnitID
	}
	return id
}

type page[T any] struct {
	Rows []T
	Next string
}

// methods lists every exported method of Service that acts for an actor.
// A new method joins the matrix with one entry here.
func methods() []method {
	n := 0
	unique := func(p string) string { n++; return p + strconv.Itoa(n) }
	period := func(e *env, id string) casework.ReportQuery {
		return casework.ReportQuery{UnitID: unitOf(e, id), From: start.AddDate(0, 0, -1), To: start.AddDate(1, 0, 0)}
	}
	witness := func(e *env) recovery.CustodyDetails {
		return recovery.CustodyDetails{WitnessID: e.officer2.StaffID, Reason: "入库", Condition: "完好", Seal: recovery.SealIntact}
	}
	handover := func(t *testing.T, e *env, rid string) recovery.Handover {
		return recovery.Handover{ReturnID: rid, Receipt: e.attach(t, e.officer, "签收.jpg", "签收"), RecipientDocNumber: e.docs[e.owner.ID]}
	}
	return []method{
		{name: "Get", prepare: foundItem, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) { return e.svc.Get(e.ctx, a, id) }},
		{name: "History", prepare: foundItem, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.History(e.ctx, a, id)
		}},
		{name: "Custody", prepare: foundItem, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.Custody(e.ctx, a, id)
		}},
		{name: "VerifyCustody", prepare: foundItem, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.VerifyCustody(e.ctx, a, id)
		}},
		{name: "Match", prepare: foundItem, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			e.stolen(t, "bicycle", "蓝色捷安特自行车", fen(800), e.owner) // something to match
			return e.svc.Match(e.ctx, a, id, 0)
		}},
		{name: "List", prepare: foundItem, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			rows, next, err := e.svc.List(e.ctx, a, recovery.ItemQuery{UnitID: unitOf(e, id)})
			return page[recovery.Item]{rows, next}, err
		}},
		{name: "Totals", prepare: foundItem, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.Totals(e.ctx, a, period(e, id))
		}},
		{name: "TotalsByUnit", prepare: foundItem, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.TotalsByUnit(e.ctx, a, period(e, id))
		}},
		{name: "ReportStolen", prepare: foundItem, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.ReportStolen(e.ctx, a, recovery.StolenInput{ItemInput: recovery.ItemInput{UnitID: unitOf(e, id), Category: "bicycle",
				Description: "自行车", Quantity: 1, ValueFen: fen(500)}, StolenAt: e.k.Now().Add(-time.Hour)})
		}},
		{name: "RecordFound", prepare: foundItem, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.RecordFound(e.ctx, a, recovery.FoundInput{ItemInput: recovery.ItemInput{UnitID: unitOf(e, id), Category: "bicycle",
				Description: "自行车", Quantity: 1, ValueFen: fen(500)}, RecoveryInput: e.recoveryInput()})
		}},
		{name: "RegisterStolen", prepare: foundItem, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.RegisterStolen(e.ctx, casework.StolenItems{Source: casework.Source{Kind: "case", ID: unique("case-"), Step: "items"},
				Actor: a, UnitID: unitOf(e, id), CaseID: "case-9", StolenAt: e.k.Now().Add(-time.Hour), Place: "华光路",
				Items: []casework.StolenItem{{ItemID: unique("stolen-"), Category: "bicycle", Description: "自行车", ValueFen: fen(500)}}})
		}},
		{name: "CheckStolen", prepare: foundItem, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return nil, e.svc.CheckStolen(e.ctx, casework.StolenItems{Actor: a, UnitID: unitOf(e, id), CaseID: "case-9", StolenAt: e.k.Now().Add(-time.Hour),
				Place: "华光路", Items: []casework.StolenItem{{ItemID: unique("check-"), Category: "bicycle", Description: "自行车", ValueFen: fen(500)}}})
		}},
		{name: "MarkTraced", prepare: reportedItem, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.MarkTraced(e.ctx, casework.TraceItems{Source: casework.Source{Kind: "case", ID: "case-1", Step: unique("arrest/")},
				Actor: a, CaseID: "case-1", ArrestID: unique("arrest-"), ItemIDs: []string{id}})
		}},
		{name: "RecordRecovery", prepare: reportedItem, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.RecordRecovery(e.ctx, a, id, itemVersion(e, id), e.recoveryInput())
		}},
		{name: "Identify", prepare: foundItem, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.Identify(e.ctx, a, id, itemVersion(e, id), recovery.IdentifyInput{OwnerPersonID: e.owner.ID})
		}},
		{name: "ConfirmMatch", prepare: foundItem, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			rep := e.stolen(t, "bicycle", "蓝色捷安特自行车", fen(800), e.owner)
			return e.svc.ConfirmMatch(e.ctx, a, id, itemVersion(e, id), rep.ID, "")
		}},
		{name: "Move", prepare: foundItem, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.Move(e.ctx, a, id, itemVersion(e, id), recovery.MoveInput{To: recovery.Holder{Kind: recovery.HolderLocation, ID: "A-01"}, CustodyDetails: witness(e)})
		}},
		{name: "Correct", prepare: foundItem, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.Correct(e.ctx, a, id, itemVersion(e, id), recovery.CorrectionInput{Corrects: 1,
				CustodyDetails: recovery.CustodyDetails{Reason: "封条号漏记", Condition: "完好", SealNumber: "F-1"}})
		}},
		{name: "RequestReturn", prepare: func(t *testing.T, e *env) string { return identifiedItem(t, e).ID }, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.RequestReturn(e.ctx, a, recovery.ReturnInput{ItemID: id, Recipient: recovery.Holder{Kind: recovery.HolderPerson, ID: e.owner.ID}})
		}},
		{name: "GetReturn", prepare: requestedReturn, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.GetReturn(e.ctx, a, id)
		}},
		{name: "ListReturns", prepare: foundItem, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			requestedReturn(t, e)
			rows, next, err := e.svc.ListReturns(e.ctx, a, recovery.ReturnQuery{UnitID: unitOf(e, id)})
			return page[recovery.Return]{rows, next}, err
		}},
		{name: "ApproveReturn", prepare: requestedReturn, approve: true, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.ApproveReturn(e.ctx, a, id, returnVersion(e, id), "")
		}},
		{name: "RejectReturn", prepare: requestedReturn, approve: true, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.RejectReturn(e.ctx, a, id, returnVersion(e, id), "证明不足")
		}},
		{name: "CompleteReturn", prepare: approvedReturn, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.CompleteReturn(e.ctx, a, id, returnVersion(e, id), handover(t, e, id))
		}},
		{name: "PlanEvent", prepare: foundItem, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.PlanEvent(e.ctx, a, recovery.EventInput{UnitID: unitOf(e, id), Name: "返还会", Date: e.k.Now().Add(24 * time.Hour), Place: "所大厅"})
		}},
		{name: "GetEvent", prepare: plannedEvent, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.GetEvent(e.ctx, a, id)
		}},
		{name: "ListEvents", prepare: foundItem, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			plannedEvent(t, e)
			rows, next, err := e.svc.ListEvents(e.ctx, a, recovery.EventQuery{UnitID: unitOf(e, id)})
			return page[recovery.Event]{rows, next}, err
		}},
		{name: "AddReturns", prepare: plannedEvent, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.AddReturns(e.ctx, a, id, eventVersion(e, id), []string{approvedReturn(t, e)})
		}},
		{name: "HoldEvent", prepare: eventWithReturn, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			var hs []recovery.Handover
			if ev, err := e.svc.GetEvent(e.ctx, e.officer, id); err == nil {
				hs = append(hs, handover(t, e, ev.ReturnIDs[0]))
			}
			return e.svc.HoldEvent(e.ctx, a, id, eventVersion(e, id), hs)
		}},
		{name: "ReturnList(event)", prepare: eventWithReturn, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.ReturnList(e.ctx, a, recovery.ReturnListQuery{EventID: id})
		}},
		{name: "RequestDisposal", prepare: unclaimedItem, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.RequestDisposal(e.ctx, a, recovery.DisposalInput{ItemID: id, Method: recovery.DisposeAuction, Reason: "保管期满"})
		}},
		{name: "GetDisposal", prepare: requestedDisposal, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.GetDisposal(e.ctx, a, id)
		}},
		{name: "ListDisposals", prepare: foundItem, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			requestedDisposal(t, e)
			rows, next, err := e.svc.ListDisposals(e.ctx, a, recovery.DisposalQuery{UnitID: unitOf(e, id)})
			return page[recovery.Disposal]{rows, next}, err
		}},
		{name: "ApproveDisposal", prepare: requestedDisposal, approve: true, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.ApproveDisposal(e.ctx, a, id, disposalVersion(e, id), "")
		}},
		{name: "RejectDisposal", prepare: requestedDisposal, approve: true, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.RejectDisposal(e.ctx, a, id, disposalVersion(e, id), "尚有失主线索")
		}},
		{name: "CompleteDisposal", prepare: approvedDisposal, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.CompleteDisposal(e.ctx, a, id, disposalVersion(e, id), recovery.DisposalCompletion{ProceedsFen: fen(200),
				Recipient: "淄博市公物拍卖中心", Document: e.attach(t, e.custodian, "成交确认书.pdf", "成交"), WitnessID: e.officer2.StaffID, Condition: "完好"})
		}},
		{name: "CompareProperty", prepare: foundItem, scoped: true, call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
			return e.svc.CompareProperty(e.ctx, a, recovery.PropertyQuery{Category: "bicycle", Description: "蓝色捷安特自行车", At: e.k.Now().Add(-time.Hour)})
		}},
		{name: "ReturnList(case)", prepare: func(t *testing.T, e *env) string { return identifiedItem(t, e).ID }, scoped: true,
			call: func(t *testing.T, e *env, a casework.Actor, id string) (any, error) {
				l, err := e.svc.ReturnList(e.ctx, a, recovery.ReturnListQuery{CaseID: "case-1"})
				return l.Rows, err
			}},
	}
}

func requireNotFoundZero(t *testing.T, v any, err error, msg string) {
	t.Helper()
	require.ErrorIs(t, err, recovery.ErrNotFound, msg)
	require.NotErrorIs(t, err, recovery.ErrForbidden, msg)
	require.True(t, v == nil || reflect.ValueOf(v).IsZero(), "%s: a value beside the error: %+v", msg, v)
}

// TestJurisdictionMatrix runs every method for actors of the same unit, a
// child, the parent, a sibling, an unrelated unit and a non-staff actor,
// and for a made-up id, on every backend. The same unit and the parent
// reach the record and succeed (a station actor's approval is refused by
// level, ErrForbidden, because it does reach the record); everyone else
// gets exactly what a made-up id gets: ErrNotFound and the zero value —
// or, for a search without a record id, nothing of the record.
func TestJurisdictionMatrix(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, &recovery.Config{HoldingPeriodDays: 1})
			j := e.jurisdiction(t)
			for _, m := range methods() {
				for _, tc := range []struct {
					who   string
					actor casework.Actor
					reach bool
				}{
					{"same unit", j.same, true}, {"parent unit", j.parent, true},
					{"child unit", j.child, false}, {"sibling unit", j.sibling, false},
					{"unrelated unit", j.unrelated, false}, {"no staff member", j.nobody, false},
				} {
					id := m.prepare(t, e)
					v, err := m.call(t, e, tc.actor, id)
					msg := m.name + " by " + tc.who
					switch {
					case tc.reach && m.approve && tc.who == "same unit":
						require.ErrorIs(t, err, recovery.ErrForbidden, msg+": reached, refused by level")
						require.True(t, reflect.ValueOf(v).IsZero(), msg)
					case tc.reach:
						require.NoError(t, err, msg)
						require.True(t, v == nil || !reflect.ValueOf(v).IsZero(), msg)
					case m.scoped && tc.who != "no staff member":
						require.NoError(t, err, msg)
						require.NotContains(t, fmt.Sprintf("%+v", v), id, msg+": shows the record")
					default:
						requireNotFoundZero(t, v, err, msg)
					}
				}
				if m.scoped {
					continue
				}
				v, err := m.call(t, e, j.same, "no-such-record")
				requireNotFoundZero(t, v, err, m.name+" of a made-up id")
			}
		})
	}
}

// TestApprovalsOutOfReachAreNotFound pins finding 2: station-level
// supervisors of another unit used to be refused by level (ErrForbidden)
// before reach was asked, which told them the record exists.
func TestApprovalsOutOfReachAreNotFound(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "memory", &recovery.Config{HoldingPeriodDays: 1})
	j := e.jurisdiction(t)
	for _, who := range []casework.Actor{j.sibling, j.unrelated, j.child} {
		r := requestedReturn(t, e)
		_, err := e.svc.ApproveReturn(e.ctx, who, r, 1, "")
		requireNotFoundZero(t, nil, err, "ApproveReturn")
		_, err = e.svc.RejectReturn(e.ctx, who, r, 1, "x")
		requireNotFoundZero(t, nil, err, "RejectReturn")
		d := requestedDisposal(t, e)
		_, err = e.svc.ApproveDisposal(e.ctx, who, d, 1, "")
		requireNotFoundZero(t, nil, err, "ApproveDisposal")
		_, err = e.svc.RejectDisposal(e.ctx, who, d, 1, "x")
		requireNotFoundZero(t, nil, err, "RejectDisposal")
	}
	it, err := e.svc.Get(e.ctx, j.nobody, foundItem(t, e))
	requireNotFoundZero(t, it, err, "Get by no staff member")
}

// TestReferencesInReach: every id an input names — owners, recipients,
// witnesses, staff holders, the reported item of a match, a hand-off's
// address and owners, a comparison's unit — must be in the actor's reach.
// One of another unit answers as one that does not exist: ErrInvalid
// naming the field with rule exists (active_staff for staff).
func TestReferencesInReach(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, nil)
			j := e.jurisdiction(t)
			theirs, err := e.k.CreatePerson(e.ctx, j.unrelated, casework.PersonInput{UnitID: j.unrelatedUnit.ID, Name: "外所居民",
				DocType: casework.DocResidentID, DocNumber: residentID("37030519900101001")})
			require.NoError(t, err)
			addr, err := e.k.CreateAddress(e.ctx, j.unrelated, casework.AddressInput{UnitID: j.unrelatedUnit.ID, Text: "淄川区某小区1号"})
			require.NoError(t, err)
			item := recovery.ItemInput{UnitID: e.station.ID, CaseID: "case-1", Category: "bicycle", Description: "自行车", Quantity: 1, ValueFen: fen(500)}

			in := item
			in.OwnerPersonID = theirs.ID
			_, err = e.svc.RecordFound(e.ctx, e.officer, recovery.FoundInput{ItemInput: in, RecoveryInput: e.recoveryInput()})
			requireField(t, err, "ownerPersonId", "exists")
			_, err = e.svc.ReportStolen(e.ctx, e.officer, recovery.StolenInput{ItemInput: in, StolenAt: e.k.Now().Add(-time.Hour)})
			requireField(t, err, "ownerPersonId", "exists")

			rec := e.recoveryInput()
			rec.WitnessID = j.unrelated.StaffID
			rec.To = recovery.Holder{Kind: recovery.HolderStaff, ID: j.sibling.StaffID}
			_, err = e.svc.RecordFound(e.ctx, e.officer, recovery.FoundInput{ItemInput: item, RecoveryInput: rec})
			requireField(t, err, "witnessId", "active_staff")
			requireField(t, err, "to.id", "active_staff")

			// Staff of a unit above the item (the branch's property centre)
			// may hold and witness it: their own reach covers it.
			rec = e.recoveryInput()
			rec.WitnessID = e.custodian.StaffID
			rec.To = recovery.Holder{Kind: recovery.HolderStaff, ID: e.custodian2.StaffID}
			_, err = e.svc.RecordFound(e.ctx, e.officer, recovery.FoundInput{ItemInput: item, RecoveryInput: rec})
			require.NoError(t, err)

			it := e.found(t, "bicycle", "自行车", fen(500))
			_, err = e.svc.Identify(e.ctx, e.officer, it.ID, it.Version, recovery.IdentifyInput{OwnerPersonID: theirs.ID})
			requireField(t, err, "ownerPersonId", "exists")
			_, err = e.svc.Move(e.ctx, e.custodian, it.ID, it.Version, recovery.MoveInput{To: recovery.Holder{Kind: recovery.HolderStaff, ID: j.unrelated.StaffID},
				CustodyDetails: recovery.CustodyDetails{WitnessID: e.custodian2.StaffID, Reason: "移交", Condition: "完好"}})
			requireField(t, err, "to.id", "active_staff")

			// A reported item of the unrelated unit cannot be matched.
			elsewhere, err := e.svc.ReportStolen(e.ctx, j.unrelated, recovery.StolenInput{ItemInput: recovery.ItemInput{UnitID: j.unrelatedUnit.ID,
				Category: "bicycle", Description: "自行车", Quantity: 1, ValueFen: fen(500)}, StolenAt: e.k.Now().Add(-time.Hour)})
			require.NoError(t, err)
			_, err = e.svc.ConfirmMatch(e.ctx, e.officer, it.ID, it.Version, elsewhere.ID, "")
			requireField(t, err, "reportedId", "exists")
			_, err = e.svc.ConfirmMatch(e.ctx, e.officer, it.ID, it.Version, "no-such-item", "")
			requireField(t, err, "reportedId", "exists")

			it, err = e.svc.Identify(e.ctx, e.officer, it.ID, it.Version, recovery.IdentifyInput{OwnerPersonID: e.owner.ID})
			require.NoError(t, err)
			_, err = e.svc.RequestReturn(e.ctx, e.officer, recovery.ReturnInput{ItemID: it.ID, Recipient: recovery.Holder{Kind: recovery.HolderPerson, ID: theirs.ID},
				Authorisation: e.attach(t, e.officer, "委托书.jpg", "委托")})
			requireField(t, err, "recipient.id", "exists")

			_, err = e.svc.CompareProperty(e.ctx, e.officer, recovery.PropertyQuery{UnitID: j.unrelatedUnit.ID, Category: "bicycle"})
			requireField(t, err, "unitId", "exists")

			p := casework.StolenItems{Source: casework.Source{Kind: "case", ID: "case-7", Step: "items"}, Actor: e.officer, UnitID: e.station.ID,
				CaseID: "case-7", StolenAt: e.k.Now().Add(-time.Hour), AddressID: addr.ID,
				Items: []casework.StolenItem{{ItemID: "stolen-7", Category: "bicycle", Description: "自行车", ValueFen: fen(500), OwnerPersonID: theirs.ID}}}
			_, err = e.svc.RegisterStolen(e.ctx, p)
			requireField(t, err, "addressId", "exists")
			requireField(t, err, "items[0].ownerPersonId", "exists")
			requireField(t, e.svc.CheckStolen(e.ctx, p), "items[0].ownerPersonId", "exists")
		})
	}
}

// TestReturnListShowsOnlyWhatTheReaderMayRead: a list names an item's
// owner only to an actor who may read that person. Here the branch
// registers a found item of the station with an owner of its own; the
// station's officer lists the case's returns and sees the item, but of its
// owner only that someone is out of reach — no name, no masked number.
func TestReturnListShowsOnlyWhatTheReaderMayRead(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, nil)
			doc := residentID("37030219850505123")
			theirs, err := e.k.CreatePerson(e.ctx, e.supervisor2, casework.PersonInput{UnitID: e.branch.ID, Name: "分局登记人", DocType: casework.DocResidentID, DocNumber: doc})
			require.NoError(t, err)
			it, err := e.svc.RecordFound(e.ctx, e.supervisor2, recovery.FoundInput{ItemInput: recovery.ItemInput{UnitID: e.station.ID, CaseID: "case-5",
				Category: "bicycle", Description: "自行车", Quantity: 1, ValueFen: fen(500), OwnerPersonID: theirs.ID}, RecoveryInput: e.recoveryInput()})
			require.NoError(t, err)
			_, err = e.svc.Identify(e.ctx, e.supervisor2, it.ID, it.Version, recovery.IdentifyInput{})
			require.NoError(t, err)

			own, err := e.svc.ReturnList(e.ctx, e.supervisor2, recovery.ReturnListQuery{CaseID: "case-5"})
			require.NoError(t, err)
			require.Len(t, own.Rows, 1)
			require.Equal(t, "分局登记人", own.Rows[0].OwnerName)

			l, err := e.svc.ReturnList(e.ctx, e.officer, recovery.ReturnListQuery{CaseID: "case-5"})
			require.NoError(t, err)
			require.Len(t, l.Rows, 1)
			require.Empty(t, l.Rows[0].OwnerDoc)
			var buf bytes.Buffer
			require.NoError(t, l.WriteHTML(&buf))
			for _, secret := range []string{"分局登记人", doc[:6], doc[len(doc)-4:]} {
				require.NotContains(t, buf.String(), secret)
				require.NotContains(t, fmt.Sprintf("%+v", l), secret)
			}
			require.True(t, strings.Contains(buf.String(), "（无权查阅）"))
		})
	}
}
