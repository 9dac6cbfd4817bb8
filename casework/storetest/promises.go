package storetest

import (
	"bytes"
	"context"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

// testWritesCommitTheirAudit: every write appends exactly the entries of
// its Change, naming its record, and those entries come back with their
// payloads byte for byte. A store that drops the entries of one kind of
// write turns every service write of that kind into an unaudited one; a
// store that loses payloads lets a rewritten payload pass for an erased one.
func testWritesCommitTheirAudit(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	b := f.unit(&root, casework.LevelBranch)
	m := f.staff(root, []casework.Role{casework.RoleOfficer})
	p := f.person(root, "doc-audit", "", "甲")
	a := f.address(root, "潘庄")
	sh := casework.Share{ID: "sh-audit", RecordType: "case", RecordID: "c-audit", OwnerUnitID: root.ID, UnitID: b.ID, GrantedBy: m.ID, CreatedAt: f.tick(), Version: 1}

	writes := []struct {
		name, recordType, recordID string
		write                      func(ch casework.Change) error
	}{
		{"UpdateUnit", "unit", root.ID, func(ch casework.Change) error {
			u := root
			u.Name, u.Version = "改", 2
			return s.UpdateUnit(ctx, u, ch)
		}},
		{"UpdateStaff", "staff", m.ID, func(ch casework.Change) error {
			n := m.Clone()
			n.Version = 2
			return s.UpdateStaff(ctx, n, ch)
		}},
		{"UpdatePerson", "person", p.ID, func(ch casework.Change) error {
			n := p.Clone()
			n.Version = 2
			return s.UpdatePerson(ctx, n, ch)
		}},
		{"CreatePerson", "person", "p-audit-2", func(ch casework.Change) error {
			n := p.Clone()
			n.ID, n.DocIndex = "p-audit-2", "doc-audit-2"
			return s.CreatePerson(ctx, n, ch)
		}},
		{"UpdateAddress", "address", a.ID, func(ch casework.Change) error {
			n := a.Clone()
			n.Version = 2
			return s.UpdateAddress(ctx, n, ch)
		}},
		{"CreateShare", "share", sh.ID, func(ch casework.Change) error { return s.CreateShare(ctx, sh, ch) }},
		{"UpdateShare", "share", sh.ID, func(ch casework.Change) error {
			n := sh
			n.RevokedAt, n.RevokedBy, n.Version = f.tick(), m.ID, 2
			return s.UpdateShare(ctx, n, ch)
		}},
		{"CommitChange", "person", p.ID, func(ch casework.Change) error { return s.CommitChange(ctx, ch) }},
	}
	for _, w := range writes {
		before := f.auditLen()
		ch := f.change(w.recordType, w.recordID)
		require.NoError(t, w.write(ch), w.name)
		require.Equal(t, before+1, f.auditLen(), "%s committed its audit entry", w.name)
		var got []byte
		require.NoError(t, s.ScanAudit(ctx, before+1, func(e casework.AuditEntry, payload []byte) error {
			require.Equal(t, w.recordType, e.RecordType, w.name)
			require.Equal(t, w.recordID, e.RecordID, w.name)
			got = payload
			return nil
		}))
		require.True(t, bytes.Equal(ch.Audit[0].Payload, got), "%s: ScanAudit returns the payload as committed: %q", w.name, got)
		trail, err := s.AuditTrail(ctx, w.recordType, w.recordID)
		require.NoError(t, err)
		require.NotEmpty(t, trail, w.name)
		require.Equal(t, before+1, trail[len(trail)-1].Seq, "%s: the record's trail ends with its entry", w.name)
	}
	verifyChain(t, s)
}

// testRequestKeysPerActor: a request key is the actor's own. Two officers
// may use the same key, and each gets back their own record; a store that
// looks keys up without the actor lets one officer replay another's request.
func testRequestKeysPerActor(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	for _, actor := range []string{"officer-a", "officer-b"} {
		id := "rk-" + actor
		ch := f.change("staff", id)
		at := f.tick()
		ch.RequestKey = &casework.RequestKey{ActorID: actor, Key: "same-key", Fingerprint: "fp-" + actor, RecordType: "staff", RecordID: id, CreatedAt: at}
		require.NoError(t, s.CreateStaff(ctx, casework.Staff{ID: id, UnitID: root.ID, Name: "x", Roles: []casework.Role{"officer"}, Version: 1, CreatedAt: at, UpdatedAt: at}, ch),
			"the same key under another actor is no conflict")
	}
	for _, actor := range []string{"officer-a", "officer-b"} {
		rk, err := s.GetRequestKey(ctx, actor, "same-key")
		require.NoError(t, err)
		require.Equal(t, actor, rk.ActorID)
		require.Equal(t, "rk-"+actor, rk.RecordID, "each actor gets their own record")
		require.Equal(t, "fp-"+actor, rk.Fingerprint)
	}
	_, err := s.GetRequestKey(ctx, "officer-c", "same-key")
	require.ErrorIs(t, err, casework.ErrNotFound, "a third actor has no such key")
}

// testInboxMarksPerStep: an inbox mark is one step of one source. Two steps
// of the same source are two marks; a store that finds a mark ignoring its
// step reports the second step done when only the first is, and the
// hand-off of the second is lost.
func testInboxMarksPerStep(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	for _, step := range []string{"dispute/1", "dispute/2"} {
		id := "in-" + step[len(step)-1:]
		ch := f.change("staff", id)
		at := f.tick()
		ch.Inbox = &casework.InboxEntry{SourceKind: "visit", SourceID: "v1", Step: step, RecordType: "staff", RecordID: id, CreatedAt: at}
		require.NoError(t, s.CreateStaff(ctx, casework.Staff{ID: id, UnitID: root.ID, Name: "x", Roles: []casework.Role{"officer"}, Version: 1, CreatedAt: at, UpdatedAt: at}, ch),
			"another step of the same source is no conflict")
	}
	for step, want := range map[string]string{"dispute/1": "in-1", "dispute/2": "in-2"} {
		in, err := s.GetInboxEntry(ctx, "visit", "v1", step)
		require.NoError(t, err, step)
		require.Equal(t, want, in.RecordID, step)
		require.Equal(t, step, in.Step)
	}
	for _, miss := range [][3]string{{"visit", "v1", "lead/1"}, {"visit", "v2", "dispute/1"}, {"case", "v1", "dispute/1"}} {
		_, err := s.GetInboxEntry(ctx, miss[0], miss[1], miss[2])
		require.ErrorIs(t, err, casework.ErrNotFound, "%v", miss)
	}
}
