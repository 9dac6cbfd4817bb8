package casework_test

// Canary test of sealing at rest: persons are written with identity numbers,
// phones and sensitive tags that appear nowhere else, and then every place
// the data could leak to is searched for them — the raw SQLite file and its
// WAL, every column of every PostgreSQL table, the audit payloads, the
// request keys, the outbox and the structured log.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

// gbResidentID completes a 17-digit body with its GB 11643-1999 check
// character (ISO 7064 MOD 11-2), computed here independently of the code
// under test.
func gbResidentID(body string) string {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		sum += int(body[i]-'0') * weights[i]
	}
	return body + string("10X98765432"[sum%11])
}

func TestCanaryGBResidentIDCheckDigit(t *testing.T) {
	t.Parallel()
	// Published examples.
	require.Equal(t, "11010519491231002X", gbResidentID("11010519491231002"))
	require.Equal(t, "440524188001010014", gbResidentID("44052418800101001"))
}

// canaryPerson is one person whose secrets must never be stored or logged
// in clear.
type canaryPerson struct {
	name, doc, phone, phone2 string
}

var canaryPersons = []canaryPerson{
	{name: "金丝雀甲", doc: gbResidentID("37030319850612421"), phone: "13912345678", phone2: "13698765432"},
	{name: "金丝雀乙", doc: gbResidentID("11010819770304863"), phone: "15867530912", phone2: "18723456019"},
	{name: "金丝雀丙", doc: gbResidentID("44030520011129557"), phone: "17731415926", phone2: "19927182818"},
}

var canarySensitiveTags = []casework.Tag{casework.TagKeyPerson, casework.TagSpecialPerson}

// canaryNeedles are the strings that must not appear anywhere at rest or in
// logs. Masked forms legitimately keep the first six and last four
// characters of an ID and the first three and last four digits of a phone,
// so besides the full values the needles are the parts a mask hides: the
// ID's middle eight digits (its birth date), its last eight, and a phone's
// last eight digits.
func canaryNeedles(long bool) []string {
	var out []string
	for _, c := range canaryPersons {
		out = append(out, c.doc, strings.ToLower(c.doc), c.phone, c.phone2)
		if !long {
			out = append(out, c.doc[6:14], c.doc[10:], strings.ToLower(c.doc[10:]), c.phone[3:], c.phone2[3:])
		}
	}
	for _, tag := range canarySensitiveTags {
		out = append(out, string(tag))
	}
	return out
}

// requireNoCanary fails if any needle occurs in b.
func requireNoCanary(t *testing.T, where string, b []byte, needles []string) {
	t.Helper()
	for _, n := range needles {
		if i := bytes.Index(b, []byte(n)); i >= 0 {
			lo, hi := max(0, i-60), min(len(b), i+len(n)+60)
			t.Errorf("plaintext canary %q found in %s: …%q…", n, where, b[lo:hi])
		}
	}
}

// lockedBuffer is a log sink safe for concurrent writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

