package casework

import (
	"strings"
	"unicode"
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

// NormalizeIdentifier brings an identifier to the form that is stored and
// compared, by the case workflow and by recovery alike: full-width
// characters folded to ASCII, every separator (spaces, dashes, dots,
// slashes, the plate's middle dot) removed, letters upper-case. An IMEI
// keeps only its digits, so "IMEI: 86-0000…" and "860000…" agree. Officers
// copy these numbers from stamped metal, photos and handwriting; comparing
// them raw would miss most real matches.
func NormalizeIdentifier(kind, value string) Identifier {
	kind = strings.ToLower(strings.TrimSpace(kind))
	var b strings.Builder
	for _, r := range value {
		r = FoldWidth(r)
		switch {
		case kind == IDIMEI:
			if r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return Identifier{Kind: kind, Value: b.String()}
}

// FoldWidth maps full-width ASCII (Ａ１－) to its half-width form.
func FoldWidth(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E {
		return r - 0xFEE0
	}
	if r == 0x3000 {
		return ' '
	}
	return r
}
