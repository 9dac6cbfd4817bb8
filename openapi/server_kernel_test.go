package openapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/openapi/api"
)

func ptr[T any](v T) *T { return &v }

func TestUnitsOverHTTP(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client(t, f.admin)
	ctx := context.Background()

	in := api.UnitInput{Code: "DONGMEN", Name: "东门派出所", Level: 3, ParentId: f.root.ID}
	created, err := c.CreateUnitWithResponse(ctx, &api.CreateUnitParams{IdempotencyKey: ptr("k1")}, in)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
	u := created.JSON201
	require.Equal(t, `"1"`, created.HTTPResponse.Header.Get("ETag"))
	require.Equal(t, "/v1/units/"+u.Id, created.HTTPResponse.Header.Get("Location"))

	again, err := c.CreateUnitWithResponse(ctx, &api.CreateUnitParams{IdempotencyKey: ptr("k1")}, in)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, again.StatusCode())
	require.Equal(t, u.Id, again.JSON201.Id, "a replay returns the stored record")

	other := in
	other.Name = "西门派出所"
	reused, err := c.CreateUnitWithResponse(ctx, &api.CreateUnitParams{IdempotencyKey: ptr("k1")}, other)
	require.NoError(t, err)
	require.Equal(t, http.StatusUnprocessableEntity, reused.StatusCode(), "the same key with another body is 422")

	renamed, err := c.RenameUnitWithResponse(ctx, u.Id, &api.RenameUnitParams{IfMatch: `"1"`}, api.UnitRename{Name: "东门所"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, renamed.StatusCode(), string(renamed.Body))
	require.Equal(t, "东门所", renamed.JSON200.Name)
	require.Equal(t, `"2"`, renamed.HTTPResponse.Header.Get("ETag"))

	stale, err := c.RenameUnitWithResponse(ctx, u.Id, &api.RenameUnitParams{IfMatch: `"1"`}, api.UnitRename{Name: "x"})
	require.NoError(t, err)
	require.Equal(t, http.StatusPreconditionFailed, stale.StatusCode())
	require.Equal(t, `"2"`, stale.HTTPResponse.Header.Get("ETag"))

	got, err := c.GetUnitWithResponse(ctx, u.Id)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, got.StatusCode())
	require.Equal(t, *renamed.JSON200, *got.JSON200)

	// Two units in all: one per page, then none.
	var ids []string
	params := &api.ListUnitsParams{Limit: ptr(1)}
	for range 3 {
		page, err := c.ListUnitsWithResponse(ctx, params)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, page.StatusCode(), string(page.Body))
		for _, u := range page.JSON200.Items {
			ids = append(ids, u.Id)
		}
		if page.JSON200.Next == "" {
			break
		}
		params.Cursor = ptr(page.JSON200.Next)
	}
	require.Equal(t, []string{f.root.ID, u.Id}, ids)
}
