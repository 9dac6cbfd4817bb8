package outreach_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/stretchr/testify/require"
)

// Promise: reach. A record outside the actor's unit subtree (and not
// shared with it) answers exactly as an id that does not exist —
// ErrNotFound and the zero value — before roles, policy or level are
// consulted; an actor who is no staff member reaches nothing.

// backends are the stores a test world can run on.
var backends = []string{"memory", "sqlite", "postgres"}

// jurisdiction is the unit tree around the station the records belong to:
// the same unit, a child (警务室), the parent branch, a sibling station, an
// unrelated station under another branch, and someone who is no staff
// member at all. Each staff actor holds officer and supervisor, so what it
// gets depends on reach alone.
type jurisdiction struct {
	same, child, parent, sibling, unrelated, nobody casework.Actor
	siblingUnit, unrelatedUnit                      casework.Unit
}

func (b *bundle) jurisdiction(t *testing.T) jurisdiction {
	t.Helper()
	office := b.unit(t, "370302001001", "潘庄警务室", casework.LevelOffice, b.station.ID)
	sibling := b.unit(t, "370302002", "马尚派出所", casework.LevelStation, b.branch.ID)
	unrelated := b.unit(t, "370305001", "雪宫派出所", casework.LevelStation, b.other.ID)
	both := []casework.Role{casework.RoleOfficer, casework.RoleSupervisor}
	return jurisdiction{
		same:          b.staff(t, b.station.ID, "本所民警", nil, both...),
		child:         b.staff(t, office.ID, "警务室民警", nil, both...),
		parent:        b.staff(t, b.branch.ID, "分局民警", nil, both...),
		sibling:       b.staff(t, sibling.ID, "兄弟所民警", nil, both...),
		unrelated:     b.staff(t, unrelated.ID, "外分局民警", nil, both...),
		nobody:        casework.Actor{StaffID: "nobody", UnitID: b.station.ID, Roles: both},
		siblingUnit:   sibling,
		unrelatedUnit: unrelated,
	}
}

// Expectations of an actor in the matrix besides "the record" and "not
// found": a campaign is read-shared with the units taking part and below,
// so a child unit reads it, and may not change it.
const (
	notFound  = ""
	succeeds  = "ok"
	forbidden = "forbidden"
)

// method is one exported method of Service in the matrix: prepare builds
// what the call acts on (a record in the state it needs; its id), call
// makes the call as actor and returns its value and error. child says what
// an actor of a child unit gets (default not found). own marks a list of
// the actor's own subtree: there a record out of reach is simply absent
// (call returns only the rows with the id).
type method struct {
	name    string
	prepare func(b *bundle) string
	call    func(b *bundle, a casework.Actor, id string) (any, error)
	child   string
	own     bool
}

type page[T any] struct {
	Rows []T
	Next string
}

