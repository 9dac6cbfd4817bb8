// Package memstore is the in-memory mediation Store, built on the kernel's
// memstore.DB so that disputes, the audit chain, request keys, the inbox
// and the outbox share one lock and commit together, as they do in SQL.
// It is for tests, demos and embedding without a database.
package memstore

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	casemem "github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/grassroots-policing/grassroots/mediation"
)

// Store keeps disputes in memory. Every access goes through the DB's Read
// and Write, whose lock guards these maps too.
type Store struct {
	db       casemem.Host
	disputes map[string]mediation.Dispute
	// paths caches the unit path of each dispute's unit, read from the
	// kernel before the lock is taken (units never move), so subtree
	// filters need not call the kernel's store under its own lock.
	paths map[string]string
}

var _ mediation.Store = (*Store)(nil)

// New returns an empty store on db, the database the kernel uses.
func New(db casemem.Host) *Store {
	s := &Store{db: db, disputes: map[string]mediation.Dispute{}, paths: map[string]string{}}
	db.Join(s)
	return s
}

// Snapshot implements casemem.Participant, so that a failed atomic write
// of the database (a person merge) puts the disputes back too. Stored
// disputes are replaced, never changed in place, so a copy of the map is a
// snapshot; paths is a cache of facts that never change.
func (s *Store) Snapshot() (restore func()) {
	disputes := maps.Clone(s.disputes)
	return func() { s.disputes = disputes }
}

func version(d mediation.Dispute) int64           { return d.Version }
func clone(d mediation.Dispute) mediation.Dispute { return d.Clone() }
func cursor(d mediation.Dispute) casework.Cursor  { return casework.Cursor{At: d.CreatedAt, ID: d.ID} }

// unitPath resolves a unit as a foreign key would: a dispute of a unit
// that does not exist is invalid.
func (s *Store) unitPath(ctx context.Context, id string) (string, error) {
	u, err := s.db.GetUnit(ctx, id)
	if errors.Is(err, errs.ErrNotFound) {
		return "", errs.Invalid("unitId", "exists", "no unit %q", id)
	}
	return u.Path, err
}

// CreateDispute implements mediation.Store.
func (s *Store) CreateDispute(ctx context.Context, d mediation.Dispute, ch casework.Change) error {
	d = d.Clone()
	path, err := s.unitPath(ctx, d.UnitID)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, ch, func() error {
		if err := casemem.Insert(s.disputes, d.ID, d, mediation.RecordType); err != nil {
			return err
		}
		s.paths[d.UnitID] = path
		return nil
	})
}

// UpdateDispute implements mediation.Store.
func (s *Store) UpdateDispute(ctx context.Context, d mediation.Dispute, ch casework.Change) error {
	d = d.Clone()
	path, err := s.unitPath(ctx, d.UnitID)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, ch, func() error {
		if err := casemem.Replace(s.disputes, d.ID, d, version, mediation.RecordType); err != nil {
			return err
		}
		s.paths[d.UnitID] = path
		return nil
	})
}

// GetDispute implements mediation.Store.
func (s *Store) GetDispute(ctx context.Context, id string) (d mediation.Dispute, err error) {
	err = s.db.Read(ctx, func() error {
		d, err = casemem.Get(s.disputes, id, clone, mediation.RecordType)
		return err
	})
	return d, err
}

// match reports whether d passes f; call it under the lock.
func (s *Store) match(d mediation.Dispute, f mediation.Filter) bool {
	switch {
	case f.UnitUnder != "" && !casework.Contains(f.UnitUnder, s.paths[d.UnitID]),
		len(f.States) > 0 && !slices.Contains(f.States, d.State),
		f.Category != "" && d.Category != f.Category && mediation.CategoryTop(d.Category) != f.Category,
		f.Risk != "" && d.Risk != f.Risk,
		f.Kind != "" && d.Kind != f.Kind,
		f.Source != "" && d.Source != f.Source,
		f.PartyDocIndex != "" && !slices.Contains(d.PartyDocIndex, f.PartyDocIndex),
		f.AssignedTo != "" && !slices.Contains(d.Assigned, f.AssignedTo),
		f.PersonID != "" && !slices.Contains(d.PersonIDs(), f.PersonID),
		!f.ReportedFrom.IsZero() && d.ReportedAt.Before(f.ReportedFrom),
		!f.ReportedTo.IsZero() && !d.ReportedAt.Before(f.ReportedTo),
		!f.DueBy.IsZero() && (d.NextDue.IsZero() || d.NextDue.After(f.DueBy)):
		return false
	}
	return true
}

// ListDisputes implements mediation.Store.
func (s *Store) ListDisputes(ctx context.Context, f mediation.Filter, p casework.Page) (out []mediation.Dispute, err error) {
	err = s.db.Read(ctx, func() error {
		out, err = casemem.List(s.disputes, func(d mediation.Dispute) bool { return s.match(d, f) }, cursor, clone, p)
		return err
	})
	return out, err
}

// Totals implements mediation.Store.
// TotalsGrid implements mediation.Store cell by cell.
func (s *Store) TotalsGrid(ctx context.Context, g casework.Grid) ([]mediation.TotalsRow, error) {
	return casework.GridCells(ctx, g, func(ctx context.Context, path string, start, end time.Time) (mediation.TotalsRow, error) {
		rows, err := s.Totals(ctx, mediation.TotalsQuery{UnitUnder: path, Start: start, End: end})
		if err != nil {
			return mediation.TotalsRow{}, err
		}
		return rows[0], nil
	})
}

func (s *Store) Totals(ctx context.Context, q mediation.TotalsQuery) (out []mediation.TotalsRow, err error) {
	period := casework.Period{Start: q.Start, End: q.End}
	err = s.db.Read(ctx, func() error {
		rows := map[string]*mediation.TotalsRow{}
		for _, d := range s.disputes {
			// Each event counts in the unit that held the dispute when it
			// happened (a unit's closing moves open disputes), and a
			// breakdown by unit groups it under that unit too.
			for i, t := range []time.Time{d.ReportedAt, d.AcceptedAt, d.SettledAt, d.FailedAt, d.ReferredAt, d.ReopenedAt} {
				unit := casemem.UnitAt(s.db, mediation.RecordType, d.ID, d.UnitID, t)
				if !period.Contains(t) || (q.UnitUnder != "" && !casework.Contains(q.UnitUnder, s.paths[unit])) {
					continue
				}
				key := mediation.GroupKey(d, q.By)
				if q.By == mediation.ByUnit {
					key = unit
				}
				acc, ok := rows[key]
				if !ok {
					acc = &mediation.TotalsRow{Key: key}
					rows[key] = acc
				}
				*[]*int64{&acc.Found, &acc.Accepted, &acc.Settled, &acc.Failed, &acc.Referred, &acc.Reopened}[i]++
			}
		}
		for _, r := range rows {
			out = append(out, *r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if q.By == mediation.ByNone && len(out) == 0 {
		out = []mediation.TotalsRow{{}}
	}
	slices.SortFunc(out, func(a, b mediation.TotalsRow) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}
