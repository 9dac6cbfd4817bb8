package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/outreach"
)

// plannedVisit is a visit before it is written: when, what kind of target,
// and what it finds.
type plannedVisit struct {
	at      time.Time
	kind    outreach.TargetKind
	target  int // the organisation's number for the kinds visited by organisation; -1: a resident
	hazard  bool
	lead    bool
	dispute bool
}

// byOrganisation are the kinds whose target is an organisation (a site, a
// firm, a school, a village), each with the noun its names end in.
var byOrganisation = map[outreach.TargetKind]string{
	outreach.SecurityKeySite:      "治安重点部位",
	outreach.StrugglingEnterprise: "经营困难企业",
	outreach.School:               "学校",
	outreach.Village:              "村",
	outreach.Community:            "社区",
	outreach.Online:               "网格群",
}

// homes maps an organisation (kind, number) to the station it lies in,
// fixed the first time it is visited.
type orgKey struct {
	kind outreach.TargetKind
	n    int
}

// writeVisits writes the planned visits in order, with the hazards,
// disputes and leads they found. disputeFate decides what becomes of a
// dispute found on a visit.
func (g *gen) writeVisits(plan []plannedVisit, homes map[orgKey]*station, disputeFate func(reported time.Time) disputeFate) error {
	for _, pv := range plan {
		st := g.pickStation()
		if pv.target >= 0 {
			k := orgKey{pv.kind, pv.target}
			if homes[k] == nil {
				homes[k] = st
			}
			st = homes[k]
		}
		if err := g.visit(st, pv, disputeFate); err != nil {
			return err
		}
	}
	return nil
}

func (g *gen) visit(st *station, pv plannedVisit, disputeFate func(time.Time) disputeFate) error {
	ctx, t := g.ctx, pv.at
	by := g.officer(st)
	v := outreach.Visit{ID: g.id("v"), UnitID: st.unit.ID, OfficerIDs: []string{by.StaffID}, VisitedAt: t, TargetKind: pv.kind,
		RecordedBy: by.StaffID, Version: 1, CreatedAt: t, UpdatedAt: t}
	if noun, ok := byOrganisation[pv.kind]; ok && pv.target >= 0 {
		// Names are typed already normalised (no spaces, no capitals,
		// half-width digits), so the target key the service would derive
		// is the kind and the name.
		v.Organisation = fmt.Sprintf("%s%s%d号", st.short, noun, pv.target+1)
		v.TargetKey = string(pv.kind) + "|org:" + v.Organisation
	} else {
		v.PersonID = pick(g, st.persons).id
		v.TargetKey = string(pv.kind) + "|person:" + v.PersonID
	}
	switch pv.kind {
	case outreach.DifficultFamily:
		if g.rng.IntN(4) == 0 {
			v.Aid = slices.Clone(familyAid)
		}
		switch r := g.rng.IntN(20); {
		case r < 6:
			v.Services = []outreach.ServiceGiven{{Kind: outreach.ServiceDoorToDoor}}
		case r < 8:
			v.Services = []outreach.ServiceGiven{{Kind: outreach.ServiceErrand, Note: "代办证件"}}
		case r < 9:
			v.Services = []outreach.ServiceGiven{{Kind: outreach.ServiceAppointment}}
		}
	}
	var parties []personRef
	if pv.dispute {
		parties = []personRef{pick(g, st.persons), pick(g, st.persons)}
		v.Findings = append(v.Findings, outreach.Finding{Kind: outreach.FindingDispute, Step: "dispute/1", Category: "neighbour/noise",
			Summary: "楼上楼下噪音纠纷", Risk: string(mediation.RiskLow), PersonIDs: []string{parties[0].id, parties[1].id},
			OutboxID: g.id("o"), ResultID: g.id("d"), LinkedAt: t})
	}
	if pv.lead {
		v.Findings = append(v.Findings, outreach.Finding{Kind: outreach.FindingLead, Step: "lead/1", Summary: "群众反映可疑人员夜间出入",
			OutboxID: g.id("o"), ResultID: g.id("l"), LinkedAt: t})
	}
	var hazards []outreach.Hazard
	if pv.hazard {
		h := g.hazard(st, by, v, t)
		v.HazardIDs = []string{h.ID}
		hazards = append(hazards, h)
	}
	var referrals []outreach.Referral
	if r, ok := g.referral(st, by, v); ok {
		referrals = append(referrals, r)
	}
	// Each finding's link to the receiver's record is a version of its own.
	v.Version += int64(len(v.Findings))
	handoffs, err := findingHandoffs(by, v)
	if err != nil {
		return err
	}
	if err := g.wr.visit(ctx, by, v, hazards, referrals, handoffs); err != nil {
		return err
	}
	g.sampled("visit", v.ID)
	if pv.dispute {
		g.sampled("visit.dispute", v.ID)
	}
	for _, h := range hazards {
		g.sampled("hazard."+string(h.Status), h.ID)
	}
	g.seen(t)
	g.truth.count(st.unit.ID, "outreach.visits."+string(pv.kind), t, int64(pv.target))
	for _, s := range v.Services {
		g.truth.count(st.unit.ID, "outreach.services."+string(s.Kind), t, 0)
	}
	if len(v.Aid) > 0 {
		g.truth.count(st.unit.ID, "outreach.aid.visits", t, 0)
	}
	for _, a := range v.Aid {
		g.truth.sum(st.unit.ID, aidKey(a), t, a.Quantity)
	}
	for _, f := range v.Findings {
		switch f.Kind {
		case outreach.FindingDispute:
			g.truth.count(st.unit.ID, "outreach.disputes.handed", t, 0)
			src := &casework.Source{Kind: outreach.RecordVisit, ID: v.ID, Step: f.Step}
			if err := g.dispute(st, f.ResultID, t, mediation.SourceOutreach, src, parties, disputeFate(t)); err != nil {
				return err
			}
		case outreach.FindingLead:
			g.truth.count(st.unit.ID, "outreach.leads.collected", t, 0)
			if err := g.lead(st, by, f.ResultID, v, f); err != nil {
				return err
			}
		}
	}
	return nil
}

