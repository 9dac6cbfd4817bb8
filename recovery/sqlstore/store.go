// Package sqlstore is the SQL recovery.Store for SQLite and PostgreSQL,
// built on the kernel store's database handle so that every write commits
// its records and the kernel's audit entries in one transaction. The SQL is
// written once, with $n placeholders, for both engines.
package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	ksql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/recovery"
)

// Store is the SQL recovery store. It is safe for concurrent use by any
// number of goroutines and processes sharing one database.
type Store struct {
	k     ksql.Host
	db    *sql.DB
	d     *sqlx.Dialect
	lists *ksql.Lister // the lists within a subtree
}

var _ recovery.Store = (*Store)(nil)

// New builds the store on the kernel's SQL store (or any ksql.Host).
// Call Migrate, or the kernel's MigrateAll with this store, before use.
func New(k ksql.Host) *Store {
	return &Store{k: k, db: k.DB(), d: &sqlx.Dialect{Engine: k.Engine()}, lists: ksql.NewLister(k.DB())}
}

type scanner = sqlx.Scanner

func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(from+i))
	}
	return b.String()
}

// --- items ---

const itemCols = `id, unit_id, case_id, origin, category, description, identifiers, quantity, value_fen, value_confirmed,
	owner_person_id, state, stolen_at, stolen_place, recovered_at, recovered_place, hold_until, identified_at, returned_at,
	unclaimed_at, disposed_at, matched_item_id, return_id, disposal_id, holder_kind, holder_id, holder_name, custody_seq,
	traces, source, version, created_at, updated_at`

func itemArgs(it recovery.Item) []any {
	return []any{it.ID, it.UnitID, sqlx.S(it.CaseID), string(it.Origin), it.Category, it.Description, sqlx.List(it.Identifiers),
		it.Quantity, it.ValueFen, it.ValueConfirmed, sqlx.S(it.OwnerPersonID), string(it.State), sqlx.T(it.StolenAt), sqlx.S(it.StolenPlace),
		sqlx.T(it.RecoveredAt), sqlx.S(it.RecoveredPlace), sqlx.T(it.HoldUntil), sqlx.T(it.IdentifiedAt), sqlx.T(it.ReturnedAt),
		sqlx.T(it.UnclaimedAt), sqlx.T(it.DisposedAt), sqlx.S(it.MatchedItemID), sqlx.S(it.ReturnID), sqlx.S(it.DisposalID),
		sqlx.S(string(it.Holder.Kind)), sqlx.S(it.Holder.ID), sqlx.S(it.Holder.Name), it.CustodySeq,
		sqlx.List(it.Traces), sqlx.JSON{V: it.Source}, it.Version, sqlx.T(it.CreatedAt), sqlx.T(it.UpdatedAt)}
}

func scanItem(r scanner) (recovery.Item, error) {
	var it recovery.Item
	var origin, state, holderKind string
	err := r.Scan(&it.ID, &it.UnitID, sqlx.Str{S: &it.CaseID}, &origin, &it.Category, &it.Description, sqlx.JSON{V: &it.Identifiers},
		&it.Quantity, &it.ValueFen, &it.ValueConfirmed, sqlx.Str{S: &it.OwnerPersonID}, &state, sqlx.Time{T: &it.StolenAt},
		sqlx.Str{S: &it.StolenPlace}, sqlx.Time{T: &it.RecoveredAt}, sqlx.Str{S: &it.RecoveredPlace}, sqlx.Time{T: &it.HoldUntil},
		sqlx.Time{T: &it.IdentifiedAt}, sqlx.Time{T: &it.ReturnedAt}, sqlx.Time{T: &it.UnclaimedAt}, sqlx.Time{T: &it.DisposedAt},
		sqlx.Str{S: &it.MatchedItemID}, sqlx.Str{S: &it.ReturnID}, sqlx.Str{S: &it.DisposalID}, sqlx.Str{S: &holderKind},
		sqlx.Str{S: &it.Holder.ID}, sqlx.Str{S: &it.Holder.Name}, &it.CustodySeq, sqlx.JSON{V: &it.Traces}, sqlx.JSON{V: &it.Source},
		&it.Version, sqlx.Time{T: &it.CreatedAt}, sqlx.Time{T: &it.UpdatedAt})
	it.Origin, it.State, it.Holder.Kind = recovery.Origin(origin), recovery.State(state), recovery.HolderKind(holderKind)
	if len(it.Identifiers) == 0 {
		it.Identifiers = nil
	}
	if len(it.Traces) == 0 {
		it.Traces = nil
	}
	return it, err
}

