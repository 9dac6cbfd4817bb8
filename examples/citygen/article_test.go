package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/envflag"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

// TestArticleCity builds the article's city in full (some 235,000 records:
// the article's figures are small enough to generate whole) and checks its
// report figure for figure against the article, period by period, and
// every figure of those periods against the generator's truth. It takes
// minutes on a busy machine, so -short skips it, and so does the race
// detector, under which it would take far longer.
func TestArticleCity(t *testing.T) {
	if testing.Short() || raceEnabled {
		if envflag.On("CI") {
			// make test leaves it out of the -race pass (-skip) and runs
			// it alone without -race: in CI it never skips.
			t.Fatal("the article's city runs without -race and -short in CI (make test)")
		}
		t.Skip("SKIPPING the article's city (some 235,000 records) under -short and -race: make test runs it once more without -race")
	}
	t.Parallel()
	for _, engine := range []sqlx.Engine{casesql.SQLite, casesql.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			start := time.Now()
			c := build(t, engine, Options{Seed: 1, Article: true})
			t.Logf("%s: the article's city, %d records, loaded in %s (%s with the unit tree and set-up)", engine, c.Records,
				c.Load.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
			lines, err := ArticleReport(ctx, c.w, c.Chief, c.Bureau.ID, c.Periods)
			require.NoError(t, err)
			require.Len(t, lines, 17)
			for _, l := range lines {
				require.True(t, l.OK(), "%s %s: the report says %s, the article %s (%s)", l.Period, l.Key,
					format(l.Key, l.Report), format(l.Key, l.Value), l.Says)
			}
			bureau := c.Truth.Units[0]
			for _, p := range c.Periods {
				got, err := c.w.K.Report(ctx, c.Chief, casework.ReportQuery{UnitID: c.Bureau.ID, From: p.From, To: p.To})
				require.NoError(t, err)
				require.Equal(t, c.Truth.Figures(bureau.Path, p.From, p.To.AddDate(0, 0, 1)), figuresOf(t, got), p.Name)
			}
			rep, err := c.w.K.VerifyAudit(ctx, c.Auditor)
			require.NoError(t, err)
			require.True(t, rep.OK, rep.Reason)
		})
	}
}
