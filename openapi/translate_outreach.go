package openapi

import (
	"context"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/openapi/api"
	"github.com/grassroots-policing/grassroots/outreach"
)

// Translators of tag outreach: API types to library inputs and library
// records to API types. They copy fields and hold no rule.

// mapInput translates an optional list of an input: absent (nil) stays nil,
// so that "nil fields stay" in the library keeps its meaning over HTTP.
func mapInput[T, U any](in []T, f func(T) U) []U {
	if in == nil {
		return nil
	}
	return mapSlice(in, f)
}

// optional is nil for an empty string: the API's optional strings of an
// update are absent when empty, and the library's nil means "stays".
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func aidIn(a api.Aid) outreach.Aid {
	return outreach.Aid{Item: a.Item, Quantity: a.Quantity, Unit: a.Unit}
}

func aidOut(a outreach.Aid) api.Aid {
	return api.Aid{Item: a.Item, Quantity: a.Quantity, Unit: a.Unit}
}

func aidQuantityOut(a outreach.AidQuantity) api.AidQuantity {
	return api.AidQuantity{Item: a.Item, Unit: a.Unit, Quantity: a.Quantity, Visits: a.Visits}
}

func serviceIn(s api.ServiceGiven) outreach.ServiceGiven {
	return outreach.ServiceGiven{Kind: outreach.ServiceKind(s.Kind), Note: s.Note}
}

func serviceOut(s outreach.ServiceGiven) api.ServiceGiven {
	return api.ServiceGiven{Kind: api.ServiceKind(s.Kind), Note: s.Note}
}

func goalIn(g api.Goal) outreach.Goal {
	return outreach.Goal{Kind: outreach.TargetKind(g.Kind), Count: g.Count}
}

func goalOut(g outreach.Goal) api.Goal {
	return api.Goal{Kind: api.TargetKind(g.Kind), Count: g.Count}
}

func disputeFindingIn(d api.VisitDisputeInput) outreach.DisputeInput {
	return outreach.DisputeInput{Category: d.Category, Summary: d.Summary, Risk: string(d.Risk), RiskNote: d.RiskNote, PartyIDs: d.PartyIds}
}

func leadFindingIn(l api.VisitLeadInput) outreach.LeadInput {
	return outreach.LeadInput{Summary: l.Summary, PersonIDs: l.PersonIds}
}

func hazardIn(h api.HazardInput) outreach.HazardInput {
	return outreach.HazardInput{UnitID: h.UnitId, VisitID: h.VisitId, AddressID: h.AddressId, Place: h.Place, Kind: h.Kind,
		Severity: outreach.Severity(h.Severity), Description: h.Description, Responsible: h.Responsible,
		ResponsiblePersonID: h.ResponsiblePersonId, Deadline: h.Deadline, DueInDays: h.DueInDays}
}

// outreachRegistryIn is the address registry of a visit's registry update;
// an absent update (the zero value) is nil. (The kernel tag's registry
// operations may bring their own translator; the two can become one.)
func outreachRegistryIn(u api.RegistryUpdate) *outreach.RegistryUpdate {
	if isZeroRegistryUpdate(u) {
		return nil
	}
	r := casework.Registry{
		Residents: mapInput(u.Registry.Residents, func(r api.Resident) casework.Resident {
			return casework.Resident{PersonID: r.PersonId, Relation: r.Relation, Since: r.Since}
		}),
		Organisations: mapInput(u.Registry.Organisations, func(o api.Organisation) casework.Organisation {
			return casework.Organisation{Name: o.Name, Kind: o.Kind, Contact: o.Contact}
		}),
	}
	if h := u.Registry.Housing; h != (api.Housing{}) {
		r.Housing = &casework.Housing{Kind: h.Kind, Rooms: h.Rooms, OwnerID: h.OwnerId, Note: h.Note}
	}
	return &outreach.RegistryUpdate{AddressVersion: u.AddressVersion, Registry: r}
}

func isZeroRegistryUpdate(u api.RegistryUpdate) bool {
	return u.AddressVersion == 0 && u.Registry.Housing == (api.Housing{}) &&
		u.Registry.Residents == nil && u.Registry.Organisations == nil
}

