package bulkload_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/audit"
	"github.com/grassroots-policing/grassroots/internal/bulkload"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/internal/testdb"
)

type fixture struct {
	k       *casework.Kernel
	store   *casesql.Store
	key     ed25519.PrivateKey
	keyID   string
	root    casework.Unit
	admin   casework.Actor
	auditor casework.Actor
}

// setup migrates the kernel's tables on a fresh database of the engine
// and bootstraps a root unit through the kernel, so the chain holds the
// services' entries before the loader continues it.
func setup(t testing.TB, engine sqlx.Engine) fixture {
	t.Helper()
	ctx := context.Background()
	var store *casesql.Store
	var err error
	if engine == casesql.Postgres {
		store, err = casesql.New(testdb.Postgres(t).DB, engine)
	} else {
		db, oerr := casesql.OpenSQLite(filepath.Join(t.TempDir(), "k.db"))
		require.NoError(t, oerr)
		t.Cleanup(func() { db.Close() })
		store, err = casesql.New(db, engine)
	}
	require.NoError(t, err)
	require.NoError(t, store.MigrateAll(ctx))
	_, key, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	k, err := casework.New(store, &casework.Config{CheckpointKey: key})
	require.NoError(t, err)
	root, admin, err := k.Bootstrap(ctx, casework.UnitInput{Code: "370300", Name: "淄博市公安局", Level: casework.LevelBureau},
		casework.StaffInput{Name: "管理员", Roles: []casework.Role{casework.RoleAdmin}})
	require.NoError(t, err)
	adm := casework.Actor{StaffID: admin.ID, UnitID: root.ID, Roles: admin.Roles}
	aud, err := k.CreateStaff(ctx, adm, casework.StaffInput{UnitID: root.ID, Name: "审计员", Roles: []casework.Role{casework.RoleAuditor}})
	require.NoError(t, err)
	keyID, _ := k.CheckpointPublicKey()
	return fixture{k: k, store: store, key: key, keyID: keyID, root: root, admin: adm,
		auditor: casework.Actor{StaffID: aud.ID, UnitID: root.ID, Roles: aud.Roles}}
}

func engines(t *testing.T, run func(t *testing.T, engine sqlx.Engine)) {
	for _, e := range []sqlx.Engine{casesql.SQLite, casesql.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			run(t, e)
		})
	}
}

// TestLoadVerifies: 2,500 persons, each with its audit entry, flushed in
// transactions of 700 rows with a checkpoint every 1,000 entries, verify
// as a chain the kernel wrote, and the kernel's next write continues it.
func TestLoadVerifies(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, engine sqlx.Engine) {
		ctx := context.Background()
		f := setup(t, engine)
		before, err := f.store.AuditHead(ctx)
		require.NoError(t, err)
		l, err := bulkload.Open(ctx, f.store.DB(), engine, bulkload.Config{CheckpointKey: f.key, CheckpointKeyID: f.keyID,
			CheckpointEvery: 1000, FlushRows: 700})
		require.NoError(t, err)
		at := time.Date(2020, 5, 12, 9, 0, 0, 0, time.UTC)
		for i := range 2500 {
			id := fmt.Sprintf("p-%05d", i)
			require.NoError(t, l.Add("persons", []string{"id", "unit_id", "name", "gender", "doc_type", "tags", "unidentified", "version",
				"created_at", "updated_at"}, id, f.root.ID, "居民", "unknown", "none", sqlx.List([]string(nil)), false, int64(1),
				at.UnixMicro(), at.UnixMicro()))
			rec := casework.AuditRecord{Time: at, ActorID: "system", UnitID: f.root.ID, Action: "person.create", RecordType: "person",
				RecordID: id, Payload: []byte(`{"id":"` + id + `"}`)}
			require.NoError(t, l.Audit(func(h audit.Head) audit.Entry { return casework.ChainNext(h, rec) }, rec.Payload))
			require.NoError(t, l.Done(ctx))
			at = at.Add(time.Second)
		}
		require.NoError(t, l.Close(ctx, at))
		require.Equal(t, int64(2500), l.Records())
		require.Equal(t, before.Seq+2500, l.Head().Seq)

		rep, err := f.k.VerifyAudit(ctx, f.auditor)
		require.NoError(t, err)
		require.True(t, rep.OK, rep.Reason)
		require.Equal(t, l.Head(), rep.Head)
		require.Equal(t, 3, rep.CheckpointsVerified, "at 1,000 and 2,000 entries past the start, and the last")
		p, err := f.k.GetPerson(ctx, f.admin, "p-02499")
		require.NoError(t, err)
		require.Equal(t, "居民", p.Name)
		// The kernel's next write continues the loaded chain.
		_, err = f.k.CreateStaff(ctx, f.admin, casework.StaffInput{UnitID: f.root.ID, Name: "民警", Roles: []casework.Role{casework.RoleOfficer}})
		require.NoError(t, err)
		rep, err = f.k.VerifyAudit(ctx, f.auditor)
		require.NoError(t, err)
		require.True(t, rep.OK, rep.Reason)
		require.Equal(t, l.Head().Seq+1, rep.Head.Seq)
	})
}

