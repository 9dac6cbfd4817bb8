package storetest

import (
	"context"
	"crypto/ed25519"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/audit"
	"github.com/stretchr/testify/require"
)

func testNoAliasing(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	roles := []casework.Role{casework.RoleOfficer, casework.RoleSupervisor}
	m := f.staff(root, roles, "潘庄社区")
	roles[0] = casework.RoleAdmin // the caller's slice after the call
	m.Areas[0] = "changed"

	got, err := s.GetStaff(ctx, m.ID)
	require.NoError(t, err)
	require.Equal(t, []casework.Role{casework.RoleOfficer, casework.RoleSupervisor}, got.Roles, "mutating the argument changed the store")
	require.Equal(t, []string{"潘庄社区"}, got.Areas)
	got.Roles[1] = casework.RoleAdmin // a returned value
	again, err := s.GetStaff(ctx, m.ID)
	require.NoError(t, err)
	require.Equal(t, casework.RoleSupervisor, again.Roles[1], "mutating a result changed the store")
	list, err := s.ListStaff(ctx, casework.StaffFilter{}, casework.Page{})
	require.NoError(t, err)
	list[0].Roles[0] = casework.RoleAdmin
	again, err = s.GetStaff(ctx, m.ID)
	require.NoError(t, err)
	require.Equal(t, casework.RoleOfficer, again.Roles[0], "mutating a listed value changed the store")

	p := f.person(root, "doc", "", "甲")
	p.DocSealed[0] = 99
	gp, err := s.GetPerson(ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, byte(1), gp.DocSealed[0])
	gp.Tags[0] = casework.TagKeyPerson
	gp2, err := s.GetPerson(ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, casework.TagElderlyAlone, gp2.Tags[0])

	a := f.address(root, "潘庄")
	ga, err := s.GetAddress(ctx, a.ID)
	require.NoError(t, err)
	ga.Organisations[0].Name = "changed"
	ga2, err := s.GetAddress(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, "旅馆", ga2.Organisations[0].Name)
}

func testTimestampRoundTrip(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	at := time.Date(2020, 5, 12, 23, 59, 59, 999999000, time.FixedZone("CST", 8*3600))
	m := casework.Staff{ID: "ts", UnitID: root.ID, Name: "x", Roles: []casework.Role{"officer"}, Active: true, Version: 1, CreatedAt: at, UpdatedAt: at.Add(time.Microsecond)}
	require.NoError(t, s.CreateStaff(ctx, m, f.change("staff", "ts")))
	got, err := s.GetStaff(ctx, "ts")
	require.NoError(t, err)
	require.True(t, got.CreatedAt.Equal(at), "got %v want %v", got.CreatedAt, at)
	require.Equal(t, 999999000, got.CreatedAt.Nanosecond(), "microseconds survive")
	require.True(t, got.UpdatedAt.Equal(at.Add(time.Microsecond)))

	bd := time.Date(1949, 12, 31, 0, 0, 0, 0, time.UTC)
	p := casework.PersonRecord{ID: "p-ts", UnitID: root.ID, Name: "甲", Gender: casework.GenderFemale, BirthDate: bd, DocType: casework.DocNone,
		Version: 1, CreatedAt: at, UpdatedAt: at}
	require.NoError(t, s.CreatePerson(ctx, p, f.change("person", p.ID)))
	gp, err := s.GetPerson(ctx, p.ID)
	require.NoError(t, err)
	require.True(t, gp.BirthDate.Equal(bd), "a birth date before 1970 survives")

	entries := scanAll(t, s)
	last := entries[len(entries)-1]
	require.Zero(t, last.Time.Nanosecond()%1000, "audit times are microsecond precision")
}

