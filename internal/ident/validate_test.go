package ident_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/internal/ident"
)

// requireRule asserts err is nil when rule is "" and otherwise a *RuleError
// with that rule.
func requireRule(t *testing.T, rule string, err error) {
	t.Helper()
	if rule == "" {
		require.NoError(t, err)
		return
	}
	require.Error(t, err)
	var re *ident.RuleError
	require.True(t, errors.As(err, &re), "error %v is not a *RuleError", err)
	require.Equal(t, rule, re.Rule, "message: %s", re.Message)
	require.NotEmpty(t, re.Message)
}

func TestValidateResidentID(t *testing.T) {
	t.Parallel()

	digitCheck := withCheckChar("37030219900101", "7")
	xCheck := withCheckChar("37030219900101", "X")
	today := withCheck("110105" + "20250615" + "123")
	tomorrow := withCheck("110105" + "20250616" + "123")

	tests := []struct {
		name   string
		number string
		now    time.Time
		rule   string
	}{
		{name: "valid with digit check", number: digitCheck},
		{name: "valid with X check", number: xCheck},
		{name: "lowercase x accepted", number: strings.ToLower(xCheck)},
		{name: "surrounding whitespace trimmed", number: "  " + digitCheck + "\t"},
		{name: "full-width input folded", number: toFullWidth(xCheck)},
		{name: "GB 11643 example number", number: "11010519491231002X"},
		{name: "leap day in leap century year", number: withCheck("44030420000229001")},
		{name: "earliest accepted birth date", number: withCheck("31010119000101002")},
		{name: "born today", number: today},
		{name: "wrong check digit", number: wrongCheck(digitCheck), rule: ident.RuleCheckDigit},
		{name: "X where a digit is due", number: digitCheck[:17] + "X", rule: ident.RuleCheckDigit},
		{name: "digit where X is due", number: wrongCheck(xCheck), rule: ident.RuleCheckDigit},
		{name: "February 30", number: withCheck("37030219990230123"), rule: ident.RuleBirthDate},
		{name: "February 29 in common year", number: withCheck("37030220230229123"), rule: ident.RuleBirthDate},
		{name: "February 29 in 1900", number: withCheck("37030219000229123"), rule: ident.RuleBirthDate},
		{name: "month 13", number: withCheck("37030219901301123"), rule: ident.RuleBirthDate},
		{name: "day 00", number: withCheck("37030219900100123"), rule: ident.RuleBirthDate},
		{name: "before 1900", number: withCheck("37030218991231123"), rule: ident.RuleBirthDate},
		{name: "GB 11643 example born 1880", number: "440524188001010014", rule: ident.RuleBirthDate},
		{name: "born tomorrow", number: tomorrow, rule: ident.RuleFutureBirthDate},
		{
			name:   "tomorrow in UTC is already today in Beijing",
			number: tomorrow,
			now:    time.Date(2025, time.June, 15, 16, 30, 0, 0, time.UTC),
		},
		{
			name:   "still yesterday in Beijing",
			number: today,
			now:    time.Date(2025, time.June, 14, 15, 59, 0, 0, time.UTC),
			rule:   ident.RuleFutureBirthDate,
		},
		{name: "17 characters", number: digitCheck[:17], rule: ident.RuleLength},
		{name: "19 characters", number: digitCheck + "1", rule: ident.RuleLength},
		{name: "empty", number: "", rule: ident.RuleRequired},
		{name: "blank", number: "   ", rule: ident.RuleRequired},
		{name: "letter in body", number: "3703021990A101" + "1237", rule: ident.RuleCharset},
		{name: "X in body", number: "37030219900101X237", rule: ident.RuleCharset},
		{name: "inner space", number: "370302 9900101123X", rule: ident.RuleCharset},
		{name: "non-ASCII character", number: digitCheck[:17] + "é", rule: ident.RuleCharset},
		{name: "province 00", number: withCheck("00030219900101123"), rule: ident.RuleRegion},
		{name: "province 99", number: withCheck("99030219900101123"), rule: ident.RuleRegion},
		{name: "foreign 91 is not a province", number: withCheck("91030219900101123"), rule: ident.RuleRegion},
		{name: "province 16 does not exist", number: withCheck("16030219900101123"), rule: ident.RuleRegion},
		{name: "Taiwan 71 issues no resident IDs", number: withCheck("71000019800101001"), rule: ident.RuleRegion},
		{name: "Hong Kong 81 is a permit, not a resident ID", number: withCheck("81000019800101001"), rule: ident.RuleRegion},
		{name: "Macao 82 is a permit, not a resident ID", number: withCheck("82000020010301004"), rule: ident.RuleRegion},
		{name: "Taiwan permit prefix 83 is not a resident ID", number: withCheck("83000019770423005"), rule: ident.RuleRegion},
		{name: "unused code 66", number: withCheck("66010019800101001"), rule: ident.RuleRegion},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			now := tc.now
			if now.IsZero() {
				now = testNow
			}
			requireRule(t, tc.rule, ident.Validate(ident.DocResidentID, tc.number, now))
		})
	}
}

