package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/grassroots-policing/grassroots/openapi/api"
)

// The README's first command on a fresh data directory: with no -demo the
// new SQLite database gets the article's city, the server prints the demo
// officer's mint command, and that officer's token lists the stories'
// disputes and reads a report with non-zero figures.
func TestFreshSQLiteLoadsTheCity(t *testing.T) {
	t.Parallel()
	r := start(t)
	require.NotEmpty(t, r.app.demo)
	require.Eventually(t, func() bool { return strings.Contains(r.stdout.String(), "-staff "+r.app.demo+")") }, 5*time.Second, time.Millisecond)
	st, err := os.Stat(filepath.Join(r.data, demoFileName))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	auth := "Bearer " + r.token(t, r.app.demo)

	resp := r.get(t, "/v1/disputes", auth)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var page api.DisputePage
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&page))
	require.Len(t, page.Items, 2, "the neighbours' quarrel and the large dog")

	resp = r.get(t, "/v1/reports/summary?from=2020-05-01&to=2020-06-01", auth)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var rep api.ReportSummary
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&rep))
	got := map[string]int64{}
	for _, f := range rep.Figures {
		got[f.Key] = f.Value
	}
	for _, key := range []string{"mediation.disputes.settled", "cases.solved", "outreach.hazards.rectified", "recovery.items_returned"} {
		require.NotZero(t, got[key], key)
	}
	require.Equal(t, http.StatusOK, r.get(t, "/v1/units", "Bearer "+r.token(t, r.app.admin)).StatusCode, "the city's admin")
}

// -demo loads nothing into a database that is not empty, and a restart
// still names the demo officer; -demo=false keeps a new SQLite database
// empty; PostgreSQL gets the city only when asked.
func TestDemoOnlyIntoAnEmptyDatabase(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	first := start(t, "-data", data)
	first.cancel()
	require.NoError(t, <-first.done)
	first.done <- nil
	again := start(t, "-data", data, "-demo")
	require.Equal(t, first.app.demo, again.app.demo)
	resp := again.get(t, "/v1/disputes", "Bearer "+again.token(t, again.app.demo))
	var page api.DisputePage
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&page))
	require.Len(t, page.Items, 2, "the city was not loaded twice")
	require.Contains(t, again.logs(), "not empty")

	for name, args := range map[string][]string{
		"sqlite, -demo=false": {"-demo=false"},
		"postgres, unasked":   {"-db", testdb.Postgres(t).URL()},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := start(t, args...)
			require.Empty(t, r.app.demo)
			require.NotEmpty(t, r.app.admin)
		})
	}
	t.Run("postgres, -demo", func(t *testing.T) {
		t.Parallel()
		r := start(t, "-db", testdb.Postgres(t).URL(), "-demo")
		require.NotEmpty(t, r.app.demo)
		require.Equal(t, http.StatusOK, r.get(t, "/v1/disputes", "Bearer "+r.token(t, r.app.demo)).StatusCode)
	})
}
