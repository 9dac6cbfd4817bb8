package openapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/openapi/api"
	"github.com/grassroots-policing/grassroots/openapi/client"
)

// Items over HTTP carry their category's NIBRS code, the full NIBRS table
// is a code list, and the value rules are NIBRS's: a cage (77 other) may be
// worth zero, tobacco (08) may not. On memory, SQLite and PostgreSQL.
func TestPropertyNIBRSOverHTTP(t *testing.T) { eachBackend(t, testPropertyNIBRSOverHTTP) }

func testPropertyNIBRSOverHTTP(t *testing.T, b fixtureOption) {
	s := newRecStory(t, b)
	ctx := context.Background()
	lists, err := s.cOfficer.ListCodeListsWithResponse(ctx)
	require.NoError(t, err)
	recStatus(t, http.StatusOK, lists.StatusCode(), lists.Body)
	var nibrs []api.Code
	for _, l := range lists.JSON200.Items {
		if l.Name == "nibrs_property_description" {
			nibrs = l.Codes
		}
	}
	require.Len(t, nibrs, 68)

	stolen := func(category, description string, value int64) *client.ReportStolenItemResponse {
		in := s.stolenCage()
		in.Category, in.Description, in.ValueFen = category, description, value
		r, err := s.cOfficer.ReportStolenItemWithResponse(ctx, nil, in)
		require.NoError(t, err)
		return r
	}
	cage := stolen("cage", "竹制鸟笼一个", 0)
	recStatus(t, http.StatusCreated, cage.StatusCode(), cage.Body)
	require.Equal(t, "77", cage.JSON201.Nibrs)
	bike := stolen("e_bike", "白色雅迪电动自行车", 260000)
	recStatus(t, http.StatusCreated, bike.StatusCode(), bike.Body)
	require.Equal(t, "04", bike.JSON201.Nibrs, "an e-bike is a bicycle, not a motor vehicle")
	got, err := s.cOfficer.GetPropertyItemWithResponse(ctx, bike.JSON201.Id)
	require.NoError(t, err)
	recStatus(t, http.StatusOK, got.StatusCode(), got.Body)
	require.Equal(t, "04", got.JSON200.Nibrs)

	noValue := stolen("tobacco", "中华香烟十条", 0)
	recStatus(t, http.StatusUnprocessableEntity, noValue.StatusCode(), noValue.Body)
	pr := recProblem(t, noValue.Body)
	require.Equal(t, "/valueFen", pr.Errors[0].Field)
	require.Equal(t, "required", pr.Errors[0].Rule)
	retired := stolen("cigarettes_alcohol", "烟酒", 10000)
	recStatus(t, http.StatusUnprocessableEntity, retired.StatusCode(), retired.Body)
	require.Equal(t, "/category", recProblem(t, retired.Body).Errors[0].Field)
}

// GET /v1/property-categories lists every category of the code list with
// the NIBRS code it maps to and that code's value rule; the retired
// cigarettes_alcohol is not among them, and a case reporting it is refused
// once, on the item's category, naming what to use. On memory, SQLite and
// PostgreSQL.
func TestPropertyCategoriesOverHTTP(t *testing.T) { eachBackend(t, testPropertyCategoriesOverHTTP) }

func testPropertyCategoriesOverHTTP(t *testing.T, b fixtureOption) {
	s := newRecStory(t, b)
	ctx := context.Background()
	got, err := s.cOfficer.ListPropertyCategoriesWithResponse(ctx)
	require.NoError(t, err)
	recStatus(t, http.StatusOK, got.StatusCode(), got.Body)
	require.EqualValues(t, 100, got.JSON200.UnknownValueFen)
	byCode := map[string]api.PropertyCategory{}
	for _, c := range got.JSON200.Items {
		byCode[c.Code] = c
	}
	lists, err := s.cOfficer.ListCodeListsWithResponse(ctx)
	require.NoError(t, err)
	recStatus(t, http.StatusOK, lists.StatusCode(), lists.Body)
	for _, l := range lists.JSON200.Items {
		if l.Name != "property_category" {
			continue
		}
		require.Len(t, got.JSON200.Items, len(l.Codes), "one row per code of the list")
		for _, code := range l.Codes {
			c, ok := byCode[code.Code]
			require.True(t, ok, code.Code)
			require.Equal(t, code.Zh, c.Zh, code.Code)
			require.Len(t, c.Nibrs, 2, code.Code)
			require.NotEmpty(t, c.NibrsEn, code.Code)
		}
	}
	for _, tc := range []struct {
		code, nibrs, nibrsEn string
		rule                 api.ValueRule
	}{
		{"e_bike", "04", "Bicycles", api.ValueRule("required")},
		{"tobacco", "08", "Consumable Goods", api.ValueRule("required")},
		{"alcohol", "02", "Alcohol", api.ValueRule("required")},
		{"cage", "77", "Other", api.ValueRule("zero_allowed")},
		{"identity_document", "65", "Identity Documents", api.ValueRule("zero")},
	} {
		c := byCode[tc.code]
		require.Equal(t, [3]string{tc.nibrs, tc.nibrsEn, string(tc.rule)}, [3]string{c.Nibrs, c.NibrsEn, string(c.ValueRule)}, tc.code)
	}
	require.Equal(t, "电动自行车", byCode["e_bike"].Zh)
	require.NotContains(t, byCode, "cigarettes_alcohol")

	r, err := s.cOfficer.ReportCaseWithResponse(ctx, &api.ReportCaseParams{}, api.CaseInput{UnitId: s.station.ID, Kind: "theft",
		IncidentAt: s.stolenAt, Place: "车站派出所辖区小卖部", VictimIds: []string{}, SuspectIds: []string{},
		Items: []api.StolenItemInput{{Category: "cigarettes_alcohol", Description: "中华香烟十条", Quantity: 1, ValueFen: 450000}}})
	require.NoError(t, err)
	recStatus(t, http.StatusUnprocessableEntity, r.StatusCode(), r.Body)
	pr := recProblem(t, r.Body)
	require.Len(t, pr.Errors, 1, string(r.Body))
	require.Equal(t, [2]string{"/items/0/category", "retired"}, [2]string{pr.Errors[0].Field, pr.Errors[0].Rule})
	require.Contains(t, pr.Errors[0].Message, "tobacco")
	require.Contains(t, pr.Errors[0].Message, "alcohol")
}
