package seal_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/internal/seal"
)

func TestGenerateAndLoadKeyFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	tests := []struct {
		name       string
		path       func(dir string) string
		dirCreated bool
	}{
		{name: "existing directory", path: func(dir string) string { return filepath.Join(dir, "keys.json") }},
		{name: "directory created on first run", path: func(dir string) string { return filepath.Join(dir, "data", "secrets", "keys.json") }, dirCreated: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := tc.path(t.TempDir())
			generated, err := seal.GenerateKeyFile(path)
			require.NoError(t, err)

			st, err := os.Stat(path)
			require.NoError(t, err)
			require.Equal(t, fs.FileMode(0o600), st.Mode().Perm())
			if tc.dirCreated {
				dirSt, err := os.Stat(filepath.Dir(path))
				require.NoError(t, err)
				require.Zero(t, dirSt.Mode().Perm()&0o077, "a created key directory must not be group/other accessible")
			}
			entries, err := os.ReadDir(filepath.Dir(path))
			require.NoError(t, err)
			require.Len(t, entries, 1, "no temporary file may be left behind")

			loaded, err := seal.LoadKeyFile(path)
			require.NoError(t, err)
			require.Equal(t, generated.SealKeyID, loaded.SealKeyID)
			require.Equal(t, generated.IndexKeyID, loaded.IndexKeyID)
			require.Equal(t, generated.Keys, loaded.Keys)
			require.True(t, generated.Checkpoint.Equal(loaded.Checkpoint))

			// Values sealed with the generated keys open with the loaded ones.
			s1, err := generated.Sealer()
			require.NoError(t, err)
			s2, err := loaded.Sealer()
			require.NoError(t, err)
			sealed, err := s1.Seal(ctx, []byte("8001015009087"), []byte("aad"))
			require.NoError(t, err)
			got, err := s2.Open(ctx, sealed, []byte("aad"))
			require.NoError(t, err)
			require.Equal(t, []byte("8001015009087"), got)
			i1, err := s1.BlindIndex(ctx, "p", []byte("v"))
			require.NoError(t, err)
			i2, err := s2.BlindIndex(ctx, "p", []byte("v"))
			require.NoError(t, err)
			require.Equal(t, i1, i2)

			// The checkpoint key signs and its public half verifies.
			msg := []byte("checkpoint 42")
			pub, ok := loaded.Checkpoint.Public().(ed25519.PublicKey)
			require.True(t, ok)
			require.True(t, ed25519.Verify(pub, msg, ed25519.Sign(generated.Checkpoint, msg)))
		})
	}
}

func TestGenerateKeyFileNeverReplacesKeys(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		mode fs.FileMode
	}{
		{name: "existing 0600", mode: 0o600},
		{name: "existing 0644", mode: 0o644},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "keys.json")
			require.NoError(t, os.WriteFile(path, []byte("precious"), tc.mode))
			require.NoError(t, os.Chmod(path, tc.mode))

			_, err := seal.GenerateKeyFile(path)
			require.ErrorIs(t, err, fs.ErrExist)
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, "precious", string(data))
			entries, err := os.ReadDir(filepath.Dir(path))
			require.NoError(t, err)
			require.Len(t, entries, 1, "no temporary file may be left behind")
		})
	}
}

func TestLoadKeyFilePermissions(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		mode    fs.FileMode
		wantErr error
	}{
		{name: "0600 accepted", mode: 0o600},
		{name: "0400 accepted", mode: 0o400},
		{name: "0644 refused", mode: 0o644, wantErr: seal.ErrKeyFilePermissions},
		{name: "0640 refused", mode: 0o640, wantErr: seal.ErrKeyFilePermissions},
		{name: "0604 refused", mode: 0o604, wantErr: seal.ErrKeyFilePermissions},
		{name: "0660 refused", mode: 0o660, wantErr: seal.ErrKeyFilePermissions},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "keys.json")
			_, err := seal.GenerateKeyFile(path)
			require.NoError(t, err)
			require.NoError(t, os.Chmod(path, tc.mode))

			_, err = seal.LoadKeyFile(path)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
		})
	}
}

