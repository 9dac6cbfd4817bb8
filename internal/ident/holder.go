package ident

import "time"

// Gender values returned by Gender. They match the codes used for a
// person's recorded gender so the two can be compared directly.
const (
	GenderMale   = "male"
	GenderFemale = "female"
)

// BirthDate extracts the holder's date of birth so that the birth date
// recorded for a person can be checked against their document. The result
// is a calendar date at midnight UTC. ok is false when the document type
// carries no birth date or the number is malformed; a number dated in the
// future still yields its date, since judging that needs the caller's now.
func BirthDate(t DocType, number string) (time.Time, bool) {
	p, err := parse(t, Normalize(t, number))
	if err != nil || !p.hasBirth {
		return time.Time{}, false
	}
	return p.birth, true
}

// Gender derives the holder's gender from the sequence code (odd digits are
// issued to men, even to women) so that a recorded gender can be checked
// against the document. ok is false when the numbering carries no reliable
// gender digit or the number is malformed.
func Gender(t DocType, number string) (string, bool) {
	n := Normalize(t, number)
	p, err := parse(t, n)
	if err != nil || p.genderIdx < 0 {
		return "", false
	}
	if (n[p.genderIdx]-'0')%2 == 1 {
		return GenderMale, true
	}
	return GenderFemale, true
}
