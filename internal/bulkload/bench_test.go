package bulkload_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/audit"
	"github.com/grassroots-policing/grassroots/internal/bulkload"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

// BenchmarkLoad measures the bulk path alone: one person row and its audit
// entry (a payload of ~300 bytes, built beforehand) per record, with the
// default flush size and a checkpoint every 10,000 entries. The records/s
// it reports exclude what a generator spends making the records and their
// audit payloads.
//
//	go test -run '^$' -bench Load -benchtime 50000x ./internal/bulkload
func BenchmarkLoad(b *testing.B) {
	for _, engine := range []sqlx.Engine{casesql.SQLite, casesql.Postgres} {
		b.Run(string(engine), func(b *testing.B) {
			ctx := context.Background()
			f := setup(b, engine)
			l, err := bulkload.Open(ctx, f.store.DB(), engine, bulkload.Config{CheckpointKey: f.key, CheckpointKeyID: f.keyID})
			require.NoError(b, err)
			cols := []string{"id", "unit_id", "name", "gender", "doc_type", "tags", "unidentified", "version", "created_at", "updated_at"}
			payload := make([]byte, 300)
			for i := range payload {
				payload[i] = 'a' + byte(i%26)
			}
			at := time.Date(2020, 5, 12, 9, 0, 0, 0, time.UTC)
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				id := fmt.Sprintf("p-%08d", i)
				require.NoError(b, l.Add("persons", cols, id, f.root.ID, "居民", "unknown", "none", "[]", false, int64(1), at.UnixMicro(), at.UnixMicro()))
				rec := casework.AuditRecord{Time: at, ActorID: "system", UnitID: f.root.ID, Action: "person.create", RecordType: "person",
					RecordID: id, Payload: payload}
				require.NoError(b, l.Audit(func(h audit.Head) audit.Entry { return casework.ChainNext(h, rec) }, payload))
				require.NoError(b, l.Done(ctx))
			}
			require.NoError(b, l.Close(ctx, at))
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
		})
	}
}
