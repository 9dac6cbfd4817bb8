package casework

import (
	"slices"
	"time"

	"github.com/grassroots-policing/grassroots/internal/ident"
)

// DocType is the kind of identity document: resident_id, resident_id_legacy,
// hk_macao_residence_permit, taiwan_residence_permit,
// foreign_permanent_residence, passport or none.
type DocType = ident.DocType

// The document types.
const (
	DocResidentID                = ident.DocResidentID
	DocResidentIDLegacy          = ident.DocResidentIDLegacy
	DocHKMacaoResidencePermit    = ident.DocHKMacaoResidencePermit
	DocTaiwanResidencePermit     = ident.DocTaiwanResidencePermit
	DocForeignPermanentResidence = ident.DocForeignPermanentResidence
	DocPassport                  = ident.DocPassport
	DocNone                      = ident.DocNone
)

// Gender of a person.
type Gender string

// Genders. Unknown is for an unidentified suspect or a missing record.
const (
	GenderMale    Gender = "male"
	GenderFemale  Gender = "female"
	GenderUnknown Gender = "unknown"
)

// Tag marks a person for the outreach and protection work of the article.
type Tag string

// The tags. key_person, special_person and disabled are sensitive personal
// information: sealed at rest and hidden unless revealed.
const (
	TagDifficultFamily Tag = "difficult_family"  // 困难家庭
	TagKeyPerson       Tag = "key_person"        // 重点人员
	TagSpecialPerson   Tag = "special_person"    // 特殊人员 (e.g. severe mental illness)
	TagDisabled        Tag = "disabled"          // 残障人士
	TagElderlyAlone    Tag = "elderly_alone"     // 孤寡老人
	TagLeftBehindChild Tag = "left_behind_child" // 留守儿童
)

// Sensitive reports whether a tag is sensitive personal information.
func (t Tag) Sensitive() bool {
	return t == TagKeyPerson || t == TagSpecialPerson || t == TagDisabled
}

// Person is a resident, party, victim, owner or suspect as services return
// it: DocNumber, Phone and Contacts are masked (e.g. 370302********123X) and
// sensitive tags are left out unless the caller revealed them, which is
// audited. Phone is the first mobile of Contacts, for clients that know one
// phone.
type Person struct {
	ID        string    `json:"id"`
	UnitID    string    `json:"unitId"`
	Name      string    `json:"name,omitempty"`
	Gender    Gender    `json:"gender"`
	BirthDate time.Time `json:"birthDate,omitzero"` // a civil date at 00:00 UTC
	DocType   DocType   `json:"docType"`
	DocNumber string    `json:"docNumber,omitempty"`
	Phone     string    `json:"phone,omitempty"`
	Contacts  []Contact `json:"contacts,omitempty"`
	AddressID string    `json:"addressId,omitempty"`
	Address   string    `json:"address,omitempty"`
	Tags      []Tag     `json:"tags,omitempty"`
	// Unidentified persons (a suspect not yet known) carry a Description
	// instead of a name and document.
	Unidentified bool   `json:"unidentified,omitempty"`
	Description  string `json:"description,omitempty"`
	// MergedInto names the surviving person when this record was merged
	// into another (MergePersons): the record stays readable as a
	// tombstone that answers where its references went.
	MergedInto string    `json:"mergedInto,omitempty"`
	MergedAt   time.Time `json:"mergedAt,omitzero"`
	// Revealed is true when DocNumber, Phone and Tags are in clear. A masked
	// person never says whether sensitive tags exist: that a person is a key
	// person is itself sensitive.
	Revealed  bool      `json:"revealed"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// PersonInput creates or replaces a person's details. Phone is a mainland
// mobile (the number SMS reaches); Contacts are every way to reach the
// person (mobiles, landlines with their area code, foreign numbers, WeChat
// ids). Phone, when given, becomes the first contact; a contact given twice
// is kept once. An update replaces the contacts.
type PersonInput struct {
	UnitID       string    `json:"unitId"`
	Name         string    `json:"name"`
	Gender       Gender    `json:"gender"`
	BirthDate    time.Time `json:"birthDate,omitzero"`
	DocType      DocType   `json:"docType"`
	DocNumber    string    `json:"docNumber,omitempty"`
	Phone        string    `json:"phone,omitempty"`
	Contacts     []Contact `json:"contacts,omitempty"`
	AddressID    string    `json:"addressId,omitempty"`
	Address      string    `json:"address,omitempty"`
	Tags         []Tag     `json:"tags,omitempty"`
	Unidentified bool      `json:"unidentified,omitempty"`
	Description  string    `json:"description,omitempty"`
	RequestKey   string    `json:"-"`
	Now          time.Time `json:"-"`
}

// PersonRecord is a person as stores keep it: identity number, contacts and
// sensitive tags only sealed (AES-256-GCM), with blind indexes (keyed HMAC)
// for exact-match search and masked forms for display, so that listing
// persons never decrypts anything.
type PersonRecord struct {
	ID        string    `json:"id"`
	UnitID    string    `json:"unitId"`
	Name      string    `json:"name"`
	Gender    Gender    `json:"gender"`
	BirthDate time.Time `json:"birthDate,omitzero"`
	DocType   DocType   `json:"docType"`
	DocSealed []byte    `json:"docSealed,omitempty"`
	DocIndex  string    `json:"docIndex,omitempty"` // "" when no document: never unique-checked
	DocMasked string    `json:"docMasked,omitempty"`
	// Contacts in order; the first is the one phone persons had before
	// contacts (migrated into them).
	Contacts     []ContactRecord `json:"contacts,omitempty"`
	AddressID    string          `json:"addressId,omitempty"`
	Address      string          `json:"address,omitempty"`
	Tags         []Tag           `json:"tags,omitempty"` // the non-sensitive tags
	SealedTags   []byte          `json:"sealedTags,omitempty"`
	Unidentified bool            `json:"unidentified,omitempty"`
	Description  string          `json:"description,omitempty"`
	// MergedInto and MergedAt make the record a tombstone (see Person).
	MergedInto string    `json:"mergedInto,omitempty"`
	MergedAt   time.Time `json:"mergedAt,omitzero"`
	Version    int64     `json:"version"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

// Clone returns a copy that shares nothing with p.
func (p PersonRecord) Clone() PersonRecord {
	p.DocSealed = slices.Clone(p.DocSealed)
	p.Contacts = slices.Clone(p.Contacts)
	for i := range p.Contacts {
		p.Contacts[i].Sealed = slices.Clone(p.Contacts[i].Sealed)
	}
	p.SealedTags = slices.Clone(p.SealedTags)
	p.Tags = slices.Clone(p.Tags)
	return p
}

// PersonFilter selects persons. Index fields are blind indexes: the service
// computes them from a plaintext search term.
type PersonFilter struct {
	UnitUnder string
	DocIndex  string
	// ContactIndexes matches a person with any contact whose blind index is
	// one of them (a term read as a number and as a WeChat id).
	ContactIndexes []string
	Name           string // exact
	IDs            []string
}
