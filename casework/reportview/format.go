// Package reportview prints the kernel's report for people: figures
// formatted for reading (a permille as a percentage, fen as yuan), a CSV
// table for spreadsheets and a printable A4 HTML page with a bar chart per
// figure, drawn on the server as inline SVG.
//
// Figures keep integers with explicit units everywhere data travels (JSON,
// the library); only the printed forms go through Value, the one
// formatting function, so a CSV cell, an HTML table and the demo's text
// show the same "68.7%" and "¥3,800.00". The package reads only the
// kernel's public report results (Report, ReportSeries, ByChildUnit), so an
// embedder can print a report without the HTTP server.
package reportview

import (
	"strconv"
	"strings"

	"github.com/grassroots-policing/grassroots/casework"
)

// The figure units that Value turns into a readable form. Every other unit
// (户次, 起, 处, 人 …) is a count printed as a grouped integer.
const (
	UnitPermille = "permille" // ‰: 687 prints as 68.7%
	UnitFen      = "fen"      // 分: 380000 prints as ¥3,800.00
)

// Value is the printed form of a figure's value: a permille as a
// percentage with one decimal (687 → "68.7%", -500 → "-50.0%"), fen as
// yuan with two decimals and grouped digits (380000 → "¥3,800.00"), any
// count as a grouped integer (137435 → "137,435"). A permille is a whole
// number of tenths of a percent, so nothing is rounded.
func Value(f casework.Figure) string {
	sign, mag := "", uint64(f.Value)
	if f.Value < 0 {
		// Two's complement negation is exact even for the smallest int64.
		sign, mag = "-", -mag
	}
	switch f.Unit {
	case UnitPermille:
		return sign + grouped(mag/10) + "." + strconv.FormatUint(mag%10, 10) + "%"
	case UnitFen:
		cents := strconv.FormatUint(mag%100, 10)
		if len(cents) == 1 {
			cents = "0" + cents
		}
		return sign + "¥" + grouped(mag/100) + "." + cents
	}
	return sign + grouped(mag)
}

// UnitLabel is how a figure's unit is named in a heading: "%" for a
// permille (the value is printed as a percentage), "元" for fen (printed as
// yuan), the counting word itself otherwise.
func UnitLabel(unit string) string {
	switch unit {
	case UnitPermille:
		return "%"
	case UnitFen:
		return "元"
	}
	return unit
}

// Heading is a figure's Chinese label with its printed unit, the title of
// its column or chart: "走访困难家庭（户次）", "破案率（%）", "发还价值（元）".
func Heading(f casework.Figure) string {
	if u := UnitLabel(f.Unit); u != "" {
		return f.LabelZH + "（" + u + "）"
	}
	return f.LabelZH
}

// Text is a figure's value with its counting word, for running text such
// as the demo's report: "137,435 户次", "68.7%", "¥3,800.00".
func Text(f casework.Figure) string {
	if f.Unit == "" || f.Unit == UnitPermille || f.Unit == UnitFen {
		return Value(f)
	}
	return Value(f) + " " + f.Unit
}

// grouped writes n with a comma between each group of three digits.
func grouped(n uint64) string {
	digits := strconv.FormatUint(n, 10)
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	return b.String()
}
