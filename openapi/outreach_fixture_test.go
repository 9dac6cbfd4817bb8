package openapi_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
)

// outreachWorld is a police station of the article under the fixture's
// bureau, with the staff the outreach stories need. Units, staff, addresses
// and persons are made through the kernel directly: only outreach goes
// over HTTP here.
type outreachWorld struct {
	*fixture
	branch, station casework.Unit
	officer         casework.Actor // an ordinary officer of the station
	community       casework.Actor // the community officer whose area is the station's community
	chief           casework.Actor // a supervisor of the branch: campaigns, verifications
}

// newOutreachWorld builds branch and station and their staff; community
// is the responsibility area of the community officer.
func newOutreachWorld(t *testing.T, branchName, stationName, community string, opts ...fixtureOption) *outreachWorld {
	t.Helper()
	f := newFixture(t, opts...)
	w := &outreachWorld{fixture: f}
	w.branch = w.unit(t, f.root, "B", branchName, casework.LevelBranch)
	w.station = w.unit(t, w.branch, "S", stationName, casework.LevelStation)
	w.officer = w.staff(t, w.station, stationName+"民警", nil, casework.RoleOfficer)
	w.community = w.staff(t, w.station, stationName+"社区民警", []string{community}, casework.RoleCommunityOfficer)
	w.chief = w.staff(t, w.branch, branchName+"领导", nil, casework.RoleSupervisor)
	return w
}

func (w *outreachWorld) unit(t *testing.T, parent casework.Unit, code, name string, level casework.Level) casework.Unit {
	t.Helper()
	u, err := w.k.CreateUnit(context.Background(), w.admin, casework.UnitInput{Code: parent.Code + code, Name: name, Level: level, ParentID: parent.ID})
	require.NoError(t, err)
	return u
}

func (w *outreachWorld) staff(t *testing.T, u casework.Unit, name string, areas []string, roles ...casework.Role) casework.Actor {
	t.Helper()
	s, err := w.k.CreateStaff(context.Background(), w.admin, casework.StaffInput{UnitID: u.ID, Name: name, Roles: roles, Areas: areas})
	require.NoError(t, err)
	return w.actor(s)
}

func (w *outreachWorld) address(t *testing.T, text, community string) casework.Address {
	t.Helper()
	a, err := w.k.CreateAddress(context.Background(), w.community, casework.AddressInput{UnitID: w.station.ID, Text: text, Community: community})
	require.NoError(t, err)
	return a
}

func (w *outreachWorld) person(t *testing.T, name string, addr casework.Address, tags ...casework.Tag) casework.Person {
	t.Helper()
	p, err := w.k.CreatePerson(context.Background(), w.community, casework.PersonInput{UnitID: w.station.ID, Name: name, AddressID: addr.ID, Tags: tags})
	require.NoError(t, err)
	return p
}
