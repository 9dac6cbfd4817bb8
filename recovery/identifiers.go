package recovery

import (
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Identifier kinds (the kernel's, so that cases and recovery agree).
const (
	IDSerial = casework.IDSerial
	IDIMEI   = casework.IDIMEI
	IDFrame  = casework.IDFrame
	IDEngine = casework.IDEngine
	IDPlate  = casework.IDPlate
	IDOther  = casework.IDOther
)

// MaxIdentifiers bounds the identifiers of one item.
const MaxIdentifiers = 20

// NormalizeIdentifier is the kernel's: cases and recovery store and compare
// identifiers in one form.
func NormalizeIdentifier(kind, value string) casework.Identifier {
	return casework.NormalizeIdentifier(kind, value)
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
		name := field + "[" + strconv.Itoa(i) + "]"
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
