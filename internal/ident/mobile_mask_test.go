package ident_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/internal/ident"
)

func TestMobile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, normalized, rule string
	}{
		{name: "plain", in: "13812345678", normalized: "13812345678"},
		{name: "19x range", in: "19912345678", normalized: "19912345678"},
		{name: "+86 with spaces", in: "+86 138 1234 5678", normalized: "13812345678"},
		{name: "86 prefix", in: "8613812345678", normalized: "13812345678"},
		{name: "0086 prefix", in: "0086-138-1234-5678", normalized: "13812345678"},
		{name: "dashes", in: "138-1234-5678", normalized: "13812345678"},
		{name: "full-width", in: "１３８１２３４５６７８", normalized: "13812345678"},
		{name: "surrounding space", in: "  15012345678 ", normalized: "15012345678"},
		{name: "empty", in: "", normalized: "", rule: ident.RuleRequired},
		{name: "only separators", in: " - ", normalized: "", rule: ident.RuleRequired},
		{name: "second digit 2", in: "12812345678", normalized: "12812345678", rule: ident.RulePrefix},
		{name: "second digit 0", in: "10012345678", normalized: "10012345678", rule: ident.RulePrefix},
		{name: "landline", in: "010-12345678", normalized: "01012345678", rule: ident.RulePrefix},
		{name: "10 digits", in: "1381234567", normalized: "1381234567", rule: ident.RuleLength},
		{name: "12 digits", in: "138123456789", normalized: "138123456789", rule: ident.RuleLength},
		{name: "+86 and 10 digits", in: "+861381234567", normalized: "1381234567", rule: ident.RuleLength},
		{name: "letters", in: "1381234567a", normalized: "1381234567a", rule: ident.RuleCharset},
		{name: "parentheses", in: "(+86)13812345678", normalized: "(+86)13812345678", rule: ident.RuleCharset},
		{name: "+1 country code", in: "+1 4155550123", normalized: "+14155550123", rule: ident.RuleCharset},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.normalized, ident.NormalizeMobile(tc.in))
			requireRule(t, tc.rule, ident.ValidateMobile(tc.in))
		})
	}
}

func TestMaskDocument(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, number, want string
		typ                ident.DocType
	}{
		{name: "resident ID", typ: ident.DocResidentID, number: "37030219900101123x", want: "370302********123X"},
		{name: "HK permit", typ: ident.DocHKMacaoResidencePermit, number: "810000198506120034", want: "810000********0034"},
		{name: "foreign 2023", typ: ident.DocForeignPermanentResidence, number: "911840198605230012", want: "911840********0012"},
		{name: "invalid 18-char ID still masked", typ: ident.DocResidentID, number: "ABCDEFGHIJKLMNOPQR", want: "ABCDEF********OPQR"},
		{name: "legacy", typ: ident.DocResidentIDLegacy, number: "370302900101123", want: "37***********23"},
		{name: "foreign 2017", typ: ident.DocForeignPermanentResidence, number: "USA110086052312", want: "US***********12"},
		{name: "passport", typ: ident.DocPassport, number: "e12345678", want: "E1*****78"},
		{name: "18-char passport keeps 2+2", typ: ident.DocPassport, number: "A12345678901234567", want: "A1**************67"},
		{name: "8 chars is exactly half", typ: ident.DocPassport, number: "AB123456", want: "AB****56"},
		{name: "5 chars", typ: ident.DocPassport, number: "AB123", want: "A***3"},
		{name: "3 chars", typ: ident.DocPassport, number: "ABC", want: "A**"},
		{name: "2 chars", typ: ident.DocPassport, number: "AB", want: "A*"},
		{name: "1 char", typ: ident.DocPassport, number: "A", want: "*"},
		{name: "non-ASCII counts runes", typ: ident.DocPassport, number: "护照号码一二", want: "护照***二"},
		{name: "empty", typ: ident.DocResidentID, number: "", want: ""},
		{name: "blank", typ: ident.DocNone, number: "  ", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, ident.MaskDocument(tc.typ, tc.number))
		})
	}
}

func TestMaskPhone(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{name: "plain", in: "13812345678", want: "138****5678"},
		{name: "with prefix and separators", in: "+86 138-1234-5678", want: "138****5678"},
		{name: "landline masked generically", in: "010-12345678", want: "01*******78"},
		{name: "short", in: "1234", want: "1**4"},
		{name: "empty", in: "", want: ""},
		{name: "blank", in: "   ", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, ident.MaskPhone(tc.in))
		})
	}
}
