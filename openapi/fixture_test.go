package openapi_test

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	cmem "github.com/grassroots-policing/grassroots/casework/cases/memstore"
	csql "github.com/grassroots-policing/grassroots/casework/cases/sqlstore"
	casemem "github.com/grassroots-policing/grassroots/casework/memstore"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/grassroots-policing/grassroots/mediation"
	medmem "github.com/grassroots-policing/grassroots/mediation/memstore"
	medsql "github.com/grassroots-policing/grassroots/mediation/sqlstore"
	"github.com/grassroots-policing/grassroots/openapi"
	"github.com/grassroots-policing/grassroots/openapi/client"
	"github.com/grassroots-policing/grassroots/outreach"
	outmem "github.com/grassroots-policing/grassroots/outreach/memstore"
	outsql "github.com/grassroots-policing/grassroots/outreach/sqlstore"
	"github.com/grassroots-policing/grassroots/recovery"
	recmem "github.com/grassroots-policing/grassroots/recovery/memstore"
	recsql "github.com/grassroots-policing/grassroots/recovery/sqlstore"
)

// fixture is the whole API on one backend's stores (memory unless on says
// otherwise), served by httptest, with
// a root unit and its admin. Tests authenticate with "Bearer <staff id>":
// tokenAuth knows the actors the fixture was told about.
type fixture struct {
	srv   *httptest.Server
	h     http.Handler
	k     *casework.Kernel
	cases *cases.Service
	med   *mediation.Service
	out   *outreach.Service
	rec   *recovery.Service
	root  casework.Unit
	admin casework.Actor
	auth  *tokenAuth
	// stores are the workflows' stores, for tests that seed records as a
	// long workflow would have left them.
	stores fixtureStores
}

// fixtureConfig is what options may change before the fixture is built.
type fixtureConfig struct {
	handler *openapi.Config
	kernel  *casework.Config
	backend backend
	wrap    func(casework.KernelStore) casework.KernelStore
}

type fixtureOption func(*fixtureConfig)

// withKernelStore replaces the kernel's store, e.g. with one that fails.
func withKernelStore(wrap func(casework.KernelStore) casework.KernelStore) fixtureOption {
	return func(c *fixtureConfig) {
		inner := c.wrap
		c.wrap = func(s casework.KernelStore) casework.KernelStore { return wrap(inner(s)) }
	}
}

// withConfig edits the handler's Config.
func withConfig(edit func(*openapi.Config)) fixtureOption {
	return func(c *fixtureConfig) { edit(c.handler) }
}

// withKernelConfig edits the kernel's Config.
func withKernelConfig(edit func(*casework.Config)) fixtureOption {
	return func(c *fixtureConfig) { edit(c.kernel) }
}

// backend names the stores a fixture is built on.
type backend string

const (
	memoryBackend   backend = "memory"
	sqliteBackend   backend = "sqlite"
	postgresBackend backend = "postgres"
)

// backends is every backend, in the order the subtests run.
var backends = []backend{memoryBackend, sqliteBackend, postgresBackend}

// on builds the fixture on b's stores (memory when not given).
func on(b backend) fixtureOption {
	return func(c *fixtureConfig) { c.backend = b }
}

// eachBackend runs story as a parallel subtest on every backend, so that a
// walk through the API proves the same contract whatever the stores.
func eachBackend(t *testing.T, story func(t *testing.T, b fixtureOption)) {
	t.Helper()
	t.Parallel()
	for _, b := range backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			story(t, on(b))
		})
	}
}

// fixtureStores is one backend's five stores; on SQL they share one
// database migrated through the kernel's one entry point.
type fixtureStores struct {
	kernel    casework.KernelStore
	cases     cases.Store
	mediation mediation.Store
	outreach  outreach.Store
	recovery  recovery.Store
}

func newStores(t *testing.T, b backend) fixtureStores {
	t.Helper()
	var (
		db     *sql.DB
		engine casesql.Engine
	)
	switch b {
	case memoryBackend, "":
		m := casemem.New()
		return fixtureStores{kernel: m, cases: cmem.New(m), mediation: medmem.New(m), outreach: outmem.New(m), recovery: recmem.New(m)}
	case sqliteBackend:
		db, engine = testdb.SQLite(t), casesql.SQLite
	case postgresBackend:
		db, engine = testdb.Postgres(t).DB, casesql.Postgres
	default:
		t.Fatalf("unknown backend %q", b)
	}
	k, err := casesql.New(db, engine)
	require.NoError(t, err)
	k.CheckRollups() // every report read proves the roll-ups equal the raw rows
	cs, med, out, rec := csql.New(k), medsql.New(k), outsql.New(k), recsql.New(k)
	require.NoError(t, k.MigrateAll(context.Background(), cs, med, out, rec))
	return fixtureStores{kernel: k, cases: cs, mediation: med, outreach: out, recovery: rec}
}