// TestRefusals: a loader needs a key; an unknown table and an entry that
// does not follow the head are refused with errors that say so.
func TestRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t, casesql.SQLite)
	_, err := bulkload.Open(ctx, f.store.DB(), casesql.SQLite, bulkload.Config{})
	require.ErrorContains(t, err, "checkpoint key")
	l, err := bulkload.Open(ctx, f.store.DB(), casesql.SQLite, bulkload.Config{CheckpointKey: f.key, CheckpointKeyID: f.keyID})
	require.NoError(t, err)
	require.ErrorContains(t, l.Add("no_such_table", []string{"id"}, "x"), `table "no_such_table"`)
	stale := l.Head()
	stale.Seq--
	err = l.Audit(func(audit.Head) audit.Entry {
		return casework.ChainNext(stale, casework.AuditRecord{Time: time.Now(), ActorID: "a", Action: "x", RecordType: "t", RecordID: "1"})
	}, nil)
	require.ErrorContains(t, err, "does not follow the head")
	require.NoError(t, l.Close(ctx, time.Now()))
	require.Equal(t, int64(1), l.Rows(), "only the checkpoint of the head the services left")
}

// schema lists the indexes and foreign keys of the tables a load writes,
// each with its definition, as the database reports them.
func schema(t *testing.T, f fixture, engine sqlx.Engine) []string {
	t.Helper()
	q := `SELECT name || ' ' || sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL
		UNION ALL SELECT m.name || ' ' || p."table" || '.' || p."from" FROM sqlite_master m, pragma_foreign_key_list(m.name) p
		WHERE m.type = 'table' ORDER BY 1`
	if engine == casesql.Postgres {
		q = `SELECT indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = current_schema()
			UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) || CASE WHEN convalidated THEN '' ELSE ' (not valid)' END
			FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
			UNION ALL SELECT t.tgname || ' ' || pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
			WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace ORDER BY 1`
	}
	rows, err := f.store.DB().QueryContext(context.Background(), q)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}

