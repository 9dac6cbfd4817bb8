package cases_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/grassroots-policing/grassroots/casework/cases/memstore"
	"github.com/grassroots-policing/grassroots/casework/cases/sqlstore"
	casemem "github.com/grassroots-policing/grassroots/casework/memstore"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/stretchr/testify/require"
)

// caseBackend opens a fresh database and returns its kernel and case
// stores, and a function that opens another pair of stores on the same
// database through a separate connection pool (another process); the
// memory backend returns nil for it.
type caseBackend func(t *testing.T) (casework.KernelStore, cases.Store, func(t *testing.T) (casework.KernelStore, cases.Store))

func caseBackends() map[string]caseBackend {
	sqlPair := func(t *testing.T, db *sql.DB, e casesql.Engine) (casework.KernelStore, cases.Store) {
		ctx := context.Background()
		k, err := casesql.New(db, e)
		require.NoError(t, err)
		require.NoError(t, k.Migrate(ctx))
		c := sqlstore.New(k)
		require.NoError(t, c.Migrate(ctx))
		return k, c
	}
	return map[string]caseBackend{
		"memory": func(t *testing.T) (casework.KernelStore, cases.Store, func(*testing.T) (casework.KernelStore, cases.Store)) {
			db := casemem.New()
			return db, memstore.New(db), nil
		},
		"sqlite": func(t *testing.T) (casework.KernelStore, cases.Store, func(*testing.T) (casework.KernelStore, cases.Store)) {
			db, path := testdb.SQLiteFile(t)
			k, c := sqlPair(t, db, casesql.SQLite)
			return k, c, func(t *testing.T) (casework.KernelStore, cases.Store) {
				other, err := testdb.OpenSQLite(path)
				require.NoError(t, err)
				t.Cleanup(func() { _ = other.Close() })
				return sqlPair(t, other, casesql.SQLite)
			}
		},
		"postgres": func(t *testing.T) (casework.KernelStore, cases.Store, func(*testing.T) (casework.KernelStore, cases.Store)) {
			pg := testdb.Postgres(t)
			k, c := sqlPair(t, pg.DB, casesql.Postgres)
			return k, c, func(t *testing.T) (casework.KernelStore, cases.Store) {
				return sqlPair(t, pg.Open(t), casesql.Postgres)
			}
		},
	}
}

// caseStart is 10:00 on 12 May 2020 in Zibo.
var caseStart = time.Date(2020, 5, 12, 2, 0, 0, 0, time.UTC)

// caseEnv is one test's kernel, case service and cast on a fresh database:
//
//	淄博市公安局 (bureau) ── 张店公安分局 (branch) ── 车站派出所 (station)
//	                                            └─ 打侵财专业工作队 (station level)
//	                     └─ 淄川公安分局 (branch)
type caseEnv struct {
	ctx     context.Context
	clock   *casework.FixedClock
	k       *casework.Kernel
	svc     *cases.Service
	kstore  casework.KernelStore
	cases   cases.Store
	reopen  func(t *testing.T) (casework.KernelStore, cases.Store)
	ledgers *ledgerSwitch

	root, branch, station, team, other                           casework.Unit
	admin, officer, supervisor, branchOfficer, outsider, auditor casework.Actor

	victim, suspect casework.Person
}

type caseEnvOption func(*caseEnvConfig)

type caseEnvConfig struct {
	wrap     func(cases.Store) cases.Store
	cfg      *cases.Config
	ids      casework.IDSource
	noLedger bool
}

// withoutLedger builds the service without a property ledger connected.
func withoutLedger() caseEnvOption {
	return func(c *caseEnvConfig) { c.noLedger = true }
}

func withCaseStore(wrap func(cases.Store) cases.Store) caseEnvOption {
	return func(c *caseEnvConfig) { c.wrap = wrap }
}

func withCaseConfig(cfg *cases.Config) caseEnvOption {
	return func(c *caseEnvConfig) { c.cfg = cfg }
}