func TestLoadKeyFileRejectsBadFiles(t *testing.T) {
	t.Parallel()
	b64 := func(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }
	valid := func(edit func(string) string) string {
		doc := `{"version":1,"seal_key_id":"a","index_key_id":"a","keys":[{"id":"a","seal":"` + b64(32) + `","index":"` + b64(32) + `"}],"checkpoint_seed":"` + b64(32) + `"}`
		return edit(doc)
	}
	same := func(s string) string { return s }

	tests := []struct {
		name     string
		contents string
		ok       bool
		wantErr  error // checked with errors.Is when set; otherwise any error will do
	}{
		{name: "valid", contents: valid(same), ok: true},
		{name: "not json", contents: "SEAL_KEY=abc"},
		{name: "unknown version", contents: valid(func(s string) string { return strings.Replace(s, `"version":1`, `"version":2`, 1) })},
		{name: "unknown field", contents: valid(func(s string) string { return strings.Replace(s, `{"version"`, `{"extra":1,"version"`, 1) })},
		{name: "short seal key", contents: valid(func(s string) string { return strings.Replace(s, `"seal":"`+b64(32), `"seal":"`+b64(16), 1) }), wantErr: seal.ErrInvalidKey},
		{name: "missing checkpoint", contents: valid(func(s string) string {
			return strings.Replace(s, `"checkpoint_seed":"`+b64(32)+`"`, `"checkpoint_seed":null`, 1)
		}), wantErr: seal.ErrInvalidKey},
		{name: "current key missing", contents: valid(func(s string) string { return strings.Replace(s, `"seal_key_id":"a"`, `"seal_key_id":"b"`, 1) }), wantErr: seal.ErrInvalidKey},
		{name: "index key missing", contents: valid(func(s string) string { return strings.Replace(s, `"index_key_id":"a"`, `"index_key_id":"b"`, 1) }), wantErr: seal.ErrInvalidKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "keys.json")
			require.NoError(t, os.WriteFile(path, []byte(tc.contents), 0o600))
			_, err := seal.LoadKeyFile(path)
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
			}
		})
	}

	t.Run("missing file", func(t *testing.T) {
		t.Parallel()
		_, err := seal.LoadKeyFile(filepath.Join(t.TempDir(), "absent.json"))
		require.ErrorIs(t, err, fs.ErrNotExist)
	})
}

func TestEnsureKeyFile(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		runs int
	}{
		{name: "first run creates", runs: 1},
		{name: "later runs load the same keys", runs: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "keys.json")
			first, created, err := seal.EnsureKeyFile(path)
			require.NoError(t, err)
			require.True(t, created)
			for range tc.runs - 1 {
				again, created, err := seal.EnsureKeyFile(path)
				require.NoError(t, err)
				require.False(t, created)
				require.Equal(t, first.Keys, again.Keys)
			}
		})
	}

	t.Run("loose permissions are not papered over", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "keys.json")
		_, err := seal.GenerateKeyFile(path)
		require.NoError(t, err)
		require.NoError(t, os.Chmod(path, 0o644))
		_, _, err = seal.EnsureKeyFile(path)
		require.ErrorIs(t, err, seal.ErrKeyFilePermissions)
	})
}

func TestKeysFromEnv(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	key := func(b byte) []byte {
		k := make([]byte, 32)
		for i := range k {
			k[i] = b
		}
		return k
	}
	std := base64.StdEncoding.EncodeToString
	url := base64.RawURLEncoding.EncodeToString
	secretValue := "c2VjcmV0LW5vdC1hLWtleQ" // must never be echoed in errors

	tests := []struct {
		name           string
		env            map[string]string
		wantErr        error
		wantID         string
		wantCheckpoint bool
	}{
		{name: "nothing set", env: map[string]string{}, wantErr: seal.ErrNoEnvKeys},
		{name: "only seal key", env: map[string]string{seal.EnvSealKey: std(key(1))}, wantErr: seal.ErrInvalidKey},
		{name: "only index key", env: map[string]string{seal.EnvIndexKey: std(key(1))}, wantErr: seal.ErrInvalidKey},
		{name: "not base64", env: map[string]string{seal.EnvSealKey: "!!" + secretValue, seal.EnvIndexKey: std(key(2))}, wantErr: seal.ErrInvalidKey},
		{name: "wrong length", env: map[string]string{seal.EnvSealKey: secretValue, seal.EnvIndexKey: std(key(2))}, wantErr: seal.ErrInvalidKey},
		{name: "bad key id", env: map[string]string{seal.EnvSealKey: std(key(1)), seal.EnvIndexKey: std(key(2)), seal.EnvSealKeyID: "no spaces"}, wantErr: seal.ErrInvalidKey},
		{name: "bad checkpoint", env: map[string]string{seal.EnvSealKey: std(key(1)), seal.EnvIndexKey: std(key(2)), seal.EnvCheckpointKey: std(key(3)[:16])}, wantErr: seal.ErrInvalidKey},
		{name: "default id", env: map[string]string{seal.EnvSealKey: std(key(1)), seal.EnvIndexKey: std(key(2))}, wantID: seal.DefaultEnvKeyID},
		{name: "custom id, url alphabet, trailing newline", env: map[string]string{seal.EnvSealKey: url(key(1)) + "\n", seal.EnvIndexKey: url(key(2)), seal.EnvSealKeyID: "prod-2025"}, wantID: "prod-2025"},
		{name: "with checkpoint", env: map[string]string{seal.EnvSealKey: std(key(1)), seal.EnvIndexKey: std(key(2)), seal.EnvCheckpointKey: std(key(3))}, wantID: seal.DefaultEnvKeyID, wantCheckpoint: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			kf, err := seal.KeysFromEnv(func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				require.NotContains(t, err.Error(), secretValue)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.wantID, kf.SealKeyID)
			require.Equal(t, tc.wantID, kf.IndexKeyID)
			require.Equal(t, []seal.Key{{ID: tc.wantID, Seal: key(1), Index: key(2)}}, kf.Keys)
			require.Equal(t, tc.wantCheckpoint, kf.Checkpoint != nil)

			s, err := kf.Sealer()
			require.NoError(t, err)
			sealed, err := s.Seal(ctx, []byte("v"), nil)
			require.NoError(t, err)
			id, err := seal.KeyID(sealed)
			require.NoError(t, err)
			require.Equal(t, tc.wantID, id)
		})
	}
}
