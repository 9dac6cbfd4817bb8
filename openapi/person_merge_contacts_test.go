package openapi_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/mediation"
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

		got, err := w.k.MergePersons(ctx, w.chief, casework.PersonMergeInput{SurvivorID: survivor.ID, SurvivorVersion: survivor.Version,
			MergedID: dup.ID, MergedVersion: dup.Version, Reason: "两所重复录入同一人"})
		require.NoError(t, err)
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