// methods lists every exported method of Service that takes an actor. A
// new method joins the matrix with one entry here.
func methods(t *testing.T, j *jurisdiction) []method {
	slot := 0
	visit := func(b *bundle) string {
		v, err := b.svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, AddressID: b.address.ID,
			TargetKind: outreach.SecurityKeySite, Organisation: "加油站",
			Disputes: []outreach.DisputeInput{{Category: "neighbour/animal", Summary: "大型犬扰民"}}})
		require.NoError(t, err)
		return v.ID
	}
	hazard := func(b *bundle) string {
		h, err := b.svc.ReportHazard(b.ctx, b.officer, outreach.HazardInput{UnitID: b.station.ID, AddressID: b.address.ID, Place: "配电箱",
			Kind: "electrical", Severity: outreach.SeverityMajor, Description: "线路裸露", Responsible: "站长", DueInDays: 3})
		require.NoError(t, err)
		return h.ID
	}
	rectifying := func(b *bundle) string {
		h, err := b.svc.StartRectifying(b.ctx, b.officer, hazard(b), 1, "")
		require.NoError(t, err)
		return h.ID
	}
	rectified := func(b *bundle) string {
		h, err := b.svc.RecordRectified(b.ctx, b.officer, rectifying(b), 2, "已更换")
		require.NoError(t, err)
		return h.ID
	}
	appointment := func(b *bundle) string {
		slot++ // each its own hour, begun already (a no-show may be said)
		at := start.Add(-time.Duration(slot) * 2 * time.Hour)
		a, err := b.svc.RequestAppointment(b.ctx, b.officer, outreach.AppointmentInput{UnitID: b.station.ID, Service: outreach.ServiceDoorToDoor,
			Requester: "居民", Place: "潘庄社区", Request: "办理居住证", StartsAt: at, EndsAt: at.Add(time.Hour)})
		require.NoError(t, err)
		return a.ID
	}
	accepted := func(b *bundle) string {
		id := appointment(b)
		a, err := b.svc.AcceptAppointment(b.ctx, b.officer, id, 1, "")
		require.NoError(t, err)
		return a.ID
	}
	campaign := func(b *bundle) string {
		c, err := b.svc.CreateCampaign(b.ctx, b.chief, outreach.CampaignInput{UnitID: b.station.ID, Name: "百万警进千万家",
			From: start, To: start.Add(48 * time.Hour), Goals: []outreach.Goal{{Kind: outreach.Online, Count: 10}}})
		require.NoError(t, err)
		return c.ID
	}
	planned := func(b *bundle) string {
		e, err := b.svc.AddToPlan(b.ctx, b.officer, outreach.PlanInput{UnitID: b.station.ID, Kind: outreach.School, AddressID: b.address.ID})
		require.NoError(t, err)
		return e.ID
	}
	// The unit of a record, or a made-up unit for a made-up id.
	unitOf := func(b *bundle, id string) string {
		for _, get := range []func() (string, error){
			func() (string, error) { v, err := b.os.GetVisit(b.ctx, id); return v.UnitID, err },
			func() (string, error) { v, err := b.os.GetHazard(b.ctx, id); return v.UnitID, err },
			func() (string, error) { v, err := b.os.GetAppointment(b.ctx, id); return v.UnitID, err },
			func() (string, error) { v, err := b.os.GetCampaign(b.ctx, id); return v.UnitID, err },
			func() (string, error) { v, err := b.os.GetPlanEntry(b.ctx, id); return v.UnitID, err },
		} {
			if u, err := get(); err == nil {
				return u
			}
		}
		return id
	}
	version := func(get func() (int64, error)) int64 {
		if v, err := get(); err == nil {
			return v
		}
		return 1 // a made-up id: any version
	}
	hv := func(b *bundle, id string) int64 {
		return version(func() (int64, error) { h, err := b.os.GetHazard(b.ctx, id); return h.Version, err })
	}
	av := func(b *bundle, id string) int64 {
		return version(func() (int64, error) { a, err := b.os.GetAppointment(b.ctx, id); return a.Version, err })
	}
	period := casework.ReportQuery{From: start.Add(-24 * time.Hour), To: start.Add(24 * time.Hour)}
	name := "新名"
	notes := "补记"
	return []method{
		// Visits.
		{name: "GetVisit", prepare: visit, call: func(b *bundle, a casework.Actor, id string) (any, error) { return b.svc.GetVisit(b.ctx, a, id) }},
		{name: "History", prepare: visit, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			return b.svc.History(b.ctx, a, outreach.RecordVisit, id)
		}},
		{name: "HandOffs", prepare: visit, call: func(b *bundle, a casework.Actor, id string) (any, error) { return b.svc.HandOffs(b.ctx, a, id) }},
		{name: "AmendVisit", prepare: visit, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			return b.svc.AmendVisit(b.ctx, a, id, 1, outreach.VisitAmendment{Notes: &notes})
		}},
		{name: "RecordVisit", prepare: visit, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			return b.svc.RecordVisit(b.ctx, a, outreach.VisitInput{UnitID: unitOf(b, id), TargetKind: outreach.Online, Organisation: "网上"})
		}},
		{name: "ListVisits", prepare: visit, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			rows, next, err := b.svc.ListVisits(b.ctx, a, outreach.VisitQuery{UnitID: unitOf(b, id)})
			return page[outreach.Visit]{rows, next}, err
		}},
		// Hazards.
		{name: "GetHazard", prepare: hazard, call: func(b *bundle, a casework.Actor, id string) (any, error) { return b.svc.GetHazard(b.ctx, a, id) }},
		{name: "History hazard", prepare: hazard, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			return b.svc.History(b.ctx, a, outreach.RecordHazard, id)
		}},
		{name: "ReportHazard", prepare: hazard, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			return b.svc.ReportHazard(b.ctx, a, outreach.HazardInput{UnitID: unitOf(b, id), Place: "楼道", Kind: "electrical",
				Severity: outreach.SeverityGeneral, Description: "堆物", Responsible: "物业", DueInDays: 3})
		}},
		{name: "StartRectifying", prepare: hazard, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			return b.svc.StartRectifying(b.ctx, a, id, hv(b, id), "")
		}},
		{name: "RecordRectified", prepare: rectifying, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			return b.svc.RecordRectified(b.ctx, a, id, hv(b, id), "已整改")
		}},
		{name: "VerifyHazard", prepare: rectified, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			return b.svc.VerifyHazard(b.ctx, a, id, hv(b, id), "合格")
		}},
		{name: "RejectRectification", prepare: rectified, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			return b.svc.RejectRectification(b.ctx, a, id, hv(b, id), "仍有隐患")
		}},
		{name: "ListHazards", prepare: hazard, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			rows, next, err := b.svc.ListHazards(b.ctx, a, outreach.HazardQuery{UnitID: unitOf(b, id)})
			return page[outreach.Hazard]{rows, next}, err
		}},
		// Appointments.
		{name: "GetAppointment", prepare: appointment, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			return b.svc.GetAppointment(b.ctx, a, id)
		}},
		{name: "History appointment", prepare: appointment, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			return b.svc.History(b.ctx, a, outreach.RecordAppointment, id)
		}},
		{name: "RequestAppointment", prepare: appointment, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			return b.svc.RequestAppointment(b.ctx, a, outreach.AppointmentInput{UnitID: unitOf(b, id), Service: outreach.ServiceDoorToDoor,
				Requester: "居民", Place: "社区", Request: "咨询", StartsAt: start.Add(time.Hour), EndsAt: start.Add(2 * time.Hour)})
		}},
		{name: "AcceptAppointment", prepare: appointment, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			return b.svc.AcceptAppointment(b.ctx, a, id, av(b, id), "")
		}},
		{name: "CompleteAppointment", prepare: accepted, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			return b.svc.CompleteAppointment(b.ctx, a, id, av(b, id), "已办结", "")
		}},
		{name: "DeclineAppointment", prepare: appointment, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			return b.svc.DeclineAppointment(b.ctx, a, id, av(b, id), "不属受理范围")
		}},
		{name: "MarkNoShow", prepare: accepted, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			return b.svc.MarkNoShow(b.ctx, a, id, av(b, id), "未见人")
		}},
		{name: "ListAppointments", prepare: appointment, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			rows, next, err := b.svc.ListAppointments(b.ctx, a, outreach.AppointmentQuery{UnitID: unitOf(b, id)})
			return page[outreach.Appointment]{rows, next}, err
		}},
		// Campaigns: read-shared with the units taking part and below.
		{name: "GetCampaign", prepare: campaign, child: succeeds, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			return b.svc.GetCampaign(b.ctx, a, id)
		}},
		{name: "History campaign", prepare: campaign, child: succeeds, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			return b.svc.History(b.ctx, a, outreach.RecordCampaign, id)
		}},
		{name: "CampaignProgress", prepare: campaign, child: succeeds, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			return b.svc.CampaignProgress(b.ctx, a, id)
		}},
		{name: "UpdateCampaign", prepare: campaign, child: forbidden, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			return b.svc.UpdateCampaign(b.ctx, a, id, version(func() (int64, error) { c, err := b.os.GetCampaign(b.ctx, id); return c.Version, err }),
				outreach.CampaignUpdate{Name: &name})
		}},
		{name: "CreateCampaign", prepare: campaign, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			return b.svc.CreateCampaign(b.ctx, a, outreach.CampaignInput{UnitID: unitOf(b, id), Name: "夏季治安", From: start, To: start})
		}},
		{name: "ListCampaigns", prepare: campaign, child: succeeds, own: true, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			rows, _, err := b.svc.ListCampaigns(b.ctx, a, time.Time{}, casework.Page{})
			if rows = slices.DeleteFunc(rows, func(c outreach.Campaign) bool { return c.ID != id }); len(rows) == 0 {
				rows = nil
			}
			return rows, err
		}},
		// The plan.
		{name: "GetPlanEntry", prepare: planned, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			return b.svc.GetPlanEntry(b.ctx, a, id)
		}},
		{name: "History plan entry", prepare: planned, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			return b.svc.History(b.ctx, a, outreach.RecordPlanEntry, id)
		}},
		{name: "AddToPlan", prepare: planned, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			return b.svc.AddToPlan(b.ctx, a, outreach.PlanInput{UnitID: unitOf(b, id), Kind: outreach.School, Organisation: "实验小学", AddressID: b.address.ID})
		}},
		{name: "RemoveFromPlan", prepare: planned, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			return b.svc.RemoveFromPlan(b.ctx, a, id, 1, "已搬离")
		}},
		{name: "DueVisits", prepare: planned, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			rows, next, err := b.svc.DueVisits(b.ctx, a, outreach.DueQuery{UnitID: unitOf(b, id)})
			return page[outreach.DueVisit]{rows, next}, err
		}},
		// Figures.
		{name: "Totals", prepare: visit, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			q := period
			q.UnitID = unitOf(b, id)
			return b.svc.Totals(b.ctx, a, q)
		}},
		{name: "TotalsByUnit", prepare: visit, call: func(b *bundle, a casework.Actor, id string) (any, error) {
			q := period
			q.UnitID = unitOf(b, id)
			return b.svc.TotalsByUnit(b.ctx, a, q)
		}},
	}
}

