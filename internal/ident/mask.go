package ident

import "strings"

// MaskDocument hides most of a document number for lists, logs and
// printouts, where the number is needed only to tell records apart. An
// 18-character ID keeps its first six (region or permit prefix) and last
// four characters, the convention people already recognise from banks and
// hotels; anything else keeps two at each end, fewer if that would leave
// less than half the characters hidden.
func MaskDocument(t DocType, number string) string {
	r := []rune(Normalize(t, number))
	if len(r) == 18 && t.idCardLike() {
		return string(r[:6]) + strings.Repeat("*", 8) + string(r[14:])
	}
	return maskRunes(r, 2, 2)
}

// MaskPhone hides the middle four digits of a mobile number (138****5678),
// the form users are used to seeing. Input that is not a valid mobile is
// masked like a document number so that nothing leaks in full.
func MaskPhone(s string) string {
	n := NormalizeMobile(s)
	if ValidateMobile(s) == nil {
		return n[:3] + "****" + n[7:]
	}
	return maskRunes([]rune(n), 2, 2)
}

// maskRunes keeps up to head and tail runes visible but never more than
// half of r, so short values are not effectively disclosed.
func maskRunes(r []rune, head, tail int) string {
	if len(r) == 0 {
		return ""
	}
	if visible := len(r) / 2; head+tail > visible {
		head, tail = (visible+1)/2, visible/2
	}
	return string(r[:head]) + strings.Repeat("*", len(r)-head-tail) + string(r[len(r)-tail:])
}

// MaskText hides the middle of free-text contact data such as a WeChat id,
// keeping two characters at each end (fewer for short values).
func MaskText(s string) string { return maskRunes([]rune(s), 2, 2) }
