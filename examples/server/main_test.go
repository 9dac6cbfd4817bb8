package main

import (
	"bytes"
	"errors"
	"flag"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestConfigFlagsAndEnvironment(t *testing.T) {
	t.Parallel()
	env := map[string]string{"GRASSROOTS_ADDR": "127.0.0.1:9999", "GRASSROOTS_DATA": "/srv/g", "GRASSROOTS_SWEEP_EVERY": "5m", "GRASSROOTS_LOG_LEVEL": "warn"}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, c *config)
	}{
		{"defaults", nil, func(t *testing.T, c *config) {
			require.Equal(t, "127.0.0.1:8080", c.addr)
			require.Equal(t, "sqlite:"+filepath.Join("grassroots-data", "grassroots.db"), c.db)
			require.Equal(t, "grassroots", c.issuer)
			require.Equal(t, "grassroots", c.audience)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := parseConfig(tt.args, noEnv, &bytes.Buffer{})
			require.NoError(t, err)
			tt.check(t, c)
		})
	}
	t.Run("environment, flags win", func(t *testing.T) {
		t.Parallel()
		c, err := parseConfig([]string{"-addr", "127.0.0.1:7000"}, getenv, &bytes.Buffer{})
		require.NoError(t, err)
		require.Equal(t, "127.0.0.1:7000", c.addr)
		require.Equal(t, "/srv/g", c.data)
		require.Equal(t, "sqlite:/srv/g/grassroots.db", c.db)
		require.Equal(t, 5*time.Minute, c.sweepEvery)
		require.Equal(t, "warn", c.logLevel)
	})
	t.Run("help names every environment variable", func(t *testing.T) {
		t.Parallel()
		var out bytes.Buffer
		_, err := parseConfig([]string{"-help"}, noEnv, &out)
		require.True(t, errors.Is(err, flag.ErrHelp))
		for _, v := range []string{"GRASSROOTS_ADDR", "GRASSROOTS_DATA", "GRASSROOTS_DB", "GRASSROOTS_LOG_LEVEL", "GRASSROOTS_LOG_FORMAT",
			"GRASSROOTS_ISSUER", "GRASSROOTS_AUDIENCE", "GRASSROOTS_DELIVER_EVERY", "GRASSROOTS_SWEEP_EVERY", "GRASSROOTS_SHUTDOWN_TIMEOUT"} {
			require.Contains(t, out.String(), "$"+v)
		}
	})
	for name, args := range map[string][]string{
		"bad duration":    {"-sweep-every", "0s"},
		"bad env value":   nil,
		"stray argument":  {"serve"},
		"bad header size": {"-max-header-bytes", "0"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			getenv := noEnv
			if args == nil {
				getenv = func(k string) string {
					if k == "GRASSROOTS_DELIVER_EVERY" {
						return "soon"
					}
					return ""
				}
			}
			_, err := parseConfig(args, getenv, &bytes.Buffer{})
			require.Error(t, err)
		})
	}
}

func TestNewAppRefusesBadSettings(t *testing.T) {
	t.Parallel()
	for name, args := range map[string][]string{
		"unknown database": {"-db", "mysql://x"},
		"bad log level":    {"-log-level", "loud"},
		"bad log format":   {"-log-format", "xml"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg, err := parseConfig(append([]string{"-data", t.TempDir()}, args...), noEnv, &bytes.Buffer{})
			require.NoError(t, err)
			a, err := newApp(t.Context(), cfg, &bytes.Buffer{}, &bytes.Buffer{})
			require.Error(t, err)
			require.Nil(t, a)
		})
	}
}

// The memory store starts with the same bootstrap and serves the API.
func TestMemoryStore(t *testing.T) {
	t.Parallel()
	r := startServer(t, "-db", "memory")
	require.Equal(t, 200, r.get(t, "/v1/units", "Bearer "+r.token(t, r.app.admin)).StatusCode)
	require.Equal(t, 200, r.get(t, "/readyz", "").StatusCode)
}
