package audit

import (
	"crypto/ed25519"
	"encoding/hex"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCheckpointSignatureGolden(t *testing.T) {
	t.Parallel()
	e := goldenEntry()
	c, err := Sign(testPriv, "k", Head{Seq: 42, Hash: ComputeHash(e)}, e.Time)
	require.NoError(t, err)
	require.Equal(t, "68f7c9de078060648789f9c20fef040a9fec3aac5e59ab6ab9e69e064d9d795b0edeb557c7de3d73416897701f1f560309d6ffe3217837bfbd5a91e6db99c909",
		hex.EncodeToString(c.Signature), "the signed message encoding changed")
}

func TestCheckpointVerify(t *testing.T) {
	t.Parallel()
	head := Head{Seq: 120, Hash: [32]byte{0xde, 0xad}}
	at := time.Date(2025, 6, 1, 12, 0, 0, 123456789, time.FixedZone("X", 7200))
	signed, err := Sign(testPriv, testKeyID, head, at)
	require.NoError(t, err)
	require.Equal(t, head, signed.Head())
	require.Equal(t, time.UTC, signed.Time.Location())
	require.Equal(t, at.UnixMicro(), signed.Time.UnixMicro())

	tests := []struct {
		name    string
		change  func(*Checkpoint)
		pub     ed25519.PublicKey
		wantErr bool
	}{
		{name: "untouched", change: func(*Checkpoint) {}, pub: testPub},
		{name: "reloaded in another zone", change: func(c *Checkpoint) { c.Time = c.Time.Local() }, pub: testPub},
		{name: "relabelled key ID is not signed", change: func(c *Checkpoint) { c.KeyID = "other" }, pub: testPub},
		{name: "seq changed", change: func(c *Checkpoint) { c.Seq++ }, pub: testPub, wantErr: true},
		{name: "hash changed", change: func(c *Checkpoint) { c.Hash[31] ^= 1 }, pub: testPub, wantErr: true},
		{name: "time changed", change: func(c *Checkpoint) { c.Time = c.Time.Add(time.Microsecond) }, pub: testPub, wantErr: true},
		{name: "signature changed", change: func(c *Checkpoint) { c.Signature = append([]byte{c.Signature[0] ^ 1}, c.Signature[1:]...) }, pub: testPub, wantErr: true},
		{name: "signature missing", change: func(c *Checkpoint) { c.Signature = nil }, pub: testPub, wantErr: true},
		{name: "wrong key", change: func(*Checkpoint) {}, pub: attackerPriv.Public().(ed25519.PublicKey), wantErr: true},
		{name: "malformed key", change: func(*Checkpoint) {}, pub: ed25519.PublicKey{1}, wantErr: true},
		{name: "no key", change: func(*Checkpoint) {}, pub: nil, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := signed
			tt.change(&c)
			err := c.Verify(tt.pub)
			if tt.wantErr {
				require.ErrorIs(t, err, ErrBadSignature)
				return
			}
			require.NoError(t, err)
		})
	}
}

func TestSignRejectsMalformedKey(t *testing.T) {
	t.Parallel()
	_, err := Sign(ed25519.PrivateKey{1, 2, 3}, testKeyID, Head{Seq: 1}, testEpoch)
	require.Error(t, err)
}

func TestCheckpointPolicyDue(t *testing.T) {
	t.Parallel()
	now := testEpoch.Add(time.Hour)
	at := func(seq int64, ago time.Duration) Checkpoint {
		return Checkpoint{Seq: seq, Time: now.Add(-ago)}
	}
	tests := []struct {
		name   string
		policy CheckpointPolicy
		last   Checkpoint
		head   int64
		want   bool
	}{
		{name: "empty log, no checkpoint", head: 0, want: false},
		{name: "first entry, no checkpoint", head: 1, want: true},
		{name: "nothing new since the last", last: at(50, 24*time.Hour), head: 50, want: false},
		{name: "head behind last (should not happen)", last: at(50, 24*time.Hour), head: 40, want: false},
		{name: "default count not reached", last: at(100, time.Minute), head: 1099, want: false},
		{name: "default count reached", last: at(100, time.Minute), head: 1100, want: true},
		{name: "default interval not reached", last: at(100, 9*time.Minute), head: 101, want: false},
		{name: "default interval reached", last: at(100, 10*time.Minute), head: 101, want: true},
		{name: "custom count", policy: CheckpointPolicy{Every: 10}, last: at(10, 0), head: 20, want: true},
		{name: "custom count not reached", policy: CheckpointPolicy{Every: 10}, last: at(10, 0), head: 19, want: false},
		{name: "custom interval", policy: CheckpointPolicy{Interval: time.Minute}, last: at(10, time.Minute), head: 11, want: true},
		{name: "negative fields mean defaults", policy: CheckpointPolicy{Every: -1, Interval: -1}, last: at(10, time.Second), head: 11, want: false},
		{name: "clock moved backwards", last: at(10, -time.Hour), head: 11, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, tt.policy.Due(tt.last, Head{Seq: tt.head}, now))
		})
	}
}