func TestValidateOtherDocTypes(t *testing.T) {
	t.Parallel()

	hk := withCheck("81000019850612003")
	macao := withCheck("82000020010301004")
	taiwan := withCheck("83000019770423005")
	foreign18 := withCheck("91184019860523001") // Beijing, USA (840)
	foreign18X := withCheckChar("91184019860523", "X")

	tests := []struct {
		name   string
		typ    ident.DocType
		number string
		rule   string
	}{
		{name: "legacy valid", typ: ident.DocResidentIDLegacy, number: "370302900101123"},
		{name: "legacy 1900 leap day invalid", typ: ident.DocResidentIDLegacy, number: "370302000229123", rule: ident.RuleBirthDate},
		{name: "legacy 1996 leap day", typ: ident.DocResidentIDLegacy, number: "370302960229124"},
		{name: "legacy bad month", typ: ident.DocResidentIDLegacy, number: "370302901301123", rule: ident.RuleBirthDate},
		{name: "legacy bad province", typ: ident.DocResidentIDLegacy, number: "990302900101123", rule: ident.RuleRegion},
		{name: "legacy Taiwan 71", typ: ident.DocResidentIDLegacy, number: "710302900101123", rule: ident.RuleRegion},
		{name: "legacy Hong Kong 81", typ: ident.DocResidentIDLegacy, number: "810000900101123", rule: ident.RuleRegion},
		{name: "legacy 18 digits", typ: ident.DocResidentIDLegacy, number: withCheck("37030219900101123"), rule: ident.RuleLength},
		{name: "legacy letter", typ: ident.DocResidentIDLegacy, number: "37030290010112X", rule: ident.RuleCharset},

		{name: "Hong Kong permit", typ: ident.DocHKMacaoResidencePermit, number: hk},
		{name: "Macao permit", typ: ident.DocHKMacaoResidencePermit, number: macao},
		{name: "Taiwan permit", typ: ident.DocTaiwanResidencePermit, number: taiwan},
		{name: "Taiwan number as HK/Macao permit", typ: ident.DocHKMacaoResidencePermit, number: taiwan, rule: ident.RulePrefix},
		{name: "HK number as Taiwan permit", typ: ident.DocTaiwanResidencePermit, number: hk, rule: ident.RulePrefix},
		{name: "mainland ID as HK permit", typ: ident.DocHKMacaoResidencePermit, number: withCheck("37030219900101123"), rule: ident.RulePrefix},
		{name: "HK permit region not all zero", typ: ident.DocHKMacaoResidencePermit, number: withCheck("81010019850612003"), rule: ident.RulePrefix},
		{name: "HK permit wrong check", typ: ident.DocHKMacaoResidencePermit, number: wrongCheck(hk), rule: ident.RuleCheckDigit},
		{name: "Taiwan permit bad date", typ: ident.DocTaiwanResidencePermit, number: withCheck("83000019770431005"), rule: ident.RuleBirthDate},
		{name: "Taiwan permit future", typ: ident.DocTaiwanResidencePermit, number: withCheck("83000020300101005"), rule: ident.RuleFutureBirthDate},
		{name: "Macao permit short", typ: ident.DocHKMacaoResidencePermit, number: macao[:16], rule: ident.RuleLength},

		{name: "foreign 2023 valid", typ: ident.DocForeignPermanentResidence, number: foreign18},
		{name: "foreign 2023 X check", typ: ident.DocForeignPermanentResidence, number: strings.ToLower(foreign18X)},
		{name: "foreign 2023 wrong check", typ: ident.DocForeignPermanentResidence, number: wrongCheck(foreign18), rule: ident.RuleCheckDigit},
		{name: "foreign 2023 not starting with 9", typ: ident.DocForeignPermanentResidence, number: withCheck("81184019860523001"), rule: ident.RulePrefix},
		{name: "foreign 2023 bad province", typ: ident.DocForeignPermanentResidence, number: withCheck("97184019860523001"), rule: ident.RuleRegion},
		{name: "foreign 2023 bad date", typ: ident.DocForeignPermanentResidence, number: withCheck("91184019860532001"), rule: ident.RuleBirthDate},
		{name: "foreign 2023 future", typ: ident.DocForeignPermanentResidence, number: withCheck("91184020260101001"), rule: ident.RuleFutureBirthDate},
		{name: "foreign 2017 valid", typ: ident.DocForeignPermanentResidence, number: "USA110086052312"},
		{name: "foreign 2017 lowercase letters", typ: ident.DocForeignPermanentResidence, number: "gbr310012030112"},
		{name: "foreign 2017 bad date", typ: ident.DocForeignPermanentResidence, number: "USA110086022912", rule: ident.RuleBirthDate},
		{name: "foreign 2017 bad province", typ: ident.DocForeignPermanentResidence, number: "USA990086052312", rule: ident.RuleRegion},
		{name: "foreign 2017 digit in letters", typ: ident.DocForeignPermanentResidence, number: "US1110086052312", rule: ident.RuleCharset},
		{name: "foreign 2017 letter in digits", typ: ident.DocForeignPermanentResidence, number: "USA11008605231A", rule: ident.RuleCharset},
		{name: "foreign 16 characters", typ: ident.DocForeignPermanentResidence, number: "USA1100860523123", rule: ident.RuleLength},

		{name: "passport", typ: ident.DocPassport, number: "E12345678"},
		{name: "passport lowercase", typ: ident.DocPassport, number: " ea1234567 "},
		{name: "passport 5 characters", typ: ident.DocPassport, number: "AB123"},
		{name: "passport 20 characters", typ: ident.DocPassport, number: "A1234567890123456789"},
		{name: "passport 4 characters", typ: ident.DocPassport, number: "AB12", rule: ident.RuleLength},
		{name: "passport 21 characters", typ: ident.DocPassport, number: "A12345678901234567890", rule: ident.RuleLength},
		{name: "passport dash", typ: ident.DocPassport, number: "E1234-5678", rule: ident.RuleCharset},
		{name: "passport non-ASCII", typ: ident.DocPassport, number: "护照12345", rule: ident.RuleCharset},
		{name: "passport empty", typ: ident.DocPassport, number: "", rule: ident.RuleRequired},

		{name: "none empty", typ: ident.DocNone, number: ""},
		{name: "none blank", typ: ident.DocNone, number: "  "},
		{name: "none with number", typ: ident.DocNone, number: "E12345678", rule: ident.RuleMustBeEmpty},

		{name: "unknown type", typ: ident.DocType("driving_licence"), number: "E12345678", rule: ident.RuleDocType},
		{name: "empty type", typ: ident.DocType(""), number: "", rule: ident.RuleDocType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			requireRule(t, tc.rule, ident.Validate(tc.typ, tc.number, testNow))
		})
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		typ            ident.DocType
	}{
		{name: "uppercase x", typ: ident.DocResidentID, in: "11010519491231002x", want: "11010519491231002X"},
		{name: "trim", typ: ident.DocPassport, in: " \te12345678\n", want: "E12345678"},
		{name: "full-width", typ: ident.DocResidentID, in: "１１０１０５１９４９１２３１００２ｘ", want: "11010519491231002X"},
		{name: "ideographic space trimmed", typ: ident.DocPassport, in: "\u3000E12345678\u3000", want: "E12345678"},
		{name: "inner space kept", typ: ident.DocPassport, in: "e123 45678", want: "E123 45678"},
		{name: "empty", typ: ident.DocNone, in: "", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := ident.Normalize(tc.typ, tc.in)
			require.Equal(t, tc.want, got)
			require.Equal(t, got, ident.Normalize(tc.typ, got), "Normalize must be idempotent")
		})
	}
}

