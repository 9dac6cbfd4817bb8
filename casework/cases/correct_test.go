package cases_test

import (
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/stretchr/testify/require"
)

func ptr[T any](v T) *T { return &v }

// TestCorrectFacts: a case's facts are corrected with a reason under the
// report's rules, each refusal naming its field and rule; the correction is
// kept on the case and in the audit chain. On every backend.
func TestCorrectFacts(t *testing.T) {
	t.Parallel()
	for name, open := range caseBackends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newCaseEnv(t, open)
			c := e.to(t, cases.StateSolved)
			correct := func(in cases.CorrectInput) error {
				_, err := e.svc.Correct(e.ctx, e.officer, c.ID, c.Version, in)
				return err
			}
			for _, tc := range []struct {
				name        string
				in          cases.CorrectInput
				field, rule string
			}{
				{"no reason", cases.CorrectInput{Summary: ptr("x")}, "reason", "required"},
				{"reason with NUL", cases.CorrectInput{Summary: ptr("x"), Reason: "a\x00b"}, "reason", "text"},
				{"nothing changes", cases.CorrectInput{Summary: ptr(c.Summary), Reason: "笔误"}, "facts", "changed"},
				{"unknown kind", cases.CorrectInput{Kind: ptr("arson"), Reason: "笔误"}, "kind", "code"},
				{"incident after report", cases.CorrectInput{IncidentAt: ptr(c.ReportedAt.Add(time.Minute)), Reason: "笔误"}, "incidentAt", "before_report"},
				{"no place", cases.CorrectInput{Place: ptr(" "), Reason: "笔误"}, "place", "required"},
				{"victim out of reach", cases.CorrectInput{VictimIDs: []string{"nobody"}, Reason: "笔误"}, "victimIds[0]", "exists"},
				{"arrested suspect removed", cases.CorrectInput{SuspectIDs: []string{}, Reason: "笔误"}, "suspectIds", "arrested"},
			} {
				requireField(t, correct(tc.in), tc.field, tc.rule)
			}
			_, err := e.svc.Correct(e.ctx, e.outsider, c.ID, c.Version, cases.CorrectInput{Summary: ptr("x"), Reason: "r"})
			require.ErrorIs(t, err, cases.ErrNotFound, "out of reach answers as missing")
			_, err = e.svc.Correct(e.ctx, e.officer, c.ID, c.Version-1, cases.CorrectInput{Summary: ptr("x"), Reason: "r"})
			require.ErrorIs(t, err, cases.ErrConflict)

			incident := c.IncidentAt.Add(-30 * time.Minute)
			n, err := e.svc.Correct(e.ctx, e.officer, c.ID, c.Version, cases.CorrectInput{Kind: ptr(cases.KindBurglary),
				IncidentAt: &incident, Place: ptr(" 张店区某旅馆二楼 "), Summary: ptr(c.Summary), Reason: " 报案人补充说明 "})
			require.NoError(t, err)
			require.Equal(t, cases.KindBurglary, n.Kind)
			require.Equal(t, incident, n.IncidentAt)
			require.Equal(t, "张店区某旅馆二楼", n.Place)
			require.Equal(t, cases.StateSolved, n.State)
			require.Equal(t, []cases.Correction{{Action: "case.correct", Fields: []string{"kind", "incidentAt", "place"}, At: e.clock.Now(),
				ActorID: e.officer.StaffID, Reason: "报案人补充说明"}}, n.Corrections)
			got, err := e.svc.Get(e.ctx, e.officer, c.ID)
			require.NoError(t, err)
			require.Equal(t, n, got)
			require.Equal(t, "case.correct", e.trail(t, cases.RecordCase, c.ID)[len(e.trail(t, cases.RecordCase, c.ID))-1])

			closed, err := e.svc.Close(e.ctx, e.officer, n.ID, n.Version, "结案")
			require.NoError(t, err)
			_, err = e.svc.Correct(e.ctx, e.officer, closed.ID, closed.Version, cases.CorrectInput{Summary: ptr("y"), Reason: "r"})
			require.ErrorIs(t, err, cases.ErrInvalidTransition, "a closed case is reopened first")
			e.verify(t)
		})
	}
}

