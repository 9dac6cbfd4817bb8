package outreach

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// maxClockSkew is how far in the future a visit's time may lie: a phone's
// clock a little ahead of the server's is not an error, a visit tomorrow is.
const maxClockSkew = 10 * time.Minute

// normalize tidies the input in place. in is the service's own copy: its
// slices are cloned before any element changes, so a caller retrying one
// input concurrently (under one request key) shares nothing written.
func (in *VisitInput) normalize(actor casework.Actor, now time.Time) {
	in.Organisation, in.Notes = strings.TrimSpace(in.Organisation), strings.TrimSpace(in.Notes)
	if len(in.OfficerIDs) == 0 {
		in.OfficerIDs = []string{actor.StaffID}
	}
	seen := map[string]bool{}
	in.OfficerIDs = slices.DeleteFunc(slices.Clone(in.OfficerIDs), func(id string) bool {
		dup := seen[id]
		seen[id] = true
		return dup
	})
	if in.VisitedAt.IsZero() {
		in.VisitedAt = now
	}
	in.VisitedAt = casework.Truncate(in.VisitedAt)
	in.Disputes, in.Leads = slices.Clone(in.Disputes), slices.Clone(in.Leads)
	for i := range in.Disputes {
		in.Disputes[i].Summary = strings.TrimSpace(in.Disputes[i].Summary)
	}
	for i := range in.Leads {
		in.Leads[i].Summary = strings.TrimSpace(in.Leads[i].Summary)
	}
}

