package outreach

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// TargetKind is the kind of target a visit goes to. The code is stored in
// clear (never sealed) so that totals can group by it.
type TargetKind string

// The nine target kinds of the article.
const (
	DifficultFamily      TargetKind = "difficult_family"      // 困难家庭
	KeyPersonFamily      TargetKind = "key_person_family"     // 重点人员家庭
	SpecialPersonFamily  TargetKind = "special_person_family" // 特殊人员家庭
	SecurityKeySite      TargetKind = "security_key_site"     // 治安防范重点部位
	StrugglingEnterprise TargetKind = "struggling_enterprise" // 经营困难企业
	School               TargetKind = "school"                // 学校
	Village              TargetKind = "village"               // 村
	Community            TargetKind = "community"             // 社区
	Online               TargetKind = "online"                // 网络
)

// TargetKinds lists the kinds in the article's order.
var TargetKinds = []TargetKind{DifficultFamily, KeyPersonFamily, SpecialPersonFamily, SecurityKeySite,
	StrugglingEnterprise, School, Village, Community, Online}

// Valid reports whether k is one of the nine kinds.
func (k TargetKind) Valid() bool { return slices.Contains(TargetKinds, k) }

// Sensitive reports whether visits of this kind reveal that a household
// holds a key or special person: their detail is shown only to roles
// granted ActionReadSensitive.
func (k TargetKind) Sensitive() bool { return k == KeyPersonFamily || k == SpecialPersonFamily }

// Distinct reports whether the article counts this kind by distinct targets
// (处, 家) rather than by visits (户次): a site visited ten times is one site.
func (k TargetKind) Distinct() bool { return k == SecurityKeySite || k == StrugglingEnterprise }

// CountUnit is the unit of the kind's figure in the article's table.
func (k TargetKind) CountUnit() string {
	switch k {
	case SecurityKeySite:
		return "处"
	case StrugglingEnterprise:
		return "家"
	case DifficultFamily, KeyPersonFamily, SpecialPersonFamily:
		return "户次"
	}
	return "次"
}

// ServiceKind is a service given to residents (预约/上门/跑腿服务).
type ServiceKind string

// The service kinds.
const (
	ServiceAppointment ServiceKind = "appointment"  // 预约服务
	ServiceDoorToDoor  ServiceKind = "door_to_door" // 上门服务
	ServiceErrand      ServiceKind = "errand"       // 跑腿服务
)

// ServiceKinds lists the service kinds.
var ServiceKinds = []ServiceKind{ServiceAppointment, ServiceDoorToDoor, ServiceErrand}

// Valid reports whether s is a service kind.
func (s ServiceKind) Valid() bool { return slices.Contains(ServiceKinds, s) }

// Code list names registered with the kernel at New.
const (
	CodesTargetKind  = "outreach.target_kind"
	CodesServiceKind = "outreach.service_kind"
	CodesHazardKind  = "outreach.hazard_kind"
	CodesSeverity    = "outreach.hazard_severity"
)

