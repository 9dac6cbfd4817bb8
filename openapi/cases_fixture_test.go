package openapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
)

// caseWorld is the setting of the bird-cage story (鸟笼被盗) on the fixture:
// 张店公安分局 with its 打侵财专业工作队 and 车站派出所, a community officer of the
// branch who hears of the theft on a visit, an officer and the supervisor of
// the team, an officer of the station the case is shared with, the owner
// 陈某某 and the suspect 李某. Units, staff and persons are made through the
// library: they are the kernel tag's operations, not the ones under test.
type caseWorld struct {
	*fixture
	zhangdian, team, station                     casework.Unit
	visitor, officer, supervisor, stationOfficer casework.Actor
	chen, suspect                                casework.Person
}

func newCaseWorld(t *testing.T, opts ...fixtureOption) *caseWorld {
	t.Helper()
	ctx := context.Background()
	w := &caseWorld{fixture: newFixture(t, opts...)}
	unit := func(code, name string, level casework.Level, parent string) casework.Unit {
		u, err := w.k.CreateUnit(ctx, w.admin, casework.UnitInput{Code: code, Name: name, Level: level, ParentID: parent})
		require.NoError(t, err)
		return u
	}
	w.zhangdian = unit("370302", "张店公安分局", casework.LevelBranch, w.root.ID)
	w.team = unit("370302DQC", "打侵财专业工作队", casework.LevelStation, w.zhangdian.ID)
	w.station = unit("370302CZ", "车站派出所", casework.LevelStation, w.zhangdian.ID)
	staff := func(u casework.Unit, name string, r casework.Role) casework.Actor {
		s, err := w.k.CreateStaff(ctx, w.admin, casework.StaffInput{UnitID: u.ID, Name: name, Roles: []casework.Role{r}})
		require.NoError(t, err)
		return w.actor(s)
	}
	w.visitor = staff(w.zhangdian, "分局社区民警", casework.RoleCommunityOfficer)
	w.officer = staff(w.team, "工作队民警", casework.RoleOfficer)
	w.supervisor = staff(w.team, "工作队队长", casework.RoleSupervisor)
	w.stationOfficer = staff(w.station, "车站所民警", casework.RoleOfficer)
	person := func(name string) casework.Person {
		p, err := w.k.CreatePerson(ctx, w.officer, casework.PersonInput{UnitID: w.team.ID, Name: name, DocType: casework.DocNone})
		require.NoError(t, err)
		return p
	}
	w.chen, w.suspect = person("陈某某"), person("李某")
	return w
}

// response is what every generated client response has.
type response interface {
	StatusCode() int
}

// requireStatus checks a response's status and shows its body (the
// problem) when it is not the one expected.
func requireStatus(t *testing.T, want int, r response, body []byte) {
	t.Helper()
	require.Equal(t, want, r.StatusCode(), string(body))
}

// etagOf is the ETag header of a response.
func etagHeader(r *http.Response) string { return r.Header.Get("ETag") }