// RecordVisit records a visit with everything it found, in one transaction:
// the visit, its hazards, its findings' hand-offs (outbox messages to
// mediation and casework), the visited plan entry's next due date, and the
// audit entries of each, and the address's 一标三实 registry update
// (compare-and-swap on the address version the officer read). All of it
// lands, or none of it.
func (s *Service) RecordVisit(ctx context.Context, actor casework.Actor, in VisitInput) (Visit, error) {
	now := s.k.Now()
	// The request key is matched against the input as asked, before the
	// defaults: a replay without visitedAt comes later than the first
	// request, and must still be the same request.
	asked := in
	in.normalize(actor, now)
	if err := s.k.UnitInReach(ctx, actor, in.UnitID); err != nil {
		return Visit{}, err
	}
	if err := s.k.Authorize(ctx, actor, ActionVisit, casework.Target{RecordType: RecordVisit, UnitID: in.UnitID}); err != nil {
		return Visit{}, err
	}
	if len(in.Hazards) > 0 {
		if err := s.k.Authorize(ctx, actor, ActionHazard, casework.Target{RecordType: RecordHazard, UnitID: in.UnitID}); err != nil {
			return Visit{}, err
		}
	}
	var f errs.Fields
	f.Merge("", s.k.Validate(in))
	if in.VisitedAt.After(now.Add(maxClockSkew)) {
		f.Add("visitedAt", "past", "may not be in the future")
	}
	checkServices(&f, "", in.Services)
	in.Aid = normalizeAid(s.k.Codes(), in.Aid)
	checkAid(&f, s.k.Codes(), "", in.Aid)
	for i, h := range in.Hazards {
		f.Merge("hazards["+strconv.Itoa(i)+"].", s.checkHazardInput(h))
		if h.AddressID != "" && h.AddressID != in.AddressID {
			f.Add("hazards["+strconv.Itoa(i)+"].addressId", "matches_visit", "a hazard found on a visit is at the visit's address; say where in place")
		}
		if !h.Deadline.IsZero() && !h.Deadline.After(in.VisitedAt) {
			f.Add("hazards["+strconv.Itoa(i)+"].deadline", "after_found", "must be after the visit")
		}
		if h.UnitID != "" && h.UnitID != in.UnitID {
			f.Add("hazards["+strconv.Itoa(i)+"].unitId", "matches_visit", "a hazard found on a visit belongs to the visit's unit")
		}
	}
	for i, d := range in.Disputes {
		f.Merge(fmt.Sprintf("disputes[%d].", i), s.k.Codes().CheckHandoffCode("category", casework.ListDisputeCategory, d.Category))
		for j, p := range d.PartyIDs {
			if err := s.person(ctx, actor, fmt.Sprintf("disputes[%d].partyIds[%d]", i, j), p, &f); err != nil {
				return Visit{}, err
			}
		}
	}
	for i, l := range in.Leads {
		for j, p := range l.PersonIDs {
			if err := s.person(ctx, actor, fmt.Sprintf("leads[%d].personIds[%d]", i, j), p, &f); err != nil {
				return Visit{}, err
			}
		}
	}
	for i, o := range in.OfficerIDs {
		if _, err := s.staffInReach(ctx, actor, "officerIds["+strconv.Itoa(i)+"]", o, &f); err != nil {
			return Visit{}, err
		}
	}
	if err := s.person(ctx, actor, "personId", in.PersonID, &f); err != nil {
		return Visit{}, err
	}
	var entry *PlanEntry
	if in.PlanEntryID != "" {
		e, err := s.store.GetPlanEntry(ctx, in.PlanEntryID)
		ok, err := s.inReach(ctx, actor, planTarget(e), err)
		switch {
		case err != nil:
			return Visit{}, err
		case !ok:
			f.Add("planEntryId", "exists", "no plan entry %q in reach", in.PlanEntryID)
		default:
			entry = &e
			in.fillFromPlan(e, &f)
		}
	}
	if !in.TargetKind.Valid() {
		f.Add("targetKind", "code", "%q is not a target kind", in.TargetKind)
	}
	if in.TargetKind.Sensitive() && s.helperBound(actor, ActionVisit) {
		return Visit{}, errs.New(errs.ErrForbidden, "a visit to a %s is an officer's, not a helper's", in.TargetKind)
	}
	addr, err := s.address(ctx, actor, "addressId", in.AddressID, &f)
	if err != nil {
		return Visit{}, err
	}
	if in.TargetKind != Online && in.AddressID == "" && in.PersonID == "" && in.Organisation == "" {
		f.Add("addressId", "required", "a visit names the address, person or organisation visited")
	}
	if in.Registry != nil && in.AddressID == "" {
		f.Add("registry", "address", "a registry update needs the visit's address")
	}
	if in.CampaignID != "" {
		if err := s.checkCampaign(ctx, actor, in.CampaignID, in.UnitID, in.VisitedAt, &f); err != nil {
			return Visit{}, err
		}
	}
	if err := f.Err(); err != nil {
		return Visit{}, err
	}
	return casework.CreateOnce(ctx, s.k, actor, in.RequestKey, asked, func(rk *casework.RequestKey) (Visit, error) {
		return s.createVisit(ctx, actor, in, addr, entry, rk)
	})
}

// fillFromPlan takes what the visit leaves out from its plan entry and
// refuses a visit that contradicts it.
func (in *VisitInput) fillFromPlan(e PlanEntry, f *errs.Fields) {
	if in.TargetKind == "" {
		in.TargetKind = e.Kind
	}
	if in.AddressID == "" {
		in.AddressID = e.AddressID
	}
	if in.PersonID == "" {
		in.PersonID = e.PersonID
	}
	if in.Organisation == "" {
		in.Organisation = e.Organisation
	}
	if in.TargetKind != e.Kind {
		f.Add("targetKind", "matches_plan", "the plan entry is a %s", e.Kind)
	}
	if in.AddressID != e.AddressID {
		f.Add("addressId", "matches_plan", "the plan entry is at another address")
	}
	if !e.Active {
		f.Add("planEntryId", "active", "the plan entry was taken off the plan")
	}
}

