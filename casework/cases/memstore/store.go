package memstore

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Cases is the in-memory cases.Store on a shared DB: its writes take
// the DB's lock and commit their Change into the DB's audit chain, outbox,
// request keys and inbox. Build one per DB.
type Cases struct {
	db *DB

	// fileMu serialises FileCase, so that the sequence handed to the file
	// callback (which runs outside the DB lock) is still the next one when
	// the write commits.
	fileMu sync.Mutex

	// Guarded by db.mu.
	cases    map[string]cases.Case
	numbers  map[string]string // case number → case id
	leads    map[string]cases.Lead
	counters map[cases.NumberKey]int64
}

var _ cases.Store = (*Cases)(nil)

// NewCases returns an empty case store on db.
func NewCases(db *DB) *Cases {
	return &Cases{db: db, cases: map[string]cases.Case{}, numbers: map[string]string{},
		leads: map[string]cases.Lead{}, counters: map[cases.NumberKey]int64{}}
}

func caseClone(c cases.Case) cases.Case {
	c = c.Clone()
	c.SharedWith = nil
	return c
}
func leadClone(l cases.Lead) cases.Lead { return l.Clone() }

// CommitCases implements cases.Store. Every create and update is
// checked before anything changes, so a refused write leaves no trace.
func (s *Cases) CommitCases(ctx context.Context, w cases.Write, ch casework.Change) error {
	w = cloneWrite(w)
	return s.db.Write(ctx, ch, func() error {
		if err := s.check(w); err != nil {
			return err
		}
		s.apply(w)
		return nil
	})
}

func cloneWrite(w cases.Write) cases.Write {
	out := cases.Write{Shares: slices.Clone(w.Shares)}
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
func (s *Cases) check(w cases.Write) error {
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
	shareIDs := map[string]bool{}
	for _, sh := range w.Shares {
		if _, ok := s.db.shares[sh.ID]; ok || shareIDs[sh.ID] {
			return errs.New(errs.ErrConflict, "share %q exists", sh.ID)
		}
		if _, ok := s.db.units[sh.UnitID]; !ok {
			return errs.Invalid("unitId", "exists", "no unit %q", sh.UnitID)
		}
		shareIDs[sh.ID] = true
	}
	return nil
}

func (s *Cases) apply(w cases.Write) {
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
	for _, sh := range w.Shares {
		s.db.shares[sh.ID] = sh
	}
}

// FileCase implements cases.Store.
func (s *Cases) FileCase(ctx context.Context, key cases.NumberKey, file func(seq int64) (cases.Case, casework.Change, error)) (cases.Case, error) {
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
	err = s.db.Write(ctx, ch, func() error {
		if s.counters[key] != seq-1 {
			return errs.New(errs.ErrConflict, "case counter %v moved", key)
		}
		if err := s.check(w); err != nil {
			return err
		}
		s.apply(w)
		s.counters[key] = seq
		return nil
	})
	if err != nil {
		return cases.Case{}, err
	}
	return caseClone(w.Cases[0]), nil
}

// GetCase implements cases.Store.
func (s *Cases) GetCase(ctx context.Context, id string) (c cases.Case, err error) {
	err = s.db.Read(ctx, func() error {
		c, err = Get(s.cases, id, caseClone, cases.RecordCase)
		return err
	})
	return c, err
}

// ListCases implements cases.Store.
func (s *Cases) ListCases(ctx context.Context, f cases.Filter, p casework.Page) (out []cases.Case, err error) {
	err = s.db.Read(ctx, func() error {
		out, err = List(s.cases, func(c cases.Case) bool { return s.keepCase(f, c) },
			func(c cases.Case) casework.Cursor { return casework.Cursor{At: c.CreatedAt, ID: c.ID} }, caseClone, p)
		return err
	})
	return out, err
}

func (s *Cases) keepCase(f cases.Filter, c cases.Case) bool {
	switch {
	case f.UnitUnder != "" && !casework.Contains(f.UnitUnder, s.db.units[c.UnitID].Path):
	case f.States != nil && !slices.Contains(f.States, c.State):
	case f.Kind != "" && c.Kind != f.Kind:
	case !f.ReportedFrom.IsZero() && c.ReportedAt.Before(f.ReportedFrom):
	case !f.ReportedTo.IsZero() && !c.ReportedAt.Before(f.ReportedTo):
	case f.SuspectIDs != nil && !slices.ContainsFunc(c.SuspectKeys(), func(id string) bool { return slices.Contains(f.SuspectIDs, id) }):
	case f.Identifier != "" && !slices.Contains(c.IdentifierKeys(), f.Identifier):
	case f.ModusOperandi != "" && c.MOKey() != f.ModusOperandi:
	case f.IDs != nil && !slices.Contains(f.IDs, c.ID):
	default:
		return true
	}
	return false
}

// GetLead implements cases.Store.
func (s *Cases) GetLead(ctx context.Context, id string) (l cases.Lead, err error) {
	err = s.db.Read(ctx, func() error {
		l, err = Get(s.leads, id, leadClone, cases.RecordLead)
		return err
	})
	return l, err
}

// ListLeads implements cases.Store.
func (s *Cases) ListLeads(ctx context.Context, f cases.LeadFilter, p casework.Page) (out []cases.Lead, err error) {
	err = s.db.Read(ctx, func() error {
		out, err = List(s.leads, func(l cases.Lead) bool {
			switch {
			case f.UnitUnder != "" && !casework.Contains(f.UnitUnder, s.db.units[l.UnitID].Path):
			case f.States != nil && !slices.Contains(f.States, l.State):
			case f.SourceKind != "" && l.Source.Kind != f.SourceKind:
			case f.SourceID != "" && l.Source.ID != f.SourceID:
			case !f.FoundFrom.IsZero() && l.FoundAt.Before(f.FoundFrom):
			case !f.FoundTo.IsZero() && !l.FoundAt.Before(f.FoundTo):
			default:
				return true
			}
			return false
		}, func(l cases.Lead) casework.Cursor { return casework.Cursor{At: l.CreatedAt, ID: l.ID} }, leadClone, p)
		return err
	})
	return out, err
}

// CountCases implements cases.Store.
func (s *Cases) CountCases(ctx context.Context, unitUnder string, from, to time.Time) (n cases.Counts, err error) {
	err = s.db.Read(ctx, func() error {
		cases := make([]cases.Case, 0, len(s.cases))
		for _, c := range s.cases {
			cases = append(cases, c)
		}
		leads := make([]cases.Lead, 0, len(s.leads))
		for _, l := range s.leads {
			leads = append(leads, l)
		}
		n = cases.CountOf(cases, leads, func(unitID string) bool {
			return unitUnder == "" || casework.Contains(unitUnder, s.db.units[unitID].Path)
		}, from, to)
		return nil
	})
	return n, err
}