func testCancelledContext(t *testing.T, s casework.KernelStore) {
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	m := f.staff(root, []casework.Role{casework.RoleOfficer})
	before := f.auditLen()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	next := m.Clone()
	next.Name, next.Version = "cancelled", 2
	calls := map[string]func() error{
		"UpdateStaff": func() error { return s.UpdateStaff(ctx, next, f.change("staff", m.ID)) },
		"CreateUnit": func() error {
			return s.CreateUnit(ctx, casework.Unit{ID: "cx", Code: "CX", Name: "x", Level: 1, Path: "/cx/", Version: 1, CreatedAt: f.tick(), UpdatedAt: f.tick()}, f.change("unit", "cx"))
		},
		"GetStaff":       func() error { _, err := s.GetStaff(ctx, m.ID); return err },
		"ListStaff":      func() error { _, err := s.ListStaff(ctx, casework.StaffFilter{}, casework.Page{}); return err },
		"ListUnits":      func() error { _, err := s.ListUnits(ctx, casework.UnitFilter{}); return err },
		"ListPersons":    func() error { _, err := s.ListPersons(ctx, casework.PersonFilter{}, casework.Page{}); return err },
		"AuditHead":      func() error { _, err := s.AuditHead(ctx); return err },
		"AuditSince":     func() error { _, err := s.AuditSince(ctx, 0, 10); return err },
		"ScanAudit":      func() error { return s.ScanAudit(ctx, 1, func(casework.AuditEntry, []byte) error { return nil }) },
		"ClaimOutbox":    func() error { _, err := s.ClaimOutbox(ctx, "o", f.tick(), time.Minute, 10); return err },
		"CommitChange":   func() error { return s.CommitChange(ctx, f.change("x", "y")) },
		"ReplayOutbox":   func() error { return s.ReplayOutbox(ctx, "o", 1, f.change("handoff", "o")) },
		"ListDeadOutbox": func() error { _, err := s.ListDeadOutbox(ctx, casework.Page{}); return err },
	}
	for name, call := range calls {
		err := call()
		require.Error(t, err, name)
		require.True(t, errors.Is(err, context.Canceled), "%s: %v does not wrap context.Canceled", name, err)
	}
	got, err := s.GetStaff(context.Background(), m.ID)
	require.NoError(t, err)
	require.Equal(t, "民警", got.Name, "a cancelled write wrote nothing")
	require.Equal(t, before, f.auditLen(), "a cancelled write appended no audit entry")
}

