package casework_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
)

// TestPersonContacts: several contacts per person, each kind validated by
// libphonenumber (numbers) or as free text (WeChat), masked on read, in
// clear on a reveal, and each one finds the person; on every backend.
func TestPersonContacts(t *testing.T) {
	t.Parallel()
	eachKernelBackend(t, func(t *testing.T, w *kernelWorld) {
		ctx := context.Background()
		p, err := w.k.CreatePerson(ctx, w.officer, casework.PersonInput{UnitID: w.station.ID, Name: "赵希兰", Phone: "138 1234 5678",
			Contacts: []casework.Contact{
				{Value: "+86 13812345678"}, // the phone again: kept once
				{Kind: casework.ContactLandline, Value: "0533-2345678"},
				{Value: "+852 2123 4567"},
				{Kind: casework.ContactWeChat, Value: "ZhaoXiLan_1952"},
			}})
		require.NoError(t, err)
		require.Equal(t, "138****5678", p.Phone)
		require.Equal(t, []casework.Contact{
			{Kind: casework.ContactMobile, Value: "138****5678"},
			{Kind: casework.ContactLandline, Value: "053******78"},
			{Kind: casework.ContactForeign, Value: "+852 21****67"},
			{Kind: casework.ContactWeChat, Value: "Zh**********52"},
		}, p.Contacts)

		r, err := w.k.RevealPerson(ctx, w.officer, p.ID, "联系家属")
		require.NoError(t, err)
		require.Equal(t, []casework.Contact{
			{Kind: casework.ContactMobile, Value: "13812345678"},
			{Kind: casework.ContactLandline, Value: "05332345678"},
			{Kind: casework.ContactForeign, Value: "+85221234567"},
			{Kind: casework.ContactWeChat, Value: "ZhaoXiLan_1952"},
		}, r.Contacts)
		require.Equal(t, "13812345678", r.Phone)

		for _, term := range []string{"13812345678", "+86 533 234 5678", "0533 2345678", "+85221234567", "zhaoxilan_1952"} {
			found, _, err := w.k.FindPersons(ctx, w.officer, casework.PersonQuery{Contact: term})
			require.NoError(t, err, term)
			require.Len(t, found, 1, term)
			require.Equal(t, p.ID, found[0].ID, term)
		}
		for _, term := range []string{"13912345678", "wechat other", "!!"} {
			found, _, err := w.k.FindPersons(ctx, w.officer, casework.PersonQuery{Contact: term})
			require.NoError(t, err, term)
			require.Empty(t, found, term)
		}

		// An update replaces the contacts: the old landline finds nobody.
		upd, err := w.k.UpdatePerson(ctx, w.officer, p.ID, p.Version, casework.PersonInput{Name: "赵希兰",
			Contacts: []casework.Contact{{Kind: casework.ContactWeChat, Value: "zxl"}, {Value: "15012345678"}}})
		require.NoError(t, err)
		require.Equal(t, "150****5678", upd.Phone, "Phone is the first mobile")
		found, _, err := w.k.FindPersons(ctx, w.officer, casework.PersonQuery{Phone: "05332345678"})
		require.NoError(t, err)
		require.Empty(t, found)
		r, err = w.k.RevealPerson(ctx, w.officer, p.ID, "联系家属")
		require.NoError(t, err)
		require.Equal(t, []casework.Contact{{Kind: casework.ContactWeChat, Value: "zxl"}, {Kind: casework.ContactMobile, Value: "15012345678"}}, r.Contacts)
	})
}

func TestPersonContactValidation(t *testing.T) {
	t.Parallel()
	w := newKernelWorld(t, kernelBackends["memory"](t), nil)
	ctx := context.Background()
	tests := []struct {
		name        string
		phone       string
		contacts    []casework.Contact
		field, rule string
	}{
		{"unallocated mobile block as phone", "14012345678", nil, "phone", "cn_mobile"},
		{"unallocated block 194", "", []casework.Contact{{Value: "19412345678"}}, "contacts[0].value", "unallocated"},
		{"most of 161", "", []casework.Contact{{Kind: casework.ContactMobile, Value: "16151234567"}}, "contacts[0].value", "unallocated"},
		{"landline given as mobile", "", []casework.Contact{{Kind: casework.ContactMobile, Value: "010 6552 9988"}}, "contacts[0].kind", "matches_number"},
		{"foreign given as landline", "", []casework.Contact{{Kind: casework.ContactLandline, Value: "+44 7400 123456"}}, "contacts[0].kind", "matches_number"},
		{"unknown kind", "", []casework.Contact{{Kind: "fax", Value: "010 6552 9988"}}, "contacts[0].kind", "oneof"},
		{"letters without kind", "", []casework.Contact{{Value: "wxid_abc"}}, "contacts[0].value", "charset"},
		{"too short", "", []casework.Contact{{Value: "010"}}, "contacts[0].value", "length"},
		{"empty WeChat id", "", []casework.Contact{{Kind: casework.ContactWeChat, Value: " "}}, "contacts[0].value", "required"},
		{"WeChat id with a space", "", []casework.Contact{{Kind: casework.ContactWeChat, Value: "a b"}}, "contacts[0].value", "charset"},
		{"second contact named", "", []casework.Contact{{Value: "13812345678"}, {Value: "12"}}, "contacts[1].value", "length"},
		{"too many", "", make([]casework.Contact, 11), "contacts", "max"},
	}
	for _, tc := range tests {
		_, err := w.k.CreatePerson(ctx, w.officer, casework.PersonInput{UnitID: w.station.ID, Name: "陈某某", Phone: tc.phone, Contacts: tc.contacts})
		var inv *casework.InvalidError
		require.ErrorAs(t, err, &inv, tc.name)
		require.Contains(t, inv.Fields, casework.FieldError{Field: tc.field, Rule: tc.rule, Message: fieldMessage(inv, tc.field)}, tc.name)
		require.NotEmpty(t, fieldMessage(inv, tc.field), tc.name)
	}
}