func visitIn(in api.VisitInput, key string) outreach.VisitInput {
	return outreach.VisitInput{UnitID: in.UnitId, CampaignID: in.CampaignId, PlanEntryID: in.PlanEntryId, OfficerIDs: in.OfficerIds,
		VisitedAt: in.VisitedAt, AddressID: in.AddressId, TargetKind: outreach.TargetKind(in.TargetKind), PersonID: in.PersonId,
		Organisation: in.Organisation, Notes: in.Notes, Services: mapInput(in.Services, serviceIn), Aid: mapInput(in.Aid, aidIn),
		Disputes: mapInput(in.Disputes, disputeFindingIn), Leads: mapInput(in.Leads, leadFindingIn),
		Hazards: mapInput(in.Hazards, hazardIn), Registry: outreachRegistryIn(in.Registry), RequestKey: key}
}

func findingOut(f outreach.Finding) api.VisitFinding {
	return api.VisitFinding{Kind: api.VisitFindingKind(f.Kind), Step: f.Step, Category: f.Category, Summary: f.Summary, Risk: f.Risk,
		RiskNote: f.RiskNote, PersonIds: f.PersonIDs, OutboxId: f.OutboxID, ResultId: f.ResultID, LinkedAt: f.LinkedAt}
}

func visitOut(v outreach.Visit) api.Visit {
	return api.Visit{Id: v.ID, UnitId: v.UnitID, CampaignId: v.CampaignID, PlanEntryId: v.PlanEntryID, OfficerIds: v.OfficerIDs,
		VisitedAt: v.VisitedAt, AddressId: v.AddressID, Address: v.Address, Community: v.Community, TargetKind: api.TargetKind(v.TargetKind),
		TargetKey: v.TargetKey, PersonId: v.PersonID, Organisation: v.Organisation, Notes: v.Notes,
		Services: mapSlice(v.Services, serviceOut), Aid: mapSlice(v.Aid, aidOut), Findings: mapSlice(v.Findings, findingOut),
		HazardIds: v.HazardIDs, RegistryVersion: v.RegistryVersion, RecordedBy: v.RecordedBy, Masked: v.Masked,
		Version: v.Version, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt}
}

func hazardOut(h outreach.Hazard) api.Hazard {
	return api.Hazard{Id: h.ID, UnitId: h.UnitID, VisitId: h.VisitID, AddressId: h.AddressID, Community: h.Community, Place: h.Place,
		Kind: h.Kind, Severity: api.HazardSeverity(h.Severity), Description: h.Description, Responsible: h.Responsible,
		ResponsiblePersonId: h.ResponsiblePersonID, Deadline: h.Deadline, Status: api.HazardStatus(h.Status), FoundBy: h.FoundBy,
		FoundAt: h.FoundAt, RectifyingAt: h.RectifyingAt, RectifiedAt: h.RectifiedAt, RectifiedBy: h.RectifiedBy,
		VerifiedAt: h.VerifiedAt, VerifiedBy: h.VerifiedBy, Note: h.Note, Version: h.Version, CreatedAt: h.CreatedAt, UpdatedAt: h.UpdatedAt}
}

func appointmentIn(in api.AppointmentInput, key string) outreach.AppointmentInput {
	return outreach.AppointmentInput{UnitID: in.UnitId, Service: outreach.ServiceKind(in.Service), PersonID: in.PersonId,
		Requester: in.Requester, AddressID: in.AddressId, Place: in.Place, Request: in.Request, StartsAt: in.StartsAt, EndsAt: in.EndsAt,
		RequestKey: key}
}

