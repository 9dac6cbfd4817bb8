package casework

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/grassroots-policing/grassroots/internal/ident"
)

// Blind-index purposes: one per searchable field, so equal values in
// different fields do not share an index.
const (
	indexDoc    = "person.doc"
	indexPhone  = "person.phone" // every number, over its display form (ident.PhoneNumber.Display)
	indexWeChat = "person.wechat"
)

func (in *PersonInput) normalize() {
	in.Name = strings.TrimSpace(in.Name)
	if in.DocType == "" {
		in.DocType = DocNone
	}
	in.DocNumber = ident.Normalize(in.DocType, in.DocNumber)
	in.Phone = strings.TrimSpace(in.Phone)
	if in.Gender == "" {
		in.Gender = GenderUnknown
	}
	in.Tags = slices.Compact(slices.Sorted(slices.Values(in.Tags)))
}

// checkPerson validates a person's details and their consistency with the
// identity document: a resident ID encodes the birth date and gender.
func (k *Kernel) checkPerson(in PersonInput) error {
	var f errs.Fields
	if !in.Unidentified && in.Name == "" {
		f.Add("name", "required", "is required unless the person is unidentified")
	}
	if in.Unidentified && in.Description == "" {
		f.Add("description", "required", "an unidentified person is recorded by description")
	}
	if utf8.RuneCountInString(in.Name) > 100 {
		f.Add("name", "max", "must be at most 100 characters")
	}
	if utf8.RuneCountInString(in.Description) > 2000 {
		f.Add("description", "max", "must be at most 2000 characters")
	}
	if in.UnitID == "" {
		f.Add("unitId", "required", "is required")
	}
	switch in.Gender {
	case GenderMale, GenderFemale, GenderUnknown:
	default:
		f.Add("gender", "oneof", "must be male, female or unknown")
	}
	if !in.DocType.Valid() {
		f.Add("docType", "doc_type", "%q is not a document type", in.DocType)
	} else if err := ident.Validate(in.DocType, in.DocNumber, k.Now()); err != nil {
		rule := "invalid"
		if re, ok := err.(*ident.RuleError); ok {
			rule = re.Rule
		}
		f.Add("docNumber", rule, "%v", err)
	} else {
		if bd, ok := ident.BirthDate(in.DocType, in.DocNumber); ok && !in.BirthDate.IsZero() && !sameDay(bd, in.BirthDate) {
			f.Add("birthDate", "matches_document", "differs from the birth date in the document number")
		}
		if g, ok := ident.Gender(in.DocType, in.DocNumber); ok && in.Gender != GenderUnknown && string(in.Gender) != g {
			f.Add("gender", "matches_document", "differs from the gender in the document number")
		}
	}
	if _, err := in.contacts(); err != nil {
		f.Merge("", err)
	}
	if !in.BirthDate.IsZero() && in.BirthDate.After(k.Now()) {
		f.Add("birthDate", "past", "may not be in the future")
	}
	for i, t := range in.Tags {
		switch t {
		case TagDifficultFamily, TagKeyPerson, TagSpecialPerson, TagDisabled, TagElderlyAlone, TagLeftBehindChild:
		default:
			f.Add("tags["+strconv.Itoa(i)+"]", "code", "%q is not a person tag", t)
		}
	}
	return f.Err()
}

func sameDay(a, b time.Time) bool {
	return a.Year() == b.Year() && a.Month() == b.Month() && a.Day() == b.Day()
}

