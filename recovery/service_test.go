package recovery_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/recovery"
	"github.com/stretchr/testify/require"
)

func TestCodeListsRegistered(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "memory", nil)
	for _, c := range recovery.Categories() {
		got, ok := e.k.Codes().Lookup(recovery.ListCategory, c.Value)
		require.True(t, ok, c.Value)
		require.NotEmpty(t, got.ZH, c.Value)
		require.NotEmpty(t, got.EN, c.Value)
		require.NotEmpty(t, c.NIBRS, c.Value)
	}
	for _, want := range []string{"e_bike", "motorcycle", "mobile_phone", "cash", "jewellery", "tobacco", "alcohol", "food_grain",
		"birds_animals", "cage", "tools", "documents", "bank_card"} {
		_, ok := e.k.Codes().Lookup(recovery.ListCategory, want)
		require.True(t, ok, want)
	}
	require.Equal(t, "鸟笼及笼具", e.k.Codes().Label(recovery.ListCategory, "cage"))
	require.Equal(t, "已发还", e.k.Codes().Label(recovery.ListItemState, "returned"))
	for _, l := range []string{recovery.ListDisposalMethod, recovery.ListSealState} {
		require.NotEmpty(t, e.k.Codes().List(l), l)
	}
	for _, r := range recovery.DefaultRules() {
		got, ok := e.k.Policy().Rule(r.Action)
		require.True(t, ok, r.Action)
		require.Equal(t, r.MinLevel, got.MinLevel)
	}
	rule, _ := e.k.Policy().Rule(recovery.ActionApproveReturn)
	require.Equal(t, casework.LevelBranch, rule.MinLevel)
}

func TestIntegratorPolicyWins(t *testing.T) {
	t.Parallel()
	ks, rs := stores(t, "memory")
	pol := casework.NewPolicy()
	require.NoError(t, pol.Set(casework.Rule{Action: recovery.ActionApproveReturn, Kind: casework.KindApprove,
		Roles: []casework.Role{casework.RoleSupervisor}, MinLevel: casework.LevelStation}))
	k, err := casework.New(ks, &casework.Config{Policy: pol})
	require.NoError(t, err)
	_, err = recovery.New(k, rs, nil)
	require.NoError(t, err)
	rule, _ := k.Policy().Rule(recovery.ActionApproveReturn)
	require.Equal(t, casework.LevelStation, rule.MinLevel)
	_, err = recovery.New(nil, rs, nil)
	require.Error(t, err)
}

func TestValueRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "memory", &recovery.Config{LargeValueFen: fen(50_000)})
	tests := []struct {
		name     string
		category string
		value    int64
		confirm  bool
		rule     string // "" means accepted
	}{
		{"documents must be zero", "documents", 100, false, "zero_value"},
		{"bank card must be zero", "bank_card", 1, false, "zero_value"},
		{"identity document at zero", "identity_document", 0, false, ""},
		{"e-bike needs a value", "e_bike", 0, false, "required"},
		{"unknown value is a nominal fen", "tools", 1, false, ""},
		{"negative", "cash", -5, false, "min"},
		{"large needs confirmation", "jewellery", fen(50_001), false, "confirm_large_value"},
		{"large confirmed", "jewellery", fen(50_001), true, ""},
		{"at the threshold", "jewellery", fen(50_000), false, ""},
		{"absurd", "cash", 2_000_000_000_000, true, "max"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := e.svc.ReportStolen(e.ctx, e.officer, recovery.StolenInput{ItemInput: recovery.ItemInput{UnitID: e.station.ID,
				Category: tc.category, Description: "物品", Quantity: 1, ValueFen: tc.value, ConfirmLargeValue: tc.confirm},
				StolenAt: start.Add(-time.Hour)})
			if tc.rule == "" {
				require.NoError(t, err)
				return
			}
			requireField(t, err, "valueFen", tc.rule)
		})
	}
}

func TestItemValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "memory", nil)
	_, err := e.svc.ReportStolen(e.ctx, e.officer, recovery.StolenInput{ItemInput: recovery.ItemInput{UnitID: e.station.ID,
		Category: "spaceship", Quantity: 0, ValueFen: 5, OwnerPersonID: "nobody",
		Identifiers: []casework.Identifier{{Kind: "imei", Value: "860000000000001"}, {Kind: "tattoo", Value: "x"}}}})
	for _, fr := range [][2]string{{"category", "code"}, {"description", "required"}, {"quantity", "range"}, {"ownerPersonId", "exists"},
		{"identifiers[0].value", "luhn"}, {"identifiers[1].kind", "code"}, {"stolenAt", "required"}} {
		requireField(t, err, fr[0], fr[1])
	}
	_, err = e.svc.ReportStolen(e.ctx, e.officer, recovery.StolenInput{ItemInput: recovery.ItemInput{UnitID: e.station.ID,
		Category: "cash", Description: "现金", Quantity: 1, ValueFen: 100}, StolenAt: start.Add(time.Hour)})
	requireField(t, err, "stolenAt", "past")
	// Bad input never panics, whatever it holds.
	_, err = e.svc.RecordFound(e.ctx, e.officer, recovery.FoundInput{})
	requireField(t, err, "unitId", "required")
	_, err = e.svc.RecordFound(e.ctx, e.officer, recovery.FoundInput{ItemInput: recovery.ItemInput{UnitID: e.branch2.ID}})
	require.ErrorIs(t, err, recovery.ErrNotFound, "another branch's unit is out of reach")
	_, err = e.svc.RecordFound(e.ctx, e.officer, recovery.FoundInput{ItemInput: recovery.ItemInput{UnitID: e.station.ID}})
	requireField(t, err, "to.kind", "custody_holder")
	requireField(t, err, "witnessId", "required")
	requireField(t, err, "place", "required")
}

func TestRequestKeyReplays(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "memory", nil)
	in := recovery.StolenInput{ItemInput: recovery.ItemInput{UnitID: e.station.ID, Category: "cage", Description: "竹鸟笼",
		Quantity: 1, ValueFen: fen(300)}, StolenAt: start.Add(-time.Hour), RequestKey: "k1"}
	a, err := e.svc.ReportStolen(e.ctx, e.officer, in)
	require.NoError(t, err)
	b, err := e.svc.ReportStolen(e.ctx, e.officer, in)
	require.NoError(t, err)
	require.Equal(t, a.ID, b.ID)
	in.Description = "铁鸟笼"
	_, err = e.svc.ReportStolen(e.ctx, e.officer, in)
	require.ErrorIs(t, err, recovery.ErrConflict)
	items, _, err := e.svc.List(e.ctx, e.officer, recovery.ItemQuery{})
	require.NoError(t, err)
	require.Len(t, items, 1)
}