// testConcurrentCAS: 32 goroutines update one record with the version they
// read. Per version exactly one wins; nothing is lost.
func testConcurrentCAS(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	m := f.staff(root, []casework.Role{casework.RoleOfficer})
	before := f.auditLen()
	const workers, rounds = 32, 3
	var mu sync.Mutex
	winners := map[int64]int{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				cur, err := s.GetStaff(ctx, m.ID)
				if err != nil {
					t.Error(err)
					return
				}
				next := cur.Clone()
				next.Name = "w" + strconv.Itoa(w) + "r" + strconv.Itoa(r)
				next.Version = cur.Version + 1
				mu.Lock()
				ch := f.change("staff", m.ID)
				mu.Unlock()
				err = s.UpdateStaff(ctx, next, ch)
				switch {
				case err == nil:
					mu.Lock()
					winners[next.Version]++
					mu.Unlock()
				case errors.Is(err, casework.ErrConflict):
				default:
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	got, err := s.GetStaff(ctx, m.ID)
	require.NoError(t, err)
	for v, n := range winners {
		require.Equal(t, 1, n, "version %d won %d times", v, n)
	}
	require.EqualValues(t, 1+len(winners), got.Version, "every win is one version, none lost")
	require.Equal(t, before+int64(len(winners)), f.auditLen(), "one audit entry per winning write")
	verifyChain(t, s)
}

// testConcurrentRequestKey: the same request key used at once creates
// exactly one record.
func testConcurrentRequestKey(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	const workers = 16
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, conflicts := 0, 0
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := "rk-staff-" + strconv.Itoa(w)
			mu.Lock()
			ch := f.change("staff", id)
			at := f.tick()
			mu.Unlock()
			ch.RequestKey = &casework.RequestKey{ActorID: "actor", Key: "same", Fingerprint: "fp", RecordType: "staff", RecordID: id, CreatedAt: at}
			err := s.CreateStaff(ctx, casework.Staff{ID: id, UnitID: root.ID, Name: "x", Roles: []casework.Role{"officer"}, Version: 1, CreatedAt: at, UpdatedAt: at}, ch)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, casework.ErrConflict):
				conflicts++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	require.Equal(t, 1, wins)
	require.Equal(t, workers-1, conflicts)
	list, err := s.ListStaff(ctx, casework.StaffFilter{}, casework.Page{})
	require.NoError(t, err)
	require.Len(t, list, 1, "exactly one record created")
	rk, err := s.GetRequestKey(ctx, "actor", "same")
	require.NoError(t, err)
	require.Equal(t, list[0].ID, rk.RecordID)
}

func testAuditChain(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	m := f.staff(root, []casework.Role{casework.RoleOfficer})
	ch := f.change("staff", m.ID)
	ch.Audit = append(ch.Audit, casework.AuditRecord{Time: f.tick(), ActorID: "a", Action: "second", RecordType: "staff", RecordID: m.ID})
	next := m.Clone()
	next.Version = 2
	require.NoError(t, s.UpdateStaff(ctx, next, ch))
	require.NoError(t, s.CommitChange(ctx, f.change("person", "nobody")))

	entries := scanAll(t, s)
	require.Len(t, entries, 5)
	for i, e := range entries {
		require.EqualValues(t, i+1, e.Seq)
	}
	require.Equal(t, [32]byte{}, entries[3].PayloadDigest, "an entry without payload has a zero digest")
	trail, err := s.AuditTrail(ctx, "staff", m.ID)
	require.NoError(t, err)
	require.Len(t, trail, 3)
	require.Equal(t, "second", trail[2].Action)
	head, err := s.AuditHead(ctx)
	require.NoError(t, err)
	require.Equal(t, entries[4].Head(), head)
	verifyChain(t, s)

	var from3 []int64
	require.NoError(t, s.ScanAudit(ctx, 3, func(e casework.AuditEntry, _ []byte) error { from3 = append(from3, e.Seq); return nil }))
	require.Equal(t, []int64{3, 4, 5}, from3)
	for _, tc := range []struct {
		after int64
		limit int
		want  []casework.AuditEntry
	}{
		{0, 10, entries}, {2, 10, entries[2:]}, {2, 2, entries[2:4]}, {5, 10, nil}, {99, 10, nil}, {0, 0, nil},
	} {
		since, err := s.AuditSince(ctx, tc.after, tc.limit)
		require.NoError(t, err)
		require.Len(t, since, len(tc.want), "after %d, limit %d", tc.after, tc.limit)
		for i, e := range since {
			require.Equal(t, tc.want[i].Head(), e.Head())
			require.Equal(t, tc.want[i].RecordType, e.RecordType)
			require.Equal(t, tc.want[i].RecordID, e.RecordID)
		}
	}
	stop := errors.New("stop")
	require.ErrorIs(t, s.ScanAudit(ctx, 1, func(casework.AuditEntry, []byte) error { return stop }), stop)

	require.NoError(t, s.ErasePayload(ctx, 1, f.erasure(1)))
	require.EqualValues(t, 6, f.auditLen(), "the erasure commits its own entry, the tombstone")
	require.ErrorIs(t, s.ErasePayload(ctx, 1, f.erasure(1)), casework.ErrNotFound, "already erased")
	require.ErrorIs(t, s.ErasePayload(ctx, 4, f.erasure(4)), casework.ErrNotFound, "entry 4 never had a payload")
	require.ErrorIs(t, s.ErasePayload(ctx, 99, f.erasure(99)), casework.ErrNotFound, "no entry 99")
	require.EqualValues(t, 6, f.auditLen(), "a refused erasure commits nothing")
	require.NoError(t, s.ScanAudit(ctx, 1, func(e casework.AuditEntry, p []byte) error {
		if e.Seq == 1 {
			require.Nil(t, p, "erased payload")
		} else if e.PayloadDigest != ([32]byte{}) {
			require.NotNil(t, p, "seq %d keeps its payload", e.Seq)
		}
		return nil
	}))
	trail, err = s.AuditTrail(ctx, audit.EraseRecordType, "1")
	require.NoError(t, err)
	require.Len(t, trail, 1)
	require.Equal(t, audit.EraseAction, trail[0].Action)
	verifyChain(t, s)
}

func testCheckpoints(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	f.unit(nil, casework.LevelBureau)
	head, err := s.AuditHead(ctx)
	require.NoError(t, err)
	pub, priv, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	cp, err := audit.Sign(priv, "k1", head, f.tick())
	require.NoError(t, err)
	require.NoError(t, s.AddCheckpoint(ctx, cp))
	require.ErrorIs(t, s.AddCheckpoint(ctx, cp), casework.ErrConflict)
	cps, err := s.Checkpoints(ctx)
	require.NoError(t, err)
	require.Len(t, cps, 1)
	require.NoError(t, cps[0].Verify(pub), "a stored checkpoint still verifies")
	require.True(t, cps[0].Time.Equal(cp.Time))
}

func testOutbox(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	m := f.staff(root, []casework.Role{casework.RoleOfficer})
	ch := f.change("staff", m.ID)
	for i := range 3 {
		ch.Outbox = append(ch.Outbox, casework.OutboxMessage{ID: "out-" + strconv.Itoa(i), Kind: "k", SourceKind: "staff", SourceID: m.ID, Step: strconv.Itoa(i),
			Payload: []byte(`{"n":` + strconv.Itoa(i) + `}`), CreatedAt: f.tick()})
	}
	next := m.Clone()
	next.Version = 2
	require.NoError(t, s.UpdateStaff(ctx, next, ch))

	now := f.tick()
	claimed, err := s.ClaimOutbox(ctx, "p1", now, time.Minute, 2)
	require.NoError(t, err)
	require.Equal(t, []string{"out-0", "out-1"}, ids(claimed, func(m casework.OutboxMessage) string { return m.ID }), "oldest first, at most limit")
	require.JSONEq(t, `{"n":0}`, string(claimed[0].Payload))
	require.Equal(t, 1, claimed[0].Attempts)
	other, err := s.ClaimOutbox(ctx, "p2", now, time.Minute, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"out-2"}, ids(other, func(m casework.OutboxMessage) string { return m.ID }), "leased messages are not handed out twice")

	require.ErrorIs(t, s.CompleteOutbox(ctx, "out-0", "p2", "r", now), casework.ErrConflict, "only the lease holder completes")
	require.NoError(t, s.CompleteOutbox(ctx, "out-0", "p1", "result-0", now))
	require.NoError(t, s.FailOutbox(ctx, "out-1", "p1", "receiver down", now.Add(time.Hour)))

	later := now.Add(2 * time.Minute)
	again, err := s.ClaimOutbox(ctx, "p3", later, time.Minute, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"out-2"}, ids(again, func(m casework.OutboxMessage) string { return m.ID }), "an expired lease is free again; a retry waits its time; a delivered message is done")
	require.Equal(t, 2, again[0].Attempts)

	all, err := s.ListOutbox(ctx, "staff", m.ID)
	require.NoError(t, err)
	require.Len(t, all, 3)
	require.True(t, all[0].Delivered())
	require.Equal(t, "result-0", all[0].ResultID)
	require.Equal(t, "receiver down", all[1].LastError)
	require.False(t, all[1].Delivered())
}

