package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBenchReport generates a tiny city and times its reports once
// (-bench-report): every report and every source is timed, and a city
// that is not there is refused rather than generated.
func TestBenchReport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "city.db")
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"-db", db, "-scale", "0.0005", "-verify=false"}, &out))
	out.Reset()
	require.NoError(t, run(ctx, []string{"-db", db, "-bench-report", "1", "-bench-year", "2020"}, &out))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 7, out.String())
	for _, name := range []string{"city, one year", "busiest station, one year", "city, daily series of the year",
		"city, monthly series of the year", "city by branch, one year"} {
		require.Contains(t, out.String(), name)
	}
	for _, l := range lines[2:] {
		for _, s := range []string{"outreach", "mediation", "cases", "recovery"} {
			require.Contains(t, l, s+" ")
		}
	}
	err := run(ctx, []string{"-db", filepath.Join(t.TempDir(), "none.db"), "-bench-report", "1"}, &out)
	require.ErrorContains(t, err, "reads an existing city")
}