// TestLifecycle walks one item from theft report to return on every
// backend: found, matched, moved, requested, approved (by the right
// person), handed over with its receipt, and audited.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, nil)
			ctx := e.ctx
			frame := casework.Identifier{Kind: "frame", Value: "LC-8201 9051 2"}
			rep := e.stolen(t, "e_bike", "白色雅迪电动自行车，车筐有划痕", fen(2600), e.owner, frame)
			require.Equal(t, recovery.StateReportedStolen, rep.State)
			require.Equal(t, "LC82019051 2"[:2]+"820190512", rep.Identifiers[0].Value)
			e.advance(72 * time.Hour)
			fnd := e.found(t, "e_bike", "雅迪电动车 白色 前筐划痕", fen(2000), casework.Identifier{Kind: "serial", Value: "lc820190512"})
			require.Equal(t, recovery.StateRecovered, fnd.State)
			require.Equal(t, recovery.HolderStaff, fnd.Holder.Kind)

			ms, err := e.svc.Match(ctx, e.officer, fnd.ID, 0)
			require.NoError(t, err)
			require.NotEmpty(t, ms)
			require.Equal(t, rep.ID, ms[0].ItemID)
			require.GreaterOrEqual(t, ms[0].Score, 1.0)
			require.Contains(t, ms[0].Reasons[0], "identifier")

			fnd, err = e.svc.ConfirmMatch(ctx, e.officer, fnd.ID, fnd.Version, rep.ID, "失主辨认")
			require.NoError(t, err)
			require.Equal(t, recovery.StateIdentified, fnd.State)
			require.Equal(t, e.owner.ID, fnd.OwnerPersonID)
			require.Equal(t, "case-1", fnd.CaseID)
			rep = e.get(t, rep.ID)
			require.Equal(t, fnd.ID, rep.MatchedItemID)
			require.Equal(t, recovery.StateReportedStolen, rep.State)
			_, err = e.svc.ConfirmMatch(ctx, e.officer, fnd.ID, fnd.Version, rep.ID, "")
			require.ErrorIs(t, err, recovery.ErrInvalidTransition)

			// Only a custodian moves items.
			_, err = e.svc.Move(ctx, e.officer, fnd.ID, fnd.Version, recovery.MoveInput{})
			require.ErrorIs(t, err, recovery.ErrForbidden)
			fnd = e.toStore(t, fnd)
			require.Equal(t, "ZD-A-03", fnd.Holder.ID)

			// A return: the recipient may not be an officer.
			_, err = e.svc.RequestReturn(ctx, e.officer, recovery.ReturnInput{ItemID: fnd.ID, Recipient: recovery.Holder{Kind: recovery.HolderStaff, ID: e.officer.StaffID}})
			requireField(t, err, "recipient.kind", "not_officer")
			// … not even through a person record of their own.
			self, err := e.k.CreatePerson(ctx, e.officer, casework.PersonInput{UnitID: e.station.ID, Name: "民警本人"})
			require.NoError(t, err)
			st, err := e.k.GetStaff(ctx, e.admin, e.officer2.StaffID)
			require.NoError(t, err)
			_, err = e.k.UpdateStaff(ctx, e.admin, st.ID, st.Version, casework.StaffUpdate{PersonID: &self.ID})
			require.NoError(t, err)
			_, err = e.svc.RequestReturn(ctx, e.officer, recovery.ReturnInput{ItemID: fnd.ID, Recipient: recovery.Holder{Kind: recovery.HolderPerson, ID: self.ID}})
			requireField(t, err, "recipient.id", "not_officer")
			r, err := e.svc.RequestReturn(ctx, e.officer, recovery.ReturnInput{ItemID: fnd.ID, Recipient: recovery.Holder{Kind: recovery.HolderPerson, ID: e.owner.ID}})
			require.NoError(t, err)
			_, err = e.svc.RequestReturn(ctx, e.officer, recovery.ReturnInput{ItemID: fnd.ID, Recipient: recovery.Holder{Kind: recovery.HolderPerson, ID: e.owner.ID}})
			require.ErrorIs(t, err, recovery.ErrInvalidTransition, "one return at a time")
			// No hand-over before approval.
			_, err = e.svc.CompleteReturn(ctx, e.officer, r.ID, r.Version, recovery.Handover{})
			require.ErrorIs(t, err, recovery.ErrInvalidTransition)
			// Approval: not by a station supervisor (level), not by the officer (role).
			_, err = e.svc.ApproveReturn(ctx, e.stationSup, r.ID, r.Version, "")
			require.ErrorIs(t, err, recovery.ErrForbidden)
			_, err = e.svc.ApproveReturn(ctx, e.officer, r.ID, r.Version, "")
			require.ErrorIs(t, err, recovery.ErrForbidden)
			r, err = e.svc.ApproveReturn(ctx, e.supervisor, r.ID, r.Version, "同意发还")
			require.NoError(t, err)
			require.Equal(t, recovery.ReturnApproved, r.State)
			require.Equal(t, recovery.StateReturnApproved, e.get(t, fnd.ID).State)

			// The hand-over: a receipt and the owner's own ID number.
			_, err = e.svc.CompleteReturn(ctx, e.officer, r.ID, r.Version, recovery.Handover{RecipientDocNumber: e.docs[e.owner2.ID]})
			requireField(t, err, "receipt", "required")
			requireField(t, err, "recipientDocNumber", "matches_record")
			fake := &casework.Attachment{Name: "x.jpg", MediaType: "image/jpeg", Size: 1, SHA256: strings.Repeat("ab", 32)}
			_, err = e.svc.CompleteReturn(ctx, e.officer, r.ID, r.Version, recovery.Handover{Receipt: fake, RecipientDocNumber: e.docs[e.owner.ID]})
			requireField(t, err, "receipt.sha256", "stored")
			receipt := e.attach(t, e.officer, "签收单.jpg", "陈某某 签收")
			r, err = e.svc.CompleteReturn(ctx, e.officer, r.ID, r.Version, recovery.Handover{Receipt: receipt,
				RecipientDocNumber: strings.ToLower(e.docs[e.owner.ID]), WitnessID: e.officer2.StaffID})
			require.NoError(t, err)
			require.Equal(t, recovery.ReturnCompleted, r.State)
			require.True(t, r.IdentityChecked)
			require.Equal(t, receipt.SHA256, r.Receipt.SHA256)
			fnd = e.get(t, fnd.ID)
			require.Equal(t, recovery.StateReturned, fnd.State)
			require.Equal(t, recovery.Holder{Kind: recovery.HolderPerson, ID: e.owner.ID, Name: "陈某某"}, fnd.Holder)

			chain, err := e.svc.Custody(ctx, e.auditor, fnd.ID)
			require.NoError(t, err)
			require.NoError(t, recovery.CheckChain(chain))
			require.Len(t, chain, 3)
			require.Equal(t, []recovery.EntryKind{recovery.EntryIntake, recovery.EntryMove, recovery.EntryReturn},
				[]recovery.EntryKind{chain[0].Kind, chain[1].Kind, chain[2].Kind})
			_, err = e.svc.Move(ctx, e.custodian, fnd.ID, fnd.Version, recovery.MoveInput{})
			require.ErrorIs(t, err, recovery.ErrInvalidTransition, "a returned item is out of custody")

			hist, err := e.svc.History(ctx, e.auditor, fnd.ID)
			require.NoError(t, err)
			var actions []string
			for _, h := range hist {
				actions = append(actions, h.Action)
			}
			require.Equal(t, []string{"recovery.item.found", "recovery.item.match", "recovery.custody.move", "recovery.item.return_requested",
				"recovery.item.return_approved", "recovery.item.returned"}, actions)

			tot, err := e.svc.Totals(ctx, e.supervisor, casework.ReportQuery{From: start, To: start.AddDate(0, 0, 30)})
			require.NoError(t, err)
			require.Equal(t, recovery.Totals{ItemsRecovered: 1, ValueRecoveredFen: fen(2000), ItemsReturned: 1, ValueReturnedFen: fen(2000)}, tot)
			e.verify(t)
		})
	}
}