func newFixture(t *testing.T, opts ...fixtureOption) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{auth: &tokenAuth{actors: map[string]casework.Actor{}}}
	fc := &fixtureConfig{handler: &openapi.Config{Auth: f.auth}, kernel: &casework.Config{},
		wrap: func(s casework.KernelStore) casework.KernelStore { return s }}
	for _, o := range opts {
		o(fc)
	}
	st := newStores(t, fc.backend)
	f.stores = st
	cfg := fc.handler
	var err error
	f.k, err = casework.New(fc.wrap(st.kernel), fc.kernel)
	require.NoError(t, err)
	f.cases, err = cases.New(f.k, st.cases, nil)
	require.NoError(t, err)
	f.med, err = mediation.New(f.k, st.mediation, nil)
	require.NoError(t, err)
	f.out, err = outreach.New(f.k, st.outreach, nil)
	require.NoError(t, err)
	f.rec, err = recovery.New(f.k, st.recovery, nil)
	require.NoError(t, err)
	f.cases.Connect(f.rec)
	root, admin, err := f.k.Bootstrap(ctx,
		casework.UnitInput{Code: "SZ", Name: "市公安局", Level: casework.LevelBureau},
		casework.StaffInput{Name: "管理员", Roles: []casework.Role{casework.RoleAdmin}})
	require.NoError(t, err)
	f.root, f.admin = root, f.actor(admin)
	cfg.Kernel, cfg.Cases, cfg.Mediation, cfg.Outreach, cfg.Recovery = f.k, f.cases, f.med, f.out, f.rec
	h, err := openapi.NewHandler(cfg)
	require.NoError(t, err)
	f.h = h
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	return f
}

// actor registers a staff member's token and returns the actor.
func (f *fixture) actor(s casework.Staff) casework.Actor {
	a := casework.Actor{StaffID: s.ID, UnitID: s.UnitID, Roles: s.Roles}
	f.auth.mu.Lock()
	defer f.auth.mu.Unlock()
	f.auth.actors[s.ID] = a
	return a
}

// client is the generated client acting as a.
func (f *fixture) client(t *testing.T, a casework.Actor) *client.ClientWithResponses {
	t.Helper()
	c, err := client.NewClientWithResponses(f.srv.URL, client.WithHTTPClient(f.httpClient(t)), client.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+a.StaffID)
		return nil
	}))
	require.NoError(t, err)
	return c
}

// httpClient is the server's client with every exchange validated against
// the spec (see validating): the fixture's clients all use it.
func (f *fixture) httpClient(t testing.TB) *http.Client {
	c := *f.srv.Client()
	c.Transport = validating{t: t, next: c.Transport}
	return &c
}

// do sends a raw request as a (no Authorization when a is the zero Actor).
func (f *fixture) do(t *testing.T, a casework.Actor, method, path, body string, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.StaffID != "" {
		req.Header.Set("Authorization", "Bearer "+a.StaffID)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := f.httpClient(t).Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

type tokenAuth struct {
	mu     sync.Mutex
	actors map[string]casework.Actor
}

var errNoToken = errors.New("no such token")

func (a *tokenAuth) Authenticate(r *http.Request) (casework.Actor, error) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	a.mu.Lock()
	defer a.mu.Unlock()
	actor, found := a.actors[tok]
	if !ok || !found {
		return casework.Actor{}, errNoToken
	}
	return actor, nil
}

// station creates a police station (派出所) under the root.
func (f *fixture) station(t *testing.T, code string) casework.Unit {
	t.Helper()
	u, err := f.k.CreateUnit(context.Background(), f.admin, casework.UnitInput{Code: code, Name: code + "派出所", Level: casework.LevelStation, ParentID: f.root.ID})
	require.NoError(t, err)
	return u
}

// staff creates a staff member of unit with roles and registers its token.
func (f *fixture) staff(t *testing.T, unitID string, roles ...casework.Role) casework.Actor {
	t.Helper()
	s, err := f.k.CreateStaff(context.Background(), f.admin, casework.StaffInput{UnitID: unitID, Name: "民警" + string(roles[0]), Roles: roles})
	require.NoError(t, err)
	return f.actor(s)
}
