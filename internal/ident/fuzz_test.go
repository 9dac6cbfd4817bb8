package ident_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/internal/ident"
)

func FuzzValidate(f *testing.F) {
	for _, seed := range []string{
		"", " ", "11010519491231002X", "11010519491231002x", "440524188001010014",
		"370302900101123", "810000198506120034", "USA110086052312", "911840198605230012",
		"E12345678", "+86 138-1234-5678", "１１０１０５１９４９１２３１００２ｘ", "\xff\xfe", "99999999999999999X",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, typ := range append(ident.DocTypes(), ident.DocType("unknown")) {
			err := ident.Validate(typ, s, testNow)
			_ = ident.MaskDocument(typ, s)
			_, _ = ident.BirthDate(typ, s)
			_, _ = ident.Gender(typ, s)
			if err != nil {
				continue
			}
			n := ident.Normalize(typ, s)
			require.Equal(t, n, ident.Normalize(typ, n), "accepted %s number must be a fixed point of Normalize", typ)
			require.NoError(t, ident.Validate(typ, n, testNow), "normalised form of an accepted %s must stay valid", typ)
			if typ == ident.DocResidentID {
				require.Len(t, n, 18)
				_, ok := ident.BirthDate(typ, n)
				require.True(t, ok)
				_, ok = ident.Gender(typ, n)
				require.True(t, ok)
			}
		}
		_ = ident.ValidateMobile(s)
		_ = ident.NormalizeMobile(s)
		_ = ident.MaskPhone(s)
	})
}
