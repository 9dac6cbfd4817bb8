package recovery_test

import (
	"bufio"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	kmem "github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/recovery"
	recmem "github.com/grassroots-policing/grassroots/recovery/memstore"
)

// TestNIBRSTableIsComplete compares the code list with the published table
// (testdata/nibrs-property-codes.tsv): all 68 codes, their names and value
// rules.
func TestNIBRSTableIsComplete(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/nibrs-property-codes.tsv")
	require.NoError(t, err)
	defer f.Close()
	rules := map[string]recovery.ValueRule{"must be zero": recovery.ValueZero, "zero allowed": recovery.ValueZeroAllowed,
		"value is exactly 1 whole unit": recovery.ValueOneUnit}
	var want []recovery.NIBRSCode
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if strings.HasPrefix(cols[0], "#") || cols[0] == "code" {
			continue
		}
		rule, ok := rules[cols[2]]
		if !ok {
			require.True(t, strings.HasPrefix(cols[2], "value required"), cols[2])
			rule = recovery.ValueRequired
		}
		want = append(want, recovery.NIBRSCode{Code: cols[0], EN: cols[1], Value: rule})
	}
	require.NoError(t, sc.Err())
	got := recovery.NIBRSCodes()
	require.Len(t, got, 68)
	require.Len(t, want, 68)
	for i := range got {
		require.NotEmpty(t, got[i].ZH, got[i].Code)
		got[i].ZH = ""
	}
	require.Equal(t, want, got)

	e := newEnv(t, "memory", nil)
	list := e.k.Codes().List(recovery.ListNIBRS)
	require.Len(t, list, 68, "registered as a code list")
	require.Equal(t, "Other Motor Vehicles", list[23].EN)
}

// TestCategoriesMapToNIBRS: every built-in category maps to one existing
// code; the e-bike is a bicycle (04), tobacco is consumable goods (08) and
// alcohol alone is 02.
func TestCategoriesMapToNIBRS(t *testing.T) {
	t.Parallel()
	for _, c := range recovery.Categories() {
		_, ok := recovery.LookupNIBRS(c.NIBRS)
		require.True(t, ok, "%s maps to %q", c.Value, c.NIBRS)
	}
	for code, nibrs := range map[string]string{"e_bike": "04", "bicycle": "04", "motorcycle": "24", "tobacco": "08", "alcohol": "02",
		"food_grain": "08", "cage": "77", "bank_card": "09", "identity_document": "65"} {
		c, ok := recovery.LookupCategory(code)
		require.True(t, ok, code)
		require.Equal(t, nibrs, c.NIBRS, code)
	}
	_, ok := recovery.LookupCategory("cigarettes_alcohol")
	require.False(t, ok, "the mixed category is retired")
}

// TestNIBRSValueRules: the rule of the category's NIBRS code decides.
func TestNIBRSValueRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "memory", &recovery.Config{Categories: []recovery.Category{
		{Code: casework.Code{Value: "pending", ZH: "待清点物品", EN: "Pending inventory"}, NIBRS: "88"}}})
	tests := []struct {
		category string
		value    int64
		rule     string
	}{
		{"cage", 0, ""},  // 77 other: zero allowed
		{"other", 0, ""}, // 77
		{"other", 500, ""},
		{"tobacco", 0, "required"},
		{"tobacco", recovery.UnknownValueFen, ""},
		{"alcohol", 0, "required"},
		{"nonnegotiable_instruments", 1, "zero_value"},
		{"pending", recovery.UnknownValueFen, ""},
		{"pending", 0, "one_unit"},
		{"pending", 5000, "one_unit"},
	}
	for _, tc := range tests {
		_, err := e.svc.ReportStolen(e.ctx, e.officer, recovery.StolenInput{ItemInput: recovery.ItemInput{UnitID: e.station.ID,
			Category: tc.category, Description: "物品", Quantity: 1, ValueFen: tc.value}, StolenAt: start.Add(-time.Hour)})
		if tc.rule == "" {
			require.NoError(t, err, "%s %d", tc.category, tc.value)
			continue
		}
		requireField(t, err, "valueFen", tc.rule)
	}
}

