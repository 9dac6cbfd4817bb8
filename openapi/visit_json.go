package openapi

import (
	"net/http"
	"sync"

	"github.com/grassroots-policing/grassroots/openapi/api"
	"github.com/grassroots-policing/grassroots/outreach"
)

// visitPage is the list of visits' 200 answer. It writes the same bytes as
// api.ListVisits200JSONResponse (TestVisitPageJSON) with the append
// encoder of jsonappend.go, translating each visit as it goes: a station's
// work list of 50 visits is the API's busiest list.
type visitPage struct {
	visits []outreach.Visit
	next   string
}

var _ api.ListVisitsResponseObject = visitPage{}

// listBufs keeps the answers' buffers: a page of 50 visits is about 25 KB,
// grown anew for every request otherwise.
var listBufs = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBuf is the largest buffer put back: a rare huge page is let go.
const maxPooledBuf = 1 << 20

func (p visitPage) VisitListVisitsResponse(w http.ResponseWriter) error {
	buf := listBufs.Get().(*[]byte)
	defer func() {
		if cap(*buf) <= maxPooledBuf {
			listBufs.Put(buf)
		}
	}()
	o := object{b: append((*buf)[:0], `{"items":[`...)}
	for i, v := range p.visits {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		appendVisit(&o, visitOut(v))
	}
	o.b = append(o.b, ']')
	o.comma = true
	o.optStr("next", p.next)
	o.b = append(o.b, '}', '\n')
	*buf = o.b
	if o.err != nil {
		return o.err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(o.b)
	return err
}

// appendVisit writes v as one object, its fields in api.Visit's order.
func appendVisit(o *object, v api.Visit) {
	o.b = append(o.b, '{')
	o.comma = false
	o.optStr("address", v.Address)
	o.optStr("addressId", v.AddressId)
	optList(o, "aid", v.Aid, func(o *object, a api.Aid) {
		o.optStr("item", a.Item)
		o.optInt("quantity", a.Quantity)
		o.optStr("unit", a.Unit)
	})
	optList(o, "attachments", v.Attachments, func(o *object, a api.RecordAttachment) {
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
	optList(o, "findings", v.Findings, func(o *object, f api.VisitFinding) {
		o.optStr("category", f.Category)
		o.optStr("kind", string(f.Kind))
		o.optTime("linkedAt", f.LinkedAt)
		o.optStr("outboxId", f.OutboxId)
		o.optStrs("personIds", f.PersonIds)
		o.optStr("resultId", f.ResultId)
		o.optStr("risk", f.Risk)
		o.optStr("riskNote", f.RiskNote)
		o.optStr("step", f.Step)
		o.optStr("summary", f.Summary)
	})
	o.optStrs("hazardIds", v.HazardIds)
	o.str("id", v.Id)
	o.optBool("masked", v.Masked)
	o.optStr("notes", v.Notes)
	o.strs("officerIds", v.OfficerIds)
	o.optStr("organisation", v.Organisation)
	o.optStr("personId", v.PersonId)
	o.optStr("planEntryId", v.PlanEntryId)
	o.str("recordedBy", v.RecordedBy)
	o.optInt("registryVersion", v.RegistryVersion)
	optList(o, "services", v.Services, func(o *object, s api.ServiceGiven) {
		o.optStr("kind", string(s.Kind))
		o.optStr("note", s.Note)
	})
	o.str("targetKey", v.TargetKey)
	o.str("targetKind", string(v.TargetKind))
	o.str("unitId", v.UnitId)
	o.time("updatedAt", v.UpdatedAt)
	o.int("version", v.Version)
	o.time("visitedAt", v.VisitedAt)
	o.b = append(o.b, '}')
	o.comma = true
}
