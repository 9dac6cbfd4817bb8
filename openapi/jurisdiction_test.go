package openapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/openapi/api"
)

// jurisdiction is the unit tree of the jurisdiction matrix: records live
// at 车站派出所 (home) of 张店公安分局 (parent); 车站警务室 is a child of
// home, 潘庄派出所 its sibling, and 淄川's 般阳路派出所 an unrelated unit. At
// each of these five places stands an officer who is also a supervisor,
// so that roles allow every read, write and report and only reach decides.
type jurisdiction struct {
	*fixture
	home    casework.Unit
	creator casework.Actor // the home officer who makes every record
	at      map[string]casework.Actor
	addr    casework.Address
	person  casework.Person
}

// The places an actor of the matrix stands, relative to home, and whether
// architecture.md's reach rule puts home's records in its reach: a unit
// reaches its own subtree, so home and its parent do; the child, the
// sibling and the unrelated unit do not, and see 404.
var places = []struct {
	name    string
	inReach bool
}{
	{"same", true}, {"parent", true}, {"child", false}, {"sibling", false}, {"unrelated", false},
}

func newJurisdiction(t *testing.T, b fixtureOption) *jurisdiction {
	t.Helper()
	ctx := context.Background()
	j := &jurisdiction{fixture: newFixture(t, b), at: map[string]casework.Actor{}}
	unit := func(code, name string, level casework.Level, parent string) casework.Unit {
		u, err := j.k.CreateUnit(ctx, j.admin, casework.UnitInput{Code: code, Name: name, Level: level, ParentID: parent})
		require.NoError(t, err)
		return u
	}
	zhangdian := unit("370302", "张店公安分局", casework.LevelBranch, j.root.ID)
	j.home = unit("370302CZ", "车站派出所", casework.LevelStation, zhangdian.ID)
	child := unit("370302CZ01", "车站警务室", casework.LevelOffice, j.home.ID)
	sibling := unit("370302PZ", "潘庄派出所", casework.LevelStation, zhangdian.ID)
	zichuan := unit("370303", "淄川公安分局", casework.LevelBranch, j.root.ID)
	unrelated := unit("370303BY", "般阳路派出所", casework.LevelStation, zichuan.ID)
	staff := func(u casework.Unit, name string) casework.Actor {
		s, err := j.k.CreateStaff(ctx, j.admin, casework.StaffInput{UnitID: u.ID, Name: name,
			Roles: []casework.Role{casework.RoleOfficer, casework.RoleSupervisor}})
		require.NoError(t, err)
		return j.actor(s)
	}
	j.creator = staff(j.home, "车站所民警")
	for name, u := range map[string]casework.Unit{"same": j.home, "parent": zhangdian, "child": child, "sibling": sibling, "unrelated": unrelated} {
		j.at[name] = staff(u, u.Name+"民警")
	}
	var err error
	j.addr, err = j.k.CreateAddress(ctx, j.creator, casework.AddressInput{UnitID: j.home.ID, Text: "张店区车站街1号", Community: "车站社区"})
	require.NoError(t, err)
	j.person, err = j.k.CreatePerson(ctx, j.creator, casework.PersonInput{UnitID: j.home.ID, Name: "陈某某", AddressID: j.addr.ID,
		DocType: casework.DocNone, Tags: []casework.Tag{casework.TagDifficultFamily}})
	require.NoError(t, err)
	return j
}

// recordType is one kind of record of the matrix: how the home officer
// makes one (a JSON body for POST collection) and how an actor changes it
// (a JSON body for method path, sent with If-Match); list is the query that
// lists such records.
type recordType struct {
	name, collection, list string
	create                 func(j *jurisdiction) any
	update                 func(j *jurisdiction, a casework.Actor) (method, suffix string, body any)
	report                 string // the workflow's report
}

