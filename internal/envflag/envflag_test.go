package envflag_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/internal/envflag"
)

func TestOn(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  bool
	}{
		{"", false}, {"0", false}, {"false", false}, {"no", false}, {"off", false}, {"2", false},
		{"1", true}, {"true", true}, {" TRUE ", true}, {"yes", true}, {"On", true},
	} {
		t.Setenv("GRASSROOTS_ENVFLAG_TEST", tc.value)
		require.Equal(t, tc.want, envflag.On("GRASSROOTS_ENVFLAG_TEST"), "value %q", tc.value)
	}
}
