package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

func testNotFound(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	for name, call := range map[string]func() error{
		"unit":       func() error { _, err := s.GetUnit(ctx, "nope"); return err },
		"unitCode":   func() error { _, err := s.GetUnitByCode(ctx, "NOPE"); return err },
		"staff":      func() error { _, err := s.GetStaff(ctx, "nope"); return err },
		"person":     func() error { _, err := s.GetPerson(ctx, "nope"); return err },
		"address":    func() error { _, err := s.GetAddress(ctx, "nope"); return err },
		"share":      func() error { _, err := s.GetShare(ctx, "nope"); return err },
		"requestKey": func() error { _, err := s.GetRequestKey(ctx, "a", "k"); return err },
		"inbox":      func() error { _, err := s.GetInboxEntry(ctx, "visit", "v", "s"); return err },
		"updateStaff": func() error {
			return s.UpdateStaff(ctx, casework.Staff{ID: "nope", UnitID: "x", Roles: []casework.Role{"officer"}, Version: 2}, casework.Change{})
		},
	} {
		require.ErrorIs(t, call(), casework.ErrNotFound, name)
	}
}

func testDuplicateKeys(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	dupID := root
	dupID.Code = "OTHER"
	require.ErrorIs(t, s.CreateUnit(ctx, dupID, f.change("unit", root.ID)), casework.ErrConflict, "same id")
	dupCode := root
	dupCode.ID, dupCode.Path = "other", "/other/"
	require.ErrorIs(t, s.CreateUnit(ctx, dupCode, f.change("unit", "other")), casework.ErrConflict, "same code")

	p := f.person(root, "doc-index-1", "", "甲")
	again := p
	again.ID = "person-other"
	require.ErrorIs(t, s.CreatePerson(ctx, again, f.change("person", again.ID)), casework.ErrConflict, "one person per document")
	noDoc1 := f.person(root, "", "", "无证件甲")
	noDoc2 := f.person(root, "", "", "无证件乙")
	require.NotEqual(t, noDoc1.ID, noDoc2.ID, "persons without a document never collide")

	rk := &casework.RequestKey{ActorID: "a", Key: "k1", Fingerprint: "fp", RecordType: "unit", RecordID: "x", Result: []byte(`{}`), CreatedAt: f.tick()}
	ch := f.change("staff", "s1")
	ch.RequestKey = rk
	require.NoError(t, s.CreateStaff(ctx, casework.Staff{ID: "s1", UnitID: root.ID, Name: "a", Roles: []casework.Role{"officer"}, Version: 1, CreatedAt: f.tick(), UpdatedAt: f.tick()}, ch))
	ch2 := f.change("staff", "s2")
	ch2.RequestKey = rk
	require.ErrorIs(t, s.CreateStaff(ctx, casework.Staff{ID: "s2", UnitID: root.ID, Name: "b", Roles: []casework.Role{"officer"}, Version: 1, CreatedAt: f.tick(), UpdatedAt: f.tick()}, ch2), casework.ErrConflict)
	_, err := s.GetStaff(ctx, "s2")
	require.ErrorIs(t, err, casework.ErrNotFound, "the loser created nothing")
	got, err := s.GetRequestKey(ctx, "a", "k1")
	require.NoError(t, err)
	require.Equal(t, "fp", got.Fingerprint)

	in := &casework.InboxEntry{SourceKind: "visit", SourceID: "v1", Step: "dispute/1", RecordType: "staff", RecordID: "s3", CreatedAt: f.tick()}
	ch3 := f.change("staff", "s3")
	ch3.Inbox = in
	require.NoError(t, s.CreateStaff(ctx, casework.Staff{ID: "s3", UnitID: root.ID, Name: "c", Roles: []casework.Role{"officer"}, Version: 1, CreatedAt: f.tick(), UpdatedAt: f.tick()}, ch3))
	ch4 := f.change("staff", "s4")
	ch4.Inbox = in
	require.ErrorIs(t, s.CreateStaff(ctx, casework.Staff{ID: "s4", UnitID: root.ID, Name: "d", Roles: []casework.Role{"officer"}, Version: 1, CreatedAt: f.tick(), UpdatedAt: f.tick()}, ch4), casework.ErrConflict)
	gotIn, err := s.GetInboxEntry(ctx, "visit", "v1", "dispute/1")
	require.NoError(t, err)
	require.Equal(t, "s3", gotIn.RecordID)
}

