// Package memstore is the in-memory cases.Store, built on the kernel's
// memstore.DB so that cases and leads, the audit chain, request keys, the
// inbox, the outbox and shares share one lock and commit together, as they
// do in SQL. It is for tests, demos and embedding without a database.
package memstore

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	casemem "github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Store is the in-memory cases.Store on a shared DB: its writes take the
// DB's lock and commit their Change into the DB's audit chain, outbox,
// request keys, inbox and shares. Build one per DB.
type Store struct {
	db casemem.Host

	// fileMu serialises FileCase, so that the sequence handed to the file
	// callback (which runs outside the DB lock) is still the next one when
	// the write commits.
	fileMu sync.Mutex

	// Guarded by db.mu.
	cases    map[string]cases.Case
	numbers  map[string]string // case number → case id
	leads    map[string]cases.Lead
	counters map[cases.NumberKey]int64
	// paths caches the unit path of each case's and lead's unit, read from
	// the kernel before the lock is taken (units never move), so subtree
	// filters need not call the kernel's store under its own lock.
	paths map[string]string
}

var _ cases.Store = (*Store)(nil)

// New returns an empty case store on db, the database the kernel uses.
func New(db casemem.Host) *Store {
	s := &Store{db: db, cases: map[string]cases.Case{}, numbers: map[string]string{},
		leads: map[string]cases.Lead{}, counters: map[cases.NumberKey]int64{}, paths: map[string]string{}}
	db.Join(s)
	return s
}

// Snapshot implements casemem.Participant, so that a failed atomic write
// of the database (a person merge) puts cases and leads back too. Stored
// values are replaced, never changed in place, so copies of the maps are a
// snapshot; paths is a cache of facts that never change.
func (s *Store) Snapshot() (restore func()) {
	cs, numbers, leads, counters := maps.Clone(s.cases), maps.Clone(s.numbers), maps.Clone(s.leads), maps.Clone(s.counters)
	return func() { s.cases, s.numbers, s.leads, s.counters = cs, numbers, leads, counters }
}

