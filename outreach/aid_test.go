package outreach_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/outreach"
)

// TestAidQuantities: aid lines carry an item, a quantity and a unit of the
// code list (an integrator's unit accepted by its label and stored as its
// code), and the totals sum them per item and unit, so "1 桶花生油、10 斤米、
// 10 斤面" is a figure; a line recorded before units were a code list
// reads as it was and is summed under its text. On every backend.
func TestAidQuantities(t *testing.T) {
	t.Parallel()
	for _, backend := range []string{"memory", "sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			b := setupOn(t, backend, nil)
			b.k.Codes().Add(casework.CodeList{Name: outreach.CodesAidUnit, Codes: []casework.Code{{Value: "tray", ZH: "盘", EN: "tray"}}})
			visit := func(aid ...outreach.Aid) outreach.Visit {
				t.Helper()
				v, err := b.svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, AddressID: b.address.ID,
					TargetKind: outreach.DifficultFamily, Organisation: "赵希兰家", Aid: aid})
				require.NoError(t, err)
				b.clock.Advance(time.Hour)
				return v
			}
			v1 := visit(outreach.Aid{Item: "花生油", Quantity: 1, Unit: "桶"}, outreach.Aid{Item: "米", Quantity: 10, Unit: "斤"},
				outreach.Aid{Item: "面", Quantity: 10, Unit: "斤"}, outreach.Aid{Item: "饺子", Quantity: 2, Unit: "盘"}, outreach.Aid{Item: "蔬菜肉类"})
			require.Equal(t, []outreach.Aid{{Item: "花生油", Quantity: 1, Unit: "桶"}, {Item: "米", Quantity: 10, Unit: "斤"},
				{Item: "面", Quantity: 10, Unit: "斤"}, {Item: "饺子", Quantity: 2, Unit: "tray"}, {Item: "蔬菜肉类"}}, v1.Aid,
				"units stored as codes")
			visit(outreach.Aid{Item: "花生油", Quantity: 2, Unit: "桶"}, outreach.Aid{Item: " 米 ", Quantity: 5, Unit: " 斤 "},
				outreach.Aid{Item: "慰问金", Quantity: 500, Unit: "元"})
			visit() // no aid

			// A visit as an older program stored it: free-text units.
			old := visit(outreach.Aid{Item: "米", Quantity: 1, Unit: "斤"})
			legacy := old.Clone()
			legacy.Aid = []outreach.Aid{{Item: "米", Quantity: 20, Unit: "斤"}, {Item: "鸡蛋", Quantity: 2, Unit: "筐"}}
			legacy.Version++
			require.NoError(t, b.os.UpdateVisit(b.ctx, legacy, casework.Change{}))
			read, err := b.svc.GetVisit(b.ctx, b.officer, old.ID)
			require.NoError(t, err)
			require.Equal(t, legacy.Aid, read.Aid, "old free-text aid stays readable")

			tot, err := b.svc.Totals(b.ctx, b.chief, casework.ReportQuery{UnitID: b.station.ID, From: start.Add(-time.Hour), To: start.Add(24 * time.Hour)})
			require.NoError(t, err)
			require.Equal(t, []outreach.AidQuantity{
				{Item: "慰问金", Unit: "元", Quantity: 500, Visits: 1},
				{Item: "米", Unit: "斤", Quantity: 35, Visits: 3},
				{Item: "花生油", Unit: "桶", Quantity: 3, Visits: 2},
				{Item: "面", Unit: "斤", Quantity: 10, Visits: 1},
				{Item: "饺子", Unit: "tray", Quantity: 2, Visits: 1},
				{Item: "鸡蛋", Unit: "筐", Quantity: 2, Visits: 1},
			}, tot.AidQuantities)
			require.Equal(t, int64(3), tot.AidVisits)
			figures := map[string]casework.Figure{}
			for _, f := range tot.Figures() {
				figures[f.Key] = f
			}
			require.Equal(t, casework.Figure{Key: "outreach.aid.quantity.桶.花生油", LabelZH: "送去花生油", LabelEN: "aid delivered: 花生油",
				Value: 3, Unit: "桶"}, figures["outreach.aid.quantity.桶.花生油"])
			require.Equal(t, int64(35), figures["outreach.aid.quantity.斤.米"].Value)
			require.Equal(t, "筐", figures["outreach.aid.quantity.筐.鸡蛋"].Unit, "a legacy unit is shown as written")

			// Outside the period nothing is summed.
			none, err := b.svc.Totals(b.ctx, b.chief, casework.ReportQuery{UnitID: b.station.ID, From: start.Add(48 * time.Hour), To: start.Add(72 * time.Hour)})
			require.NoError(t, err)
			require.Empty(t, none.AidQuantities)
		})
	}
}

func TestAidValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, tc := range []struct {
		aid         outreach.Aid
		field, rule string
	}{
		{outreach.Aid{Item: "米", Quantity: 10}, "aid[0].unit", "required"},
		{outreach.Aid{Item: "米", Quantity: 10, Unit: "筐"}, "aid[0].unit", "code"},
		{outreach.Aid{Item: "蔬菜", Unit: "堆"}, "aid[0].unit", "code"},
		{outreach.Aid{Item: "米", Quantity: -1, Unit: "斤"}, "aid[0].quantity", "min"},
		{outreach.Aid{Item: "米", Quantity: 2_000_000_000, Unit: "斤"}, "aid[0].quantity", "max"},
		{outreach.Aid{Quantity: 1, Unit: "桶"}, "aid[0].item", "required"},
	} {
		_, err := b.svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, AddressID: b.address.ID,
			TargetKind: outreach.DifficultFamily, Organisation: "某户", Aid: []outreach.Aid{tc.aid}})
		require.ErrorIs(t, err, outreach.ErrInvalid)
		require.Equal(t, tc.rule, fieldRules(t, err)[tc.field], "%+v", tc.aid)
	}
	v, err := b.svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, AddressID: b.address.ID,
		TargetKind: outreach.DifficultFamily, Organisation: "某户", Aid: []outreach.Aid{{Item: "蔬菜肉类"}}})
	require.NoError(t, err, "an uncounted line needs no unit")
	_, err = b.svc.AmendVisit(b.ctx, b.officer, v.ID, v.Version, outreach.VisitAmendment{Aid: []outreach.Aid{{Item: "米", Quantity: 3, Unit: "筐"}}})
	require.Equal(t, "code", fieldRules(t, err)["aid[0].unit"], "an amendment is checked the same way")
}
