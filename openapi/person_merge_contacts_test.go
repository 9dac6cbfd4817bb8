package openapi_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/outreach"
)

// A merge moves the merged person's contacts to the survivor (one number
// both had stays once) and re-points the party document index of the
// disputes naming it: a search by the tombstone's number or document finds
// the survivor and its dispute, never the tombstone.
func TestPersonMergeMovesContactsAndPartyDocuments(t *testing.T) {
	eachBackend(t, func(t *testing.T, b fixtureOption) {
		w := newMergeWorld(t, b)
		ctx := context.Background()
		const survivorDoc, shared, mobile, wechat = "370302199001011232", "13905331234", "13805339876", "chen_mm88"
		survivor, err := w.k.CreatePerson(ctx, w.officer, casework.PersonInput{UnitID: w.station.ID, Name: "陈某某",
			DocType: casework.DocResidentID, DocNumber: survivorDoc, Phone: shared})
		require.NoError(t, err)
		dup, err := w.k.UpdatePerson(ctx, w.officer, w.duplicate.ID, w.duplicate.Version, casework.PersonInput{
			Name: "陈某某", DocType: casework.DocResidentID, DocNumber: mergeDoc,
			Contacts: []casework.Contact{{Value: shared}, {Value: mobile}, {Kind: casework.ContactWeChat, Value: wechat}}})
		require.NoError(t, err)
		dupIdx, err := w.k.DocIndex(ctx, casework.DocResidentID, mergeDoc)
		require.NoError(t, err)
		d := w.dispute
		d.ID, d.PartyDocIndex = w.k.NewID(), []string{dupIdx}
		require.NoError(t, w.stores.mediation.CreateDispute(ctx, d, casework.Change{}))

		// A visit to him, naming him in a finding too, and a hazard he is
		// responsible for: found through their person indexes.
		now := w.k.Now()
		v := outreach.Visit{ID: w.k.NewID(), UnitID: w.station.ID, OfficerIDs: []string{w.officer.StaffID}, VisitedAt: now,
			TargetKind: outreach.DifficultFamily, TargetKey: "p/" + dup.ID, PersonID: dup.ID, RecordedBy: w.officer.StaffID,
			Findings: []outreach.Finding{{Kind: outreach.FindingDispute, Step: "dispute/1", Summary: "邻里纠纷", PersonIDs: []string{dup.ID}, OutboxID: w.k.NewID()}},
			Version:  1, CreatedAt: now, UpdatedAt: now}
		h := outreach.Hazard{ID: w.k.NewID(), UnitID: w.station.ID, Place: "楼道", Kind: "fire", Severity: outreach.SeverityGeneral,
			Description: "堆放杂物", Responsible: "陈某某", ResponsiblePersonID: dup.ID, Status: outreach.HazardFound, FoundBy: w.officer.StaffID,
			FoundAt: now, Version: 1, CreatedAt: now, UpdatedAt: now}
		require.NoError(t, w.stores.outreach.CreateVisit(ctx, outreach.VisitWrite{Visit: v, Hazards: []outreach.Hazard{h}}, casework.Change{}))

		got, err := w.k.MergePersons(ctx, w.chief, casework.PersonMergeInput{SurvivorID: survivor.ID, SurvivorVersion: survivor.Version,
			MergedID: dup.ID, MergedVersion: dup.Version, Reason: "两所重复录入同一人"})
		require.NoError(t, err)
		require.Equal(t, 3, got.Moved["outreach"], "the plan entry, the visit and the hazard")
		gv, err := w.stores.outreach.GetVisit(ctx, v.ID)
		require.NoError(t, err)
		require.Equal(t, [2]string{survivor.ID, survivor.ID}, [2]string{gv.PersonID, gv.Findings[0].PersonIDs[0]})
		gh, err := w.stores.outreach.GetHazard(ctx, h.ID)
		require.NoError(t, err)
		require.Equal(t, survivor.ID, gh.ResponsiblePersonID)
		require.Len(t, got.Survivor.Contacts, 3, "the shared number once, then the duplicate's two others")
		require.Empty(t, got.Merged.Contacts, "the tombstone keeps no contact")

		revealed, err := w.k.RevealPerson(ctx, w.chief, survivor.ID, "核对合并后的联系方式")
		require.NoError(t, err)
		require.Equal(t, []casework.Contact{{Kind: casework.ContactMobile, Value: shared}, {Kind: casework.ContactMobile, Value: mobile},
			{Kind: casework.ContactWeChat, Value: wechat}}, revealed.Contacts, "moved contacts open under the survivor")
		for _, term := range []string{shared, mobile, wechat} {
			found, _, err := w.k.FindPersons(ctx, w.chief, casework.PersonQuery{Contact: term})
			require.NoError(t, err)
			require.Equal(t, []string{survivor.ID}, personIDs(found), term)
		}
		trail, err := w.k.AuditTrail(ctx, w.chief, "person", survivor.ID)
		require.NoError(t, err)
		require.Equal(t, []string{"person.create", "person.merge", "person.reveal"}, auditActions(trail))

		// Both the world's dispute and this one name the duplicate: each
		// is found by the survivor's document, neither by the tombstone's.
		for doc, want := range map[string][]string{survivorDoc: {w.dispute.ID, d.ID}, mergeDoc: {}} {
			ds, _, err := w.med.List(ctx, w.chief, mediation.Query{PartyDocNumber: doc})
			require.NoError(t, err)
			ids := []string{}
			for _, x := range ds {
				ids = append(ids, x.ID)
			}
			require.ElementsMatch(t, want, ids, doc)
		}
		rep, err := w.k.VerifyAudit(ctx, w.chief)
		require.NoError(t, err)
		require.True(t, rep.OK, "%+v", rep)
	})
}