func (s *Store) insertItem(ctx context.Context, tx *sql.Tx, it recovery.Item) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_items (`+itemCols+`) VALUES (`+placeholders(1, 33)+`)`, itemArgs(it)...); err != nil {
		return err
	}
	return s.insertIdentifiers(ctx, tx, it)
}

func (s *Store) insertIdentifiers(ctx context.Context, tx *sql.Tx, it recovery.Item) error {
	seen := map[casework.Identifier]bool{}
	for _, id := range it.Identifiers {
		if seen[id] {
			continue
		}
		seen[id] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_item_identifiers (item_id, kind, value) VALUES ($1, $2, $3)`,
			it.ID, id.Kind, id.Value); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) updateItem(ctx context.Context, tx *sql.Tx, it recovery.Item) error {
	args := append(itemArgs(it), it.Version-1)
	res, err := tx.ExecContext(ctx, `UPDATE recovery_items SET unit_id = $2, case_id = $3, origin = $4, category = $5,
		description = $6, identifiers = $7, quantity = $8, value_fen = $9, value_confirmed = $10, owner_person_id = $11,
		state = $12, stolen_at = $13, stolen_place = $14, recovered_at = $15, recovered_place = $16, hold_until = $17,
		identified_at = $18, returned_at = $19, unclaimed_at = $20, disposed_at = $21, matched_item_id = $22, return_id = $23,
		disposal_id = $24, holder_kind = $25, holder_id = $26, holder_name = $27, custody_seq = $28, traces = $29,
		source = $30, version = $31, created_at = $32, updated_at = $33 WHERE id = $1 AND version = $34`, args...)
	if err != nil {
		return err
	}
	if err := sqlx.CheckCAS(ctx, tx, res, "recovery_items", "recovery item", it.ID, it.Version-1); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_item_identifiers WHERE item_id = $1`, it.ID); err != nil {
		return err
	}
	return s.insertIdentifiers(ctx, tx, it)
}

// --- custody ---

const custodyCols = `item_id, seq, kind, from_kind, from_id, from_name, to_kind, to_id, to_name, actor_id, unit_id, witness_id,
	at, reason, item_condition, seal, seal_number, photos, corrects, created_at`

func scanCustody(r scanner) (recovery.CustodyEntry, error) {
	var e recovery.CustodyEntry
	var kind, fromKind, toKind, seal string
	err := r.Scan(&e.ItemID, &e.Seq, &kind, sqlx.Str{S: &fromKind}, sqlx.Str{S: &e.From.ID}, sqlx.Str{S: &e.From.Name}, &toKind,
		sqlx.Str{S: &e.To.ID}, sqlx.Str{S: &e.To.Name}, &e.ActorID, &e.UnitID, sqlx.Str{S: &e.WitnessID}, sqlx.Time{T: &e.At},
		&e.Reason, &e.Condition, &seal, sqlx.Str{S: &e.SealNumber}, sqlx.JSON{V: &e.Photos}, &e.Corrects, sqlx.Time{T: &e.CreatedAt})
	e.Kind, e.From.Kind, e.To.Kind, e.Seal = recovery.EntryKind(kind), recovery.HolderKind(fromKind), recovery.HolderKind(toKind), recovery.SealState(seal)
	if len(e.Photos) == 0 {
		e.Photos = nil
	}
	return e, err
}

func (s *Store) appendCustody(ctx context.Context, tx *sql.Tx, e recovery.CustodyEntry) error {
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM recovery_custody WHERE item_id = $1`, e.ItemID).Scan(&last); err != nil {
		return err
	}
	if e.Seq != last+1 {
		return errs.New(errs.ErrConflict, "custody entry %s#%d is not the next entry (%d)", e.ItemID, e.Seq, last+1)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO recovery_custody (`+custodyCols+`) VALUES (`+placeholders(1, 20)+`)`,
		e.ItemID, e.Seq, string(e.Kind), sqlx.S(string(e.From.Kind)), sqlx.S(e.From.ID), sqlx.S(e.From.Name), string(e.To.Kind),
		sqlx.S(e.To.ID), sqlx.S(e.To.Name), e.ActorID, e.UnitID, sqlx.S(e.WitnessID), sqlx.T(e.At), e.Reason, e.Condition,
		string(e.Seal), sqlx.S(e.SealNumber), sqlx.List(e.Photos), e.Corrects, sqlx.T(e.CreatedAt))
	return err
}

// --- returns ---

const returnCols = `id, unit_id, item_id, case_id, state, owner_person_id, recipient_person_id, delegate, authorisation,
	requested_by, requested_at, request_note, decided_by, decided_at, decision_note, event_id, receipt, completed_by,
	completed_at, identity_checked, attempts, version, created_at, updated_at`

func returnArgs(r recovery.Return) []any {
	return []any{r.ID, r.UnitID, r.ItemID, sqlx.S(r.CaseID), string(r.State), sqlx.S(r.OwnerPersonID), r.RecipientPersonID,
		r.Delegate, sqlx.JSON{V: r.Authorisation}, r.RequestedBy, sqlx.T(r.RequestedAt), sqlx.S(r.RequestNote), sqlx.S(r.DecidedBy),
		sqlx.T(r.DecidedAt), sqlx.S(r.DecisionNote), sqlx.S(r.EventID), sqlx.JSON{V: r.Receipt}, sqlx.S(r.CompletedBy),
		sqlx.T(r.CompletedAt), r.IdentityChecked, sqlx.List(r.Attempts), r.Version, sqlx.T(r.CreatedAt), sqlx.T(r.UpdatedAt)}
}

func scanReturn(row scanner) (recovery.Return, error) {
	var r recovery.Return
	var state string
	err := row.Scan(&r.ID, &r.UnitID, &r.ItemID, sqlx.Str{S: &r.CaseID}, &state, sqlx.Str{S: &r.OwnerPersonID}, &r.RecipientPersonID,
		&r.Delegate, sqlx.JSON{V: &r.Authorisation}, &r.RequestedBy, sqlx.Time{T: &r.RequestedAt}, sqlx.Str{S: &r.RequestNote},
		sqlx.Str{S: &r.DecidedBy}, sqlx.Time{T: &r.DecidedAt}, sqlx.Str{S: &r.DecisionNote}, sqlx.Str{S: &r.EventID},
		sqlx.JSON{V: &r.Receipt}, sqlx.Str{S: &r.CompletedBy}, sqlx.Time{T: &r.CompletedAt}, &r.IdentityChecked,
		sqlx.JSON{V: &r.Attempts}, &r.Version, sqlx.Time{T: &r.CreatedAt}, sqlx.Time{T: &r.UpdatedAt})
	r.State = recovery.ReturnState(state)
	if len(r.Attempts) == 0 {
		r.Attempts = nil
	}
	return r, err
}

// --- events ---

const eventCols = `id, unit_id, name, event_date, place, state, return_ids, results, created_by, held_by, held_at, version,
	created_at, updated_at`

func eventArgs(e recovery.Event) []any {
	return []any{e.ID, e.UnitID, e.Name, sqlx.T(e.Date), e.Place, string(e.State), sqlx.List(e.ReturnIDs),
		sqlx.List(e.Results), e.CreatedBy, sqlx.S(e.HeldBy), sqlx.T(e.HeldAt), e.Version, sqlx.T(e.CreatedAt), sqlx.T(e.UpdatedAt)}
}

func scanEvent(row scanner) (recovery.Event, error) {
	var e recovery.Event
	var state string
	err := row.Scan(&e.ID, &e.UnitID, &e.Name, sqlx.Time{T: &e.Date}, &e.Place, &state, sqlx.JSON{V: &e.ReturnIDs},
		sqlx.JSON{V: &e.Results}, &e.CreatedBy, sqlx.Str{S: &e.HeldBy}, sqlx.Time{T: &e.HeldAt}, &e.Version,
		sqlx.Time{T: &e.CreatedAt}, sqlx.Time{T: &e.UpdatedAt})
	e.State = recovery.EventState(state)
	if len(e.ReturnIDs) == 0 {
		e.ReturnIDs = nil
	}
	if len(e.Results) == 0 {
		e.Results = nil
	}
	return e, err
}

// --- disposals ---

const disposalCols = `id, unit_id, item_id, method, state, reason, requested_by, requested_at, decided_by, decided_at,
	decision_note, proceeds_fen, recipient, document, completed_by, completed_at, version, created_at, updated_at`

func disposalArgs(d recovery.Disposal) []any {
	return []any{d.ID, d.UnitID, d.ItemID, string(d.Method), string(d.State), d.Reason, d.RequestedBy, sqlx.T(d.RequestedAt),
		sqlx.S(d.DecidedBy), sqlx.T(d.DecidedAt), sqlx.S(d.DecisionNote), d.ProceedsFen, sqlx.S(d.Recipient),
		sqlx.JSON{V: d.Document}, sqlx.S(d.CompletedBy), sqlx.T(d.CompletedAt), d.Version, sqlx.T(d.CreatedAt), sqlx.T(d.UpdatedAt)}
}

func scanDisposal(row scanner) (recovery.Disposal, error) {
	var d recovery.Disposal
	var method, state string
	err := row.Scan(&d.ID, &d.UnitID, &d.ItemID, &method, &state, &d.Reason, &d.RequestedBy, sqlx.Time{T: &d.RequestedAt},
		sqlx.Str{S: &d.DecidedBy}, sqlx.Time{T: &d.DecidedAt}, sqlx.Str{S: &d.DecisionNote}, &d.ProceedsFen,
		sqlx.Str{S: &d.Recipient}, sqlx.JSON{V: &d.Document}, sqlx.Str{S: &d.CompletedBy}, sqlx.Time{T: &d.CompletedAt},
		&d.Version, sqlx.Time{T: &d.CreatedAt}, sqlx.Time{T: &d.UpdatedAt})
	d.Method, d.State = recovery.DisposalMethod(method), recovery.DisposalState(state)
	return d, err
}

// insertRow and updateRow write the simple tables (returns, events,
// disposals): an update rewrites every column but id under
// compare-and-swap, as the memory store replaces the whole record.
func insertRow(ctx context.Context, tx *sql.Tx, table, cols string, args []any) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (`+cols+`) VALUES (`+placeholders(1, len(args))+`)`, args...)
	return err
}