// unitPaths resolves the units of a write as a foreign key would: a case
// or lead of a unit that does not exist is invalid.
func (s *Store) unitPaths(ctx context.Context, w cases.Write) (map[string]string, error) {
	out := map[string]string{}
	add := func(id string) error {
		if _, ok := out[id]; ok {
			return nil
		}
		u, err := s.db.GetUnit(ctx, id)
		if errors.Is(err, errs.ErrNotFound) {
			return errs.Invalid("unitId", "exists", "no unit %q", id)
		}
		out[id] = u.Path
		return err
	}
	for _, c := range append(slices.Clone(w.NewCases), w.Cases...) {
		if err := add(c.UnitID); err != nil {
			return nil, err
		}
	}
	for _, l := range append(slices.Clone(w.NewLeads), w.Leads...) {
		if err := add(l.UnitID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func caseClone(c cases.Case) cases.Case {
	c = c.Clone()
	c.SharedWith = nil
	return c
}
func leadClone(l cases.Lead) cases.Lead { return l.Clone() }

// CommitCases implements cases.Store. Every create and update is
// checked before anything changes, so a refused write leaves no trace.
func (s *Store) CommitCases(ctx context.Context, w cases.Write, ch casework.Change) error {
	w = cloneWrite(w)
	paths, err := s.unitPaths(ctx, w)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, ch, func() error {
		if err := s.check(w); err != nil {
			return err
		}
		s.apply(w, paths)
		return nil
	})
}

func cloneWrite(w cases.Write) cases.Write {
	var out cases.Write
	for _, c := range w.NewCases {
		out.NewCases = append(out.NewCases, caseClone(c))
	}
	for _, c := range w.Cases {
		out.Cases = append(out.Cases, caseClone(c))
	}
	for _, l := range w.NewLeads {
		out.NewLeads = append(out.NewLeads, l.Clone())
	}
	for _, l := range w.Leads {
		out.Leads = append(out.Leads, l.Clone())
	}
	return out
}

// check applies the store's rules to w without changing anything: ids
// unique, numbers unique, versions current. Call it under the write lock.
func (s *Store) check(w cases.Write) error {
	ids := map[string]bool{}
	numbers := map[string]string{}
	claim := func(c cases.Case) error {
		if c.Number == "" {
			return nil
		}
		if id, ok := s.numbers[c.Number]; ok && id != c.ID {
			return errs.New(errs.ErrConflict, "case number %q exists", c.Number)
		}
		if id, ok := numbers[c.Number]; ok && id != c.ID {
			return errs.New(errs.ErrConflict, "case number %q is written twice", c.Number)
		}
		numbers[c.Number] = c.ID
		return nil
	}
	for _, c := range w.NewCases {
		if _, ok := s.cases[c.ID]; ok || ids[c.ID] {
			return errs.New(errs.ErrConflict, "case %q exists", c.ID)
		}
		ids[c.ID] = true
		if err := claim(c); err != nil {
			return err
		}
	}
	for _, c := range w.Cases {
		cur, ok := s.cases[c.ID]
		if !ok {
			return errs.NotFound(cases.RecordCase, c.ID)
		}
		if cur.Version != c.Version-1 || ids[c.ID] {
			return errs.Stale(cases.RecordCase, c.ID, c.Version-1)
		}
		ids[c.ID] = true
		if err := claim(c); err != nil {
			return err
		}
	}
	leadIDs := map[string]bool{}
	for _, l := range w.NewLeads {
		if _, ok := s.leads[l.ID]; ok || leadIDs[l.ID] {
			return errs.New(errs.ErrConflict, "lead %q exists", l.ID)
		}
		leadIDs[l.ID] = true
	}
	for _, l := range w.Leads {
		cur, ok := s.leads[l.ID]
		if !ok {
			return errs.NotFound(cases.RecordLead, l.ID)
		}
		if cur.Version != l.Version-1 || leadIDs[l.ID] {
			return errs.Stale(cases.RecordLead, l.ID, l.Version-1)
		}
		leadIDs[l.ID] = true
	}
	return nil
}

func (s *Store) apply(w cases.Write, paths map[string]string) {
	for _, c := range append(slices.Clone(w.NewCases), w.Cases...) {
		if old, ok := s.cases[c.ID]; ok && old.Number != "" && old.Number != c.Number {
			delete(s.numbers, old.Number)
		}
		s.cases[c.ID] = c
		if c.Number != "" {
			s.numbers[c.Number] = c.ID
		}
	}
	for _, l := range append(slices.Clone(w.NewLeads), w.Leads...) {
		s.leads[l.ID] = l
	}
	for id, p := range paths {
		s.paths[id] = p
	}
}

// FileCase implements cases.Store.
func (s *Store) FileCase(ctx context.Context, key cases.NumberKey, file func(seq int64) (cases.Case, casework.Change, error)) (cases.Case, error) {
	s.fileMu.Lock()
	defer s.fileMu.Unlock()
	var seq int64
	if err := s.db.Read(ctx, func() error {
		seq = s.counters[key] + 1
		return nil
	}); err != nil {
		return cases.Case{}, err
	}
	c, ch, err := file(seq)
	if err != nil {
		return cases.Case{}, err
	}
	w := cloneWrite(cases.Write{Cases: []cases.Case{c}})
	paths, err := s.unitPaths(ctx, w)
	if err != nil {
		return cases.Case{}, err
	}
	err = s.db.Write(ctx, ch, func() error {
		if s.counters[key] != seq-1 {
			return errs.New(errs.ErrConflict, "case counter %v moved", key)
		}
		if err := s.check(w); err != nil {
			return err
		}
		s.apply(w, paths)
		s.counters[key] = seq
		return nil
	})
	if err != nil {
		return cases.Case{}, err
	}
	return caseClone(w.Cases[0]), nil
}

// GetCase implements cases.Store.
func (s *Store) GetCase(ctx context.Context, id string) (c cases.Case, err error) {
	err = s.db.Read(ctx, func() error {
		c, err = casemem.Get(s.cases, id, caseClone, cases.RecordCase)
		return err
	})
	return c, err
}

// ListCases implements cases.Store.
func (s *Store) ListCases(ctx context.Context, f cases.Filter, p casework.Page) (out []cases.Case, err error) {
	err = s.db.Read(ctx, func() error {
		out, err = casemem.List(s.cases, func(c cases.Case) bool { return s.keepCase(f, c) },
			func(c cases.Case) casework.Cursor { return casework.Cursor{At: c.CreatedAt, ID: c.ID} }, caseClone, p)
		return err
	})
	return out, err
}

func (s *Store) keepCase(f cases.Filter, c cases.Case) bool {
	switch {
	case f.UnitUnder != "" && !casework.Contains(f.UnitUnder, s.paths[c.UnitID]):
	case f.States != nil && !slices.Contains(f.States, c.State):
	case f.Kind != "" && c.Kind != f.Kind:
	case !f.ReportedFrom.IsZero() && c.ReportedAt.Before(f.ReportedFrom):
	case !f.ReportedTo.IsZero() && !c.ReportedAt.Before(f.ReportedTo):
	case f.SuspectIDs != nil && !slices.ContainsFunc(c.SuspectKeys(), func(id string) bool { return slices.Contains(f.SuspectIDs, id) }):
	case f.Identifier != "" && !slices.Contains(c.IdentifierKeys(), f.Identifier):
	case f.ModusOperandi != "" && c.MOKey() != f.ModusOperandi:
	case f.IDs != nil && !slices.Contains(f.IDs, c.ID):
	case f.PersonID != "" && !slices.Contains(c.PersonRefs(), f.PersonID):
	case f.Overdue != nil && len(cases.OverdueSteps(c, f.Overdue.Targets, f.Overdue.Now)) == 0:
	default:
		return true
	}
	return false
}

// GetLead implements cases.Store.
func (s *Store) GetLead(ctx context.Context, id string) (l cases.Lead, err error) {
	err = s.db.Read(ctx, func() error {
		l, err = casemem.Get(s.leads, id, leadClone, cases.RecordLead)
		return err
	})
	return l, err
}

// ListLeads implements cases.Store.
func (s *Store) ListLeads(ctx context.Context, f cases.LeadFilter, p casework.Page) (out []cases.Lead, err error) {
	err = s.db.Read(ctx, func() error {
		out, err = casemem.List(s.leads, func(l cases.Lead) bool {
			switch {
			case f.UnitUnder != "" && !casework.Contains(f.UnitUnder, s.paths[l.UnitID]):
			case f.States != nil && !slices.Contains(f.States, l.State):
			case f.SourceKind != "" && l.Source.Kind != f.SourceKind:
			case f.SourceID != "" && l.Source.ID != f.SourceID:
			case !f.FoundFrom.IsZero() && l.FoundAt.Before(f.FoundFrom):
			case !f.FoundTo.IsZero() && !l.FoundAt.Before(f.FoundTo):
			case f.PersonID != "" && !slices.Contains(l.PersonRefs(), f.PersonID):
			default:
				return true
			}
			return false
		}, func(l cases.Lead) casework.Cursor { return casework.Cursor{At: l.CreatedAt, ID: l.ID} }, leadClone, p)
		return err
	})
	return out, err
}

// CountCasesGrid implements cases.Store cell by cell, in one hold of the
// read lock when the caller holds a snapshot.
func (s *Store) CountCasesGrid(ctx context.Context, g casework.Grid) ([]cases.Counts, error) {
	return casework.GridCells(ctx, g, s.CountCases)
}

// CountCases implements cases.Store.
func (s *Store) CountCases(ctx context.Context, unitUnder string, from, to time.Time) (n cases.Counts, err error) {
	err = s.db.Read(ctx, func() error {
		cs := make([]cases.Case, 0, len(s.cases))
		for _, c := range s.cases {
			cs = append(cs, c)
		}
		leads := make([]cases.Lead, 0, len(s.leads))
		for _, l := range s.leads {
			leads = append(leads, l)
		}
		n = cases.CountOf(cs, leads, func(kind, id, unitID string, at time.Time) bool {
			return unitUnder == "" || casework.Contains(unitUnder, s.paths[casemem.UnitAt(s.db, kind, id, unitID, at)])
		}, from, to)
		return nil
	})
	return n, err
}
