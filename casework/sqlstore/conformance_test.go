package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/casework/storetest"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/stretchr/testify/require"
)

func openStore(t *testing.T, db *sql.DB, engine sqlstore.Engine) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.New(db, engine)
	require.NoError(t, err)
	require.NoError(t, s.Migrate(context.Background()))
	return s
}

func TestConformanceSQLite(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) casework.KernelStore { return openStore(t, testdb.SQLite(t), sqlstore.SQLite) })
}

func TestConformancePostgres(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) casework.KernelStore { return openStore(t, testdb.Postgres(t).DB, sqlstore.Postgres) })
}

// A change with more audit records than one statement can carry is
// appended in chunks, in order, in its one transaction.
func TestLargeChangeIsChunked(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(t *testing.T) *sqlstore.Store{
		"sqlite":   func(t *testing.T) *sqlstore.Store { return openStore(t, testdb.SQLite(t), sqlstore.SQLite) },
		"postgres": func(t *testing.T) *sqlstore.Store { return openStore(t, testdb.Postgres(t).DB, sqlstore.Postgres) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			recs := make([]casework.AuditRecord, 2500)
			for i := range recs {
				recs[i] = casework.AuditRecord{Time: time.Date(2020, 5, 12, 8, 0, 0, i*1000, time.UTC), ActorID: "a", Action: "bulk", RecordType: "x", RecordID: "r"}
				if i%2 == 0 {
					recs[i].Payload = []byte(`{"after":"x","before":"","diff":[]}`)
				}
			}
			require.NoError(t, s.CommitChange(context.Background(), casework.Change{Audit: recs}))
			head, err := s.AuditHead(context.Background())
			require.NoError(t, err)
			require.EqualValues(t, 2500, head.Seq)
			prev := casework.AuditHead{}
			n := 0
			require.NoError(t, s.ScanAudit(context.Background(), 1, func(e casework.AuditEntry, p []byte) error {
				require.Equal(t, prev.Hash, e.PrevHash)
				require.Equal(t, casework.ChainHash(e), e.Hash)
				require.Equal(t, e.Seq%2 == 1, p != nil, "seq %d", e.Seq)
				prev, n = e.Head(), n+1
				return nil
			}))
			require.Equal(t, 2500, n)
			require.Equal(t, head, prev)
		})
	}
}