func testFailedWriteLeavesNothing(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	m := f.staff(root, []casework.Role{casework.RoleOfficer})
	before := f.auditLen()
	msg := casework.OutboxMessage{ID: "out-1", Kind: "k", SourceKind: "staff", SourceID: m.ID, Step: "s", Payload: []byte(`{}`), CreatedAt: f.tick()}
	ch := f.change("staff", m.ID)
	ch.Outbox = []casework.OutboxMessage{msg}
	ch.RequestKey = &casework.RequestKey{ActorID: "a", Key: "failed", Fingerprint: "fp", RecordType: "staff", RecordID: m.ID, CreatedAt: f.tick()}
	stale := m
	stale.Name, stale.Version = "changed", 5
	require.ErrorIs(t, s.UpdateStaff(ctx, stale, ch), casework.ErrConflict)
	require.Equal(t, before, f.auditLen(), "no audit entry for a refused write")
	out, err := s.ListOutbox(ctx, "", "")
	require.NoError(t, err)
	require.Empty(t, out, "no outbox message for a refused write")
	_, err = s.GetRequestKey(ctx, "a", "failed")
	require.ErrorIs(t, err, casework.ErrNotFound, "no request key for a refused write")
	got, err := s.GetStaff(ctx, m.ID)
	require.NoError(t, err)
	require.Equal(t, "民警", got.Name)
}

func testStaleVersion(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	m := f.staff(root, []casework.Role{casework.RoleOfficer})

	next := m.Clone()
	next.Name, next.Version = "第二版", 2
	require.NoError(t, s.UpdateStaff(ctx, next, f.change("staff", m.ID)))
	again := m.Clone()
	again.Name, again.Version = "过期", 2
	require.ErrorIs(t, s.UpdateStaff(ctx, again, f.change("staff", m.ID)), casework.ErrConflict, "version 1 is stale")
	got, err := s.GetStaff(ctx, m.ID)
	require.NoError(t, err)
	require.Equal(t, "第二版", got.Name)
	require.EqualValues(t, 2, got.Version)

	u2 := root
	u2.Name, u2.Version = "新名", 3
	require.ErrorIs(t, s.UpdateUnit(ctx, u2, f.change("unit", root.ID)), casework.ErrConflict)
	u2.Version = 2
	require.NoError(t, s.UpdateUnit(ctx, u2, f.change("unit", root.ID)))

	p := f.person(root, "idx", "", "甲")
	p2 := p.Clone()
	p2.Name, p2.Version = "乙", 2
	require.NoError(t, s.UpdatePerson(ctx, p2, f.change("person", p.ID)))
	require.ErrorIs(t, s.UpdatePerson(ctx, p2, f.change("person", p.ID)), casework.ErrConflict)

	a := f.address(root, "潘庄")
	a2 := a.Clone()
	a2.Version = 2
	require.NoError(t, s.UpdateAddress(ctx, a2, f.change("address", a.ID)))
	require.ErrorIs(t, s.UpdateAddress(ctx, a2, f.change("address", a.ID)), casework.ErrConflict)

	// A unit's closing moves its persons and addresses (Kernel.CloseUnit):
	// an update keeps the unit it is given.
	other := f.unit(&root, casework.LevelBranch)
	p3, a3 := p2.Clone(), a2.Clone()
	p3.UnitID, p3.Version, a3.UnitID, a3.Version = other.ID, 3, other.ID, 3
	require.NoError(t, s.UpdatePerson(ctx, p3, f.change("person", p.ID)))
	require.NoError(t, s.UpdateAddress(ctx, a3, f.change("address", a.ID)))
	gotP, err := s.GetPerson(ctx, p.ID)
	require.NoError(t, err)
	gotA, err := s.GetAddress(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, []string{other.ID, other.ID}, []string{gotP.UnitID, gotA.UnitID}, "the person and the address moved")
}

