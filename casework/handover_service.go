package casework

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// MaxReason bounds the reason of a hand-over or a unit's closing.
const MaxReason = 500

// HandOverInput hands a staff member's open assignments to a colleague,
// and may retire the member or move them to another unit in the same
// operation. Version is the member's version (If-Match).
type HandOverInput struct {
	StaffID   string
	Version   int64
	ToStaffID string
	Reason    string
	Retire    bool
	ToUnitID  string // the member's new unit; "" keeps it
}

// HandOverResult is the member afterwards and the records handed over.
type HandOverResult struct {
	Staff Staff
	Moved []OpenRecord
}

// CloseUnitInput closes (or merges) a unit into a receiving unit. Version
// is the closing unit's version (If-Match).
type CloseUnitInput struct {
	UnitID     string
	Version    int64
	IntoUnitID string
	Reason     string
}

// CloseUnitResult is the closed unit afterwards, the open records moved to
// the receiving unit and the staff who moved with them.
type CloseUnitResult struct {
	Unit  Unit
	Moved []OpenRecord
	Staff []Staff
}

// handOverAudit is the audit payload of a hand-over or a closing: who and
// what moved, and why.
type handOverAudit struct {
	Record any      `json:"record"`
	Reason string   `json:"reason"`
	To     string   `json:"to"`
	Moved  []string `json:"moved"`
}

// OpenAssignments lists the open records of every workflow assigned to a
// staff member: what a hand-over would move. The member must be in the
// actor's reach (not found otherwise), then the actor may hand over.
func (k *Kernel) OpenAssignments(ctx context.Context, actor Actor, staffID string) ([]OpenRecord, error) {
	s, err := k.staffForHandOver(ctx, actor, staffID)
	if err != nil {
		return nil, err
	}
	return k.openRecords(ctx, OpenQuery{AssigneeID: staffID, Areas: s.Areas})
}

// OpenRecordsOf lists the open records of every workflow in a unit's
// subtree: what closing the unit would move.
func (k *Kernel) OpenRecordsOf(ctx context.Context, actor Actor, unitID string) ([]OpenRecord, error) {
	if err := k.Check(ctx, actor, ActionHandOver, unitTarget(actor, unitID)); err != nil {
		return nil, err
	}
	path, err := k.UnitPath(ctx, unitID)
	if err != nil {
		return nil, err
	}
	return k.openRecords(ctx, OpenQuery{UnitUnder: path})
}