func (s *Service) checkCampaign(ctx context.Context, actor casework.Actor, id, unitID string, at time.Time, f *errs.Fields) error {
	c, err := s.store.GetCampaign(ctx, id)
	ok, err := s.inReach(ctx, actor, campaignTarget(c), err)
	if err != nil {
		return err
	}
	if !ok {
		f.Add("campaignId", "exists", "no campaign %q in reach", id)
		return nil
	}
	if at.Before(c.Starts) || !at.Before(c.Ends) {
		f.Add("visitedAt", "campaign_period", "lies outside the campaign's period")
	}
	path, err := s.k.UnitPath(ctx, unitID)
	if errors.Is(err, errs.ErrNotFound) {
		f.Add("unitId", "exists", "no unit %q", unitID)
		return nil
	}
	if err != nil {
		return err
	}
	for _, u := range c.UnitIDs {
		p, err := s.k.UnitPath(ctx, u)
		if err != nil && !errors.Is(err, errs.ErrNotFound) {
			return err
		}
		if err == nil && casework.Contains(p, path) {
			return nil
		}
	}
	f.Add("campaignId", "campaign_unit", "the visit's unit does not take part in the campaign")
	return nil
}

func (s *Service) createVisit(ctx context.Context, actor casework.Actor, in VisitInput, addr casework.Address, entry *PlanEntry, rk *casework.RequestKey) (Visit, error) {
	var regVersion int64
	var ch casework.Change
	if in.Registry != nil {
		// Prepared, not stored: the registry update commits with the visit.
		a, rec, err := s.k.PrepareRegistry(ctx, actor, addr.ID, in.Registry.AddressVersion, in.Registry.Registry)
		if err != nil {
			var inv *errs.InvalidError
			if errors.As(err, &inv) {
				var f errs.Fields
				f.Merge("registry.registry.", err)
				return Visit{}, f.Err()
			}
			return Visit{}, err
		}
		regVersion = a.Version
		ch.Addresses, ch.Audit = []casework.Address{a}, []casework.AuditRecord{rec}
	}
	now := s.k.Now()
	v := Visit{ID: s.k.NewID(), UnitID: in.UnitID, CampaignID: in.CampaignID, PlanEntryID: in.PlanEntryID,
		OfficerIDs: slices.Clone(in.OfficerIDs), VisitedAt: in.VisitedAt, AddressID: addr.ID, Address: addr.Text,
		Community: addr.Community, TargetKind: in.TargetKind, PersonID: in.PersonID, Organisation: in.Organisation,
		Notes: in.Notes, Services: slices.Clone(in.Services), Aid: slices.Clone(in.Aid), RegistryVersion: regVersion,
		RecordedBy: actor.StaffID, Version: 1, CreatedAt: now, UpdatedAt: now}
	v.TargetKey = targetKey(v.TargetKind, v.AddressID, v.Organisation, v.PersonID)

	for i, d := range in.Disputes {
		step := fmt.Sprintf("dispute/%d", i+1)
		msg, err := s.k.NewOutboxMessage(casework.KindDisputeFinding, casework.Source{Kind: RecordVisit, ID: v.ID, Step: step},
			casework.DisputeFinding{Source: casework.Source{Kind: RecordVisit, ID: v.ID, Step: step}, Actor: actor, UnitID: v.UnitID,
				Category: d.Category, Summary: d.Summary, AddressID: v.AddressID, Address: v.Address, PartyIDs: slices.Clone(d.PartyIDs),
				Risk: d.Risk, RiskNote: d.RiskNote, FoundAt: v.VisitedAt})
		if err != nil {
			return Visit{}, err
		}
		ch.Outbox = append(ch.Outbox, msg)
		v.Findings = append(v.Findings, Finding{Kind: FindingDispute, Step: step, Category: d.Category, Summary: d.Summary,
			Risk: d.Risk, RiskNote: d.RiskNote, PersonIDs: slices.Clone(d.PartyIDs), OutboxID: msg.ID})
	}
	for i, l := range in.Leads {
		step := fmt.Sprintf("lead/%d", i+1)
		msg, err := s.k.NewOutboxMessage(casework.KindLeadFinding, casework.Source{Kind: RecordVisit, ID: v.ID, Step: step},
			casework.LeadFinding{Source: casework.Source{Kind: RecordVisit, ID: v.ID, Step: step}, Actor: actor, UnitID: v.UnitID,
				Summary: l.Summary, AddressID: v.AddressID, PersonIDs: slices.Clone(l.PersonIDs), FoundAt: v.VisitedAt})
		if err != nil {
			return Visit{}, err
		}
		ch.Outbox = append(ch.Outbox, msg)
		v.Findings = append(v.Findings, Finding{Kind: FindingLead, Step: step, Summary: l.Summary,
			PersonIDs: slices.Clone(l.PersonIDs), OutboxID: msg.ID})
	}
	w := VisitWrite{}
	for _, hin := range in.Hazards {
		if hin.UnitID == "" {
			hin.UnitID = v.UnitID
		}
		hin.AddressID, hin.VisitID = v.AddressID, v.ID
		h := s.newHazard(actor, hin, v.VisitedAt, addr)
		w.Hazards = append(w.Hazards, h)
		v.HazardIDs = append(v.HazardIDs, h.ID)
		rec, err := s.k.AuditRecord(ctx, actor, "hazard.report", RecordHazard, h.ID, nil, h)
		if err != nil {
			return Visit{}, err
		}
		ch.Audit = append(ch.Audit, rec)
	}
	rec, err := s.k.AuditRecord(ctx, actor, "visit.record", RecordVisit, v.ID, nil, v)
	if err != nil {
		return Visit{}, err
	}
	ch.Audit = append([]casework.AuditRecord{rec}, ch.Audit...)
	if err := ch.Keyed(rk, RecordVisit, v.ID, v); err != nil {
		return Visit{}, err
	}
	w.Visit = v

	if entry == nil {
		if err := s.store.CreateVisit(ctx, w, ch); err != nil {
			return Visit{}, err
		}
		return v, nil
	}
	// The plan entry may be changed by a concurrent visit to the same
	// target: reload it and try again, since the visit itself is new.
	base := ch.Audit
	err = retry(func() error {
		next, moved := s.visited(*entry, v)
		ch.Audit = base
		if moved {
			rec, err := s.k.AuditRecord(ctx, actor, "plan_entry.visited", RecordPlanEntry, entry.ID, *entry, next)
			if err != nil {
				return err
			}
			ch.Audit = append(slices.Clone(base), rec)
			w.Plan = &next
		} else {
			w.Plan = nil
		}
		err := s.store.CreateVisit(ctx, w, ch)
		if w.Plan != nil && errors.Is(err, errs.ErrConflict) {
			cur, gerr := s.store.GetPlanEntry(ctx, entry.ID)
			if gerr == nil && cur.Version != entry.Version {
				*entry = cur
				return errRetry
			}
		}
		return err
	})
	if err != nil {
		return Visit{}, err
	}
	return v, nil
}