func testUnitTreeFilters(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	b1 := f.unit(&root, casework.LevelBranch)
	b2 := f.unit(&root, casework.LevelBranch)
	s1 := f.unit(&b1, casework.LevelStation)
	o1 := f.unit(&s1, casework.LevelOffice)
	f.unit(&b2, casework.LevelStation)

	all, err := s.ListUnits(ctx, casework.UnitFilter{})
	require.NoError(t, err)
	require.Len(t, all, 6)
	require.True(t, slices.IsSortedFunc(all, func(a, b casework.Unit) int { return cmpString(a.Path, b.Path) }), "ordered by path")
	sub, err := s.ListUnits(ctx, casework.UnitFilter{Under: b1.Path})
	require.NoError(t, err)
	require.Equal(t, []string{b1.ID, s1.ID, o1.ID}, ids(sub, func(u casework.Unit) string { return u.ID }))
	branches, err := s.ListUnits(ctx, casework.UnitFilter{Level: casework.LevelBranch})
	require.NoError(t, err)
	require.ElementsMatch(t, []string{b1.ID, b2.ID}, ids(branches, func(u casework.Unit) string { return u.ID }))
	byCode, err := s.GetUnitByCode(ctx, s1.Code)
	require.NoError(t, err)
	require.Equal(t, s1, byCode)
}

