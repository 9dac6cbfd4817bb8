package seal_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/internal/seal"
)

// testKey derives distinct, recognisable key material from a single byte so
// tests can tell keys apart and search output for it.
func testKey(id string, b byte) seal.Key {
	return seal.Key{ID: id, Seal: bytes.Repeat([]byte{b}, seal.KeySize), Index: bytes.Repeat([]byte{b + 0x80}, seal.KeySize)}
}

var (
	k1 = testKey("k1", 0x11)
	k2 = testKey("k2", 0x22)
)

func newSealer(t *testing.T, current, indexKeyID string, keys ...seal.Key) *seal.Sealer {
	t.Helper()
	p, err := seal.NewStaticKeys(current, keys...)
	require.NoError(t, err)
	s, err := seal.NewSealer(p, indexKeyID)
	require.NoError(t, err)
	return s
}

func TestSealOpenRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSealer(t, "k1", "k1", k1)

	tests := []struct {
		name      string
		plaintext []byte
		aad       []byte
	}{
		{name: "id number", plaintext: []byte("8001015009087"), aad: []byte("person:42:id_number")},
		{name: "no aad", plaintext: []byte("+27 82 555 0101")},
		{name: "unicode", plaintext: []byte("Thandiwe Nkosi – ñ – 名前"), aad: []byte("x")},
		{name: "binary with zeros", plaintext: []byte{0, 1, 0, 255, 0}, aad: []byte{0}},
		{name: "one byte", plaintext: []byte{'a'}},
		{name: "large", plaintext: bytes.Repeat([]byte("sensitive"), 10_000), aad: []byte("big")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sealed, err := s.Seal(ctx, tc.plaintext, tc.aad)
			require.NoError(t, err)
			require.Len(t, sealed, 1+1+len("k1")+12+len(tc.plaintext)+16)

			id, err := seal.KeyID(sealed)
			require.NoError(t, err)
			require.Equal(t, "k1", id)

			again, err := s.Seal(ctx, tc.plaintext, tc.aad)
			require.NoError(t, err)
			require.NotEqual(t, sealed, again, "a fresh nonce must make every seal distinct")

			got, err := s.Open(ctx, sealed, tc.aad)
			require.NoError(t, err)
			require.Equal(t, tc.plaintext, got)
		})
	}
}

func TestEmptyValueCostsNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSealer(t, "k1", "k1", k1)

	tests := []struct {
		name  string
		value []byte
	}{
		{name: "nil", value: nil},
		{name: "empty", value: []byte{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sealed, err := s.Seal(ctx, tc.value, []byte("aad"))
			require.NoError(t, err)
			require.Nil(t, sealed)

			opened, err := s.Open(ctx, tc.value, []byte("aad"))
			require.NoError(t, err)
			require.Empty(t, opened)

			resealed, err := s.Reseal(ctx, tc.value, []byte("aad"))
			require.NoError(t, err)
			require.Nil(t, resealed)

			id, err := seal.KeyID(tc.value)
			require.NoError(t, err)
			require.Empty(t, id)
		})
	}
}

