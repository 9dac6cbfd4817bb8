package ident

import (
	"strings"
	"unicode"
)

// NormalizeMobile reduces a mainland mobile number as people write it
// ("+86 138-1234-5678", "0086 13812345678", full-width digits) to the bare
// 11 digits, so that one phone is stored and searched in one form. Input
// that is not a mobile number is returned with only the separators and
// country prefix removed; use ValidateMobile to tell the cases apart.
func NormalizeMobile(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '-' || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, foldWidth(s))
	switch {
	case strings.HasPrefix(s, "+86"):
		s = s[3:]
	case strings.HasPrefix(s, "0086"):
		s = s[4:]
	case len(s) == 13 && strings.HasPrefix(s, "86"):
		// A bare 86 is only a country code when what follows is a
		// full-length number; otherwise it may be the subscriber digits.
		s = s[2:]
	}
	return s
}

// ValidateMobile checks a mainland mobile number: 11 digits, first digit 1,
// second 3-9 (no carrier has been assigned 10-12), and a block that
// libphonenumber's metadata knows as allocated to a mobile carrier (so
// 140-144, 146, 148, 154, 160, 161, 163, 164, 168, 169, 174 (but 1740
// satellite numbers), 179 and 194 are refused as RuleUnallocated).
// Landlines are rejected because the records system uses this number to
// reach people by SMS. A non-nil result is always a *RuleError.
func ValidateMobile(s string) error {
	n := NormalizeMobile(s)
	switch {
	case n == "":
		return ruleErr(RuleRequired, "mobile number is required")
	case !isDigits(n):
		return ruleErr(RuleCharset, "mobile number may contain only digits, spaces, dashes and a +86 prefix")
	case len(n) != 11:
		return ruleErr(RuleLength, "mobile number must be 11 digits, got %d", len(n))
	case n[0] != '1' || n[1] < '3':
		return ruleErr(RulePrefix, "mobile number must start with 13-19")
	}
	if p, err := ParsePhone(n); err != nil || !p.Mobile {
		return ruleErr(RuleUnallocated, "mobile number block %s is not allocated to a mobile carrier", n[:3])
	}
	return nil
}
