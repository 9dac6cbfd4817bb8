// Package memstore is the in-memory outreach Store, built on the kernel's
// shared memory database so that outreach writes join the one audit chain,
// outbox and request-key table, under the one lock.
package memstore

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	cmem "github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/grassroots-policing/grassroots/outreach"
)

// Store keeps outreach records in memory. Every access goes through the
// kernel database's Read and Write, whose lock guards these maps too.
type Store struct {
	db           cmem.Host
	visits       map[string][]byte         // rows (see visitrow.go); nil: in wide
	wide         map[string]outreach.Visit // the visits no row can keep
	rowBuf       []byte                    // putVisit's scratch
	index        visitIndex                // the visits' list order by unit and kind, with their versions
	hazards      map[string]outreach.Hazard
	appointments map[string]outreach.Appointment
	campaigns    map[string]outreach.Campaign
	plan         map[string]outreach.PlanEntry
	referrals    map[string]outreach.Referral
	// events is the hazards' counted history (outreach.HazardEventOf),
	// appended with each write and never changed.
	events []hazardEvent
}

type hazardEvent struct {
	hazardID string
	kind     outreach.HazardEvent
	at       time.Time
}

// recordEvent appends the event a hazard's write records, if any; the
// caller holds the write lock and has checked everything that can fail.
func (s *Store) recordEvent(prev outreach.HazardStatus, h outreach.Hazard) {
	if kind, at := outreach.HazardEventOf(prev, h); kind != "" {
		s.events = append(s.events, hazardEvent{hazardID: h.ID, kind: kind, at: at})
	}
}

var _ outreach.Store = (*Store)(nil)

// New returns an empty outreach store on db.
func New(db cmem.Host) *Store {
	s := &Store{db: db, visits: map[string][]byte{}, wide: map[string]outreach.Visit{}, index: visitIndex{}, hazards: map[string]outreach.Hazard{},
		appointments: map[string]outreach.Appointment{}, campaigns: map[string]outreach.Campaign{}, plan: map[string]outreach.PlanEntry{},
		referrals: map[string]outreach.Referral{}}
	db.Join(s)
	return s
}

// Snapshot implements cmem.Participant, so that a failed atomic write of
// the database (a person merge) puts these records back too. Stored values
// are replaced, never changed in place, so copies of the maps are a
// snapshot.
func (s *Store) Snapshot() (restore func()) {
	visits, wide, hazards, appointments := maps.Clone(s.visits), maps.Clone(s.wide), maps.Clone(s.hazards), maps.Clone(s.appointments)
	index := s.index.clone()
	campaigns, plan, referrals := maps.Clone(s.campaigns), maps.Clone(s.plan), maps.Clone(s.referrals)
	events := s.events[:len(s.events):len(s.events)] // appended to, never changed
	return func() {
		s.visits, s.wide, s.index, s.hazards, s.appointments = visits, wide, index, hazards, appointments
		s.campaigns, s.plan, s.referrals, s.events = campaigns, plan, referrals, events
	}
}

func campaignClone(c outreach.Campaign) outreach.Campaign { return c.Clone() }
func hazardVersion(h outreach.Hazard) int64               { return h.Version }
func apptVersion(a outreach.Appointment) int64            { return a.Version }
func campaignVersion(c outreach.Campaign) int64           { return c.Version }
func planVersion(e outreach.PlanEntry) int64              { return e.Version }

func within(t, from, to time.Time) bool {
	return (from.IsZero() || !t.Before(from)) && (to.IsZero() || t.Before(to))
}

func inAreas(areas []string, community, addressID string) bool {
	return areas == nil || (community != "" && slices.Contains(areas, community)) || (addressID != "" && slices.Contains(areas, addressID))
}

// CreateVisit implements outreach.Store.
func (s *Store) CreateVisit(ctx context.Context, w outreach.VisitWrite, ch casework.Change) error {
	w = w.Clone()
	return s.db.Write(ctx, ch, func() error {
		if _, ok := s.visits[w.Visit.ID]; ok {
			return errs.New(errs.ErrConflict, "visit %q exists", w.Visit.ID)
		}
		for _, h := range w.Hazards {
			if _, ok := s.hazards[h.ID]; ok {
				return errs.New(errs.ErrConflict, "hazard %q exists", h.ID)
			}
		}
		if e := w.Plan; e != nil {
			cur, ok := s.plan[e.ID]
			if !ok {
				return errs.NotFound("plan entry", e.ID)
			}
			if cur.Version != e.Version-1 {
				return errs.Stale("plan entry", e.ID, e.Version-1)
			}
			s.plan[e.ID] = *e
		}
		for _, h := range w.Hazards {
			s.hazards[h.ID] = h
			s.recordEvent("", h)
		}
		s.putVisit(nil, &w.Visit)
		return nil
	})
}

