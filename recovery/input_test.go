package recovery_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/recovery"
	"github.com/stretchr/testify/require"
)

// Promise: input. One text rule (the kernel's) holds for every text field
// and every plain text parameter, one-line fields allow no line breaks, one
// plausible range holds for dates, and no method writes into its caller's
// arguments.

// TestTextRule: control characters, invalid UTF-8 and implausible dates
// are refused with ErrInvalid naming the field, in inputs and in plain
// parameters alike; free text keeps its newlines and tabs.
func TestTextRule(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "memory", &recovery.Config{HoldingPeriodDays: 1})
	item := recovery.ItemInput{UnitID: e.station.ID, Category: "bicycle", Description: "蓝色\n自行车\t一辆", Quantity: 1, ValueFen: fen(500)}
	stolen := func(mut func(*recovery.StolenInput)) error {
		in := recovery.StolenInput{ItemInput: item, StolenAt: e.k.Now().Add(-time.Hour), StolenPlace: "华光路"}
		mut(&in)
		_, err := e.svc.ReportStolen(e.ctx, e.officer, in)
		return err
	}
	require.NoError(t, stolen(func(*recovery.StolenInput) {}), "newline and tab in free text")
	requireField(t, stolen(func(in *recovery.StolenInput) { in.Description = "自行车\x1b[31m" }), "description", "text")
	requireField(t, stolen(func(in *recovery.StolenInput) { in.StolenPlace = "华光路\xff" }), "stolenPlace", "utf8")
	requireField(t, stolen(func(in *recovery.StolenInput) { in.CaseID = "case\n1" }), "caseId", "text")
	requireField(t, stolen(func(in *recovery.StolenInput) { in.StolenAt = time.Date(1850, 1, 1, 0, 0, 0, 0, time.UTC) }), "stolenAt", "date_range")

	_, err := e.svc.PlanEvent(e.ctx, e.officer, recovery.EventInput{UnitID: e.station.ID, Name: "返还会\n第二场", Date: e.k.Now(), Place: "所大厅"})
	requireField(t, err, "name", "text")
	_, err = e.svc.PlanEvent(e.ctx, e.officer, recovery.EventInput{UnitID: e.station.ID, Name: "返还会", Date: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), Place: "所大厅"})
	requireField(t, err, "date", "date_range")

	it := e.found(t, "bicycle", "自行车", fen(500))
	_, err = e.svc.Move(e.ctx, e.custodian, it.ID, it.Version, recovery.MoveInput{To: recovery.Holder{Kind: recovery.HolderLocation, ID: "A-01\tB"},
		CustodyDetails: recovery.CustodyDetails{WitnessID: e.custodian2.StaffID, Reason: "入库\x07", Condition: "完好", SealNumber: "F\n1"}})
	requireField(t, err, "to.id", "text")
	requireField(t, err, "reason", "text")
	requireField(t, err, "sealNumber", "text")

	_, err = e.svc.CompareProperty(e.ctx, e.officer, recovery.PropertyQuery{Category: "bicycle", Description: "蓝色\x1b[2J自行车"})
	requireField(t, err, "description", "text")

	// Plain text parameters: decision notes and a match note.
	r := requestedReturn(t, e)
	_, err = e.svc.RejectReturn(e.ctx, e.supervisor, r, returnVersion(e, r), "证明不足\x00")
	requireField(t, err, "note", "text")
	_, err = e.svc.ApproveReturn(e.ctx, e.supervisor, r, returnVersion(e, r), "同意\xc3")
	requireField(t, err, "note", "utf8")
	d := requestedDisposal(t, e)
	_, err = e.svc.RejectDisposal(e.ctx, e.supervisor, d, disposalVersion(e, d), "\x1b]0;x\x07")
	requireField(t, err, "note", "text")
	found := e.found(t, "bicycle", "蓝色捷安特自行车", fen(800))
	rep := e.stolen(t, "bicycle", "蓝色捷安特自行车", fen(800), e.owner)
	_, err = e.svc.ConfirmMatch(e.ctx, e.officer, found.ID, found.Version, rep.ID, "车架号一致\x08")
	requireField(t, err, "note", "text")
}