func TestSeparationOfDutiesAndReach(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "memory", nil)
	ctx := e.ctx
	it := e.found(t, "mobile_phone", "黑色华为手机", fen(3000), casework.Identifier{Kind: "imei", Value: imei("86012345678901")})
	it, err := e.svc.Identify(ctx, e.officer, it.ID, it.Version, recovery.IdentifyInput{OwnerPersonID: e.owner2.ID})
	require.NoError(t, err)
	// A supervisor who requested may not approve.
	r, err := e.svc.RequestReturn(ctx, e.supervisor2, recovery.ReturnInput{ItemID: it.ID, Recipient: recovery.Holder{Kind: recovery.HolderPerson, ID: e.owner2.ID}})
	require.NoError(t, err)
	_, err = e.svc.ApproveReturn(ctx, e.supervisor2, r.ID, r.Version, "")
	require.ErrorIs(t, err, recovery.ErrForbidden)
	_, err = e.svc.RejectReturn(ctx, e.supervisor, r.ID, r.Version, "")
	requireField(t, err, "note", "required")
	r, err = e.svc.RejectReturn(ctx, e.supervisor, r.ID, r.Version, "身份存疑")
	require.NoError(t, err)
	require.Equal(t, recovery.ReturnRejected, r.State)
	it = e.get(t, it.ID)
	require.Empty(t, it.ReturnID)
	require.Equal(t, recovery.StateIdentified, it.State)
	// The auditor reads but changes nothing.
	_, err = e.svc.Get(ctx, e.auditor, it.ID)
	require.NoError(t, err)
	_, err = e.svc.RequestReturn(ctx, e.auditor, recovery.ReturnInput{ItemID: it.ID, Recipient: recovery.Holder{Kind: recovery.HolderPerson, ID: e.owner2.ID}})
	require.ErrorIs(t, err, recovery.ErrForbidden)
	// Another branch does not see the item at all.
	_, err = e.svc.Get(ctx, e.away, it.ID)
	require.ErrorIs(t, err, recovery.ErrNotFound)
	_, err = e.svc.Move(ctx, e.away, it.ID, it.Version, recovery.MoveInput{})
	require.ErrorIs(t, err, recovery.ErrNotFound)
	list, _, err := e.svc.List(ctx, e.away, recovery.ItemQuery{})
	require.NoError(t, err)
	require.Empty(t, list)
	// An actor claiming a role the staff member does not hold is refused.
	fake := e.officer
	fake.Roles = []casework.Role{casework.RoleSupervisor}
	_, err = e.svc.Get(ctx, fake, it.ID)
	require.ErrorIs(t, err, recovery.ErrForbidden)
	// Stale versions are conflicts.
	_, err = e.svc.Identify(ctx, e.officer, it.ID, it.Version-1, recovery.IdentifyInput{})
	require.ErrorIs(t, err, recovery.ErrConflict)
	e.verify(t)
}

func TestDelegateReturn(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "memory", nil)
	ctx := e.ctx
	it := e.found(t, "jewellery", "足金项链一条", fen(8000))
	it, err := e.svc.Identify(ctx, e.officer, it.ID, it.Version, recovery.IdentifyInput{OwnerPersonID: e.owner.ID, CaseID: "case-9"})
	require.NoError(t, err)
	in := recovery.ReturnInput{ItemID: it.ID, Recipient: recovery.Holder{Kind: recovery.HolderPerson, ID: e.delegate.ID}}
	_, err = e.svc.RequestReturn(ctx, e.officer, in)
	requireField(t, err, "authorisation", "required")
	in.Recipient.ID = e.noDoc.ID
	in.Authorisation = e.attach(t, e.officer, "授权委托书.jpg", "委托刘某代领")
	r, err := e.svc.RequestReturn(ctx, e.officer, in)
	require.NoError(t, err)
	r, err = e.svc.ApproveReturn(ctx, e.supervisor, r.ID, r.Version, "")
	require.NoError(t, err)
	receipt := e.attach(t, e.officer, "签收.jpg", "代领签收")
	_, err = e.svc.CompleteReturn(ctx, e.officer, r.ID, r.Version, recovery.Handover{Receipt: receipt, RecipientDocNumber: e.docs[e.owner.ID]})
	requireField(t, err, "recipientDocNumber", "on_record")
	requireField(t, err, "ownerDocNumber", "required")

	// Start over with a delegate who has a document.
	e2 := newEnv(t, "memory", nil)
	it = e2.found(t, "jewellery", "足金项链一条", fen(8000))
	it, err = e2.svc.Identify(ctx, e2.officer, it.ID, it.Version, recovery.IdentifyInput{OwnerPersonID: e2.owner.ID})
	require.NoError(t, err)
	r, err = e2.svc.RequestReturn(ctx, e2.officer, recovery.ReturnInput{ItemID: it.ID, Recipient: recovery.Holder{Kind: recovery.HolderPerson, ID: e2.delegate.ID},
		Authorisation: e2.attach(t, e2.officer, "授权委托书.jpg", "委托刘某代领")})
	require.NoError(t, err)
	require.True(t, r.Delegate)
	r, err = e2.svc.ApproveReturn(ctx, e2.supervisor, r.ID, r.Version, "")
	require.NoError(t, err)
	receipt = e2.attach(t, e2.officer, "签收.jpg", "代领签收")
	_, err = e2.svc.CompleteReturn(ctx, e2.officer, r.ID, r.Version, recovery.Handover{Receipt: receipt,
		RecipientDocNumber: e2.docs[e2.delegate.ID], OwnerDocNumber: e2.docs[e2.owner2.ID]})
	requireField(t, err, "ownerDocNumber", "matches_record")
	r, err = e2.svc.CompleteReturn(ctx, e2.officer, r.ID, r.Version, recovery.Handover{Receipt: receipt,
		RecipientDocNumber: e2.docs[e2.delegate.ID], OwnerDocNumber: e2.docs[e2.owner.ID]})
	require.NoError(t, err)
	require.Equal(t, recovery.ReturnCompleted, r.State)
	got := e2.get(t, it.ID)
	require.Equal(t, e2.delegate.ID, got.Holder.ID)
	// The numbers shown were never written to the audit log.
	e2.verify(t)
	err = e2.k.Store().ScanAudit(ctx, 1, func(_ casework.AuditEntry, p []byte) error {
		for _, doc := range e2.docs {
			require.NotContains(t, string(p), doc)
		}
		return nil
	})
	require.NoError(t, err)
}