// runCanaryScenario does everything that touches the canaries through the
// kernel's services, asserting the service-level promises on the way, and
// returns the log it wrote.
func runCanaryScenario(t *testing.T, s casework.KernelStore) []byte {
	t.Helper()
	ctx := context.Background()
	logs := &lockedBuffer{}
	logger := zerolog.New(logs).Level(zerolog.TraceLevel).With().Timestamp().Logger()
	clock := casework.NewFixedClock(time.Date(2024, 5, 20, 1, 0, 0, 0, time.UTC))
	k, err := casework.New(s, &casework.Config{Clock: clock, IDs: &casework.SequentialIDs{}, Logger: &logger,
		CheckpointPolicy: casework.CheckpointPolicy{Every: 5}})
	require.NoError(t, err)

	root, admin, err := k.Bootstrap(ctx, casework.UnitInput{Code: "370300", Name: "淄博市公安局", Level: casework.LevelBureau},
		casework.StaffInput{Name: "管理员", Roles: []casework.Role{casework.RoleAdmin}})
	require.NoError(t, err)
	adm := casework.Actor{StaffID: admin.ID, UnitID: root.ID, Roles: admin.Roles}
	branch, err := k.CreateUnit(ctx, adm, casework.UnitInput{Code: "370303", Name: "张店分局", Level: casework.LevelBranch, ParentID: root.ID})
	require.NoError(t, err)
	off, err := k.CreateStaff(ctx, adm, casework.StaffInput{UnitID: branch.ID, Name: "民警甲", Roles: []casework.Role{casework.RoleOfficer}})
	require.NoError(t, err)
	oa := casework.Actor{StaffID: off.ID, UnitID: branch.ID, Roles: off.Roles}
	aud, err := k.CreateStaff(ctx, adm, casework.StaffInput{UnitID: root.ID, Name: "审计员", Roles: []casework.Role{casework.RoleAuditor}})
	require.NoError(t, err)
	auditor := casework.Actor{StaffID: aud.ID, UnitID: root.ID, Roles: aud.Roles}

	var ids []string
	for i, c := range canaryPersons {
		in := casework.PersonInput{UnitID: branch.ID, Name: c.name, DocType: casework.DocResidentID, DocNumber: c.doc, Phone: c.phone,
			Address: "张店区和平路1号", Tags: append([]casework.Tag{casework.TagElderlyAlone}, canarySensitiveTags[:1+i%2]...),
			RequestKey: fmt.Sprintf("canary-create-%d", i)}
		p, err := k.CreatePerson(ctx, oa, in)
		require.NoError(t, err)
		require.Equal(t, c.doc[:6]+"********"+c.doc[14:], p.DocNumber, "masked")
		require.Equal(t, c.phone[:3]+"****"+c.phone[7:], p.Phone, "masked")
		require.Equal(t, []casework.Tag{casework.TagElderlyAlone}, p.Tags, "sensitive tags hidden")
		again, err := k.CreatePerson(ctx, oa, in) // a repeat returns the first result
		require.NoError(t, err)
		require.Equal(t, p.ID, again.ID)
		ids = append(ids, p.ID)
		clock.Advance(time.Minute)
		_, err = k.Checkpoint(ctx, false)
		require.NoError(t, err)
	}

	// Search by the blind indexes.
	for i, c := range canaryPersons {
		found, _, err := k.FindPersons(ctx, oa, casework.PersonQuery{DocType: casework.DocResidentID, DocNumber: strings.ToLower(c.doc)})
		require.NoError(t, err)
		require.Len(t, found, 1)
		require.Equal(t, ids[i], found[0].ID)
		found, _, err = k.FindPersons(ctx, oa, casework.PersonQuery{Phone: "+86 " + c.phone})
		require.NoError(t, err)
		require.Len(t, found, 1)
	}

	// A change of phone and tags: the audit diff must redact both sides.
	c0 := canaryPersons[0]
	cur, err := k.GetPerson(ctx, oa, ids[0])
	require.NoError(t, err)
	upd, err := k.UpdatePerson(ctx, oa, ids[0], cur.Version, casework.PersonInput{Name: c0.name, DocType: casework.DocResidentID, DocNumber: c0.doc,
		Phone: c0.phone2, Tags: canarySensitiveTags})
	require.NoError(t, err)
	require.Equal(t, c0.phone2[:3]+"****"+c0.phone2[7:], upd.Phone)
	for i, c := range canaryPersons[1:] {
		cur, err := k.GetPerson(ctx, oa, ids[i+1])
		require.NoError(t, err)
		_, err = k.UpdatePerson(ctx, oa, ids[i+1], cur.Version, casework.PersonInput{Name: c.name, DocType: casework.DocResidentID, DocNumber: c.doc,
			Phone: c.phone2, Tags: []casework.Tag{casework.TagSpecialPerson, casework.TagKeyPerson, casework.TagDisabled}})
		require.NoError(t, err)
	}

	// A duplicate document is refused without naming it.
	_, err = k.CreatePerson(ctx, oa, casework.PersonInput{UnitID: branch.ID, Name: "重复", DocType: casework.DocResidentID, DocNumber: c0.doc})
	require.ErrorIs(t, err, casework.ErrConflict)
	requireNoCanary(t, "a conflict error", []byte(err.Error()), canaryNeedles(false))

	// Reveal: the plaintext, for an officer with a reason, audited without it.
	head, err := s.AuditHead(ctx)
	require.NoError(t, err)
	r, err := k.RevealPerson(ctx, oa, ids[0], "入户走访核实身份")
	require.NoError(t, err)
	require.True(t, r.Revealed)
	require.Equal(t, c0.doc, r.DocNumber)
	require.Equal(t, c0.phone2, r.Phone)
	require.Subset(t, r.Tags, canarySensitiveTags)
	after, err := s.AuditHead(ctx)
	require.NoError(t, err)
	require.Equal(t, head.Seq+1, after.Seq, "a reveal appends exactly one audit entry")
	var revealEntry casework.AuditEntry
	var revealPayload []byte
	require.NoError(t, s.ScanAudit(ctx, after.Seq, func(e casework.AuditEntry, p []byte) error {
		revealEntry, revealPayload = e, p
		return nil
	}))
	require.Equal(t, string(casework.ActionRevealPerson), revealEntry.Action)
	require.Equal(t, "person", revealEntry.RecordType)
	require.Equal(t, ids[0], revealEntry.RecordID)
	require.Equal(t, oa.StaffID, revealEntry.ActorID)
	require.Contains(t, string(revealPayload), "入户走访核实身份", "the reason is audited")
	requireNoCanary(t, "the reveal's audit payload", revealPayload, canaryNeedles(false))
	entryJSON, err := json.Marshal(revealEntry)
	require.NoError(t, err)
	requireNoCanary(t, "the reveal's audit entry", entryJSON, canaryNeedles(false))

	// An admin may never reveal, nor an auditor: each refusal appends one
	// entry naming who tried and why, and nothing of the person's data; a
	// reveal refused for want of a reason appends nothing.
	_, err = k.RevealPerson(ctx, adm, ids[0], "好奇")
	require.ErrorIs(t, err, casework.ErrForbidden)
	_, err = k.RevealPerson(ctx, auditor, ids[0], "抽查")
	require.ErrorIs(t, err, casework.ErrForbidden, "an auditor only reads")
	_, err = k.RevealPerson(ctx, oa, ids[0], "  ")
	require.ErrorIs(t, err, casework.ErrInvalid, "a reveal needs a reason")
	refusedHead, err := s.AuditHead(ctx)
	require.NoError(t, err)
	require.Equal(t, after.Seq+2, refusedHead.Seq, "each refused reveal appends one entry")
	var refusers []string
	require.NoError(t, s.ScanAudit(ctx, after.Seq+1, func(e casework.AuditEntry, p []byte) error {
		require.Equal(t, string(casework.ActionRevealRefused), e.Action)
		require.Equal(t, ids[0], e.RecordID)
		requireNoCanary(t, "a refused reveal's audit payload", p, canaryNeedles(false))
		refusers = append(refusers, e.ActorID)
		return nil
	}))
	require.Equal(t, []string{adm.StaffID, auditor.StaffID}, refusers)

	// A hand-off whose receiver fails (it re-submits a canary document and
	// hits the duplicate), and one with no receiver: both are logged and
	// kept for retry with their error.
	register(t, k, casework.Provision{Name: "canary", Receivers: map[string]casework.Receiver{"canary.resubmit": func(ctx context.Context, msg casework.OutboxMessage) (string, error) {
		p, err := k.CreatePerson(ctx, oa, casework.PersonInput{UnitID: branch.ID, Name: "再次登记", DocType: casework.DocResidentID,
			DocNumber: c0.doc, Phone: c0.phone})
		return p.ID, err
	}}})
	var ch casework.Change
	for i, kind := range []string{"canary.resubmit", "canary.unrouted"} {
		msg, err := k.NewOutboxMessage(kind, casework.Source{Kind: "person", ID: ids[0], Step: fmt.Sprintf("canary/%d", i)},
			map[string]string{"personId": ids[0]})
		require.NoError(t, err)
		ch.Outbox = append(ch.Outbox, msg)
	}
	rec, err := k.AuditRecord(ctx, oa, "person.handoff", "person", ids[0], nil, map[string]string{"handoff": "canary"})
	require.NoError(t, err)
	ch.Audit = []casework.AuditRecord{rec}
	require.NoError(t, s.CommitChange(ctx, ch))
	n, err := k.DeliverPending(ctx, nil)
	require.NoError(t, err)
	require.Zero(t, n)
	msgs, err := s.ListOutbox(ctx, "person", ids[0])
	require.NoError(t, err)
	require.Len(t, msgs, 2)
	for _, m := range msgs {
		require.False(t, m.Delivered())
		require.NotEmpty(t, m.LastError)
		requireNoCanary(t, "an outbox error", []byte(m.LastError), canaryNeedles(false))
	}

	// The audit log verifies, and no entry or payload holds a canary.
	_, err = k.Checkpoint(ctx, true)
	require.NoError(t, err)
	rep, err := k.VerifyAudit(ctx, auditor)
	require.NoError(t, err)
	require.True(t, rep.OK, "%+v", rep)
	var payloads int
	require.NoError(t, s.ScanAudit(ctx, 1, func(e casework.AuditEntry, p []byte) error {
		b, err := json.Marshal(e)
		require.NoError(t, err)
		requireNoCanary(t, fmt.Sprintf("audit entry %d", e.Seq), b, canaryNeedles(false))
		requireNoCanary(t, fmt.Sprintf("audit payload %d", e.Seq), p, canaryNeedles(false))
		if len(p) > 0 {
			payloads++
		}
		return nil
	}))
	require.Positive(t, payloads)

	log := logs.Bytes()
	require.Contains(t, string(log), "hand-off not delivered", "the failed delivery was logged")
	requireNoCanary(t, "the log", log, canaryNeedles(false))
	return log
}