// visited is a plan entry after a visit: the last visit moves forward only,
// so a visit recorded late never pushes the due date back.
func (s *Service) visited(e PlanEntry, v Visit) (PlanEntry, bool) {
	if !e.LastVisitAt.IsZero() && !v.VisitedAt.After(e.LastVisitAt) {
		return e, false
	}
	next := e
	next.LastVisitAt, next.LastVisitID = v.VisitedAt, v.ID
	a := s.plan.Assess(next.Kind, next.LastVisitAt, true, v.VisitedAt)
	next.DueFrom, next.Deadline = a.DueFrom, a.Deadline
	next.Version, next.UpdatedAt = e.Version+1, s.k.Now()
	return next, true
}

// GetVisit returns a visit in the actor's reach, masked when it is a
// sensitive visit the actor may not see in detail.
func (s *Service) GetVisit(ctx context.Context, actor casework.Actor, id string) (Visit, error) {
	v, err := load(ctx, s, actor, ActionRead, id, s.store.GetVisit, visitTarget)
	if err != nil {
		return Visit{}, err
	}
	if v.TargetKind.Sensitive() {
		if s.helperBound(actor, ActionRead) {
			return Visit{}, errs.New(errs.ErrForbidden, "a helper sees no visit to a %s", v.TargetKind)
		}
		ok, err := s.canSeeSensitive(ctx, actor, visitTarget(v))
		if err != nil {
			return Visit{}, err
		}
		if !ok {
			return v.masked(), nil
		}
	}
	return v, nil
}