func TestCustodyCorrection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "memory", nil)
	ctx := e.ctx
	it := e.found(t, "tools", "博世电锤一台", fen(600))
	it = e.toStore(t, it)
	e.advance(time.Hour)
	// The store room entry named the wrong cabinet: correct it.
	_, err := e.svc.Correct(ctx, e.officer, it.ID, it.Version, recovery.CorrectionInput{Corrects: 2})
	require.ErrorIs(t, err, recovery.ErrForbidden)
	_, err = e.svc.Correct(ctx, e.custodian, it.ID, it.Version, recovery.CorrectionInput{Corrects: 7,
		CustodyDetails: recovery.CustodyDetails{Reason: "柜号登记错误", Condition: "完好"}})
	requireField(t, err, "corrects", "exists")
	it, err = e.svc.Correct(ctx, e.custodian, it.ID, it.Version, recovery.CorrectionInput{Corrects: 2,
		To:             recovery.Holder{Kind: recovery.HolderLocation, ID: "ZD-A-04", Name: "A区04柜"},
		CustodyDetails: recovery.CustodyDetails{Reason: "柜号登记错误", Condition: "完好", Seal: recovery.SealIntact}})
	require.NoError(t, err)
	require.Equal(t, "ZD-A-04", it.Holder.ID)
	chain, err := e.svc.Custody(ctx, e.officer, it.ID)
	require.NoError(t, err)
	require.NoError(t, recovery.CheckChain(chain))
	require.Len(t, chain, 3)
	require.Equal(t, "ZD-A-03", chain[1].To.ID, "the corrected entry is unchanged")
	require.Equal(t, int64(2), chain[2].Corrects)
	h, ok := recovery.HolderAt(chain, chain[1].At)
	require.True(t, ok)
	require.Equal(t, "ZD-A-03", h.ID)
	_, ok = recovery.HolderAt(chain, chain[0].At.Add(-time.Second))
	require.False(t, ok)
	// A move to the current holder, or back in time, is refused.
	_, err = e.svc.Move(ctx, e.custodian, it.ID, it.Version, recovery.MoveInput{To: it.Holder,
		CustodyDetails: recovery.CustodyDetails{WitnessID: e.custodian2.StaffID, Reason: "x", Condition: "完好"}})
	requireField(t, err, "to", "other_holder")
	_, err = e.svc.Move(ctx, e.custodian, it.ID, it.Version, recovery.MoveInput{To: recovery.Holder{Kind: recovery.HolderStaff, ID: e.custodian2.StaffID},
		CustodyDetails: recovery.CustodyDetails{WitnessID: e.custodian.StaffID, Reason: "x", Condition: "完好", At: start.Add(-time.Hour),
			Photos: []string{"nothex"}}})
	requireField(t, err, "at", "chronological")
	requireField(t, err, "witnessId", "not_actor")
	requireField(t, err, "photos[0]", "sha256")
	e.verify(t)
}

// TestCheckChain feeds CheckChain broken chains.
func TestCheckChain(t *testing.T) {
	t.Parallel()
	a := recovery.Holder{Kind: recovery.HolderStaff, ID: "a"}
	b := recovery.Holder{Kind: recovery.HolderLocation, ID: "b"}
	ext := recovery.Holder{Kind: recovery.HolderExternal, Name: "现场"}
	e1 := recovery.CustodyEntry{Seq: 1, Kind: recovery.EntryIntake, From: ext, To: a, At: start}
	e2 := recovery.CustodyEntry{Seq: 2, Kind: recovery.EntryMove, From: a, To: b, At: start.Add(time.Hour)}
	tests := []struct {
		name  string
		chain []recovery.CustodyEntry
		ok    bool
	}{
		{"empty", nil, true},
		{"good", []recovery.CustodyEntry{e1, e2}, true},
		{"gap", []recovery.CustodyEntry{e1, func() recovery.CustodyEntry { x := e2; x.Seq = 3; return x }()}, false},
		{"two holders", []recovery.CustodyEntry{e1, func() recovery.CustodyEntry { x := e2; x.From = b; return x }()}, false},
		{"no intake", []recovery.CustodyEntry{func() recovery.CustodyEntry { x := e1; x.Kind = recovery.EntryMove; return x }()}, false},
		{"backwards", []recovery.CustodyEntry{e1, func() recovery.CustodyEntry { x := e2; x.At = start.Add(-time.Hour); return x }()}, false},
		{"nobody", []recovery.CustodyEntry{func() recovery.CustodyEntry { x := e1; x.To = recovery.Holder{}; return x }()}, false},
		{"bad correction", []recovery.CustodyEntry{e1, func() recovery.CustodyEntry {
			x := e2
			x.Kind, x.Corrects = recovery.EntryCorrection, 2
			return x
		}()}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := recovery.CheckChain(tc.chain)
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
		})
	}
}

