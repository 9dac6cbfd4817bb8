package cases_test

import (
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/stretchr/testify/require"
)

// TestLeads walks leads through their states: intake from a visit
// (idempotent, also through the outbox), a tip, a lead from a case linked
// both ways, verification, conversion into a linked case, and discarding.
func TestLeads(t *testing.T) {
	t.Parallel()
	for name, open := range caseBackends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newCaseEnv(t, open)
			ctx := e.ctx
			finding := casework.LeadFinding{Source: casework.Source{Kind: cases.LeadFromVisit, ID: "visit-1", Step: "lead/1"},
				Actor: e.branchOfficer, UnitID: e.team.ID, Summary: "旅馆门前树上鸟笼被盗", FoundAt: caseStart.Add(-time.Hour)}
			id, err := e.svc.IntakeLead(ctx, finding)
			require.NoError(t, err)
			again, err := e.svc.IntakeLead(ctx, finding)
			require.NoError(t, err)
			require.Equal(t, id, again, "a repeated hand-off creates nothing")
			leads, _, err := e.svc.ListLeads(ctx, e.officer, cases.LeadQuery{})
			require.NoError(t, err)
			require.Len(t, leads, 1)
			require.Equal(t, finding.Source, leads[0].Source)
			require.Equal(t, cases.LeadNew, leads[0].State)

			// Through the outbox: outreach commits a lead_finding, the
			// kernel delivers it to the receiver cases.New registered.
			second := finding
			second.Source.Step = "lead/2"
			msg, err := e.k.NewOutboxMessage(casework.KindLeadFinding, second.Source, second)
			require.NoError(t, err)
			require.NoError(t, e.kstore.CommitChange(ctx, casework.Change{Outbox: []casework.OutboxMessage{msg}}))
			n, err := e.k.DeliverPending(ctx, nil)
			require.NoError(t, err)
			require.Equal(t, 1, n)
			out, err := e.kstore.ListOutbox(ctx, cases.LeadFromVisit, "visit-1")
			require.NoError(t, err)
			viaOutbox, err := e.svc.GetLead(ctx, e.officer, out[0].ResultID)
			require.NoError(t, err, "the visit keeps the lead's id: the link both ways")
			require.Equal(t, second.Source, viaOutbox.Source)

			// A finding for a unit out of the finder's reach is refused.
			bad := finding
			bad.Source.Step, bad.UnitID = "lead/3", e.other.ID
			_, err = e.svc.IntakeLead(ctx, bad)
			require.ErrorIs(t, err, casework.ErrNotFound)

			// new → verified → converted: the case names the lead, the lead the case.
			l, err := e.svc.GetLead(ctx, e.officer, id)
			require.NoError(t, err)
			_, _, err = e.svc.ConvertLead(ctx, e.officer, l.ID, l.Version, cases.ReportInput{Kind: "theft", IncidentAt: caseStart.Add(-2 * time.Hour), Place: "旅馆门前"})
			require.ErrorIs(t, err, casework.ErrInvalidTransition, "only a verified lead becomes a case")
			l, err = e.svc.VerifyLead(ctx, e.officer, l.ID, l.Version, "走访核实")
			require.NoError(t, err)
			_, err = e.svc.VerifyLead(ctx, e.officer, l.ID, l.Version-1, "again")
			require.ErrorIs(t, err, casework.ErrConflict)
			_, _, err = e.svc.ConvertLead(ctx, e.officer, l.ID, l.Version, cases.ReportInput{Kind: "theft", Place: "旅馆门前"})
			require.ErrorIs(t, err, casework.ErrInvalid)
			still, err := e.svc.GetLead(ctx, e.officer, l.ID)
			require.NoError(t, err)
			require.Equal(t, l, still, "a refused conversion leaves the lead as it was")
			c, l, err := e.svc.ConvertLead(ctx, e.officer, l.ID, l.Version, cases.ReportInput{Kind: "theft", IncidentAt: caseStart.Add(-2 * time.Hour),
				Place: "旅馆门前", Items: []cases.ItemInput{{Category: "cage", Description: "鸟笼"}}})
			require.NoError(t, err)
			require.Equal(t, cases.LeadConverted, l.State)
			require.Equal(t, c.ID, l.CaseID)
			require.Equal(t, l.ID, c.LeadID)
			require.Equal(t, e.team.ID, c.UnitID, "the case belongs to the lead's unit")
			msgs, err := e.kstore.ListOutbox(ctx, cases.RecordCase, c.ID)
			require.NoError(t, err)
			require.Len(t, msgs, 1, "the converted case hands its stolen items to recovery")
			require.Equal(t, []string{"lead.create", "lead.verify", "lead.convert"}, e.trail(t, cases.RecordLead, l.ID))
			require.Equal(t, []string{"new", "verified", "converted"}, []string{l.History[0].To, l.History[1].To, l.History[2].To})

			// A tip, discarded with a reason; discarded is final.
			tip, err := e.svc.CreateLead(ctx, e.officer, cases.LeadInput{UnitID: e.team.ID, SourceKind: cases.LeadFromTip, Summary: "群众举报"})
			require.NoError(t, err)
			_, err = e.svc.DiscardLead(ctx, e.officer, tip.ID, tip.Version, " ")
			require.ErrorIs(t, err, casework.ErrInvalid)
			tip, err = e.svc.DiscardLead(ctx, e.officer, tip.ID, tip.Version, "举报内容不实")
			require.NoError(t, err)
			require.Equal(t, "举报内容不实", tip.DiscardReason)
			_, err = e.svc.VerifyLead(ctx, e.officer, tip.ID, tip.Version, "")
			require.ErrorIs(t, err, casework.ErrInvalidTransition)

			// A lead raised from a case is listed on that case.
			fromCase, err := e.svc.CreateLead(ctx, e.officer, cases.LeadInput{UnitID: e.team.ID, SourceKind: cases.LeadFromCase,
				SourceID: c.ID, Summary: "同一嫌疑人另案线索"})
			require.NoError(t, err)
			got, err := e.svc.Get(ctx, e.officer, c.ID)
			require.NoError(t, err)
			require.Equal(t, []string{fromCase.ID}, got.LeadIDs)
			require.Equal(t, c.Version+1, got.Version)
			_, err = e.svc.CreateLead(ctx, e.officer, cases.LeadInput{UnitID: e.team.ID, SourceKind: cases.LeadFromCase, Summary: "x"})
			require.ErrorIs(t, err, casework.ErrInvalid)
			_, err = e.svc.CreateLead(ctx, e.outsider, cases.LeadInput{UnitID: e.other.ID, SourceKind: cases.LeadFromCase, SourceID: c.ID, Summary: "x"})
			require.ErrorIs(t, err, casework.ErrNotFound)

			// Filters.
			byState, _, err := e.svc.ListLeads(ctx, e.officer, cases.LeadQuery{States: []cases.LeadState{cases.LeadNew}})
			require.NoError(t, err)
			require.Equal(t, []string{viaOutbox.ID, fromCase.ID}, []string{byState[0].ID, byState[1].ID})
			visits, _, err := e.svc.ListLeads(ctx, e.officer, cases.LeadQuery{SourceKind: cases.LeadFromVisit})
			require.NoError(t, err)
			require.Len(t, visits, 2)
			none, _, err := e.svc.ListLeads(ctx, e.outsider, cases.LeadQuery{})
			require.NoError(t, err)
			require.Empty(t, none)
			_, err = e.svc.GetLead(ctx, e.outsider, l.ID)
			require.ErrorIs(t, err, casework.ErrNotFound)
			e.verify(t)
		})
	}
}
