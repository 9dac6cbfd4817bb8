package openapi_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/openapi/api"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/grassroots-policing/grassroots/recovery"
)

// mergeWorld is a station with an unidentified suspect (the survivor to
// be), the same man entered again by name and ID number (the duplicate),
// and records of three workflows naming the duplicate: a dispute he is a
// party of, a case he is a suspect in, and an item returned to him.
type mergeWorld struct {
	*fixture
	station            casework.Unit
	officer, chief     casework.Actor
	suspect, duplicate casework.Person
	victim             casework.Person
	dispute            mediation.Dispute
	theft              cases.Case
	item               recovery.Item
	ret                recovery.Return
	plan               outreach.PlanEntry
}

const mergeDoc = "11010519491231002X"

func newMergeWorld(t *testing.T, opts ...fixtureOption) *mergeWorld {
	t.Helper()
	ctx := context.Background()
	w := &mergeWorld{fixture: newFixture(t, opts...)}
	w.station = w.fixture.station(t, "370302010")
	w.officer = w.staff(t, w.station.ID, casework.RoleOfficer)
	w.chief = w.staff(t, w.station.ID, casework.RoleSupervisor)
	person := func(in casework.PersonInput) casework.Person {
		in.UnitID = w.station.ID
		p, err := w.k.CreatePerson(ctx, w.officer, in)
		require.NoError(t, err)
		return p
	}
	w.suspect = person(casework.PersonInput{Unidentified: true, Description: "戴灰色帽子的男子，约三十岁"})
	w.duplicate = person(casework.PersonInput{Name: "陈某某", DocType: casework.DocResidentID, DocNumber: mergeDoc})
	w.victim = person(casework.PersonInput{Name: "李某"})
	now := w.k.Now()
	w.dispute = mediation.Dispute{ID: w.k.NewID(), UnitID: w.station.ID, State: "accepted", Kind: mediation.KindPeople,
		Category: "neighbour", ReportedAt: now, Parties: []mediation.Party{
			{PersonID: w.duplicate.ID, Role: "applicant"}, {PersonID: w.victim.ID, Role: "respondent"}},
		Version: 1, CreatedAt: now, UpdatedAt: now}
	require.NoError(t, w.stores.mediation.CreateDispute(ctx, w.dispute, casework.Change{}))
	w.theft = cases.Case{ID: w.k.NewID(), UnitID: w.station.ID, Kind: "theft", State: cases.StateReported, IncidentAt: now, ReportedAt: now,
		VictimIDs: []string{w.victim.ID}, SuspectIDs: []string{w.duplicate.ID}, Version: 1, CreatedAt: now, UpdatedAt: now}
	require.NoError(t, w.stores.cases.CommitCases(ctx, cases.Write{NewCases: []cases.Case{w.theft}}, casework.Change{}))
	w.item = recovery.Item{ID: w.k.NewID(), UnitID: w.station.ID, Origin: recovery.OriginReported, Category: "bicycle",
		Description: "永久牌自行车", Quantity: 1, State: recovery.StateReturned, OwnerPersonID: w.duplicate.ID,
		Version: 1, CreatedAt: now, UpdatedAt: now}
	w.ret = recovery.Return{ID: w.k.NewID(), UnitID: w.station.ID, ItemID: w.item.ID, State: recovery.ReturnCompleted,
		OwnerPersonID: w.duplicate.ID, RecipientPersonID: w.duplicate.ID, Version: 1, CreatedAt: now, UpdatedAt: now}
	require.NoError(t, w.stores.recovery.Apply(ctx, recovery.Batch{NewItems: []recovery.Item{w.item}, NewReturns: []recovery.Return{w.ret}}, casework.Change{}))
	w.plan = outreach.PlanEntry{ID: w.k.NewID(), UnitID: w.station.ID, Kind: outreach.DifficultFamily, Address: "张店区潘庄社区",
		PersonID: w.duplicate.ID, Since: now, Deadline: now.Add(30 * 24 * time.Hour), Active: true, Version: 1, CreatedAt: now, UpdatedAt: now}
	require.NoError(t, w.stores.outreach.CreatePlanEntry(ctx, w.plan, casework.Change{}))
	return w
}