func newCaseEnv(t *testing.T, open caseBackend, opts ...caseEnvOption) *caseEnv {
	t.Helper()
	conf := caseEnvConfig{ids: &casework.SequentialIDs{Prefix: "id-"}}
	for _, o := range opts {
		o(&conf)
	}
	kstore, cstore, reopen := open(t)
	e := &caseEnv{ctx: context.Background(), clock: casework.NewFixedClock(caseStart), kstore: kstore, cases: cstore, reopen: reopen}
	k, err := casework.New(kstore, &casework.Config{Clock: e.clock, IDs: conf.ids})
	require.NoError(t, err)
	e.k = k
	store := cstore
	if conf.wrap != nil {
		store = conf.wrap(cstore)
	}
	e.svc, err = cases.New(k, store, conf.cfg)
	require.NoError(t, err)
	// A case with stolen items needs a ledger to check and register them;
	// a test that watches the ledger connects its own.
	e.ledgers = &ledgerSwitch{}
	require.NoError(t, k.Register(e.ledgers))
	if !conf.noLedger {
		e.connect(newCaseLedgerFake(k))
	}

	ctx := e.ctx
	root, admin, err := k.Bootstrap(ctx, casework.UnitInput{Code: "370300", Name: "淄博市公安局", Level: casework.LevelBureau},
		casework.StaffInput{Name: "管理员", Roles: []casework.Role{casework.RoleAdmin}})
	require.NoError(t, err)
	e.root, e.admin = root, casework.Actor{StaffID: admin.ID, UnitID: root.ID, Roles: admin.Roles}
	unit := func(code, name string, level casework.Level, parent casework.Unit) casework.Unit {
		u, err := k.CreateUnit(ctx, e.admin, casework.UnitInput{Code: code, Name: name, Level: level, ParentID: parent.ID})
		require.NoError(t, err)
		return u
	}
	e.branch = unit("370302", "张店公安分局", casework.LevelBranch, root)
	e.station = unit("370302CZ", "车站派出所", casework.LevelStation, e.branch)
	e.team = unit("370302DQC", "打侵财专业工作队", casework.LevelStation, e.branch)
	e.other = unit("370303", "淄川公安分局", casework.LevelBranch, root)
	e.officer = e.staff(t, e.team, "队员", casework.RoleOfficer)
	e.supervisor = e.staff(t, e.team, "队长", casework.RoleSupervisor)
	e.branchOfficer = e.staff(t, e.branch, "分局民警", casework.RoleCommunityOfficer)
	e.outsider = e.staff(t, e.other, "淄川民警", casework.RoleOfficer)
	e.auditor = e.staff(t, root, "审计员", casework.RoleAuditor)
	e.victim, err = k.CreatePerson(ctx, e.officer, casework.PersonInput{UnitID: e.team.ID, Name: "陈某某", DocType: casework.DocNone})
	require.NoError(t, err)
	e.suspect, err = k.CreatePerson(ctx, e.officer, casework.PersonInput{UnitID: e.team.ID, Name: "李某",
		DocType: casework.DocResidentID, DocNumber: "11010519491231002X"})
	require.NoError(t, err)
	return e
}

func (e *caseEnv) staff(t *testing.T, u casework.Unit, name string, role casework.Role) casework.Actor {
	t.Helper()
	s, err := e.k.CreateStaff(e.ctx, e.admin, casework.StaffInput{UnitID: u.ID, Name: name, Roles: []casework.Role{role}})
	require.NoError(t, err)
	return casework.Actor{StaffID: s.ID, UnitID: u.ID, Roles: s.Roles}
}

// reportInput is a theft in the team's unit with one stolen item.
func (e *caseEnv) reportInput() cases.ReportInput {
	return cases.ReportInput{UnitID: e.team.ID, Kind: cases.KindTheft, IncidentAt: e.clock.Now().Add(-time.Hour),
		Place: "张店区某旅馆门前", ReporterID: e.victim.ID, VictimIDs: []string{e.victim.ID}, ModusOperandi: "摘取树上鸟笼",
		Items: []cases.ItemInput{{Category: "cage", Description: "竹制鸟笼", ValueFen: 30000, OwnerPersonID: e.victim.ID,
			Identifiers: []casework.Identifier{{Kind: "serial", Value: "CAGE-001"}}}}}
}

// report reports a theft in the team's unit with one stolen item.
func (e *caseEnv) report(t *testing.T, mod ...func(*cases.ReportInput)) cases.Case {
	t.Helper()
	in := e.reportInput()
	for _, m := range mod {
		m(&in)
	}
	c, err := e.svc.Report(e.ctx, e.officer, in)
	require.NoError(t, err)
	return c
}

// to walks a fresh case to a state through the service.
func (e *caseEnv) to(t *testing.T, state cases.State, mod ...func(*cases.ReportInput)) cases.Case {
	t.Helper()
	ctx, off := e.ctx, e.officer
	c := e.report(t, mod...)
	var err error
	switch state {
	case cases.StateReported:
		return c
	case cases.StateDropped:
		c, err = e.svc.Drop(ctx, e.supervisor, c.ID, c.Version, "报案不实")
		require.NoError(t, err)
		return c
	}
	c, err = e.svc.DispatchAndFile(ctx, off, c.ID, c.Version, cases.DispatchInput{})
	require.NoError(t, err)
	if state == cases.StateFiled {
		return c
	}
	c, err = e.svc.StartInvestigation(ctx, off, c.ID, c.Version, "开始侦查")
	require.NoError(t, err)
	if state == cases.StateInvestigating {
		return c
	}
	c, err = e.svc.Arrest(ctx, off, c.ID, c.Version, cases.ArrestInput{SuspectID: e.suspect.ID})
	require.NoError(t, err)
	if state == cases.StateSolved {
		return c
	}
	c, err = e.svc.Close(ctx, off, c.ID, c.Version, "结案")
	require.NoError(t, err)
	return c
}

