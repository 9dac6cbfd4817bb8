package openapi

import (
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/openapi/api"
	"github.com/grassroots-policing/grassroots/recovery"
)

// TestRecoveryTranslatorsCopyEveryField fills every field of a record or
// input and requires every field on the other side to be set, so that a
// field added to the library or the spec and forgotten by a translator
// fails here rather than vanishing silently from the wire.
func TestRecoveryTranslatorsCopyEveryField(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		translate func() any
	}{
		{"item", func() any { return itemOut(filled[recovery.Item]()) }},
		{"custody entry", func() any { return custodyOut(filled[recovery.CustodyEntry]()) }},
		{"match", func() any { return matchOut(filled[recovery.PropertyMatch]()) }},
		{"return", func() any { return returnOut(filled[recovery.Return]()) }},
		{"disposal", func() any { return disposalOut(filled[recovery.Disposal]()) }},
		{"return event", func() any { return eventOut(filled[recovery.Event]()) }},
		{"return list", func() any { return returnListOut(filled[recovery.ReturnList]()) }},
		{"theft report", func() any { return stolenIn(filled[api.StolenInput](), "key") }},
		{"found item", func() any { return foundIn(filled[api.FoundInput](), "key") }},
		{"recovery", func() any { return recoveryIn(filled[api.RecoveryInput]()) }},
		{"hand-over", func() any { return handoverIn(filled[api.Handover]()) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Empty(t, zeroFields(reflect.ValueOf(tc.translate()), ""), "fields the translator left unset")
		})
	}
}

// filled returns a T with every exported field set.
func filled[T any]() T {
	var v T
	fill(reflect.ValueOf(&v).Elem())
	return v
}

var timeType = reflect.TypeFor[time.Time]()

func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Struct:
		if v.Type() == timeType {
			v.Set(reflect.ValueOf(time.Date(2020, 5, 20, 15, 0, 0, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	case reflect.String:
		v.SetString("x")
	case reflect.Int, reflect.Int64:
		v.SetInt(1)
	case reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0))
		v.Set(s)
	}
}

// zeroFields lists the paths of the unset exported fields of v, looking
// into structs and the first element of lists. The zone a return list is
// printed in is not data and is not on the wire.
func zeroFields(v reflect.Value, path string) []string {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return []string{path}
		}
		v = v.Elem()
	}
	switch {
	case v.Kind() == reflect.Struct && v.Type() != timeType:
		var out []string
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() || (f.Name == "Zone" && v.Type() == reflect.TypeFor[recovery.ReturnList]()) {
				continue
			}
			out = append(out, zeroFields(v.Field(i), path+"."+f.Name)...)
		}
		return out
	case v.Kind() == reflect.Slice && v.Len() > 0:
		return zeroFields(v.Index(0), path+"[0]")
	case v.IsZero():
		return []string{path}
	}
	return nil
}
