package casework

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/grassroots-policing/grassroots/internal/audit"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// sensitiveFields are redacted in every audit diff, whatever record they
// are on: identity numbers, phones, sensitive tags and their sealed forms.
var sensitiveFields = map[string]bool{
	"docNumber": true, "docSealed": true, "docIndex": true, "docMasked": true,
	"phone": true, "phoneSealed": true, "phoneIndex": true, "phoneMasked": true,
	"sealedTags": true, "tags": true, "ownerDocNumber": true, "recipientDocNumber": true,
}

// SensitiveField reports whether an audit diff must redact a field; a
// workflow marks more with a "sensitive" prefix-free name in this set or by
// using one of these JSON names.
func SensitiveField(name string) bool {
	return sensitiveFields[name] || strings.HasSuffix(name, "Sealed") || strings.HasSuffix(name, "Index")
}

// AuditRecord builds the audit record of a change: who, when, what, and a
// redacted payload holding the digests of the before and after states and a
// diff in which sensitive fields never appear. before is nil for a create.
func (k *Kernel) AuditRecord(ctx context.Context, actor Actor, action Action, recordType, recordID string, before, after any) (AuditRecord, error) {
	// One pass over each state: the same bytes as Redact then Canonical.
	b, err := audit.RedactCanonical(before, after, SensitiveField)
	if err != nil {
		// A value JSON cannot hold (a time past year 9999) is the input's
		// fault, not the server's.
		return AuditRecord{}, errs.Wrap(errs.ErrInvalid, err, "%s %s cannot be recorded", recordType, recordID)
	}
	return AuditRecord{
		Time: k.Now(), ActorID: actor.StaffID, UnitID: actor.UnitID, Action: string(action),
		RecordType: recordType, RecordID: recordID, RequestID: RequestIDFrom(ctx), Payload: b,
	}, nil
}

// Change builds the Change of a single audited write.
func (k *Kernel) Change(ctx context.Context, actor Actor, action Action, recordType, recordID string, before, after any) (Change, error) {
	rec, err := k.AuditRecord(ctx, actor, action, recordType, recordID, before, after)
	return Change{Audit: []AuditRecord{rec}}, err
}

// VerifyAudit checks the whole chain: every link, every payload still
// present, and every signed checkpoint. A broken link names the first bad
// sequence number; a history rewritten with every later hash recomputed is
// internally consistent and is caught only by a checkpoint, which names the
// range (previous checkpoint, checkpoint] that holds the rewrite. A rewrite
// after the newest checkpoint is caught only when the next checkpoint, kept
// elsewhere, is compared: export checkpoints regularly.
func (k *Kernel) VerifyAudit(ctx context.Context, actor Actor) (AuditReport, error) {
	if err := k.Authorize(ctx, actor, ActionVerifyAudit, Target{}); err != nil {
		return AuditReport{}, err
	}
	return k.verifyAudit(ctx)
}

// VerifyAuditAgainst is VerifyAudit with checkpoints kept outside the
// database as well: an attacker with database rights can delete the stored
// checkpoints, but not the copies an auditor exported. An external
// checkpoint wins over a stored one at the same seq.
func (k *Kernel) VerifyAuditAgainst(ctx context.Context, actor Actor, external []Checkpoint) (AuditReport, error) {
	if err := k.Authorize(ctx, actor, ActionVerifyAudit, Target{}); err != nil {
		return AuditReport{}, err
	}
	return k.verifyAudit(ctx, external...)
}

func (k *Kernel) verifyAudit(ctx context.Context, external ...Checkpoint) (AuditReport, error) {
	stored, err := k.store.Checkpoints(ctx)
	if err != nil {
		return AuditReport{}, err
	}
	bySeq := map[int64]Checkpoint{}
	for _, cp := range stored {
		bySeq[cp.Seq] = cp
	}
	for _, cp := range external {
		bySeq[cp.Seq] = cp
	}
	cps := slices.SortedFunc(maps.Values(bySeq), func(a, b Checkpoint) int { return cmp.Compare(a.Seq, b.Seq) })
	// The head row is read first: the log scanned after it must reach it,
	// with the same hash, or entries were cut from the tail (a cheap check
	// against a careless attacker; a careful one also rewrites the head, and
	// only a checkpoint catches that).
	head, err := k.store.AuditHead(ctx)
	if err != nil {
		return AuditReport{}, err
	}
	v := audit.NewVerifier(cps, k.checkpointKey)
	reached := head.Seq == 0
	err = k.store.ScanAudit(ctx, 1, func(e AuditEntry, payload []byte) error {
		// The digest covers the stored bytes; the verifier keeps the first
		// break and the scan goes on for the checkpoints.
		_ = v.AddRaw(e, payload)
		if e.Seq == head.Seq && e.Hash == head.Hash {
			reached = true
		}
		return nil
	})
	if err != nil {
		return AuditReport{}, err
	}
	rep := v.Finish()
	if rep.OK && !reached {
		rep.OK = false
		rep.FirstBrokenSeq = min(rep.Head.Seq+1, head.Seq)
		rep.Reason = fmt.Sprintf("the chain head records seq %d, which the log does not hold as recorded: entries were removed from the tail", head.Seq)
	}
	return rep, nil
}

