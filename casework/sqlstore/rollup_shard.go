package sqlstore

import (
	"fmt"

	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

// Sharded roll-ups (PostgreSQL). Every audited write locks the audit
// chain's head at commit (auditChainSQL), and the rate of writes is one
// over the time the head is held. The roll-up triggers used to run inside
// that window, after the head (100–200 µs of backend time a visit, issue
// 13). They run before it now (kernel migration 13 chains the audit in a
// second round of the commit's deferred triggers), and so that writers do
// not queue on the busy rows instead — every visit of a day adds to the
// city's row for that day — each roll-up row carries a shard: a
// transaction adds only to rows of a shard no other open transaction
// holds (grassroots_rollup_shard, an advisory lock per shard), so two
// writers never wait on each other's roll-up rows, and lock no roll-up row
// while they wait for the head that another holds. Reads sum the shards
// (rollupGrid.read groups by unit, day and key); the fill and a Fresh bulk
// load write shard 0. A distinct branch's rows are keyed by its value too
// (unit, day, key, target): two writers meet on one only when both record
// the same target on the same day, so they are not sharded, and a value
// keeps one row whose count says whether it is there. The
// lowest free shard is taken, so a quiet database keeps one row per
// (unit, day, key) and a busy one as many as writers committed at once,
// never more than rollupShards.
//
// SQLite writes one transaction at a time and keeps its roll-ups as they
// are.

// rollupShards bounds the shards of a roll-up row; a writer that finds
// every shard held waits for one (grassroots_rollup_shard).
const rollupShards = 64

// rollupShardLock is the first key of the shards' advisory locks (the
// two-key form, a space of its own: the migrations lock one bigint).
const rollupShardLock = 0x67726f6c // "grol"

// rollupShardSQL is kernel migration 13's function that returns the
// roll-up shard of the calling transaction: the one it took before (kept
// in the transaction's setting grassroots.rollup_shard and held still),
// else the lowest shard whose lock it can take at once, else — every shard
// held by another writer — its backend's own shard, waited for.
func rollupShardSQL() string {
	// Every statement is a simple expression (no query of its own).
	return fmt.Sprintf(`CREATE FUNCTION grassroots_rollup_shard() RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  s integer := NULLIF(current_setting('grassroots.rollup_shard', true), '')::integer;
  t text;
BEGIN
  IF s IS NOT NULL AND pg_try_advisory_xact_lock(%[1]d, s) THEN
    RETURN s;
  END IF;
  FOR i IN 0..%[2]d LOOP
    IF pg_try_advisory_xact_lock(%[1]d, i) THEN
      t := set_config('grassroots.rollup_shard', i::text, true);
      RETURN i;
    END IF;
  END LOOP;
  s := pg_backend_pid() %% %[3]d;
  t := pg_advisory_xact_lock(%[1]d, s)::text || set_config('grassroots.rollup_shard', s::text, true);
  RETURN s;
END $$`, rollupShardLock, rollupShards-1, rollupShards)
}

// ShardRollups are a migration step's statements that shard the roll-up
// tables RollupStmts made for the branches, on PostgreSQL (nothing on
// SQLite, nor for a distinct branch): a shard column, 0 for the rows
// already there, in the primary key, and trigger functions that add to the
// transaction's shard. A new
// rolled-up branch takes both steps' statements, in that order.
func ShardRollups(engine Engine, branches ...GridBranch) []string {
	if engine != Postgres {
		return nil
	}
	var out []string
	for _, b := range branches {
		s, err := b.rollup()
		if err != nil {
			panic(err)
		}
		if b.Distinct != "" {
			continue // keyed by value too: see the top of the file
		}
		old := rollupRow{b: b, s: s, row: "OLD", pathIDs: true, shard: "grassroots_shard"}
		nu := rollupRow{b: b, s: s, row: "NEW", pathIDs: true, shard: "grassroots_shard"}
		out = append(out,
			fmt.Sprintf(`ALTER TABLE %s ADD COLUMN shard INTEGER NOT NULL DEFAULT 0`, s.table),
			fmt.Sprintf(`ALTER TABLE %[1]s DROP CONSTRAINT %[1]s_pkey, ADD PRIMARY KEY (%[2]s)`, s.table, s.sharded(b)),
			pgTriggerFunction("CREATE OR REPLACE", s, old, nu, "grassroots_shard integer := grassroots_rollup_shard();"))
	}
	return out
}

// shardStep is the kernel's migration 13 (see the top of this file and
// auditChainSQL).
func shardStep(d *sqlx.Dialect) []string {
	if d.Engine != sqlx.Postgres {
		return nil
	}
	return append([]string{rollupShardSQL()}, auditSecondRoundSQL()...)
}
