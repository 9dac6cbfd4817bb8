package casework

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// AddressInput creates a standard address.
type AddressInput struct {
	UnitID     string `json:"unitId" validate:"required"`
	Code       string `json:"code" validate:"max=64"`
	Text       string `json:"text" validate:"required,max=300"`
	Community  string `json:"community" validate:"max=100"`
	RequestKey string `json:"-"`
}

// CreateAddress records a standard address.
func (k *Kernel) CreateAddress(ctx context.Context, actor Actor, in AddressInput) (Address, error) {
	in.Text, in.Community = strings.TrimSpace(in.Text), strings.TrimSpace(in.Community)
	if err := k.Validate(in); err != nil {
		return Address{}, err
	}
	if err := k.Check(ctx, actor, ActionWriteAddress, Target{RecordType: "address", UnitID: in.UnitID}); err != nil {
		return Address{}, err
	}
	return CreateOnce(ctx, k, actor, in.RequestKey, in, func(rk *RequestKey) (Address, error) {
		now := k.Now()
		a := Address{ID: k.NewID(), UnitID: in.UnitID, Code: in.Code, Text: in.Text, Community: in.Community,
			Version: 1, CreatedAt: now, UpdatedAt: now}
		ch, err := k.Change(ctx, actor, "address.create", "address", a.ID, nil, a)
		if err != nil {
			return Address{}, err
		}
		if err := ch.Keyed(rk, "address", a.ID, a); err != nil {
			return Address{}, err
		}
		if err := k.store.CreateAddress(ctx, a, ch); err != nil {
			return Address{}, err
		}
		return a, nil
	})
}

// UpdateRegistry replaces the 一标三实 registry of an address (residents,
// housing, organisations), compare-and-swap on version. Residents must be
// recorded persons.
func (k *Kernel) UpdateRegistry(ctx context.Context, actor Actor, id string, version int64, r Registry) (Address, error) {
	next, rec, err := k.PrepareRegistry(ctx, actor, id, version, r)
	if err != nil {
		return Address{}, err
	}
	if err := k.store.UpdateAddress(ctx, next, Change{Audit: []AuditRecord{rec}}); err != nil {
		return Address{}, err
	}
	return next, nil
}

// PrepareRegistry checks and builds a registry update and its audit record
// without storing them, for a workflow that commits it with its own record
// (a visit): put the address in Change.Addresses and the record in
// Change.Audit.
func (k *Kernel) PrepareRegistry(ctx context.Context, actor Actor, id string, version int64, r Registry) (Address, AuditRecord, error) {
	cur, err := k.store.GetAddress(ctx, id)
	if err != nil {
		return Address{}, AuditRecord{}, err
	}
	if err := k.Check(ctx, actor, ActionWriteAddress, Target{RecordType: "address", RecordID: id, UnitID: cur.UnitID}); err != nil {
		return Address{}, AuditRecord{}, err
	}
	var f errs.Fields
	f.Merge("", k.Validate(r))
	for i, res := range r.Residents {
		if res.PersonID == "" {
			f.Add("residents["+strconv.Itoa(i)+"].personId", "exists", "no person named")
		} else if err := k.ref(ctx, actor, "person", "residents["+strconv.Itoa(i)+"].personId", res.PersonID); err != nil {
			if !errors.Is(err, errs.ErrInvalid) {
				return Address{}, AuditRecord{}, err
			}
			f.Merge("", err)
		}
	}
	if r.Housing != nil {
		if err := k.ref(ctx, actor, "person", "housing.ownerId", r.Housing.OwnerID); err != nil {
			if !errors.Is(err, errs.ErrInvalid) {
				return Address{}, AuditRecord{}, err
			}
			f.Merge("", err)
		}
	}
	for i, o := range r.Organisations {
		if strings.TrimSpace(o.Name) == "" {
			f.Add("organisations["+strconv.Itoa(i)+"].name", "required", "is required")
		}
	}
	if r.Housing != nil && r.Housing.Kind == "" {
		f.Add("housing.kind", "required", "is required")
	}
	if err := f.Err(); err != nil {
		return Address{}, AuditRecord{}, err
	}
	if cur.Version != version {
		return Address{}, AuditRecord{}, errs.Stale("address", id, version)
	}
	next := cur.Clone()
	next.Registry = Address{Registry: r}.Clone().Registry
	next.Version, next.UpdatedAt = cur.Version+1, k.Now()
	rec, err := k.AuditRecord(ctx, actor, "address.registry", "address", id, cur, next)
	return next, rec, err
}