func TestSealingCanaryMemory(t *testing.T) {
	t.Parallel()
	runCanaryScenario(t, memstore.New())
}

func TestSealingCanarySQLiteFile(t *testing.T) {
	t.Parallel()
	db, path := testdb.SQLiteFile(t)
	s, err := sqlstore.New(db, sqlstore.SQLite)
	require.NoError(t, err)
	require.NoError(t, s.Migrate(context.Background()))
	runCanaryScenario(t, s)

	scanFiles := func(when string) {
		t.Helper()
		for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
			b, err := os.ReadFile(p)
			if errors.Is(err, os.ErrNotExist) && p != path {
				continue
			}
			require.NoError(t, err)
			requireNoCanary(t, fmt.Sprintf("%s (%s, %d bytes)", p, when, len(b)), b, canaryNeedles(false))
		}
	}
	// The raw file and the WAL as they are while the database is open …
	scanFiles("open")
	// … and after closing, which checkpoints the WAL into the file.
	require.NoError(t, db.Close())
	main, err := os.ReadFile(path)
	require.NoError(t, err)
	require.True(t, bytes.Contains(main, []byte("金丝雀甲")), "the scan reads real data: names are not sealed")
	scanFiles("closed")
}

func TestSealingCanaryPostgresTables(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pg := testdb.Postgres(t)
	s, err := sqlstore.New(pg.DB, sqlstore.Postgres)
	require.NoError(t, err)
	require.NoError(t, s.Migrate(ctx))
	runCanaryScenario(t, s)

	var tables []string
	rows, err := pg.DB.QueryContext(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	require.NoError(t, err)
	for rows.Next() {
		var name string
		require.NoError(t, rows.Scan(&name))
		tables = append(tables, name)
	}
	require.NoError(t, rows.Err())
	require.NoError(t, rows.Close())
	require.Contains(t, tables, "persons")
	require.Contains(t, tables, "audit_payloads")

	var dumped int
	for _, table := range tables {
		ident := pgx.Identifier{table}.Sanitize()
		// Every row as PostgreSQL prints it. bytea prints as hex here, so
		// only the long needles are looked for (a short digit string could
		// turn up in the hex of a ciphertext by chance).
		var text bytes.Buffer
		rows, err := pg.DB.QueryContext(ctx, `SELECT t::text FROM `+ident+` t`)
		require.NoError(t, err)
		for rows.Next() {
			var line string
			require.NoError(t, rows.Scan(&line))
			text.WriteString(line + "\n")
		}
		require.NoError(t, rows.Err())
		require.NoError(t, rows.Close())
		requireNoCanary(t, "table "+table+" as text", text.Bytes(), canaryNeedles(true))
		dumped += text.Len()

		// Every column's own value, bytea as its raw bytes.
		raw := dumpPGColumns(t, pg.DB, ident)
		requireNoCanary(t, "table "+table+" column values", raw, canaryNeedles(false))
		if table == "persons" {
			require.Contains(t, string(raw), "金丝雀甲", "the dump reads real data: names are not sealed")
		}
	}
	require.Positive(t, dumped)
}

// dumpPGColumns concatenates every column value of every row of a table:
// text as text, bytea as its raw bytes, anything else as fmt prints it.
func dumpPGColumns(t *testing.T, db *sql.DB, ident string) []byte {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT * FROM `+ident)
	require.NoError(t, err)
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	var out bytes.Buffer
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		for _, v := range vals {
			switch x := v.(type) {
			case []byte:
				out.Write(x)
			case string:
				out.WriteString(x)
			case nil:
			default:
				fmt.Fprint(&out, x)
			}
			out.WriteByte(0)
		}
	}
	require.NoError(t, rows.Err())
	return out.Bytes()
}
