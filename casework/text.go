package casework

import (
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// One text rule and one plausible range of dates hold for every input of
// every workflow, so that all backends store the same bytes (SQLite and
// PostgreSQL would otherwise turn invalid UTF-8 into replacement characters
// while memory keeps it) and no field can carry a NUL, a terminal escape or
// a date that no encoder can write.
//
// Kernel.Validate applies both to every string and time.Time it finds in an
// input, at any depth, naming the field by its JSON path; a string field
// tagged `validate:"line"` (names, codes, numbers) may not contain newlines
// or tabs either. Methods that take text outside an input struct (a reason,
// a note) call CheckText or CheckLine.

// EarliestDate is the earliest date any input may carry (birth dates
// included): nothing this library records happened before it.
var EarliestDate = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// DefaultDatesAhead is how far ahead of now a date in an input may lie by
// default (a planned visit, a due date, an appointment): further is a
// typing error. Config.DatesAhead changes it.
const DefaultDatesAhead = 10 * 366 * 24 * time.Hour

// CheckText checks a free-text value: valid UTF-8, no NUL and no control
// characters other than newline and tab, and at most max characters (max 0:
// no limit). The error is ErrInvalid naming field.
func CheckText(field, value string, max int) error {
	var f errs.Fields
	checkString(&f, field, value, false, max)
	return f.Err()
}

// CheckLine is CheckText for a one-line value (a name, a code, a number):
// no control characters at all.
func CheckLine(field, value string, max int) error {
	var f errs.Fields
	checkString(&f, field, value, true, max)
	return f.Err()
}

func checkString(f *errs.Fields, field, v string, line bool, max int) {
	switch {
	case !utf8.ValidString(v):
		f.Add(field, "utf8", "must be valid UTF-8 text")
	case strings.IndexFunc(v, func(r rune) bool { return badRune(r, line) }) >= 0:
		if line {
			f.Add(field, "text", "may not contain control characters or line breaks")
		} else {
			f.Add(field, "text", "may not contain control characters other than newline and tab")
		}
	case max > 0 && utf8.RuneCountInString(v) > max:
		f.Add(field, "max", "must be at most %d characters long", max)
	}
}

func badRune(r rune, line bool) bool {
	if r == '\n' || r == '\t' {
		return line
	}
	return unicode.IsControl(r) || r == utf8.RuneError
}

// checkDate adds a field error when a non-zero t lies outside
// [EarliestDate, latest].
func checkDate(f *errs.Fields, field string, t, latest time.Time) {
	if t.IsZero() {
		return
	}
	if t.Before(EarliestDate) || t.After(latest) {
		f.Add(field, "date_range", "must lie between %s and %s", EarliestDate.Format(time.DateOnly), latest.Format(time.DateOnly))
	}
}

var timeType = reflect.TypeOf(time.Time{})

// walkInput applies the text and date rules to every exported string and
// time.Time reachable from v, naming fields by their JSON paths.
func walkInput(f *errs.Fields, v reflect.Value, path string, line bool, latest time.Time, depth int) {
	if depth > 12 || !v.IsValid() {
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkInput(f, v.Elem(), path, line, latest, depth+1)
		}
	case reflect.String:
		checkString(f, path, v.String(), line, 0)
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes are not text
		}
		for i := range v.Len() {
			walkInput(f, v.Index(i), path+"["+strconv.Itoa(i)+"]", line, latest, depth+1)
		}
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return
		}
		iter := v.MapRange()
		for iter.Next() {
			key := iter.Key().String()
			checkString(f, join(path, "(key)"), key, true, 0)
			walkInput(f, iter.Value(), join(path, key), line, latest, depth+1)
		}
	case reflect.Struct:
		if v.Type() == timeType {
			checkDate(f, path, v.Interface().(time.Time), latest)
			return
		}
		t := v.Type()
		for i := range t.NumField() {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if sf.Anonymous && name == "" {
				walkInput(f, v.Field(i), path, line, latest, depth+1)
				continue
			}
			if name == "" {
				name = sf.Name
			}
			walkInput(f, v.Field(i), join(path, name), hasRule(sf.Tag.Get("validate"), "line"), latest, depth+1)
		}
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func hasRule(tag, rule string) bool {
	for r := range strings.SplitSeq(tag, ",") {
		if r == rule {
			return true
		}
	}
	return false
}