// HandOver moves every open assignment of a staff member to a colleague
// and, when asked, retires the member or moves them to another unit: all in
// one transaction with one audit entry per record and one for the member,
// each carrying the reason. The colleague must be active and reach every
// record handed over, so nothing is left that no one may see.
func (k *Kernel) HandOver(ctx context.Context, actor Actor, in HandOverInput) (HandOverResult, error) {
	cur, err := k.staffForHandOver(ctx, actor, in.StaffID)
	if err != nil {
		return HandOverResult{}, err
	}
	to, err := k.staffForHandOver(ctx, actor, in.ToStaffID)
	if errors.Is(err, errs.ErrNotFound) {
		return HandOverResult{}, errs.Invalid("toStaffId", "exists", "no staff member %q", in.ToStaffID)
	}
	if err != nil {
		return HandOverResult{}, err
	}
	if in.ToUnitID != "" {
		if err := k.Check(ctx, actor, ActionHandOver, unitTarget(actor, in.ToUnitID)); errors.Is(err, errs.ErrNotFound) {
			return HandOverResult{}, errs.Invalid("toUnitId", "exists", "no unit %q", in.ToUnitID)
		} else if err != nil {
			return HandOverResult{}, err
		}
		if err := k.openUnit(ctx, "toUnitId", in.ToUnitID); err != nil {
			return HandOverResult{}, err
		}
	}
	if err := checkHandOver(in.Reason, in.StaffID == in.ToStaffID, !to.Active); err != nil {
		return HandOverResult{}, err
	}
	if cur.Version != in.Version {
		return HandOverResult{}, errs.Stale("staff", cur.ID, in.Version)
	}
	toPath, err := k.UnitPath(ctx, to.UnitID)
	if err != nil {
		return HandOverResult{}, err
	}
	next := cur.Clone()
	next.Active = cur.Active && !in.Retire
	next.Areas = nil // they go to the colleague, with the records kept by area
	if in.ToUnitID != "" {
		next.UnitID = in.ToUnitID
	}
	next.Version, next.UpdatedAt = cur.Version+1, k.Now()
	var moved []OpenRecord
	err = k.store.Atomically(ctx, func(ctx context.Context) error {
		if moved, err = k.openRecords(ctx, OpenQuery{AssigneeID: cur.ID, Areas: cur.Areas}); err != nil {
			return err
		}
		if err := k.reachedBy(ctx, moved, toPath, "toStaffId"); err != nil {
			return err
		}
		if err := k.moveOpen(ctx, moved, Move{Actor: actor, Reason: in.Reason, FromStaffID: cur.ID, ToStaffID: to.ID}); err != nil {
			return err
		}
		if err := k.takeAreas(ctx, actor, to, cur.Areas, in.Reason); err != nil {
			return err
		}
		ch, err := k.Change(ctx, actor, ActionHandOver, "staff", cur.ID, cur,
			handOverAudit{Record: next, Reason: in.Reason, To: to.ID, Moved: recordIDs(moved)})
		if err != nil {
			return err
		}
		return k.store.UpdateStaff(ctx, next, ch)
	})
	k.staffs.drop(cur.ID) // even on an error: the write may have committed before it
	k.staffs.drop(to.ID)
	if err != nil {
		return HandOverResult{}, err
	}
	return HandOverResult{Staff: next, Moved: moved}, nil
}

// CloseUnit closes a unit into a receiving unit: every open record of the
// closing unit's subtree moves to the receiving unit, and so does every
// staff member of the subtree, so their reach follows their work, and every
// person and address registered there (moveRegistry); the
// closing unit keeps its code (codes never change or return) and its past
// events, and is marked closed (Unit.ClosedAt, ClosedInto) with every unit
// below it, so nothing new is recorded there (openUnit). Each record moved
// is kept as a RecordMove in the same write, so every report of a past
// period — the closed unit's own included — counts what it counted before.
// One transaction, audited with the reason. The actor must reach
// both units (a supervisor over both); the receiving unit may not lie
// inside the closing one, which would leave the records nowhere.
func (k *Kernel) CloseUnit(ctx context.Context, actor Actor, in CloseUnitInput) (CloseUnitResult, error) {
	if err := k.Check(ctx, actor, ActionHandOver, unitTarget(actor, in.UnitID)); err != nil {
		return CloseUnitResult{}, err
	}
	if err := k.Check(ctx, actor, ActionHandOver, unitTarget(actor, in.IntoUnitID)); errors.Is(err, errs.ErrNotFound) {
		return CloseUnitResult{}, errs.Invalid("intoUnitId", "exists", "no unit %q", in.IntoUnitID)
	} else if err != nil {
		return CloseUnitResult{}, err
	}
	if err := checkHandOver(in.Reason, false, false); err != nil {
		return CloseUnitResult{}, err
	}
	cur, err := k.store.GetUnit(ctx, in.UnitID)
	if err != nil {
		return CloseUnitResult{}, err
	}
	into, err := k.store.GetUnit(ctx, in.IntoUnitID)
	if err != nil {
		return CloseUnitResult{}, err
	}
	switch {
	case cur.ParentID == "":
		return CloseUnitResult{}, errs.Invalid("unitId", "root", "the root unit cannot be closed")
	case Contains(cur.Path, into.Path):
		return CloseUnitResult{}, errs.Invalid("intoUnitId", "outside", "the receiving unit lies inside the unit being closed")
	case cur.Closed():
		return CloseUnitResult{}, errs.Invalid("unitId", "open", "unit %s was closed already", cur.Code)
	case into.Closed():
		return CloseUnitResult{}, errs.Invalid("intoUnitId", "open", "unit %s is closed and receives nothing", into.Code)
	case cur.Version != in.Version:
		return CloseUnitResult{}, errs.Stale("unit", cur.ID, in.Version)
	}
	next := cur
	next.Version, next.UpdatedAt = cur.Version+1, k.Now()
	next.ClosedAt, next.ClosedInto = next.UpdatedAt, into.ID
	below, err := k.store.ListUnits(ctx, UnitFilter{Under: cur.Path})
	if err != nil {
		return CloseUnitResult{}, err
	}
	var res CloseUnitResult
	err = k.store.Atomically(ctx, func(ctx context.Context) error {
		if err := k.closeBelow(ctx, actor, below, next, in.Reason); err != nil {
			return err
		}
		moved, err := k.openRecords(ctx, OpenQuery{UnitUnder: cur.Path})
		if err != nil {
			return err
		}
		if err := k.moveOpen(ctx, moved, Move{Actor: actor, Reason: in.Reason, ToUnitID: into.ID}); err != nil {
			return err
		}
		staff, err := k.moveStaff(ctx, actor, cur.Path, into.ID, in.Reason)
		if err != nil {
			return err
		}
		if err := k.moveRegistry(ctx, actor, cur.Path, into.ID, in.Reason); err != nil {
			return err
		}
		ch, err := k.Change(ctx, actor, ActionHandOver, "unit", cur.ID, cur,
			handOverAudit{Record: next, Reason: in.Reason, To: into.ID, Moved: recordIDs(moved)})
		if err != nil {
			return err
		}
		ch.Moves = recordMoves(moved, into.ID, next.ClosedAt)
		res = CloseUnitResult{Unit: next, Moved: moved, Staff: staff}
		return k.store.UpdateUnit(ctx, next, ch)
	})
	for _, s := range res.Staff {
		k.staffs.drop(s.ID)
	}
	// The persons moved are many and listed inside the write: forget them
	// all, even on an error (the write may have committed before it).
	k.persons.dropAll()
	for _, u := range below {
		k.unitPaths.Delete(u.ID)
	}
	if err != nil {
		return CloseUnitResult{}, err
	}
	return res, nil
}