// TestAddItems: items added after the report pass the report's item rule,
// the ledger's own check, and reach recovery as their own batch, once.
func TestAddItems(t *testing.T) {
	t.Parallel()
	for name, open := range caseBackends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newCaseEnv(t, open)
			ledger := newCaseLedgerFake(e.k)
			e.connect(ledger)
			c := e.to(t, cases.StateInvestigating)
			phone := cases.ItemInput{Category: "phone", Description: " 黑色手机 ", ValueFen: 150000, OwnerPersonID: e.victim.ID,
				Identifiers: []casework.Identifier{{Kind: "imei", Value: "356938035643809"}}}
			add := func(in cases.AddItemsInput) (cases.Case, error) {
				return e.svc.AddItems(e.ctx, e.officer, c.ID, c.Version, in)
			}
			for _, tc := range []struct {
				name        string
				in          cases.AddItemsInput
				field, rule string
			}{
				{"no reason", cases.AddItemsInput{Items: []cases.ItemInput{phone}}, "reason", "required"},
				{"no items", cases.AddItemsInput{Reason: "补报"}, "items", "required"},
				{"no description", cases.AddItemsInput{Items: []cases.ItemInput{{Category: "phone"}}, Reason: "补报"}, "items[0].description", "required"},
				{"bad identifier", cases.AddItemsInput{Items: []cases.ItemInput{{Category: "phone", Description: "x",
					Identifiers: []casework.Identifier{{Kind: "dna", Value: "x"}}}}, Reason: "补报"}, "items[0].identifiers[0].kind", "oneof"},
				{"owner out of reach", cases.AddItemsInput{Items: []cases.ItemInput{{Category: "phone", Description: "x", OwnerPersonID: "nobody"}}, Reason: "补报"}, "items[0].ownerPersonId", "exists"},
			} {
				_, err := add(tc.in)
				requireField(t, err, tc.field, tc.rule)
			}
			// The ledger's own rule decides too, through the hand-off contract.
			setRefuse := func(refuse func(casework.StolenItems) error) {
				ledger.mu.Lock()
				ledger.refuse = refuse
				ledger.mu.Unlock()
			}
			setRefuse(func(casework.StolenItems) error {
				return &cases.InvalidError{Fields: []casework.FieldError{{Field: "items[0].valueFen", Rule: "confirm", Message: "confirm a large value"}}}
			})
			_, err := add(cases.AddItemsInput{Items: []cases.ItemInput{phone}, Reason: "补报"})
			requireField(t, err, "items[0].valueFen", "confirm")
			setRefuse(nil)
			_, err = e.svc.AddItems(e.ctx, e.outsider, c.ID, c.Version, cases.AddItemsInput{Items: []cases.ItemInput{phone}, Reason: "补报"})
			require.ErrorIs(t, err, cases.ErrNotFound)

			n, err := add(cases.AddItemsInput{Items: []cases.ItemInput{phone}, Reason: "失主次日发现手机也被盗"})
			require.NoError(t, err)
			require.Len(t, n.Items, 2)
			added := n.Items[1]
			require.Equal(t, "黑色手机", added.Description)
			require.Equal(t, 1, added.Quantity)
			require.Equal(t, []cases.Correction{{Action: "case.add_items", ItemIDs: []string{added.ItemID}, At: e.clock.Now(),
				ActorID: e.officer.StaffID, Reason: "失主次日发现手机也被盗"}}, n.Corrections)
			for range 2 { // a repeated delivery registers nothing twice
				_, err = e.k.DeliverPending(e.ctx, nil)
				require.NoError(t, err)
			}
			ledger.mu.Lock()
			require.Equal(t, 1, ledger.registered[added.ItemID], "the added item reaches recovery once")
			require.Equal(t, 1, ledger.registered[c.Items[0].ItemID])
			ledger.mu.Unlock()
			got, err := e.svc.Get(e.ctx, e.officer, c.ID)
			require.NoError(t, err)
			steps := []string{}
			for _, h := range got.Handoffs {
				steps = append(steps, h.Step)
			}
			require.Contains(t, steps, "stolen/"+added.ItemID)
			e.verify(t)
		})
	}
}

