package recovery_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	kmem "github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/recovery"
	recmem "github.com/grassroots-policing/grassroots/recovery/memstore"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// errBroken is what a broken kernel store answers: not ErrNotFound.
var errBroken = errors.New("broken store: connection reset")

// brokenStore is a kernel store whose reads of chosen ids fail as a
// database does, not as a missing record.
type brokenStore struct {
	casework.KernelStore
	mu   sync.Mutex
	fail map[string]bool
}

func (b *brokenStore) breakID(id string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fail[id] = true
}

func (b *brokenStore) broken(id string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.fail[id]
}

func (b *brokenStore) GetUnit(ctx context.Context, id string) (casework.Unit, error) {
	if b.broken(id) {
		return casework.Unit{}, errBroken
	}
	return b.KernelStore.GetUnit(ctx, id)
}

func (b *brokenStore) GetAddress(ctx context.Context, id string) (casework.Address, error) {
	if b.broken(id) {
		return casework.Address{}, errBroken
	}
	return b.KernelStore.GetAddress(ctx, id)
}

func (b *brokenStore) GetPerson(ctx context.Context, id string) (casework.PersonRecord, error) {
	if b.broken(id) {
		return casework.PersonRecord{}, errBroken
	}
	return b.KernelStore.GetPerson(ctx, id)
}

func (b *brokenStore) GetStaff(ctx context.Context, id string) (casework.Staff, error) {
	if b.broken(id) {
		return casework.Staff{}, errBroken
	}
	return b.KernelStore.GetStaff(ctx, id)
}

// brokenEnv is an env on the memory backend whose kernel store can break.
func brokenEnv(t *testing.T) (*env, *brokenStore) {
	db := kmem.New()
	bs := &brokenStore{KernelStore: db, fail: map[string]bool{}}
	return newEnvOn(t, bs, recmem.New(db), nil), bs
}

// stolenPayload is a good hand-off of one e-bike.
func (e *env) stolenPayload(caseID string, items ...casework.StolenItem) casework.StolenItems {
	if items == nil {
		items = []casework.StolenItem{{ItemID: caseID + "-1", Category: "e_bike", Description: "雅迪电动车", Quantity: 1, ValueFen: fen(2600),
			Identifiers: []casework.Identifier{{Kind: recovery.IDFrame, Value: "YD2020ABC123"}}, OwnerPersonID: e.owner.ID}}
	}
	return casework.StolenItems{Source: casework.Source{Kind: "case", ID: caseID, Step: "stolen"}, Actor: e.officer, UnitID: e.station.ID,
		CaseID: caseID, StolenAt: start.Add(-time.Hour), Place: "张店区华光路", Items: items}
}

