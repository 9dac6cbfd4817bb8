package recovery

import (
	"context"
	"fmt"
	"slices"

	"github.com/grassroots-policing/grassroots/casework"
)

// ListNIBRS is the code list of the NIBRS property description codes (data
// element 15 of the FBI's NIBRS technical specification), all 68 of them,
// so that every category can name the one it maps to and a reader of the
// API can resolve it.
const ListNIBRS = "nibrs_property_description"

// ValueRule is what NIBRS requires of an item's value (edits 351 and 391).
type ValueRule string

// The value rules. Unknown, for a code that needs a value, is one whole
// unit of currency: NIBRS reports an unknown value as $1; here it is one
// yuan, UnknownValueFen.
const (
	ValueRequired    ValueRule = "required"     // a positive value; unknown is UnknownValueFen
	ValueZero        ValueRule = "zero"         // must be zero: its worth is not the paper's (cards, documents)
	ValueZeroAllowed ValueRule = "zero_allowed" // zero or a positive value (77 other, 99 special)
	ValueOneUnit     ValueRule = "one_unit"     // exactly one whole unit (88 pending inventory)
)

// UnknownValueFen is the value recorded when an item's worth is unknown:
// one yuan, the NIBRS "$1" convention, so the value is visibly nominal
// rather than silently missing.
const UnknownValueFen = 100

// NIBRSCode is one NIBRS property description.
type NIBRSCode struct {
	Code  string    `json:"code"`
	EN    string    `json:"en"`
	ZH    string    `json:"zh"`
	Value ValueRule `json:"value"`
}

// nibrsCodes is the full table, in code order, as published in the NIBRS
// technical specification (and design/nibrs-property-codes.tsv). Codes 40,
// 50-58 and 60-63 are not assigned.
var nibrsCodes = []NIBRSCode{
	{"01", "Aircraft", "航空器", ValueRequired},
	{"02", "Alcohol", "酒类", ValueRequired},
	{"03", "Automobiles", "汽车", ValueRequired},
	{"04", "Bicycles", "自行车", ValueRequired},
	{"05", "Buses", "客车", ValueRequired},
	{"06", "Clothes/Furs", "服装皮草", ValueRequired},
	{"07", "Computer Hardware/Software", "计算机软硬件", ValueRequired},
	{"08", "Consumable Goods", "消费品（食品、烟草等）", ValueRequired},
	{"09", "Credit/Debit Cards", "信用卡借记卡", ValueZero},
	{"10", "Drugs/Narcotics", "毒品", ValueRequired},
	{"11", "Drug/Narcotic Equipment", "吸毒用具", ValueRequired},
	{"12", "Farm Equipment", "农用设备", ValueRequired},
	{"13", "Firearms", "枪支", ValueRequired},
	{"14", "Gambling Equipment", "赌博用具", ValueRequired},
	{"15", "Heavy Construction/Industrial Equipment", "重型施工及工业设备", ValueRequired},
	{"16", "Household Goods", "家居用品", ValueRequired},
	{"17", "Jewelry/Precious Metals/Gems", "珠宝贵金属宝石", ValueRequired},
	{"18", "Livestock", "牲畜", ValueRequired},
	{"19", "Merchandise", "商品", ValueRequired},
	{"20", "Money", "现金", ValueRequired},
	{"21", "Negotiable Instruments", "可流通票据", ValueRequired},
	{"22", "Nonnegotiable Instruments", "不可流通票据", ValueZero},
	{"23", "Office-type Equipment", "办公设备", ValueRequired},
	{"24", "Other Motor Vehicles", "其他机动车", ValueRequired},
	{"25", "Purses/Handbags/Wallets", "钱包手袋", ValueRequired},
	{"26", "Radios/TVs/VCRs/DVD Players", "收音机电视影音设备", ValueRequired},
	{"27", "Recordings-Audio/Visual", "音像制品", ValueRequired},
	{"28", "Recreational Vehicles", "房车", ValueRequired},
	{"29", "Structures-Single Occupancy Dwellings", "建筑物-独户住宅", ValueRequired},
	{"30", "Structures-Other Dwellings", "建筑物-其他住宅", ValueRequired},
	{"31", "Structures-Other Commercial/Business", "建筑物-商业经营场所", ValueRequired},
	{"32", "Structures-Industrial/Manufacturing", "建筑物-工业制造场所", ValueRequired},
	{"33", "Structures-Public/Community", "建筑物-公共场所", ValueRequired},
	{"34", "Structures-Storage", "建筑物-仓储", ValueRequired},
	{"35", "Structures-Other", "建筑物-其他", ValueRequired},
	{"36", "Tools", "工具", ValueRequired},
	{"37", "Trucks", "货车", ValueRequired},
	{"38", "Vehicle Parts/Accessories", "车辆零配件", ValueRequired},
	{"39", "Watercraft", "船舶", ValueRequired},
	{"41", "Aircraft Parts/Accessories", "航空器零配件", ValueRequired},
	{"42", "Artistic Supplies/Accessories", "美术用品", ValueRequired},
	{"43", "Building Materials", "建筑材料", ValueRequired},
	{"44", "Camping/Hunting/Fishing Equipment/Supplies", "露营狩猎垂钓用品", ValueRequired},
	{"45", "Chemicals", "化学品", ValueRequired},
	{"46", "Collections/Collectibles", "收藏品", ValueRequired},
	{"47", "Crops", "农作物", ValueRequired},
	{"48", "Documents/Personal or Business", "个人或商业文件", ValueZero},
	{"49", "Explosives", "爆炸物", ValueRequired},
	{"59", "Firearm Accessories", "枪支配件", ValueRequired},
	{"64", "Fuel", "燃料", ValueRequired},
	{"65", "Identity Documents", "身份证件", ValueZero},
	{"66", "Identity-Intangible", "身份信息（无形）", ValueZero},
	{"67", "Law Enforcement Equipment", "执法装备", ValueRequired},
	{"68", "Lawn/Yard/Garden Equipment", "园林庭院设备", ValueRequired},
	{"69", "Logging Equipment", "伐木设备", ValueRequired},
	{"70", "Medical/Medical Lab Equipment", "医疗及实验室设备", ValueRequired},
	{"71", "Metals, Non-Precious", "非贵金属", ValueRequired},
	{"72", "Musical Instruments", "乐器", ValueRequired},
	{"73", "Pets", "宠物", ValueRequired},
	{"74", "Photographic/Optical Equipment", "摄影光学器材", ValueRequired},
	{"75", "Portable Electronic Communications", "便携电子通讯设备", ValueRequired},
	{"76", "Recreational/Sports Equipment", "文体娱乐器材", ValueRequired},
	{"77", "Other", "其他", ValueZeroAllowed},
	{"78", "Trailers", "挂车", ValueRequired},
	{"79", "Watercraft Equipment/Parts/Accessories", "船舶设备零配件", ValueRequired},
	{"80", "Weapons-Other", "其他武器", ValueRequired},
	{"88", "Pending Inventory", "待清点", ValueOneUnit},
	{"99", "(blank) special category", "特殊类别", ValueZeroAllowed},
}

// NIBRSCodes returns the full NIBRS property description table in code
// order.
func NIBRSCodes() []NIBRSCode { return slices.Clone(nibrsCodes) }

// LookupNIBRS returns a NIBRS property description by its two-digit code.
func LookupNIBRS(code string) (NIBRSCode, bool) {
	i := slices.IndexFunc(nibrsCodes, func(c NIBRSCode) bool { return c.Code == code })
	if i < 0 {
		return NIBRSCode{}, false
	}
	return nibrsCodes[i], true
}

// checkCategory is the rule every category, built-in or an integrator's,
// obeys: a code and exactly one NIBRS property description that exists.
func checkCategory(c Category) error {
	switch {
	case c.Value == "":
		return fmt.Errorf("recovery: a category needs a code")
	case c.NIBRS == "":
		return fmt.Errorf("recovery: category %q maps to no NIBRS property description code (Category.NIBRS)", c.Value)
	}
	if _, ok := LookupNIBRS(c.NIBRS); !ok {
		return fmt.Errorf("recovery: category %q: %q is not a NIBRS property description code", c.Value, c.NIBRS)
	}
	return nil
}

func nibrsList() casework.CodeList {
	l := casework.CodeList{Name: ListNIBRS}
	for _, c := range nibrsCodes {
		l.Codes = append(l.Codes, casework.Code{Value: c.Code, ZH: c.ZH, EN: c.EN})
	}
	return l
}

// nibrsStore fills in each item's NIBRS code as it is read, so every path
// that returns an item (a read, a list, a change that loaded it first)
// carries the code of its category's current mapping, and nothing stored
// has to be rewritten when an integrator maps a category.
type nibrsStore struct {
	Store
	s *Service
}

func (n nibrsStore) GetItem(ctx context.Context, id string) (Item, error) {
	it, err := n.Store.GetItem(ctx, id)
	if err == nil {
		it.NIBRS = n.s.nibrsOf(it.Category)
	}
	return it, err
}

func (n nibrsStore) ListItems(ctx context.Context, f ItemFilter, p casework.Page) ([]Item, error) {
	items, err := n.Store.ListItems(ctx, f, p)
	for i := range items {
		items[i].NIBRS = n.s.nibrsOf(items[i].Category)
	}
	return items, err
}

// nibrsOf is the NIBRS code of a category, "" when it maps to none.
func (s *Service) nibrsOf(category string) string {
	c, _ := s.Category(category)
	return c.NIBRS
}
