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
