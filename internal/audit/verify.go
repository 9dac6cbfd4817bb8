package audit

import (
	"cmp"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ErrBroken is wrapped by the error Verifier.Add returns once the chain is
// broken, so a store can stop reading rows early.
var ErrBroken = errors.New("audit: log broken")

// Report is the verdict on a log.
type Report struct {
	// OK is true only when no check failed.
	OK bool
	// Entries counts the entries handed to the verifier, including the one
	// that broke the chain; it shows how far a stopped scan got.
	Entries int64
	// Head is the newest entry that passed every chain check.
	Head Head
	// FirstBrokenSeq is the seq the verifier expected at the first entry it
	// could not accept, so every entry before it is intact; 0 if none.
	// A missing entry is named by its own seq; a duplicated, inserted or
	// misplaced one by the position where it appears (a forged entry that
	// is perfectly linked passes, and the break shows at the next
	// position). For a log cut short of a checkpoint it is the first
	// missing seq.
	FirstBrokenSeq int64
	// Reason explains the failures in words, for people; "" when OK.
	Reason string
	// CheckpointRange is set when a checkpoint fails: its signature does
	// not verify, its key is unknown, or the entry at its seq carries a
	// different hash. It holds (previous verified checkpoint seq, failing
	// checkpoint seq] — the entries that checkpoint vouched for and no
	// earlier one did. When FirstBrokenSeq is 0 the chain itself is
	// consistent, so history in that range was rewritten with every later
	// hash recomputed; which entry was rewritten cannot be known.
	CheckpointRange *[2]int64
	// DeletedPayloads lists, ascending, the seqs whose payload is missing
	// although their entry holds a payload digest and no erasure entry (see
	// EraseAction) names them: deleted behind the library's back rather
	// than erased. It is judged only when the chain is whole (no break, no
	// cut tail), and FirstBrokenSeq is then the first of them.
	DeletedPayloads []int64
	// CheckpointsVerified counts checkpoints whose signature verified and
	// whose hash matched the entry at their seq.
	CheckpointsVerified int
}

// Verifier checks a log one entry at a time so that a store can verify a
// log far larger than memory inside a single read transaction. It is not
// safe for concurrent use.
//
// Checkpoints are only as far-reaching as the newest one: a rewrite with
// recomputed hashes after the newest checkpoint, and deletion of entries
// after it, leave a consistent chain and are undetectable until the next
// checkpoint is taken and compared.
type Verifier struct {
	cps  []checkpointState
	next int // index of the first checkpoint not yet compared

	head    Head
	entries int64

	brokenSeq    int64
	brokenErr    error
	brokenReason string

	// missing holds the seqs of entries with a payload digest whose payload
	// was not handed in; erased the seqs that erasure entries name. A
	// missing payload no erasure entry names was deleted, not erased.
	missing []int64
	erased  map[int64]bool

	lastGoodCP int64 // seq of the newest checkpoint that verified
	cpRange    *[2]int64
	cpReason   string
	cpVerified int
}

type checkpointState struct {
	cp     Checkpoint
	sigErr error
}

// NewVerifier prepares to verify a log against cps, in any order. keys maps
// a checkpoint's KeyID to its public key; a checkpoint whose key is unknown
// counts as failed, since an attacker can sign with a key of their own.
func NewVerifier(cps []Checkpoint, keys func(keyID string) (ed25519.PublicKey, bool)) *Verifier {
	v := &Verifier{cps: make([]checkpointState, len(cps))}
	for i, c := range cps {
		v.cps[i] = checkpointState{cp: c, sigErr: verifyCheckpoint(c, keys)}
	}
	slices.SortStableFunc(v.cps, func(a, b checkpointState) int { return cmp.Compare(a.cp.Seq, b.cp.Seq) })
	v.compareCheckpoints() // a checkpoint of the empty log
	return v
}

func verifyCheckpoint(c Checkpoint, keys func(string) (ed25519.PublicKey, bool)) error {
	if keys == nil {
		return fmt.Errorf("unknown key %q", c.KeyID)
	}
	pub, ok := keys(c.KeyID)
	if !ok {
		return fmt.Errorf("unknown key %q", c.KeyID)
	}
	return c.Verify(pub)
}

// Add checks the next entry in seq order; payload is nil when it was erased
// or never existed. A nil payload for an entry that has a payload digest
// must be named by a later erasure entry (see EraseAction), or Finish
// reports it deleted. It returns an error wrapping ErrBroken once the chain is
// broken, and the same error for every later call, since nothing after a
// break can be vouched for. A checkpoint disagreeing with an otherwise
// consistent chain is not an error here: the scan must go on to tell a
// recomputed rewrite from plain damage, and Finish reports it.
func (v *Verifier) Add(e Entry, payload *Payload) error {
	if payload == nil {
		return v.add(e, nil, nil)
	}
	d, err := payload.Digest()
	return v.add(e, &d, err)
}

// AddRaw is Add for a payload as stored: the digest is taken over the bytes
// themselves, so an edit that re-encodes to the same canonical form (a
// duplicated key, added white space) is caught too. raw is nil when the
// payload was erased or never existed.
func (v *Verifier) AddRaw(e Entry, raw []byte) error {
	if raw == nil {
		return v.add(e, nil, nil)
	}
	d := sha256.Sum256(raw)
	return v.add(e, &d, nil)
}

func (v *Verifier) add(e Entry, digest *[32]byte, encodeErr error) error {
	v.entries++
	if v.brokenErr != nil {
		return v.brokenErr
	}
	want := v.head.Seq + 1
	switch {
	case e.Seq != want:
		return v.breakAt(want, "expected seq %d, found seq %d: an entry was deleted, inserted, duplicated or moved", want, e.Seq)
	case e.PrevHash != v.head.Hash:
		return v.breakAt(want, "seq %d does not link to seq %d", want, v.head.Seq)
	case ComputeHash(e) != e.Hash:
		return v.breakAt(want, "seq %d: hash does not match the entry's contents", want)
	case encodeErr != nil:
		return v.breakAt(want, "seq %d: payload cannot be encoded: %v", want, encodeErr)
	case digest != nil && *digest != e.PayloadDigest:
		return v.breakAt(want, "seq %d: payload does not match its digest", want)
	}
	v.head = e.Head()
	if digest == nil && e.PayloadDigest != ([32]byte{}) {
		v.missing = append(v.missing, e.Seq)
	}
	if seq, ok := ErasedSeq(e); ok {
		if v.erased == nil {
			v.erased = map[int64]bool{}
		}
		v.erased[seq] = true
	}
	v.compareCheckpoints()
	return nil
}

// EraseAction and EraseRecordType mark the entry that is the tombstone of an
// erased payload: its RecordID is the decimal seq of the entry whose payload
// was erased. The seq lives in the hashed entry, not in its own payload,
// because a payload may itself be erased.
const (
	EraseAction     = "audit.erase"
	EraseRecordType = "audit"
)

// ErasedSeq returns the seq whose payload e records the erasure of, when e
// is an erasure entry. An erasure entry names an earlier entry only: one
// naming itself or a later seq proves nothing.
func ErasedSeq(e Entry) (int64, bool) {
	if e.Action != EraseAction || e.RecordType != EraseRecordType {
		return 0, false
	}
	seq, err := strconv.ParseInt(e.RecordID, 10, 64)
	if err != nil || seq < 1 || seq >= e.Seq {
		return 0, false
	}
	return seq, true
}

// deletedPayloads returns the seqs, ascending, of payloads that are missing
// with no erasure entry naming them.
func (v *Verifier) deletedPayloads() []int64 {
	var out []int64
	for _, seq := range v.missing {
		if !v.erased[seq] {
			out = append(out, seq)
		}
	}
	return out
}

func (v *Verifier) breakAt(seq int64, format string, args ...any) error {
	v.brokenSeq = seq
	v.brokenReason = fmt.Sprintf(format, args...)
	v.brokenErr = fmt.Errorf("%w: %s", ErrBroken, v.brokenReason)
	return v.brokenErr
}

// compareCheckpoints checks every not-yet-compared checkpoint at or below
// the head against it.
func (v *Verifier) compareCheckpoints() {
	for ; v.next < len(v.cps) && v.cps[v.next].cp.Seq <= v.head.Seq; v.next++ {
		s := v.cps[v.next]
		switch {
		case s.sigErr != nil:
			v.checkpointFailed(s.cp.Seq, fmt.Sprintf("checkpoint at seq %d does not verify: %v", s.cp.Seq, s.sigErr))
		case s.cp.Seq != v.head.Seq:
			v.checkpointFailed(s.cp.Seq, fmt.Sprintf("checkpoint has invalid seq %d", s.cp.Seq))
		case s.cp.Hash != v.head.Hash:
			v.checkpointFailed(s.cp.Seq, fmt.Sprintf("checkpoint at seq %d disagrees with the entry there: history was rewritten", s.cp.Seq))
		default:
			v.cpVerified++
			v.lastGoodCP = s.cp.Seq
		}
	}
}

// checkpointFailed keeps the first failure only: later checkpoints fail as
// a consequence of the first, and the first bounds the damage.
func (v *Verifier) checkpointFailed(seq int64, reason string) {
	if v.cpRange != nil {
		return
	}
	v.cpRange = &[2]int64{v.lastGoodCP, max(seq, v.lastGoodCP)}
	v.cpReason = reason
}

// Finish returns the verdict on the entries added so far. It also judges
// the checkpoints no entry reached: a valid one beyond an intact chain's
// head means entries were deleted from the tail. It does not change the
// verifier, so calling it twice gives the same report.
func (v *Verifier) Finish() Report {
	r := Report{
		Entries:             v.entries,
		Head:                v.head,
		FirstBrokenSeq:      v.brokenSeq,
		CheckpointsVerified: v.cpVerified,
	}
	var reasons []string
	if v.brokenErr != nil {
		reasons = append(reasons, v.brokenReason)
	}
	cpRange, cpReason := v.cpRange, v.cpReason
	for _, s := range v.cps[v.next:] {
		switch {
		case s.sigErr != nil:
			if cpRange == nil {
				cpRange = &[2]int64{v.lastGoodCP, max(s.cp.Seq, v.lastGoodCP)}
				cpReason = fmt.Sprintf("checkpoint at seq %d does not verify: %v", s.cp.Seq, s.sigErr)
			}
		case v.brokenErr == nil && r.FirstBrokenSeq == 0:
			r.FirstBrokenSeq = v.head.Seq + 1
			reasons = append(reasons, fmt.Sprintf("log ends at seq %d but a checkpoint vouches for seq %d: entries were deleted from the tail", v.head.Seq, s.cp.Seq))
		}
	}
	// Deleted payloads are judged on a whole chain only: past a break, or
	// in a cut tail, may lie the erasure entries that would excuse a
	// missing payload, and the break is the first thing to investigate.
	if deleted := v.deletedPayloads(); r.FirstBrokenSeq == 0 && len(deleted) > 0 {
		r.FirstBrokenSeq = deleted[0]
		r.DeletedPayloads = deleted
		reasons = append(reasons, fmt.Sprintf("payloads of seq %s are missing and no erasure entry names them: they were deleted, not erased", joinSeqs(deleted)))
	}
	if cpRange != nil {
		r.CheckpointRange = &[2]int64{cpRange[0], cpRange[1]}
		reasons = append(reasons, cpReason)
	}
	r.Reason = strings.Join(reasons, "; ")
	r.OK = r.FirstBrokenSeq == 0 && r.CheckpointRange == nil
	return r
}

// Verify checks an in-memory log; payloads is keyed by entry seq and may
// omit payloads that erasure entries name.
func Verify(entries []Entry, payloads map[int64]*Payload, cps []Checkpoint, keys func(keyID string) (ed25519.PublicKey, bool)) Report {
	v := NewVerifier(cps, keys)
	for _, e := range entries {
		if v.Add(e, payloads[e.Seq]) != nil {
			break
		}
	}
	return v.Finish()
}

func joinSeqs(seqs []int64) string {
	parts := make([]string, len(seqs))
	for i, s := range seqs {
		parts[i] = strconv.FormatInt(s, 10)
	}
	return strings.Join(parts, ", ")
}