// UpdateVisit implements outreach.Store.
func (s *Store) UpdateVisit(ctx context.Context, v outreach.Visit, ch casework.Change) error {
	v = v.Clone()
	return s.db.Write(ctx, ch, func() error {
		var cur outreach.Visit
		ok, err := s.visit(v.ID, &cur, false)
		if err != nil {
			return err
		}
		if !ok {
			return errs.NotFound("visit", v.ID)
		}
		if cur.Version != v.Version-1 {
			return errs.Stale("visit", v.ID, v.Version-1)
		}
		// Only what an update may change is written, as in SQL: who went,
		// when, where and for what stay as recorded.
		keep := cur
		keep.Notes, keep.Services, keep.Aid, keep.Findings, keep.HazardIDs = v.Notes, v.Services, v.Aid, v.Findings, v.HazardIDs
		keep.RegistryVersion, keep.Version, keep.UpdatedAt = v.RegistryVersion, v.Version, v.UpdatedAt
		keep.PersonID = v.PersonID // a person merge re-points the visited resident
		v = keep
		s.putVisit(&cur, &v)
		return nil
	})
}

// GetVisit implements outreach.Store.
func (s *Store) GetVisit(ctx context.Context, id string) (v outreach.Visit, err error) {
	err = s.db.Read(ctx, func() error {
		ok, err := s.visit(id, &v, false)
		if err == nil && !ok {
			err = errs.NotFound("visit", id)
		}
		return err
	})
	return v, err
}

// ListVisits implements outreach.Store.
func (s *Store) ListVisits(ctx context.Context, f outreach.VisitFilter, p casework.Page) ([]outreach.Visit, error) {
	_, visits, err := s.listVisits(ctx, f, p, true)
	return visits, err
}

// ListVisitRefs implements outreach.Store from the index alone, unless
// the filter names what only a visit's row says (see page).
func (s *Store) ListVisitRefs(ctx context.Context, f outreach.VisitFilter, p casework.Page) ([]outreach.VisitRef, error) {
	refs, _, err := s.listVisits(ctx, f, p, false)
	return refs, err
}