func (w *mergeWorld) input() casework.PersonMergeInput {
	return casework.PersonMergeInput{SurvivorID: w.suspect.ID, SurvivorVersion: w.suspect.Version,
		MergedID: w.duplicate.ID, MergedVersion: w.duplicate.Version, Reason: "指纹比对确认戴帽男子即陈某某"}
}

func TestPersonMergeMovesEveryReference(t *testing.T) {
	eachBackend(t, func(t *testing.T, b fixtureOption) {
		w := newMergeWorld(t, b)
		ctx := context.Background()
		// Over HTTP: If-Match names the survivor's version, the body the
		// duplicate's; a stale If-Match is 412, a stale mergedVersion 409,
		// and neither moves anything.
		c := w.client(t, w.chief)
		body := api.PersonMergeInput{MergedId: w.duplicate.ID, MergedVersion: w.duplicate.Version, Reason: w.input().Reason}
		stale := body
		stale.MergedVersion++
		for _, tc := range []struct {
			ifMatch string
			body    api.PersonMergeInput
			want    int
		}{{`"2"`, body, 412}, {`"1"`, stale, 409}, {"", body, 428}} {
			res, err := c.MergePersonsWithResponse(ctx, w.suspect.ID, &api.MergePersonsParams{IfMatch: tc.ifMatch}, tc.body)
			require.NoError(t, err)
			require.Equal(t, tc.want, res.StatusCode(), "%s", res.Body)
		}
		w.requireUntouched(t)
		res, err := c.MergePersonsWithResponse(ctx, w.suspect.ID, &api.MergePersonsParams{IfMatch: `"1"`}, body)
		require.NoError(t, err)
		require.Equal(t, 200, res.StatusCode(), "%s", res.Body)
		require.Equal(t, `"2"`, res.HTTPResponse.Header.Get("ETag"))
		got := res.JSON200
		require.Equal(t, map[string]int64{"mediation": 1, "cases": 1, "recovery": 2, "outreach": 1}, got.Moved)
		require.Equal(t, w.suspect.ID, got.Merged.MergedInto)

		// One person: the survivor took the duplicate's identity.
		require.Equal(t, "陈某某", got.Survivor.Name)
		require.False(t, got.Survivor.Unidentified)
		require.Equal(t, w.suspect.Description, got.Survivor.Description)
		require.Equal(t, w.suspect.Version+1, got.Survivor.Version)
		revealed, err := w.k.RevealPerson(ctx, w.officer, w.suspect.ID, "核对合并后的身份")
		require.NoError(t, err)
		require.Equal(t, mergeDoc, revealed.DocNumber, "the document moved, sealed again under the survivor")

		// The duplicate is a tombstone that answers where it went.
		tomb, err := w.k.GetPerson(ctx, w.officer, w.duplicate.ID)
		require.NoError(t, err)
		require.Equal(t, w.suspect.ID, tomb.MergedInto)
		require.False(t, tomb.MergedAt.IsZero())
		require.Equal(t, "陈某某", tomb.Name, "the tombstone keeps its details readable")
		_, err = w.k.UpdatePerson(ctx, w.officer, w.duplicate.ID, tomb.Version, casework.PersonInput{Name: "陈某"})
		require.ErrorIs(t, err, casework.ErrInvalidTransition)

		// Documents stay unique: the document is the survivor's only.
		found, _, err := w.k.FindPersons(ctx, w.officer, casework.PersonQuery{DocType: casework.DocResidentID, DocNumber: mergeDoc})
		require.NoError(t, err)
		require.Equal(t, []string{w.suspect.ID}, personIDs(found))
		_, err = w.k.CreatePerson(ctx, w.officer, casework.PersonInput{UnitID: w.station.ID, Name: "陈某某", DocType: casework.DocResidentID, DocNumber: mergeDoc})
		require.ErrorIs(t, err, casework.ErrConflict)

		// Every reference is on the survivor.
		d, err := w.stores.mediation.GetDispute(ctx, w.dispute.ID)
		require.NoError(t, err)
		require.Equal(t, []string{w.suspect.ID, w.victim.ID}, []string{d.Parties[0].PersonID, d.Parties[1].PersonID})
		require.Equal(t, int64(2), d.Version)
		theft, err := w.stores.cases.GetCase(ctx, w.theft.ID)
		require.NoError(t, err)
		require.Equal(t, []string{w.suspect.ID}, theft.SuspectIDs)
		require.Equal(t, []string{w.victim.ID}, theft.VictimIDs)
		it, err := w.stores.recovery.GetItem(ctx, w.item.ID)
		require.NoError(t, err)
		require.Equal(t, w.suspect.ID, it.OwnerPersonID)
		r, err := w.stores.recovery.GetReturn(ctx, w.ret.ID)
		require.NoError(t, err)
		require.Equal(t, [2]string{w.suspect.ID, w.suspect.ID}, [2]string{r.OwnerPersonID, r.RecipientPersonID})
		e, err := w.stores.outreach.GetPlanEntry(ctx, w.plan.ID)
		require.NoError(t, err)
		require.Equal(t, w.suspect.ID, e.PersonID)

		// Both histories are readable, each with its merge, and the
		// chain verifies.
		for id, want := range map[string][]string{
			w.suspect.ID:   {"person.create", "person.merge", "person.reveal"},
			w.duplicate.ID: {"person.create", "person.merge"},
		} {
			trail, err := w.k.AuditTrail(ctx, w.chief, "person", id)
			require.NoError(t, err)
			require.Equal(t, want, auditActions(trail), id)
		}
		for _, rt := range [][2]string{{mediation.RecordType, w.dispute.ID}, {cases.RecordCase, w.theft.ID},
			{recovery.RecordItem, w.item.ID}, {recovery.RecordReturn, w.ret.ID}, {outreach.RecordPlanEntry, w.plan.ID}} {
			trail, err := w.stores.kernel.AuditTrail(ctx, rt[0], rt[1])
			require.NoError(t, err)
			require.Equal(t, []string{"person.merge"}, auditActions(trail), rt[0])
		}
		rep, err := w.k.VerifyAudit(ctx, w.chief)
		require.NoError(t, err)
		require.True(t, rep.OK, "%+v", rep)
	})
}