// TestReopenCase: only a supervisor reopens a closed case, with a reason;
// May's closed figure is the same before the reopening in June, after it,
// and after the case is closed again.
func TestReopenCase(t *testing.T) {
	t.Parallel()
	for name, open := range caseBackends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newCaseEnv(t, open)
			c := e.to(t, cases.StateClosed)
			may := casework.ReportQuery{UnitID: e.team.ID, From: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2020, 5, 31, 0, 0, 0, 0, time.UTC)}
			june := casework.ReportQuery{UnitID: e.team.ID, From: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2020, 6, 30, 0, 0, 0, 0, time.UTC)}
			totals := func(q casework.ReportQuery) cases.Figures {
				t.Helper()
				tot, err := e.svc.Totals(e.ctx, e.auditor, q)
				require.NoError(t, err)
				return tot.Current
			}
			before := totals(may)
			require.Equal(t, int64(1), before.Closed)
			require.Equal(t, int64(1), before.Solved)

			e.clock.Set(time.Date(2020, 6, 3, 2, 0, 0, 0, time.UTC))
			_, err := e.svc.Reopen(e.ctx, e.officer, c.ID, c.Version, "发现漏犯")
			require.ErrorIs(t, err, cases.ErrForbidden, "officers may not reopen")
			_, err = e.svc.Reopen(e.ctx, e.outsider, c.ID, c.Version, "发现漏犯")
			require.ErrorIs(t, err, cases.ErrNotFound, "reach before policy")
			_, err = e.svc.Reopen(e.ctx, e.supervisor, c.ID, c.Version, "")
			requireField(t, err, "reason", "required")
			_, err = e.svc.Reopen(e.ctx, e.supervisor, c.ID, c.Version+1, "发现漏犯")
			require.ErrorIs(t, err, cases.ErrConflict)

			r, err := e.svc.Reopen(e.ctx, e.supervisor, c.ID, c.Version, " 发现漏犯 ")
			require.NoError(t, err)
			require.Equal(t, cases.StateSolved, r.State)
			require.Equal(t, c.ClosedAt, r.ClosedAt)
			require.Equal(t, cases.Transition{From: "closed", To: "solved", At: e.clock.Now(), ActorID: e.supervisor.StaffID,
				Action: "case.reopen", Reason: "发现漏犯"}, r.History[len(r.History)-1])
			require.Equal(t, before, totals(may), "May is unchanged by June's reopening")
			require.Zero(t, totals(june).Closed)
			require.Equal(t, int64(1), totals(june).Reopened, "the reopening counts in its own month")
			require.Zero(t, before.Reopened)
			require.Equal(t, e.clock.Now(), r.ReopenedAt)
			figs, err := e.svc.Figures(e.ctx, casework.Period{UnitPath: e.team.Path, Start: june.From, End: june.To.AddDate(0, 0, 1)})
			require.NoError(t, err)
			require.Contains(t, figs, casework.Figure{Key: cases.FigureCasesReopened, LabelZH: "结案后重新启动的案件", LabelEN: "Cases reopened",
				Value: 1, Unit: "起"}, "the report carries the reopenings")
			_, err = e.svc.Reopen(e.ctx, e.supervisor, r.ID, r.Version, "again")
			require.ErrorIs(t, err, cases.ErrInvalidTransition)

			r, err = e.svc.AddItems(e.ctx, e.officer, r.ID, r.Version, cases.AddItemsInput{Reason: "补报", Items: []cases.ItemInput{
				{Category: "phone", Description: "手机", OwnerPersonID: e.victim.ID}}})
			require.NoError(t, err)
			e.clock.Set(time.Date(2020, 6, 5, 2, 0, 0, 0, time.UTC))
			r, err = e.svc.Close(e.ctx, e.officer, r.ID, r.Version, "再次结案")
			require.NoError(t, err)
			require.Equal(t, c.ClosedAt, r.ClosedAt, "closing again keeps the first closing date")
			require.Equal(t, before, totals(may), "May is unchanged after the second closing")
			require.Zero(t, totals(june).Closed)

			// A second reopening is dated in the history only: June counted
			// the case reopened, and July counts nothing.
			e.clock.Set(time.Date(2020, 7, 2, 2, 0, 0, 0, time.UTC))
			r, err = e.svc.Reopen(e.ctx, e.supervisor, r.ID, r.Version, "又发现赃物")
			require.NoError(t, err)
			july := casework.ReportQuery{UnitID: e.team.ID, From: time.Date(2020, 7, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2020, 7, 31, 0, 0, 0, 0, time.UTC)}
			require.Zero(t, totals(july).Reopened)
			require.Equal(t, int64(1), totals(june).Reopened)
			require.Equal(t, before, totals(may))
			trail := e.trail(t, cases.RecordCase, c.ID)
			require.Subset(t, trail, []string{"case.reopen", "case.add_items"})
			e.verify(t)
		})
	}
}