func updateRow(ctx context.Context, tx *sql.Tx, table, recordType, cols string, args []any, id string, version int64) error {
	names := strings.Split(cols, ",")
	var set []string
	for i, n := range names {
		if n = strings.TrimSpace(n); n != "id" {
			set = append(set, n+" = $"+strconv.Itoa(i+1))
		}
	}
	q := `UPDATE ` + table + ` SET ` + strings.Join(set, ", ") + ` WHERE id = $1 AND version = $` + strconv.Itoa(len(args)+1)
	res, err := tx.ExecContext(ctx, q, append(args, version-1)...)
	if err != nil {
		return err
	}
	return sqlx.CheckCAS(ctx, tx, res, table, recordType, id, version-1)
}

// Apply implements recovery.Store: one transaction through the kernel
// store, which appends the audit entries of ch last, under the chain lock.
func (s *Store) Apply(ctx context.Context, b recovery.Batch, ch casework.Change) error {
	return s.k.Write(ctx, ch, func(tx *sql.Tx) error {
		for _, it := range b.NewItems {
			if err := s.insertItem(ctx, tx, it); err != nil {
				return err
			}
		}
		for _, it := range b.Items {
			if err := s.updateItem(ctx, tx, it); err != nil {
				return err
			}
		}
		for _, e := range b.Custody {
			if err := s.appendCustody(ctx, tx, e); err != nil {
				return err
			}
		}
		for _, r := range b.NewReturns {
			if err := insertRow(ctx, tx, "recovery_returns", returnCols, returnArgs(r)); err != nil {
				return err
			}
		}
		for _, r := range b.Returns {
			if err := updateRow(ctx, tx, "recovery_returns", "recovery return", returnCols, returnArgs(r), r.ID, r.Version); err != nil {
				return err
			}
		}
		for _, e := range b.NewEvents {
			if err := insertRow(ctx, tx, "recovery_events", eventCols, eventArgs(e)); err != nil {
				return err
			}
		}
		for _, e := range b.Events {
			if err := updateRow(ctx, tx, "recovery_events", "recovery event", eventCols, eventArgs(e), e.ID, e.Version); err != nil {
				return err
			}
		}
		for _, d := range b.NewDisposals {
			if err := insertRow(ctx, tx, "recovery_disposals", disposalCols, disposalArgs(d)); err != nil {
				return err
			}
		}
		for _, d := range b.Disposals {
			if err := updateRow(ctx, tx, "recovery_disposals", "recovery disposal", disposalCols, disposalArgs(d), d.ID, d.Version); err != nil {
				return err
			}
		}
		return nil
	})
}