func TestReturnEvent(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, nil)
			ctx := e.ctx
			var items []recovery.Item
			var rets []recovery.Return
			for i, o := range []casework.Person{e.owner, e.owner2} {
				it := e.found(t, "e_bike", "电动车", fen(int64(1000*(i+1))))
				it, err := e.svc.Identify(ctx, e.officer, it.ID, it.Version, recovery.IdentifyInput{OwnerPersonID: o.ID})
				require.NoError(t, err)
				items = append(items, it)
				rets = append(rets, e.approved(t, it))
			}
			ev, err := e.svc.PlanEvent(ctx, e.officer, recovery.EventInput{UnitID: e.branch.ID, Name: "涉案物品返还会", Date: start.Add(24 * time.Hour), Place: "张店分局大厅"})
			require.ErrorIs(t, err, recovery.ErrNotFound, "a station officer cannot host at the branch")
			ev, err = e.svc.PlanEvent(ctx, e.supervisor2, recovery.EventInput{UnitID: e.branch.ID, Name: "涉案物品返还会", Date: start.Add(24 * time.Hour), Place: "张店分局大厅"})
			require.NoError(t, err)
			_, err = e.svc.HoldEvent(ctx, e.supervisor2, ev.ID, ev.Version, nil)
			requireField(t, err, "returnIds", "required")
			ev, err = e.svc.AddReturns(ctx, e.supervisor2, ev.ID, ev.Version, []string{rets[0].ID, rets[1].ID})
			require.NoError(t, err)
			_, err = e.svc.AddReturns(ctx, e.supervisor2, ev.ID, ev.Version, []string{rets[0].ID})
			requireField(t, err, "returnIds[0]", "unique")
			e.advance(24 * time.Hour)
			receipt := e.attach(t, e.officer, "签收1.jpg", "陈某某签收")
			good := recovery.Handover{ReturnID: rets[0].ID, Receipt: receipt, RecipientDocNumber: e.docs[e.owner.ID]}
			absent := recovery.Handover{ReturnID: rets[1].ID, Absent: true, Reason: "失主未到场"}
			_, err = e.svc.HoldEvent(ctx, e.supervisor2, ev.ID, ev.Version, []recovery.Handover{good})
			requireField(t, err, "handovers", "cover_returns")
			bad := good
			bad.RecipientDocNumber = e.docs[e.owner2.ID]
			_, err = e.svc.HoldEvent(ctx, e.supervisor2, ev.ID, ev.Version, []recovery.Handover{bad, {ReturnID: rets[1].ID, Absent: true}})
			requireField(t, err, "handovers[0].recipientDocNumber", "matches_record")
			requireField(t, err, "handovers[1].reason", "required")
			require.Equal(t, recovery.StateReturnApproved, e.get(t, items[0].ID).State, "a refused event changes nothing")
			ev, err = e.svc.HoldEvent(ctx, e.supervisor2, ev.ID, ev.Version, []recovery.Handover{absent, good})
			require.NoError(t, err)
			require.Equal(t, recovery.EventHeld, ev.State)
			require.Equal(t, 1, ev.Returned())
			require.Len(t, ev.Results, 2)
			require.Equal(t, recovery.StateReturned, e.get(t, items[0].ID).State)
			waiting := e.get(t, items[1].ID)
			require.Equal(t, recovery.StateReturnApproved, waiting.State, "the absent owner's item waits")
			require.Equal(t, items[1].Holder, waiting.Holder)
			r1, err := e.svc.GetReturn(ctx, e.officer, rets[1].ID)
			require.NoError(t, err)
			require.Equal(t, recovery.ReturnApproved, r1.State)
			require.Len(t, r1.Attempts, 1)
			_, err = e.svc.HoldEvent(ctx, e.supervisor2, ev.ID, ev.Version, nil)
			require.ErrorIs(t, err, recovery.ErrInvalidTransition)

			// The waiting item goes back later, at the desk.
			r1, err = e.svc.CompleteReturn(ctx, e.officer, r1.ID, r1.Version, recovery.Handover{Receipt: e.attach(t, e.officer, "签收2.jpg", "王某签收"),
				RecipientDocNumber: e.docs[e.owner2.ID]})
			require.NoError(t, err)
			require.Equal(t, recovery.ReturnCompleted, r1.State)

			_, err = e.svc.ReturnList(ctx, e.officer, recovery.ReturnListQuery{EventID: ev.ID})
			require.ErrorIs(t, err, recovery.ErrNotFound, "the branch's event is above the station")
			list, err := e.svc.ReturnList(ctx, e.supervisor, recovery.ReturnListQuery{EventID: ev.ID})
			require.NoError(t, err)
			require.Len(t, list.Rows, 2)
			require.Equal(t, "110105********002X", list.Rows[0].OwnerDoc)
			require.Equal(t, "返还会上未发还：失主未到场", list.Rows[1].Note, "the list keeps why a hand-over failed")
			var buf bytes.Buffer
			require.NoError(t, list.WriteHTML(&buf))
			require.NotPanics(t, func() { err = list.WriteHTML(nil) })
			require.ErrorIs(t, err, recovery.ErrInvalid, "a nil writer is invalid input, not a panic")
			html := buf.String()
			for _, want := range []string{"涉案物品返还会发还清单", "张店分局大厅", "陈某某", "电动自行车（NIBRS 04）", "类别（NIBRS 代码）", "3000.00", "返还会上未发还：失主未到场", "领取人签名"} {
				require.Contains(t, html, want)
			}
			require.NotContains(t, html, e.docs[e.owner.ID])
			evs, _, err := e.svc.ListEvents(ctx, e.officer, recovery.EventQuery{})
			require.ErrorIs(t, err, nil)
			require.Empty(t, evs, "the event is the branch's, above the station")
			evs, _, err = e.svc.ListEvents(ctx, e.supervisor, recovery.EventQuery{States: []recovery.EventState{recovery.EventHeld}})
			require.NoError(t, err)
			require.Len(t, evs, 1)
			tot, err := e.svc.Totals(ctx, e.supervisor, casework.ReportQuery{From: start, To: start.AddDate(0, 0, 3)})
			require.NoError(t, err)
			require.Equal(t, int64(1), tot.ReturnEvents)
			require.Equal(t, int64(2), tot.ItemsReturned)
			require.Equal(t, fen(3000), tot.ValueReturnedFen)
			e.verify(t)
		})
	}
}

func TestSweepAndDisposal(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, &recovery.Config{HoldingPeriodDays: 30})
			ctx := e.ctx
			it := e.found(t, "tobacco", "中华香烟十条", fen(4500))
			keep := e.found(t, "cash", "现金3200元", fen(3200))
			// 30 days, the day of recovery not counted, to 24:00 Shanghai time.
			require.Equal(t, time.Date(2020, 6, 11, 16, 0, 0, 0, time.UTC), it.HoldUntil)
			res, err := e.svc.Sweep(ctx, it.HoldUntil.Add(-time.Microsecond))
			require.NoError(t, err)
			require.Zero(t, res.Changed)
			_, err = e.svc.Identify(ctx, e.officer, keep.ID, keep.Version, recovery.IdentifyInput{OwnerPersonID: e.owner.ID})
			require.NoError(t, err)
			e.clock.Set(it.HoldUntil.Add(time.Hour))
			res, err = e.svc.Sweep(ctx, e.k.Now())
			require.NoError(t, err)
			require.Equal(t, casework.SweepResult{Changed: 1, Notified: 1}, res)
			res, err = e.svc.Sweep(ctx, e.k.Now())
			require.NoError(t, err)
			require.Zero(t, res.Changed, "a sweep is idempotent")
			it = e.get(t, it.ID)
			require.Equal(t, recovery.StateUnclaimed, it.State)
			require.Equal(t, it.HoldUntil, it.UnclaimedAt)

			_, err = e.svc.RequestDisposal(ctx, e.custodian, recovery.DisposalInput{ItemID: keep.ID, Method: recovery.DisposeAuction, Reason: "x"})
			require.ErrorIs(t, err, recovery.ErrInvalidTransition, "an identified item is not disposed of")
			_, err = e.svc.RequestDisposal(ctx, e.custodian, recovery.DisposalInput{ItemID: it.ID, Method: "burn"})
			requireField(t, err, "method", "code")
			requireField(t, err, "reason", "required")
			d, err := e.svc.RequestDisposal(ctx, e.custodian, recovery.DisposalInput{ItemID: it.ID, Method: recovery.DisposeAuction, Reason: "保管期满无人认领"})
			require.NoError(t, err)
			_, err = e.svc.Identify(ctx, e.officer, it.ID, e.get(t, it.ID).Version, recovery.IdentifyInput{OwnerPersonID: e.owner.ID})
			require.ErrorIs(t, err, recovery.ErrInvalidTransition, "a disposal under way blocks identification")
			_, err = e.svc.CompleteDisposal(ctx, e.custodian, d.ID, d.Version, recovery.DisposalCompletion{})
			require.ErrorIs(t, err, recovery.ErrInvalidTransition, "no disposal before approval")
			_, err = e.svc.ApproveDisposal(ctx, e.stationSup, d.ID, d.Version, "")
			require.ErrorIs(t, err, recovery.ErrForbidden)
			d, err = e.svc.ApproveDisposal(ctx, e.supervisor, d.ID, d.Version, "同意拍卖")
			require.NoError(t, err)
			doc := e.attach(t, e.custodian, "拍卖成交确认书.pdf", "成交价3800元")
			_, err = e.svc.CompleteDisposal(ctx, e.custodian, d.ID, d.Version, recovery.DisposalCompletion{ProceedsFen: -1, Document: doc})
			requireField(t, err, "proceedsFen", "min")
			requireField(t, err, "recipient", "required")
			requireField(t, err, "witnessId", "required")
			d, err = e.svc.CompleteDisposal(ctx, e.custodian, d.ID, d.Version, recovery.DisposalCompletion{ProceedsFen: fen(3800),
				Recipient: "淄博市公物拍卖中心", Document: doc, WitnessID: e.custodian2.StaffID, Condition: "完好"})
			require.NoError(t, err)
			require.Equal(t, recovery.DisposalCompleted, d.State)
			it = e.get(t, it.ID)
			require.Equal(t, recovery.StateDisposed, it.State)
			require.Equal(t, recovery.HolderExternal, it.Holder.Kind)
			chain, err := e.svc.Custody(ctx, e.officer, it.ID)
			require.NoError(t, err)
			require.NoError(t, recovery.CheckChain(chain))
			require.Equal(t, recovery.EntryDisposal, chain[len(chain)-1].Kind)
			ds, _, err := e.svc.ListDisposals(ctx, e.supervisor, recovery.DisposalQuery{ItemID: it.ID})
			require.NoError(t, err)
			require.Len(t, ds, 1)

			tot, err := e.svc.Totals(ctx, e.supervisor, casework.ReportQuery{From: start, To: start.AddDate(0, 2, 0)})
			require.NoError(t, err)
			require.Equal(t, recovery.Totals{ItemsRecovered: 2, ValueRecoveredFen: fen(7700), ItemsUnclaimed: 1, ItemsDisposed: 1, DisposalProceedsFen: fen(3800)}, tot)
			e.verify(t)
		})
	}
}