// TestCheckStolen: recovery's item validation is offered to the sender, so
// a case refuses at once what recovery would refuse when the hand-off
// arrives (where it would otherwise retry for ever).
func TestCheckStolen(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "memory", nil)
	item := func(f func(*casework.StolenItem)) casework.StolenItem {
		it := casework.StolenItem{ItemID: "c-1", Category: "mobile_phone", Description: "华为手机", Quantity: 1, ValueFen: fen(3000),
			Identifiers: []casework.Identifier{{Kind: recovery.IDIMEI, Value: imei("86012345678901")}}}
		f(&it)
		return it
	}
	badIMEI := imei("86012345678901")
	badIMEI = badIMEI[:14] + string('0'+(badIMEI[14]-'0'+1)%10)
	tests := []struct {
		name        string
		item        casework.StolenItem
		field, rule string
	}{
		{"e-bike of value 0", item(func(it *casework.StolenItem) { it.Category, it.ValueFen, it.Identifiers = "e_bike", 0, nil }), "items[0].valueFen", "required"},
		{"IMEI with a bad check digit", item(func(it *casework.StolenItem) { it.Identifiers[0].Value = badIMEI }), "items[0].identifiers[0].value", "luhn"},
		{"value on a bank card", item(func(it *casework.StolenItem) { it.Category, it.Identifiers = "bank_card", nil }), "items[0].valueFen", "zero_value"},
		{"unknown category", item(func(it *casework.StolenItem) { it.Category = "spaceship" }), "items[0].category", "code"},
		{"negative value", item(func(it *casework.StolenItem) { it.ValueFen = -1 }), "items[0].valueFen", "min"},
		{"large value unconfirmed", item(func(it *casework.StolenItem) { it.ValueFen = recovery.DefaultLargeValueFen + 1 }), "items[0].valueFen", "confirm_large_value"},
		{"no description", item(func(it *casework.StolenItem) { it.Description = " " }), "items[0].description", "required"},
		{"negative quantity", item(func(it *casework.StolenItem) { it.Quantity = -2 }), "items[0].quantity", "range"},
		{"unknown identifier kind", item(func(it *casework.StolenItem) { it.Identifiers[0].Kind = "vin" }), "items[0].identifiers[0].kind", "code"},
		{"unknown owner", item(func(it *casework.StolenItem) { it.OwnerPersonID = "nobody" }), "items[0].ownerPersonId", "exists"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := e.svc.CheckStolen(e.ctx, e.stolenPayload("case-"+tc.name, tc.item))
			requireField(t, err, tc.field, tc.rule)
		})
	}
	t.Run("a good batch passes both", func(t *testing.T) {
		t.Parallel()
		p := e.stolenPayload("case-good", item(func(*casework.StolenItem) {}),
			item(func(it *casework.StolenItem) {
				it.ItemID, it.Category, it.ValueFen, it.Identifiers = "c-2", "bank_card", 0, nil
			}),
			item(func(it *casework.StolenItem) {
				it.ItemID, it.Category, it.Quantity, it.Identifiers = "c-3", "e_bike", 0, nil
			}))
		require.NoError(t, e.svc.CheckStolen(e.ctx, p))
		_, err := e.svc.RegisterStolen(e.ctx, p)
		require.NoError(t, err)
		require.NoError(t, e.svc.CheckStolen(e.ctx, p), "checking writes nothing that a second check would trip over")
	})
	// A case checks its items before it assigns their ids (the kernel's
	// PropertyLedger contract: values, categories, identifiers); the
	// hand-off itself needs them.
	t.Run("no item id", func(t *testing.T) {
		t.Parallel()
		p := e.stolenPayload("case-noid", item(func(it *casework.StolenItem) { it.ItemID = "" }))
		require.NoError(t, e.svc.CheckStolen(e.ctx, p))
		_, err := e.svc.RegisterStolen(e.ctx, p)
		requireField(t, err, "items[0].itemId", "required")
	})
	// A case committed before cigarettes_alcohol was split may hand its
	// items over after: they are registered under the category the
	// migrations gave the case's copy; a new report is refused, told what
	// to use.
	t.Run("a hand-off from before the split", func(t *testing.T) {
		t.Parallel()
		p := e.stolenPayload("case-split",
			item(func(it *casework.StolenItem) {
				it.ItemID, it.Category, it.Description, it.Identifiers = "split-1", "cigarettes_alcohol", "中华香烟两条", nil
			}),
			item(func(it *casework.StolenItem) {
				it.ItemID, it.Category, it.Description, it.Identifiers = "split-2", "cigarettes_alcohol", "飞天茅台一瓶", nil
			}))
		err := e.svc.CheckStolen(e.ctx, p)
		requireField(t, err, "items[0].category", "retired")
		require.Equal(t, []string{"items[0].category:retired", "items[1].category:retired"}, itemFields(err))
		require.ErrorContains(t, err, "use tobacco (NIBRS 08)")
		_, err = e.svc.RegisterStolen(e.ctx, p)
		require.NoError(t, err)
		for id, want := range map[string][2]string{"split-1": {"tobacco", "08"}, "split-2": {"alcohol", "02"}} {
			got := e.get(t, id)
			require.Equal(t, want, [2]string{got.Category, got.NIBRS}, id)
		}
	})
	t.Run("the second of two ids", func(t *testing.T) {
		t.Parallel()
		p := e.stolenPayload("case-dup", item(func(*casework.StolenItem) {}), item(func(*casework.StolenItem) {}))
		requireField(t, e.svc.CheckStolen(e.ctx, p), "items[1].itemId", "unique")
	})
}

