package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/stretchr/testify/require"
)

// TestHistoryBackfill: a database whose hazards were rectified before the
// history table existed keeps their figures: step 2 gives each its last
// fix as its history, and step 3 its hazard's unit.
func TestHistoryBackfill(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	k, err := casesql.New(testdb.SQLite(t), casesql.SQLite)
	require.NoError(t, err)
	require.NoError(t, k.Migrate(ctx))
	s := New(k)
	require.NoError(t, sqlx.Migrate(ctx, s.db, &sqlx.Dialect{Engine: k.Engine()}, "outreach", migrations[:1]))
	t0 := time.Date(2020, 5, 12, 2, 0, 0, 0, time.UTC)
	u := casework.Unit{ID: "u-1", Code: "1", Name: "unit", Level: casework.LevelStation, Version: 1, CreatedAt: t0, UpdatedAt: t0}
	u.Path = casework.UnitPath("", u.ID)
	require.NoError(t, k.CreateUnit(ctx, u, casework.Change{}))
	for i, rectified := range []time.Time{{}, t0.Add(time.Hour)} {
		h := outreach.Hazard{ID: "h-" + string(rune('a'+i)), UnitID: u.ID, Place: "楼道", Kind: "fire", Severity: outreach.SeverityGeneral,
			Description: "杂物", Responsible: "物业", Status: outreach.HazardRectifying, FoundBy: "st-1", FoundAt: t0,
			Version: 3, CreatedAt: t0, UpdatedAt: t0}
		if !rectified.IsZero() {
			h.Status, h.RectifiedAt = outreach.HazardRectified, rectified
		}
		_, err := s.db.ExecContext(ctx, `INSERT INTO outreach_hazards (`+hazardCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
			$11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)`, hazardArgs(h)...)
		require.NoError(t, err)
	}
	require.NoError(t, s.Migrate(ctx))
	got, err := s.Tally(ctx, outreach.TallyFilter{From: t0, To: t0.Add(2 * time.Hour)})
	require.NoError(t, err)
	require.Equal(t, int64(2), got.HazardsFound)
	require.Equal(t, int64(1), got.HazardsRectified)
	// Step 3 gives the backfilled history its hazards' unit, so the
	// subtree's tally counts it too.
	got, err = s.Tally(ctx, outreach.TallyFilter{UnitUnder: u.Path, From: t0, To: t0.Add(2 * time.Hour)})
	require.NoError(t, err)
	require.Equal(t, int64(2), got.HazardsFound)
	require.Equal(t, int64(1), got.HazardsRectified)
}