// GetAddress returns an address in the actor's reach.
func (k *Kernel) GetAddress(ctx context.Context, actor Actor, id string) (Address, error) {
	a, err := k.store.GetAddress(ctx, id)
	if err != nil {
		return Address{}, err
	}
	if err := k.Check(ctx, actor, ActionRead, Target{RecordType: "address", RecordID: id, UnitID: a.UnitID}); err != nil {
		return Address{}, err
	}
	return a, nil
}

// Share grants another unit read access to a record (同步共享), audited,
// until revoked or, when until is not zero, until that instant. The
// receiving unit is told through the outbox (ShareNoticeKind).
// The caller (a workflow service) has already checked that the actor may
// write the record.
func (k *Kernel) Share(ctx context.Context, actor Actor, t Target, toUnit, reason string, until time.Time) (Share, error) {
	var ch Change
	s, err := k.PrepareShare(ctx, actor, t, toUnit, reason, until, &ch)
	if err != nil {
		return Share{}, err
	}
	if err := k.store.CreateShare(ctx, s, Change{Audit: ch.Audit, Outbox: ch.Outbox}); err != nil {
		return Share{}, err
	}
	return s, nil
}

// PrepareShare checks and builds a share and adds it, with its audit
// record and the notice to the receiving unit, to ch (Change.Shares,
// Change.Audit, Change.Outbox), for a workflow that commits the share in
// the same transaction as its own change (analyse-and-share). A zero until
// shares until revoked; otherwise until must lie ahead, within the dates
// any input may name. On error ch is left as it was.
func (k *Kernel) PrepareShare(ctx context.Context, actor Actor, t Target, toUnit, reason string, until time.Time, ch *Change) (Share, error) {
	if err := k.Check(ctx, actor, ActionShareRecord, t); err != nil {
		return Share{}, err
	}
	if err := CheckText("reason", reason, 500); err != nil {
		return Share{}, err
	}
	now := k.Now()
	if !until.IsZero() && (!until.After(now) || until.After(now.Add(k.datesAhead))) {
		return Share{}, errs.Invalid("until", "future", "must lie ahead of now and within %d days", int(k.datesAhead.Hours()/24))
	}
	if _, err := k.unit(ctx, toUnit); err != nil {
		return Share{}, errs.Invalid("unitId", "exists", "no unit %q", toUnit)
	}
	if toUnit == t.UnitID {
		return Share{}, errs.Invalid("unitId", "other_unit", "a record is not shared with its own unit")
	}
	s := Share{ID: k.NewID(), RecordType: t.RecordType, RecordID: t.RecordID, OwnerUnitID: t.UnitID, UnitID: toUnit,
		GrantedBy: actor.StaffID, Reason: reason, CreatedAt: now, ExpiresAt: Truncate(until), Version: 1}
	rec, err := k.AuditRecord(ctx, actor, ActionShareRecord, t.RecordType, t.RecordID, nil, s)
	if err != nil {
		return Share{}, err
	}
	msg, err := k.shareNotice(s)
	if err != nil {
		return Share{}, err
	}
	ch.Shares = append(ch.Shares, s)
	ch.Audit = append(ch.Audit, rec)
	ch.Outbox = append(ch.Outbox, msg)
	return s, nil
}

// RevokeShare ends a share at once, audited with the reason (required);
// the share stays in the history.
func (k *Kernel) RevokeShare(ctx context.Context, actor Actor, shareID, reason string) (Share, error) {
	cur, err := k.store.GetShare(ctx, shareID)
	if err != nil {
		return Share{}, err
	}
	t := Target{RecordType: cur.RecordType, RecordID: cur.RecordID, UnitID: cur.OwnerUnitID}
	if err := k.Check(ctx, actor, ActionShareRecord, t); err != nil {
		return Share{}, err
	}
	if strings.TrimSpace(reason) == "" {
		return Share{}, errs.Invalid("reason", "required", "say why the share is revoked")
	}
	if err := CheckText("reason", reason, 500); err != nil {
		return Share{}, err
	}
	if !cur.Active() {
		return Share{}, errs.Transition("active", "revoked", "the share is already revoked")
	}
	next := cur
	next.RevokedAt, next.RevokedBy, next.RevokeReason, next.Version = k.Now(), actor.StaffID, reason, cur.Version+1
	ch, err := k.Change(ctx, actor, "record.unshare", cur.RecordType, cur.RecordID, cur, next)
	if err != nil {
		return Share{}, err
	}
	if err := k.store.UpdateShare(ctx, next, ch); err != nil {
		return Share{}, err
	}
	return next, nil
}