func isZero(v any) bool { return v == nil || reflect.ValueOf(v).IsZero() }

func requireNotFoundZero(t *testing.T, v any, err error, msg string) {
	t.Helper()
	require.ErrorIs(t, err, outreach.ErrNotFound, msg)
	require.NotErrorIs(t, err, outreach.ErrForbidden, msg)
	require.True(t, isZero(v), "%s: a value beside the error: %+v", msg, v)
}

// TestJurisdictionMatrix runs every method for actors of the same unit, a
// child, the parent, a sibling, an unrelated unit and a non-staff actor,
// and for a made-up id, on every backend. The same unit and the parent
// reach the record and succeed; everyone else gets exactly what a made-up
// id gets: ErrNotFound and the zero value (a list of the actor's own
// subtree: no error, the record absent).
func TestJurisdictionMatrix(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			b := setupOn(t, backend, nil)
			j := b.jurisdiction(t)
			for _, m := range methods(t, &j) {
				for _, tc := range []struct {
					who    string
					actor  casework.Actor
					expect string
				}{
					{"same unit", j.same, succeeds}, {"parent unit", j.parent, succeeds},
					{"child unit", j.child, m.child}, {"sibling unit", j.sibling, notFound},
					{"unrelated unit", j.unrelated, notFound}, {"no staff member", j.nobody, notFound},
				} {
					id := m.prepare(b)
					v, err := m.call(b, tc.actor, id)
					msg := m.name + " by " + tc.who
					switch {
					case tc.expect == succeeds:
						require.NoError(t, err, msg)
						require.False(t, isZero(v), msg)
					case tc.expect == forbidden:
						require.ErrorIs(t, err, outreach.ErrForbidden, msg)
						require.True(t, isZero(v), "%s: a value beside the error: %+v", msg, v)
					case m.own && tc.actor.StaffID != j.nobody.StaffID:
						require.NoError(t, err, msg)
						require.True(t, isZero(v), "%s: lists a record out of reach: %+v", msg, v)
					default:
						requireNotFoundZero(t, v, err, msg)
					}
				}
				v, err := m.call(b, j.same, "no-such-record")
				if m.own {
					require.NoError(t, err, m.name)
					require.True(t, isZero(v), m.name)
					continue
				}
				requireNotFoundZero(t, v, err, m.name+" of a made-up id")
			}
		})
	}
}

