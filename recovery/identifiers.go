package recovery

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Identifier kinds. Serial numbers, IMEIs, frame (车架号) and engine
// (发动机号) numbers and number plates are what lets a found item be matched
// to its theft with certainty; "other" holds marks that fit none of them
// (an engraving, a ring on a bird's leg).
const (
	IDSerial = "serial"
	IDIMEI   = "imei"
	IDFrame  = "frame"
	IDEngine = "engine"
	IDPlate  = "plate"
	IDOther  = "other"
)

// MaxIdentifiers bounds the identifiers of one item.
const MaxIdentifiers = 20

// NormalizeIdentifier brings an identifier to the form that is stored and
// compared: full-width characters folded to ASCII, every separator (spaces,
// dashes, dots, slashes, the plate's middle dot) removed, letters upper-case.
// An IMEI keeps only its digits, so "IMEI: 86-0000…" and "860000…" agree.
// Officers copy these numbers from stamped metal, photos and handwriting;
// comparing them raw would miss most real matches.
func NormalizeIdentifier(kind, value string) casework.Identifier {
	kind = strings.ToLower(strings.TrimSpace(kind))
	var b strings.Builder
	for _, r := range value {
		r = foldWidth(r)
		switch {
		case kind == IDIMEI:
			if r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return casework.Identifier{Kind: kind, Value: b.String()}
}

// foldWidth maps full-width ASCII (Ａ１－) to its half-width form.
func foldWidth(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E {
		return r - 0xFEE0
	}
	if r == 0x3000 {
		return ' '
	}
	return r
}

// LuhnValid reports whether a digit string passes the Luhn check, which the
// fifteenth digit of an IMEI carries.
func LuhnValid(digits string) bool {
	if len(digits) < 2 {
		return false
	}
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		c := digits[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// LuhnDigit returns the check digit that makes digits+check Luhn-valid.
func LuhnDigit(digits string) byte {
	for c := byte('0'); c <= '9'; c++ {
		if LuhnValid(digits + string(c)) {
			return c
		}
	}
	return '0'
}

// normalizeIdentifiers normalises, validates and de-duplicates a list,
// naming each bad entry by its index.
func normalizeIdentifiers(field string, in []casework.Identifier) ([]casework.Identifier, error) {
	var f errs.Fields
	if len(in) > MaxIdentifiers {
		f.Add(field, "max", "at most %d identifiers", MaxIdentifiers)
		return nil, f.Err()
	}
	out := make([]casework.Identifier, 0, len(in))
	for i, id := range in {
		n := NormalizeIdentifier(id.Kind, id.Value)
		name := field + "[" + itoa(i) + "]"
		if err := checkIdentifier(n); err != nil {
			f.Merge(name+".", err)
			continue
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// checkIdentifier validates a normalised identifier.
func checkIdentifier(id casework.Identifier) error {
	n := utf8.RuneCountInString(id.Value)
	switch id.Kind {
	case IDIMEI:
		if len(id.Value) != 15 {
			return errs.Invalid("value", "imei_length", "an IMEI has 15 digits, got %d", len(id.Value))
		}
		if !LuhnValid(id.Value) {
			return errs.Invalid("value", "luhn", "the IMEI's check digit (Luhn) is wrong")
		}
	case IDFrame:
		if n < 6 || n > 30 {
			return errs.Invalid("value", "length", "a frame number has 6 to 30 letters and digits")
		}
	case IDEngine:
		if n < 4 || n > 30 {
			return errs.Invalid("value", "length", "an engine number has 4 to 30 letters and digits")
		}
	case IDSerial:
		if n < 2 || n > 40 {
			return errs.Invalid("value", "length", "a serial number has 2 to 40 letters and digits")
		}
	case IDPlate:
		if n < 5 || n > 10 {
			return errs.Invalid("value", "length", "a number plate has 5 to 10 characters")
		}
	case IDOther:
		if n < 1 || n > 60 {
			return errs.Invalid("value", "length", "an identifier has 1 to 60 letters and digits")
		}
	default:
		return errs.Invalid("kind", "code", "%q is not an identifier kind (serial, imei, frame, engine, plate, other)", id.Kind)
	}
	return nil
}

// kindsComparable reports whether identifiers of two kinds may denote the
// same mark: the same kind always; "serial" and "other" are what an officer
// writes when unsure, so they compare with anything but a plate or an IMEI
// (whose formats are distinctive enough to be labelled right).
func kindsComparable(a, b string) bool {
	if a == b {
		return true
	}
	loose := func(k string) bool { return k == IDSerial || k == IDOther }
	strict := func(k string) bool { return k == IDPlate || k == IDIMEI }
	return (loose(a) && !strict(b)) || (loose(b) && !strict(a))
}

func itoa(i int) string {
	if i < 0 {
		return "-" + itoa(-i)
	}
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
