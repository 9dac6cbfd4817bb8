package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/stretchr/testify/require"
)

func auditedChange(recordID string) casework.Change {
	return casework.Change{Audit: []casework.AuditRecord{{Time: time.Date(2020, 5, 12, 8, 0, 0, 1500, time.UTC), ActorID: "a",
		UnitID: "u", Action: "test", RecordType: "x", RecordID: recordID, RequestID: "q", Payload: []byte(`{"after":"` + recordID + `"}`)}}}
}

// chain reads the whole chain, checking every link in Go, and returns the
// record ids in chain order.
func chain(t *testing.T, s *sqlstore.Store) []string {
	t.Helper()
	var ids []string
	prev := casework.AuditHead{}
	require.NoError(t, s.ScanAudit(context.Background(), 1, func(e casework.AuditEntry, _ []byte) error {
		require.Equal(t, prev.Hash, e.PrevHash)
		require.Equal(t, casework.ChainHash(e), e.Hash, "seq %d", e.Seq)
		prev, ids = e.Head(), append(ids, e.RecordID)
		return nil
	}))
	head, err := s.AuditHead(context.Background())
	require.NoError(t, err)
	require.Equal(t, head, prev)
	return ids
}

// On PostgreSQL the chain head is locked only while a transaction commits:
// a transaction that wrote an audited change and is still open holds up no
// other writer, and at its commit its entries follow theirs.
func TestOpenTransactionHoldsUpNoWriter(t *testing.T) {
	t.Parallel()
	db := testdb.Postgres(t).DB
	s := openStore(t, db, sqlstore.Postgres)
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	require.NoError(t, s.CommitChange(sqlstore.WithTx(ctx, tx), auditedChange("open")))

	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	require.NoError(t, s.CommitChange(wctx, auditedChange("other")), "the open transaction does not hold the head")
	require.Equal(t, []string{"other"}, chain(t, s))

	require.NoError(t, tx.Commit())
	require.Equal(t, []string{"other", "open"}, chain(t, s))
}

// A write's own records are chained at commit after every deferred trigger
// its record change queued (the roll-ups' are such triggers, kernel
// migration 13): that trigger finds the head not yet moved to the write's
// entries, so the head is not locked while it runs; the records are still
// chained, in order, by the same commit.
func TestRecordChangesDeferredTriggersFireBeforeTheChain(t *testing.T) {
	t.Parallel()
	db := testdb.Postgres(t).DB
	s := openStore(t, db, sqlstore.Postgres)
	ctx := context.Background()
	for _, q := range []string{
		`CREATE TABLE t_rows (id TEXT PRIMARY KEY, head_seen BIGINT)`,
		`CREATE FUNCTION t_rows_seen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE t_rows SET head_seen = (SELECT seq FROM audit_head) WHERE id = NEW.id;
  RETURN NULL;
END $$`,
		`CREATE CONSTRAINT TRIGGER t_rows_seen AFTER INSERT ON t_rows DEFERRABLE INITIALLY DEFERRED
			FOR EACH ROW EXECUTE FUNCTION t_rows_seen()`,
	} {
		_, err := db.ExecContext(ctx, q)
		require.NoError(t, err)
	}
	for i, id := range []string{"r1", "r2"} {
		require.NoError(t, s.Write(ctx, auditedChange(id), func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO t_rows (id) VALUES ($1)`, id)
			return err
		}))
		var seen int64
		require.NoError(t, db.QueryRowContext(ctx, `SELECT head_seen FROM t_rows WHERE id = $1`, id).Scan(&seen))
		require.EqualValues(t, i, seen, "%s: the head does not include the write's entry yet", id)
	}
	require.Equal(t, []string{"r1", "r2"}, chain(t, s))
}
