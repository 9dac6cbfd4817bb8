package errs_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/stretchr/testify/require"
)

func TestKinds(t *testing.T) {
	t.Parallel()
	backend := errors.New("pq: unique violation")
	tests := []struct {
		name string
		err  error
		kind error
		not  error
	}{
		{"invalid", errs.Invalid("name", "required", "is required"), errs.ErrInvalid, errs.ErrNotFound},
		{"transition", errs.Transition("reported", "closed", "not allowed"), errs.ErrInvalidTransition, errs.ErrInvalid},
		{"wrapped", fmt.Errorf("save: %w", errs.Wrap(errs.ErrConflict, backend, "duplicate")), errs.ErrConflict, errs.ErrForbidden},
		{"stale", errs.Stale("unit", "u1", 3), errs.ErrConflict, errs.ErrNotFound},
		{"notfound", errs.NotFound("unit", "u1"), errs.ErrNotFound, errs.ErrConflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.ErrorIs(t, tc.err, tc.kind)
			require.NotErrorIs(t, tc.err, tc.not)
		})
	}
	require.ErrorIs(t, errs.Wrap(errs.ErrConflict, backend, "x"), backend, "the backend error stays reachable")
}

func TestFieldsCollectsAndMerges(t *testing.T) {
	t.Parallel()
	var f errs.Fields
	require.NoError(t, f.Err())
	f.Add("name", "required", "is required")
	f.Merge("parties[0].", errs.Invalid("phone", "cn_mobile", "is not a mainland mobile number"))
	err := f.Err()
	var inv *errs.InvalidError
	require.ErrorAs(t, err, &inv)
	require.Equal(t, []errs.FieldError{
		{Field: "name", Rule: "required", Message: "is required"},
		{Field: "parties[0].phone", Rule: "cn_mobile", Message: "is not a mainland mobile number"},
	}, inv.Fields)
	var tr *errs.TransitionError
	require.ErrorAs(t, errs.Transition("a", "b", "why"), &tr)
	require.Equal(t, "a", tr.From)
}