// itemFields are the items[i].* fields of an invalid-input error, sorted.
func itemFields(err error) []string {
	var inv *casework.InvalidError
	if !errors.As(err, &inv) {
		return nil
	}
	var out []string
	for _, f := range inv.Fields {
		if strings.HasPrefix(f.Field, "items[") {
			out = append(out, f.Field+":"+f.Rule)
		}
	}
	return out
}

// TestCheckStolenAgreesWithRegisterStolen: for random batches, CheckStolen
// accepts exactly what RegisterStolen accepts item by item, and names the
// same fields when it refuses — but for an item id not assigned yet, which
// only the hand-off needs.
func TestCheckStolenAgreesWithRegisterStolen(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "memory", nil)
	n := 0
	rapid.Check(t, func(rt *rapid.T) {
		n++
		caseID := "case-p" + strconv.Itoa(n)
		k := rapid.IntRange(0, 3).Draw(rt, "items")
		items := make([]casework.StolenItem, k)
		for i := range items {
			id := rapid.SampledFrom([]string{"", "a", "b", strings.Repeat("x", 101)}).Draw(rt, "id")
			if id != "" && len(id) < 100 {
				id = caseID + "-" + id
			}
			items[i] = casework.StolenItem{
				ItemID:         id,
				Category:       rapid.SampledFrom([]string{"e_bike", "mobile_phone", "bank_card", "documents", "cash", "spaceship", ""}).Draw(rt, "category"),
				Description:    rapid.SampledFrom([]string{"一件东西", "", "bad\x00text"}).Draw(rt, "description"),
				Quantity:       rapid.SampledFrom([]int{0, 1, 3, -1, 2_000_000}).Draw(rt, "quantity"),
				ValueFen:       rapid.SampledFrom([]int64{0, 1, fen(2600), -5, recovery.DefaultLargeValueFen + 1}).Draw(rt, "value"),
				ValueConfirmed: rapid.Bool().Draw(rt, "confirmed"),
				OwnerPersonID:  rapid.SampledFrom([]string{"", e.owner.ID, "nobody"}).Draw(rt, "owner"),
			}
			for range rapid.IntRange(0, 2).Draw(rt, "ids") {
				items[i].Identifiers = append(items[i].Identifiers, rapid.SampledFrom([]casework.Identifier{
					{Kind: recovery.IDIMEI, Value: imei("86012345678901")}, {Kind: recovery.IDIMEI, Value: "860123456789010"},
					{Kind: recovery.IDIMEI, Value: "123"}, {Kind: recovery.IDFrame, Value: "YD2020ABC123"}, {Kind: "vin", Value: "x"},
				}).Draw(rt, "identifier"))
			}
		}
		p := e.stolenPayload(caseID, items...)
		p.Items = items
		checkErr := e.svc.CheckStolen(e.ctx, p)
		_, regErr := e.svc.RegisterStolen(e.ctx, p)
		if checkErr != nil {
			require.ErrorIs(rt, checkErr, recovery.ErrInvalid)
		}
		var want []string
		for _, f := range itemFields(regErr) {
			i, _ := strconv.Atoi(f[len("items["):strings.IndexByte(f, ']')])
			if f != "items["+strconv.Itoa(i)+"].itemId:required" || items[i].ItemID != "" {
				want = append(want, f)
			}
		}
		require.Equal(rt, want, itemFields(checkErr))
		require.Equal(rt, len(want) == 0, checkErr == nil, "check: %v; register: %v", checkErr, regErr)
		if regErr != nil {
			require.NotEmpty(rt, itemFields(regErr), "register refuses only on its items: %v", regErr)
		}
	})
}