func personIDs(ps []casework.Person) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

func auditActions(es []casework.AuditEntry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Action
	}
	return slices.Clip(out)
}

// failingSurvivor is a kernel store whose disk fills at the last write of
// a merge, the survivor's update, after the tombstone and every workflow's
// references were written.
type failingSurvivor struct{ casework.KernelStore }

func (s failingSurvivor) UpdatePerson(ctx context.Context, p casework.PersonRecord, ch casework.Change) error {
	if p.MergedInto == "" && slices.ContainsFunc(ch.Audit, func(r casework.AuditRecord) bool { return r.Action == "person.merge" }) {
		return errDiskFull
	}
	return s.KernelStore.UpdatePerson(ctx, p, ch)
}

var errDiskFull = errors.New("disk full")

func TestPersonMergeRefusals(t *testing.T) {
	eachBackend(t, func(t *testing.T, b fixtureOption) {
		ctx := context.Background()
		t.Run("refused", func(t *testing.T) {
			w := newMergeWorld(t, b)
			other := w.fixture.station(t, "370302020")
			otherChief := w.staff(t, other.ID, casework.RoleSupervisor)
			edit := func(f func(*casework.PersonMergeInput)) casework.PersonMergeInput {
				in := w.input()
				f(&in)
				return in
			}
			for _, tc := range []struct {
				name  string
				actor casework.Actor
				in    casework.PersonMergeInput
				want  error
				field string
			}{
				{"both parties of one dispute", w.chief, edit(func(in *casework.PersonMergeInput) {
					in.SurvivorID, in.SurvivorVersion = w.victim.ID, w.victim.Version
				}), casework.ErrInvalid, "mergedId"},
				{"into itself", w.chief, edit(func(in *casework.PersonMergeInput) { in.MergedID = in.SurvivorID }), casework.ErrInvalid, "mergedId"},
				{"no reason", w.chief, edit(func(in *casework.PersonMergeInput) { in.Reason = "  " }), casework.ErrInvalid, "reason"},
				{"no version", w.chief, edit(func(in *casework.PersonMergeInput) { in.MergedVersion = 0 }), casework.ErrInvalid, "mergedVersion"},
				{"stale survivor", w.chief, edit(func(in *casework.PersonMergeInput) { in.SurvivorVersion++ }), casework.ErrConflict, ""},
				{"stale merged", w.chief, edit(func(in *casework.PersonMergeInput) { in.MergedVersion++ }), casework.ErrConflict, ""},
				{"an officer", w.officer, w.input(), casework.ErrForbidden, ""},
				{"out of reach", otherChief, w.input(), casework.ErrNotFound, ""},
				{"unknown person", w.chief, edit(func(in *casework.PersonMergeInput) { in.MergedID = "01NOSUCHPERSON0000000000000" }), casework.ErrNotFound, ""},
			} {
				_, err := w.k.MergePersons(ctx, tc.actor, tc.in)
				require.ErrorIs(t, err, tc.want, tc.name)
				if tc.field != "" {
					var fe *casework.InvalidError
					require.ErrorAs(t, err, &fe, tc.name)
					require.Equal(t, tc.field, fe.Fields[0].Field, tc.name)
				}
			}
			w.requireUntouched(t)
			// A person of the other station is out of the chief's reach
			// even when the other is in it.
			stranger, err := w.k.CreatePerson(ctx, otherChief, casework.PersonInput{UnitID: other.ID, Name: "王某"})
			require.NoError(t, err)
			_, err = w.k.MergePersons(ctx, w.chief, edit(func(in *casework.PersonMergeInput) { in.MergedID, in.MergedVersion = stranger.ID, stranger.Version }))
			require.ErrorIs(t, err, casework.ErrNotFound)
			// Once merged, the tombstone merges no more.
			_, err = w.k.MergePersons(ctx, w.chief, w.input())
			require.NoError(t, err)
			in := w.input()
			in.SurvivorID, in.SurvivorVersion, in.MergedID, in.MergedVersion = w.victim.ID, w.victim.Version, w.duplicate.ID, w.duplicate.Version+1
			_, err = w.k.MergePersons(ctx, w.chief, in)
			require.ErrorIs(t, err, casework.ErrInvalidTransition)
		})
		t.Run("broken store mid-merge", func(t *testing.T) {
			w := newMergeWorld(t, b, withKernelStore(func(s casework.KernelStore) casework.KernelStore { return failingSurvivor{s} }))
			_, err := w.k.MergePersons(ctx, w.chief, w.input())
			require.ErrorIs(t, err, errDiskFull)
			w.requireUntouched(t)
		})
	})
}