// GetItem implements recovery.Store.
func (s *Store) GetItem(ctx context.Context, id string) (recovery.Item, error) {
	it, err := scanItem(s.db.QueryRowContext(ctx, `SELECT `+itemCols+` FROM recovery_items WHERE id = $1`, id))
	return it, sqlx.NotFound(err, "recovery item", id)
}

// timeRange adds a half-open [from, to) condition on a BIGINT time column;
// a zero bound is open, and a NULL time never matches a bound.
func timeRange(q string, a *sqlx.Args, col string, from, to time.Time) string {
	if !from.IsZero() {
		q += ` AND ` + col + ` >= ` + a.Add(from.UnixMicro())
	}
	if !to.IsZero() {
		q += ` AND ` + col + ` < ` + a.Add(to.UnixMicro())
	}
	return q
}

func inList[T ~string](q string, a *sqlx.Args, col string, vals []T) string {
	if len(vals) == 0 {
		return q
	}
	ss := make([]string, len(vals))
	for i, v := range vals {
		ss[i] = string(v)
	}
	return q + ` AND ` + col + ` IN (` + sqlx.In(a, ss) + `)`
}

// ListItems implements recovery.Store.
func (s *Store) ListItems(ctx context.Context, f recovery.ItemFilter, p casework.Page) ([]recovery.Item, error) {
	var a sqlx.Args
	q := inList("", &a, "state", f.States)
	if f.Origin != "" {
		q += ` AND origin = ` + a.Add(string(f.Origin))
	}
	if f.Category != "" {
		q += ` AND category = ` + a.Add(f.Category)
	}
	if f.CaseID != "" {
		q += ` AND case_id = ` + a.Add(f.CaseID)
	}
	if f.OwnerPersonID != "" {
		q += ` AND owner_person_id = ` + a.Add(f.OwnerPersonID)
	}
	if f.Identifier != "" {
		q += ` AND id IN (SELECT item_id FROM recovery_item_identifiers WHERE value = ` + a.Add(f.Identifier) + `)`
	}
	if f.Unmatched {
		q += ` AND matched_item_id IS NULL`
	}
	q = timeRange(q, &a, "stolen_at", f.StolenFrom, f.StolenTo)
	q = timeRange(q, &a, "recovered_at", f.RecoveredFrom, f.RecoveredTo)
	if !f.HoldExpired.IsZero() {
		q += ` AND hold_until IS NOT NULL AND hold_until <= ` + a.Add(sqlx.T(f.HoldExpired))
	}
	if f.IDs != nil {
		q += ` AND id IN (` + sqlx.In(&a, f.IDs) + `)`
	}
	// A station's list walks recovery_items_unit (ksql.ListUnder).
	return ksql.ListUnder(ctx, s.lists, f.UnitUnder, &a, p, ksql.UnitPage{Table: "recovery_items", Cols: itemCols,
		UnitCol: "unit_id", AtCol: "created_at", IDCol: "id", Where: q}, scanItem)
}

