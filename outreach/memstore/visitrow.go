package memstore

import (
	"slices"

	cmem "github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/outreach"
)

// Visits are kept as rows (cmem.RowWriter): a store holds them by the ten
// thousand (a load creates 10,000 a second), and a row keeps a visit in
// about 100 bytes where the struct in its map kept about 470 and its
// text. The id is the map's key, so the row leaves it out. A visit a row
// cannot keep as it came (a time with a monotonic clock reading) stays
// whole in wide, and its row is nil.

// putVisit stores v (a clone the store owns), as a row when it can, and
// moves its index entry from where prev (the stored visit it replaces,
// nil for a new one) had it; call it inside Write.
func (s *Store) putVisit(prev, v *outreach.Visit) {
	w := cmem.NewRowWriter(s.db.Symbols(), s.rowBuf)
	writeVisit(&w, v)
	s.rowBuf = w.B
	s.index.put(s.db.Symbols(), prev, v)
	if !w.OK() {
		s.visits[v.ID] = nil
		s.wide[v.ID] = *v
		return
	}
	delete(s.wide, v.ID)
	s.visits[v.ID] = slices.Clone(w.B)
}

// visit reads the stored visit id into v; ok is false when there is none.
// Its texts share the row's bytes (a row is never changed: an update
// stores a new one). With view, v's slices are reused: for a pass that
// keeps nothing of v (a filter, a count). Call it inside Read or Write.
func (s *Store) visit(id string, v *outreach.Visit, view bool) (ok bool, err error) {
	return s.readRow(id, v, view, false)
}

// readRow is visit; with head it reads only the head of the row: the
// unit, campaign, plan entry, officers, time, address, kind, person and
// version (the rest of v is zero), for a list's filter.
func (s *Store) readRow(id string, v *outreach.Visit, view, head bool) (ok bool, err error) {
	row, ok := s.visits[id]
	if !ok {
		return false, nil
	}
	if row == nil {
		*v = s.wide[id].Clone() // never shared: a view's slices are reused
		return true, nil
	}
	r := cmem.NewRowReader(s.db.Symbols(), row, true)
	var got outreach.Visit // on the stack: one copy into v, not a write barrier a field
	if view {
		got = *v
	}
	readVisit(&r, &got, view, head)
	got.ID = id
	if head {
		err = r.ErrSoFar()
	} else {
		err = r.Err()
	}
	if err != nil {
		*v = outreach.Visit{}
		return false, err
	}
	*v = got
	return true, nil
}

// writeVisit writes every field of v but its id; readVisit reads them in
// the same order.
func writeVisit(w *cmem.RowWriter, v *outreach.Visit) {
	// The head: what a list's filter reads, but a person's.
	w.Sym(v.UnitID)
	w.Sym(v.CampaignID)
	w.Sym(v.PlanEntryID)
	w.Len(len(v.OfficerIDs), v.OfficerIDs == nil)
	for _, id := range v.OfficerIDs {
		w.Sym(id)
	}
	w.Time(v.VisitedAt)
	w.Sym(v.AddressID)
	w.Sym(string(v.TargetKind))
	w.Sym(v.PersonID)
	w.Int(v.Version)
	// The rest.
	w.Sym(v.Address)
	w.Sym(v.Community)
	w.Sym(v.TargetKey)
	w.Sym(v.Organisation)
	w.Text(v.Notes)
	w.Len(len(v.Services), v.Services == nil)
	for _, sv := range v.Services {
		w.Sym(string(sv.Kind))
		w.Text(sv.Note)
	}
	w.Len(len(v.Aid), v.Aid == nil)
	for _, a := range v.Aid {
		w.Sym(a.Item)
		w.Int(a.Quantity)
		w.Sym(a.Unit)
	}
	w.Len(len(v.Findings), v.Findings == nil)
	for _, f := range v.Findings {
		w.Sym(string(f.Kind))
		w.Sym(f.Step)
		w.Sym(f.Category)
		w.Text(f.Summary)
		w.Sym(f.Risk)
		w.Text(f.RiskNote)
		w.Len(len(f.PersonIDs), f.PersonIDs == nil)
		for _, id := range f.PersonIDs {
			w.Sym(id)
		}
		w.Text(f.OutboxID)
		w.Text(f.ResultID)
		w.Time(f.LinkedAt)
	}
	w.Len(len(v.HazardIDs), v.HazardIDs == nil)
	for _, id := range v.HazardIDs {
		w.Text(id)
	}
	w.Int(v.RegistryVersion)
	w.Sym(v.RecordedBy)
	w.Bool(v.Masked)
	w.Time(v.CreatedAt)
	w.Time(v.UpdatedAt)
}

// readVisit reads what writeVisit wrote into v (all but its id); with
// head, only the head (the rest of v is zero). With reuse, v's slices are
// reused.
func readVisit(r *cmem.RowReader, v *outreach.Visit, reuse, head bool) {
	old := *v
	*v = outreach.Visit{}
	v.UnitID = r.Sym()
	v.CampaignID = r.Sym()
	v.PlanEntryID = r.Sym()
	if n, isNil := r.Len(); !isNil {
		v.OfficerIDs = grow(old.OfficerIDs, n, reuse)
		for i := range n {
			v.OfficerIDs[i] = r.Sym()
		}
	}
	v.VisitedAt = r.Time()
	v.AddressID = r.Sym()
	v.TargetKind = outreach.TargetKind(r.Sym())
	v.PersonID = r.Sym()
	v.Version = r.Int()
	if head {
		return
	}
	v.Address = r.Sym()
	v.Community = r.Sym()
	v.TargetKey = r.Sym()
	v.Organisation = r.Sym()
	v.Notes = r.Text()
	if n, isNil := r.Len(); !isNil {
		v.Services = grow(old.Services, n, reuse)
		for i := range n {
			v.Services[i] = outreach.ServiceGiven{Kind: outreach.ServiceKind(r.Sym()), Note: r.Text()}
		}
	}
	if n, isNil := r.Len(); !isNil {
		v.Aid = grow(old.Aid, n, reuse)
		for i := range n {
			v.Aid[i] = outreach.Aid{Item: r.Sym(), Quantity: r.Int(), Unit: r.Sym()}
		}
	}
	if n, isNil := r.Len(); !isNil {
		v.Findings = grow(old.Findings, n, reuse)
		for i := range n {
			f := &v.Findings[i]
			ids := f.PersonIDs
			*f = outreach.Finding{Kind: outreach.FindingKind(r.Sym()), Step: r.Sym(), Category: r.Sym(), Summary: r.Text(),
				Risk: r.Sym(), RiskNote: r.Text()}
			if n, isNil := r.Len(); !isNil {
				f.PersonIDs = grow(ids, n, reuse)
				for j := range n {
					f.PersonIDs[j] = r.Sym()
				}
			}
			f.OutboxID = r.Text()
			f.ResultID = r.Text()
			f.LinkedAt = r.Time()
		}
	}
	if n, isNil := r.Len(); !isNil {
		v.HazardIDs = grow(old.HazardIDs, n, reuse)
		for i := range n {
			v.HazardIDs[i] = r.Text()
		}
	}
	v.RegistryVersion = r.Int()
	v.RecordedBy = r.Sym()
	v.Masked = r.Bool()
	v.CreatedAt = r.Time()
	v.UpdatedAt = r.Time()
}

// grow returns a non-nil slice of n elements: s's array with reuse when
// it has room, else a new one.
func grow[T any](s []T, n int, reuse bool) []T {
	if reuse && s != nil && cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}