func testShares(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	b := f.unit(&root, casework.LevelBranch)
	sh := casework.Share{ID: "sh1", RecordType: "case", RecordID: "c1", OwnerUnitID: root.ID, UnitID: b.ID, GrantedBy: "x", CreatedAt: f.tick(), Version: 1}
	require.NoError(t, s.CreateShare(ctx, sh, f.change("case", "c1")))
	rev := sh
	rev.RevokedAt, rev.RevokedBy, rev.Version = f.tick(), "y", 2
	require.NoError(t, s.UpdateShare(ctx, rev, f.change("case", "c1")))
	require.ErrorIs(t, s.UpdateShare(ctx, rev, f.change("case", "c1")), casework.ErrConflict)
	list, err := s.ListShares(ctx, "case", "c1")
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.False(t, list[0].Active())
	none, err := s.ListShares(ctx, "case", "other")
	require.NoError(t, err)
	require.Empty(t, none)
}

func scanAll(t *testing.T, s casework.KernelStore) []casework.AuditEntry {
	t.Helper()
	var out []casework.AuditEntry
	require.NoError(t, s.ScanAudit(context.Background(), 1, func(e casework.AuditEntry, _ []byte) error {
		out = append(out, e)
		return nil
	}))
	return out
}

func verifyChain(t *testing.T, s casework.KernelStore) {
	t.Helper()
	v := audit.NewVerifier(nil, func(string) (ed25519.PublicKey, bool) { return nil, false })
	require.NoError(t, s.ScanAudit(context.Background(), 1, func(e casework.AuditEntry, p []byte) error {
		var payload *audit.Payload
		if p != nil {
			parsed, err := audit.ParsePayload(p)
			if err != nil {
				return err
			}
			payload = parsed
		}
		return v.Add(e, payload)
	}))
	rep := v.Finish()
	require.True(t, rep.OK, "%+v", rep)
}

