package openapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/openapi/api"
)

// cst is the deployment zone the article's stories happen in.
var cst = casework.DefaultZone()

// newFixtureAt is newFixture on a kernel whose clock the test sets, so that
// deadlines (a high-risk review within 24 h, a term's performance) can pass.
func newFixtureAt(t *testing.T, clock casework.Clock, opts ...fixtureOption) *fixture {
	t.Helper()
	return newFixture(t, append(opts, withKernelConfig(func(c *casework.Config) { c.Clock = clock }))...)
}

// neighbours is the cast of the neighbours' noise-and-rubbish dispute
// (邻里噪音垃圾纠纷) at 般阳路派出所 of 淄川公安分局, set up through the
// library (staff and persons have their own tag).
type neighbours struct {
	*fixture
	clock                     *casework.FixedClock
	station                   casework.Unit
	officer, mediator, lawyer casework.Actor
	supervisor                casework.Actor
	upstairs, downstairs      casework.Person
}

func newNeighbours(t *testing.T, opts ...fixtureOption) *neighbours {
	t.Helper()
	ctx := context.Background()
	n := &neighbours{clock: casework.NewFixedClock(time.Date(2020, 5, 6, 9, 0, 0, 0, cst))}
	n.fixture = newFixtureAt(t, n.clock, opts...)
	zichuan, err := n.k.CreateUnit(ctx, n.admin, casework.UnitInput{Code: "370302", Name: "淄川公安分局", Level: casework.LevelBranch, ParentID: n.root.ID})
	require.NoError(t, err)
	n.station, err = n.k.CreateUnit(ctx, n.admin, casework.UnitInput{Code: "370302001", Name: "般阳路派出所", Level: casework.LevelStation, ParentID: zichuan.ID})
	require.NoError(t, err)
	staff := func(u casework.Unit, name string, roles ...casework.Role) casework.Actor {
		s, err := n.k.CreateStaff(ctx, n.admin, casework.StaffInput{UnitID: u.ID, Name: name, Roles: roles})
		require.NoError(t, err)
		return n.actor(s)
	}
	n.officer = staff(n.station, "王民警", casework.RoleOfficer, casework.RoleCommunityOfficer)
	n.mediator = staff(n.station, "李调解员", casework.RoleMediator)
	n.lawyer = staff(n.station, "赵律师", casework.RoleLawyer)
	n.supervisor = staff(zichuan, "分局领导", casework.RoleSupervisor)
	person := func(name, doc, address string) casework.Person {
		p, err := n.k.CreatePerson(ctx, n.officer, casework.PersonInput{UnitID: n.station.ID, Name: name,
			DocType: casework.DocResidentID, DocNumber: doc, Address: address})
		require.NoError(t, err)
		return p
	}
	n.upstairs = person("张某", "370302198003150012", "淄川区某小区3号楼2单元402室")
	n.downstairs = person("刘某", "370302197511020025", "淄川区某小区3号楼2单元302室")
	return n
}

// at moves the clock to a local time in Zibo, May 2020.
func (n *neighbours) at(day, hour, minute int) {
	n.clock.Set(time.Date(2020, 5, day, hour, minute, 0, 0, cst))
}

// report is the dispute as the 110 call brought it in.
func (n *neighbours) report() api.DisputeInput {
	return api.DisputeInput{
		UnitId: n.station.ID, Category: "neighbour/noise", Source: mediation.SourceCall110,
		Facts:   "楼上楼下两户居民因噪音问题，互相向对方门口扔垃圾，楼道内脏乱不堪。民警将楼道打扫干净。",
		Address: "淄川区某小区3号楼2单元",
		Parties: []api.Party{{PersonId: n.downstairs.ID, Role: api.PartyRole(mediation.Applicant)}, {PersonId: n.upstairs.ID, Role: api.PartyRole(mediation.Respondent)}},
		Risk:    api.DisputeRisk(mediation.RiskMedium), RiskReason: "互扔垃圾，矛盾有升级风险",
	}
}

// signature stands for the photo of a signed page. The kernel keeps its
// bytes (Kernel.PutAttachment; over HTTP POST /v1/attachments, the kernel
// tag's); a signature names it by its metadata.
func (n *neighbours) signature(t *testing.T, who string) api.Attachment {
	t.Helper()
	a, err := n.k.PutAttachment(context.Background(), n.officer, "调解协议书-"+who+"签名.jpg", "image/jpeg", strings.NewReader("signed page of "+who))
	require.NoError(t, err)
	return api.Attachment{Name: a.Name, MediaType: a.MediaType, Size: a.Size, Sha256: a.SHA256}
}

// otherUnit makes a station outside 般阳路派出所's subtree, with one staff
// member of the role given: someone the dispute is out of reach of.
func (n *neighbours) otherUnit(t *testing.T, code, name, staffName string, role casework.Role) (casework.Unit, casework.Actor) {
	t.Helper()
	ctx := context.Background()
	u, err := n.k.CreateUnit(ctx, n.admin, casework.UnitInput{Code: code, Name: name, Level: casework.LevelStation, ParentID: n.root.ID})
	require.NoError(t, err)
	s, err := n.k.CreateStaff(ctx, n.admin, casework.StaffInput{UnitID: u.ID, Name: staffName, Roles: []casework.Role{role}})
	require.NoError(t, err)
	return u, n.actor(s)
}
