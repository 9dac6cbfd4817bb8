package casework_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

// Promise: reach, for the kernel's own services. A unit, staff member,
// person, address, share or history outside the actor's subtree answers
// exactly as an id that does not exist — ErrNotFound and the zero value —
// before roles, policy or level are consulted; an actor who is no staff
// member reaches nothing.

// kernelActors are the actors of the matrix around the station that owns
// the records: the same unit, a child office, the parent branch, a sibling
// station, a station under another branch, and someone who is no staff
// member at all.
type kernelActors struct{ same, child, parent, sibling, unrelated, nobody casework.Actor }

// kernelJurisdiction builds the units and two casts: officers (officer and
// supervisor, for persons, addresses, shares, reports) and admins (for
// units and staff; an admin holds no other role).
func kernelJurisdiction(t *testing.T, w *kernelWorld) (officers, admins kernelActors) {
	t.Helper()
	ctx := context.Background()
	unit := func(code string, level casework.Level, parent casework.Unit) casework.Unit {
		u, err := w.k.CreateUnit(ctx, w.admin, casework.UnitInput{Code: code, Name: code, Level: level, ParentID: parent.ID})
		require.NoError(t, err)
		return u
	}
	office := unit("370303510001", casework.LevelOffice, w.station)
	sibling := unit("370303520000", casework.LevelStation, w.branch)
	unrelated := unit("370305510000", casework.LevelStation, w.otherBranch)
	staff := func(u casework.Unit, roles ...casework.Role) casework.Actor {
		s, err := w.k.CreateStaff(ctx, w.admin, casework.StaffInput{UnitID: u.ID, Name: "民警", Roles: roles})
		require.NoError(t, err)
		return casework.Actor{StaffID: s.ID, UnitID: u.ID, Roles: roles}
	}
	cast := func(roles ...casework.Role) kernelActors {
		return kernelActors{same: staff(w.station, roles...), child: staff(office, roles...), parent: staff(w.branch, roles...),
			sibling: staff(sibling, roles...), unrelated: staff(unrelated, roles...),
			nobody: casework.Actor{StaffID: "nobody", UnitID: w.station.ID, Roles: roles}}
	}
	return cast(casework.RoleOfficer, casework.RoleSupervisor), cast(casework.RoleAdmin)
}

// kernelMethod is one exported Kernel method taking an actor and an id (or
// a unit filter) in the matrix; admin picks the admin cast.
type kernelMethod struct {
	name    string
	admin   bool
	prepare func(t *testing.T, w *kernelWorld) string
	call    func(w *kernelWorld, a casework.Actor, id string) (any, error)
}

