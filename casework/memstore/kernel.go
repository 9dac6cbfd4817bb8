package memstore

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

var (
	_ casework.KernelStore  = (*DB)(nil)
	_ casework.WriteCounter = (*DB)(nil)
)

func unitVersion(u casework.Unit) int64             { return u.Version }
func staffVersion(s casework.Staff) int64           { return s.Version }
func personVersion(p casework.PersonRecord) int64   { return p.Version }
func addressVersion(a casework.Address) int64       { return a.Version }
func shareVersion(s casework.Share) int64           { return s.Version }
func staffClone(s casework.Staff) casework.Staff    { return s.Clone() }
func addrClone(a casework.Address) casework.Address { return a.Clone() }
func personClone(p casework.PersonRecord) casework.PersonRecord {
	return p.Clone()
}

// CreateUnit implements casework.UnitStore.
func (db *DB) CreateUnit(ctx context.Context, u casework.Unit, ch casework.Change) error {
	return db.Write(ctx, ch, func() error {
		if _, ok := db.unitCodes[u.Code]; ok {
			return errs.New(errs.ErrConflict, "unit code %q exists", u.Code)
		}
		if u.ParentID == "" {
			for _, x := range db.units {
				if x.ParentID == "" {
					return errs.New(errs.ErrConflict, "the tree has a root already")
				}
			}
		}
		if err := Insert(db.units, u.ID, u, "unit"); err != nil {
			return err
		}
		db.unitCodes[u.Code] = u.ID
		db.unitsChanged()
		return nil
	})
}

// UpdateUnit implements casework.UnitStore.
func (db *DB) UpdateUnit(ctx context.Context, u casework.Unit, ch casework.Change) error {
	return db.Write(ctx, ch, func() error {
		if cur, ok := db.units[u.ID]; ok && (cur.Code != u.Code || cur.Path != u.Path) {
			return errs.Invalid("code", "immutable", "a unit's code and place in the tree never change")
		}
		if err := Replace(db.units, u.ID, u, unitVersion, "unit"); err != nil {
			return err
		}
		db.unitsChanged()
		return nil
	})
}

// GetUnit implements casework.UnitStore.
func (db *DB) GetUnit(ctx context.Context, id string) (u casework.Unit, err error) {
	err = db.Read(ctx, func() error {
		u, err = Get(db.units, id, Identity, "unit")
		return err
	})
	return u, err
}

// GetUnitByCode implements casework.UnitStore.
func (db *DB) GetUnitByCode(ctx context.Context, code string) (u casework.Unit, err error) {
	err = db.Read(ctx, func() error {
		u, err = Get(db.units, db.unitCodes[code], Identity, "unit")
		return err
	})
	return u, err
}