var recordTypes = []recordType{
	{
		name: "dispute", collection: "/v1/disputes", list: "/v1/disputes?limit=100", report: "/v1/reports/disputes",
		create: func(j *jurisdiction) any {
			return api.DisputeInput{UnitId: j.home.ID, Category: "neighbour/noise", Source: mediation.SourceCall110,
				Facts: "楼上楼下因噪音互扔垃圾", Address: "张店区车站街1号"}
		},
		update: func(*jurisdiction, casework.Actor) (string, string, any) {
			return http.MethodPost, "/risk", api.RiskInput{Risk: api.DisputeRisk(mediation.RiskMedium), Reason: "矛盾有升级风险"}
		},
	},
	{
		name: "visit", collection: "/v1/visits", list: "/v1/visits?limit=100", report: "/v1/reports/outreach",
		create: func(j *jurisdiction) any {
			return api.VisitInput{UnitId: j.home.ID, AddressId: j.addr.ID, TargetKind: "difficult_family", PersonId: j.person.ID, Notes: "走访困难家庭"}
		},
		update: func(*jurisdiction, casework.Actor) (string, string, any) {
			return http.MethodPost, "/amend", api.VisitAmendment{Notes: "已联系镇民政部门"}
		},
	},
	{
		name: "case", collection: "/v1/cases", list: "/v1/cases?limit=100", report: "/v1/reports/cases",
		create: func(j *jurisdiction) any {
			return api.CaseInput{UnitId: j.home.ID, Kind: "theft", IncidentAt: time.Now().Add(-time.Hour).UTC().Truncate(time.Second),
				Place: "张店区某宾馆门外", VictimIds: []string{j.person.ID}, SuspectIds: []string{}}
		},
		update: func(*jurisdiction, casework.Actor) (string, string, any) {
			return http.MethodPost, "/dispatch-and-file", api.DispatchInput{Note: "出警"}
		},
	},
	{
		name: "property item", collection: "/v1/property-items/stolen", list: "/v1/property-items?limit=100", report: "/v1/reports/recovery",
		create: func(j *jurisdiction) any {
			return api.StolenInput{UnitId: j.home.ID, CaseId: "370302CZ-2020-000123", Category: "cage", Description: "竹制鸟笼一个",
				Quantity: 1, ValueFen: 80000, OwnerPersonId: j.person.ID, StolenAt: time.Now().Add(-time.Hour).UTC().Truncate(time.Second), StolenPlace: "张店区某宾馆门外"}
		},
		update: func(j *jurisdiction, a casework.Actor) (string, string, any) {
			return http.MethodPost, "/recovery", api.RecoveryInput{Place: "张店区马尚镇", From: "嫌疑人处扣押",
				To: api.Holder{Kind: "staff", Id: a.StaffID}, WitnessId: j.creator.StaffID, Condition: "完好", Seal: "intact"}
		},
	},
	{
		name: "person", collection: "/v1/persons", list: "/v1/persons?name=" + url.QueryEscape("王某某"),
		create: func(j *jurisdiction) any {
			return api.PersonInput{UnitId: j.home.ID, Name: "王某某", DocType: "none"}
		},
		update: func(j *jurisdiction, _ casework.Actor) (string, string, any) {
			return http.MethodPut, "", api.PersonInput{UnitId: j.home.ID, Name: "王某某", DocType: "none", Description: "身高约170厘米"}
		},
	},
}

// send is f.do with a JSON body.
func (j *jurisdiction) send(t *testing.T, a casework.Actor, method, path string, body any, header ...string) (int, http.Header, []byte) {
	t.Helper()
	var text string
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		text = string(b)
	}
	resp := j.do(t, a, method, path, text, header...)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, b
}

// listed is the ids of a list answer's items.
func listed(t *testing.T, body []byte) []string {
	t.Helper()
	var page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	require.NoError(t, json.Unmarshal(body, &page), string(body))
	ids := make([]string, 0, len(page.Items))
	for _, it := range page.Items {
		ids = append(ids, it.ID)
	}
	return ids
}

// The jurisdiction matrix (issue 12): an actor at the same unit as a
// record, its parent, its child, its sibling and an unrelated unit reads,
// lists, updates (with the record's current If-Match) and reports on one
// record of each workflow and a person. In reach (same, parent) each is
// allowed; out of reach each answers 404 exactly as an unknown id, the
// update changes nothing, and lists and the actor's own reports leave the
// record out.
func TestJurisdictionMatrixOverHTTP(t *testing.T) { eachBackend(t, testJurisdictionMatrixOverHTTP) }