// TestFreshLoad: a Fresh load (no journal, indexes, triggers and foreign
// keys, and on PostgreSQL keys, dropped until Close) ends with the same
// indexes, triggers and (validated) constraints as it began, a chain that
// verifies, SQLite back in WAL mode with pages of 16 KiB, and the services
// writing on; a row whose foreign key names nothing, or whose key another
// row has, makes Close fail.
func TestFreshLoad(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, engine sqlx.Engine) {
		for _, bad := range []string{"", "dangling", "duplicate"} {
			ctx := context.Background()
			f := setup(t, engine)
			before := schema(t, f, engine)
			require.Greater(t, len(before), 20)
			l, err := bulkload.Open(ctx, f.store.DB(), engine, bulkload.Config{CheckpointKey: f.key, CheckpointKeyID: f.keyID,
				CheckpointEvery: 500, FlushRows: 300, Fresh: true})
			require.NoError(t, err)
			require.Less(t, len(schema(t, f, engine)), len(before), "indexes dropped while loading")
			at := time.Date(2020, 5, 12, 9, 0, 0, 0, time.UTC)
			for i := range 1200 {
				id := fmt.Sprintf("p-%05d", i)
				require.NoError(t, l.Add("persons", []string{"id", "unit_id", "name", "gender", "doc_type", "tags", "unidentified", "version",
					"created_at", "updated_at"}, id, f.root.ID, "居民", "unknown", "none", sqlx.List([]string(nil)), false, int64(1),
					at.UnixMicro(), at.UnixMicro()))
				rec := casework.AuditRecord{Time: at, ActorID: "system", UnitID: f.root.ID, Action: "person.create", RecordType: "person",
					RecordID: id, Payload: []byte(`{"id":"` + id + `"}`)}
				require.NoError(t, l.Audit(func(h audit.Head) audit.Entry { return casework.ChainNext(h, rec) }, rec.Payload))
				require.NoError(t, l.Done(ctx))
			}
			if bad != "" {
				id, unit := "p-lost", "u-missing"
				if bad == "duplicate" {
					id, unit = "p-00007", f.root.ID
				}
				require.NoError(t, l.Add("persons", []string{"id", "unit_id", "name", "gender", "doc_type", "tags", "unidentified", "version",
					"created_at", "updated_at"}, id, unit, "居民", "unknown", "none", sqlx.List([]string(nil)), false, int64(1),
					at.UnixMicro(), at.UnixMicro()))
				err := l.Close(ctx, at)
				require.Error(t, err, bad)
				// SQLite kept the key and refused the row when it was
				// written; PostgreSQL names the table whose key it builds.
				require.Regexp(t, "persons|duplicate key", err.Error(), bad)
				continue
			}
			require.NoError(t, l.Close(ctx, at))
			require.Equal(t, before, schema(t, f, engine), "every index and foreign key as before")
			if engine == casesql.SQLite {
				var mode string
				require.NoError(t, f.store.DB().QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode))
				require.Equal(t, "wal", mode)
				var pageSize int
				require.NoError(t, f.store.DB().QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize))
				require.Equal(t, 16384, pageSize, "pages of 16 KiB")
			}
			_, err = f.k.CreateStaff(ctx, f.admin, casework.StaffInput{UnitID: f.root.ID, Name: "民警", Roles: []casework.Role{casework.RoleOfficer}})
			require.NoError(t, err)
			rep, err := f.k.VerifyAudit(ctx, f.auditor)
			require.NoError(t, err)
			require.True(t, rep.OK, rep.Reason)
			require.Equal(t, l.Head().Seq+1, rep.Head.Seq)
			require.Equal(t, 3, rep.CheckpointsVerified)
		}
	})
}

// TestColumnsMayChangeBetweenFlushes: a table written with other columns
// in a later flush gets those columns, although a Fresh SQLite load keeps
// its prepared INSERTs from one flush to the next.
func TestColumnsMayChangeBetweenFlushes(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, engine sqlx.Engine) {
		ctx := context.Background()
		f := setup(t, engine)
		l, err := bulkload.Open(ctx, f.store.DB(), engine, bulkload.Config{CheckpointKey: f.key, CheckpointKeyID: f.keyID, Fresh: true})
		require.NoError(t, err)
		cols := []string{"id", "unit_id", "name", "gender", "doc_type", "tags", "unidentified", "version", "created_at", "updated_at"}
		at := time.Date(2020, 5, 12, 9, 0, 0, 0, time.UTC).UnixMicro()
		for flush, extra := range []string{"", "description"} {
			for i := range 3 {
				c, vals := cols, []any{fmt.Sprintf("p-%d-%d", flush, i), f.root.ID, "居民", "unknown", "none", "[]", false, int64(1), at, at}
				if extra != "" {
					c, vals = append(slices.Clone(cols), extra), append(vals, "described")
				}
				require.NoError(t, l.Add("persons", c, vals...))
			}
			require.NoError(t, l.Flush(ctx))
		}
		require.NoError(t, l.Close(ctx, time.Now()))
		var described int
		require.NoError(t, f.store.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM persons WHERE description = 'described'`).Scan(&described))
		require.Equal(t, 3, described)
	})
}
