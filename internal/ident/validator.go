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
	TagResidentID = "cn_resident_id"
	TagMobile     = "cn_mobile"
)

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
	return v.RegisterValidation(TagMobile, func(fl validator.FieldLevel) bool {
		f := fl.Field()
		return f.Kind() == reflect.String && ValidateMobile(f.String()) == nil
	})
}
