package casework

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/grassroots-policing/grassroots/internal/ident"
)

// ContactKind is how a person is reached.
type ContactKind string

// The contact kinds. Numbers are read in the mainland plan unless they
// carry a country code, checked against libphonenumber's metadata and
// stored in E.164; a WeChat id is free text.
const (
	ContactMobile   ContactKind = "mobile"   // a mainland mobile (+86 1…)
	ContactLandline ContactKind = "landline" // any other +86 number: a landline with its area code, 400/800 lines
	ContactForeign  ContactKind = "foreign"  // a number outside +86: Hong Kong, Macao, Taiwan, abroad
	ContactWeChat   ContactKind = "wechat"   // a WeChat id (微信号)
)

// maxContacts bounds one person's contacts; maxWeChat a WeChat id.
const (
	maxContacts = 10
	maxWeChat   = 64
)

// Contact is one way to reach a person. Services return Value masked
// (138****5678) unless the person was revealed; a number is then shown in
// the mainland dialling form for +86 and in E.164 otherwise.
type Contact struct {
	Kind  ContactKind `json:"kind,omitempty"`
	Value string      `json:"value"`
}

// ContactRecord is a contact as stores keep it: sealed, with a blind index
// for exact search and a masked form for display.
type ContactRecord struct {
	Kind   ContactKind `json:"kind"`
	Sealed []byte      `json:"sealed"`
	Index  string      `json:"index"`
	Masked string      `json:"masked"`
}

// parsedContact is a validated contact: what is sealed, what its index is
// computed from (and under which purpose), and its masked form.
type parsedContact struct {
	kind            ContactKind
	stored, display string
	purpose, key    string
	masked          string
}

// contacts returns the input's contacts in order, the legacy Phone first
// (it is the mobile the records system sends SMS to), duplicates merged.
// Errors name contacts[i].value or contacts[i].kind, or phone.
func (in PersonInput) contacts() ([]parsedContact, error) {
	var f errs.Fields
	var out []parsedContact
	add := func(c parsedContact) {
		if !slices.ContainsFunc(out, func(x parsedContact) bool { return x.purpose == c.purpose && x.key == c.key }) {
			out = append(out, c)
		}
	}
	if in.Phone != "" {
		c, err := parseContact(Contact{Kind: ContactMobile, Value: in.Phone})
		if err != nil {
			f.Add("phone", ident.TagMobile, "is not a mainland mobile number: %s", err.msg)
		} else {
			add(c)
		}
	}
	if len(in.Contacts) > maxContacts {
		f.Add("contacts", "max", "at most %d contacts", maxContacts)
	}
	for i, c := range in.Contacts {
		p := "contacts[" + strconv.Itoa(i) + "]."
		if pc, err := parseContact(c); err != nil {
			f.Add(p+err.field, err.rule, "%s", err.msg)
		} else {
			add(pc)
		}
	}
	return out, f.Err()
}

// contactError says which part of a contact is wrong (value or kind) and
// by which rule.
type contactError struct{ field, rule, msg string }

// parseContact validates one contact. An empty kind is inferred from the
// number; a kind that contradicts the number is refused, naming the kind
// the number has.
func parseContact(c Contact) (parsedContact, *contactError) {
	v := strings.TrimSpace(c.Value)
	if c.Kind == ContactWeChat {
		return parseWeChat(v)
	}
	switch c.Kind {
	case "", ContactMobile, ContactLandline, ContactForeign:
	default:
		return parsedContact{}, &contactError{"kind", "oneof", "must be mobile, landline, foreign or wechat"}
	}
	p, err := ident.ParsePhone(v)
	if err != nil {
		rule := "invalid"
		if re, ok := err.(*ident.RuleError); ok {
			rule = re.Rule
		}
		msg := err.Error()
		if c.Kind == "" && rule == ident.RuleCharset {
			msg += " (a WeChat id needs kind wechat)"
		}
		return parsedContact{}, &contactError{"value", rule, msg}
	}
	kind := ContactForeign
	switch {
	case p.Mobile:
		kind = ContactMobile
	case p.Domestic():
		kind = ContactLandline
	}
	if c.Kind != "" && c.Kind != kind {
		return parsedContact{}, &contactError{"kind", "matches_number", "the number is a " + string(kind) + " number, not " + string(c.Kind)}
	}
	return parsedContact{kind: kind, stored: p.E164, display: p.Display(), purpose: indexPhone, key: p.Display(), masked: p.Masked()}, nil
}

