package casework_test

import (
	"context"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/stretchr/testify/require"
)

// fakeWorkflow provides what its Provision names and counts its sweeps.
type fakeWorkflow struct {
	p      casework.Provision
	sweeps int
}

func (f *fakeWorkflow) Provides() casework.Provision { return f.p }

func (f *fakeWorkflow) Sweep(context.Context, time.Time) (casework.SweepResult, error) {
	f.sweeps++
	return casework.SweepResult{Changed: 1}, nil
}

func (f *fakeWorkflow) Figures(context.Context, casework.Period) ([]casework.Figure, error) {
	return []casework.Figure{{Key: f.p.Name + ".n", Value: 7}}, nil
}

func (f *fakeWorkflow) GridFigures(ctx context.Context, g casework.Grid) ([][]casework.Figure, error) {
	return casework.GridPeriods(ctx, g, f.Figures)
}

func receiveNothing(context.Context, casework.OutboxMessage) (string, error) { return "", nil }

func TestRegisterWiresEverything(t *testing.T) {
	t.Parallel()
	k, err := casework.New(memstore.New(), nil)
	require.NoError(t, err)
	f := &fakeWorkflow{}
	f.p = casework.Provision{
		Name:      "fake",
		Rules:     []casework.Rule{{Action: "fake.do", Kind: casework.KindWrite, Roles: []casework.Role{casework.RoleOfficer}}},
		Codes:     []casework.CodeList{{Name: "fake_kind", Codes: []casework.Code{{Value: "a", ZH: "甲", EN: "A"}}}},
		Figures:   f,
		Sweeper:   f,
		Receivers: map[string]casework.Receiver{"fake_kind": receiveNothing},
	}
	require.NoError(t, k.Register(f))
	require.Equal(t, []string{"fake"}, k.Workflows())

	rule, ok := k.Policy().Rule("fake.do")
	require.True(t, ok, "policy rows are registered")
	require.Equal(t, casework.KindWrite, rule.Kind)
	_, ok = k.Codes().Lookup("fake_kind", "a")
	require.True(t, ok, "code lists are registered")

	res, err := k.Sweep(context.Background(), time.Now())
	require.NoError(t, err)
	require.Equal(t, 1, f.sweeps, "Kernel.Sweep reaches the workflow's sweeper")
	require.Equal(t, 1, res.Changed)
}

func TestRegisterRefusesDuplicatesAndChangesNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		second casework.Provision
	}{
		{"same name", casework.Provision{Name: "first"}},
		{"second receiver for a kind", casework.Provision{Name: "second", Receivers: map[string]casework.Receiver{"kind_a": receiveNothing}}},
		{"second write-back for a kind", casework.Provision{Name: "second", Writebacks: map[string]casework.Writeback{"kind_b": func(context.Context, casework.OutboxMessage, string) error { return nil }}}},
		{"nil receiver", casework.Provision{Name: "second", Receivers: map[string]casework.Receiver{"kind_c": nil}}},
		{"no name", casework.Provision{}},
		{"bad rule", casework.Provision{Name: "second", Rules: []casework.Rule{{Action: "", Kind: casework.KindWrite}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k, err := casework.New(memstore.New(), nil)
			require.NoError(t, err)
			require.NoError(t, k.Register(&fakeWorkflow{p: casework.Provision{
				Name:       "first",
				Receivers:  map[string]casework.Receiver{"kind_a": receiveNothing},
				Writebacks: map[string]casework.Writeback{"kind_b": func(context.Context, casework.OutboxMessage, string) error { return nil }},
			}}))
			second := tc.second
			second.Rules = append(second.Rules, casework.Rule{Action: "second.do", Kind: casework.KindWrite, Roles: []casework.Role{casework.RoleOfficer}})
			second.Sweeper = &fakeWorkflow{}
			require.Error(t, k.Register(&fakeWorkflow{p: second}))
			require.Equal(t, []string{"first"}, k.Workflows())
			_, ok := k.Policy().Rule("second.do")
			require.False(t, ok, "a refused registration adds no policy row")
		})
	}
	k, err := casework.New(memstore.New(), nil)
	require.NoError(t, err)
	require.Error(t, k.Register(nil))
}

// provision registers p with k as a workflow of its own: how tests wire
// fake receivers, write-backs and figures, as a workflow's New does.
type provision casework.Provision

func (p provision) Provides() casework.Provision { return casework.Provision(p) }

func register(t testing.TB, k *casework.Kernel, p casework.Provision) {
	t.Helper()
	require.NoError(t, k.Register(provision(p)))
}
