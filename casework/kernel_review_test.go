package casework_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

// Holes a review found, each closed and kept closed here.
func TestReachCannotBeForged(t *testing.T) {
	t.Parallel()
	eachKernelBackend(t, func(t *testing.T, w *kernelWorld) {
		ctx := context.Background()
		// An outsider "shares" a station's record by naming its own unit as
		// the owner: the share is stored, but grants nothing.
		forged := casework.Target{RecordType: "case", RecordID: "station-case", UnitID: w.otherBranch.ID}
		_, err := w.k.Share(ctx, w.otherOfficer, forged, w.bureau.ID, "x", time.Time{})
		require.NoError(t, err)
		shared, err := w.k.ActiveShares(ctx, "case", "station-case", w.station.ID)
		require.NoError(t, err)
		require.Empty(t, shared, "only shares granted by the record's own unit count")

		_, err = w.k.AuditTrail(ctx, w.otherOfficer, "case", "station-case")
		require.ErrorIs(t, err, casework.ErrNotFound, "a workflow record's history is read through its workflow")

		p, err := w.k.CreatePerson(ctx, w.officer, casework.PersonInput{UnitID: w.station.ID, Name: "陈某某"})
		require.NoError(t, err)
		_, err = w.k.UpdatePerson(ctx, w.officer, p.ID, p.Version, casework.PersonInput{UnitID: w.otherBranch.ID, Name: "陈某某"})
		require.ErrorIs(t, err, casework.ErrNotFound, "a person cannot be moved out of reach")
		_, err = w.k.UpdatePerson(ctx, w.officer, p.ID, p.Version, casework.PersonInput{UnitID: "no-such-unit", Name: "陈某某"})
		require.Error(t, err)
		got, err := w.k.GetPerson(ctx, w.officer, p.ID)
		require.NoError(t, err)
		require.Equal(t, w.station.ID, got.UnitID)

		// The registry of an outsider's address cannot name, or probe for,
		// a person out of the outsider's reach.
		addr, err := w.k.CreateAddress(ctx, w.otherOfficer, casework.AddressInput{UnitID: w.otherBranch.ID, Text: "临淄区西高新村1号"})
		require.NoError(t, err)
		for _, reg := range []casework.Registry{
			{Residents: []casework.Resident{{PersonID: p.ID}}},
			{Residents: []casework.Resident{{PersonID: "no-such-person"}}},
			{Housing: &casework.Housing{Kind: "own", OwnerID: p.ID}},
		} {
			_, err = w.k.UpdateRegistry(ctx, w.otherOfficer, addr.ID, addr.Version, reg)
			var inv *casework.InvalidError
			require.ErrorAs(t, err, &inv)
			require.Equal(t, "exists", inv.Fields[0].Rule, "a person out of reach looks like no person at all")
		}
	})
}

func TestAdminCannotBecomeARevealer(t *testing.T) {
	t.Parallel()
	w := newKernelWorld(t, kernelBackends["memory"](t), nil)
	ctx := context.Background()
	me, err := w.k.GetStaff(ctx, w.admin, w.admin.StaffID)
	require.NoError(t, err)
	_, err = w.k.UpdateStaff(ctx, w.admin, me.ID, me.Version, casework.StaffUpdate{Roles: []casework.Role{casework.RoleAdmin, casework.RoleOfficer}})
	var inv *casework.InvalidError
	require.ErrorAs(t, err, &inv)
	require.Equal(t, "admin_alone", inv.Fields[0].Rule)
	_, err = w.k.UpdateStaff(ctx, w.admin, me.ID, me.Version, casework.StaffUpdate{Roles: []casework.Role{"god"}})
	require.ErrorIs(t, err, casework.ErrInvalid, "unknown roles are refused on update too")
	_, err = w.k.CreateStaff(ctx, w.admin, casework.StaffInput{UnitID: w.station.ID, Name: "x", Roles: []casework.Role{casework.RoleAdmin, casework.RoleSupervisor}})
	require.ErrorIs(t, err, casework.ErrInvalid)
	// Even a hand-built table cannot make an admin reveal.
	p := casework.NewPolicy()
	require.False(t, p.AssignmentBound(casework.ActionRevealPerson, []casework.Role{casework.RoleAdmin, casework.RoleOfficer}))
	person, err := w.k.CreatePerson(ctx, w.officer, casework.PersonInput{UnitID: w.station.ID, Name: "x"})
	require.NoError(t, err)
	_, err = w.k.RevealPerson(ctx, casework.Actor{StaffID: w.admin.StaffID, UnitID: w.admin.UnitID, Roles: []casework.Role{casework.RoleAdmin, casework.RoleOfficer}}, person.ID, "x")
	require.ErrorIs(t, err, casework.ErrForbidden)
}