// TestLedgerStoreErrors: a failing database is the error returned, never a
// validation error that would blame the sender's payload.
func TestLedgerStoreErrors(t *testing.T) {
	t.Parallel()
	t.Run("address", func(t *testing.T) {
		t.Parallel()
		e, bs := brokenEnv(t)
		a, err := e.k.CreateAddress(e.ctx, e.officer, casework.AddressInput{UnitID: e.station.ID, Text: "张店区华光路1号"})
		require.NoError(t, err)
		p := e.stolenPayload("case-addr")
		p.Place, p.AddressID = "", a.ID
		bs.breakID(a.ID)
		_, err = e.svc.RegisterStolen(e.ctx, p)
		require.ErrorIs(t, err, errBroken)
		require.NotErrorIs(t, err, recovery.ErrInvalid)
	})
	t.Run("unknown address", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, "memory", nil)
		p := e.stolenPayload("case-noaddr")
		p.Place, p.AddressID = "", "no-such-address"
		_, err := e.svc.RegisterStolen(e.ctx, p)
		requireField(t, err, "addressId", "exists")
	})
	t.Run("owner", func(t *testing.T) {
		t.Parallel()
		e, bs := brokenEnv(t)
		bs.breakID(e.owner.ID)
		p := e.stolenPayload("case-owner")
		for _, err := range []error{e.svc.CheckStolen(e.ctx, p), func() error { _, err := e.svc.RegisterStolen(e.ctx, p); return err }()} {
			require.ErrorIs(t, err, errBroken)
			require.NotErrorIs(t, err, recovery.ErrInvalid)
		}
	})
	t.Run("return list unit", func(t *testing.T) {
		t.Parallel()
		e, bs := brokenEnv(t)
		_, err := e.svc.ReturnList(e.ctx, e.officer, recovery.ReturnListQuery{CaseID: "case-1"})
		require.NoError(t, err)
		bs.breakID(e.station.ID)
		_, err = e.svc.ReturnList(e.ctx, e.officer, recovery.ReturnListQuery{CaseID: "case-1"})
		require.ErrorIs(t, err, errBroken, "the list is not printed without its unit's name")
	})
}

// TestCustodyStoreErrors: a failing store while checking a witness or an
// identity document is the error returned, not a field error blaming the
// input.
func TestCustodyStoreErrors(t *testing.T) {
	t.Parallel()
	t.Run("witness", func(t *testing.T) {
		t.Parallel()
		e, bs := brokenEnv(t)
		bs.breakID(e.officer2.StaffID)
		_, err := e.svc.RecordFound(e.ctx, e.officer, recovery.FoundInput{ItemInput: recovery.ItemInput{UnitID: e.station.ID,
			Category: "bicycle", Description: "捷安特自行车", Quantity: 1, ValueFen: fen(800)}, RecoveryInput: e.recoveryInput()})
		require.ErrorIs(t, err, errBroken)
		require.NotErrorIs(t, err, recovery.ErrInvalid)
	})
	t.Run("document at the hand-over", func(t *testing.T) {
		t.Parallel()
		e, bs := brokenEnv(t)
		it := e.found(t, "motorcycle", "豪爵摩托车", fen(4200))
		it, err := e.svc.Identify(e.ctx, e.officer, it.ID, it.Version, recovery.IdentifyInput{OwnerPersonID: e.owner2.ID})
		require.NoError(t, err)
		r := e.approved(t, it)
		bs.breakID(e.owner2.ID)
		_, err = e.svc.CompleteReturn(e.ctx, e.officer, r.ID, r.Version, recovery.Handover{Receipt: e.attach(t, e.officer, "r.jpg", "r"),
			RecipientDocNumber: e.docs[e.owner2.ID]})
		require.ErrorIs(t, err, errBroken)
		require.NotErrorIs(t, err, recovery.ErrInvalid)
	})
}