func TestDestructionHasNoProceeds(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "memory", &recovery.Config{HoldingPeriodDays: 1})
	ctx := e.ctx
	it := e.found(t, "food_grain", "变质大米五袋", fen(250))
	e.clock.Set(it.HoldUntil)
	_, err := e.svc.Sweep(ctx, e.k.Now())
	require.NoError(t, err)
	d, err := e.svc.RequestDisposal(ctx, e.custodian, recovery.DisposalInput{ItemID: it.ID, Method: recovery.DisposeDestruction, Reason: "变质"})
	require.NoError(t, err)
	_, err = e.svc.RejectDisposal(ctx, e.supervisor, d.ID, d.Version, "")
	requireField(t, err, "note", "required")
	d, err = e.svc.ApproveDisposal(ctx, e.supervisor, d.ID, d.Version, "")
	require.NoError(t, err)
	_, err = e.svc.CompleteDisposal(ctx, e.custodian, d.ID, d.Version, recovery.DisposalCompletion{ProceedsFen: 5, Recipient: "垃圾处理厂",
		Document: e.attach(t, e.custodian, "销毁记录.jpg", "销毁"), WitnessID: e.custodian2.StaffID, Condition: "变质"})
	requireField(t, err, "proceedsFen", "zero_for_destruction")
}

func TestQueries(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, nil)
			ctx := e.ctx
			phone := imei("35693803564380")
			a := e.stolen(t, "mobile_phone", "苹果手机", fen(5000), e.owner, casework.Identifier{Kind: "imei", Value: phone})
			b := e.stolen(t, "e_bike", "绿源电动车", fen(1800), e.owner2)
			c := e.found(t, "cage", "竹制鸟笼", fen(600))
			e.advance(time.Minute)
			d := e.found(t, "cage", "铁鸟笼", fen(200))
			q := func(q recovery.ItemQuery) []string {
				t.Helper()
				items, _, err := e.svc.List(ctx, e.officer, q)
				require.NoError(t, err)
				var ids []string
				for _, it := range items {
					ids = append(ids, it.ID)
				}
				return ids
			}
			require.Equal(t, []string{a.ID, b.ID, c.ID, d.ID}, q(recovery.ItemQuery{}))
			require.Equal(t, []string{a.ID}, q(recovery.ItemQuery{OwnerDocNumber: strings.ToLower(e.docs[e.owner.ID])}))
			require.Empty(t, q(recovery.ItemQuery{OwnerDocNumber: e.docs[e.delegate.ID]}))
			require.Equal(t, []string{a.ID}, q(recovery.ItemQuery{Identifier: phone[:5] + " " + phone[5:]}))
			require.Equal(t, []string{c.ID, d.ID}, q(recovery.ItemQuery{Category: "cage"}))
			require.Equal(t, []string{a.ID, b.ID}, q(recovery.ItemQuery{States: []recovery.State{recovery.StateReportedStolen}}))
			require.Equal(t, []string{b.ID}, q(recovery.ItemQuery{CaseID: "case-1", OwnerPersonID: e.owner2.ID}))
			require.Equal(t, []string{d.ID}, q(recovery.ItemQuery{RecoveredFrom: start.Add(time.Second)}))
			require.Equal(t, []string{a.ID, b.ID}, q(recovery.ItemQuery{StolenFrom: start.Add(-3 * time.Hour), StolenTo: start}))
			require.Equal(t, []string{c.ID, d.ID}, q(recovery.ItemQuery{UnitID: e.station.ID, Origin: recovery.OriginFound}))
			_, _, err := e.svc.List(ctx, e.officer, recovery.ItemQuery{UnitID: e.branch.ID})
			require.ErrorIs(t, err, recovery.ErrNotFound, "a unit above the actor is out of reach")
			var all []string
			after := ""
			for {
				page, next, err := e.svc.List(ctx, e.supervisor, recovery.ItemQuery{Page: casework.Page{Limit: 3, After: after}})
				require.NoError(t, err)
				for _, it := range page {
					all = append(all, it.ID)
				}
				if next == "" {
					break
				}
				after = next
			}
			require.Equal(t, []string{a.ID, b.ID, c.ID, d.ID}, all)
			rs, _, err := e.svc.ListReturns(ctx, e.officer, recovery.ReturnQuery{})
			require.NoError(t, err)
			require.Empty(t, rs)
		})
	}
}

