package ident

import (
	"errors"
	"reflect"
	"time"

	"github.com/go-playground/validator/v10"
)

// Validator tags registered by RegisterValidation. Combine with omitempty
// (`validate:"omitempty,cn_resident_id"`) for optional fields; without it an
// empty string fails, which is what a required field wants.
const (
	// TagResidentID is the 18-character second-generation resident ID
	// (居民身份证) alone: 15-digit legacy numbers, residence permits and
	// foreign permanent residence cards fail it. Use it where a resident
	// ID, and nothing else, is what the field means.
	TagResidentID = "cn_resident_id"
	// TagMobile is a mainland mobile number.
	TagMobile = "cn_mobile"
	// TagIDDocument is "any identity document number", accepting what the
	// person rules accept. With a parameter naming a sibling field that
	// holds the DocType (`validate:"cn_id_document=DocType"`), the number
	// is judged as that type, exactly as Validate does. Without one it
	// passes when some PRC-issued document type accepts it: an 18-character
	// resident ID, a 15-digit legacy number, a Hong Kong/Macao or Taiwan
	// residence permit, or a foreign permanent residence card in its 2017
	// or 2023 numbering. Passports are left out there, because any 5 to 20
	// letters and digits pass as one and the tag would then accept nearly
	// anything.
	TagIDDocument = "cn_id_document"
)

// prcDocTypes are the types TagIDDocument tries when no type is given.
var prcDocTypes = []DocType{DocResidentID, DocResidentIDLegacy, DocHKMacaoResidencePermit,
	DocTaiwanResidencePermit, DocForeignPermanentResidence}

// validAnyDocument reports whether some PRC-issued document type accepts n.
func validAnyDocument(n string, now time.Time) bool {
	for _, t := range prcDocTypes {
		if Validate(t, n, now) == nil {
			return true
		}
	}
	return false
}

// validDocumentField implements TagIDDocument for one field.
func validDocumentField(fl validator.FieldLevel, now time.Time) bool {
	f := fl.Field()
	if f.Kind() != reflect.String {
		return false
	}
	if fl.Param() == "" {
		return validAnyDocument(f.String(), now)
	}
	typ, kind, _, ok := fl.GetStructFieldOKAdvanced2(fl.Parent(), fl.Param())
	if !ok || kind != reflect.String {
		return false
	}
	return Validate(DocType(typ.String()), f.String(), now) == nil
}

// RegisterValidation adds the tags to v so request structs can declare
// document rules declaratively. now is called on every validation, not
// once, so a long-running server does not freeze "today" at start-up; nil
// means time.Now. The tags accept exactly what Validate and ValidateMobile
// accept, including un-normalised input, so callers should still store the
// result of Normalize / NormalizeMobile.
func RegisterValidation(v *validator.Validate, now func() time.Time) error {
	if v == nil {
		return errors.New("ident: nil validator")
	}
	if now == nil {
		now = time.Now
	}
	err := v.RegisterValidation(TagResidentID, func(fl validator.FieldLevel) bool {
		f := fl.Field()
		return f.Kind() == reflect.String && Validate(DocResidentID, f.String(), now()) == nil
	})
	if err != nil {
		return err
	}
	if err := v.RegisterValidation(TagIDDocument, func(fl validator.FieldLevel) bool {
		return validDocumentField(fl, now())
	}); err != nil {
		return err
	}
	return v.RegisterValidation(TagMobile, func(fl validator.FieldLevel) bool {
		f := fl.Field()
		return f.Kind() == reflect.String && ValidateMobile(f.String()) == nil
	})
}
