package reportview_test

import (
	"io"
	"testing"

	"github.com/grassroots-policing/grassroots/casework/reportview"
)

// The printed forms of a city's by-station report (sixty stations), so a
// change that makes printing cost more than the report's queries shows.
func BenchmarkSummaryHTML(b *testing.B) {
	s := summary(60)
	for b.Loop() {
		if err := reportview.SummaryHTML(io.Discard, s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSummaryCSV(b *testing.B) {
	s := summary(60)
	for b.Loop() {
		_ = reportview.SummaryCSV(s)
	}
}