// testChangeUpdatesAddresses: a workflow write that carries an address
// update (a visit's registry) commits both or neither.
func testChangeUpdatesAddresses(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	m := f.staff(root, []casework.Role{casework.RoleOfficer})
	a := f.address(root, "潘庄")

	stale := a.Clone()
	stale.Organisations, stale.Version = []casework.Organisation{{Name: "过期"}}, a.Version+2
	next := m.Clone()
	next.Name, next.Version = "改名", m.Version+1
	ch := f.change("staff", m.ID)
	ch.Addresses = []casework.Address{stale}
	require.ErrorIs(t, s.UpdateStaff(ctx, next, ch), casework.ErrConflict, "a stale address fails the whole write")
	got, err := s.GetStaff(ctx, m.ID)
	require.NoError(t, err)
	require.Equal(t, m.Name, got.Name, "the record was not written either")

	fresh := a.Clone()
	fresh.Organisations, fresh.Version = []casework.Organisation{{Name: "潘庄社区居委会"}}, a.Version+1
	ch = f.change("staff", m.ID)
	ch.Addresses = []casework.Address{fresh}
	require.NoError(t, s.UpdateStaff(ctx, next, ch))
	ga, err := s.GetAddress(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, fresh.Version, ga.Version)
	require.Equal(t, "潘庄社区居委会", ga.Organisations[0].Name)
	got, err = s.GetStaff(ctx, m.ID)
	require.NoError(t, err)
	require.Equal(t, "改名", got.Name)
}

// testChangeCreatesShares: a workflow write that carries shares
// (Change.Shares, 快研判·同步共享) commits them with its record: both or
// neither. A failing write — a stale record, a share naming no unit, a
// share id that exists — leaves no share and no audit entry.
func testChangeCreatesShares(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	b := f.unit(&root, casework.LevelBranch)
	m := f.staff(root, []casework.Role{casework.RoleOfficer})
	share := func(id, unitID string) casework.Share {
		return casework.Share{ID: id, RecordType: "case", RecordID: "c1", OwnerUnitID: root.ID, UnitID: unitID, GrantedBy: m.ID,
			Reason: "同步共享", CreatedAt: f.tick(), Version: 1}
	}
	next := m.Clone()
	next.Name, next.Version = "改名", m.Version+1
	stale := next.Clone()
	stale.Version = m.Version + 2

	for _, tc := range []struct {
		name   string
		rec    casework.Staff
		shares []casework.Share
		want   error
	}{
		{"stale record", stale, []casework.Share{share("sh-stale", b.ID)}, casework.ErrConflict},
		{"unknown unit", next, []casework.Share{share("sh-nounit", "no-such-unit")}, casework.ErrInvalid},
		{"same id twice", next, []casework.Share{share("sh-twice", b.ID), share("sh-twice", b.ID)}, casework.ErrConflict},
	} {
		before := f.auditLen()
		ch := f.change("staff", m.ID)
		ch.Shares = tc.shares
		require.ErrorIs(t, s.UpdateStaff(ctx, tc.rec, ch), tc.want, tc.name)
		list, err := s.ListShares(ctx, "case", "c1")
		require.NoError(t, err)
		require.Empty(t, list, "%s: a failed write leaves no share", tc.name)
		require.Equal(t, before, f.auditLen(), "%s: and no audit entry", tc.name)
		got, err := s.GetStaff(ctx, m.ID)
		require.NoError(t, err)
		require.Equal(t, m.Name, got.Name, "%s: nor the record", tc.name)
	}

	ch := f.change("staff", m.ID)
	sh := share("sh-ok", b.ID)
	ch.Shares = []casework.Share{sh}
	require.NoError(t, s.UpdateStaff(ctx, next, ch))
	list, err := s.ListShares(ctx, "case", "c1")
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, sh.ID, list[0].ID)
	require.Equal(t, b.ID, list[0].UnitID)
	require.True(t, list[0].Active())
	got, err := s.GetShare(ctx, sh.ID)
	require.NoError(t, err)
	require.Equal(t, sh.Reason, got.Reason)

	// The id is taken now: a second write with it fails whole.
	again := next.Clone()
	again.Version++
	ch = f.change("staff", m.ID)
	ch.Shares = []casework.Share{sh}
	require.ErrorIs(t, s.UpdateStaff(ctx, again, ch), casework.ErrConflict)
	got2, err := s.GetStaff(ctx, m.ID)
	require.NoError(t, err)
	require.Equal(t, next.Version, got2.Version)
}