// Custody implements recovery.Store.
func (s *Store) Custody(ctx context.Context, itemID string) ([]recovery.CustodyEntry, error) {
	return sqlx.QueryAll(ctx, s.db, `SELECT `+custodyCols+` FROM recovery_custody WHERE item_id = $1 ORDER BY seq`, []any{itemID}, scanCustody)
}

// GetReturn implements recovery.Store.
func (s *Store) GetReturn(ctx context.Context, id string) (recovery.Return, error) {
	r, err := scanReturn(s.db.QueryRowContext(ctx, `SELECT `+returnCols+` FROM recovery_returns WHERE id = $1`, id))
	return r, sqlx.NotFound(err, "recovery return", id)
}

// ListReturns implements recovery.Store.
func (s *Store) ListReturns(ctx context.Context, f recovery.ReturnFilter, p casework.Page) ([]recovery.Return, error) {
	var a sqlx.Args
	q := `SELECT ` + returnCols + ` FROM recovery_returns WHERE 1 = 1`
	if f.UnitUnder != "" {
		q += ` AND ` + sqlx.Under("unit_id", a.Add(f.UnitUnder))
	}
	if f.ItemID != "" {
		q += ` AND item_id = ` + a.Add(f.ItemID)
	}
	if f.CaseID != "" {
		q += ` AND case_id = ` + a.Add(f.CaseID)
	}
	if f.EventID != "" {
		q += ` AND event_id = ` + a.Add(f.EventID)
	}
	if f.IDs != nil {
		q += ` AND id IN (` + sqlx.In(&a, f.IDs) + `)`
	}
	if f.PersonID != "" {
		id := a.Add(f.PersonID)
		q += ` AND (owner_person_id = ` + id + ` OR recipient_person_id = ` + id + `)`
	}
	q = inList(q, &a, "state", f.States)
	q, err := ksql.PageClause(q, &a, p, "created_at", "id")
	if err != nil {
		return nil, err
	}
	return sqlx.QueryAll(ctx, s.db, q, a.List, scanReturn)
}