// verify checks the whole audit chain as an auditor.
func (e *caseEnv) verify(t *testing.T) {
	t.Helper()
	rep, err := e.k.VerifyAudit(e.ctx, e.auditor)
	require.NoError(t, err)
	require.True(t, rep.OK, "%+v", rep)
}

// trail returns the actions of a record's audit entries.
func (e *caseEnv) trail(t *testing.T, recordType, id string) []string {
	t.Helper()
	entries, err := e.kstore.AuditTrail(e.ctx, recordType, id)
	require.NoError(t, err)
	var out []string
	for _, en := range entries {
		out = append(out, en.Action)
	}
	return out
}

// caseLedgerFake stands for recovery: it receives hand-offs idempotently
// through the kernel's inbox (ReceiveOnce), exactly as recovery must, and
// counts what it created, so a test sees duplicates.
// ledgerSwitch stands in for recovery's registration: it receives the
// stolen items and arrests the outbox delivers and hands them to the ledger
// the test connected last.
type ledgerSwitch struct {
	mu sync.Mutex
	l  casework.PropertyLedger
}

func (w *ledgerSwitch) current() casework.PropertyLedger {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.l
}

func (w *ledgerSwitch) Provides() casework.Provision {
	return casework.Provision{Name: "test-ledger", Receivers: map[string]casework.Receiver{
		casework.KindStolenItems: casework.Receive(func(ctx context.Context, p casework.StolenItems) (string, error) {
			return w.current().RegisterStolen(ctx, p)
		}),
		casework.KindTraceItems: casework.Receive(func(ctx context.Context, p casework.TraceItems) (string, error) {
			return w.current().MarkTraced(ctx, p)
		}),
	}}
}

// connect makes l the case workflow's ledger and the receiver of its
// hand-offs, as the wiring of recovery does.
func (e *caseEnv) connect(l casework.PropertyLedger) {
	e.ledgers.mu.Lock()
	e.ledgers.l = l
	e.ledgers.mu.Unlock()
	e.svc.Connect(l)
}

type caseLedgerFake struct {
	k *casework.Kernel

	mu         sync.Mutex
	registered map[string]int      // item id → times created
	traced     map[string][]string // item id → arrest ids
	matches    []casework.PropertyMatch
	compareErr error
	queries    []casework.PropertyQuery
	// refuse, when set, is what CheckStolen answers; checked counts the
	// checks.
	refuse  func(items casework.StolenItems) error
	checked int
	// afterCommit runs after a receiver committed, before it returns: a
	// test cancels the delivery's context there to play a process that dies
	// between the receiver's commit and the acknowledgement.
	afterCommit func()
}

func newCaseLedgerFake(k *casework.Kernel) *caseLedgerFake {
	return &caseLedgerFake{k: k, registered: map[string]int{}, traced: map[string][]string{}}
}

func (l *caseLedgerFake) receive(ctx context.Context, src casework.Source, id string, apply func()) (string, error) {
	return l.k.ReceiveOnce(ctx, src, "property_item", func(in *casework.InboxEntry) (string, error) {
		in.RecordID = id
		if err := l.k.Store().CommitChange(context.WithoutCancel(ctx), casework.Change{Inbox: in}); err != nil {
			return "", err
		}
		l.mu.Lock()
		apply()
		hook := l.afterCommit
		l.mu.Unlock()
		if hook != nil {
			hook()
		}
		return id, nil
	})
}

func (l *caseLedgerFake) CheckStolen(_ context.Context, items casework.StolenItems) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.checked++
	if l.refuse != nil {
		return l.refuse(items)
	}
	return nil
}

func (l *caseLedgerFake) RegisterStolen(ctx context.Context, items casework.StolenItems) (string, error) {
	return l.receive(ctx, items.Source, "batch-"+items.CaseID, func() {
		for _, it := range items.Items {
			l.registered[it.ItemID]++
		}
	})
}

func (l *caseLedgerFake) MarkTraced(ctx context.Context, t casework.TraceItems) (string, error) {
	return l.receive(ctx, t.Source, "trace-"+t.ArrestID, func() {
		for _, id := range t.ItemIDs {
			l.traced[id] = append(l.traced[id], t.ArrestID)
		}
	})
}

func (l *caseLedgerFake) CompareProperty(_ context.Context, _ casework.Actor, q casework.PropertyQuery) ([]casework.PropertyMatch, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.queries = append(l.queries, q)
	return l.matches, l.compareErr
}