// staffForHandOver reads a staff member the actor reaches and may hand
// over; one out of reach is not found.
func (k *Kernel) staffForHandOver(ctx context.Context, actor Actor, id string) (Staff, error) {
	s, err := k.store.GetStaff(ctx, id)
	if err != nil {
		return Staff{}, err
	}
	if err := k.Check(ctx, actor, ActionHandOver, Target{RecordType: "staff", RecordID: id, UnitID: s.UnitID}); err != nil {
		return Staff{}, err
	}
	return s, nil
}

func checkHandOver(reason string, self, inactive bool) error {
	var f errs.Fields
	if strings.TrimSpace(reason) == "" {
		f.Add("reason", "required", "a hand-over is audited with its reason")
	} else if err := CheckText("reason", reason, MaxReason); err != nil {
		return err
	}
	if self {
		f.Add("toStaffId", "other", "work is handed over to someone else")
	}
	if inactive {
		f.Add("toStaffId", "active", "work is handed over to an active staff member")
	}
	return f.Err()
}

// openRecords asks every registered workflow, in name order.
func (k *Kernel) openRecords(ctx context.Context, q OpenQuery) ([]OpenRecord, error) {
	k.mu.RLock()
	movers := maps.Clone(k.movers)
	k.mu.RUnlock()
	var out []OpenRecord
	for _, name := range slices.Sorted(maps.Keys(movers)) {
		recs, err := movers[name].OpenRecords(ctx, q)
		if err != nil {
			return nil, err
		}
		for i := range recs {
			recs[i].Workflow = name
		}
		out = append(out, recs...)
	}
	return out, nil
}