// VisitQuery lists visits in the actor's subtree.
type VisitQuery struct {
	UnitID      string // a unit in the actor's subtree; default the actor's unit
	OfficerID   string
	TargetKind  TargetKind
	From, To    time.Time
	CampaignID  string
	PlanEntryID string
	AddressID   string
	Page        casework.Page
}

// ListVisits lists visits by time, masking sensitive ones for actors who
// may not see them in detail. It returns the cursor of the next page.
func (s *Service) ListVisits(ctx context.Context, actor casework.Actor, q VisitQuery) ([]Visit, string, error) {
	l, err := s.visitList(ctx, actor, q)
	if err != nil {
		return nil, "", err
	}
	rows, err := s.store.ListVisits(ctx, l.filter, l.page)
	if err != nil {
		return nil, "", err
	}
	rows, next := casework.PageOf(rows, l.limit, func(v Visit) casework.Cursor { return casework.Cursor{At: v.VisitedAt, ID: v.ID} })
	for i, v := range rows {
		rows[i] = l.view(v)
	}
	if l.helper {
		// The page may come out shorter; the cursor still moves on.
		rows = slices.DeleteFunc(rows, func(v Visit) bool { return v.TargetKind.Sensitive() })
	}
	return rows, next, nil
}

// ListVisitPage is ListVisits for a caller that keeps visits by version
// (the reference server keeps each visit's encoded answer): the same
// checks, the same visits in the same order and the same cursor, listed
// as casework.Listed — id, version and the view the actor gets
// (casework.ViewMasked where ListVisits masks) — from the store's narrow
// ListVisitRefs, with a Load that reads the page's visits the caller
// lacks in one GetVisits and masks them as ListVisits does. A visit that
// Load finds updated since it was listed is answered at its newer
// version: its unit, kind and time never change, so it still belongs to
// the page, though a person merge in between may have replaced the
// person the filter named (it was listed when it named them).
func (s *Service) ListVisitPage(ctx context.Context, actor casework.Actor, q VisitQuery) (casework.ListedPage[Visit], error) {
	l, err := s.visitList(ctx, actor, q)
	if err != nil {
		return casework.ListedPage[Visit]{}, err
	}
	refs, err := s.visitRefs(ctx, l.filter, l.page)
	if err != nil {
		return casework.ListedPage[Visit]{}, err
	}
	refs, next := casework.PageOf(refs, l.limit, func(v VisitRef) casework.Cursor { return casework.Cursor{At: v.VisitedAt, ID: v.ID} })
	items := make([]casework.Listed, 0, len(refs))
	for _, r := range refs {
		if l.helper && r.TargetKind.Sensitive() {
			continue // as ListVisits: the page may come out shorter
		}
		it := casework.Listed{RecordType: RecordVisit, ID: r.ID, Version: r.Version}
		if r.TargetKind.Sensitive() && !l.see {
			it.View = casework.ViewMasked
		}
		items = append(items, it)
	}
	load := func(ctx context.Context, ids []string) ([]Visit, error) {
		listed := make(map[string]bool, len(items)) // made here: most pages are never loaded
		for _, it := range items {
			listed[it.ID] = true
		}
		ids = slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return !listed[id] })
		if len(ids) == 0 {
			return nil, nil
		}
		rows, err := s.store.GetVisits(ctx, ids)
		if err != nil {
			return nil, err
		}
		for i, v := range rows {
			rows[i] = l.view(v)
		}
		return slices.DeleteFunc(rows, func(v Visit) bool { return !listed[v.ID] || (l.helper && v.TargetKind.Sensitive()) }), nil
	}
	return casework.ListedPage[Visit]{Items: items, Next: next, Load: load, Key: listedVisit}, nil
}

