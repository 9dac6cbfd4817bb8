package ident

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Rule codes carried by RuleError. They are stable so that callers can map
// them to localised messages and per-field error codes.
const (
	RuleRequired        = "required"
	RuleMustBeEmpty     = "must_be_empty"
	RuleDocType         = "doc_type"
	RuleLength          = "length"
	RuleCharset         = "charset"
	RuleRegion          = "region"
	RulePrefix          = "prefix"
	RuleBirthDate       = "birth_date"
	RuleFutureBirthDate = "future_birth_date"
	RuleCheckDigit      = "check_digit"
)

// RuleError says which rule a number broke. It deliberately carries no field
// name: the same number may sit in different fields of different requests,
// and the caller knows which one it validated.
type RuleError struct {
	Rule    string
	Message string
}

func (e *RuleError) Error() string {
	return e.Rule + ": " + e.Message
}

func ruleErr(rule, format string, args ...any) *RuleError {
	return &RuleError{Rule: rule, Message: fmt.Sprintf(format, args...)}
}

// chinaTime is fixed rather than loaded from tzdata because minimal
// containers often ship without a zone database, and China has kept UTC+8
// without daylight saving since 1991.
var chinaTime = time.FixedZone("UTC+8", 8*60*60)

// earliestBirthYear rejects dates that are structurally valid but cannot
// belong to a living record subject; it also catches 15→18 conversions that
// wrongly prefixed "18".
const earliestBirthYear = 1900

// Provincial-level codes of GB/T 2260 that issue resident ID numbers: the
// 31 mainland provinces, autonomous regions and municipalities. The other
// provincial codes of GB/T 2260 issue none: 71 (Taiwan) has no mainland
// resident IDs, and 81/82/83 appear only on the residence permits of Hong
// Kong, Macao and Taiwan residents (their own document types, under the
// fixed prefixes 810000, 820000 and 830000). Unused codes (16, 24, 47, 55,
// 66, 91 …) are refused too. Foreign permanent residence cards are issued
// by mainland authorities, so they use the same set.
var residentProvinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
}

// regionError explains a refused province code; for the codes of Hong
// Kong, Macao and Taiwan it names the document type the number probably
// belongs to, which is the usual mistake behind it.
func regionError(code string) *RuleError {
	switch code {
	case "81", "82":
		return ruleErr(RuleRegion, "%q issues no resident IDs: a number starting 810000 or 820000 is a Hong Kong/Macao residence permit", code)
	case "83":
		return ruleErr(RuleRegion, "%q issues no resident IDs: a number starting 830000 is a Taiwan residence permit", code)
	case "71":
		return ruleErr(RuleRegion, "%q (Taiwan) issues no resident IDs", code)
	}
	return ruleErr(RuleRegion, "%q is not the code of a province that issues resident IDs", code)
}

// Normalize returns number in the form it should be stored and compared in.
// Full-width characters are folded to ASCII because Chinese input methods
// in full-width mode produce "１１０１…Ｘ", which is the same number to a
// person but not to a database index. Internal spaces are kept: silently
// joining fragments could turn two half-typed numbers into one valid one.
// Every current type shares this normal form; t is taken so that a type
// needing its own rule can get one without touching every call site.
func Normalize(t DocType, number string) string {
	return strings.ToUpper(strings.TrimSpace(foldWidth(number)))
}

// foldWidth maps the full-width ASCII block and the ideographic space to
// their ASCII equivalents.
func foldWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '！' && r <= '～':
			return r - '！' + '!'
		case r == '\u3000':
			return ' '
		}
		return r
	}, s)
}

// Validate checks number as a document of type t, normalising it first so
// that whatever a clerk typed is judged the same way it will be stored.
// now anchors the "born in the future" check; it is a parameter so that
// imports of historical data and tests are reproducible. A non-nil result
// is always a *RuleError.
func Validate(t DocType, number string, now time.Time) error {
	p, err := parse(t, Normalize(t, number))
	if err != nil {
		return err
	}
	if p.hasBirth && p.birth.After(civilToday(now)) {
		return ruleErr(RuleFutureBirthDate, "birth date %s is in the future", p.birth.Format(time.DateOnly))
	}
	return nil
}