// GetEvent implements recovery.Store.
func (s *Store) GetEvent(ctx context.Context, id string) (recovery.Event, error) {
	e, err := scanEvent(s.db.QueryRowContext(ctx, `SELECT `+eventCols+` FROM recovery_events WHERE id = $1`, id))
	return e, sqlx.NotFound(err, "recovery event", id)
}

// ListEvents implements recovery.Store.
func (s *Store) ListEvents(ctx context.Context, f recovery.EventFilter, p casework.Page) ([]recovery.Event, error) {
	var a sqlx.Args
	q := `SELECT ` + eventCols + ` FROM recovery_events WHERE 1 = 1`
	if f.UnitUnder != "" {
		q += ` AND ` + sqlx.Under("unit_id", a.Add(f.UnitUnder))
	}
	q = inList(q, &a, "state", f.States)
	q = timeRange(q, &a, "event_date", f.From, f.To)
	q, err := ksql.PageClause(q, &a, p, "created_at", "id")
	if err != nil {
		return nil, err
	}
	return sqlx.QueryAll(ctx, s.db, q, a.List, scanEvent)
}

// GetDisposal implements recovery.Store.
func (s *Store) GetDisposal(ctx context.Context, id string) (recovery.Disposal, error) {
	d, err := scanDisposal(s.db.QueryRowContext(ctx, `SELECT `+disposalCols+` FROM recovery_disposals WHERE id = $1`, id))
	return d, sqlx.NotFound(err, "recovery disposal", id)
}

// ListDisposals implements recovery.Store.
func (s *Store) ListDisposals(ctx context.Context, f recovery.DisposalFilter, p casework.Page) ([]recovery.Disposal, error) {
	var a sqlx.Args
	q := `SELECT ` + disposalCols + ` FROM recovery_disposals WHERE 1 = 1`
	if f.UnitUnder != "" {
		q += ` AND ` + sqlx.Under("unit_id", a.Add(f.UnitUnder))
	}
	if f.ItemID != "" {
		q += ` AND item_id = ` + a.Add(f.ItemID)
	}
	q = inList(q, &a, "state", f.States)
	q, err := ksql.PageClause(q, &a, p, "created_at", "id")
	if err != nil {
		return nil, err
	}
	return sqlx.QueryAll(ctx, s.db, q, a.List, scanDisposal)
}