// seal turns validated input into the stored form.
func (k *Kernel) seal(ctx context.Context, id string, in PersonInput, rec *PersonRecord) error {
	bd := in.BirthDate
	if d, ok := ident.BirthDate(in.DocType, in.DocNumber); ok && bd.IsZero() {
		bd = d
	}
	if !bd.IsZero() {
		bd = time.Date(bd.Year(), bd.Month(), bd.Day(), 0, 0, 0, 0, time.UTC)
	}
	gender := in.Gender
	if g, ok := ident.Gender(in.DocType, in.DocNumber); ok && gender == GenderUnknown {
		gender = Gender(g)
	}
	var plain, secret []Tag
	for _, t := range in.Tags {
		if t.Sensitive() {
			secret = append(secret, t)
		} else {
			plain = append(plain, t)
		}
	}
	var err error
	rec.ID, rec.UnitID, rec.Name, rec.Gender, rec.BirthDate, rec.DocType = id, in.UnitID, in.Name, gender, bd, in.DocType
	rec.AddressID, rec.Address, rec.Tags, rec.Unidentified, rec.Description = in.AddressID, in.Address, plain, in.Unidentified, in.Description
	if rec.DocSealed, err = k.sealer.Seal(ctx, []byte(in.DocNumber), aad(id, "doc")); err != nil {
		return err
	}
	if rec.DocIndex, err = k.sealer.BlindIndex(ctx, indexDoc, []byte(string(in.DocType)+":"+in.DocNumber)); err != nil {
		return err
	}
	if in.DocNumber == "" {
		rec.DocIndex = ""
	}
	rec.DocMasked = ident.MaskDocument(in.DocType, in.DocNumber)
	contacts, err := in.contacts()
	if err != nil {
		return err
	}
	if rec.Contacts, err = k.sealContacts(ctx, id, contacts); err != nil {
		return err
	}
	rec.SealedTags = nil
	if len(secret) > 0 {
		b, _ := json.Marshal(secret)
		if rec.SealedTags, err = k.sealer.Seal(ctx, b, aad(id, "tags")); err != nil {
			return err
		}
	}
	return nil
}

// aad binds a ciphertext to its person and field, so a sealed value copied
// onto another person or field does not open.
func aad(id, field string) []byte { return []byte("person:" + id + ":" + field) }