func TestCompareProperty(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "memory", nil)
	ctx := e.ctx
	frame := casework.Identifier{Kind: "frame", Value: "TL2020051288"}
	cage := e.found(t, "cage", "竹制鸟笼一个，内有画眉鸟两只", fen(1200))
	bike := e.found(t, "e_bike", "台铃电动车 蓝色", fen(1500), frame)
	_ = e.found(t, "mobile_phone", "华为手机", fen(2000))
	ms, err := e.svc.CompareProperty(ctx, e.officer, recovery.PropertyQuery{Identifiers: []casework.Identifier{{Kind: "frame", Value: "tl-2020-0512-88"}},
		Category: "e_bike", Description: "蓝色台铃电动自行车", At: start.Add(-24 * time.Hour), Place: "张店区", UnitID: e.station.ID})
	require.NoError(t, err)
	require.Equal(t, bike.ID, ms[0].ItemID)
	require.Equal(t, "recovered", ms[0].State)
	require.GreaterOrEqual(t, ms[0].Score, 1.0)
	ms, err = e.svc.CompareProperty(ctx, e.officer, recovery.PropertyQuery{Category: "cage", Description: "鸟笼 画眉", At: start.Add(-24 * time.Hour)})
	require.NoError(t, err)
	require.Equal(t, cage.ID, ms[0].ItemID)
	require.Less(t, ms[0].Score, 1.0)
	_, err = e.svc.CompareProperty(ctx, e.officer, recovery.PropertyQuery{})
	requireField(t, err, "description", "required")
	ms, err = e.svc.CompareProperty(ctx, e.away, recovery.PropertyQuery{Identifiers: []casework.Identifier{frame}})
	require.NoError(t, err)
	require.Empty(t, ms, "another branch's register is out of reach")
}

func TestLedger(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, nil)
			ctx := e.ctx
			// recovery.New registered the receivers of stolen items and arrests.
			src := casework.Source{Kind: "case", ID: "case-77", Step: "stolen/1"}
			payload := casework.StolenItems{Source: src, Actor: e.officer, UnitID: e.station.ID, CaseID: "case-77",
				StolenAt: start.Add(-24 * time.Hour), Place: "张店区某宾馆门外树上",
				Items: []casework.StolenItem{
					{ItemID: "case-77-item-1", Category: "cage", Description: "竹制鸟笼", Quantity: 1, ValueFen: fen(800), OwnerPersonID: e.owner.ID},
					{ItemID: "case-77-item-2", Category: "birds_animals", Description: "画眉鸟", Quantity: 2, ValueFen: fen(3000), OwnerPersonID: e.owner.ID},
				}}
			// The trace arrives first: it waits for the items.
			trace := casework.TraceItems{Source: casework.Source{Kind: "case", ID: "case-77", Step: "arrest/a1"}, Actor: e.officer,
				CaseID: "case-77", ArrestID: "a1", ItemIDs: []string{"case-77-item-1"}, At: start}
			_, err := e.svc.MarkTraced(ctx, trace)
			require.ErrorIs(t, err, recovery.ErrNotFound)
			msg, err := e.k.NewOutboxMessage(casework.KindStolenItems, src, payload)
			require.NoError(t, err)
			dup := msg
			dup.ID = "dup-" + msg.ID // delivered at least once: here twice
			require.NoError(t, e.k.Store().CommitChange(ctx, casework.Change{Outbox: []casework.OutboxMessage{msg, dup}}))
			n, err := e.k.DeliverPending(ctx, nil)
			require.NoError(t, err)
			require.Equal(t, 2, n)
			items, _, err := e.svc.List(ctx, e.officer, recovery.ItemQuery{CaseID: "case-77"})
			require.NoError(t, err)
			require.Len(t, items, 2)
			require.Equal(t, "case-77-item-1", items[0].ID)
			require.Equal(t, recovery.StateReportedStolen, items[0].State)
			require.Equal(t, "张店区某宾馆门外树上", items[0].StolenPlace)
			require.Equal(t, src, items[0].Source)
			id, err := e.svc.RegisterStolen(ctx, payload)
			require.NoError(t, err)
			require.Equal(t, "case-77", id)

			tm, err := e.k.NewOutboxMessage(casework.KindTraceItems, trace.Source, trace)
			require.NoError(t, err)
			require.NoError(t, e.k.Store().CommitChange(ctx, casework.Change{Outbox: []casework.OutboxMessage{tm}}))
			_, err = e.k.DeliverPending(ctx, nil)
			require.NoError(t, err)
			_, err = e.svc.MarkTraced(ctx, trace)
			require.NoError(t, err)
			all := trace
			all.Source.Step, all.ArrestID, all.ItemIDs = "arrest/a2", "a2", nil
			_, err = e.svc.MarkTraced(ctx, all)
			require.NoError(t, err)
			it1, it2 := e.get(t, "case-77-item-1"), e.get(t, "case-77-item-2")
			require.Len(t, it1.Traces, 2)
			require.Len(t, it2.Traces, 1)
			require.Equal(t, "a2", it2.Traces[0].ArrestID)
			require.True(t, it1.Traced())

			// A bad payload is refused, naming the field, and nothing is created.
			bad := payload
			bad.Source.Step = "stolen/2"
			bad.Items = []casework.StolenItem{{ItemID: "case-77-item-3", Category: "documents", Description: "身份证", ValueFen: 100},
				{ItemID: "case-77-item-3", Category: "e_bike", Description: "x", ValueFen: fen(200_000)}}
			_, err = e.svc.RegisterStolen(ctx, bad)
			requireField(t, err, "items[0].valueFen", "zero_value")
			requireField(t, err, "items[1].itemId", "unique")
			requireField(t, err, "items[1].valueFen", "confirm_large_value")
			_, err = e.svc.RegisterStolen(ctx, casework.StolenItems{})
			requireField(t, err, "source.kind", "required")
			bad.Actor = e.away
			bad.Items = nil
			_, err = e.svc.RegisterStolen(ctx, bad)
			require.ErrorIs(t, err, recovery.ErrNotFound, "the sender's actor must reach the unit")
			e.verify(t)
		})
	}
}

func TestFiguresInKernelReport(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "memory", nil)
	ctx := e.ctx
	it := e.found(t, "motorcycle", "豪爵摩托车", fen(4200))
	it, err := e.svc.Identify(ctx, e.officer, it.ID, it.Version, recovery.IdentifyInput{OwnerPersonID: e.owner2.ID})
	require.NoError(t, err)
	r := e.approved(t, it)
	_, err = e.svc.CompleteReturn(ctx, e.officer, r.ID, r.Version, recovery.Handover{Receipt: e.attach(t, e.officer, "r.jpg", "r"), RecipientDocNumber: e.docs[e.owner2.ID]})
	require.NoError(t, err)
	figs, err := e.k.Report(ctx, e.supervisor, casework.ReportQuery{From: start, To: start})
	require.NoError(t, err)
	got := map[string]int64{}
	for _, f := range figs {
		got[f.Key] = f.Value
	}
	require.Equal(t, fen(4200), got[recovery.FigureValueReturnedFen])
	require.Equal(t, int64(1), got[recovery.FigureItemsReturned])
	require.Equal(t, int64(0), got[recovery.FigureReturnEvents])
	byUnit, err := e.svc.TotalsByUnit(ctx, e.supervisor, casework.ReportQuery{From: start, To: start})
	require.NoError(t, err)
	require.Len(t, byUnit, 2)
	require.Equal(t, e.branch.ID, byUnit[0].Unit.ID)
	require.Equal(t, byUnit[0].Totals, byUnit[1].Totals)
	// Another branch sees none of it.
	figs, err = e.k.Report(ctx, e.away, casework.ReportQuery{From: start, To: start})
	require.NoError(t, err)
	for _, f := range figs {
		require.Zero(t, f.Value, f.Key)
	}
	// The kernel's one Sweep covers recovery too.
	_, err = e.k.Sweep(ctx, start.AddDate(1, 0, 0))
	require.NoError(t, err)
}