func requireField(t *testing.T, err error, field, rule string) {
	t.Helper()
	require.ErrorIs(t, err, outreach.ErrInvalid)
	require.Equal(t, rule, fieldRules(t, err)[field], "%v", err)
}

// TestReferencesInReach: every id an input names — persons, addresses,
// staff, units, visits, plan entries, campaigns — must be in the actor's
// reach. One of another unit answers as one that does not exist: ErrInvalid
// naming the field with rule exists.
func TestReferencesInReach(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			b := setupOn(t, backend, nil)
			j := b.jurisdiction(t)
			u := j.unrelatedUnit.ID
			// What the unrelated station holds.
			addr, err := b.k.CreateAddress(b.ctx, j.unrelated, casework.AddressInput{UnitID: u, Text: "临淄区某小区1号", Community: "雪宫社区"})
			require.NoError(t, err)
			theirs, err := b.k.CreatePerson(b.ctx, j.unrelated, casework.PersonInput{UnitID: u, Name: "外所居民", AddressID: addr.ID})
			require.NoError(t, err)
			staffer := b.staff(t, u, "外所社区民警", []string{"雪宫社区"}, casework.RoleCommunityOfficer)
			visit, err := b.svc.RecordVisit(b.ctx, j.unrelated, outreach.VisitInput{UnitID: u, TargetKind: outreach.Online, Organisation: "网上"})
			require.NoError(t, err)
			entry, err := b.svc.AddToPlan(b.ctx, j.unrelated, outreach.PlanInput{UnitID: u, Kind: outreach.School, AddressID: addr.ID})
			require.NoError(t, err)
			camp, err := b.svc.CreateCampaign(b.ctx, j.unrelated, outreach.CampaignInput{UnitID: u, Name: "外所行动", From: start, To: start})
			require.NoError(t, err)

			for _, made := range []bool{false, true} {
				pick := func(id string) string {
					if made {
						return "made-up-" + id
					}
					return id
				}
				visitIn := func(mut func(*outreach.VisitInput)) error {
					in := outreach.VisitInput{UnitID: b.station.ID, AddressID: b.address.ID, TargetKind: outreach.SecurityKeySite, Organisation: "加油站"}
					mut(&in)
					_, err := b.svc.RecordVisit(b.ctx, b.officer, in)
					return err
				}
				requireField(t, visitIn(func(in *outreach.VisitInput) { in.PersonID = pick(theirs.ID) }), "personId", "exists")
				requireField(t, visitIn(func(in *outreach.VisitInput) { in.AddressID = pick(addr.ID) }), "addressId", "exists")
				requireField(t, visitIn(func(in *outreach.VisitInput) { in.OfficerIDs = []string{pick(staffer.StaffID)} }), "officerIds[0]", "exists")
				requireField(t, visitIn(func(in *outreach.VisitInput) {
					in.Disputes = []outreach.DisputeInput{{Category: "neighbour/animal", Summary: "s", PartyIDs: []string{pick(theirs.ID)}}}
				}), "disputes[0].partyIds[0]", "exists")
				requireField(t, visitIn(func(in *outreach.VisitInput) {
					in.Leads = []outreach.LeadInput{{Summary: "s", PersonIDs: []string{pick(theirs.ID)}}}
				}), "leads[0].personIds[0]", "exists")
				requireField(t, visitIn(func(in *outreach.VisitInput) { in.PlanEntryID = pick(entry.ID) }), "planEntryId", "exists")
				requireField(t, visitIn(func(in *outreach.VisitInput) { in.CampaignID = pick(camp.ID) }), "campaignId", "exists")

				hazardIn := outreach.HazardInput{UnitID: b.station.ID, Place: "楼道", Kind: "electrical", Severity: outreach.SeverityGeneral,
					Description: "d", Responsible: "物业", DueInDays: 3}
				for field, mut := range map[string]func(*outreach.HazardInput){
					"visitId":             func(in *outreach.HazardInput) { in.VisitID = pick(visit.ID) },
					"addressId":           func(in *outreach.HazardInput) { in.AddressID = pick(addr.ID) },
					"responsiblePersonId": func(in *outreach.HazardInput) { in.ResponsiblePersonID = pick(theirs.ID) },
				} {
					in := hazardIn
					mut(&in)
					_, err := b.svc.ReportHazard(b.ctx, b.officer, in)
					requireField(t, err, field, "exists")
				}

				apptIn := outreach.AppointmentInput{UnitID: b.station.ID, Service: outreach.ServiceDoorToDoor, Requester: "居民", Place: "社区",
					Request: "咨询", StartsAt: start.Add(time.Hour), EndsAt: start.Add(2 * time.Hour)}
				in := apptIn
				in.PersonID = pick(theirs.ID)
				_, err := b.svc.RequestAppointment(b.ctx, b.officer, in)
				requireField(t, err, "personId", "exists")
				in = apptIn
				in.AddressID = pick(addr.ID)
				_, err = b.svc.RequestAppointment(b.ctx, b.officer, in)
				requireField(t, err, "addressId", "exists")
				a, err := b.svc.RequestAppointment(b.ctx, b.officer, apptIn)
				require.NoError(t, err)
				_, err = b.svc.AcceptAppointment(b.ctx, b.officer, a.ID, a.Version, pick(staffer.StaffID))
				requireField(t, err, "officerId", "exists")
				a, err = b.svc.AcceptAppointment(b.ctx, b.officer, a.ID, a.Version, "")
				require.NoError(t, err)
				_, err = b.svc.CompleteAppointment(b.ctx, b.officer, a.ID, a.Version, "n", pick(visit.ID))
				requireField(t, err, "visitId", "exists")
				_, err = b.svc.DeclineAppointment(b.ctx, b.officer, a.ID, a.Version, "退回")
				require.NoError(t, err)

				_, err = b.svc.AddToPlan(b.ctx, b.officer, outreach.PlanInput{UnitID: b.station.ID, Kind: outreach.DifficultFamily,
					AddressID: b.address.ID, PersonID: pick(theirs.ID)})
				requireField(t, err, "personId", "exists")
				_, err = b.svc.AddToPlan(b.ctx, b.officer, outreach.PlanInput{UnitID: b.station.ID, Kind: outreach.School, AddressID: pick(addr.ID)})
				requireField(t, err, "addressId", "exists")
				_, err = b.svc.CreateCampaign(b.ctx, b.chief, outreach.CampaignInput{UnitID: b.station.ID, Name: "n", From: start, To: start,
					UnitIDs: []string{pick(u)}})
				requireField(t, err, "unitIds[0]", "exists")

				_, _, err = b.svc.ListHazards(b.ctx, b.chief, outreach.HazardQuery{OfficerID: pick(staffer.StaffID)})
				requireField(t, err, "officerId", "exists")
				_, _, err = b.svc.DueVisits(b.ctx, b.chief, outreach.DueQuery{OfficerID: pick(staffer.StaffID)})
				requireField(t, err, "officerId", "exists")
			}
		})
	}
}