func codeLists() []casework.CodeList {
	return []casework.CodeList{
		{Name: CodesTargetKind, Codes: []casework.Code{
			{Value: string(DifficultFamily), ZH: "困难家庭", EN: "difficult family"},
			{Value: string(KeyPersonFamily), ZH: "重点人员家庭", EN: "key-person family"},
			{Value: string(SpecialPersonFamily), ZH: "特殊人员家庭", EN: "special-person family"},
			{Value: string(SecurityKeySite), ZH: "治安防范重点部位", EN: "security key site"},
			{Value: string(StrugglingEnterprise), ZH: "经营困难企业", EN: "struggling enterprise"},
			{Value: string(School), ZH: "学校", EN: "school"},
			{Value: string(Village), ZH: "村", EN: "village"},
			{Value: string(Community), ZH: "社区", EN: "community"},
			{Value: string(Online), ZH: "网络", EN: "online"},
		}},
		{Name: CodesServiceKind, Codes: []casework.Code{
			{Value: string(ServiceAppointment), ZH: "预约服务", EN: "appointment service"},
			{Value: string(ServiceDoorToDoor), ZH: "上门服务", EN: "door-to-door service"},
			{Value: string(ServiceErrand), ZH: "跑腿服务", EN: "errand service"},
		}},
		{Name: CodesHazardKind, Codes: []casework.Code{
			{Value: "fire", ZH: "消防", EN: "fire"},
			{Value: "electrical", ZH: "用电", EN: "electrical"},
			{Value: "gas", ZH: "燃气", EN: "gas"},
			{Value: "building", ZH: "房屋建筑", EN: "building"},
			{Value: "traffic", ZH: "交通", EN: "traffic"},
			{Value: "public_order", ZH: "治安", EN: "public order"},
			{Value: "technical_defence", ZH: "技防物防", EN: "locks, cameras and guards"},
			{Value: "dangerous_goods", ZH: "危险物品", EN: "dangerous goods"},
			{Value: "animal", ZH: "动物", EN: "animal"},
			{Value: "other", ZH: "其他", EN: "other"},
		}},
		{Name: CodesAidUnit, Codes: slices.Clone(aidUnits)},
		{Name: CodesSeverity, Codes: []casework.Code{
			{Value: string(SeverityGeneral), ZH: "一般隐患", EN: "general"},
			{Value: string(SeverityMajor), ZH: "重大隐患", EN: "major"},
		}},
	}
}

// ServiceGiven is one service given on a visit.
type ServiceGiven struct {
	Kind ServiceKind `json:"kind"`
	Note string      `json:"note,omitempty"`
}

// Aid is one item delivered: 1 桶 花生油, 10 斤 大米. Quantity 0 means the
// amount was not counted ("vegetables and meat"); amounts are whole numbers
// of Unit, so a fraction is written in a smaller unit (两 rather than 斤).
// Unit is a code of CodesAidUnit (桶, 斤, 件, 元 …), required for a counted
// quantity. Lines recorded before units were a code list keep the text
// they were written with and read as they were; the totals sum them under
// that text.
type Aid struct {
	Item     string `json:"item" validate:"line"`
	Quantity int64  `json:"quantity,omitempty"`
	Unit     string `json:"unit,omitempty" validate:"line"`
}

// FindingKind says where a finding is handed on.
type FindingKind string

// The finding kinds.
const (
	FindingDispute FindingKind = "dispute" // to mediation
	FindingLead    FindingKind = "lead"    // to casework
)

// Finding is a dispute or a lead found on a visit. Step ("dispute/1",
// "lead/2") names it in its hand-off; ResultID is the id the receiver gave
// it, written back once delivered.
type Finding struct {
	Kind      FindingKind `json:"kind"`
	Step      string      `json:"step"`
	Category  string      `json:"category,omitempty"` // disputes: mediation's category code
	Summary   string      `json:"summary"`
	Risk      string      `json:"risk,omitempty"` // disputes: low, medium, high
	RiskNote  string      `json:"riskNote,omitempty"`
	PersonIDs []string    `json:"personIds,omitempty"`
	OutboxID  string      `json:"outboxId"`
	ResultID  string      `json:"resultId,omitempty"`
	LinkedAt  time.Time   `json:"linkedAt,omitzero"`
}

