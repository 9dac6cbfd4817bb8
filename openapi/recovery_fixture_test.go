package openapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/openapi/api"
	"github.com/grassroots-policing/grassroots/openapi/client"
)

// recStory is the fixture of the article's bird cage (鸟笼): 张店公安分局
// with 车站派出所 below it, the station's officers, the branch's custodians
// and its deputy chief, a branch officer who is also a supervisor (to show
// that nobody approves their own request), and the cage's owner 陈某某.
type recStory struct {
	*fixture
	branch, station                     casework.Unit
	officer, officer2                   casework.Actor // 民警张某, 民警李某 (station)
	custodian, custodian2               casework.Actor // 保管员王某, 保管员赵某 (branch)
	chief                               casework.Actor // 副局长孙某 (branch supervisor)
	dual                                casework.Actor // 所长周某: supervisor and officer at the branch
	owner                               casework.Person
	ownerDoc                            string
	stolenAt                            time.Time // two days ago: the matcher weighs time
	cOfficer, cCustodian, cChief, cDual *client.ClientWithResponses
}

func newRecStory(t *testing.T, opts ...fixtureOption) *recStory {
	t.Helper()
	f := newFixture(t, opts...)
	ctx := context.Background()
	s := &recStory{fixture: f, ownerDoc: "11010519491231002X", stolenAt: time.Now().Add(-48 * time.Hour).Truncate(time.Second)}
	unit := func(code, name string, level casework.Level, parent string) casework.Unit {
		u, err := f.k.CreateUnit(ctx, f.admin, casework.UnitInput{Code: code, Name: name, Level: level, ParentID: parent})
		require.NoError(t, err)
		return u
	}
	s.branch = unit("370302", "张店公安分局", casework.LevelBranch, f.root.ID)
	s.station = unit("370302010", "车站派出所", casework.LevelStation, s.branch.ID)
	staff := func(u casework.Unit, name string, roles ...casework.Role) casework.Actor {
		st, err := f.k.CreateStaff(ctx, f.admin, casework.StaffInput{UnitID: u.ID, Name: name, Roles: roles})
		require.NoError(t, err)
		return f.actor(st)
	}
	s.officer = staff(s.station, "民警张某", casework.RoleOfficer)
	s.officer2 = staff(s.station, "民警李某", casework.RoleOfficer)
	s.custodian = staff(s.branch, "保管员王某", casework.RoleCustodian)
	s.custodian2 = staff(s.branch, "保管员赵某", casework.RoleCustodian)
	s.chief = staff(s.branch, "副局长孙某", casework.RoleSupervisor)
	s.dual = staff(s.branch, "所长周某", casework.RoleSupervisor, casework.RoleOfficer)
	p, err := f.k.CreatePerson(ctx, s.officer, casework.PersonInput{UnitID: s.station.ID, Name: "陈某某",
		DocType: casework.DocResidentID, DocNumber: s.ownerDoc})
	require.NoError(t, err)
	s.owner = p
	s.cOfficer, s.cCustodian, s.cChief, s.cDual = f.client(t, s.officer), f.client(t, s.custodian), f.client(t, s.chief), f.client(t, s.dual)
	return s
}

// attach stores a scanned document (a signed receipt, a destruction
// certificate) through the kernel, as the desk's scanner would, and
// returns it as the API names it.
func (s *recStory) attach(t *testing.T, a casework.Actor, name string) api.Attachment {
	t.Helper()
	at, err := s.k.PutAttachment(context.Background(), a, name, "image/jpeg", strings.NewReader("扫描件 "+name))
	require.NoError(t, err)
	return api.Attachment{Name: at.Name, MediaType: at.MediaType, Size: at.Size, Sha256: at.SHA256}
}

// stolenCage is the report of 12 May 2020: a bamboo cage taken from a tree
// outside a hotel.
func (s *recStory) stolenCage() api.StolenInput {
	return api.StolenInput{UnitId: s.station.ID, CaseId: "370302010-2020-000123", Category: "cage", Description: "竹制鸟笼一个",
		Quantity: 1, ValueFen: 80000, OwnerPersonId: s.owner.ID, StolenAt: s.stolenAt, StolenPlace: "张店区某宾馆门外树上"}
}

// intake is a recovery into the officer's own hands, witnessed.
func (s *recStory) intake(place, from string) api.RecoveryInput {
	return api.RecoveryInput{Place: place, From: from, To: api.Holder{Kind: "staff", Id: s.officer.StaffID},
		WitnessId: s.officer2.StaffID, Condition: "完好", Seal: "intact"}
}

// recStatus fails with the response body, which names the problem.
func recStatus(t *testing.T, want, got int, body []byte) {
	t.Helper()
	require.Equal(t, want, got, string(body))
}

// recProblem decodes a problem+json body.
func recProblem(t *testing.T, body []byte) api.Problem {
	t.Helper()
	var p api.Problem
	require.NoError(t, json.Unmarshal(body, &p), string(body))
	return p
}