// findingHandoffs are the outbox messages of a visit's findings as
// outreach writes them with the visit (a DisputeFinding to mediation, a
// LeadFinding to casework), delivered when the finding was linked to the
// record the receiver created.
func findingHandoffs(by casework.Actor, v outreach.Visit) ([]casework.OutboxMessage, error) {
	var out []casework.OutboxMessage
	for _, f := range v.Findings {
		src := casework.Source{Kind: outreach.RecordVisit, ID: v.ID, Step: f.Step}
		var kind string
		var payload any
		switch f.Kind {
		case outreach.FindingDispute:
			kind, payload = casework.KindDisputeFinding, casework.DisputeFinding{Source: src, Actor: by, UnitID: v.UnitID, Category: f.Category,
				Summary: f.Summary, AddressID: v.AddressID, Address: v.Address, PartyIDs: slices.Clone(f.PersonIDs), Risk: f.Risk,
				RiskNote: f.RiskNote, FoundAt: v.VisitedAt}
		case outreach.FindingLead:
			kind, payload = casework.KindLeadFinding, casework.LeadFinding{Source: src, Actor: by, UnitID: v.UnitID, Summary: f.Summary,
				AddressID: v.AddressID, PersonIDs: slices.Clone(f.PersonIDs), FoundAt: v.VisitedAt}
		default:
			continue
		}
		b, err := json.Marshal(payload)
		if err != nil {
			return nil, err
		}
		out = append(out, casework.OutboxMessage{ID: f.OutboxID, Kind: kind, SourceKind: src.Kind, SourceID: src.ID, Step: src.Step,
			Payload: b, CreatedAt: v.CreatedAt, Attempts: 1, DeliveredAt: f.LinkedAt, ResultID: f.ResultID})
	}
	return out, nil
}

var hazardKinds = []string{"fire", "electrical", "gas", "building", "public_order", "technical_defence"}

// hazard is what a visit found: rectified within 25 days and verified a
// few days later, as far as the history reaches.
func (g *gen) hazard(st *station, by casework.Actor, v outreach.Visit, t time.Time) outreach.Hazard {
	place := v.Organisation
	if place == "" {
		place = "居民家中"
	}
	h := outreach.Hazard{ID: g.id("h"), UnitID: st.unit.ID, VisitID: v.ID, Place: place, Kind: pick(g, hazardKinds),
		Severity: outreach.SeverityGeneral, Description: "消防通道堆放杂物", Responsible: "户主", Deadline: casework.EndOfDayN(t, 30, g.zone),
		Status: outreach.HazardFound, FoundBy: by.StaffID, FoundAt: t, Version: 1, CreatedAt: t, UpdatedAt: t}
	if g.rng.IntN(10) == 0 {
		h.Severity, h.Responsible = outreach.SeverityMajor, "单位负责人"
	}
	g.truth.count(st.unit.ID, "outreach.hazards.found", t, 0)
	fixed := g.after(t, 1, 25)
	if !fixed.Before(g.end) {
		return h
	}
	h.RectifyingAt = g.after(t, 0, 0)
	if !h.RectifyingAt.Before(fixed) {
		h.RectifyingAt = t.Add(time.Minute)
	}
	h.Status, h.RectifiedAt, h.RectifiedBy, h.Version, h.UpdatedAt = outreach.HazardRectified, fixed, by.StaffID, 3, fixed
	g.truth.count(st.unit.ID, "outreach.hazards.rectified", fixed, 0)
	g.seen(fixed)
	if verified := g.after(fixed, 1, 3); verified.Before(g.end) {
		h.Status, h.VerifiedAt, h.VerifiedBy, h.Version, h.UpdatedAt = outreach.HazardVerified, verified, st.supervisor.StaffID, 4, verified
		g.seen(verified)
	}
	return h
}

// lead is a visit's lead as the case workflow receives it: new, from the
// visit's step.
func (g *gen) lead(st *station, by casework.Actor, id string, v outreach.Visit, f outreach.Finding) error {
	t := v.VisitedAt
	l := cases.Lead{ID: id, UnitID: st.unit.ID, Source: casework.Source{Kind: outreach.RecordVisit, ID: v.ID, Step: f.Step},
		Summary: f.Summary, FoundAt: t, FoundBy: by.StaffID, State: cases.LeadNew,
		History: []cases.Transition{{To: string(cases.LeadNew), At: t, ActorID: by.StaffID, Action: string(cases.ActionLeadCreate)}},
		Version: 1, CreatedAt: t, UpdatedAt: t}
	g.truth.count(st.unit.ID, cases.FigureCasesLeadsCollected, t, 0)
	return g.wr.lead(g.ctx, by, l)
}
