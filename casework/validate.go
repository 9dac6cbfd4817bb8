package casework

import (
	"errors"
	"reflect"
	"strings"

	"github.com/go-playground/validator/v10"
	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/grassroots-policing/grassroots/internal/ident"
)

// validation wraps validator/v10 with the identity tags registered and
// errors turned into per-field InvalidErrors named by JSON field names.
type validation struct{ v *validator.Validate }

func newValidation(c Clock) (*validation, error) {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		if name == "" {
			return f.Name
		}
		return name
	})
	if err := ident.RegisterValidation(v, c.Now); err != nil {
		return nil, err
	}
	// "line" marks one-line text for walkInput; the tag itself always passes.
	if err := v.RegisterValidation("line", func(validator.FieldLevel) bool { return true }); err != nil {
		return nil, err
	}
	return &validation{v: v}, nil
}

// Validate checks a struct's validate tags and returns an InvalidError that
// names every failing field (by its JSON path) and the rule it broke.
//
// Before the tags it applies the text and date rules of text.go to every
// string and time in s, so no input escapes them by lacking a tag.
func (k *Kernel) Validate(s any) error {
	var f errs.Fields
	walkInput(&f, reflect.ValueOf(s), "", false, k.Now().Add(k.datesAhead), 0)
	if f.Err() != nil {
		return f.Err()
	}
	err := k.validate.v.Struct(s)
	if err == nil {
		return nil
	}
	var ve validator.ValidationErrors
	if !errors.As(err, &ve) {
		return errs.Invalid("", "invalid", "%v", err)
	}
	for _, fe := range ve {
		path := fe.Namespace()
		if i := strings.IndexByte(path, '.'); i >= 0 {
			path = path[i+1:]
		}
		f.Add(path, fe.Tag(), "%s", message(fe))
	}
	return f.Err()
}

func message(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "max":
		return "must be at most " + fe.Param() + " long"
	case "min":
		return "must be at least " + fe.Param()
	case "len":
		return "must be exactly " + fe.Param() + " long"
	case "oneof":
		return "must be one of " + fe.Param()
	case ident.TagResidentID:
		return "is not a valid resident ID number (GB 11643)"
	case ident.TagIDDocument:
		return "is not a valid identity document number"
	case ident.TagMobile:
		return "is not a mainland mobile number"
	}
	return "breaks rule " + fe.Tag()
}