func TestBirthDateAndGender(t *testing.T) {
	t.Parallel()
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

	tests := []struct {
		name       string
		typ        ident.DocType
		number     string
		wantBirth  time.Time
		birthOK    bool
		wantGender string
		genderOK   bool
	}{
		{
			name: "GB example, even sequence is female", typ: ident.DocResidentID, number: "11010519491231002x",
			wantBirth: date(1949, time.December, 31), birthOK: true, wantGender: ident.GenderFemale, genderOK: true,
		},
		{
			name: "odd sequence is male", typ: ident.DocResidentID, number: withCheck("37030219900101123"),
			wantBirth: date(1990, time.January, 1), birthOK: true, wantGender: ident.GenderMale, genderOK: true,
		},
		{
			name: "future ID still yields its date", typ: ident.DocResidentID, number: withCheck("37030220300101120"),
			wantBirth: date(2030, time.January, 1), birthOK: true, wantGender: ident.GenderFemale, genderOK: true,
		},
		{
			name: "legacy reads 19YY and the 15th digit", typ: ident.DocResidentIDLegacy, number: "370302900101123",
			wantBirth: date(1990, time.January, 1), birthOK: true, wantGender: ident.GenderMale, genderOK: true,
		},
		{
			name: "legacy female", typ: ident.DocResidentIDLegacy, number: "370302851130128",
			wantBirth: date(1985, time.November, 30), birthOK: true, wantGender: ident.GenderFemale, genderOK: true,
		},
		{
			name: "Taiwan permit", typ: ident.DocTaiwanResidencePermit, number: withCheck("83000019770423005"),
			wantBirth: date(1977, time.April, 23), birthOK: true, wantGender: ident.GenderMale, genderOK: true,
		},
		{
			name: "foreign 2023", typ: ident.DocForeignPermanentResidence, number: withCheck("91184019860523002"),
			wantBirth: date(1986, time.May, 23), birthOK: true, wantGender: ident.GenderFemale, genderOK: true,
		},
		{
			name: "foreign 2017 old century, no gender", typ: ident.DocForeignPermanentResidence, number: "USA110086052312",
			wantBirth: date(1986, time.May, 23), birthOK: true,
		},
		{
			name: "foreign 2017 new century", typ: ident.DocForeignPermanentResidence, number: "GBR310012030112",
			wantBirth: date(2012, time.March, 1), birthOK: true,
		},
		{name: "wrong check digit", typ: ident.DocResidentID, number: wrongCheck(withCheck("37030219900101123"))},
		{name: "impossible date", typ: ident.DocResidentID, number: withCheck("37030219990230123")},
		{name: "passport has neither", typ: ident.DocPassport, number: "E12345678"},
		{name: "none has neither", typ: ident.DocNone, number: ""},
		{name: "empty", typ: ident.DocResidentID, number: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			birth, ok := ident.BirthDate(tc.typ, tc.number)
			require.Equal(t, tc.birthOK, ok)
			require.True(t, tc.wantBirth.Equal(birth), "birth date: want %v, got %v", tc.wantBirth, birth)
			gender, ok := ident.Gender(tc.typ, tc.number)
			require.Equal(t, tc.genderOK, ok)
			require.Equal(t, tc.wantGender, gender)
		})
	}
}