// ListUnits implements casework.UnitStore.
func (db *DB) ListUnits(ctx context.Context, f casework.UnitFilter) (out []casework.Unit, err error) {
	err = db.Read(ctx, func() error {
		for _, u := range db.units {
			if (f.Under == "" || casework.Contains(f.Under, u.Path)) && (f.Level == 0 || u.Level == f.Level) {
				out = append(out, u)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b casework.Unit) int { return strings.Compare(a.Path, b.Path) })
	return out, err
}

// CreateStaff implements casework.StaffStore.
func (db *DB) CreateStaff(ctx context.Context, s casework.Staff, ch casework.Change) error {
	s = s.Clone()
	return db.Write(ctx, ch, func() error { return Insert(db.staff, s.ID, s, "staff") })
}

// UpdateStaff implements casework.StaffStore.
func (db *DB) UpdateStaff(ctx context.Context, s casework.Staff, ch casework.Change) error {
	s = s.Clone()
	return db.Write(ctx, ch, func() error { return Replace(db.staff, s.ID, s, staffVersion, "staff") })
}

// GetStaff implements casework.StaffStore.
func (db *DB) GetStaff(ctx context.Context, id string) (s casework.Staff, err error) {
	err = db.Read(ctx, func() error {
		s, err = Get(db.staff, id, staffClone, "staff")
		return err
	})
	return s, err
}

// ListStaff implements casework.StaffStore.
func (db *DB) ListStaff(ctx context.Context, f casework.StaffFilter, p casework.Page) (out []casework.Staff, err error) {
	err = db.Read(ctx, func() error {
		out, err = List(db.staff, func(s casework.Staff) bool {
			if f.UnitUnder != "" && !casework.Contains(f.UnitUnder, db.units[s.UnitID].Path) {
				return false
			}
			return (f.Role == "" || slices.Contains(s.Roles, f.Role)) && (f.Area == "" || slices.Contains(s.Areas, f.Area)) &&
				(f.PersonID == "" || s.PersonID == f.PersonID)
		}, func(s casework.Staff) casework.Cursor { return casework.Cursor{At: s.CreatedAt, ID: s.ID} }, staffClone, p)
		return err
	})
	return out, err
}

// CreatePerson implements casework.PersonStore.
func (db *DB) CreatePerson(ctx context.Context, p casework.PersonRecord, ch casework.Change) error {
	p = p.Clone()
	return db.Write(ctx, ch, func() error {
		if p.DocIndex != "" {
			if _, ok := db.personDoc[p.DocIndex]; ok {
				return errs.New(errs.ErrConflict, "a person with this document number exists")
			}
		}
		if err := Insert(db.persons, p.ID, p, "person"); err != nil {
			return err
		}
		if p.DocIndex != "" {
			db.personDoc[p.DocIndex] = p.ID
		}
		return nil
	})
}

// UpdatePerson implements casework.PersonStore.
func (db *DB) UpdatePerson(ctx context.Context, p casework.PersonRecord, ch casework.Change) error {
	p = p.Clone()
	return db.Write(ctx, ch, func() error {
		cur, ok := db.persons[p.ID]
		if !ok {
			return errs.NotFound("person", p.ID)
		}
		if p.DocIndex != "" && p.DocIndex != cur.DocIndex {
			if _, taken := db.personDoc[p.DocIndex]; taken {
				return errs.New(errs.ErrConflict, "a person with this document number exists")
			}
		}
		if err := Replace(db.persons, p.ID, p, personVersion, "person"); err != nil {
			return err
		}
		if cur.DocIndex != p.DocIndex {
			delete(db.personDoc, cur.DocIndex)
			if p.DocIndex != "" {
				db.personDoc[p.DocIndex] = p.ID
			}
		}
		return nil
	})
}

// GetPerson implements casework.PersonStore.
func (db *DB) GetPerson(ctx context.Context, id string) (p casework.PersonRecord, err error) {
	err = db.Read(ctx, func() error {
		p, err = Get(db.persons, id, personClone, "person")
		return err
	})
	return p, err
}

// ListPersons implements casework.PersonStore.
func (db *DB) ListPersons(ctx context.Context, f casework.PersonFilter, p casework.Page) (out []casework.PersonRecord, err error) {
	err = db.Read(ctx, func() error {
		out, err = List(db.persons, func(r casework.PersonRecord) bool {
			return (f.UnitUnder == "" || casework.Contains(f.UnitUnder, db.units[r.UnitID].Path)) &&
				(f.DocIndex == "" || r.DocIndex == f.DocIndex) &&
				(f.ContactIndexes == nil || slices.ContainsFunc(r.Contacts, func(c casework.ContactRecord) bool {
					return slices.Contains(f.ContactIndexes, c.Index)
				})) &&
				(f.Name == "" || r.Name == f.Name) &&
				(f.IDs == nil || slices.Contains(f.IDs, r.ID))
		}, func(r casework.PersonRecord) casework.Cursor { return casework.Cursor{At: r.CreatedAt, ID: r.ID} }, personClone, p)
		return err
	})
	return out, err
}

// CreateAddress implements casework.AddressStore.
func (db *DB) CreateAddress(ctx context.Context, a casework.Address, ch casework.Change) error {
	a = a.Clone()
	return db.Write(ctx, ch, func() error { return Insert(db.addresses, a.ID, a, "address") })
}

// UpdateAddress implements casework.AddressStore.
func (db *DB) UpdateAddress(ctx context.Context, a casework.Address, ch casework.Change) error {
	a = a.Clone()
	return db.Write(ctx, ch, func() error { return Replace(db.addresses, a.ID, a, addressVersion, "address") })
}

// GetAddress implements casework.AddressStore.
func (db *DB) GetAddress(ctx context.Context, id string) (a casework.Address, err error) {
	err = db.Read(ctx, func() error {
		a, err = Get(db.addresses, id, addrClone, "address")
		return err
	})
	return a, err
}

// ListAddresses implements casework.AddressStore.
func (db *DB) ListAddresses(ctx context.Context, f casework.AddressFilter, p casework.Page) (out []casework.Address, err error) {
	err = db.Read(ctx, func() error {
		out, err = List(db.addresses, func(a casework.Address) bool {
			return (f.UnitUnder == "" || casework.Contains(f.UnitUnder, db.units[a.UnitID].Path)) &&
				(f.Community == "" || a.Community == f.Community) && (f.Code == "" || a.Code == f.Code)
		}, func(a casework.Address) casework.Cursor { return casework.Cursor{At: a.CreatedAt, ID: a.ID} }, addrClone, p)
		return err
	})
	return out, err
}

// CreateShare implements casework.ShareStore.
func (db *DB) CreateShare(ctx context.Context, s casework.Share, ch casework.Change) error {
	return db.Write(ctx, ch, func() error { return Insert(db.shares, s.ID, s, "share") })
}

// UpdateShare implements casework.ShareStore.
func (db *DB) UpdateShare(ctx context.Context, s casework.Share, ch casework.Change) error {
	return db.Write(ctx, ch, func() error { return Replace(db.shares, s.ID, s, shareVersion, "share") })
}

// GetShare implements casework.ShareStore.
func (db *DB) GetShare(ctx context.Context, id string) (s casework.Share, err error) {
	err = db.Read(ctx, func() error {
		s, err = Get(db.shares, id, Identity, "share")
		return err
	})
	return s, err
}

// ListShares implements casework.ShareStore.
func (db *DB) ListShares(ctx context.Context, recordType, recordID string) (out []casework.Share, err error) {
	err = db.Read(ctx, func() error {
		out, err = List(db.shares, func(s casework.Share) bool { return s.RecordType == recordType && s.RecordID == recordID },
			func(s casework.Share) casework.Cursor { return casework.Cursor{At: s.CreatedAt, ID: s.ID} }, Identity, casework.Page{Limit: casework.MaxPageLimit})
		return err
	})
	return out, err
}

// AuditHead implements casework.AuditStore.
func (db *DB) AuditHead(ctx context.Context) (h casework.AuditHead, err error) {
	err = db.Read(ctx, func() error {
		h, err = db.audit.head(db.syms)
		return err
	})
	return h, err
}

// ScanAudit implements casework.AuditStore. It copies the range first, so fn
// may call the store.
func (db *DB) ScanAudit(ctx context.Context, from int64, fn func(casework.AuditEntry, []byte) error) error {
	type row struct {
		e casework.AuditEntry
		p []byte
	}
	var rows []row
	if err := db.Read(ctx, func() error {
		for i := range db.audit.len() {
			e, err := db.audit.entry(db.syms, i)
			if err != nil {
				return err
			}
			if e.Seq >= from {
				p, err := db.pack.unpack(db.audit.payload(e.Seq))
				if err != nil {
					return err
				}
				rows = append(rows, row{e, p})
			}
		}
		return nil
	}); err != nil {
		return err
	}
	for _, r := range rows {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(r.e, r.p); err != nil {
			return err
		}
	}
	return nil
}

// AuditSince implements casework.AuditStore.
func (db *DB) AuditSince(ctx context.Context, after int64, limit int) (out []casework.AuditEntry, err error) {
	err = db.Read(ctx, func() error {
		var searchErr error
		n := db.audit.len()
		i := sort.Search(n, func(i int) bool {
			e, err := db.audit.entry(db.syms, i)
			if err != nil {
				searchErr = err
				return true
			}
			return e.Seq > after
		})
		if searchErr != nil {
			return searchErr
		}
		for ; i < n && len(out) < limit; i++ {
			e, err := db.audit.entry(db.syms, i)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// AuditTrail implements casework.AuditStore.
func (db *DB) AuditTrail(ctx context.Context, recordType, recordID string) (out []casework.AuditEntry, err error) {
	err = db.Read(ctx, func() error {
		typ, ok := db.syms.ids[recordType]
		if !ok || recordType == "" {
			return db.auditTrailScan(recordType, recordID, &out)
		}
		for i := range db.audit.len() {
			if db.audit.isOf(db.syms, i, uint64(typ)<<1|1, recordID) {
				e, err := db.audit.entry(db.syms, i)
				if err != nil {
					return err
				}
				out = append(out, e)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// auditTrailScan is AuditTrail reading every entry whole, for a record
// type no row names as a numbered string (an empty one, or none stored).
func (db *DB) auditTrailScan(recordType, recordID string, out *[]casework.AuditEntry) error {
	for i := range db.audit.len() {
		e, err := db.audit.entry(db.syms, i)
		if err != nil {
			return err
		}
		if e.RecordType == recordType && e.RecordID == recordID {
			*out = append(*out, e)
		}
	}
	return nil
}

// AddCheckpoint implements casework.AuditStore.
func (db *DB) AddCheckpoint(ctx context.Context, cp casework.Checkpoint) error {
	return db.Write(ctx, casework.Change{}, func() error {
		for _, c := range db.checkpoints {
			if c.Seq == cp.Seq {
				return errs.New(errs.ErrConflict, "a checkpoint at seq %d exists", cp.Seq)
			}
		}
		cp.Signature = slices.Clone(cp.Signature)
		db.checkpoints = append(db.checkpoints, cp)
		slices.SortFunc(db.checkpoints, func(a, b casework.Checkpoint) int { return int(a.Seq - b.Seq) })
		return nil
	})
}

// Checkpoints implements casework.AuditStore.
func (db *DB) Checkpoints(ctx context.Context) (out []casework.Checkpoint, err error) {
	err = db.Read(ctx, func() error {
		for _, c := range db.checkpoints {
			c.Signature = slices.Clone(c.Signature)
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// ErasePayload implements casework.AuditStore.
func (db *DB) ErasePayload(ctx context.Context, seq int64, ch casework.Change) error {
	return db.Write(ctx, ch, func() error {
		if db.audit.payload(seq) == nil {
			return errs.NotFound("audit payload", "")
		}
		db.audit.setPayload(seq, nil)
		return nil
	})
}

// GetRequestKey implements casework.RequestStore.
func (db *DB) GetRequestKey(ctx context.Context, actorID, key string) (rk casework.RequestKey, err error) {
	err = db.Read(ctx, func() error {
		k, ok := db.keyOf(actorID, key, false)
		row, found := db.requestKeys[k]
		if !ok || !found {
			return errs.NotFound("request key", key)
		}
		rk, err = db.loadKey(actorID, key, row)
		return err
	})
	return rk, err
}

// DeleteRequestKeys implements casework.RequestStore.
func (db *DB) DeleteRequestKeys(ctx context.Context, before time.Time) (n int64, err error) {
	err = db.Write(ctx, casework.Change{}, func() error {
		var expired []string
		for k, row := range db.requestKeys {
			created, err := db.storedKeyCreated(row)
			if err != nil {
				return err
			}
			if created.Before(before) {
				expired = append(expired, k)
			}
		}
		for _, k := range expired {
			delete(db.requestKeys, k)
		}
		n = int64(len(expired))
		return nil
	})
	return n, err
}

// GetInboxEntry implements casework.RequestStore.
func (db *DB) GetInboxEntry(ctx context.Context, sourceKind, sourceID, step string) (in casework.InboxEntry, err error) {
	err = db.Read(ctx, func() error {
		r, ok := db.inbox[[3]string{sourceKind, sourceID, step}]
		if !ok {
			return errs.NotFound("inbox entry", sourceKind+"/"+sourceID+"/"+step)
		}
		in = r
		return nil
	})
	return in, err
}

// ClaimOutbox implements casework.OutboxStore.
func (db *DB) ClaimOutbox(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) (out []casework.OutboxMessage, err error) {
	err = db.Write(ctx, casework.Change{}, func() error {
		for _, m := range db.outbox {
			if len(out) >= limit {
				break
			}
			if m.Delivered() || m.Dead() || m.LeaseUntil.After(now) || m.NextAttempt.After(now) {
				continue
			}
			m.LeaseOwner, m.LeaseUntil = owner, now.Add(lease)
			m.Attempts++
			out = append(out, cloneMessage(m))
		}
		return nil
	})
	return out, err
}

func (db *DB) leased(id, owner string) (*casework.OutboxMessage, error) {
	for _, m := range db.outbox {
		if m.ID == id {
			if m.LeaseOwner != owner || m.Delivered() {
				return nil, errs.New(errs.ErrConflict, "outbox message %q is not leased by %q", id, owner)
			}
			return m, nil
		}
	}
	return nil, errs.NotFound("outbox message", id)
}

// CompleteOutbox implements casework.OutboxStore.
func (db *DB) CompleteOutbox(ctx context.Context, id, owner, resultID string, now time.Time) error {
	return db.Write(ctx, casework.Change{}, func() error {
		m, err := db.leased(id, owner)
		if err != nil {
			return err
		}
		m.DeliveredAt, m.ResultID, m.LeaseOwner, m.LeaseUntil, m.LastError = now, resultID, "", time.Time{}, ""
		return nil
	})
}

// FailOutbox implements casework.OutboxStore.
func (db *DB) FailOutbox(ctx context.Context, id, owner, lastError string, retryAt time.Time) error {
	return db.Write(ctx, casework.Change{}, func() error {
		m, err := db.leased(id, owner)
		if err != nil {
			return err
		}
		m.LeaseOwner, m.LeaseUntil, m.LastError, m.NextAttempt = "", time.Time{}, lastError, retryAt
		return nil
	})
}

// MarkOutboxDead implements casework.OutboxStore.
func (db *DB) MarkOutboxDead(ctx context.Context, id, owner, lastError string, at time.Time) error {
	return db.Write(ctx, casework.Change{}, func() error {
		m, err := db.leased(id, owner)
		if err != nil {
			return err
		}
		m.LeaseOwner, m.LeaseUntil, m.LastError, m.DeadAt = "", time.Time{}, lastError, at
		return nil
	})
}

// ReplayOutbox implements casework.OutboxStore.
func (db *DB) ReplayOutbox(ctx context.Context, id string, replays int, ch casework.Change) error {
	return db.Write(ctx, ch, func() error {
		i := slices.IndexFunc(db.outbox, func(m *casework.OutboxMessage) bool { return m.ID == id })
		if i < 0 {
			return errs.NotFound("outbox message", id)
		}
		m := db.outbox[i]
		if !m.Dead() || m.Replays != replays-1 {
			return errs.Stale("outbox message", id, int64(replays-1))
		}
		m.DeadAt, m.NextAttempt, m.Attempts, m.Replays = time.Time{}, time.Time{}, 0, replays
		return nil
	})
}

// GetOutbox implements casework.OutboxStore.
func (db *DB) GetOutbox(ctx context.Context, id string) (out casework.OutboxMessage, err error) {
	err = db.Read(ctx, func() error {
		for _, m := range db.outbox {
			if m.ID == id {
				out = cloneMessage(m)
				return nil
			}
		}
		return errs.NotFound("outbox message", id)
	})
	return out, err
}

// ListDeadOutbox implements casework.OutboxStore.
func (db *DB) ListDeadOutbox(ctx context.Context, p casework.Page) (out []casework.OutboxMessage, err error) {
	err = db.Read(ctx, func() error {
		dead := map[string]*casework.OutboxMessage{}
		for _, m := range db.outbox {
			dead[m.ID] = m
		}
		rows, err := List(dead, func(m *casework.OutboxMessage) bool { return m.Dead() },
			func(m *casework.OutboxMessage) casework.Cursor { return casework.Cursor{At: m.DeadAt, ID: m.ID} }, Identity, p)
		for _, m := range rows {
			out = append(out, cloneMessage(m))
		}
		return err
	})
	return out, err
}

// CountDeadOutbox implements casework.OutboxStore.
func (db *DB) CountDeadOutbox(ctx context.Context) (n int64, err error) {
	err = db.Read(ctx, func() error {
		for _, m := range db.outbox {
			if m.Dead() {
				n++
			}
		}
		return nil
	})
	return n, err
}

func cloneMessage(m *casework.OutboxMessage) casework.OutboxMessage {
	c := *m
	c.Payload = slices.Clone(m.Payload)
	return c
}

// ListOutbox implements casework.OutboxStore.
func (db *DB) ListOutbox(ctx context.Context, sourceKind, sourceID string) (out []casework.OutboxMessage, err error) {
	err = db.Read(ctx, func() error {
		for _, m := range db.outbox {
			if (sourceKind == "" || m.SourceKind == sourceKind) && (sourceID == "" || m.SourceID == sourceID) {
				out = append(out, cloneMessage(m))
			}
		}
		return nil
	})
	return out, err
}

// CommitChange implements casework.AuditStore.
func (db *DB) CommitChange(ctx context.Context, ch casework.Change) error {
	return db.Write(ctx, ch, nil)
}

// ListSharesTo implements casework.ShareStore.
func (db *DB) ListSharesTo(ctx context.Context, f casework.ShareFilter, p casework.Page) (out []casework.Share, err error) {
	err = db.Read(ctx, func() error {
		out, err = List(db.shares, func(s casework.Share) bool {
			to := slices.Contains(f.UnitIDs, s.UnitID) || (f.UnitUnder != "" && casework.Contains(f.UnitUnder, db.units[s.UnitID].Path))
			if len(f.UnitIDs) == 0 && f.UnitUnder == "" {
				to = true
			}
			return to && (f.ActiveAt.IsZero() || s.ActiveAt(f.ActiveAt))
		}, func(s casework.Share) casework.Cursor { return casework.Cursor{At: s.CreatedAt, ID: s.ID} }, Identity, p)
		return err
	})
	return out, err
}
