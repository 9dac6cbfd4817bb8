package openapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/openapi/api"
)

// A person's several contacts over HTTP: masked on create, in clear on a
// reveal, each one finds the person; an unallocated mobile block is a 422
// naming the contact and the rule. On memory, SQLite and PostgreSQL.
func TestPersonContactsOverHTTP(t *testing.T) { eachBackend(t, testPersonContactsOverHTTP) }

func testPersonContactsOverHTTP(t *testing.T, b fixtureOption) {
	f := newFixture(t, b)
	ctx := context.Background()
	east := f.station(t, "EAST")
	c := f.client(t, f.staff(t, east.ID, casework.RoleOfficer))

	created, err := c.CreatePersonWithResponse(ctx, nil, api.PersonInput{UnitId: east.ID, Name: "孟庆花", Gender: "female", DocType: "none",
		Contacts: []api.Contact{{Value: "138 1234 5678"}, {Kind: "landline", Value: "0533-2345678"}, {Value: "+44 7400 123456"},
			{Kind: "wechat", Value: "mengqinghua"}}})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
	p := created.JSON201
	require.Equal(t, "138****5678", p.Phone)
	require.Equal(t, []api.Contact{{Kind: "mobile", Value: "138****5678"}, {Kind: "landline", Value: "053******78"},
		{Kind: "foreign", Value: "+44 74******56"}, {Kind: "wechat", Value: "me*******ua"}}, p.Contacts)

	revealed, err := c.RevealPersonWithResponse(ctx, p.Id, api.RevealInput{Reason: "住院联系家属"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, revealed.StatusCode(), string(revealed.Body))
	require.Equal(t, []api.Contact{{Kind: "mobile", Value: "13812345678"}, {Kind: "landline", Value: "05332345678"},
		{Kind: "foreign", Value: "+447400123456"}, {Kind: "wechat", Value: "mengqinghua"}}, revealed.JSON200.Contacts)

	for _, term := range []string{"+8613812345678", "0533 234 5678", "+447400123456", "MengQingHua"} {
		found, err := c.FindPersonsWithResponse(ctx, &api.FindPersonsParams{Contact: ptr(term)})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, found.StatusCode(), string(found.Body))
		require.Len(t, found.JSON200.Items, 1, term)
		require.Equal(t, p.Id, found.JSON200.Items[0].Id, term)
	}

	bad, err := c.CreatePersonWithResponse(ctx, nil, api.PersonInput{UnitId: east.ID, Name: "陈某", Gender: "male", DocType: "none",
		Contacts: []api.Contact{{Value: "13812345678"}, {Kind: "mobile", Value: "14412345678"}}})
	require.NoError(t, err)
	require.Equal(t, http.StatusUnprocessableEntity, bad.StatusCode(), string(bad.Body))
	pr := problemOf(t, bad.Body)
	require.Len(t, pr.Errors, 1)
	require.Equal(t, "/contacts/1/value", pr.Errors[0].Field)
	require.Equal(t, "unallocated", pr.Errors[0].Rule)

	// Identity documents: 71 (Taiwan) issues no resident IDs; a 15-digit
	// legacy number and a 2023 foreign permanent resident card are taken.
	for _, tc := range []struct {
		typ, number string
		status      int
	}{
		{"resident_id", "710000198001010011", http.StatusUnprocessableEntity},
		{"resident_id_legacy", "370302900101123", http.StatusCreated},
		{"foreign_permanent_residence", "911840198605230017", http.StatusCreated},
	} {
		r, err := c.CreatePersonWithResponse(ctx, nil, api.PersonInput{UnitId: east.ID, Name: "证件" + tc.typ, Gender: "unknown",
			DocType: api.DocType(tc.typ), DocNumber: tc.number})
		require.NoError(t, err)
		require.Equal(t, tc.status, r.StatusCode(), string(r.Body))
		if tc.status == http.StatusUnprocessableEntity {
			pr := problemOf(t, r.Body)
			require.Equal(t, "/docNumber", pr.Errors[0].Field)
			require.Equal(t, "region", pr.Errors[0].Rule)
		}
	}
}
