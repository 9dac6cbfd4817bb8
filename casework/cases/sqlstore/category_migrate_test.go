package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/grassroots-policing/grassroots/casework/cases/sqlstore"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/internal/testdb"
)

// TestMigrationSplitsCaseItemsCigarettesAlcohol: a case's stored items of
// the retired category move by recovery migration 4's rule (alcohol when
// the description names liquor and no tobacco, tobacco otherwise); every
// other item, field and case is as it was, items in their order. On
// SQLite and PostgreSQL.
func TestMigrationSplitsCaseItemsCigarettesAlcohol(t *testing.T) {
	t.Parallel()
	testdb.EachEngine(t, func(t *testing.T, db *sql.DB, engine sqlx.Engine) {
		ctx := context.Background()
		k, err := casesql.New(db, engine)
		require.NoError(t, err)
		s := sqlstore.New(k)
		require.NoError(t, s.MigrateTo(ctx, 5))
		at := time.Date(2024, 5, 20, 1, 0, 0, 0, time.UTC)
		unit := casework.Unit{ID: "u1", Code: "370300", Name: "淄博市公安局", Level: casework.LevelBureau, Path: "/u1/", Version: 1, CreatedAt: at, UpdatedAt: at}
		require.NoError(t, k.CreateUnit(ctx, unit, casework.Change{}))
		item := func(id, category, description string) cases.Item {
			return cases.Item{ItemID: id, Category: category, Description: description, Quantity: 2, ValueFen: 120000,
				Identifiers: []casework.Identifier{{Kind: "serial", Value: "SN-" + id}}, TracedBy: []string{"arrest-1"}}
		}
		old := func(id string, items ...cases.Item) cases.Case {
			return cases.Case{ID: id, UnitID: unit.ID, Kind: "theft", State: cases.StateReported, Summary: "小卖部被盗",
				IncidentAt: at, ReportedAt: at, ReportedBy: "s1", Items: items, Version: 3, CreatedAt: at, UpdatedAt: at}
		}
		before := []cases.Case{
			old("c1", item("i1", "cigarettes_alcohol", "中华香烟10条"), item("i2", "food_grain", "米酒两坛"),
				item("i3", "cigarettes_alcohol", "飞天茅台白酒六瓶"), item("i4", "cigarettes_alcohol", "五粮液4瓶，礼盒装")),
			old("c2", item("i5", "cigarettes_alcohol", "烟酒礼盒（中华烟两条、茅台酒一瓶）"), item("i6", "cigarettes_alcohol", "礼品若干")),
			old("c3", item("i7", "e_bike", "白色雅迪电动自行车")),
			old("c4"),
		}
		require.NoError(t, s.CommitCases(ctx, cases.Write{NewCases: before}, casework.Change{}))
		require.NoError(t, s.Migrate(ctx))

		want := map[string]string{"i1": "tobacco", "i2": "food_grain", "i3": "alcohol", "i4": "alcohol", "i5": "tobacco", "i6": "tobacco", "i7": "e_bike"}
		for _, c := range before {
			got, err := s.GetCase(ctx, c.ID)
			require.NoError(t, err)
			for i := range c.Items {
				c.Items[i].Category = want[c.Items[i].ItemID]
			}
			require.Equal(t, c, got, c.ID)
		}
	})
}