// moveOpen hands each workflow its own records: every workflow checks its
// part first, then every workflow moves it.
func (k *Kernel) moveOpen(ctx context.Context, recs []OpenRecord, m Move) error {
	k.mu.RLock()
	movers := maps.Clone(k.movers)
	k.mu.RUnlock()
	names := slices.Sorted(maps.Keys(movers))
	mine := func(name string) []OpenRecord {
		return slices.DeleteFunc(slices.Clone(recs), func(r OpenRecord) bool { return r.Workflow != name })
	}
	for _, name := range names {
		if err := movers[name].CheckMove(ctx, mine(name), m); err != nil {
			return err
		}
	}
	for _, name := range names {
		if part := mine(name); len(part) > 0 {
			if err := movers[name].MoveOpen(ctx, part, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// reachedBy refuses a hand-over that would leave a record its new assignee
// cannot see.
func (k *Kernel) reachedBy(ctx context.Context, recs []OpenRecord, path, field string) error {
	for _, r := range recs {
		p, err := k.UnitPath(ctx, r.UnitID)
		if err != nil {
			return err
		}
		if !Contains(path, p) {
			return errs.Invalid(field, "reach", "%s %s lies outside the new assignee's unit", r.RecordType, r.ID)
		}
	}
	return nil
}

// takeAreas adds the areas handed over to the colleague's, so the plan
// entries and hazards kept by area have an owner afterwards.
func (k *Kernel) takeAreas(ctx context.Context, actor Actor, to Staff, areas []string, reason string) error {
	add := slices.DeleteFunc(slices.Clone(areas), func(a string) bool { return slices.Contains(to.Areas, a) })
	if len(add) == 0 {
		return nil
	}
	next := to.Clone()
	next.Areas = append(next.Areas, add...)
	next.Version, next.UpdatedAt = to.Version+1, k.Now()
	ch, err := k.Change(ctx, actor, ActionHandOver, "staff", to.ID, to, handOverAudit{Record: next, Reason: reason, To: to.ID})
	if err != nil {
		return err
	}
	return k.store.UpdateStaff(ctx, next, ch)
}

// moveStaff moves every staff member of a subtree to unit into.
func (k *Kernel) moveStaff(ctx context.Context, actor Actor, under, into, reason string) ([]Staff, error) {
	all, err := ListAll(func(p Page) ([]Staff, error) { return k.store.ListStaff(ctx, StaffFilter{UnitUnder: under}, p) },
		func(s Staff) Cursor { return Cursor{At: s.CreatedAt, ID: s.ID} })
	if err != nil {
		return nil, err
	}
	out := make([]Staff, 0, len(all))
	for _, cur := range all {
		next := cur.Clone()
		next.UnitID, next.Version, next.UpdatedAt = into, cur.Version+1, k.Now()
		ch, err := k.Change(ctx, actor, ActionHandOver, "staff", cur.ID, cur, handOverAudit{Record: next, Reason: reason, To: into})
		if err != nil {
			return nil, err
		}
		if err := k.store.UpdateStaff(ctx, next, ch); err != nil {
			return nil, err
		}
		out = append(out, next)
	}
	return out, nil
}

// moveRegistry moves the persons and addresses registered in a closing
// subtree into the receiving unit, which takes over the closed unit's area:
// the records it receives name them, and its officers must read them (a
// person or address is reached through its unit). Each is audited as a
// hand-over, a person as its masked view.
func (k *Kernel) moveRegistry(ctx context.Context, actor Actor, under, into, reason string) error {
	persons, err := ListAll(func(p Page) ([]PersonRecord, error) {
		return k.store.ListPersons(ctx, PersonFilter{UnitUnder: under}, p)
	}, func(r PersonRecord) Cursor { return Cursor{At: r.CreatedAt, ID: r.ID} })
	if err != nil {
		return err
	}
	for _, cur := range persons {
		next := cur.Clone()
		next.UnitID, next.Version, next.UpdatedAt = into, cur.Version+1, k.Now()
		ch, err := k.Change(ctx, actor, ActionHandOver, "person", cur.ID, view(cur), handOverAudit{Record: view(next), Reason: reason, To: into})
		if err != nil {
			return err
		}
		if err := k.store.UpdatePerson(ctx, next, ch); err != nil {
			return err
		}
	}
	addresses, err := ListAll(func(p Page) ([]Address, error) {
		return k.store.ListAddresses(ctx, AddressFilter{UnitUnder: under}, p)
	}, func(a Address) Cursor { return Cursor{At: a.CreatedAt, ID: a.ID} })
	if err != nil {
		return err
	}
	for _, cur := range addresses {
		next := cur.Clone()
		next.UnitID, next.Version, next.UpdatedAt = into, cur.Version+1, k.Now()
		ch, err := k.Change(ctx, actor, ActionHandOver, "address", cur.ID, cur, handOverAudit{Record: next, Reason: reason, To: into})
		if err != nil {
			return err
		}
		if err := k.store.UpdateAddress(ctx, next, ch); err != nil {
			return err
		}
	}
	return nil
}

func recordIDs(recs []OpenRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.RecordType + "/" + r.ID
	}
	return out
}

// MoveChange is the audited change of one record a Move moves: before and
// after, with the move's reason and destination.
func (k *Kernel) MoveChange(ctx context.Context, m Move, recordType, id string, before, after any) (Change, error) {
	to := m.ToUnitID
	if to == "" {
		to = m.ToStaffID
	}
	return k.Change(ctx, m.Actor, ActionHandOver, recordType, id, before, handOverAudit{Record: after, Reason: m.Reason, To: to})
}

// MoveRecord is one record's part of a Move, for a workflow's MoveOpen:
// it reads the record r names, refuses it if its version is no longer the
// one listed (ErrConflict), lets move make the record afterwards (a copy,
// with the unit or assignee changed and the version and time given), and
// returns it with its audited change, for the workflow's store to write.
func MoveRecord[T any](ctx context.Context, k *Kernel, m Move, r OpenRecord, get func(context.Context, string) (T, error),
	version func(T) int64, move func(cur T, version int64, at time.Time) T) (T, Change, error) {
	var zero T
	cur, err := get(ctx, r.ID)
	if err != nil {
		return zero, Change{}, err
	}
	if version(cur) != r.Version {
		return zero, Change{}, errs.Stale(r.RecordType, r.ID, r.Version)
	}
	next := move(cur, r.Version+1, k.Now())
	ch, err := k.MoveChange(ctx, m, r.RecordType, r.ID, cur, next)
	if err != nil {
		return zero, Change{}, err
	}
	return next, ch, nil
}

// ListAll reads every page of a store list ordered by key (a store's list
// method with the page it is given), for the moves that take every open
// record at once.
func ListAll[T any](list func(p Page) ([]T, error), key func(T) Cursor) ([]T, error) {
	var all []T
	p := Page{Limit: MaxPageLimit}
	for {
		rows, err := list(Page{Limit: p.Limit + 1, After: p.After})
		if err != nil {
			return nil, err
		}
		page, next := PageOf(rows, p.Limit, key)
		all = append(all, page...)
		if next == "" {
			return all, nil
		}
		p.After = next
	}
}

// recordMoves are the moves of a closing, kept so that the records' past
// events stay counted where they happened (RecordMove).
func recordMoves(moved []OpenRecord, to string, at time.Time) []RecordMove {
	out := make([]RecordMove, 0, len(moved))
	for _, r := range moved {
		if r.UnitID != to {
			out = append(out, RecordMove{Kind: r.RecordType, RecordID: r.ID, FromUnit: r.UnitID, ToUnit: to, MovedAt: at})
		}
	}
	return out
}

// closeBelow closes the open units under a closing unit with it, into the
// same receiving unit, each audited: nothing new may be recorded in them
// either (openUnit).
func (k *Kernel) closeBelow(ctx context.Context, actor Actor, below []Unit, closing Unit, reason string) error {
	for _, u := range below {
		if u.ID == closing.ID || u.Closed() {
			continue
		}
		next := u
		next.Version, next.UpdatedAt, next.ClosedAt, next.ClosedInto = u.Version+1, closing.UpdatedAt, closing.ClosedAt, closing.ClosedInto
		ch, err := k.Change(ctx, actor, ActionHandOver, "unit", u.ID, u, handOverAudit{Record: next, Reason: reason, To: closing.ClosedInto})
		if err != nil {
			return err
		}
		if err := k.store.UpdateUnit(ctx, next, ch); err != nil {
			return err
		}
	}
	return nil
}
