package ident_test

import (
	"errors"
	"testing"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/internal/ident"
)

type personForm struct {
	ID       string  `validate:"cn_resident_id"`
	OtherID  string  `validate:"omitempty,cn_resident_id"`
	Mobile   string  `validate:"omitempty,cn_mobile"`
	MobilePt *string `validate:"omitempty,cn_mobile"`
	NotAStr  int     `validate:"omitempty,cn_mobile"`
}

func TestRegisterValidation(t *testing.T) {
	t.Parallel()

	v := validator.New(validator.WithRequiredStructEnabled())
	require.NoError(t, ident.RegisterValidation(v, func() time.Time { return testNow }))

	good := withCheck("37030219900101123")
	bornTomorrow := withCheck("37030220250616123")
	mobile := "+86 138 1234 5678"
	badMobile := "12812345678"

	tests := []struct {
		name       string
		form       personForm
		failFields []string
	}{
		{name: "all valid", form: personForm{ID: good, OtherID: "11010519491231002x", Mobile: mobile, MobilePt: &mobile}},
		{name: "optional fields empty", form: personForm{ID: good}},
		{name: "required ID empty", form: personForm{}, failFields: []string{"ID"}},
		{name: "bad check digit", form: personForm{ID: wrongCheck(good)}, failFields: []string{"ID"}},
		{name: "future birth uses injected now", form: personForm{ID: bornTomorrow}, failFields: []string{"ID"}},
		{name: "legacy ID not accepted by tag", form: personForm{ID: good, OtherID: "370302900101123"}, failFields: []string{"OtherID"}},
		{name: "bad mobile", form: personForm{ID: good, Mobile: badMobile}, failFields: []string{"Mobile"}},
		{name: "bad mobile via pointer", form: personForm{ID: good, MobilePt: &badMobile}, failFields: []string{"MobilePt"}},
		{name: "non-string field fails", form: personForm{ID: good, NotAStr: 1}, failFields: []string{"NotAStr"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := v.Struct(tc.form)
			if len(tc.failFields) == 0 {
				require.NoError(t, err)
				return
			}
			var verrs validator.ValidationErrors
			require.True(t, errors.As(err, &verrs), "got %v", err)
			var fields []string
			for _, fe := range verrs {
				fields = append(fields, fe.Field())
			}
			require.ElementsMatch(t, tc.failFields, fields)
		})
	}
}

func TestRegisterValidationNowIsCalledEachTime(t *testing.T) {
	t.Parallel()

	current := time.Date(2025, time.June, 15, 12, 0, 0, 0, time.UTC)
	v := validator.New()
	require.NoError(t, ident.RegisterValidation(v, func() time.Time { return current }))

	id := withCheck("37030220250616123")
	require.Error(t, v.Var(id, ident.TagResidentID))
	current = current.AddDate(0, 0, 1)
	require.NoError(t, v.Var(id, ident.TagResidentID))
}

func TestRegisterValidationArguments(t *testing.T) {
	t.Parallel()
	require.Error(t, ident.RegisterValidation(nil, nil))

	v := validator.New()
	require.NoError(t, ident.RegisterValidation(v, nil))
	require.NoError(t, v.Var("11010519491231002X", ident.TagResidentID))
	require.NoError(t, v.Var("13812345678", ident.TagMobile))
}

// TestIDDocumentTag checks that the "any identity document" tag accepts
// what the person rules (Validate by type) accept, legacy and 2023 foreign
// numbers included, and refuses provinces that issue no resident IDs.
func TestIDDocumentTag(t *testing.T) {
	t.Parallel()
	v := validator.New()
	require.NoError(t, ident.RegisterValidation(v, func() time.Time { return testNow }))
	type typed struct {
		Type   string
		Number string `validate:"cn_id_document=Type"`
	}
	foreign2023 := withCheck("91184019860523001")
	tests := []struct {
		name   string
		typ    ident.DocType
		number string
		any    bool // accepted by the bare tag
		ok     bool // accepted with its type
	}{
		{"resident ID", ident.DocResidentID, "11010519491231002X", true, true},
		{"15-digit legacy resident ID", ident.DocResidentIDLegacy, "370302900101123", true, true},
		{"2023 18-digit foreign permanent resident card", ident.DocForeignPermanentResidence, foreign2023, true, true},
		{"2017 15-character foreign permanent resident card", ident.DocForeignPermanentResidence, "USA110086052312", true, true},
		{"Hong Kong residence permit", ident.DocHKMacaoResidencePermit, withCheck("81000019850612003"), true, true},
		{"Taiwan residence permit", ident.DocTaiwanResidencePermit, withCheck("83000019770423005"), true, true},
		{"passport only with its type", ident.DocPassport, "E12345678", false, true},
		{"Taiwan 71 as resident ID", ident.DocResidentID, withCheck("71000019800101001"), false, false},
		{"Hong Kong 81 as legacy number", ident.DocResidentIDLegacy, "810000900101123", false, false},
		{"foreign card with bad check digit", ident.DocForeignPermanentResidence, wrongCheck(foreign2023), false, false},
		{"garbage", ident.DocResidentID, "hello", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.any, v.Var(tc.number, ident.TagIDDocument) == nil, "bare tag")
			require.Equal(t, tc.ok, v.Struct(typed{Type: string(tc.typ), Number: tc.number}) == nil, "typed tag")
			require.Equal(t, tc.ok, ident.Validate(tc.typ, tc.number, testNow) == nil, "the person rules agree")
			// The resident-ID tag stays the 18-character resident ID alone.
			require.Equal(t, tc.typ == ident.DocResidentID && tc.ok, v.Var(tc.number, ident.TagResidentID) == nil, "cn_resident_id")
		})
	}
}
