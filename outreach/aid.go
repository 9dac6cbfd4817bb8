package outreach

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// CodesAidUnit is the code list of the units aid is counted in. A counted
// aid line names one, so that "1 桶花生油、10 斤米、10 斤面" is a figure the
// report can sum per item and unit, not only a note; an integrator adds
// units through casework.Config.Codes.
const CodesAidUnit = "outreach.aid_unit"

// aidUnits are the built-in units: the measure words of what a station
// brings to a household. Unlike other lists, whose codes are lower_snake
// English, a unit's code is the measure word itself: it is what the forms,
// the printed report and every aid line recorded before units were a code
// list already say (1 桶, 10 斤), so those lines are codes as they stand
// and clients that wrote 桶 keep working.
var aidUnits = []casework.Code{
	{Value: "桶", ZH: "桶", EN: "barrel (of oil)"},
	{Value: "斤", ZH: "斤", EN: "jin (500 g)"},
	{Value: "两", ZH: "两", EN: "liang (50 g)"},
	{Value: "公斤", ZH: "公斤", EN: "kilogram"},
	{Value: "袋", ZH: "袋", EN: "bag"},
	{Value: "箱", ZH: "箱", EN: "box"},
	{Value: "瓶", ZH: "瓶", EN: "bottle"},
	{Value: "包", ZH: "包", EN: "pack"},
	{Value: "件", ZH: "件", EN: "piece (of clothing, goods)"},
	{Value: "床", ZH: "床", EN: "quilt, bedding"},
	{Value: "套", ZH: "套", EN: "set"},
	{Value: "个", ZH: "个", EN: "unit"},
	{Value: "份", ZH: "份", EN: "portion, parcel"},
	{Value: "元", ZH: "元", EN: "yuan (cash)"},
}

// resolveAidUnit finds the code a unit names: its code, or the Chinese
// label of an integrator's code whose value differs.
func resolveAidUnit(codes *casework.CodeLists, unit string) (string, bool) {
	unit = strings.TrimSpace(unit)
	if _, ok := codes.Lookup(CodesAidUnit, unit); ok {
		return unit, true
	}
	for _, c := range codes.List(CodesAidUnit) {
		if c.ZH == unit {
			return c.Value, true
		}
	}
	return unit, false
}

// normalizeAid trims the lines and writes each unit as its code, so that
// the same unit is summed as one however it was typed (" 斤 ").
func normalizeAid(codes *casework.CodeLists, aid []Aid) []Aid {
	out := slices.Clone(aid)
	for i := range out {
		out[i].Item = strings.TrimSpace(out[i].Item)
		out[i].Unit, _ = resolveAidUnit(codes, out[i].Unit)
	}
	return out
}

// checkAid validates aid lines: an item, a quantity that is not negative,
// and, for a counted quantity, a unit of CodesAidUnit. An uncounted line
// ("vegetables and meat", quantity 0) needs no unit.
func checkAid(f *errs.Fields, codes *casework.CodeLists, prefix string, aid []Aid) {
	for i, a := range aid {
		p := prefix + "aid[" + strconv.Itoa(i) + "]."
		if strings.TrimSpace(a.Item) == "" || len(a.Item) > 200 {
			f.Add(p+"item", "required", "is required, at most 200 bytes")
		}
		if a.Quantity < 0 {
			f.Add(p+"quantity", "min", "may not be negative")
		}
		if a.Quantity > maxAidQuantity {
			f.Add(p+"quantity", "max", "may be at most %d", int64(maxAidQuantity))
		}
		switch _, known := resolveAidUnit(codes, a.Unit); {
		case a.Quantity > 0 && strings.TrimSpace(a.Unit) == "":
			f.Add(p+"unit", "required", "a counted quantity needs a unit of list %s (桶, 斤, 件, 元 …)", CodesAidUnit)
		case strings.TrimSpace(a.Unit) != "" && !known:
			f.Add(p+"unit", "code", "%q is not a unit of list %s (桶, 斤, 件, 元 …)", a.Unit, CodesAidUnit)
		}
	}
}

// maxAidQuantity keeps a period's sums far from overflow: a billion of any
// unit on one line.
const maxAidQuantity = 1_000_000_000

// AidQuantity is the aid delivered in a period, summed per item and unit:
// "花生油, 桶, 1". Unit is a code of CodesAidUnit, or for a line recorded
// before units were a code list with a unit not in it, the text it was
// written with.
type AidQuantity struct {
	Item     string `json:"item"`
	Unit     string `json:"unit"`
	Quantity int64  `json:"quantity"`
	Visits   int64  `json:"visits"` // visits that delivered it (户次)
}

// sumAid sums counted aid lines per item and unit, in item then unit
// order. Lines of one visit are passed together, so Visits counts each
// visit once per item and unit.
func sumAid(codes *casework.CodeLists, visits [][]Aid) []AidQuantity {
	type key struct{ item, unit string }
	sums := map[key]*AidQuantity{}
	for _, lines := range visits {
		seen := map[key]bool{}
		for _, a := range lines {
			if a.Quantity <= 0 {
				continue
			}
			unit, _ := resolveAidUnit(codes, a.Unit)
			k := key{strings.TrimSpace(a.Item), unit}
			s := sums[k]
			if s == nil {
				s = &AidQuantity{Item: k.item, Unit: k.unit}
				sums[k] = s
			}
			s.Quantity += a.Quantity
			if !seen[k] {
				seen[k] = true
				s.Visits++
			}
		}
	}
	out := make([]AidQuantity, 0, len(sums))
	for _, s := range sums {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b AidQuantity) int {
		return cmp.Or(cmp.Compare(a.Item, b.Item), cmp.Compare(a.Unit, b.Unit))
	})
	return out
}

// aidQuantities reads the aid lines of the period's visits (its own store
// query, beside the tally) and sums them.
func (s *Service) aidQuantities(ctx context.Context, f TallyFilter) ([]AidQuantity, error) {
	lines, err := s.store.AidLines(ctx, f)
	if err != nil {
		return nil, err
	}
	return sumAid(s.k.Codes(), lines), nil
}

// aidFigures lays the sums out as report figures, one per item and unit:
// "outreach.aid.quantity.桶.花生油" = 1 桶.
func aidFigures(sums []AidQuantity) []casework.Figure {
	out := make([]casework.Figure, 0, len(sums))
	for _, a := range sums {
		out = append(out, casework.Figure{Key: "outreach.aid.quantity." + a.Unit + "." + a.Item,
			LabelZH: "送去" + a.Item, LabelEN: "aid delivered: " + a.Item, Value: a.Quantity, Unit: codeOf(CodesAidUnit, a.Unit).ZH})
	}
	return out
}