// view is the masked form every service returns.
func view(r PersonRecord) Person {
	var contacts []Contact
	for _, c := range r.Contacts {
		contacts = append(contacts, Contact{Kind: c.Kind, Value: c.Masked})
	}
	return Person{ID: r.ID, UnitID: r.UnitID, Name: r.Name, Gender: r.Gender, BirthDate: r.BirthDate, DocType: r.DocType,
		DocNumber: r.DocMasked, Phone: firstMobile(contacts), Contacts: contacts, AddressID: r.AddressID, Address: r.Address, Tags: slices.Clone(r.Tags),
		Unidentified: r.Unidentified, Description: r.Description, MergedInto: r.MergedInto, MergedAt: r.MergedAt,
		Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// CreatePerson records a person. One person per document number: a second
// person with the same document is ErrConflict (find the first instead).
// The result is masked.
func (k *Kernel) CreatePerson(ctx context.Context, actor Actor, in PersonInput) (Person, error) {
	in.normalize()
	if err := k.Check(ctx, actor, ActionWritePerson, Target{RecordType: "person", UnitID: in.UnitID}); err != nil {
		return Person{}, err
	}
	if err := k.checkPerson(in); err != nil {
		return Person{}, err
	}
	if err := k.ref(ctx, actor, "address", "addressId", in.AddressID); err != nil {
		return Person{}, err
	}
	return CreateOnce(ctx, k, actor, in.RequestKey, in, func(rk *RequestKey) (Person, error) {
		now := k.Now()
		var rec PersonRecord
		if err := k.seal(ctx, k.NewID(), in, &rec); err != nil {
			return Person{}, err
		}
		rec.Version, rec.CreatedAt, rec.UpdatedAt = 1, now, now
		p := view(rec)
		ch, err := k.Change(ctx, actor, "person.create", "person", rec.ID, nil, p)
		if err != nil {
			return Person{}, err
		}
		if err := ch.Keyed(rk, "person", rec.ID, p); err != nil {
			return Person{}, err
		}
		if err := k.store.CreatePerson(ctx, rec, ch); err != nil {
			return Person{}, err
		}
		return p, nil
	})
}

// UpdatePerson replaces a person's details (compare-and-swap on version).
//
// It reads the stored record, never the cache, and drops the cached record
// when it returns, whatever the outcome: after a write (which may have
// committed even when an error is returned), and after a refused stale
// version, so that the version a client reads next is the stored one.
func (k *Kernel) UpdatePerson(ctx context.Context, actor Actor, id string, version int64, in PersonInput) (Person, error) {
	defer k.persons.drop(id)
	in.normalize()
	cur, err := k.store.GetPerson(ctx, id)
	if err != nil {
		return Person{}, err
	}
	if err := k.Check(ctx, actor, ActionWritePerson, Target{RecordType: "person", RecordID: id, UnitID: cur.UnitID}); err != nil {
		return Person{}, err
	}
	if in.UnitID == "" {
		in.UnitID = cur.UnitID
	}
	if in.UnitID != cur.UnitID {
		// Moving a person to another unit needs the right to write there
		// too; a unit out of reach answers as a person that does not exist.
		if err := k.Check(ctx, actor, ActionWritePerson, Target{RecordType: "person", RecordID: id, UnitID: in.UnitID}); err != nil {
			return Person{}, err
		}
	}
	if cur.MergedInto != "" {
		return Person{}, errMerged(cur)
	}
	if err := k.checkPerson(in); err != nil {
		return Person{}, err
	}
	if err := k.ref(ctx, actor, "address", "addressId", in.AddressID); err != nil {
		return Person{}, err
	}
	if cur.Version != version {
		return Person{}, errs.Stale("person", id, version)
	}
	next := cur
	if err := k.seal(ctx, id, in, &next); err != nil {
		return Person{}, err
	}
	next.Version, next.UpdatedAt = cur.Version+1, k.Now()
	ch, err := k.Change(ctx, actor, "person.update", "person", id, view(cur), view(next))
	if err != nil {
		return Person{}, err
	}
	if err := k.store.UpdatePerson(ctx, next, ch); err != nil {
		return Person{}, err
	}
	return view(next), nil
}

// GetPerson returns a person, masked. The record may come from the
// kernel's cache (Config.PersonCacheTTL); the actor's reach and permission
// are checked against its unit, and it is masked, on every call.
func (k *Kernel) GetPerson(ctx context.Context, actor Actor, id string) (Person, error) {
	rec, err := k.person(ctx, id)
	if err != nil {
		return Person{}, err
	}
	if err := k.Check(ctx, actor, ActionRead, Target{RecordType: "person", RecordID: id, UnitID: rec.UnitID}); err != nil {
		return Person{}, err
	}
	return view(rec), nil
}

// PersonQuery searches persons in the actor's subtree; DocNumber and
// Contact are exact matches through blind indexes. Contact finds a person
// by any of their contacts: a number in any form people write it (138 1234
// 5678, +86…, 010-6552 9988, +852…) or a WeChat id. Phone is the older name
// of Contact, used when Contact is empty.
type PersonQuery struct {
	DocType   DocType
	DocNumber string
	Contact   string
	Phone     string
	Name      string
	Page      Page
}

// FindPersons searches persons in the actor's subtree, masked.
func (k *Kernel) FindPersons(ctx context.Context, actor Actor, q PersonQuery) ([]Person, string, error) {
	if err := k.checkUnit(ctx, actor, ActionRead, ""); err != nil {
		return nil, "", err
	}
	path, err := k.Scope(ctx, actor, "")
	if err != nil {
		return nil, "", err
	}
	f := PersonFilter{UnitUnder: path, Name: q.Name}
	if q.DocNumber != "" {
		if f.DocIndex, err = k.DocIndex(ctx, q.DocType, q.DocNumber); err != nil {
			return nil, "", err
		}
	}
	p := q.Page.Normalize()
	term := q.Contact
	if strings.TrimSpace(term) == "" {
		term = q.Phone
	}
	if strings.TrimSpace(term) != "" {
		if f.ContactIndexes, err = k.contactIndexes(ctx, term); err != nil {
			return nil, "", err
		}
		if len(f.ContactIndexes) == 0 {
			return nil, "", nil // neither a number nor a WeChat id: nobody has it
		}
	}
	rows, err := k.store.ListPersons(ctx, f, Page{Limit: p.Limit + 1, After: p.After})
	if err != nil {
		return nil, "", err
	}
	rows, next := PageOf(rows, p.Limit, func(r PersonRecord) Cursor { return Cursor{At: r.CreatedAt, ID: r.ID} })
	out := make([]Person, len(rows))
	for i, r := range rows {
		out[i] = view(r)
	}
	return out, next, nil
}

// DocIndex is the blind index of a document number: workflows use it to
// filter their records by a party's or owner's ID number without storing it.
func (k *Kernel) DocIndex(ctx context.Context, t DocType, number string) (string, error) {
	if t == "" {
		t = DocResidentID
	}
	return k.sealer.BlindIndex(ctx, indexDoc, []byte(string(t)+":"+ident.Normalize(t, number)))
}

// RevealPerson returns a person with identity number, phone and sensitive
// tags in clear. It needs the reveal permission (never an admin's nor a
// helper's), a reason, and it is audited — the audit entry names who saw
// whose data and why, never the data. A refused reveal of a person in the
// actor's reach is audited too (ActionRevealRefused), so that a supervisor
// sees who tried; one out of reach answers not found and leaves no trace,
// as for an id that does not exist.
func (k *Kernel) RevealPerson(ctx context.Context, actor Actor, id, reason string) (Person, error) {
	rec, err := k.store.GetPerson(ctx, id)
	if err != nil {
		return Person{}, err
	}
	t := Target{RecordType: "person", RecordID: id, UnitID: rec.UnitID}
	if err := k.Reach(ctx, actor, t); err != nil {
		return Person{}, err
	}
	if err := k.Authorize(ctx, actor, ActionRevealPerson, t); err != nil {
		if errors.Is(err, errs.ErrForbidden) {
			if aerr := k.auditRefusedReveal(ctx, actor, id, reason); aerr != nil {
				return Person{}, aerr
			}
		}
		return Person{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		return Person{}, errs.Invalid("reason", "required", "a reveal needs a reason of at most 500 characters")
	}
	if err := CheckText("reason", reason, 500); err != nil {
		return Person{}, err
	}
	p := view(rec)
	doc, err := k.sealer.Open(ctx, rec.DocSealed, aad(id, "doc"))
	if err != nil {
		return Person{}, err
	}
	contacts, err := k.openContacts(ctx, id, rec.Contacts)
	if err != nil {
		return Person{}, err
	}
	if len(rec.SealedTags) > 0 {
		b, err := k.sealer.Open(ctx, rec.SealedTags, aad(id, "tags"))
		if err != nil {
			return Person{}, err
		}
		var secret []Tag
		if err := json.Unmarshal(b, &secret); err != nil {
			return Person{}, err
		}
		p.Tags = slices.Sorted(slices.Values(append(p.Tags, secret...)))
	}
	p.DocNumber, p.Contacts, p.Phone, p.Revealed = string(doc), contacts, firstMobile(contacts), true
	ch, err := k.Change(ctx, actor, ActionRevealPerson, "person", id, nil, map[string]string{"reason": reason})
	if err != nil {
		return Person{}, err
	}
	// A reveal changes no record: it commits only its audit entry, and shows
	// nothing if that fails.
	if err := k.store.CommitChange(ctx, ch); err != nil {
		return Person{}, err
	}
	return p, nil
}

// auditRefusedReveal records a refused reveal: who asked about whom, and
// the reason they gave when it is text the log may hold.
func (k *Kernel) auditRefusedReveal(ctx context.Context, actor Actor, id, reason string) error {
	after := map[string]string{}
	if reason = strings.TrimSpace(reason); reason != "" && CheckText("reason", reason, 500) == nil {
		after["reason"] = reason
	}
	ch, err := k.Change(ctx, actor, ActionRevealRefused, "person", id, nil, after)
	if err != nil {
		return err
	}
	return k.store.CommitChange(ctx, ch)
}