// TestInputsStayTheCallers shares one input value — with its slices —
// across 8 concurrent calls of every create and update method (a client
// retrying one request), under -race, and checks afterwards that the value
// is exactly as the caller built it: the service normalises copies only.
func TestInputsStayTheCallers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "memory", &recovery.Config{HoldingPeriodDays: 1})
	photos := func() []string { return []string{" AB" + strings.Repeat("0123456789abcdef", 4)[2:] + " "} }
	details := func() recovery.CustodyDetails {
		return recovery.CustodyDetails{WitnessID: " " + e.officer2.StaffID + " ", Reason: " 入库 ", Condition: " 完好 ", SealNumber: " F-1 ", Photos: photos()}
	}
	found := foundItem(t, e)
	reported := reportedItem(t, e)
	identified := identifiedItem(t, e).ID
	approved := approvedReturn(t, e)
	event := plannedEvent(t, e)
	heldEvent := eventWithReturn(t, e)
	heldEv, err := e.svc.GetEvent(e.ctx, e.officer, heldEvent)
	require.NoError(t, err)
	unclaimed := unclaimedItem(t, e)
	disposal := approvedDisposal(t, e)
	receipt := e.attach(t, e.officer, "签收.jpg", "签收")
	doc := e.attach(t, e.custodian, "成交确认书.pdf", "成交")
	extra := approvedReturn(t, e)

	for _, tc := range []struct {
		name string
		mk   func() any
		call func(in any) error
	}{
		{"ReportStolen", func() any {
			return recovery.StolenInput{ItemInput: recovery.ItemInput{UnitID: e.station.ID, CaseID: " case-1 ", Category: " bicycle ", Description: " 自行车 ",
				Identifiers: []casework.Identifier{{Kind: recovery.IDFrame, Value: " wd-2020 0512 "}}, Quantity: 1, ValueFen: fen(500), OwnerPersonID: " " + e.owner.ID + " "},
				StolenAt: e.k.Now().Add(-time.Hour), StolenPlace: " 华光路 ", RequestKey: "k-stolen"}
		}, func(in any) error {
			_, err := e.svc.ReportStolen(e.ctx, e.officer, in.(recovery.StolenInput))
			return err
		}},
		{"RecordFound", func() any {
			rec := e.recoveryInput()
			rec.CustodyDetails = details()
			return recovery.FoundInput{ItemInput: recovery.ItemInput{UnitID: e.station.ID, Category: "bicycle", Description: " 自行车 ",
				Identifiers: []casework.Identifier{{Kind: recovery.IDFrame, Value: " wd-2020 0513 "}}, Quantity: 1, ValueFen: fen(500)}, RecoveryInput: rec, RequestKey: "k-found"}
		}, func(in any) error {
			_, err := e.svc.RecordFound(e.ctx, e.officer, in.(recovery.FoundInput))
			return err
		}},
		{"RecordRecovery", func() any {
			rec := e.recoveryInput()
			rec.CustodyDetails = details()
			return rec
		}, func(in any) error {
			_, err := e.svc.RecordRecovery(e.ctx, e.officer, reported, itemVersion(e, reported), in.(recovery.RecoveryInput))
			return err
		}},
		{"Identify", func() any {
			return recovery.IdentifyInput{OwnerPersonID: " " + e.owner.ID + " ", CaseID: " case-1 ", Note: " 辨认 "}
		},
			func(in any) error {
				_, err := e.svc.Identify(e.ctx, e.officer, found, itemVersion(e, found), in.(recovery.IdentifyInput))
				return err
			}},
		{"Move", func() any {
			return recovery.MoveInput{To: recovery.Holder{Kind: recovery.HolderLocation, ID: "A-01"}, CustodyDetails: details()}
		}, func(in any) error {
			_, err := e.svc.Move(e.ctx, e.custodian, identified, itemVersion(e, identified), in.(recovery.MoveInput))
			return err
		}},
		{"Correct", func() any { return recovery.CorrectionInput{Corrects: 1, CustodyDetails: details()} }, func(in any) error {
			_, err := e.svc.Correct(e.ctx, e.custodian, identified, itemVersion(e, identified), in.(recovery.CorrectionInput))
			return err
		}},
		{"RequestReturn", func() any {
			return recovery.ReturnInput{ItemID: " " + identified + " ", Recipient: recovery.Holder{Kind: recovery.HolderPerson, ID: " " + e.owner.ID + " "},
				Note: " 申请 ", RequestKey: "k-return"}
		}, func(in any) error {
			_, err := e.svc.RequestReturn(e.ctx, e.officer, in.(recovery.ReturnInput))
			return err
		}},
		{"CompleteReturn", func() any {
			return recovery.Handover{Receipt: receipt, RecipientDocNumber: e.docs[e.owner.ID], WitnessID: " " + e.officer2.StaffID + " ",
				Condition: " 完好 ", Photos: photos()}
		}, func(in any) error {
			_, err := e.svc.CompleteReturn(e.ctx, e.officer, approved, returnVersion(e, approved), in.(recovery.Handover))
			return err
		}},
		{"PlanEvent", func() any {
			return recovery.EventInput{UnitID: " " + e.station.ID + " ", Name: " 返还会 ", Date: e.k.Now().Add(24 * time.Hour), Place: " 所大厅 ", RequestKey: "k-event"}
		}, func(in any) error { _, err := e.svc.PlanEvent(e.ctx, e.officer, in.(recovery.EventInput)); return err }},
		{"AddReturns", func() any { return []string{extra} }, func(in any) error {
			_, err := e.svc.AddReturns(e.ctx, e.officer, event, eventVersion(e, event), in.([]string))
			return err
		}},
		{"HoldEvent", func() any {
			return []recovery.Handover{{ReturnID: heldEv.ReturnIDs[0], Receipt: receipt, RecipientDocNumber: e.docs[e.owner.ID], Condition: " 完好 ", Photos: photos()}}
		}, func(in any) error {
			_, err := e.svc.HoldEvent(e.ctx, e.officer, heldEvent, eventVersion(e, heldEvent), in.([]recovery.Handover))
			return err
		}},
		{"RequestDisposal", func() any {
			return recovery.DisposalInput{ItemID: " " + unclaimed + " ", Method: recovery.DisposeAuction, Reason: " 保管期满 ", RequestKey: "k-disposal"}
		}, func(in any) error {
			_, err := e.svc.RequestDisposal(e.ctx, e.custodian, in.(recovery.DisposalInput))
			return err
		}},
		{"CompleteDisposal", func() any {
			return recovery.DisposalCompletion{ProceedsFen: fen(200), Recipient: " 拍卖中心 ", Document: doc, WitnessID: " " + e.officer2.StaffID + " ",
				Condition: " 完好 ", Photos: photos()}
		}, func(in any) error {
			_, err := e.svc.CompleteDisposal(e.ctx, e.custodian, disposal, disposalVersion(e, disposal), in.(recovery.DisposalCompletion))
			return err
		}},
		{"RegisterStolen", func() any {
			return casework.StolenItems{Source: casework.Source{Kind: "case", ID: "case-8", Step: "items"}, Actor: e.officer, UnitID: e.station.ID,
				CaseID: "case-8", StolenAt: e.k.Now().Add(-time.Hour), Place: " 华光路 ", Items: []casework.StolenItem{{ItemID: "stolen-8", Category: " bicycle ",
					Description: " 自行车 ", ValueFen: fen(500), Identifiers: []casework.Identifier{{Kind: recovery.IDFrame, Value: " wd-2020 0514 "}}}}}
		}, func(in any) error { _, err := e.svc.RegisterStolen(e.ctx, in.(casework.StolenItems)); return err }},
		{"MarkTraced", func() any {
			return casework.TraceItems{Source: casework.Source{Kind: "case", ID: "case-1", Step: "arrest/8"}, Actor: e.officer, CaseID: "case-1",
				ArrestID: "arrest-8", ItemIDs: []string{reported}}
		}, func(in any) error { _, err := e.svc.MarkTraced(e.ctx, in.(casework.TraceItems)); return err }},
	} {
		in, want := tc.mk(), tc.mk()
		var wg sync.WaitGroup
		oks := make([]bool, 8)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				oks[i] = tc.call(in) == nil
			}()
		}
		wg.Wait()
		require.Contains(t, oks, true, "%s: at least one call succeeds", tc.name)
		require.Equal(t, want, in, "%s wrote into its caller's input", tc.name)
	}
}
