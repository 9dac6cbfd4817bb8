// Package storetest is the conformance suite every casework.KernelStore must
// pass. An integrator who writes an Oracle or in-house store runs it with a
// few lines:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) casework.KernelStore { return newMyStore(t) })
//	}
//
// newStore must return an empty, migrated store that no other test uses.
package storetest

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/audit"
	"github.com/stretchr/testify/require"
)

// Run runs every conformance test against fresh stores from newStore.
func Run(t *testing.T, newStore func(t *testing.T) casework.KernelStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s casework.KernelStore)
	}{
		{"NotFound", testNotFound},
		{"DuplicateKeys", testDuplicateKeys},
		{"FailedWriteLeavesNothing", testFailedWriteLeavesNothing},
		{"StaleVersion", testStaleVersion},
		{"UnitTreeFilters", testUnitTreeFilters},
		{"StaffFiltersOrderPaging", testStaffFiltersOrderPaging},
		{"PersonFilters", testPersonFilters},
		{"PersonContacts", testPersonContacts},
		{"AddressFilters", testAddressFilters},
		{"NoAliasing", testNoAliasing},
		{"TimestampRoundTrip", testTimestampRoundTrip},
		{"CancelledContext", testCancelledContext},
		{"ConcurrentCompareAndSwap", testConcurrentCAS},
		{"ConcurrentRequestKey", testConcurrentRequestKey},
		{"AuditChain", testAuditChain},
		{"Checkpoints", testCheckpoints},
		{"Outbox", testOutbox},
		{"DeadOutbox", testDeadOutbox},
		{"Shares", testShares},
		{"ChangeUpdatesAddresses", testChangeUpdatesAddresses},
		{"ChangeCreatesShares", testChangeCreatesShares},
		{"WritesCommitTheirAudit", testWritesCommitTheirAudit},
		{"RequestKeysPerActor", testRequestKeysPerActor},
		{"ExpiredRequestKeyReplaced", testExpiredRequestKeyReplaced},
		{"ConcurrentExpiredRequestKey", testConcurrentExpiredRequestKey},
		{"DeleteRequestKeys", testDeleteRequestKeys},
		{"InboxMarksPerStep", testInboxMarksPerStep},
		{"DefaultBlobs", testDefaultBlobs},
		{"Uploads", testUploads},
		{"SnapshotReadsOneState", testSnapshot},
		{"SharesReceived", testSharesReceived},
		{"RecordAttachments", testRecordAttachments},
		{"Atomically", testAtomically},
		{"RecordMoves", testRecordMoves},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newStore(t))
		})
	}
}

// fixture clock: every call moves a microsecond, so orders are total and
// times are distinct, and the times carry a zone to test UTC round trips.
type fixture struct {
	t   *testing.T
	s   casework.KernelStore
	now time.Time
	n   int
}

func newFixture(t *testing.T, s casework.KernelStore) *fixture {
	return &fixture{t: t, s: s, now: time.Date(2020, 5, 12, 8, 30, 0, 123456000, time.FixedZone("CST", 8*3600))}
}

func (f *fixture) tick() time.Time {
	f.now = f.now.Add(time.Millisecond + time.Microsecond)
	return casework.Truncate(f.now)
}

func (f *fixture) id(prefix string) string {
	f.n++
	return fmt.Sprintf("%s-%04d", prefix, f.n)
}

func (f *fixture) change(recordType, id string) casework.Change {
	payload, err := audit.Payload{After: id, Diff: []audit.FieldChange{{Field: "id", New: id}}}.Canonical()
	require.NoError(f.t, err)
	return casework.Change{Audit: []casework.AuditRecord{{
		Time: f.tick(), ActorID: "tester", UnitID: "u", Action: recordType + ".write", RecordType: recordType, RecordID: id,
		Payload: payload,
	}}}
}

// erasure is the Change of erasing the payload of entry seq: its audit
// entry is the tombstone verification requires.
func (f *fixture) erasure(seq int64) casework.Change {
	id := strconv.FormatInt(seq, 10)
	ch := f.change(audit.EraseRecordType, id)
	ch.Audit[0].Action = audit.EraseAction
	return ch
}

func (f *fixture) unit(parent *casework.Unit, level casework.Level) casework.Unit {
	f.t.Helper()
	id := f.id("unit")
	u := casework.Unit{ID: id, Code: "C" + id[5:], Name: "单位" + id, Level: level, Path: casework.UnitPath("", id), Version: 1}
	if parent != nil {
		u.ParentID, u.Path = parent.ID, casework.UnitPath(parent.Path, id)
	}
	u.CreatedAt = f.tick()
	u.UpdatedAt = u.CreatedAt
	require.NoError(f.t, f.s.CreateUnit(context.Background(), u, f.change("unit", u.ID)))
	return u
}

func (f *fixture) staff(unit casework.Unit, roles []casework.Role, areas ...string) casework.Staff {
	f.t.Helper()
	at := f.tick()
	m := casework.Staff{ID: f.id("staff"), UnitID: unit.ID, Name: "民警", Roles: roles, Areas: areas, Active: true, Version: 1, CreatedAt: at, UpdatedAt: at}
	require.NoError(f.t, f.s.CreateStaff(context.Background(), m, f.change("staff", m.ID)))
	return m
}

func (f *fixture) person(unit casework.Unit, docIndex, phoneIndex, name string) casework.PersonRecord {
	f.t.Helper()
	at := f.tick()
	p := casework.PersonRecord{ID: f.id("person"), UnitID: unit.ID, Name: name, Gender: casework.GenderFemale, DocType: casework.DocResidentID,
		DocSealed: []byte{1, 2, 3}, DocIndex: docIndex, DocMasked: "110105********002X",
		Tags: []casework.Tag{casework.TagElderlyAlone}, SealedTags: []byte{9}, Version: 1, CreatedAt: at, UpdatedAt: at}
	if phoneIndex != "" {
		p.Contacts = []casework.ContactRecord{{Kind: casework.ContactMobile, Sealed: []byte{4, 5}, Index: phoneIndex, Masked: "138****5678"}}
	}
	require.NoError(f.t, f.s.CreatePerson(context.Background(), p, f.change("person", p.ID)))
	return p
}

func (f *fixture) address(unit casework.Unit, community string) casework.Address {
	f.t.Helper()
	at := f.tick()
	a := casework.Address{ID: f.id("addr"), UnitID: unit.ID, Text: "张店区潘庄社区" + community, Community: community,
		Registry: casework.Registry{Organisations: []casework.Organisation{{Name: "旅馆"}}}, Version: 1, CreatedAt: at, UpdatedAt: at}
	require.NoError(f.t, f.s.CreateAddress(context.Background(), a, f.change("address", a.ID)))
	return a
}

func (f *fixture) auditLen() int64 {
	f.t.Helper()
	h, err := f.s.AuditHead(context.Background())
	require.NoError(f.t, err)
	return h.Seq
}
