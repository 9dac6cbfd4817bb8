package openapi

import (
	"context"

	"github.com/grassroots-policing/grassroots/openapi/api"
	"github.com/grassroots-policing/grassroots/recovery"
)

// ListPropertyCategories answers every property category with the NIBRS
// property description it maps to and that code's value rule: reference
// data, the same for every actor, as ListCodeLists is.
func (s *server) ListPropertyCategories(ctx context.Context, r api.ListPropertyCategoriesRequestObject) (api.ListPropertyCategoriesResponseObject, error) {
	return api.ListPropertyCategories200JSONResponse{Items: mapSlice(s.recovery.CategoryCodes(), propertyCategoryOut),
		UnknownValueFen: recovery.UnknownValueFen}, nil
}

func propertyCategoryOut(c recovery.CategoryCode) api.PropertyCategory {
	return api.PropertyCategory{Code: c.Value, Zh: c.ZH, En: c.EN, Nibrs: c.NIBRS, NibrsEn: c.NIBRSCode.EN, NibrsZh: c.NIBRSCode.ZH,
		ValueRule: api.ValueRule(c.NIBRSCode.Value), Related: c.Related}
}