// parseWeChat accepts a WeChat id as free text on one line, without
// spaces; it is indexed case-folded, since people write ids in either case.
func parseWeChat(v string) (parsedContact, *contactError) {
	switch {
	case v == "":
		return parsedContact{}, &contactError{"value", "required", "is required"}
	case utf8.RuneCountInString(v) > maxWeChat:
		return parsedContact{}, &contactError{"value", "max", "a WeChat id is at most " + strconv.Itoa(maxWeChat) + " characters"}
	case strings.ContainsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		return parsedContact{}, &contactError{"value", "charset", "a WeChat id has no spaces or control characters"}
	}
	return parsedContact{kind: ContactWeChat, stored: v, display: v, purpose: indexWeChat, key: strings.ToLower(v),
		masked: ident.MaskText(v)}, nil
}

// contactAAD binds a sealed contact to its person and position. The first
// contact keeps the field name the single phone was sealed under before
// persons had several contacts, so those ciphertexts, moved into the
// contacts table by the kernel's migration 7, still open.
func contactAAD(id string, i int) []byte {
	if i == 0 {
		return aad(id, "phone")
	}
	return aad(id, "contact:"+strconv.Itoa(i))
}

// sealContacts seals validated contacts for person id.
func (k *Kernel) sealContacts(ctx context.Context, id string, cs []parsedContact) ([]ContactRecord, error) {
	out := make([]ContactRecord, len(cs))
	for i, c := range cs {
		sealed, err := k.sealer.Seal(ctx, []byte(c.stored), contactAAD(id, i))
		if err != nil {
			return nil, err
		}
		idx, err := k.sealer.BlindIndex(ctx, c.purpose, []byte(c.key))
		if err != nil {
			return nil, err
		}
		out[i] = ContactRecord{Kind: c.kind, Sealed: sealed, Index: idx, Masked: c.masked}
	}
	return out, nil
}

// openContacts opens a person's contacts for a reveal, in display form.
// A phone stored before E.164 (the bare 11 digits) displays the same.
func (k *Kernel) openContacts(ctx context.Context, id string, rs []ContactRecord) ([]Contact, error) {
	out := make([]Contact, len(rs))
	for i, r := range rs {
		b, err := k.sealer.Open(ctx, r.Sealed, contactAAD(id, i))
		if err != nil {
			return nil, err
		}
		v := string(b)
		if r.Kind != ContactWeChat {
			if p, err := ident.ParsePhone(v); err == nil {
				v = p.Display()
			}
		}
		out[i] = Contact{Kind: r.Kind, Value: v}
	}
	return out, nil
}

// contactIndexes are the blind indexes a search term may match: as a
// number (when it is one) and as a WeChat id, since a WeChat id may be all
// digits.
func (k *Kernel) contactIndexes(ctx context.Context, term string) ([]string, error) {
	var out []string
	term = strings.TrimSpace(term)
	if p, err := ident.ParsePhone(term); err == nil {
		idx, err := k.sealer.BlindIndex(ctx, indexPhone, []byte(p.Display()))
		if err != nil {
			return nil, err
		}
		out = append(out, idx)
	}
	if w, werr := parseWeChat(term); werr == nil {
		idx, err := k.sealer.BlindIndex(ctx, indexWeChat, []byte(w.key))
		if err != nil {
			return nil, err
		}
		out = append(out, idx)
	}
	return out, nil
}

// firstMobile is the masked or clear value of the first mobile contact:
// Person.Phone, kept for clients that know one phone.
func firstMobile(cs []Contact) string {
	for _, c := range cs {
		if c.Kind == ContactMobile {
			return c.Value
		}
	}
	return ""
}
