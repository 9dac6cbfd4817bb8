package main

import (
	"io"
	"math"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMemoryLimitFlag(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want int64
		bad  bool
	}{
		{in: "134217728", want: 128 << 20},
		{in: "128MiB", want: 128 << 20},
		{in: "1GiB", want: 1 << 30},
		{in: "512KiB", want: 512 << 10},
		{in: "2TiB", want: 2 << 40},
		{in: "100B", want: 100},
		{in: "off", want: math.MaxInt64},
		{in: "", bad: true},
		{in: "0", bad: true},
		{in: "-5MiB", bad: true},
		{in: "128MB", bad: true}, // GOMEMLIMIT's units are binary
		{in: "9999999TiB", bad: true},
		{in: "lots", bad: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			var m memoryLimit
			err := m.Set(tc.in)
			if tc.bad {
				require.Error(t, err)
				require.False(t, m.set)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, m.bytes)
		})
	}
}

// TestMemoryLimitDefault sets the process's limit, so it runs alone and
// puts the limit back.
func TestMemoryLimitDefault(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	env := func(goMemLimit string) func(string) string {
		return func(name string) string {
			if name == "GOMEMLIMIT" {
				return goMemLimit
			}
			return ""
		}
	}
	for _, tc := range []struct {
		name     string
		args     []string
		goMemLim string
		want     int64
	}{
		{name: "memory backend", args: []string{"-db", "memory"}, want: defaultMemoryLimit},
		{name: "flag wins", args: []string{"-db", "memory", "-memory-limit", "1GiB"}, want: 1 << 30},
		{name: "off", args: []string{"-db", "memory", "-memory-limit", "off"}, want: math.MaxInt64},
		{name: "GOMEMLIMIT kept", args: []string{"-db", "memory"}, goMemLim: "300MiB", want: 300 << 20},
		{name: "SQL backend", args: []string{"-db", "sqlite:x.db"}, want: math.MaxInt64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The runtime read GOMEMLIMIT at start; play its part.
			debug.SetMemoryLimit(math.MaxInt64)
			if tc.goMemLim != "" {
				var m memoryLimit
				require.NoError(t, m.Set(tc.goMemLim))
				debug.SetMemoryLimit(m.bytes)
			}
			cfg, err := parseConfig(tc.args, env(tc.goMemLim), io.Discard)
			require.NoError(t, err)
			require.Equal(t, tc.want, applyMemoryLimit(cfg, env(tc.goMemLim)))
		})
	}
}