func TestEventAfterDeskReturn(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "memory", nil)
	ctx := e.ctx
	var rets []recovery.Return
	for _, o := range []casework.Person{e.owner, e.owner2} {
		it := e.found(t, "tools", "电钻", fen(300))
		it, err := e.svc.Identify(ctx, e.officer, it.ID, it.Version, recovery.IdentifyInput{OwnerPersonID: o.ID})
		require.NoError(t, err)
		rets = append(rets, e.approved(t, it))
	}
	ev, err := e.svc.PlanEvent(ctx, e.officer, recovery.EventInput{UnitID: e.station.ID, Name: "返还会", Date: start, Place: "车站派出所"})
	require.NoError(t, err)
	ev, err = e.svc.AddReturns(ctx, e.officer, ev.ID, ev.Version, []string{rets[0].ID, rets[1].ID})
	require.NoError(t, err)
	// 王某 could not wait for the event and collected at the desk.
	r1, err := e.svc.GetReturn(ctx, e.officer, rets[1].ID)
	require.NoError(t, err)
	require.Equal(t, ev.ID, r1.EventID)
	_, err = e.svc.CompleteReturn(ctx, e.officer, r1.ID, r1.Version, recovery.Handover{Receipt: e.attach(t, e.officer, "r.jpg", "r"),
		RecipientDocNumber: e.docs[e.owner2.ID]})
	require.NoError(t, err)
	receipt := e.attach(t, e.officer, "r2.jpg", "r2")
	_, err = e.svc.HoldEvent(ctx, e.officer, ev.ID, ev.Version, []recovery.Handover{
		{ReturnID: rets[0].ID, Receipt: receipt, RecipientDocNumber: e.docs[e.owner.ID]},
		{ReturnID: rets[1].ID, Receipt: receipt, RecipientDocNumber: e.docs[e.owner2.ID]}})
	requireField(t, err, "handovers[1].returnId", "open")
	ev, err = e.svc.HoldEvent(ctx, e.officer, ev.ID, ev.Version, []recovery.Handover{{ReturnID: rets[0].ID, Receipt: receipt, RecipientDocNumber: e.docs[e.owner.ID]}})
	require.NoError(t, err)
	require.Equal(t, 1, ev.Returned())
	list, err := e.svc.ReturnList(ctx, e.officer, recovery.ReturnListQuery{EventID: ev.ID})
	require.NoError(t, err)
	require.Equal(t, "返还会前已发还", list.Rows[1].Note)
	require.Equal(t, 2, list.Returned)
	e.verify(t)
}

// TestHostileInput sends what a careless or hostile caller might: NUL
// bytes, broken UTF-8, huge strings, ids that cannot exist. Every backend
// answers with the error kinds of the contract, never a driver error or a
// panic.
func TestHostileInput(t *testing.T) {
	t.Parallel()
	bad := []string{"\x00", "a\x00b", "\xff\xfe", strings.Repeat("长", 5000), "../../etc", "'; DROP TABLE recovery_items; --"}
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, nil)
			ctx := e.ctx
			it := e.found(t, "cage", "鸟笼", fen(100))
			allowed := func(err error) {
				t.Helper()
				if err == nil {
					return
				}
				for _, k := range []error{recovery.ErrInvalid, recovery.ErrNotFound, recovery.ErrInvalidTransition, recovery.ErrForbidden} {
					if errorsIs(err, k) {
						return
					}
				}
				t.Fatalf("unexpected error kind: %v", err)
			}
			for _, s := range bad {
				_, err := e.svc.Get(ctx, e.officer, s)
				allowed(err)
				_, err = e.svc.GetReturn(ctx, e.officer, s)
				allowed(err)
				_, err = e.svc.GetEvent(ctx, e.officer, s)
				allowed(err)
				_, err = e.svc.GetDisposal(ctx, e.officer, s)
				allowed(err)
				_, _, err = e.svc.List(ctx, e.officer, recovery.ItemQuery{CaseID: s, Category: s, OwnerPersonID: s, Identifier: s, OwnerDocNumber: s, UnitID: s})
				allowed(err)
				_, _, err = e.svc.List(ctx, e.officer, recovery.ItemQuery{CaseID: s, Page: casework.Page{After: s}})
				allowed(err)
				_, _, err = e.svc.ListReturns(ctx, e.officer, recovery.ReturnQuery{ItemID: s, EventID: s})
				allowed(err)
				_, err = e.svc.ReturnList(ctx, e.officer, recovery.ReturnListQuery{CaseID: s})
				allowed(err)
				_, err = e.svc.ReportStolen(ctx, e.officer, recovery.StolenInput{ItemInput: recovery.ItemInput{UnitID: e.station.ID, CaseID: s,
					Category: "cage", Description: s, Quantity: 1, ValueFen: 1, OwnerPersonID: s,
					Identifiers: []casework.Identifier{{Kind: "serial", Value: s}}}, StolenAt: start, StolenPlace: s})
				allowed(err)
				_, err = e.svc.Move(ctx, e.custodian, it.ID, it.Version, recovery.MoveInput{To: recovery.Holder{Kind: recovery.HolderLocation, ID: s, Name: s},
					CustodyDetails: recovery.CustodyDetails{WitnessID: s, Reason: s, Condition: s, SealNumber: s, Photos: []string{s}}})
				allowed(err)
				_, err = e.svc.Identify(ctx, e.officer, it.ID, it.Version, recovery.IdentifyInput{OwnerPersonID: s, CaseID: s, Note: s})
				allowed(err)
				_, err = e.svc.RequestReturn(ctx, e.officer, recovery.ReturnInput{ItemID: s})
				allowed(err)
				_, err = e.svc.PlanEvent(ctx, e.officer, recovery.EventInput{UnitID: e.station.ID, Name: s, Place: s, Date: start})
				allowed(err)
				_, err = e.svc.CompareProperty(ctx, e.officer, recovery.PropertyQuery{Description: s, Place: s, UnitID: s,
					Identifiers: []casework.Identifier{{Kind: s, Value: s}}})
				allowed(err)
				_, err = e.svc.MarkTraced(ctx, casework.TraceItems{Source: casework.Source{Kind: "case", ID: "c", Step: s}, Actor: e.officer,
					CaseID: "c", ArrestID: "a", ItemIDs: []string{s}})
				allowed(err)
			}
			// The register is unharmed.
			got := e.get(t, it.ID)
			require.Equal(t, it.Version, got.Version)
			e.verify(t)
		})
	}
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }
