package recovery

import (
	"fmt"
	"slices"
	"strings"

	"github.com/grassroots-policing/grassroots/casework"
)

// Code list names this package registers with the kernel (CodeLists.Default
// in New), so the API, the docs page and the printed return list read the
// same labels, and an integrator can add or relabel codes through
// casework.Config.Codes.
const (
	ListCategory       = casework.ListPropertyCategory
	ListItemState      = "property_item_state"
	ListDisposalMethod = "property_disposal_method"
	ListSealState      = "custody_seal_state"
)

// Category is what the package knows about a property category beyond its
// labels: the one NIBRS property description it maps to (so figures can
// be compared with NIBRS-style statistics, and an item's read carries the
// code), from which its value rule follows (NIBRSCode.Value: documents and
// cards at zero, 77 other may be zero, everything else needs a value), and
// which categories a found item is easily confused with (an e-bike
// reported as a bicycle), which the matcher scores as related.
//
// Every category maps to exactly one NIBRS code: an integrator adds
// categories through Config.Categories, and New refuses one without a code,
// or a code of list property_category (casework.Config.Codes) that no
// category maps.
type Category struct {
	casework.Code
	NIBRS   string   `json:"nibrs"`
	Related []string `json:"related,omitempty"`
}

// ValueRule is the rule the category's NIBRS code sets for item values.
func (c Category) ValueRule() ValueRule {
	n, _ := LookupNIBRS(c.NIBRS)
	return n.Value
}

// categories are the built-in codes: the NIBRS property descriptions that
// occur in small property cases, plus what Chinese small cases need
// (e-bikes and their batteries, bird cages, grain, tobacco, alcohol). NIBRS
// codes are the two-digit property description codes of the NIBRS user
// manual (ListNIBRS).
//
// E-bikes map to 04 (bicycles), not 24 (other motor vehicles). NIBRS 24
// would count every e-bike theft as motor-vehicle theft (NIBRS offence
// 240), the figure a reader compares across places and years; in China the
// e-bike is the most stolen item of small cases, so that figure would be
// mostly e-bikes and mean nothing comparable. Chinese law is also clear:
// an e-bike built to the national standard (GB 17761) is a non-motor
// vehicle (非机动车, Road Traffic Safety Law art. 119), ridden without a
// driving licence, and its theft is ordinary theft (盗窃), never a motor
// vehicle offence. 04 keeps the NIBRS reading of "pedal or low-powered
// two-wheeler" and the motor-vehicle figure honest. An over-standard
// electric two-wheeler (电动摩托车, 电动轻便摩托车) is a motor vehicle in law and
// is recorded as motorcycle (24).
//
// Tobacco and alcohol are separate: NIBRS 02 is alcohol only, and
// cigarettes are 08 consumable goods. The former cigarettes_alcohol
// category is retired; recovery migration 4 moved its rows (see there).
var categories = []Category{
	{Code: casework.Code{Value: "e_bike", ZH: "电动自行车", EN: "E-bike"}, NIBRS: "04", Related: []string{"bicycle", "motorcycle", "ebike_battery"}},
	{Code: casework.Code{Value: "ebike_battery", ZH: "电动车电瓶", EN: "E-bike battery"}, NIBRS: "38", Related: []string{"e_bike", "vehicle_parts"}},
	{Code: casework.Code{Value: "bicycle", ZH: "自行车", EN: "Bicycle"}, NIBRS: "04", Related: []string{"e_bike"}},
	{Code: casework.Code{Value: "motorcycle", ZH: "摩托车", EN: "Motorcycle"}, NIBRS: "24", Related: []string{"e_bike", "vehicle_parts"}},
	{Code: casework.Code{Value: "automobile", ZH: "汽车", EN: "Automobile"}, NIBRS: "03", Related: []string{"truck"}},
	{Code: casework.Code{Value: "truck", ZH: "货车", EN: "Truck"}, NIBRS: "37", Related: []string{"automobile"}},
	{Code: casework.Code{Value: "vehicle_parts", ZH: "车辆零配件", EN: "Vehicle parts and accessories"}, NIBRS: "38", Related: []string{"ebike_battery", "motorcycle"}},
	{Code: casework.Code{Value: "mobile_phone", ZH: "手机", EN: "Mobile phone"}, NIBRS: "75", Related: []string{"electronics", "computer"}},
	{Code: casework.Code{Value: "computer", ZH: "电脑及配件", EN: "Computer hardware and software"}, NIBRS: "07", Related: []string{"mobile_phone", "electronics"}},
	{Code: casework.Code{Value: "electronics", ZH: "家用电子产品", EN: "Radios, TVs and audio-visual equipment"}, NIBRS: "26", Related: []string{"mobile_phone", "computer", "photographic"}},
	{Code: casework.Code{Value: "photographic", ZH: "摄影器材", EN: "Photographic and optical equipment"}, NIBRS: "74", Related: []string{"electronics"}},
	{Code: casework.Code{Value: "household_goods", ZH: "日用家居物品", EN: "Household goods"}, NIBRS: "16", Related: []string{"merchandise"}},
	{Code: casework.Code{Value: "clothes", ZH: "服装", EN: "Clothes and furs"}, NIBRS: "06", Related: []string{"merchandise"}},
	{Code: casework.Code{Value: "purse_wallet", ZH: "钱包手袋", EN: "Purses, handbags and wallets"}, NIBRS: "25", Related: []string{"cash"}},
	{Code: casework.Code{Value: "cash", ZH: "现金", EN: "Cash"}, NIBRS: "20", Related: []string{"purse_wallet"}},
	{Code: casework.Code{Value: "negotiable_instruments", ZH: "有价票证", EN: "Negotiable instruments"}, NIBRS: "21"},
	{Code: casework.Code{Value: "nonnegotiable_instruments", ZH: "非流通票据", EN: "Nonnegotiable instruments"}, NIBRS: "22"},
	{Code: casework.Code{Value: "bank_card", ZH: "银行卡", EN: "Credit and debit cards"}, NIBRS: "09", Related: []string{"purse_wallet"}},
	{Code: casework.Code{Value: "identity_document", ZH: "身份证件", EN: "Identity documents"}, NIBRS: "65", Related: []string{"documents", "purse_wallet"}},
	{Code: casework.Code{Value: "documents", ZH: "文件资料", EN: "Documents, personal or business"}, NIBRS: "48", Related: []string{"identity_document"}},
	{Code: casework.Code{Value: "jewellery", ZH: "珠宝首饰", EN: "Jewellery, precious metals and gems"}, NIBRS: "17"},
	{Code: casework.Code{Value: "tobacco", ZH: "烟草制品", EN: "Tobacco"}, NIBRS: "08", Related: []string{"alcohol", "food_grain", "merchandise"}},
	{Code: casework.Code{Value: "alcohol", ZH: "酒类", EN: "Alcohol"}, NIBRS: "02", Related: []string{"tobacco", "merchandise"}},
	{Code: casework.Code{Value: "food_grain", ZH: "粮油食品", EN: "Food and grain"}, NIBRS: "08", Related: []string{"crops", "tobacco", "merchandise"}},
	{Code: casework.Code{Value: "crops", ZH: "农作物", EN: "Crops"}, NIBRS: "47", Related: []string{"food_grain"}},
	{Code: casework.Code{Value: "livestock", ZH: "家畜家禽", EN: "Livestock and poultry"}, NIBRS: "18", Related: []string{"birds_animals"}},
	{Code: casework.Code{Value: "birds_animals", ZH: "鸟类及宠物", EN: "Birds and pets"}, NIBRS: "73", Related: []string{"cage", "livestock"}},
	{Code: casework.Code{Value: "cage", ZH: "鸟笼及笼具", EN: "Bird cages and cages"}, NIBRS: "77", Related: []string{"birds_animals"}},
	{Code: casework.Code{Value: "tools", ZH: "工具", EN: "Tools"}, NIBRS: "36", Related: []string{"farm_equipment", "building_materials"}},
	{Code: casework.Code{Value: "farm_equipment", ZH: "农机具", EN: "Farm equipment"}, NIBRS: "12", Related: []string{"tools"}},
	{Code: casework.Code{Value: "metals", ZH: "金属材料(电缆、废旧金属)", EN: "Non-precious metals (cable, scrap)"}, NIBRS: "71", Related: []string{"building_materials"}},
	{Code: casework.Code{Value: "building_materials", ZH: "建筑材料", EN: "Building materials"}, NIBRS: "43", Related: []string{"metals", "tools"}},
	{Code: casework.Code{Value: "fuel", ZH: "燃油", EN: "Fuel"}, NIBRS: "64"},
	{Code: casework.Code{Value: "musical_instruments", ZH: "乐器", EN: "Musical instruments"}, NIBRS: "72"},
	{Code: casework.Code{Value: "sports_equipment", ZH: "体育用品", EN: "Recreational and sports equipment"}, NIBRS: "76"},
	{Code: casework.Code{Value: "merchandise", ZH: "商品货物", EN: "Merchandise"}, NIBRS: "19", Related: []string{"household_goods", "clothes", "food_grain"}},
	{Code: casework.Code{Value: "other", ZH: "其他物品", EN: "Other"}, NIBRS: "77"},
}

// Categories returns the built-in categories in a stable order.
func Categories() []Category {
	out := make([]Category, len(categories))
	for i, c := range categories {
		c.Related = slices.Clone(c.Related)
		out[i] = c
	}
	return out
}

// LookupCategory returns a built-in category. An integrator's categories
// (Config.Categories) are known to the service: Service.Category.
func LookupCategory(code string) (Category, bool) {
	i := slices.IndexFunc(categories, func(c Category) bool { return c.Value == code })
	if i < 0 {
		return Category{}, false
	}
	c := categories[i]
	c.Related = slices.Clone(c.Related)
	return c, true
}

// categoryAffinity is 1 for the same category, 0.6 for related ones (either
// direction: relations are symmetric in spirit even where the table lists
// one side), else 0.
func categoryAffinity(a, b string) float64 {
	if a == "" || b == "" {
		return 0
	}
	if a == b {
		return 1
	}
	ca, okA := LookupCategory(a)
	cb, okB := LookupCategory(b)
	if okA && slices.Contains(ca.Related, b) || okB && slices.Contains(cb.Related, a) {
		return 0.6
	}
	return 0
}

// Category returns a category, built-in or the integrator's
// (Config.Categories, which win over a built-in of the same code).
func (s *Service) Category(code string) (Category, bool) {
	if i := slices.IndexFunc(s.cfg.Categories, func(c Category) bool { return c.Value == code }); i >= 0 {
		c := s.cfg.Categories[i]
		c.Related = slices.Clone(c.Related)
		return c, true
	}
	return LookupCategory(code)
}

// CategoryCode is a category as the API lists it: its code with the
// labels of the kernel's code list (an integrator may relabel), the NIBRS
// property description it maps to, and that code's value rule.
type CategoryCode struct {
	Category
	NIBRSCode NIBRSCode `json:"nibrsCode"`
}

// CategoryCodes lists every category of list property_category, built-in
// and the integrator's, in the list's order, each with its NIBRS code.
// Reference data, the same for every actor. The retired
// cigarettes_alcohol is not a code of the list, so it is not listed.
func (s *Service) CategoryCodes() []CategoryCode {
	list := s.k.Codes().List(ListCategory)
	out := make([]CategoryCode, 0, len(list))
	for _, code := range list {
		c, ok := s.Category(code.Value)
		if !ok {
			continue // New refuses a code without a category; one added since maps to none
		}
		c.Code = code
		n, _ := LookupNIBRS(c.NIBRS)
		out = append(out, CategoryCode{Category: c, NIBRSCode: n})
	}
	return out
}