func appointmentOut(a outreach.Appointment) api.Appointment {
	return api.Appointment{Id: a.ID, UnitId: a.UnitID, Service: api.ServiceKind(a.Service), PersonId: a.PersonID, Requester: a.Requester,
		AddressId: a.AddressID, Place: a.Place, Request: a.Request, StartsAt: a.StartsAt, EndsAt: a.EndsAt,
		Status: api.AppointmentStatus(a.Status), OfficerId: a.OfficerID, RecordedBy: a.RecordedBy, AcceptedAt: a.AcceptedAt,
		ClosedAt: a.ClosedAt, Reason: a.Reason, Note: a.Note, VisitId: a.VisitID, Version: a.Version,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

func campaignOut(c outreach.Campaign) api.Campaign {
	return api.Campaign{Id: c.ID, UnitId: c.UnitID, Name: c.Name, Description: c.Description, Starts: c.Starts, Ends: c.Ends,
		UnitIds: c.UnitIDs, Goals: mapSlice(c.Goals, goalOut), CreatedBy: c.CreatedBy, Version: c.Version,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

func progressOut(p outreach.Progress) api.Progress {
	return api.Progress{Campaign: campaignOut(p.Campaign), Goals: mapSlice(p.Goals, func(g outreach.GoalProgress) api.GoalProgress {
		return api.GoalProgress{Kind: api.TargetKind(g.Kind), Target: g.Target, Achieved: g.Achieved, Unit: g.Unit, Permille: g.Permille}
	})}
}

func planEntryOut(e outreach.PlanEntry) api.PlanEntry {
	return api.PlanEntry{Id: e.ID, UnitId: e.UnitID, Kind: api.TargetKind(e.Kind), AddressId: e.AddressID, Address: e.Address,
		Community: e.Community, PersonId: e.PersonID, Organisation: e.Organisation, Note: e.Note, Since: e.Since,
		LastVisitAt: e.LastVisitAt, LastVisitId: e.LastVisitID, DueFrom: e.DueFrom, Deadline: e.Deadline, Active: e.Active,
		Masked: e.Masked, Version: e.Version, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
}

func dueVisitOut(d outreach.DueVisit) api.DueVisit {
	return api.DueVisit{Entry: planEntryOut(d.Entry), Owners: d.Owners, Assessment: api.Assessment{
		Status: api.DueStatus(d.Assessment.Status), DueFrom: d.Assessment.DueFrom, Deadline: d.Assessment.Deadline}}
}

// outreachHandoffOut is a visit's hand-off with its delivery state. The
// service leaves the payload out (the finding is read on the visit, where
// masking applies), so there is none to translate. (The kernel tag's dead
// hand-offs may bring their own translator; the two can become one.)
func outreachHandoffOut(m casework.OutboxMessage) api.OutboxMessage {
	return api.OutboxMessage{Id: m.ID, Kind: m.Kind, SourceKind: m.SourceKind, SourceId: m.SourceID, Step: m.Step,
		CreatedAt: m.CreatedAt, Attempts: m.Attempts, LeaseOwner: m.LeaseOwner, LeaseUntil: m.LeaseUntil,
		NextAttempt: m.NextAttempt, DeliveredAt: m.DeliveredAt, ResultId: m.ResultID, LastError: m.LastError}
}

// update is every compare-and-swap change of a handler: it reads the
// version from If-Match (428 without one), makes the change as the actor,
// and on a stale version re-reads the record with get, so that the 412
// carries the current ETag.
func update[T any](ctx context.Context, header api.IfMatch, id string,
	get func(context.Context, casework.Actor, string) (T, error), version func(T) int64,
	change func(actor casework.Actor, version int64) (T, error)) (T, error) {
	return ifMatchChange(ctx, header, change, func(a casework.Actor) (int64, error) {
		cur, err := get(ctx, a, id)
		return version(cur), err
	})
}

// The versions of the outreach records, for update.
func visitVersion(v outreach.Visit) int64             { return v.Version }
func planEntryVersion(e outreach.PlanEntry) int64     { return e.Version }
func hazardVersion(h outreach.Hazard) int64           { return h.Version }
func appointmentVersion(a outreach.Appointment) int64 { return a.Version }
func campaignVersion(c outreach.Campaign) int64       { return c.Version }

func referralVersion(r outreach.Referral) int64 { return r.Version }

func agencyReferralIn(visitID string, in api.AgencyReferralInput, key string) outreach.ReferralInput {
	return outreach.ReferralInput{VisitID: visitID, Agency: outreach.Agency(in.Agency), AgencyName: in.AgencyName, Request: in.Request,
		OwnerID: in.OwnerId, Due: in.Due, DueInDays: in.DueInDays, RequestKey: key}
}

func agencyReferralOut(r outreach.Referral) api.AgencyReferral {
	return api.AgencyReferral{Id: r.ID, UnitId: r.UnitID, VisitId: r.VisitID, Sensitive: r.Sensitive, Agency: api.ReferralAgency(r.Agency),
		AgencyName: r.AgencyName, Request: r.Request, OwnerId: r.OwnerID, Due: r.Due, Status: api.AgencyReferralStatus(r.Status),
		FollowUps: mapSlice(r.FollowUps, func(f outreach.FollowUp) api.AgencyReferralFollowUp {
			return api.AgencyReferralFollowUp{At: f.At, By: f.By, Note: f.Note}
		}),
		Outcome: api.ReferralOutcome(r.Outcome), OutcomeNote: r.OutcomeNote, ClosedAt: r.ClosedAt, ClosedBy: r.ClosedBy,
		OverdueNoticedAt: r.OverdueNoticedAt, CreatedBy: r.CreatedBy, Masked: r.Masked, Version: r.Version, CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt}
}
