package openapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/openapi/api"
)

// Aid lines over HTTP carry a unit of the code list outreach.aid_unit; the
// outreach totals sum them per item and unit, so 赵希兰's "1 桶花生油、10 斤
// 米、10 斤面" and a later visit's oil are figures. An unknown unit is a 422
// naming the line. On memory, SQLite and PostgreSQL.
func TestAidQuantitiesOverHTTP(t *testing.T) { eachBackend(t, testAidQuantitiesOverHTTP) }

func testAidQuantitiesOverHTTP(t *testing.T, b fixtureOption) {
	w := newOutreachWorld(t, "桓台县公安局", "田庄派出所", "田庄镇", b)
	addr := w.address(t, "桓台县田庄镇赵希兰家", "田庄镇")
	c := w.client(t, w.officer)
	ctx := context.Background()
	visit := func(key string, aid ...api.Aid) *api.Visit {
		r, err := c.RecordVisitWithResponse(ctx, &api.RecordVisitParams{IdempotencyKey: ptr(key)}, api.VisitInput{UnitId: w.station.ID,
			AddressId: addr.ID, TargetKind: "difficult_family", Organisation: "赵希兰家", Aid: aid})
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, r.StatusCode(), string(r.Body))
		return r.JSON201
	}
	visit("v1", api.Aid{Item: "花生油", Quantity: 1, Unit: "桶"}, api.Aid{Item: "米", Quantity: 10, Unit: "斤"},
		api.Aid{Item: "面", Quantity: 10, Unit: "斤"}, api.Aid{Item: "蔬菜肉类"})
	visit("v2", api.Aid{Item: "花生油", Quantity: 1, Unit: " 桶"}, api.Aid{Item: "慰问金", Quantity: 500, Unit: "元"})

	bad, err := c.RecordVisitWithResponse(ctx, &api.RecordVisitParams{IdempotencyKey: ptr("v3")}, api.VisitInput{UnitId: w.station.ID,
		AddressId: addr.ID, TargetKind: "difficult_family", Organisation: "赵希兰家", Aid: []api.Aid{{Item: "鸡蛋", Quantity: 2, Unit: "筐"}}})
	require.NoError(t, err)
	require.Equal(t, http.StatusUnprocessableEntity, bad.StatusCode(), string(bad.Body))
	p := problemOf(t, bad.Body)
	require.Len(t, p.Errors, 1)
	require.Equal(t, "/aid/0/unit", p.Errors[0].Field)
	require.Equal(t, "code", p.Errors[0].Rule)

	day := func(d int) string { return time.Now().AddDate(0, 0, d).Format(time.DateOnly) }
	tot, err := w.client(t, w.chief).GetOutreachTotalsWithResponse(ctx, &api.GetOutreachTotalsParams{Unit: ptr(w.station.ID),
		From: date(day(-1)), To: date(day(2))})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, tot.StatusCode(), string(tot.Body))
	require.Len(t, tot.JSON200.Items, 1)
	require.Equal(t, []api.AidQuantity{
		{Item: "慰问金", Unit: "元", Quantity: 500, Visits: 1},
		{Item: "米", Unit: "斤", Quantity: 10, Visits: 1},
		{Item: "花生油", Unit: "桶", Quantity: 2, Visits: 2},
		{Item: "面", Unit: "斤", Quantity: 10, Visits: 1},
	}, tot.JSON200.Items[0].AidQuantities)
	require.Equal(t, int64(2), tot.JSON200.Items[0].AidVisits)
}