// listedVisit names a visit as ListVisitPage lists it.
func listedVisit(v Visit) casework.Listed {
	it := casework.Listed{RecordType: RecordVisit, ID: v.ID, Version: v.Version}
	if v.Masked {
		it.View = casework.ViewMasked
	}
	return it
}

// visitList is what a list of visits has checked and decided before it
// reads: the store's filter and page (one row more than the page, to
// learn whether another follows), and how the actor sees each visit.
type visitList struct {
	filter VisitFilter
	page   casework.Page
	limit  int
	see    bool // the actor sees sensitive visits unmasked
	helper bool // the actor is bound to helper work: sensitive visits are left out
}

// view is a visit as the list shows it to the actor.
func (l visitList) view(v Visit) Visit {
	if v.TargetKind.Sensitive() && !l.see {
		return v.masked()
	}
	return v
}

func (s *Service) visitList(ctx context.Context, actor casework.Actor, q VisitQuery) (visitList, error) {
	path, err := s.scope(ctx, actor, ActionRead, q.UnitID)
	if err != nil {
		return visitList{}, err
	}
	if q.TargetKind != "" && !q.TargetKind.Valid() {
		return visitList{}, errs.Invalid("targetKind", "code", "%q is not a target kind", q.TargetKind)
	}
	see, err := s.canSeeSensitive(ctx, actor, casework.Target{})
	if err != nil {
		return visitList{}, err
	}
	p := q.Page.Normalize()
	return visitList{filter: VisitFilter{UnitUnder: path, OfficerID: q.OfficerID, TargetKind: q.TargetKind,
		From: casework.Truncate(q.From), To: casework.Truncate(q.To), CampaignID: q.CampaignID, PlanEntryID: q.PlanEntryID,
		AddressID: q.AddressID}, page: casework.Page{Limit: p.Limit + 1, After: p.After}, limit: p.Limit, see: see,
		helper: s.helperBound(actor, ActionRead)}, nil
}

// AmendVisit corrects a visit's notes, services or aid (compare-and-swap on
// version). Who went, when, where and what was found stay as recorded.
func (s *Service) AmendVisit(ctx context.Context, actor casework.Actor, id string, version int64, am VisitAmendment) (Visit, error) {
	cur, err := load(ctx, s, actor, ActionVisit, id, s.store.GetVisit, visitTarget)
	if err != nil {
		return Visit{}, err
	}
	if cur.TargetKind.Sensitive() {
		if ok, err := s.canSeeSensitive(ctx, actor, visitTarget(cur)); err != nil || !ok {
			return Visit{}, errs.New(errs.ErrForbidden, "amending a sensitive visit needs %s", ActionReadSensitive)
		}
	}
	var f errs.Fields
	f.Merge("", s.k.Validate(am))
	next := cur.Clone()
	if am.Notes != nil {
		next.Notes = strings.TrimSpace(*am.Notes)
	}
	if am.Services != nil {
		next.Services = slices.Clone(am.Services)
		checkServices(&f, "", next.Services)
	}
	if am.Aid != nil {
		next.Aid = normalizeAid(s.k.Codes(), am.Aid)
		checkAid(&f, s.k.Codes(), "", next.Aid)
	}
	if err := f.Err(); err != nil {
		return Visit{}, err
	}
	if cur.Version != version {
		return Visit{}, errs.Stale(RecordVisit, id, version)
	}
	next.Version, next.UpdatedAt = cur.Version+1, s.k.Now()
	ch, err := s.k.Change(ctx, actor, "visit.amend", RecordVisit, id, cur, next)
	if err != nil {
		return Visit{}, err
	}
	if err := s.store.UpdateVisit(ctx, next, ch); err != nil {
		return Visit{}, err
	}
	return next, nil
}