// listVisits lists the visits f selects: whole, or as refs (see page).
func (s *Store) listVisits(ctx context.Context, f outreach.VisitFilter, p casework.Page, whole bool) (refs []outreach.VisitRef, visits []outreach.Visit, err error) {
	u, err := s.db.Subtree(ctx, f.UnitUnder)
	if err != nil {
		return nil, nil, err
	}
	err = s.db.Read(ctx, func() (err error) {
		refs, visits, err = s.page(u, f, p, whole)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return refs, visits, nil
}

// GetVisits implements outreach.Store.
func (s *Store) GetVisits(ctx context.Context, ids []string) (out []outreach.Visit, err error) {
	err = s.db.Read(ctx, func() error {
		out = make([]outreach.Visit, 0, len(ids))
		seen := make(map[string]bool, len(ids))
		for _, id := range ids {
			if seen[id] {
				continue
			}
			var v outreach.Visit
			ok, err := s.visit(id, &v, false)
			if err != nil {
				return err
			}
			if ok {
				seen[id] = true
				out = append(out, v)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CreateHazard implements outreach.Store.
func (s *Store) CreateHazard(ctx context.Context, h outreach.Hazard, ch casework.Change) error {
	return s.db.Write(ctx, ch, func() error {
		if err := cmem.Insert(s.hazards, h.ID, h, "hazard"); err != nil {
			return err
		}
		s.recordEvent("", h)
		return nil
	})
}

// UpdateHazard implements outreach.Store.
func (s *Store) UpdateHazard(ctx context.Context, h outreach.Hazard, ch casework.Change) error {
	return s.db.Write(ctx, ch, func() error {
		prev := s.hazards[h.ID].Status
		if err := cmem.Replace(s.hazards, h.ID, h, hazardVersion, "hazard"); err != nil {
			return err
		}
		s.recordEvent(prev, h)
		return nil
	})
}

// GetHazard implements outreach.Store.
func (s *Store) GetHazard(ctx context.Context, id string) (h outreach.Hazard, err error) {
	err = s.db.Read(ctx, func() error {
		h, err = cmem.Get(s.hazards, id, cmem.Identity, "hazard")
		return err
	})
	return h, err
}

// ListHazards implements outreach.Store.
func (s *Store) ListHazards(ctx context.Context, f outreach.HazardFilter, p casework.Page) (out []outreach.Hazard, err error) {
	u, err := s.db.Subtree(ctx, f.UnitUnder)
	if err != nil {
		return nil, err
	}
	err = s.db.Read(ctx, func() error {
		out, err = cmem.List(s.hazards, func(h outreach.Hazard) bool {
			return u.Has(h.UnitID) && (len(f.Status) == 0 || slices.Contains(f.Status, h.Status)) &&
				(f.VisitID == "" || h.VisitID == f.VisitID) && inAreas(f.Areas, h.Community, h.AddressID) &&
				(f.OverdueAt.IsZero() || h.Overdue(f.OverdueAt)) && within(h.FoundAt, f.From, f.To) &&
				(f.PersonID == "" || h.ResponsiblePersonID == f.PersonID)
		}, func(h outreach.Hazard) casework.Cursor { return casework.Cursor{At: h.FoundAt, ID: h.ID} }, cmem.Identity, p)
		return err
	})
	return out, err
}

// CreateAppointment implements outreach.Store.
func (s *Store) CreateAppointment(ctx context.Context, a outreach.Appointment, ch casework.Change) error {
	return s.db.Write(ctx, ch, func() error {
		if err := s.overlap(a); err != nil {
			return err
		}
		return cmem.Insert(s.appointments, a.ID, a, "appointment")
	})
}

// UpdateAppointment implements outreach.Store; the overlap check runs under
// the write lock, so it holds under concurrency.
func (s *Store) UpdateAppointment(ctx context.Context, a outreach.Appointment, ch casework.Change) error {
	return s.db.Write(ctx, ch, func() error {
		if _, ok := s.appointments[a.ID]; !ok {
			return errs.NotFound("appointment", a.ID)
		}
		if err := s.overlap(a); err != nil {
			return err
		}
		return cmem.Replace(s.appointments, a.ID, a, apptVersion, "appointment")
	})
}

func (s *Store) overlap(a outreach.Appointment) error {
	if a.Status != outreach.AppointmentAccepted {
		return nil
	}
	for _, o := range s.appointments {
		if outreach.Overlaps(a, o) {
			return errs.Wrap(errs.ErrConflict, outreach.ErrOverlap, "appointment %q", o.ID)
		}
	}
	return nil
}

// GetAppointment implements outreach.Store.
func (s *Store) GetAppointment(ctx context.Context, id string) (a outreach.Appointment, err error) {
	err = s.db.Read(ctx, func() error {
		a, err = cmem.Get(s.appointments, id, cmem.Identity, "appointment")
		return err
	})
	return a, err
}

// ListAppointments implements outreach.Store.
func (s *Store) ListAppointments(ctx context.Context, f outreach.AppointmentFilter, p casework.Page) (out []outreach.Appointment, err error) {
	u, err := s.db.Subtree(ctx, f.UnitUnder)
	if err != nil {
		return nil, err
	}
	err = s.db.Read(ctx, func() error {
		out, err = cmem.List(s.appointments, func(a outreach.Appointment) bool {
			return u.Has(a.UnitID) && (f.OfficerID == "" || a.OfficerID == f.OfficerID) &&
				(len(f.Status) == 0 || slices.Contains(f.Status, a.Status)) && within(a.StartsAt, f.From, f.To) &&
				(f.PersonID == "" || a.PersonID == f.PersonID)
		}, func(a outreach.Appointment) casework.Cursor { return casework.Cursor{At: a.StartsAt, ID: a.ID} }, cmem.Identity, p)
		return err
	})
	return out, err
}

// CreateCampaign implements outreach.Store.
func (s *Store) CreateCampaign(ctx context.Context, c outreach.Campaign, ch casework.Change) error {
	c = c.Clone()
	return s.db.Write(ctx, ch, func() error { return cmem.Insert(s.campaigns, c.ID, c, "campaign") })
}

// UpdateCampaign implements outreach.Store.
func (s *Store) UpdateCampaign(ctx context.Context, c outreach.Campaign, ch casework.Change) error {
	c = c.Clone()
	return s.db.Write(ctx, ch, func() error { return cmem.Replace(s.campaigns, c.ID, c, campaignVersion, "campaign") })
}

// GetCampaign implements outreach.Store.
func (s *Store) GetCampaign(ctx context.Context, id string) (c outreach.Campaign, err error) {
	err = s.db.Read(ctx, func() error {
		c, err = cmem.Get(s.campaigns, id, campaignClone, "campaign")
		return err
	})
	return c, err
}

// ListCampaigns implements outreach.Store.
func (s *Store) ListCampaigns(ctx context.Context, f outreach.CampaignFilter, p casework.Page) (out []outreach.Campaign, err error) {
	paths := map[string]string{}
	if f.Related != "" {
		list, err := s.db.ListUnits(ctx, casework.UnitFilter{})
		if err != nil {
			return nil, err
		}
		for _, u := range list {
			paths[u.ID] = u.Path
		}
	}
	err = s.db.Read(ctx, func() error {
		out, err = cmem.List(s.campaigns, func(c outreach.Campaign) bool {
			owner := paths[c.UnitID]
			related := f.Related == "" || casework.Contains(f.Related, owner) || casework.Contains(owner, f.Related)
			return related && (f.ActiveAt.IsZero() || within(f.ActiveAt, c.Starts, c.Ends))
		}, func(c outreach.Campaign) casework.Cursor { return casework.Cursor{At: c.Starts, ID: c.ID} }, campaignClone, p)
		return err
	})
	return out, err
}

// CreatePlanEntry implements outreach.Store.
func (s *Store) CreatePlanEntry(ctx context.Context, e outreach.PlanEntry, ch casework.Change) error {
	return s.db.Write(ctx, ch, func() error { return cmem.Insert(s.plan, e.ID, e, "plan entry") })
}

// UpdatePlanEntry implements outreach.Store.
func (s *Store) UpdatePlanEntry(ctx context.Context, e outreach.PlanEntry, ch casework.Change) error {
	return s.db.Write(ctx, ch, func() error { return cmem.Replace(s.plan, e.ID, e, planVersion, "plan entry") })
}

// GetPlanEntry implements outreach.Store.
func (s *Store) GetPlanEntry(ctx context.Context, id string) (e outreach.PlanEntry, err error) {
	err = s.db.Read(ctx, func() error {
		e, err = cmem.Get(s.plan, id, cmem.Identity, "plan entry")
		return err
	})
	return e, err
}

// ListPlanEntries implements outreach.Store.
func (s *Store) ListPlanEntries(ctx context.Context, f outreach.PlanFilter, p casework.Page) (out []outreach.PlanEntry, err error) {
	u, err := s.db.Subtree(ctx, f.UnitUnder)
	if err != nil {
		return nil, err
	}
	err = s.db.Read(ctx, func() error {
		out, err = cmem.List(s.plan, func(e outreach.PlanEntry) bool {
			return u.Has(e.UnitID) && (f.Kind == "" || e.Kind == f.Kind) && inAreas(f.Areas, e.Community, e.AddressID) &&
				(f.IncludeInactive || e.Active) && (f.AddressID == "" || e.AddressID == f.AddressID) &&
				(f.PersonID == "" || e.PersonID == f.PersonID) &&
				(f.DueBy.IsZero() || (!e.DueFrom.IsZero() && !e.DueFrom.After(f.DueBy)))
		}, func(e outreach.PlanEntry) casework.Cursor { return casework.Cursor{At: e.Deadline, ID: e.ID} }, cmem.Identity, p)
		return err
	})
	return out, err
}

// Tally implements outreach.Store.
// TallyGrid implements outreach.Store cell by cell.
func (s *Store) TallyGrid(ctx context.Context, g casework.Grid) ([]outreach.Tally, error) {
	return casework.GridCells(ctx, g, func(ctx context.Context, path string, start, end time.Time) (outreach.Tally, error) {
		return s.Tally(ctx, outreach.TallyFilter{UnitUnder: path, From: start, To: end})
	})
}

func (s *Store) Tally(ctx context.Context, f outreach.TallyFilter) (outreach.Tally, error) {
	t := outreach.NewTally()
	u, err := s.db.Subtree(ctx, f.UnitUnder)
	if err != nil {
		return t, err
	}
	err = s.db.Read(ctx, func() error {
		targets := map[outreach.TargetKind]map[string]bool{}
		campaignVisits := map[string]bool{}
		var v outreach.Visit
		for id := range s.visits {
			if _, err := s.visit(id, &v, true); err != nil {
				return err
			}
			if !u.Has(v.UnitID) || (f.CampaignID != "" && v.CampaignID != f.CampaignID) {
				continue
			}
			campaignVisits[v.ID] = true
			if !within(v.VisitedAt, f.From, f.To) {
				continue
			}
			t.Visits[v.TargetKind]++
			if targets[v.TargetKind] == nil {
				targets[v.TargetKind] = map[string]bool{}
			}
			targets[v.TargetKind][v.TargetKey] = true
			for _, k := range outreach.ServiceKinds {
				t.Services[k] += int64(v.Count(k))
			}
			if len(v.Aid) > 0 {
				t.AidVisits++
			}
			t.DisputesHanded += int64(v.CountFindings(outreach.FindingDispute))
			t.LeadsCollected += int64(v.CountFindings(outreach.FindingLead))
		}
		for k, set := range targets {
			if f.CampaignID != "" || k.Distinct() {
				t.Targets[k] = int64(len(set))
			}
		}
		// A hazard's events count in the unit that held it when they
		// happened (a unit's closing moves open hazards).
		counted := func(h outreach.Hazard, at time.Time) bool {
			return u.Has(cmem.UnitAt(s.db, outreach.RecordHazard, h.ID, h.UnitID, at)) && (f.CampaignID == "" || campaignVisits[h.VisitID])
		}
		for _, h := range s.hazards {
			if within(h.FoundAt, f.From, f.To) && counted(h, h.FoundAt) {
				t.HazardsFound++
			}
		}
		for _, e := range s.events {
			if !within(e.at, f.From, f.To) || !counted(s.hazards[e.hazardID], e.at) {
				continue
			}
			switch e.kind {
			case outreach.HazardEventRectified:
				t.HazardsRectified++
			case outreach.HazardEventFixRejected:
				t.HazardFixesRejected++
			}
		}
		if f.CampaignID == "" {
			for _, a := range s.appointments {
				if u.Has(a.UnitID) && a.Status == outreach.AppointmentDone && within(a.ClosedAt, f.From, f.To) {
					t.AppointmentsDone++
				}
			}
		}
		return nil
	})
	return t, err
}

// AidGrid implements outreach.Store, cell by cell.
func (s *Store) AidGrid(ctx context.Context, g casework.Grid) ([][]outreach.AidGroup, error) {
	return casework.GridCells(ctx, g, func(ctx context.Context, path string, start, end time.Time) ([]outreach.AidGroup, error) {
		lines, err := s.AidLines(ctx, outreach.TallyFilter{UnitUnder: path, From: start, To: end})
		out := make([]outreach.AidGroup, len(lines))
		for i, l := range lines {
			out[i] = outreach.AidGroup{Lines: l, Visits: 1}
		}
		return out, err
	})
}

// AidLines implements outreach.Store.
func (s *Store) AidLines(ctx context.Context, f outreach.TallyFilter) ([][]outreach.Aid, error) {
	u, err := s.db.Subtree(ctx, f.UnitUnder)
	if err != nil {
		return nil, err
	}
	var out [][]outreach.Aid
	err = s.db.Read(ctx, func() error {
		var v outreach.Visit
		for id := range s.visits {
			if _, err := s.visit(id, &v, true); err != nil {
				return err
			}
			if u.Has(v.UnitID) && (f.CampaignID == "" || v.CampaignID == f.CampaignID) && within(v.VisitedAt, f.From, f.To) && len(v.Aid) > 0 {
				out = append(out, slices.Clone(v.Aid))
			}
		}
		return nil
	})
	return out, err
}
