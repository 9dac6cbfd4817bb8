package audit

import (
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// checkpointDomain keeps a checkpoint signature from being valid for any
// other message the same key might sign.
const checkpointDomain = "grassroots-audit-checkpoint-v1"

// ErrBadSignature reports a checkpoint whose signature does not verify.
var ErrBadSignature = errors.New("audit: bad checkpoint signature")

// Checkpoint is a signed statement that the log had head (Seq, Hash) at
// Time. It is what makes a recomputed rewrite detectable: rewriting history
// changes the hash at Seq, and the signer's key is not in the database.
type Checkpoint struct {
	Seq  int64
	Hash [32]byte
	// Time is UTC with microsecond precision; only its Unix microseconds
	// are signed.
	Time time.Time
	// KeyID names the public key to verify with, so keys can be rotated
	// without re-signing old checkpoints. It is not signed: relabelling a
	// checkpoint only makes it fail to verify.
	KeyID     string
	Signature []byte
}

// Sign returns a checkpoint of head at t signed with priv. It fails only on
// a malformed key, which ed25519.Sign would otherwise panic on.
func Sign(priv ed25519.PrivateKey, keyID string, head Head, t time.Time) (Checkpoint, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return Checkpoint{}, fmt.Errorf("audit: sign checkpoint: private key has %d bytes, want %d", len(priv), ed25519.PrivateKeySize)
	}
	c := Checkpoint{Seq: head.Seq, Hash: head.Hash, Time: normalizeTime(t), KeyID: keyID}
	c.Signature = ed25519.Sign(priv, c.message())
	return c, nil
}

// Verify checks c's signature against pub. A malformed key is an error,
// never a panic, because keys come from configuration.
func (c Checkpoint) Verify(pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: public key has %d bytes, want %d", ErrBadSignature, len(pub), ed25519.PublicKeySize)
	}
	if !ed25519.Verify(pub, c.message(), c.Signature) {
		return ErrBadSignature
	}
	return nil
}

// Head returns the log head c vouches for.
func (c Checkpoint) Head() Head {
	return Head{Seq: c.Seq, Hash: c.Hash}
}

func (c Checkpoint) message() []byte {
	buf := make([]byte, 0, 8+len(checkpointDomain)+8+32+8)
	buf = appendString(buf, checkpointDomain)
	buf = binary.BigEndian.AppendUint64(buf, uint64(c.Seq))
	buf = append(buf, c.Hash[:]...)
	return binary.BigEndian.AppendUint64(buf, uint64(c.Time.UnixMicro()))
}

// Default checkpoint cadence: frequent enough that an undetectable window
// (everything after the newest checkpoint) stays small, rare enough that
// signing is not a per-write cost.
const (
	DefaultCheckpointEvery    = 1000
	DefaultCheckpointInterval = 10 * time.Minute
)

// CheckpointPolicy decides when a store should sign a new checkpoint. Zero
// or negative fields mean the defaults.
type CheckpointPolicy struct {
	// Every bounds how many entries may follow the newest checkpoint.
	Every int64
	// Interval bounds how long they may follow it, so a quiet log is still
	// pinned down regularly.
	Interval time.Duration
}

// Due reports whether a checkpoint should be taken now. last is the newest
// checkpoint, or the zero Checkpoint when there is none — then any entry
// makes one due, since nothing yet protects the log. Nothing is due while
// the log has not grown past last, so an idle log is not re-signed.
func (p CheckpointPolicy) Due(last Checkpoint, head Head, now time.Time) bool {
	if head.Seq <= last.Seq {
		return false
	}
	every := p.Every
	if every <= 0 {
		every = DefaultCheckpointEvery
	}
	interval := p.Interval
	if interval <= 0 {
		interval = DefaultCheckpointInterval
	}
	return last.Time.IsZero() || head.Seq-last.Seq >= every || now.Sub(last.Time) >= interval
}