// requireUntouched checks that no merge left anything behind: both persons,
// the dispute, the case, the item and the return as they were seeded, and
// no audit entry beyond the persons' creation.
func (w *mergeWorld) requireUntouched(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for _, p := range []casework.Person{w.suspect, w.duplicate} {
		got, err := w.k.GetPerson(ctx, w.officer, p.ID)
		require.NoError(t, err)
		require.Equal(t, p.Version, got.Version)
		require.Empty(t, got.MergedInto)
		trail, err := w.stores.kernel.AuditTrail(ctx, "person", p.ID)
		require.NoError(t, err)
		require.Equal(t, []string{"person.create"}, auditActions(trail))
	}
	d, err := w.stores.mediation.GetDispute(ctx, w.dispute.ID)
	require.NoError(t, err)
	require.Equal(t, w.duplicate.ID, d.Parties[0].PersonID)
	require.Equal(t, int64(1), d.Version)
	c, err := w.stores.cases.GetCase(ctx, w.theft.ID)
	require.NoError(t, err)
	require.Equal(t, []string{w.duplicate.ID}, c.SuspectIDs)
	it, err := w.stores.recovery.GetItem(ctx, w.item.ID)
	require.NoError(t, err)
	require.Equal(t, w.duplicate.ID, it.OwnerPersonID)
	r, err := w.stores.recovery.GetReturn(ctx, w.ret.ID)
	require.NoError(t, err)
	require.Equal(t, int64(1), r.Version)
	require.Equal(t, w.duplicate.ID, r.RecipientPersonID)
	e, err := w.stores.outreach.GetPlanEntry(ctx, w.plan.ID)
	require.NoError(t, err)
	require.Equal(t, w.duplicate.ID, e.PersonID)
	found, _, err := w.k.FindPersons(ctx, w.officer, casework.PersonQuery{DocType: casework.DocResidentID, DocNumber: mergeDoc})
	require.NoError(t, err)
	require.Equal(t, []string{w.duplicate.ID}, personIDs(found))
	rep, err := w.k.VerifyAudit(ctx, w.chief)
	require.NoError(t, err)
	require.True(t, rep.OK)
}
