package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	ksql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/grassroots-policing/grassroots/recovery"
	"github.com/grassroots-policing/grassroots/recovery/sqlstore"
)

// TestMigrationSplitsCigarettesAlcohol: rows of the retired category move
// to alcohol when their description names liquor and no tobacco, to
// tobacco otherwise; other rows are untouched. On SQLite and PostgreSQL.
func TestMigrationSplitsCigarettesAlcohol(t *testing.T) {
	t.Parallel()
	testdb.EachEngine(t, func(t *testing.T, db *sql.DB, engine sqlx.Engine) {
		ctx := context.Background()
		k, err := ksql.New(db, engine)
		require.NoError(t, err)
		s := sqlstore.New(k)
		require.NoError(t, s.MigrateTo(ctx, 3))
		at := time.Date(2024, 5, 20, 1, 0, 0, 0, time.UTC)
		unit := casework.Unit{ID: "u1", Code: "370300", Name: "淄博市公安局", Level: casework.LevelBureau, Path: "/u1/", Version: 1, CreatedAt: at, UpdatedAt: at}
		require.NoError(t, k.CreateUnit(ctx, unit, casework.Change{}))
		want := map[string]string{}
		var items []recovery.Item
		for i, c := range []struct{ category, description, want string }{
			{"cigarettes_alcohol", "中华香烟10条", "tobacco"},
			{"cigarettes_alcohol", "飞天茅台白酒六瓶", "alcohol"},
			{"cigarettes_alcohol", "五粮液4瓶，礼盒装", "alcohol"},
			{"cigarettes_alcohol", "烟酒礼盒（中华烟两条、茅台酒一瓶）", "tobacco"},
			{"cigarettes_alcohol", "礼品若干", "tobacco"},
			{"food_grain", "米酒两坛", "food_grain"},
		} {
			it := recovery.Item{ID: "item-" + string(rune('a'+i)), UnitID: unit.ID, Origin: recovery.OriginFound, Category: c.category,
				Description: c.description, Quantity: 1, ValueFen: 100, State: recovery.StateRecovered, Version: 1, CreatedAt: at, UpdatedAt: at}
			items = append(items, it)
			want[it.ID] = c.want
		}
		require.NoError(t, s.Apply(ctx, recovery.Batch{NewItems: items}, casework.Change{}))
		require.NoError(t, s.Migrate(ctx))
		for id, category := range want {
			it, err := s.GetItem(ctx, id)
			require.NoError(t, err)
			require.Equal(t, category, it.Category, it.Description)
		}
	})
}
