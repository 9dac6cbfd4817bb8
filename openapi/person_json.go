package openapi

import (
	"net/http"

	"github.com/grassroots-policing/grassroots/openapi/api"
)

// personResponse answers GetPerson, the read the load script measures, with
// the bytes the generated GetPerson200JSONResponse writes, appended
// directly by the object builder of jsonobject.go: encoding/json's
// reflection was a tenth of the server's CPU per read under load.
// TestPersonJSONIsEncodingJSON holds the two to the same bytes, for every
// field of api.Person.
type personResponse struct {
	p    api.Person
	etag string
}

func (r personResponse) VisitGetPersonResponse(w http.ResponseWriter) error {
	return writeDocument(w, r.etag, func(o *object) { personFields(o, &r.p) })
}

// appendPerson appends p as json.Encoder encodes it, a newline after.
func appendPerson(b []byte, p *api.Person) ([]byte, error) {
	return document(b, func(o *object) { personFields(o, p) })
}

// personFields writes p's fields in api.Person's order, omitempty and
// omitzero as tagged.
func personFields(o *object, p *api.Person) {
	o.optStr("address", p.Address)
	o.optStr("addressId", p.AddressId)
	o.optTime("birthDate", p.BirthDate)
	optObjects(o, "contacts", p.Contacts, func(o *object, c api.Contact) {
		o.optStr("kind", string(c.Kind))
		o.str("value", c.Value)
	})
	o.time("createdAt", p.CreatedAt)
	o.optStr("description", p.Description)
	o.optStr("docNumber", p.DocNumber)
	o.str("docType", string(p.DocType))
	o.str("gender", string(p.Gender))
	o.str("id", p.Id)
	o.optTime("mergedAt", p.MergedAt)
	o.optStr("mergedInto", p.MergedInto)
	o.optStr("name", p.Name)
	o.optStr("phone", p.Phone)
	o.bool("revealed", p.Revealed)
	optStrs(o, "tags", p.Tags)
	o.optBool("unidentified", p.Unidentified)
	o.str("unitId", p.UnitId)
	o.time("updatedAt", p.UpdatedAt)
	o.int("version", p.Version)
}