func TestOpenRejectsDamage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// k2 is known so that a swapped key id reaches decryption.
	s := newSealer(t, "k1", "k1", k1, k2)
	aad := []byte("person:42:phone")
	sealed, err := s.Seal(ctx, []byte("+27 82 555 0101"), aad)
	require.NoError(t, err)

	mutate := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(sealed)) }
	headerLen := 1 + 1 + len("k1")

	tests := []struct {
		name    string
		sealed  []byte
		aad     []byte
		wantErr error
	}{
		{name: "flipped ciphertext byte", sealed: mutate(func(b []byte) []byte { b[headerLen+12] ^= 1; return b }), aad: aad, wantErr: seal.ErrAuthFailed},
		{name: "flipped nonce byte", sealed: mutate(func(b []byte) []byte { b[headerLen] ^= 1; return b }), aad: aad, wantErr: seal.ErrAuthFailed},
		{name: "flipped tag byte", sealed: mutate(func(b []byte) []byte { b[len(b)-1] ^= 0x80; return b }), aad: aad, wantErr: seal.ErrAuthFailed},
		{name: "key id swapped to another known key", sealed: mutate(func(b []byte) []byte { b[3] = '2'; return b }), aad: aad, wantErr: seal.ErrAuthFailed},
		{name: "byte appended", sealed: append(bytes.Clone(sealed), 0), aad: aad, wantErr: seal.ErrAuthFailed},
		{name: "wrong aad", sealed: sealed, aad: []byte("person:43:phone"), wantErr: seal.ErrAuthFailed},
		{name: "missing aad", sealed: sealed, aad: nil, wantErr: seal.ErrAuthFailed},
		{name: "unknown version", sealed: mutate(func(b []byte) []byte { b[0] = 9; return b }), aad: aad, wantErr: seal.ErrMalformed},
		{name: "zero-length key id", sealed: mutate(func(b []byte) []byte { b[1] = 0; return b }), aad: aad, wantErr: seal.ErrMalformed},
		{name: "key id longer than input", sealed: mutate(func(b []byte) []byte { b[1] = 200; return b }), aad: aad, wantErr: seal.ErrMalformed},
		{name: "not sealed at all", sealed: []byte("8001015009087"), aad: aad, wantErr: seal.ErrMalformed},
	}
	// Every truncation must fail; none may open to a prefix of the value.
	for n := 1; n < len(sealed); n++ {
		want := seal.ErrAuthFailed
		if n < headerLen+12+16 {
			want = seal.ErrMalformed
		}
		tests = append(tests, struct {
			name    string
			sealed  []byte
			aad     []byte
			wantErr error
		}{name: fmt.Sprintf("truncated to %d bytes", n), sealed: sealed[:n], aad: aad, wantErr: want})
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := s.Open(ctx, tc.sealed, tc.aad)
			require.ErrorIs(t, err, tc.wantErr)
			require.Nil(t, got)

			_, err = s.Reseal(ctx, tc.sealed, tc.aad)
			require.ErrorIs(t, err, tc.wantErr)
		})
	}
}

func TestRotation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	aad := []byte("person:7:id_number")
	plaintext := []byte("7502025009081")

	before := newSealer(t, "k1", "k1", k1)
	old, err := before.Seal(ctx, plaintext, aad)
	require.NoError(t, err)

	// Rotation: k2 becomes current, k1 stays available for old values, the
	// index key stays pinned to k1.
	after := newSealer(t, "k2", "k1", k1, k2)
	fresh, err := after.Seal(ctx, plaintext, aad)
	require.NoError(t, err)
	resealed, err := after.Reseal(ctx, old, aad)
	require.NoError(t, err)
	unchanged, err := after.Reseal(ctx, fresh, aad)
	require.NoError(t, err)

	tests := []struct {
		name   string
		sealed []byte
		wantID string
	}{
		{name: "old value still opens", sealed: old, wantID: "k1"},
		{name: "new value uses current key", sealed: fresh, wantID: "k2"},
		{name: "resealed value moves to current key", sealed: resealed, wantID: "k2"},
		{name: "already-current value is left alone", sealed: unchanged, wantID: "k2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			id, err := seal.KeyID(tc.sealed)
			require.NoError(t, err)
			require.Equal(t, tc.wantID, id)
			got, err := after.Open(ctx, tc.sealed, aad)
			require.NoError(t, err)
			require.Equal(t, plaintext, got)
		})
	}
	require.Equal(t, fresh, unchanged, "Reseal must not rewrite a value already under the current key")

	// Once k1 is retired, values still under it report the missing key.
	retired := newSealer(t, "k2", "k2", k2)
	_, err = retired.Open(ctx, old, aad)
	require.ErrorIs(t, err, seal.ErrUnknownKey)
	got, err := retired.Open(ctx, resealed, aad)
	require.NoError(t, err)
	require.Equal(t, plaintext, got)
}

func TestUnknownKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sealedUnderK1, err := newSealer(t, "k1", "k1", k1).Seal(ctx, []byte("x"), nil)
	require.NoError(t, err)
	onlyK2, err := seal.NewStaticKeys("k2", k2)
	require.NoError(t, err)
	s := newSealer(t, "k2", "k2", k2)
	pinnedToMissing, err := seal.NewSealer(onlyK2, "k1")
	require.NoError(t, err)

	tests := []struct {
		name string
		call func() error
	}{
		{name: "provider lookup", call: func() error { _, err := onlyK2.Key(ctx, "k1"); return err }},
		{name: "open", call: func() error { _, err := s.Open(ctx, sealedUnderK1, nil); return err }},
		{name: "reseal", call: func() error { _, err := s.Reseal(ctx, sealedUnderK1, nil); return err }},
		{name: "blind index with missing pinned key", call: func() error {
			_, err := pinnedToMissing.BlindIndex(ctx, "person.phone", []byte("1"))
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.ErrorIs(t, tc.call(), seal.ErrUnknownKey)
		})
	}
}

func TestBlindIndex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSealer(t, "k1", "k1", k1, k2)
	rotated := newSealer(t, "k2", "k1", k1, k2)
	repinned := newSealer(t, "k2", "k2", k1, k2)

	index := func(s *seal.Sealer, purpose, value string) string {
		t.Helper()
		got, err := s.BlindIndex(ctx, purpose, []byte(value))
		require.NoError(t, err)
		return got
	}
	base := index(s, "person.phone", "27825550101")

	tests := []struct {
		name  string
		got   string
		equal bool
	}{
		{name: "deterministic", got: index(s, "person.phone", "27825550101"), equal: true},
		{name: "stable across sealing-key rotation", got: index(rotated, "person.phone", "27825550101"), equal: true},
		{name: "different purpose", got: index(s, "person.id_number", "27825550101"), equal: false},
		{name: "purpose and value boundary cannot shift", got: index(s, "person.phon", "e27825550101"), equal: false},
		{name: "different value", got: index(s, "person.phone", "27825550102"), equal: false},
		{name: "different index key", got: index(repinned, "person.phone", "27825550101"), equal: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Len(t, tc.got, 43)
			raw, err := base64.RawURLEncoding.DecodeString(tc.got)
			require.NoError(t, err)
			require.Len(t, raw, 32)
			if tc.equal {
				require.Equal(t, base, tc.got)
			} else {
				require.NotEqual(t, base, tc.got)
			}
		})
	}

	t.Run("empty value has no index", func(t *testing.T) {
		t.Parallel()
		got, err := s.BlindIndex(ctx, "person.phone", nil)
		require.NoError(t, err)
		require.Empty(t, got)
	})
	for _, purpose := range []string{"", "bad\x00purpose"} {
		t.Run(fmt.Sprintf("invalid purpose %q", purpose), func(t *testing.T) {
			t.Parallel()
			_, err := s.BlindIndex(ctx, purpose, []byte("1"))
			require.Error(t, err)
		})
	}
}

func TestSealedBytesHideThePlaintext(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSealer(t, "k1", "k1", k1)
	const canary = "CANARY-8001015009087-CANARY"

	tests := []struct {
		name      string
		plaintext []byte
	}{
		{name: "canary", plaintext: []byte(canary)},
		{name: "canary repeated", plaintext: bytes.Repeat([]byte(canary), 100)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			aad := []byte("AAD-CANARY")
			sealed, err := s.Seal(ctx, tc.plaintext, aad)
			require.NoError(t, err)
			for _, needle := range [][]byte{[]byte(canary), []byte("CANARY"), []byte("8001015009087"), aad, k1.Seal[:8], k1.Index[:8]} {
				require.False(t, bytes.Contains(sealed, needle), "sealed bytes contain %q", needle)
			}
			idx, err := s.BlindIndex(ctx, "canary", tc.plaintext)
			require.NoError(t, err)
			require.NotContains(t, idx, "CANARY")
		})
	}
}

