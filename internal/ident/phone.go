package ident

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// RuleUnallocated is the rule a well-formed number breaks when no carrier
// or area holds its block (a mainland mobile starting 140, an area code
// that does not exist). The judgement is libphonenumber's metadata, kept
// current by its maintainers, rather than a hand-written prefix list that
// ages with every allocation.
const RuleUnallocated = "unallocated"

// defaultRegion is the numbering plan a number without a country code is
// read in: a clerk in China types 010 6552 9988 or 138 1234 5678.
const defaultRegion = "CN"

// PhoneNumber is a telephone number as the records system keeps it.
type PhoneNumber struct {
	// E164 is the stored form: +8613812345678, +861065529988, +85221234567.
	E164 string
	// National is the number as dialled inside the mainland (13812345678,
	// 01065529988) for a +86 number, "" for any other.
	National string
	// Mobile is true for a mainland mobile number (type MOBILE).
	Mobile bool
	// CountryCode is the calling code: 86, 852, 44 …
	CountryCode int
	// nsn is the national significant number, for masking.
	nsn string
}

// Domestic reports whether the number is in the +86 plan.
func (p PhoneNumber) Domestic() bool { return p.CountryCode == 86 }

// Display is the form people read and search by: the mainland dialling
// form for a +86 number (which is also what phones were stored as before
// E.164, so their blind indexes stay valid), E.164 otherwise.
func (p PhoneNumber) Display() string {
	if p.Domestic() {
		return p.National
	}
	return p.E164
}

// Masked hides the middle of the number: 138****5678 for a mobile, the
// head and tail of a landline (never more than half shown), the country code and two
// digits at each end of a foreign number.
func (p PhoneNumber) Masked() string {
	switch {
	case p.Mobile:
		return p.National[:3] + "****" + p.National[7:]
	case p.Domestic():
		return maskRunes([]rune(p.National), 4, 4)
	}
	return "+" + strconv.Itoa(p.CountryCode) + " " + maskRunes([]rune(p.nsn), 2, 2)
}

// cleanPhone folds full-width characters and drops the separators people
// write (spaces, dashes, dots, parentheses); a bare 13-digit 86… is read
// as carrying its country code, as NormalizeMobile does.
func cleanPhone(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || strings.ContainsRune("-.()（）", r) {
			return -1
		}
		return r
	}, foldWidth(s))
	if len(s) == 13 && strings.HasPrefix(s, "86") && isDigits(s) {
		s = "+" + s
	}
	return s
}

// ParsePhone reads a telephone number of any plan, mainland numbers
// without their +86, and checks it against libphonenumber's metadata:
// length, and that its block is allocated. A non-nil error is a
// *RuleError (required, charset, length or unallocated).
func ParsePhone(s string) (PhoneNumber, error) {
	c := cleanPhone(s)
	switch {
	case c == "":
		return PhoneNumber{}, ruleErr(RuleRequired, "phone number is required")
	case !isDigits(strings.TrimPrefix(c, "+")):
		return PhoneNumber{}, ruleErr(RuleCharset, "phone number may contain only digits, separators and a leading +")
	}
	n, err := phonenumbers.Parse(c, defaultRegion)
	if err != nil {
		return PhoneNumber{}, ruleErr(RuleLength, "%s is not a phone number of any plan (%v)", c, err)
	}
	cc := int(n.GetCountryCode())
	if !phonenumbers.IsValidNumber(n) {
		if phonenumbers.IsPossibleNumber(n) {
			return PhoneNumber{}, ruleErr(RuleUnallocated, "+%d %s is in no allocated block of the +%d plan", cc,
				phonenumbers.GetNationalSignificantNumber(n), cc)
		}
		return PhoneNumber{}, ruleErr(RuleLength, "+%d %s has the wrong length for the +%d plan", cc,
			phonenumbers.GetNationalSignificantNumber(n), cc)
	}
	p := PhoneNumber{E164: phonenumbers.Format(n, phonenumbers.E164), CountryCode: cc,
		nsn: phonenumbers.GetNationalSignificantNumber(n)}
	if cc == 86 {
		p.National = digitsOnly(phonenumbers.Format(n, phonenumbers.NATIONAL))
		t := phonenumbers.GetNumberType(n)
		p.Mobile = t == phonenumbers.MOBILE || t == phonenumbers.FIXED_LINE_OR_MOBILE
	}
	return p, nil
}

func digitsOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