// retiredCategories are categories no longer accepted, with what to use
// instead, so a client still sending one is told what to send.
var retiredCategories = map[string]string{
	"cigarettes_alcohol": "category cigarettes_alcohol is retired (NIBRS 02 is alcohol only): use tobacco (NIBRS 08) for cigarettes and other tobacco, alcohol (NIBRS 02) for liquor, and one item of each for a mixed lot",
}

// splitRetired is the category an item of a retired category takes, by
// the rule of recovery migration 4 (and cases migration 4, for a case's
// copy): cigarettes_alcohol becomes alcohol when the description names
// liquor and no tobacco, tobacco otherwise. Any other category is kept.
func splitRetired(category, description string) string {
	if category != "cigarettes_alcohol" {
		return category
	}
	if !strings.Contains(description, "烟") && slices.ContainsFunc([]string{"酒", "五粮液", "茅台", "剑南春", "老窖", "二锅头"},
		func(w string) bool { return strings.Contains(description, w) }) {
		return "alcohol"
	}
	return "tobacco"
}

// checkCategories refuses a configuration in which some category maps to
// no NIBRS code: an integrator's category without one, or a code of the
// kernel's property_category list (added through casework.Config.Codes)
// that no category describes.
func (s *Service) checkCategories() error {
	for _, c := range s.cfg.Categories {
		if err := checkCategory(c); err != nil {
			return err
		}
	}
	for _, code := range s.k.Codes().List(ListCategory) {
		if _, ok := s.Category(code.Value); !ok {
			return fmt.Errorf("recovery: category %q of list %s maps to no NIBRS property description code: add it to recovery.Config.Categories with its NIBRS code", code.Value, ListCategory)
		}
	}
	return nil
}

func (s *Service) codeLists() []casework.CodeList {
	cat := casework.CodeList{Name: ListCategory}
	for _, c := range categories {
		cat.Codes = append(cat.Codes, c.Code)
	}
	for _, c := range s.cfg.Categories {
		cat.Codes = append(cat.Codes, c.Code)
	}
	states := casework.CodeList{Name: ListItemState, Codes: []casework.Code{
		{Value: string(StateReportedStolen), ZH: "报失被盗", EN: "Reported stolen"},
		{Value: string(StateRecovered), ZH: "已追回", EN: "Recovered"},
		{Value: string(StateIdentified), ZH: "已确认权属", EN: "Owner identified"},
		{Value: string(StateReturnApproved), ZH: "已批准发还", EN: "Return approved"},
		{Value: string(StateReturned), ZH: "已发还", EN: "Returned"},
		{Value: string(StateUnclaimed), ZH: "无人认领", EN: "Unclaimed"},
		{Value: string(StateDisposed), ZH: "已处置", EN: "Disposed"},
	}}
	methods := casework.CodeList{Name: ListDisposalMethod, Codes: []casework.Code{
		{Value: string(DisposeAuction), ZH: "公开拍卖", EN: "Auction"},
		{Value: string(DisposeDestruction), ZH: "销毁", EN: "Destruction"},
		{Value: string(DisposeTreasury), ZH: "上缴国库", EN: "Transfer to the treasury"},
	}}
	seals := casework.CodeList{Name: ListSealState, Codes: []casework.Code{
		{Value: string(SealIntact), ZH: "封存完好", EN: "Sealed, intact"},
		{Value: string(SealBroken), ZH: "封条破损", EN: "Seal broken"},
		{Value: string(SealResealed), ZH: "已重新封存", EN: "Resealed"},
		{Value: string(SealOpened), ZH: "已启封", EN: "Opened"},
		{Value: string(SealNone), ZH: "未封存", EN: "Not sealed"},
	}}
	return []casework.CodeList{cat, nibrsList(), states, methods, seals}
}
