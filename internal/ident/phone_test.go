package ident_test

import (
	"testing"

	"github.com/nyaruka/phonenumbers"
	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/internal/ident"
)

// TestPhoneAcceptsEveryCNExample: every example number libphonenumber ships
// for the CN plan, of every type it has one for, is accepted and stored in
// E.164; only the mobile one counts as a mobile.
func TestPhoneAcceptsEveryCNExample(t *testing.T) {
	t.Parallel()
	types := []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE,
		phonenumbers.PREMIUM_RATE, phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER,
		phonenumbers.PAGER, phonenumbers.UAN, phonenumbers.VOICEMAIL, phonenumbers.FIXED_LINE_OR_MOBILE}
	seen := 0
	for _, typ := range types {
		ex := phonenumbers.GetExampleNumberForType("CN", typ)
		if ex == nil {
			continue
		}
		seen++
		national := phonenumbers.Format(ex, phonenumbers.NATIONAL)
		e164 := phonenumbers.Format(ex, phonenumbers.E164)
		for _, in := range []string{national, e164, phonenumbers.Format(ex, phonenumbers.INTERNATIONAL)} {
			p, err := ident.ParsePhone(in)
			require.NoError(t, err, "type %d example %q", typ, in)
			require.Equal(t, e164, p.E164)
			require.True(t, p.Domestic())
			require.Equal(t, typ == phonenumbers.MOBILE, p.Mobile, "type %d", typ)
			require.NotContains(t, p.Masked(), p.Display()[len(p.Display())-6:len(p.Display())-2], "masked hides the middle")
		}
		if typ == phonenumbers.MOBILE {
			require.NoError(t, ident.ValidateMobile(national))
		}
	}
	require.GreaterOrEqual(t, seen, 5, "fixed line, mobile, toll free, premium rate and shared cost at least")
}

// TestPhoneRefusesUnallocatedMobileBlocks: the blocks no carrier holds,
// which the old prefix check (1, then 3-9) accepted.
func TestPhoneRefusesUnallocatedMobileBlocks(t *testing.T) {
	t.Parallel()
	blocks := []string{"140", "141", "142", "143", "144", "146", "148", "154", "160", "163", "164", "168", "169", "179", "194"}
	for d := '0'; d <= '9'; d++ {
		blocks = append(blocks, "161"+string(d))
		if d != '0' { // 1740 is the Tiantong satellite block, allocated
			blocks = append(blocks, "174"+string(d))
		}
	}
	for _, b := range blocks {
		for _, tail := range []string{"00000000", "12345678", "99999999"} {
			n := (b + tail)[:11]
			_, err := ident.ParsePhone(n)
			requireRule(t, ident.RuleUnallocated, err)
			requireRule(t, ident.RuleUnallocated, ident.ValidateMobile(n))
			requireRule(t, ident.RuleUnallocated, ident.ValidateMobile("+86 "+n))
		}
	}
	// The allocated neighbours still pass.
	for _, n := range []string{"14512345678", "14712345678", "16212345678", "16612345678", "17012345678", "17401234567", "19912345678"} {
		require.NoError(t, ident.ValidateMobile(n), n)
	}
}

func TestParsePhone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, e164, display, masked, rule string
		mobile                                bool
	}{
		{name: "mobile", in: "138 1234 5678", e164: "+8613812345678", display: "13812345678", masked: "138****5678", mobile: true},
		{name: "mobile full-width with 0086", in: "００８６１３８１２３４５６７８", e164: "+8613812345678", display: "13812345678", masked: "138****5678", mobile: true},
		{name: "Beijing landline with area code", in: "(010) 6552-9988", e164: "+861065529988", display: "01065529988", masked: "010******88"},
		{name: "Zibo landline", in: "0533-2345678", e164: "+865332345678", display: "05332345678", masked: "053******78"},
		{name: "Hong Kong", in: "+852 2123 4567", e164: "+85221234567", display: "+85221234567", masked: "+852 21****67"},
		{name: "UK mobile", in: "+44 7400 123456", e164: "+447400123456", display: "+447400123456", masked: "+44 74******56"},
		{name: "empty", in: " ", rule: ident.RuleRequired},
		{name: "letters", in: "wxid_abc", rule: ident.RuleCharset},
		{name: "too short", in: "123", rule: ident.RuleLength},
		{name: "unallocated", in: "14012345678", rule: ident.RuleUnallocated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := ident.ParsePhone(tc.in)
			if tc.rule != "" {
				requireRule(t, tc.rule, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.e164, p.E164)
			require.Equal(t, tc.display, p.Display())
			require.Equal(t, tc.masked, p.Masked())
			require.Equal(t, tc.mobile, p.Mobile)
		})
	}
}