// civilToday is the current calendar date in China, expressed like the
// birth dates parse produces, because birth dates on Chinese documents are
// Beijing-time dates whatever zone the server runs in.
func civilToday(now time.Time) time.Time {
	y, m, d := now.In(chinaTime).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// parsed is what a structurally valid number tells us about its holder.
type parsed struct {
	birth     time.Time
	hasBirth  bool
	genderIdx int // index of the odd-male/even-female digit, -1 if none
}

// parse applies every rule that does not depend on the current time, so
// that BirthDate and Gender only answer for numbers that could be genuine.
func parse(t DocType, n string) (parsed, *RuleError) {
	none := parsed{genderIdx: -1}
	if t == DocNone {
		if n != "" {
			return none, ruleErr(RuleMustBeEmpty, "no number may be given when the document type is %q", DocNone)
		}
		return none, nil
	}
	if !t.Valid() {
		return none, ruleErr(RuleDocType, "unknown document type %q", string(t))
	}
	if n == "" {
		return none, ruleErr(RuleRequired, "document number is required")
	}
	switch t {
	case DocResidentID:
		return parseGB18(n, "resident ID", func(n string) *RuleError {
			if !residentProvinces[n[:2]] {
				return regionError(n[:2])
			}
			return nil
		})
	case DocHKMacaoResidencePermit:
		return parseGB18(n, "Hong Kong/Macao residence permit", func(n string) *RuleError {
			if n[:6] != "810000" && n[:6] != "820000" {
				return ruleErr(RulePrefix, "must start with 810000 (Hong Kong) or 820000 (Macao)")
			}
			return nil
		})
	case DocTaiwanResidencePermit:
		return parseGB18(n, "Taiwan residence permit", func(n string) *RuleError {
			if n[:6] != "830000" {
				return ruleErr(RulePrefix, "must start with 830000")
			}
			return nil
		})
	case DocResidentIDLegacy:
		return parseLegacy(n)
	case DocForeignPermanentResidence:
		return parseForeign(n)
	case DocPassport:
		return parsePassport(n)
	}
	return none, ruleErr(RuleDocType, "unknown document type %q", string(t))
}

// parseGB18 handles every number built on the GB 11643-1999 layout; only the
// meaning of the first six digits differs between document types, which
// prefixCheck decides.
func parseGB18(n, what string, prefixCheck func(string) *RuleError) (parsed, *RuleError) {
	p := parsed{genderIdx: -1}
	if c := utf8.RuneCountInString(n); c != 18 {
		return p, ruleErr(RuleLength, "%s must be 18 characters, got %d", what, c)
	}
	if !isDigits(n[:17]) || !(isDigit(n[17]) || n[17] == 'X') {
		return p, ruleErr(RuleCharset, "%s must be 17 digits followed by a digit or X", what)
	}
	if err := prefixCheck(n); err != nil {
		return p, err
	}
	birth, err := birthDate(atoi(n[6:10]), atoi(n[10:12]), atoi(n[12:14]))
	if err != nil {
		return p, err
	}
	if want := checkDigit(n[:17]); n[17] != want {
		return p, ruleErr(RuleCheckDigit, "check digit should be %c, got %c", want, n[17])
	}
	return parsed{birth: birth, hasBirth: true, genderIdx: 16}, nil
}

// parseLegacy handles 15-digit numbers, issued before 1999 and therefore
// always meaning 19YY; they carry no check digit, so a typo in the sequence
// cannot be detected.
func parseLegacy(n string) (parsed, *RuleError) {
	p := parsed{genderIdx: -1}
	if c := utf8.RuneCountInString(n); c != 15 {
		return p, ruleErr(RuleLength, "legacy resident ID must be 15 digits, got %d", c)
	}
	if !isDigits(n) {
		return p, ruleErr(RuleCharset, "legacy resident ID must be digits only")
	}
	if !residentProvinces[n[:2]] {
		return p, regionError(n[:2])
	}
	birth, err := birthDate(1900+atoi(n[6:8]), atoi(n[8:10]), atoi(n[10:12]))
	if err != nil {
		return p, err
	}
	return parsed{birth: birth, hasBirth: true, genderIdx: 14}, nil
}

// legacyForeignPivot resolves the two-digit year of 15-character foreign
// permanent residence numbers. That numbering stopped being issued on
// 2023-12-01, so YY up to 23 is read as 20YY; the alternative, a holder
// aged 94 or more at issue, is far rarer than a child born after 2000.
const legacyForeignPivot = 23

// parseForeign accepts both numberings because cards of the 2017 design
// remain valid after the 2023 redesign. The 15-character form is 3-letter
// nationality, 4-digit issuing-area code (province first), YYMMDD and two
// trailing characters; their meaning (sequence/gender, check) is not
// published in a form we can rely on, so they are not verified. The 18-character form starts with 9, then a 2-digit province,
// 3-digit nationality, YYYYMMDD, 3-digit sequence and a MOD 11-2 check
// digit, exactly as for resident IDs.
func parseForeign(n string) (parsed, *RuleError) {
	p := parsed{genderIdx: -1}
	switch utf8.RuneCountInString(n) {
	case 15:
		if len(n) != 15 || !isUpperLetters(n[:3]) || !isDigits(n[3:]) {
			return p, ruleErr(RuleCharset, "15-character foreign permanent residence number must be 3 letters followed by 12 digits")
		}
		if !residentProvinces[n[3:5]] {
			return p, ruleErr(RuleRegion, "%q is not a mainland province code", n[3:5])
		}
		yy := atoi(n[7:9])
		year := 1900 + yy
		if yy <= legacyForeignPivot {
			year = 2000 + yy
		}
		birth, err := birthDate(year, atoi(n[9:11]), atoi(n[11:13]))
		if err != nil {
			return p, err
		}
		// The gender position of this numbering is not officially published.
		return parsed{birth: birth, hasBirth: true, genderIdx: -1}, nil
	case 18:
		if len(n) != 18 || !isDigits(n[:17]) || !(isDigit(n[17]) || n[17] == 'X') {
			return p, ruleErr(RuleCharset, "18-character foreign permanent residence number must be 17 digits followed by a digit or X")
		}
		if n[0] != '9' {
			return p, ruleErr(RulePrefix, "18-character foreign permanent residence number must start with 9")
		}
		if !residentProvinces[n[1:3]] {
			return p, ruleErr(RuleRegion, "%q is not a mainland province code", n[1:3])
		}
		birth, err := birthDate(atoi(n[6:10]), atoi(n[10:12]), atoi(n[12:14]))
		if err != nil {
			return p, err
		}
		if want := checkDigit(n[:17]); n[17] != want {
			return p, ruleErr(RuleCheckDigit, "check digit should be %c, got %c", want, n[17])
		}
		return parsed{birth: birth, hasBirth: true, genderIdx: 16}, nil
	default:
		return p, ruleErr(RuleLength, "foreign permanent residence number must be 15 or 18 characters, got %d", utf8.RuneCountInString(n))
	}
}

func parsePassport(n string) (parsed, *RuleError) {
	p := parsed{genderIdx: -1}
	if c := utf8.RuneCountInString(n); c < 5 || c > 20 {
		return p, ruleErr(RuleLength, "passport number must be 5 to 20 characters, got %d", c)
	}
	for i := 0; i < len(n); i++ {
		if !isDigit(n[i]) && !(n[i] >= 'A' && n[i] <= 'Z') {
			return p, ruleErr(RuleCharset, "passport number may contain only letters and digits")
		}
	}
	return p, nil
}

// birthDate rejects dates that time.Date would silently roll over (Feb 30
// becoming Mar 2), which is the usual signature of a mistyped number.
func birthDate(y, m, d int) (time.Time, *RuleError) {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return time.Time{}, ruleErr(RuleBirthDate, "%04d-%02d-%02d is not a calendar date", y, m, d)
	}
	if y < earliestBirthYear {
		return time.Time{}, ruleErr(RuleBirthDate, "birth year %d is before %d", y, earliestBirthYear)
	}
	return t, nil
}

// checkWeights are 2^(17-i) mod 11, the ISO 7064 MOD 11-2 position weights
// for a 17-digit body.
var checkWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// checkDigit computes the ISO 7064 MOD 11-2 check character for a 17-digit
// body; the value 10 is written X.
func checkDigit(body string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(body[i]-'0') * checkWeights[i]
	}
	return "10X98765432"[sum%11]
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isUpperLetters(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII || !unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

// atoi is only called on spans already checked by isDigits.
func atoi(s string) int {
	v := 0
	for i := 0; i < len(s); i++ {
		v = v*10 + int(s[i]-'0')
	}
	return v
}