func TestFailedBootstrapCanBeRetried(t *testing.T) {
	t.Parallel()
	for name, open := range kernelBackends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			k, err := casework.New(open(t), nil)
			require.NoError(t, err)
			ctx := context.Background()
			root := casework.UnitInput{Code: "370300", Name: "淄博市公安局", Level: casework.LevelBureau}
			_, _, err = k.Bootstrap(ctx, root, casework.StaffInput{Name: ""})
			require.ErrorIs(t, err, casework.ErrInvalid)
			_, _, err = k.Bootstrap(ctx, root, casework.StaffInput{Name: "管理员", Roles: []casework.Role{casework.RoleAdmin, casework.RoleOfficer}})
			require.ErrorIs(t, err, casework.ErrInvalid)
			_, _, err = k.Bootstrap(ctx, root, casework.StaffInput{Name: "管理员"})
			require.NoError(t, err, "nothing half-written by the failed attempts")
			_, _, err = k.Bootstrap(ctx, casework.UnitInput{Code: "999", Name: "二号", Level: casework.LevelBureau}, casework.StaffInput{Name: "x"})
			require.ErrorIs(t, err, casework.ErrConflict)
		})
	}
}

func TestDeliveryErrorsKeepValidUTF8(t *testing.T) {
	t.Parallel()
	eachKernelBackend(t, func(t *testing.T, w *kernelWorld) {
		ctx := context.Background()
		sendFinding(t, w, "lead/1")
		intake := &addressIntake{w: w, fail: errors.New("x" + strings.Repeat("鸟笼", 200))}
		register(t, w.k, casework.Provision{Name: "intake", Receivers: map[string]casework.Receiver{casework.KindLeadFinding: casework.Receive(intake.receive)}})
		_, err := w.k.DeliverPending(ctx, nil)
		require.NoError(t, err, "a long Chinese error is stored, cut on a character boundary")
		out, err := w.store.ListOutbox(ctx, "", "")
		require.NoError(t, err)
		require.True(t, utf8.ValidString(out[0].LastError))
		require.LessOrEqual(t, len(out[0].LastError), 500)
		require.True(t, strings.HasPrefix(out[0].LastError, "x鸟笼"))
	})
}

func TestFullPagesSayAnotherFollows(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"memory", "sqlite"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newKernelWorld(t, kernelBackends[name](t), nil)
			ctx := context.Background()
			const n = casework.MaxPageLimit + 7
			for i := range n {
				_, err := w.k.CreatePerson(ctx, w.officer, casework.PersonInput{UnitID: w.station.ID, Name: "居民"})
				require.NoError(t, err, i)
			}
			first, next, err := w.k.FindPersons(ctx, w.officer, casework.PersonQuery{Page: casework.Page{Limit: casework.MaxPageLimit}})
			require.NoError(t, err)
			require.Len(t, first, casework.MaxPageLimit)
			require.NotEmpty(t, next, "a full page of the maximum size still says another follows")
			rest, next, err := w.k.FindPersons(ctx, w.officer, casework.PersonQuery{Page: casework.Page{Limit: casework.MaxPageLimit, After: next}})
			require.NoError(t, err)
			require.Len(t, rest, 7)
			require.Empty(t, next)
		})
	}
}