// ErasePayload purges the payload of audit entry seq under a retention
// rule (the name of the rule that requires the purge, e.g. "治安档案 5年").
// Only an admin of the root unit erases (ActionErasePayload). The erasure is
// itself audited: its entry — who, when, the rule, and the erased seq as its
// record id — commits with the deletion and is the tombstone VerifyAudit
// requires, so an erased payload verifies and one deleted any other way
// does not. A seq outside the log, or one whose payload is gone or never
// existed, is ErrNotFound; a missing or malformed rule is ErrInvalid naming
// "rule".
func (k *Kernel) ErasePayload(ctx context.Context, actor Actor, seq int64, rule string) error {
	id := strconv.FormatInt(seq, 10)
	if err := k.authorizeRootAdmin(ctx, actor, ActionErasePayload, audit.EraseRecordType, id); err != nil {
		return err
	}
	if strings.TrimSpace(rule) == "" {
		return errs.Invalid("rule", "required", "an erasure names the retention rule that requires it")
	}
	if err := CheckLine("rule", rule, 200); err != nil {
		return err
	}
	head, err := k.store.AuditHead(ctx)
	if err != nil {
		return err
	}
	if seq < 1 || seq > head.Seq {
		return errs.NotFound("audit payload", id)
	}
	type erasure struct {
		ErasedSeq int64  `json:"erasedSeq"`
		Rule      string `json:"rule"`
	}
	ch, err := k.Change(ctx, actor, ActionErasePayload, audit.EraseRecordType, id, nil, erasure{ErasedSeq: seq, Rule: rule})
	if err != nil {
		return err
	}
	return k.store.ErasePayload(ctx, seq, ch)
}

func (k *Kernel) checkpointKey(id string) (ed25519.PublicKey, bool) {
	pub, ok := k.cpKeys[id]
	return pub, ok
}

// Checkpoint signs the chain head when the checkpoint policy says one is
// due (every N entries or T minutes) and stores it; force signs regardless.
// Several processes may call it: the second checkpoint at one seq is
// dropped. It returns the checkpoint taken, if any.
func (k *Kernel) Checkpoint(ctx context.Context, force bool) (*Checkpoint, error) {
	head, err := k.store.AuditHead(ctx)
	if err != nil || head.Seq == 0 {
		return nil, err
	}
	cps, err := k.store.Checkpoints(ctx)
	if err != nil {
		return nil, err
	}
	var last Checkpoint
	if n := len(cps); n > 0 {
		last = cps[n-1]
	}
	if last.Seq == head.Seq || (!force && !k.cpPolicy.Due(last, head, k.Now())) {
		return nil, nil
	}
	cp, err := audit.Sign(k.cpKey, k.cpKeyID, head, k.Now())
	if err != nil {
		return nil, err
	}
	if err := k.store.AddCheckpoint(ctx, cp); err != nil {
		if errors.Is(err, errs.ErrConflict) {
			return nil, nil
		}
		return nil, err
	}
	return &cp, nil
}

// ExportCheckpoints returns every signed checkpoint, to keep outside the
// database (a rewrite after the newest stored one is caught only against an
// exported copy).
func (k *Kernel) ExportCheckpoints(ctx context.Context, actor Actor) ([]Checkpoint, error) {
	if err := k.Authorize(ctx, actor, ActionVerifyAudit, Target{}); err != nil {
		return nil, err
	}
	return k.store.Checkpoints(ctx)
}

// CheckpointPublicKey returns the key id and public key that verify this
// kernel's checkpoints.
func (k *Kernel) CheckpointPublicKey() (string, ed25519.PublicKey) {
	return k.cpKeyID, k.cpKey.Public().(ed25519.PublicKey)
}

// AuditTrail returns the history of a kernel record (unit, staff, person,
// address) in order, after checking the actor may read it where it is
// stored. A workflow's records have their own History methods, which load
// the record and check it the same way: a history is never read on the
// strength of a unit the caller names.
func (k *Kernel) AuditTrail(ctx context.Context, actor Actor, recordType, recordID string) ([]AuditEntry, error) {
	var unitID string
	switch recordType {
	case "unit":
		u, err := k.store.GetUnit(ctx, recordID)
		if err != nil {
			return nil, err
		}
		unitID = u.ID
	case "staff":
		s, err := k.store.GetStaff(ctx, recordID)
		if err != nil {
			return nil, err
		}
		unitID = s.UnitID
	case "person":
		p, err := k.store.GetPerson(ctx, recordID)
		if err != nil {
			return nil, err
		}
		unitID = p.UnitID
	case "address":
		a, err := k.store.GetAddress(ctx, recordID)
		if err != nil {
			return nil, err
		}
		unitID = a.UnitID
	default:
		return nil, errs.NotFound(recordType, recordID)
	}
	if err := k.Check(ctx, actor, ActionRead, Target{RecordType: recordType, RecordID: recordID, UnitID: unitID}); err != nil {
		return nil, err
	}
	return k.store.AuditTrail(ctx, recordType, recordID)
}