// Visit is one visit: a fact, amended only in its notes, services and aid.
type Visit struct {
	ID          string `json:"id"`
	UnitID      string `json:"unitId"`
	CampaignID  string `json:"campaignId,omitempty"`
	PlanEntryID string `json:"planEntryId,omitempty"`
	// OfficerIDs are the staff who went; the first one recorded the visit.
	OfficerIDs []string   `json:"officerIds"`
	VisitedAt  time.Time  `json:"visitedAt"`
	AddressID  string     `json:"addressId,omitempty"`
	Address    string     `json:"address,omitempty"`   // the address text when visited
	Community  string     `json:"community,omitempty"` // the address's community, for responsibility areas
	TargetKind TargetKind `json:"targetKind"`
	// TargetKey identifies the target for distinct counts (处, 家): its kind,
	// address and normalised organisation, else person (see targetKey);
	// never the plan entry, so planned and ad hoc visits to one target agree.
	TargetKey       string         `json:"targetKey"`
	PersonID        string         `json:"personId,omitempty"`
	Organisation    string         `json:"organisation,omitempty"`
	Notes           string         `json:"notes,omitempty"`
	Services        []ServiceGiven `json:"services,omitempty"`
	Aid             []Aid          `json:"aid,omitempty"`
	Findings        []Finding      `json:"findings,omitempty"`
	HazardIDs       []string       `json:"hazardIds,omitempty"`
	RegistryVersion int64          `json:"registryVersion,omitempty"` // the address version this visit's registry update wrote
	RecordedBy      string         `json:"recordedBy"`
	// Masked is true when the person, notes and findings are hidden from a
	// reader who may not see sensitive visits.
	Masked    bool      `json:"masked,omitempty"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Clone returns a copy that shares nothing with v.
func (v Visit) Clone() Visit {
	v.OfficerIDs = slices.Clone(v.OfficerIDs)
	v.Services = slices.Clone(v.Services)
	v.Aid = slices.Clone(v.Aid)
	v.HazardIDs = slices.Clone(v.HazardIDs)
	if v.Findings != nil {
		f := make([]Finding, len(v.Findings))
		for i, x := range v.Findings {
			x.PersonIDs = slices.Clone(x.PersonIDs)
			f[i] = x
		}
		v.Findings = f
	}
	return v
}

// Count returns how many services of a kind the visit gave.
func (v Visit) Count(k ServiceKind) int {
	n := 0
	for _, s := range v.Services {
		if s.Kind == k {
			n++
		}
	}
	return n
}

// CountFindings returns how many findings of a kind the visit made.
func (v Visit) CountFindings(k FindingKind) int {
	n := 0
	for _, f := range v.Findings {
		if f.Kind == k {
			n++
		}
	}
	return n
}

// masked is the view of a sensitive visit for a reader who may not see who
// was visited: the kind, place, time and counts stay; the person, notes and
// what the findings say go.
func (v Visit) masked() Visit {
	v = v.Clone()
	v.PersonID, v.Notes, v.Masked = "", "", true
	if strings.HasPrefix(v.TargetKey, "person:") || strings.Contains(v.TargetKey, "|person:") {
		v.TargetKey = ""
	}
	for i := range v.Findings {
		v.Findings[i].Summary, v.Findings[i].RiskNote, v.Findings[i].PersonIDs = "", "", nil
	}
	for i := range v.Services {
		v.Services[i].Note = ""
	}
	return v
}

// targetKey builds the identity of a visit's target for distinct counts
// (处, 家). It is always built from the target itself — its kind, its
// address and its organisation (or, when no organisation is named, its
// person) — and never from the plan entry the visit came through, so a firm
// visited once from the plan and once ad hoc is one target. RecordVisit has
// already filled the kind, address, person and organisation of a planned
// visit from its entry.
func targetKey(kind TargetKind, addressID, organisation, personID string) string {
	parts := []string{string(kind)}
	if addressID != "" {
		parts = append(parts, "address:"+addressID)
	}
	switch org := normaliseOrganisation(organisation); {
	case org != "":
		parts = append(parts, "org:"+org)
	case personID != "":
		parts = append(parts, "person:"+personID)
	}
	return strings.Join(parts, "|")
}

// normaliseOrganisation folds the ways one organisation's name gets typed
// into one: full-width ASCII and the ideographic space to half-width, case
// folded, surrounding space trimmed and inner runs of space made one.
func normaliseOrganisation(s string) string {
	s = strings.Map(casework.FoldWidth, s)
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// VisitInput records a visit.
type VisitInput struct {
	UnitID       string         `json:"unitId" validate:"required,max=64,line"`
	CampaignID   string         `json:"campaignId,omitempty" validate:"max=64,line"`
	PlanEntryID  string         `json:"planEntryId,omitempty" validate:"max=64,line"`
	OfficerIDs   []string       `json:"officerIds" validate:"max=20,dive,required,max=64,line"` // default: the actor
	VisitedAt    time.Time      `json:"visitedAt"`                                              // default: now
	AddressID    string         `json:"addressId,omitempty" validate:"max=64,line"`
	TargetKind   TargetKind     `json:"targetKind"`
	PersonID     string         `json:"personId,omitempty" validate:"max=64,line"`
	Organisation string         `json:"organisation,omitempty" validate:"max=200,line"`
	Notes        string         `json:"notes,omitempty" validate:"max=4000"`
	Services     []ServiceGiven `json:"services,omitempty" validate:"max=50,dive"`
	Aid          []Aid          `json:"aid,omitempty" validate:"max=50,dive"`
	Disputes     []DisputeInput `json:"disputes,omitempty" validate:"max=20,dive"`
	Leads        []LeadInput    `json:"leads,omitempty" validate:"max=20,dive"`
	Hazards      []HazardInput  `json:"hazards,omitempty" validate:"max=20"`
	// Registry, when set, updates the address's 一标三实 registry through the
	// kernel (versioned, audited) as part of recording the visit.
	Registry   *RegistryUpdate `json:"registry,omitempty"`
	RequestKey string          `json:"-"`
}

// DisputeInput is a dispute found on a visit, to hand to mediation.
type DisputeInput struct {
	Category string   `json:"category" validate:"required,max=64,line"`
	Summary  string   `json:"summary" validate:"required,max=2000"`
	Risk     string   `json:"risk,omitempty" validate:"omitempty,oneof=low medium high"`
	RiskNote string   `json:"riskNote,omitempty" validate:"max=500"`
	PartyIDs []string `json:"partyIds,omitempty" validate:"max=20,dive,required,max=64,line"`
}

// LeadInput is a lead (线索) collected on a visit, to hand to casework.
type LeadInput struct {
	Summary   string   `json:"summary" validate:"required,max=2000"`
	PersonIDs []string `json:"personIds,omitempty" validate:"max=20,dive,required,max=64,line"`
}

// RegistryUpdate replaces the address's registry; AddressVersion is the
// version the officer read (compare-and-swap).
type RegistryUpdate struct {
	AddressVersion int64             `json:"addressVersion"`
	Registry       casework.Registry `json:"registry"`
}

// VisitAmendment corrects a visit's notes, services or aid; nil fields stay.
type VisitAmendment struct {
	Notes    *string        `json:"notes,omitempty" validate:"omitempty,max=4000"`
	Services []ServiceGiven `json:"services,omitempty"`
	Aid      []Aid          `json:"aid,omitempty"`
}

func checkServices(f *errs.Fields, prefix string, services []ServiceGiven) {
	for i, s := range services {
		if !s.Kind.Valid() {
			f.Add(prefix+"services["+strconv.Itoa(i)+"].kind", "code", "%q is not a service kind", s.Kind)
		}
		if len(s.Note) > 1000 {
			f.Add(prefix+"services["+strconv.Itoa(i)+"].note", "max", "must be at most 1000 bytes")
		}
	}
}

// VisitRef is a visit as ListVisitRefs lists it: its place in the list
// (VisitedAt, ID), its version, and its target kind, which decides its
// view (a sensitive visit is masked for a reader who may not see it).
// None but Version ever changes.
type VisitRef struct {
	ID         string
	Version    int64
	VisitedAt  time.Time
	TargetKind TargetKind
}

// Ref returns a visit's VisitRef.
func (v Visit) Ref() VisitRef {
	return VisitRef{ID: v.ID, Version: v.Version, VisitedAt: v.VisitedAt, TargetKind: v.TargetKind}
}

// VisitFilter selects visits. Stores order visits by (VisitedAt, ID).
type VisitFilter struct {
	UnitUnder   string // subtree path
	OfficerID   string // one of the officers who went
	TargetKind  TargetKind
	From, To    time.Time // VisitedAt in [From, To)
	CampaignID  string
	PlanEntryID string
	AddressID   string
	PersonID    string // the visited resident or a person a finding names (Visit.PersonRefs)
}

// PersonRefs returns the persons a visit names — the visited resident and
// the persons its findings name — sorted, each once: what stores index so
// that a person merge reads the person's visits only (VisitFilter.PersonID).
func (v Visit) PersonRefs() []string {
	var out []string
	if v.PersonID != "" {
		out = append(out, v.PersonID)
	}
	for _, f := range v.Findings {
		for _, p := range f.PersonIDs {
			if p != "" {
				out = append(out, p)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