func TestDocTypeLabels(t *testing.T) {
	t.Parallel()
	types := ident.DocTypes()
	require.Len(t, types, 7)
	seen := map[string]bool{}
	for _, typ := range types {
		t.Run(string(typ), func(t *testing.T) {
			t.Parallel()
			require.True(t, typ.Valid())
			require.NotEmpty(t, typ.LabelZH())
			require.NotEmpty(t, typ.LabelEN())
		})
		require.False(t, seen[typ.LabelZH()], "duplicate label %s", typ.LabelZH())
		seen[typ.LabelZH()] = true
	}
	require.Equal(t, "居民身份证", ident.DocResidentID.LabelZH())
	require.Equal(t, "Passport", ident.DocPassport.LabelEN())

	unknown := ident.DocType("nope")
	require.False(t, unknown.Valid())
	require.Empty(t, unknown.LabelZH())
	require.Empty(t, unknown.LabelEN())

	types[0] = "mutated"
	require.Equal(t, ident.DocResidentID, ident.DocTypes()[0], "DocTypes must return a copy")
}

func TestRuleErrorMessage(t *testing.T) {
	t.Parallel()
	err := ident.Validate(ident.DocResidentID, "123", testNow)
	require.EqualError(t, err, "length: resident ID must be 18 characters, got 3")
}

// toFullWidth renders ASCII digits and letters the way a full-width input
// method would.
func toFullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r > ' ' && r <= '~' {
			return r - '!' + '！'
		}
		return r
	}, s)
}