func testStaffFiltersOrderPaging(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	b1 := f.unit(&root, casework.LevelBranch)
	b2 := f.unit(&root, casework.LevelBranch)
	var want []string
	for i := range 7 {
		unit := b1
		if i%2 == 1 {
			unit = b2
		}
		m := f.staff(unit, []casework.Role{casework.RoleOfficer}, "潘庄社区")
		want = append(want, m.ID)
	}
	med := f.staff(b1, []casework.Role{casework.RoleMediator}, "西高新村")
	want = append(want, med.ID)

	var got []string
	after := ""
	for range 10 {
		page, err := s.ListStaff(ctx, casework.StaffFilter{}, casework.Page{Limit: 3, After: after})
		require.NoError(t, err)
		require.LessOrEqual(t, len(page), 3)
		got = append(got, ids(page, func(m casework.Staff) string { return m.ID })...)
		if len(page) < 3 {
			break
		}
		last := page[len(page)-1]
		after = casework.Cursor{At: last.CreatedAt, ID: last.ID}.Encode()
	}
	require.Equal(t, want, got, "every staff member once, in (createdAt, id) order")

	inB1, err := s.ListStaff(ctx, casework.StaffFilter{UnitUnder: b1.Path}, casework.Page{})
	require.NoError(t, err)
	require.Len(t, inB1, 5)
	mediators, err := s.ListStaff(ctx, casework.StaffFilter{Role: casework.RoleMediator}, casework.Page{})
	require.NoError(t, err)
	require.Equal(t, []string{med.ID}, ids(mediators, func(m casework.Staff) string { return m.ID }))
	area, err := s.ListStaff(ctx, casework.StaffFilter{Area: "西高新村"}, casework.Page{})
	require.NoError(t, err)
	require.Equal(t, []string{med.ID}, ids(area, func(m casework.Staff) string { return m.ID }))
	// The subtree holds with every other filter: a service lists the staff
	// of an area or a role only within the actor's reach.
	for name, filter := range map[string]casework.StaffFilter{
		"area": {UnitUnder: b2.Path, Area: "西高新村"},
		"role": {UnitUnder: b2.Path, Role: casework.RoleMediator},
	} {
		out, err := s.ListStaff(ctx, filter, casework.Page{})
		require.NoError(t, err, name)
		require.Empty(t, out, "%s: the mediator of b1 is not under b2", name)
	}
	inB2Area, err := s.ListStaff(ctx, casework.StaffFilter{UnitUnder: b2.Path, Area: "潘庄社区"}, casework.Page{})
	require.NoError(t, err)
	require.Len(t, inB2Area, 3, "the officers of b2 in the area")
	none, err := s.ListStaff(ctx, casework.StaffFilter{Area: "西高新"}, casework.Page{})
	require.NoError(t, err)
	require.Empty(t, none, "areas match exactly")
	odd := f.staff(b2, []casework.Role{casework.RoleOfficer}, `Block_A "东" 100%\`)
	for _, area := range []string{`block_a "东" 100%\`, `BlockxA "东" 100%\`, `Block_A "东" 100%`} {
		none, err = s.ListStaff(ctx, casework.StaffFilter{Area: area}, casework.Page{})
		require.NoError(t, err)
		require.Empty(t, none, "area %q matches nothing: no case folding, no wildcards", area)
	}
	exact, err := s.ListStaff(ctx, casework.StaffFilter{Area: `Block_A "东" 100%\`}, casework.Page{})
	require.NoError(t, err)
	require.Equal(t, []string{odd.ID}, ids(exact, func(m casework.Staff) string { return m.ID }))

	p := f.person(b1, "doc-officer", "", "民警本人")
	linked := med.Clone()
	linked.PersonID, linked.Version = p.ID, med.Version+1
	require.NoError(t, s.UpdateStaff(ctx, linked, f.change("staff", med.ID)))
	byPerson, err := s.ListStaff(ctx, casework.StaffFilter{PersonID: p.ID}, casework.Page{})
	require.NoError(t, err)
	require.Equal(t, []string{med.ID}, ids(byPerson, func(m casework.Staff) string { return m.ID }))
	byPersonElsewhere, err := s.ListStaff(ctx, casework.StaffFilter{PersonID: p.ID, UnitUnder: b2.Path}, casework.Page{})
	require.NoError(t, err)
	require.Empty(t, byPersonElsewhere, "the subtree holds with the person filter")
	reread, err := s.GetStaff(ctx, med.ID)
	require.NoError(t, err)
	require.Equal(t, p.ID, reread.PersonID)
}

func testPersonFilters(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	b1 := f.unit(&root, casework.LevelBranch)
	a := f.person(root, "doc-a", "phone-a", "孟庆花")
	b := f.person(b1, "doc-b", "phone-b", "赵希兰")
	c := f.person(b1, "doc-c", "phone-a", "陈某某")

	for name, tc := range map[string]struct {
		f    casework.PersonFilter
		want []string
	}{
		"all":      {casework.PersonFilter{}, []string{a.ID, b.ID, c.ID}},
		"subtree":  {casework.PersonFilter{UnitUnder: b1.Path}, []string{b.ID, c.ID}},
		"doc":      {casework.PersonFilter{DocIndex: "doc-b"}, []string{b.ID}},
		"phone":    {casework.PersonFilter{ContactIndexes: []string{"phone-a"}}, []string{a.ID, c.ID}},
		"anyIndex": {casework.PersonFilter{ContactIndexes: []string{"nobody", "phone-b"}}, []string{b.ID}},
		"noIndex":  {casework.PersonFilter{ContactIndexes: []string{}}, nil},
		"name":     {casework.PersonFilter{Name: "赵希兰"}, []string{b.ID}},
		"ids":      {casework.PersonFilter{IDs: []string{a.ID, c.ID}}, []string{a.ID, c.ID}},
		"emptyIDs": {casework.PersonFilter{IDs: []string{}}, nil},
		"combined": {casework.PersonFilter{UnitUnder: b1.Path, ContactIndexes: []string{"phone-a"}}, []string{c.ID}},
		// The subtree holds with every other filter: a service searches by
		// name or document only within the actor's reach.
		"subtreeName":      {casework.PersonFilter{UnitUnder: b1.Path, Name: "孟庆花"}, nil},
		"subtreeNameHit":   {casework.PersonFilter{UnitUnder: b1.Path, Name: "赵希兰"}, []string{b.ID}},
		"subtreeDoc":       {casework.PersonFilter{UnitUnder: b1.Path, DocIndex: "doc-a"}, nil},
		"subtreeDocHit":    {casework.PersonFilter{UnitUnder: b1.Path, DocIndex: "doc-c"}, []string{c.ID}},
		"subtreeIDs":       {casework.PersonFilter{UnitUnder: b1.Path, IDs: []string{a.ID, c.ID}}, []string{c.ID}},
		"subtreeDocAndIDs": {casework.PersonFilter{UnitUnder: b1.Path, DocIndex: "doc-a", IDs: []string{a.ID}}, nil},
	} {
		got, err := s.ListPersons(ctx, tc.f, casework.Page{})
		require.NoError(t, err, name)
		require.Equal(t, tc.want, ids(got, func(p casework.PersonRecord) string { return p.ID }), name)
	}
}

// testPersonContacts: a person's contacts keep their order through create,
// get, list and update (which replaces them), any contact finds the person,
// and a returned record shares no bytes with the store.
func testPersonContacts(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	p := f.person(root, "doc-contacts", "mobile-1", "赵希兰")
	other := f.person(root, "doc-other", "mobile-2", "孟庆花")
	p2 := p.Clone()
	p2.Version = 2
	p2.Contacts = append(p2.Contacts,
		casework.ContactRecord{Kind: casework.ContactLandline, Sealed: []byte{7}, Index: "landline-1", Masked: "053******78"},
		casework.ContactRecord{Kind: casework.ContactWeChat, Sealed: []byte{8}, Index: "wechat-1", Masked: "zh****an"})
	require.NoError(t, s.UpdatePerson(ctx, p2, f.change("person", p.ID)))
	got, err := s.GetPerson(ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, p2.Contacts, got.Contacts)
	got.Contacts[1].Sealed[0] = 99
	again, err := s.GetPerson(ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, byte(7), again.Contacts[1].Sealed[0], "mutating a returned contact changed the store")
	for _, idx := range []string{"mobile-1", "landline-1", "wechat-1"} {
		list, err := s.ListPersons(ctx, casework.PersonFilter{ContactIndexes: []string{idx}}, casework.Page{})
		require.NoError(t, err)
		require.Equal(t, []string{p.ID}, ids(list, func(x casework.PersonRecord) string { return x.ID }), idx)
		require.Equal(t, p2.Contacts, list[0].Contacts)
	}
	p3 := p2.Clone()
	p3.Version = 3
	p3.Contacts = p3.Contacts[2:]
	require.NoError(t, s.UpdatePerson(ctx, p3, f.change("person", p.ID)))
	list, err := s.ListPersons(ctx, casework.PersonFilter{ContactIndexes: []string{"mobile-1"}}, casework.Page{})
	require.NoError(t, err)
	require.Empty(t, list, "an update replaces the contacts")
	got, err = s.GetPerson(ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, p3.Contacts, got.Contacts)
	got, err = s.GetPerson(ctx, other.ID)
	require.NoError(t, err)
	require.Equal(t, other.Contacts, got.Contacts, "another person's contacts untouched")
}

func testAddressFilters(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	b1 := f.unit(&root, casework.LevelBranch)
	a := f.address(root, "潘庄")
	b := f.address(b1, "潘庄")
	c := f.address(b1, "西高新村")
	got, err := s.ListAddresses(ctx, casework.AddressFilter{Community: "潘庄"}, casework.Page{})
	require.NoError(t, err)
	require.Equal(t, []string{a.ID, b.ID}, ids(got, func(x casework.Address) string { return x.ID }))
	got, err = s.ListAddresses(ctx, casework.AddressFilter{UnitUnder: b1.Path}, casework.Page{})
	require.NoError(t, err)
	require.Equal(t, []string{b.ID, c.ID}, ids(got, func(x casework.Address) string { return x.ID }))
	one, err := s.GetAddress(ctx, c.ID)
	require.NoError(t, err)
	require.Equal(t, c, one)
}

func ids[T any](list []T, id func(T) string) []string {
	var out []string
	for _, v := range list {
		out = append(out, id(v))
	}
	return out
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
