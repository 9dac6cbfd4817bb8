package openapi

import (
	"net/http"

	"github.com/grassroots-policing/grassroots/openapi/api"
	"github.com/grassroots-policing/grassroots/outreach"
)

// visitPage is the list of visits' 200 answer. It writes the same bytes as
// api.ListVisits200JSONResponse (TestVisitPageAnswer): each visit's object
// encoded by the object builder of jsonobject.go (visitObject), most of
// them kept from an earlier answer (cachedObjects): a station's work list
// of 50 visits is the API's busiest list.
type visitPage struct {
	items [][]byte // each visit's encoded object
	next  string
}

var _ api.ListVisitsResponseObject = visitPage{}

func (p visitPage) VisitListVisitsResponse(w http.ResponseWriter) error {
	return writeDocument(w, "", func(o *object) {
		o.key("items")
		rawObjects(o, p.items)
		o.optStr("next", p.next)
	})
}

// visitObject writes a visit (as the service hands it out, masked or not)
// as the API's object.
func visitObject(o *object, v outreach.Visit) { visitFields(o, visitOut(v)) }

// visitFields writes v's fields in api.Visit's order.
func visitFields(o *object, v api.Visit) {
	o.optStr("address", v.Address)
	o.optStr("addressId", v.AddressId)
	optObjects(o, "aid", v.Aid, func(o *object, a api.Aid) {
		o.optStr("item", a.Item)
		o.optInt("quantity", a.Quantity)
		o.optStr("unit", a.Unit)
	})
	optObjects(o, "attachments", v.Attachments, func(o *object, a api.RecordAttachment) {
		o.time("attachedAt", a.AttachedAt)
		o.str("attachedBy", a.AttachedBy)
		o.str("href", a.Href)
		o.str("mediaType", a.MediaType)
		o.str("name", a.Name)
		o.str("ownerUnitId", a.OwnerUnitId)
		o.str("recordId", a.RecordId)
		o.str("recordType", a.RecordType)
		o.str("sha256", a.Sha256)
		o.int("size", a.Size)
	})
	o.optStr("campaignId", v.CampaignId)
	o.optStr("community", v.Community)
	o.time("createdAt", v.CreatedAt)
	optObjects(o, "findings", v.Findings, func(o *object, f api.VisitFinding) {
		o.optStr("category", f.Category)
		o.optStr("kind", string(f.Kind))
		o.optTime("linkedAt", f.LinkedAt)
		o.optStr("outboxId", f.OutboxId)
		optStrs(o, "personIds", f.PersonIds)
		o.optStr("resultId", f.ResultId)
		o.optStr("risk", f.Risk)
		o.optStr("riskNote", f.RiskNote)
		o.optStr("step", f.Step)
		o.optStr("summary", f.Summary)
	})
	optStrs(o, "hazardIds", v.HazardIds)
	o.str("id", v.Id)
	o.optBool("masked", v.Masked)
	o.optStr("notes", v.Notes)
	strs(o, "officerIds", v.OfficerIds)
	o.optStr("organisation", v.Organisation)
	o.optStr("personId", v.PersonId)
	o.optStr("planEntryId", v.PlanEntryId)
	o.str("recordedBy", v.RecordedBy)
	o.optInt("registryVersion", v.RegistryVersion)
	optObjects(o, "services", v.Services, func(o *object, s api.ServiceGiven) {
		o.optStr("kind", string(s.Kind))
		o.optStr("note", s.Note)
	})
	o.str("targetKey", v.TargetKey)
	o.str("targetKind", string(v.TargetKind))
	o.str("unitId", v.UnitId)
	o.time("updatedAt", v.UpdatedAt)
	o.int("version", v.Version)
	o.time("visitedAt", v.VisitedAt)
}