func kernelMethods() []kernelMethod {
	ctx := context.Background()
	n := 0
	person := func(t *testing.T, w *kernelWorld) string {
		n++
		p, err := w.k.CreatePerson(ctx, w.officer, casework.PersonInput{UnitID: w.station.ID, Name: fmt.Sprintf("居民%d", n)})
		require.NoError(t, err)
		return p.ID
	}
	address := func(t *testing.T, w *kernelWorld) string {
		a, err := w.k.CreateAddress(ctx, w.officer, casework.AddressInput{UnitID: w.station.ID, Text: "潘庄某小区1号"})
		require.NoError(t, err)
		return a.ID
	}
	station := func(t *testing.T, w *kernelWorld) string { return w.station.ID }
	staffMember := func(t *testing.T, w *kernelWorld) string { return w.supervisor.StaffID }
	share := func(t *testing.T, w *kernelWorld) string {
		s, err := w.k.Share(ctx, w.officer, casework.Target{RecordType: "case", RecordID: "c-" + person(t, w), UnitID: w.station.ID}, w.otherBranch.ID, "协查", time.Time{})
		require.NoError(t, err)
		return s.ID
	}
	version := func(w *kernelWorld, get func() (int64, error)) int64 {
		if v, err := get(); err == nil {
			return v
		}
		return 1
	}
	personVersion := func(w *kernelWorld, id string) int64 {
		return version(w, func() (int64, error) { p, err := w.k.GetPerson(ctx, w.officer, id); return p.Version, err })
	}
	unitFor := func(w *kernelWorld, id string) string {
		if id == w.station.ID {
			return id
		}
		return "no-such-unit"
	}
	return []kernelMethod{
		{"GetPerson", false, person, func(w *kernelWorld, a casework.Actor, id string) (any, error) { return w.k.GetPerson(ctx, a, id) }},
		{"RevealPerson", false, person, func(w *kernelWorld, a casework.Actor, id string) (any, error) {
			return w.k.RevealPerson(ctx, a, id, "核查身份")
		}},
		{"UpdatePerson", false, person, func(w *kernelWorld, a casework.Actor, id string) (any, error) {
			return w.k.UpdatePerson(ctx, a, id, personVersion(w, id), casework.PersonInput{Name: "改名"})
		}},
		{"AuditTrail person", false, person, func(w *kernelWorld, a casework.Actor, id string) (any, error) {
			return w.k.AuditTrail(ctx, a, "person", id)
		}},
		{"CreatePerson", false, station, func(w *kernelWorld, a casework.Actor, id string) (any, error) {
			return w.k.CreatePerson(ctx, a, casework.PersonInput{UnitID: unitFor(w, id), Name: "新居民"})
		}},
		{"GetAddress", false, address, func(w *kernelWorld, a casework.Actor, id string) (any, error) { return w.k.GetAddress(ctx, a, id) }},
		{"UpdateRegistry", false, address, func(w *kernelWorld, a casework.Actor, id string) (any, error) {
			v := version(w, func() (int64, error) { ad, err := w.k.GetAddress(ctx, w.officer, id); return ad.Version, err })
			return w.k.UpdateRegistry(ctx, a, id, v, casework.Registry{Organisations: []casework.Organisation{{Name: "超市"}}})
		}},
		{"CreateAddress", false, station, func(w *kernelWorld, a casework.Actor, id string) (any, error) {
			return w.k.CreateAddress(ctx, a, casework.AddressInput{UnitID: unitFor(w, id), Text: "某路2号"})
		}},
		{"Share", false, station, func(w *kernelWorld, a casework.Actor, id string) (any, error) {
			return w.k.Share(ctx, a, casework.Target{RecordType: "case", RecordID: "c1", UnitID: unitFor(w, id)}, w.otherBranch.ID, "协查", time.Time{})
		}},
		{"RevokeShare", false, share, func(w *kernelWorld, a casework.Actor, id string) (any, error) {
			return w.k.RevokeShare(ctx, a, id, "协查结束")
		}},
		{"ResolvePeriod", false, station, func(w *kernelWorld, a casework.Actor, id string) (any, error) {
			now := w.clock.Now()
			return w.k.ResolvePeriod(ctx, a, casework.ReportQuery{UnitID: unitFor(w, id), From: now.Add(-24 * time.Hour), To: now})
		}},
		{"GetUnit", true, station, func(w *kernelWorld, a casework.Actor, id string) (any, error) { return w.k.GetUnit(ctx, a, id) }},
		{"RenameUnit", true, station, func(w *kernelWorld, a casework.Actor, id string) (any, error) {
			v := version(w, func() (int64, error) { u, err := w.k.GetUnit(ctx, w.admin, id); return u.Version, err })
			return w.k.RenameUnit(ctx, a, id, v, "潘庄派出所（新）")
		}},
		{"CreateUnit", true, station, func(w *kernelWorld, a casework.Actor, id string) (any, error) {
			n++
			return w.k.CreateUnit(ctx, a, casework.UnitInput{Code: fmt.Sprintf("OFF%d", n), Name: "警务室", Level: casework.LevelOffice, ParentID: id})
		}},
		{"CreateStaff", true, station, func(w *kernelWorld, a casework.Actor, id string) (any, error) {
			return w.k.CreateStaff(ctx, a, casework.StaffInput{UnitID: id, Name: "新民警", Roles: []casework.Role{casework.RoleOfficer}})
		}},
		{"GetStaff", true, staffMember, func(w *kernelWorld, a casework.Actor, id string) (any, error) { return w.k.GetStaff(ctx, a, id) }},
		{"UpdateStaff", true, staffMember, func(w *kernelWorld, a casework.Actor, id string) (any, error) {
			v := version(w, func() (int64, error) { s, err := w.k.GetStaff(ctx, w.admin, id); return s.Version, err })
			areas := []string{fmt.Sprintf("片区%d", v)}
			return w.k.UpdateStaff(ctx, a, id, v, casework.StaffUpdate{Areas: areas})
		}},
		{"AuditTrail staff", true, staffMember, func(w *kernelWorld, a casework.Actor, id string) (any, error) {
			return w.k.AuditTrail(ctx, a, "staff", id)
		}},
	}
}

func requireKernelNotFoundZero(t *testing.T, v any, err error, msg string) {
	t.Helper()
	require.ErrorIs(t, err, casework.ErrNotFound, msg)
	require.NotErrorIs(t, err, casework.ErrForbidden, msg)
	require.True(t, v == nil || reflect.ValueOf(v).IsZero(), "%s: a value beside the error: %+v", msg, v)
}