func testJurisdictionMatrixOverHTTP(t *testing.T, b fixtureOption) {
	j := newJurisdiction(t, b)
	today := time.Now().In(casework.DefaultZone())
	period := "from=" + today.AddDate(0, 0, -1).Format(time.DateOnly) + "&to=" + today.AddDate(0, 0, 1).Format(time.DateOnly)
	for _, rt := range recordTypes {
		for _, place := range places {
			a := j.at[place.name]
			status, hdr, body := j.send(t, j.creator, http.MethodPost, rt.collection, rt.create(j))
			require.Equal(t, http.StatusCreated, status, "%s: %s", rt.name, body)
			var rec struct {
				ID string `json:"id"`
			}
			require.NoError(t, json.Unmarshal(body, &rec))
			self := "/v1/" + map[string]string{"dispute": "disputes", "visit": "visits", "case": "cases", "property item": "property-items", "person": "persons"}[rt.name] + "/" + rec.ID
			etag := hdr.Get("ETag")
			require.NotEmpty(t, etag)
			what := rt.name + " × " + place.name

			// read
			status, readHdr, body := j.send(t, a, http.MethodGet, self, nil)
			if place.inReach {
				require.Equal(t, http.StatusOK, status, "%s read: %s", what, body)
				require.Equal(t, etag, readHdr.Get("ETag"), what)
			} else {
				requireNotFound(t, what+" read", status, body)
			}
			// list
			status, _, body = j.send(t, a, http.MethodGet, rt.list, nil)
			require.Equal(t, http.StatusOK, status, "%s list: %s", what, body)
			require.Equal(t, place.inReach, slices.Contains(listed(t, body), rec.ID), "%s list", what)
			// update, with the version the creator holds
			method, suffix, upd := rt.update(j, a)
			status, _, body = j.send(t, a, method, self+suffix, upd, "If-Match", etag)
			if place.inReach {
				require.Equal(t, http.StatusOK, status, "%s update: %s", what, body)
			} else {
				requireNotFound(t, what+" update", status, body)
				_, after, _ := j.send(t, j.creator, http.MethodGet, self, nil)
				require.Equal(t, etag, after.Get("ETag"), "%s: a refused update changes nothing", what)
			}
			// report on the record's unit
			if rt.report != "" {
				status, _, body = j.send(t, a, http.MethodGet, rt.report+"?"+period+"&unit="+j.home.ID, nil)
				if place.inReach {
					require.Equal(t, http.StatusOK, status, "%s report: %s", what, body)
				} else {
					requireNotFound(t, what+" report", status, body)
				}
			}
		}
	}
	// Each actor's own summary: both in-reach units count the five
	// disputes, the others none of anything.
	for _, place := range places {
		status, _, body := j.send(t, j.at[place.name], http.MethodGet, "/v1/reports/summary?"+period, nil)
		require.Equal(t, http.StatusOK, status, "%s summary: %s", place.name, body)
		var sum api.ReportSummary
		require.NoError(t, json.Unmarshal(body, &sum))
		found, ok := figure(sum.Figures, "mediation.disputes.found")
		require.True(t, ok)
		if place.inReach {
			require.Equal(t, int64(len(places)), found.Value, place.name)
			continue
		}
		for _, f := range sum.Figures {
			require.Zero(t, f.Value, "%s summary counts %s", place.name, f.Key)
		}
	}
}

// requireNotFound checks a 404 problem that says nothing of the record:
// the same answer as an id that never existed.
func requireNotFound(t *testing.T, what string, status int, body []byte) {
	t.Helper()
	require.Equal(t, http.StatusNotFound, status, "%s: %s", what, body)
	var p api.Problem
	require.NoError(t, json.Unmarshal(body, &p), what)
	require.Equal(t, "no such record within reach", p.Detail, what)
}
