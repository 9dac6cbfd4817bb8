package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	ksql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/grassroots-policing/grassroots/recovery"
	"github.com/stretchr/testify/require"
)

// TestAppendOnly plays someone with ordinary write rights on the database:
// raw UPDATE, DELETE, REPLACE and upsert on custody entries and audit
// entries are refused by
// the database itself, on both engines, and the rows stay as they were.
func TestAppendOnly(t *testing.T) {
	t.Parallel()
	for name, db := range map[string]func(t *testing.T) (*sql.DB, ksql.Engine){
		"sqlite":   func(t *testing.T) (*sql.DB, ksql.Engine) { return testdb.SQLite(t), ksql.SQLite },
		"postgres": func(t *testing.T) (*sql.DB, ksql.Engine) { return testdb.Postgres(t).DB, ksql.Postgres },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			raw, engine := db(t)
			s, k := open(t, raw, engine)
			at := time.Date(2020, 5, 12, 2, 0, 0, 0, time.UTC)
			u := casework.Unit{ID: "u1", Code: "U1", Name: "张店分局", Level: casework.LevelBranch, Path: "/u1/", Version: 1, CreatedAt: at, UpdatedAt: at}
			require.NoError(t, k.CreateUnit(ctx, u, casework.Change{}))
			it := recovery.Item{ID: "item-1", UnitID: u.ID, Origin: recovery.OriginFound, Category: "cage", Description: "竹制鸟笼",
				Quantity: 1, ValueFen: 50000, State: recovery.StateRecovered, CustodySeq: 1,
				Holder: recovery.Holder{Kind: recovery.HolderLocation, ID: "A-01"}, Version: 1, CreatedAt: at, UpdatedAt: at}
			e := recovery.CustodyEntry{ItemID: it.ID, Seq: 1, Kind: recovery.EntryIntake, From: recovery.Holder{Kind: recovery.HolderExternal, Name: "现场"},
				To: it.Holder, ActorID: "s1", UnitID: u.ID, At: at, Reason: "追回", Condition: "完好", Seal: recovery.SealIntact, CreatedAt: at}
			ch := casework.Change{Audit: []casework.AuditRecord{{Time: at, ActorID: "s1", UnitID: u.ID, Action: "recovery.item.found",
				RecordType: recovery.RecordItem, RecordID: it.ID, Payload: []byte(`{"after":"x","before":"","diff":[]}`)}}}
			require.NoError(t, s.Apply(ctx, recovery.Batch{NewItems: []recovery.Item{it}, Custody: []recovery.CustodyEntry{e}}, ch))

			// A forged copy of the entry: another actor, reason and holder.
			const forged = `SELECT item_id, seq, kind, from_kind, from_id, from_name, to_kind, 'B-99', to_name, 'attacker', unit_id,
				witness_id, at, 'edited', item_condition, seal, seal_number, photos, corrects, created_at FROM recovery_custody WHERE item_id = 'item-1'`
			refused := []string{
				`UPDATE recovery_custody SET reason = 'edited', to_id = 'B-99' WHERE item_id = 'item-1'`,
				`DELETE FROM recovery_custody WHERE item_id = 'item-1'`,
				`UPDATE audit_log SET actor_id = 'someone else'`,
				`DELETE FROM audit_log`,
				`INSERT INTO recovery_custody ` + forged + ` ON CONFLICT (item_id, seq) DO UPDATE SET reason = 'edited', actor_id = 'attacker'`,
			}
			if engine == ksql.SQLite {
				refused = append(refused,
					`INSERT OR REPLACE INTO recovery_custody `+forged,
					`REPLACE INTO recovery_custody `+forged,
					`INSERT OR REPLACE INTO recovery_custody (rowid, item_id, seq, kind, from_kind, from_id, from_name, to_kind, to_id, to_name, actor_id,
						unit_id, witness_id, at, reason, item_condition, seal, seal_number, photos, corrects, created_at)
						SELECT rowid, item_id, 7, kind, from_kind, from_id, from_name, to_kind, 'B-99', to_name, 'attacker', unit_id,
						witness_id, at, 'edited', item_condition, seal, seal_number, photos, corrects, created_at FROM recovery_custody WHERE item_id = 'item-1'`,
				)
			}
			for _, stmt := range refused {
				_, err := raw.ExecContext(ctx, stmt)
				require.Error(t, err, stmt)
				require.ErrorIs(t, sqlx.Translate(err), recovery.ErrForbidden, stmt)
			}
			es, err := s.Custody(ctx, it.ID)
			require.NoError(t, err)
			require.Equal(t, []recovery.CustodyEntry{e}, es)
			head, err := k.AuditHead(ctx)
			require.NoError(t, err)
			require.Equal(t, int64(1), head.Seq)
			trail, err := k.AuditTrail(ctx, recovery.RecordItem, it.ID)
			require.NoError(t, err)
			require.Len(t, trail, 1)
			require.Equal(t, "s1", trail[0].ActorID)
		})
	}
}