// TestIntegratorCategoriesNeedNIBRS: a category without a NIBRS code, with
// one that does not exist, or added to the kernel's list with none, is
// refused; one with a code works, and its items carry the code on every
// read, on every backend.
func TestIntegratorCategoriesNeedNIBRS(t *testing.T) {
	t.Parallel()
	newKernel := func(codes ...casework.Code) *casework.Kernel {
		k, err := casework.New(kmem.New(), &casework.Config{Codes: []casework.CodeList{{Name: recovery.ListCategory, Codes: codes}}})
		require.NoError(t, err)
		return k
	}
	scooter := recovery.Category{Code: casework.Code{Value: "scooter", ZH: "电动滑板车", EN: "E-scooter"}, NIBRS: "04"}
	for name, cfg := range map[string]*recovery.Config{
		"no code":      {Categories: []recovery.Category{{Code: casework.Code{Value: "scooter", ZH: "电动滑板车"}}}},
		"unknown code": {Categories: []recovery.Category{{Code: casework.Code{Value: "scooter"}, NIBRS: "40"}}},
	} {
		_, err := recovery.New(newKernel(), recmem.New(kmem.New()), cfg)
		require.Error(t, err, name)
		require.Contains(t, err.Error(), "NIBRS", name)
	}
	_, err := recovery.New(newKernel(), recmem.New(kmem.New()), &recovery.Config{Categories: []recovery.Category{{NIBRS: "04"}}})
	require.ErrorContains(t, err, "a category needs a code")
	_, err = recovery.New(newKernel(casework.Code{Value: "scooter", ZH: "电动滑板车"}), recmem.New(kmem.New()), nil)
	require.ErrorContains(t, err, `category "scooter" of list property_category maps to no NIBRS`)
	_, err = recovery.New(newKernel(casework.Code{Value: "scooter", ZH: "电动滑板车"}), recmem.New(kmem.New()),
		&recovery.Config{Categories: []recovery.Category{scooter}})
	require.NoError(t, err, "a code of the list mapped through Config.Categories")

	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, &recovery.Config{Categories: []recovery.Category{scooter}})
			require.Equal(t, "电动滑板车", e.k.Codes().Label(recovery.ListCategory, "scooter"))
			it := e.stolen(t, "scooter", "小米电动滑板车", fen(1999), e.owner)
			require.Equal(t, "04", it.NIBRS)
			bike := e.found(t, "e_bike", "雅迪电动车", fen(1500))
			require.Equal(t, "04", bike.NIBRS)
			got, err := e.svc.Get(e.ctx, e.officer, it.ID)
			require.NoError(t, err)
			require.Equal(t, "04", got.NIBRS)
			cage := e.found(t, "cage", "竹制鸟笼", 0)
			list, _, err := e.svc.List(e.ctx, e.officer, recovery.ItemQuery{})
			require.NoError(t, err)
			byID := map[string]string{}
			for _, x := range list {
				byID[x.ID] = x.NIBRS
			}
			require.Equal(t, map[string]string{it.ID: "04", bike.ID: "04", cage.ID: "77"}, byID)

			// A code added to the list at run time, past New's check, is
			// refused for items: it maps to nothing.
			e.k.Codes().Add(casework.CodeList{Name: recovery.ListCategory, Codes: []casework.Code{{Value: "drone", ZH: "无人机"}}})
			_, err = e.svc.ReportStolen(context.Background(), e.officer, recovery.StolenInput{ItemInput: recovery.ItemInput{UnitID: e.station.ID,
				Category: "drone", Description: "大疆无人机", Quantity: 1, ValueFen: fen(3000)}, StolenAt: start.Add(-time.Hour)})
			requireField(t, err, "category", "nibrs")
		})
	}
}
