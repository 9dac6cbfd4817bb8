package cases

import (
	"fmt"
	"time"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// MaxSeq is the largest sequence a case number holds: six digits.
const MaxSeq = 999999

// FormatNumber formats a case number: "<unit code>-<year>-<6-digit
// sequence>", e.g. 370302-2020-000001. The sequence counts the unit's
// filings of that year from 1, without gaps.
func FormatNumber(unitCode string, year int, seq int64) (string, error) {
	if seq < 1 || seq > MaxSeq {
		return "", errs.Invalid("number", "max", "unit %s has used every case number of %d", unitCode, year)
	}
	return fmt.Sprintf("%s-%04d-%06d", unitCode, year, seq), nil
}

// FilingYear is the year of a filing in the deployment zone: a case filed
// at 00:30 on 1 January in Shanghai is numbered in the new year although it
// is still 31 December in UTC.
func FilingYear(filedAt time.Time, zone *time.Location) int {
	return filedAt.In(zone).Year()
}
