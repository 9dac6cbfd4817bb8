package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/stretchr/testify/require"
)

// TestGridRefusesACorrectionItCannotMake: a branch that follows moved
// records may count only what adds up (COUNT, SUM); a COUNT(DISTINCT …)
// would be corrected wrongly, so the grid refuses it, with or without
// moves stored.
func TestGridRefusesACorrectionItCannotMake(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, _ *sql.DB, s *sqlstore.Store) {
		ctx := context.Background()
		require.NoError(t, s.Migrate(ctx))
		g := casework.Grid{Paths: []string{"/r/"}, Bounds: []time.Time{time.Unix(0, 0), time.Unix(100, 0)}}
		for name, tc := range map[string]struct {
			aggs []string
			kind string
			ok   bool
		}{
			"distinct of moved records": {aggs: []string{"COUNT(*)", "COUNT(DISTINCT t.name)"}, kind: "staff"},
			"distinct of fixed records": {aggs: []string{"COUNT(DISTINCT t.name)"}, ok: true},
			"additive of moved records": {aggs: []string{"COUNT(*)"}, kind: "staff", ok: true},
		} {
			err := sqlstore.QueryGrid(ctx, s, g, []sqlstore.GridBranch{{Table: "staff", Time: "created_at", Aggs: tc.aggs, Kind: tc.kind}},
				func(sqlstore.GridCell) {})
			if tc.ok {
				require.NoError(t, err, name)
				continue
			}
			require.ErrorIs(t, err, errs.ErrInvalid, name)
			require.ErrorContains(t, err, "DISTINCT", name)
		}
	})
}