// Totals implements recovery.Store: one query, a UNION ALL with one branch
// per counted event, each with the period in WHERE on the event's
// (unit_id, time) index (migration step 3), so a year's totals read that
// year's rows of the subtree and not its whole history.
func (s *Store) Totals(ctx context.Context, f recovery.TotalsFilter) (recovery.Totals, error) {
	if f.UnitUnder != "" && !f.Start.IsZero() && !f.End.IsZero() {
		// A subtree over a bounded period is a grid of one cell, which
		// counts the past events of items a unit's closing moved in the
		// unit that held them (ksql.QueryGrid's correction).
		t, err := s.TotalsGrid(ctx, casework.Grid{Paths: []string{f.UnitUnder}, Bounds: []time.Time{f.Start, f.End}})
		if err != nil {
			return recovery.Totals{}, err
		}
		return t[0], nil
	}
	var a sqlx.Args
	// A zero bound is open, as in recovery.In; a NULL time never counts.
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if !f.Start.IsZero() {
		lo = f.Start.UnixMicro()
	}
	if !f.End.IsZero() {
		hi = f.End.UnixMicro()
	}
	start, end := a.Add(lo), a.Add(hi)
	under := ""
	if f.UnitUnder != "" {
		under = ` AND ` + sqlx.Under("unit_id", a.Add(f.UnitUnder))
	}
	var t recovery.Totals
	branches := []struct {
		table, col, where, sum string
		n, v                   *int64
	}{
		{"recovery_items", "recovered_at", "", "value_fen", &t.ItemsRecovered, &t.ValueRecoveredFen},
		{"recovery_items", "returned_at", "", "value_fen", &t.ItemsReturned, &t.ValueReturnedFen},
		{"recovery_items", "unclaimed_at", "", "0", &t.ItemsUnclaimed, nil},
		{"recovery_items", "disposed_at", "", "0", &t.ItemsDisposed, nil},
		{"recovery_events", "held_at", ` AND state = 'held'`, "0", &t.ReturnEvents, nil},
		{"recovery_disposals", "completed_at", ` AND state = 'completed'`, "proceeds_fen", nil, &t.DisposalProceedsFen},
	}
	sel := make([]string, len(branches))
	for i, b := range branches {
		sel[i] = fmt.Sprintf(`SELECT %d, COUNT(*), CAST(COALESCE(SUM(%s), 0) AS BIGINT) FROM %s WHERE %s >= %s AND %s < %s%s%s`,
			i, b.sum, b.table, b.col, start, b.col, end, b.where, under)
	}
	rows, err := sqlx.Reader(ctx, s.db).QueryContext(ctx, strings.Join(sel, " UNION ALL "), a.List...)
	if err != nil {
		return recovery.Totals{}, sqlx.Translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var i int
		var n, v int64
		if err := rows.Scan(&i, &n, &v); err != nil {
			return recovery.Totals{}, sqlx.Translate(err)
		}
		if b := branches[i]; b.n != nil {
			*b.n = n
		}
		if b := branches[i]; b.v != nil {
			*b.v = v
		}
	}
	if err := rows.Err(); err != nil {
		return recovery.Totals{}, sqlx.Translate(err)
	}
	return t, nil
}

// totalsBranches are TotalsGrid's branches, each kept as roll-up rows
// (migration step 6).
var totalsBranches = []ksql.GridBranch{
	itemEvent("recovered_at", "t.value_fen"),
	itemEvent("returned_at", "t.value_fen"),
	itemEvent("unclaimed_at", "0"),
	itemEvent("disposed_at", "0"),
	{Table: "recovery_events", Time: "held_at", Where: "t.state = 'held'", Aggs: []string{"COUNT(*)"}, Rollup: "recovery_events_held"},
	{Table: "recovery_disposals", Time: "completed_at", Where: "t.state = 'completed'", Aggs: []string{"COUNT(*)", "COALESCE(SUM(t.proceeds_fen), 0)"},
		Rollup: "recovery_disposals_completed"},
}

// itemEvent is the items of an event column, counted with the sum of sum.
func itemEvent(col, sum string) ksql.GridBranch {
	return ksql.GridBranch{Table: "recovery_items", Time: col, Aggs: []string{"COUNT(*)", "COALESCE(SUM(" + sum + "), 0)"}, Kind: recovery.RecordItem,
		Rollup: "recovery_items_" + strings.TrimSuffix(col, "_at")}
}

// TotalsGrid implements recovery.Store: one statement for every cell, a
// grouped branch per counted event on its (unit_id, time) index
// (casesql.QueryGrid).
func (s *Store) TotalsGrid(ctx context.Context, g casework.Grid) ([]recovery.Totals, error) {
	out := make([]recovery.Totals, g.Len())
	err := ksql.QueryGrid(ctx, s.k, g, totalsBranches, func(x ksql.GridCell) {
		t := &out[g.Cell(x.R, x.C)]
		switch x.Branch {
		case 0:
			t.ItemsRecovered, t.ValueRecoveredFen = x.V[0], x.V[1]
		case 1:
			t.ItemsReturned, t.ValueReturnedFen = x.V[0], x.V[1]
		case 2:
			t.ItemsUnclaimed = x.V[0]
		case 3:
			t.ItemsDisposed = x.V[0]
		case 4:
			t.ReturnEvents = x.V[0]
		case 5:
			t.DisposalProceedsFen = x.V[1]
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