func TestNewStaticKeysValidates(t *testing.T) {
	t.Parallel()
	short := testKey("short", 1)
	short.Seal = short.Seal[:16]
	shortIndex := testKey("short-index", 1)
	shortIndex.Index = nil

	tests := []struct {
		name    string
		current string
		keys    []seal.Key
		wantErr bool
	}{
		{name: "valid", current: "k1", keys: []seal.Key{k1, k2}},
		{name: "current missing", current: "k3", keys: []seal.Key{k1, k2}, wantErr: true},
		{name: "no keys", current: "k1", wantErr: true},
		{name: "short seal key", current: "short", keys: []seal.Key{short}, wantErr: true},
		{name: "missing index key", current: "short-index", keys: []seal.Key{shortIndex}, wantErr: true},
		{name: "duplicate id", current: "k1", keys: []seal.Key{k1, testKey("k1", 9)}, wantErr: true},
		{name: "empty id", current: "", keys: []seal.Key{testKey("", 1)}, wantErr: true},
		{name: "id with space", current: "a b", keys: []seal.Key{testKey("a b", 1)}, wantErr: true},
		{name: "id too long", current: string(bytes.Repeat([]byte("a"), 256)), keys: []seal.Key{testKey(string(bytes.Repeat([]byte("a"), 256)), 1)}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := seal.NewStaticKeys(tc.current, tc.keys...)
			if tc.wantErr {
				require.ErrorIs(t, err, seal.ErrInvalidKey)
				return
			}
			require.NoError(t, err)
		})
	}
}

func TestStaticKeysCopiesKeyMaterial(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	k := testKey("k", 0x33)
	p, err := seal.NewStaticKeys("k", k)
	require.NoError(t, err)
	k.Seal[0] ^= 0xff // the caller reusing its buffer must not change the provider

	got, err := p.Current(ctx)
	require.NoError(t, err)
	got.Index[0] ^= 0xff // nor may a returned key alias the provider's copy

	again, err := p.Key(ctx, "k")
	require.NoError(t, err)
	require.Equal(t, testKey("k", 0x33), again)
}

func TestKeysDoNotLeakWhenPrinted(t *testing.T) {
	t.Parallel()
	kf := seal.KeyFile{SealKeyID: "k1", IndexKeyID: "k1", Keys: []seal.Key{k1}}
	secret := fmt.Sprint(k1.Seal[:4])

	tests := []struct {
		name  string
		value any
	}{
		{name: "key", value: k1},
		{name: "key pointer", value: &k1},
		{name: "key file", value: kf},
		{name: "key file pointer", value: &kf},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
				out := fmt.Sprintf(verb, tc.value)
				require.Contains(t, out, "redacted", verb)
				require.NotContains(t, out, secret[1:len(secret)-1], verb)
			}
			_, err := json.Marshal(tc.value)
			require.Error(t, err)
		})
	}
}

func TestNewSealerValidates(t *testing.T) {
	t.Parallel()
	p, err := seal.NewStaticKeys("k1", k1)
	require.NoError(t, err)

	tests := []struct {
		name       string
		keys       seal.KeyProvider
		indexKeyID string
	}{
		{name: "nil provider", keys: nil, indexKeyID: "k1"},
		{name: "empty index key id", keys: p, indexKeyID: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := seal.NewSealer(tc.keys, tc.indexKeyID)
			require.ErrorIs(t, err, seal.ErrInvalidKey)
		})
	}
}

func TestCancelledContext(t *testing.T) {
	t.Parallel()
	s := newSealer(t, "k1", "k1", k1)
	sealed, err := s.Seal(context.Background(), []byte("x"), nil)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	tests := []struct {
		name string
		call func() error
	}{
		{name: "seal", call: func() error { _, err := s.Seal(ctx, []byte("x"), nil); return err }},
		{name: "open", call: func() error { _, err := s.Open(ctx, sealed, nil); return err }},
		{name: "blind index", call: func() error { _, err := s.BlindIndex(ctx, "p", []byte("x")); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.ErrorIs(t, tc.call(), context.Canceled)
		})
	}
}