// TestKernelJurisdictionMatrix runs every Kernel method that takes an actor
// and an id (or a unit) for the same unit, the parent, a child, a sibling,
// an unrelated unit, a non-staff actor, and a made-up id, on every backend.
// The same unit and the parent succeed; everyone else gets exactly what a
// made-up id gets.
func TestKernelJurisdictionMatrix(t *testing.T) {
	t.Parallel()
	eachKernelBackend(t, func(t *testing.T, w *kernelWorld) {
		officers, admins := kernelJurisdiction(t, w)
		for _, m := range kernelMethods() {
			cast := officers
			if m.admin {
				cast = admins
			}
			id := m.prepare(t, w)
			for who, a := range map[string]casework.Actor{"child unit": cast.child, "sibling unit": cast.sibling,
				"unrelated unit": cast.unrelated, "no staff member": cast.nobody} {
				v, err := m.call(w, a, id)
				requireKernelNotFoundZero(t, v, err, m.name+" by "+who)
			}
			v, err := m.call(w, cast.same, "no-such-record")
			requireKernelNotFoundZero(t, v, err, m.name+" of a made-up id")
			for who, a := range map[string]casework.Actor{"same unit": cast.same, "parent unit": cast.parent} {
				v, err := m.call(w, a, m.prepare(t, w))
				require.NoError(t, err, m.name+" by "+who)
				require.False(t, reflect.ValueOf(v).IsZero(), m.name+" by "+who)
			}
		}
	})
}

// TestKernelRolesAfterReach: an admin administers units and staff of its
// subtree but never reveals — in reach that is ErrForbidden; out of reach
// it learns nothing (ErrNotFound). A non-staff actor asking for a person
// gets what a made-up id gets (it got ErrForbidden).
func TestKernelRolesAfterReach(t *testing.T) {
	t.Parallel()
	eachKernelBackend(t, func(t *testing.T, w *kernelWorld) {
		ctx := context.Background()
		_, admins := kernelJurisdiction(t, w)
		p, err := w.k.CreatePerson(ctx, w.officer, casework.PersonInput{UnitID: w.station.ID, Name: "陈某某"})
		require.NoError(t, err)
		got, err := w.k.RevealPerson(ctx, admins.same, p.ID, "核查")
		require.ErrorIs(t, err, casework.ErrForbidden)
		require.Zero(t, got)
		got, err = w.k.RevealPerson(ctx, admins.sibling, p.ID, "核查")
		requireKernelNotFoundZero(t, got, err, "reveal by an admin out of reach")
		got, err = w.k.GetPerson(ctx, casework.Actor{StaffID: "nobody", UnitID: w.station.ID}, p.ID)
		requireKernelNotFoundZero(t, got, err, "a non-staff actor")
	})
}

// TestKernelReferencesInReach: a person, address or staff link naming a
// record of another unit answers as one that does not exist: ErrInvalid
// naming the field with rule exists.
func TestKernelReferencesInReach(t *testing.T) {
	t.Parallel()
	eachKernelBackend(t, func(t *testing.T, w *kernelWorld) {
		ctx := context.Background()
		theirs, err := w.k.CreatePerson(ctx, w.otherOfficer, casework.PersonInput{UnitID: w.otherBranch.ID, Name: "外分局居民"})
		require.NoError(t, err)
		addr, err := w.k.CreateAddress(ctx, w.otherOfficer, casework.AddressInput{UnitID: w.otherBranch.ID, Text: "临淄某路1号"})
		require.NoError(t, err)
		_, admins := kernelJurisdiction(t, w)
		field := func(err error, name string) {
			t.Helper()
			require.ErrorIs(t, err, casework.ErrInvalid)
			var ie *casework.InvalidError
			require.ErrorAs(t, err, &ie)
			require.Contains(t, ie.Fields, casework.FieldError{Field: name, Rule: "exists", Message: ie.Fields[0].Message}, "%+v", ie.Fields)
		}
		_, err = w.k.CreatePerson(ctx, w.officer, casework.PersonInput{UnitID: w.station.ID, Name: "陈某", AddressID: addr.ID})
		field(err, "addressId")
		_, err = w.k.CreateStaff(ctx, admins.same, casework.StaffInput{UnitID: w.station.ID, Name: "民警", Roles: []casework.Role{casework.RoleOfficer},
			PersonID: theirs.ID})
		field(err, "personId")
		own, err := w.k.CreateAddress(ctx, w.officer, casework.AddressInput{UnitID: w.station.ID, Text: "潘庄某路3号"})
		require.NoError(t, err)
		_, err = w.k.UpdateRegistry(ctx, w.officer, own.ID, own.Version, casework.Registry{Residents: []casework.Resident{{PersonID: theirs.ID}}})
		field(err, "residents[0].personId")
	})
}
