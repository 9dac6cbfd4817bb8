package outreach

import (
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

// Filters whose fields join to the same text still get keys of their own:
// a page kept for one is never answered for another.
func TestPageKeysNeverCollide(t *testing.T) {
	t.Parallel()
	page := casework.Page{Limit: 51}
	keys := map[string]VisitFilter{}
	for _, f := range []VisitFilter{
		{UnitUnder: "/u/", OfficerID: "a\x00difficult_family"},
		{UnitUnder: "/u/", OfficerID: "a", TargetKind: DifficultFamily},
		{UnitUnder: "/u/", OfficerID: "a:1"},
		{UnitUnder: "/u/", OfficerID: "a", TargetKind: "1"},
		{UnitUnder: "/u/", CampaignID: "a\x00b"},
		{UnitUnder: "/u/", CampaignID: "a", PlanEntryID: "b\x00"},
		{UnitUnder: "/u/", CampaignID: "c"},
		{UnitUnder: "/u/", PlanEntryID: "c"},
	} {
		k := pageKey(f, page)
		require.NotContains(t, keys, k, "%+v and %+v", f, keys[k])
		keys[k] = f
	}
	require.NotEqual(t, pageKey(VisitFilter{}, page), pageKey(VisitFilter{}, casework.Page{Limit: 51, After: "x"}))
}
