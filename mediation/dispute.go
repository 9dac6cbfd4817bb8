package mediation

import (
	"slices"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
)

// RecordType names disputes in permissions, audit entries, shares and
// notices.
const RecordType = "dispute"

// State is where a dispute stands in the workflow; see transitions.go for
// the moves between states.
type State string

// The states of domain.md.
const (
	StateReported    State = "reported"     // 已登记
	StateScreened    State = "screened"     // 已研判
	StateNotAccepted State = "not_accepted" // 不予受理
	StateAccepted    State = "accepted"     // 已受理
	StateInMediation State = "in_mediation" // 调解中
	StateAgreed      State = "agreed"       // 达成协议
	StateFailed      State = "failed"       // 调解不成
	StateFollowingUp State = "following_up" // 回访中
	StateClosed      State = "closed"       // 已结案
	StateReferred    State = "referred"     // 已移送
)

// States lists every state in workflow order.
var States = []State{StateReported, StateScreened, StateNotAccepted, StateAccepted, StateInMediation,
	StateAgreed, StateFailed, StateFollowingUp, StateClosed, StateReferred}

// Terminal reports whether nothing more happens to a dispute in this state:
// no transition leaves it and no deadline runs in it.
func (s State) Terminal() bool {
	return s == StateNotAccepted || s == StateClosed || s == StateReferred
}

// Kind is the legal form of the mediation; each has its own rules.
type Kind string

// The kinds.
const (
	// KindPeople is people's mediation (人民调解) under the People's
	// Mediation Law: voluntary; a party's clear refusal ends it; its written
	// agreement may be judicially confirmed.
	KindPeople Kind = "people"
	// KindPolice is police mediation (治安调解): only for a minor
	// public-order violation arising from a civil dispute, never for the
	// excluded situations (police.go); a minor party needs a guardian
	// present; when it fails the violation is punished.
	KindPolice Kind = "police"
	// KindSettlement is a settlement the parties reach between themselves
	// (和解), recorded by the station.
	KindSettlement Kind = "settlement"
)

// Valid reports whether k is one of the kinds.
func (k Kind) Valid() bool { return k == KindPeople || k == KindPolice || k == KindSettlement }

// Risk is the assessed risk that a dispute escalates.
type Risk string

// Risk levels. A high-risk dispute (it may turn violent, 民转刑) notifies
// the unit's supervisors and must be reviewed by one within
// Config.ReviewDeadline.
const (
	RiskLow    Risk = "low"
	RiskMedium Risk = "medium"
	RiskHigh   Risk = "high"
)

// Valid reports whether r is a risk level.
func (r Risk) Valid() bool { return r == RiskLow || r == RiskMedium || r == RiskHigh }

// Sources: how a dispute came to the station. They are codes of the list
// ListSource, which an integrator may extend.
const (
	SourceOutreach       = "outreach_screening" // 走访排查
	SourceWalkIn         = "walk_in"            // 来所求助
	SourceCall110        = "call_110"           // 110 报警
	SourceReferralAgency = "referral_agency"    // 其他部门移交
	SourceReferralCourt  = "referral_court"     // 法院委派/委托
)

// PartyRole says on which side of the dispute a party stands.
type PartyRole string

// Party roles.
const (
	Applicant  PartyRole = "applicant"  // 申请人
	Respondent PartyRole = "respondent" // 被申请人
)

// RepresentativeRole says in what capacity someone acts for a party.
type RepresentativeRole string

// Representative roles.
const (
	Agent    RepresentativeRole = "agent"    // 委托代理人
	Guardian RepresentativeRole = "guardian" // 监护人 (法定代理人)
)

// Party is a person on one side of the dispute. The person lives in the
// kernel (casework.Person); the dispute keeps only the id, so identity data
// stays sealed in one place.
type Party struct {
	PersonID        string           `json:"personId" validate:"required,line,max=64"`
	Role            PartyRole        `json:"role" validate:"required,line,oneof=applicant respondent"`
	Representatives []Representative `json:"representatives,omitempty" validate:"max=10,dive"`
	// Minor marks a party known to be under 18 when the person's birth date
	// is not recorded; otherwise the birth date decides.
	Minor bool `json:"minor,omitempty"`
}

// Representative is a person acting for a party: an agent, or a guardian
// of a minor or of a person without full capacity.
type Representative struct {
	PersonID string             `json:"personId" validate:"required,line,max=64"`
	Role     RepresentativeRole `json:"role" validate:"required,line,oneof=agent guardian"`
}

// Guardians returns the person ids of the party's guardians.
func (p Party) Guardians() []string {
	var out []string
	for _, r := range p.Representatives {
		if r.Role == Guardian {
			out = append(out, r.PersonID)
		}
	}
	return out
}

// Review is a supervisor's review of a high-risk dispute.
type Review struct {
	ReviewedAt time.Time `json:"reviewedAt"`
	ReviewedBy string    `json:"reviewedBy"`
	Note       string    `json:"note"`
}

// Mediator is a staff member conducting a session, in the role they act
// in: an officer (民警), a people's mediator (人民调解员) or a
// public-interest lawyer (驻所公益律师).
type Mediator struct {
	StaffID string        `json:"staffId" validate:"required,line,max=64"`
	Role    casework.Role `json:"role" validate:"required,line"`
}

// Attendee is someone present at a session: a recorded person (a party, a
// representative, a witness) by id, or someone named only (物业公司工作人员).
type Attendee struct {
	PersonID string `json:"personId,omitempty" validate:"line,max=64"`
	Name     string `json:"name,omitempty" validate:"line,max=100"`
	Role     string `json:"role,omitempty" validate:"line,max=100"` // e.g. 当事人, 监护人, 物业公司
}

// Session is one mediation session (调解) and its record (调解笔录).
type Session struct {
	ID         string     `json:"id"`
	At         time.Time  `json:"at"`
	Place      string     `json:"place"`
	Mediators  []Mediator `json:"mediators"`
	Attendees  []Attendee `json:"attendees,omitempty"`
	Notes      string     `json:"notes"`
	RecordedBy string     `json:"recordedBy"`
	RecordedAt time.Time  `json:"recordedAt"`
}

// Referral says where a dispute went when mediation could not settle it.
type Referral struct {
	To   string    `json:"to" validate:"required,line,max=64"` // code of ListReferral: court, arbitration, labour_bureau, agency
	Body string    `json:"body,omitempty" validate:"line,max=200"`
	At   time.Time `json:"at,omitzero"`
}

// Outcome is how a closed dispute ended.
type Outcome string

// Outcomes.
const (
	OutcomeSettled     Outcome = "settled"      // closed after an agreement (调解成功)
	OutcomeNoAgreement Outcome = "no_agreement" // failed and closed; parties told of other remedies
	OutcomeWithdrawn   Outcome = "withdrawn"    // the applicant withdrew
	OutcomePenalised   Outcome = "penalised"    // failed police mediation: the violation is punished
)

// Step is one entry of a dispute's history: a state change, who made it,
// when and why. The first step has no From: the report.
type Step struct {
	From      State     `json:"from,omitempty"`
	To        State     `json:"to"`
	At        time.Time `json:"at"`
	ActorID   string    `json:"actorId"`
	Reason    string    `json:"reason"`
	RefusedBy string    `json:"refusedBy,omitempty"` // the party whose clear refusal caused it
}

// NoticeMark records a notice the sweep sent, so that it is sent once.
type NoticeMark struct {
	Kind   casework.NoticeKind `json:"kind"`
	Reason DeadlineReason      `json:"reason"`
	Ref    string              `json:"ref,omitempty"`
	Due    time.Time           `json:"due"`
	At     time.Time           `json:"at"`
}

// Dispute is a dispute (矛盾纠纷) from its report to its end.
//
// Times are UTC at microsecond precision. The event times (AcceptedAt,
// SettledAt …) are what totals count by period; NextDue is the earliest
// deadline still open (overdue.go), kept on the record so that stores can
// select overdue disputes without knowing the rules.
type Dispute struct {
	ID         string           `json:"id"`
	UnitID     string           `json:"unitId"`
	State      State            `json:"state"`
	Kind       Kind             `json:"kind"`
	Category   string           `json:"category"`
	Source     string           `json:"source"`
	SourceNote string           `json:"sourceNote,omitempty"`
	Origin     *casework.Source `json:"origin,omitempty"` // the hand-off (an outreach visit) it came from
	Facts      string           `json:"facts,omitempty"`
	AddressID  string           `json:"addressId,omitempty"`
	Address    string           `json:"address,omitempty"`
	Parties    []Party          `json:"parties,omitempty"`
	// PartyDocIndex holds the blind indexes of the parties' identity
	// documents, for the party filter. It is a top-level field whose name
	// ends in "Index", so audit diffs redact it.
	PartyDocIndex []string     `json:"partyDocIndex,omitempty"`
	Risk          Risk         `json:"risk"`
	RiskReason    string       `json:"riskReason,omitempty"`
	ReviewDue     time.Time    `json:"reviewDue,omitzero"`
	Review        *Review      `json:"review,omitempty"`
	Police        *PoliceFacts `json:"police,omitempty"`
	Assigned      []string     `json:"assigned,omitempty"` // staff ids of the assigned mediators and lawyers
	Sessions      []Session    `json:"sessions,omitempty"`
	Agreements    []Agreement  `json:"agreements,omitempty"` // the last one is current
	FollowUps     []FollowUp   `json:"followUps,omitempty"`
	Referral      *Referral    `json:"referral,omitempty"`
	Outcome       Outcome      `json:"outcome,omitempty"`
	History       []Step       `json:"history,omitempty"`
	Notices       []NoticeMark `json:"notices,omitempty"`

	ReportedAt   time.Time `json:"reportedAt,omitzero"`
	AcceptedAt   time.Time `json:"acceptedAt,omitzero"`
	MediationDue time.Time `json:"mediationDue,omitzero"`
	SettledAt    time.Time `json:"settledAt,omitzero"` // when the first agreement took effect: a dispute is settled once
	FailedAt     time.Time `json:"failedAt,omitzero"`
	ReferredAt   time.Time `json:"referredAt,omitzero"`
	ClosedAt     time.Time `json:"closedAt,omitzero"`   // the first closing; FailedAt and ReferredAt too are set once
	ReopenedAt   time.Time `json:"reopenedAt,omitzero"` // the first reopening (Reopen): a dispute is counted reopened once
	NextDue      time.Time `json:"nextDue,omitzero"`

	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt,omitzero"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
}

// CategoryTop returns the first level of a category code: "neighbour" for
// "neighbour/noise".
func CategoryTop(code string) string {
	top, _, _ := strings.Cut(code, "/")
	return top
}

// Party returns the party with the given person id.
func (d Dispute) Party(personID string) (Party, bool) {
	i := slices.IndexFunc(d.Parties, func(p Party) bool { return p.PersonID == personID })
	if i < 0 {
		return Party{}, false
	}
	return d.Parties[i], true
}

// Current returns the index of the current agreement, or -1.
func (d Dispute) Current() int { return len(d.Agreements) - 1 }

// Effective returns the index of the agreement in force — the current one
// once it took effect — or -1.
func (d Dispute) Effective() int {
	i := d.Current()
	if i < 0 || d.Agreements[i].EffectiveAt.IsZero() {
		return -1
	}
	return i
}

// Clone returns a copy that shares nothing with d, so stores can copy
// values in and out and no caller can change a stored dispute by mutating
// what it passed or got.
func (d Dispute) Clone() Dispute {
	if d.Origin != nil {
		o := *d.Origin
		d.Origin = &o
	}
	d.Parties = cloneEach(d.Parties, Party.clone)
	d.PartyDocIndex = slices.Clone(d.PartyDocIndex)
	d.Review = clonePtr(d.Review)
	if d.Police != nil {
		p := *d.Police
		p.Exclusions = slices.Clone(p.Exclusions)
		d.Police = &p
	}
	d.Assigned = slices.Clone(d.Assigned)
	d.Sessions = cloneEach(d.Sessions, Session.clone)
	d.Agreements = cloneEach(d.Agreements, Agreement.clone)
	d.FollowUps = cloneEach(d.FollowUps, FollowUp.clone)
	d.Referral = clonePtr(d.Referral)
	d.History = slices.Clone(d.History)
	d.Notices = slices.Clone(d.Notices)
	return d
}

func (p Party) clone() Party {
	p.Representatives = slices.Clone(p.Representatives)
	return p
}

func (s Session) clone() Session {
	s.Mediators = slices.Clone(s.Mediators)
	s.Attendees = slices.Clone(s.Attendees)
	return s
}

func cloneEach[T any](s []T, clone func(T) T) []T {
	if s == nil {
		return nil
	}
	out := make([]T, len(s))
	for i, v := range s {
		out[i] = clone(v)
	}
	return out
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// The code lists this package registers with the kernel (CodeLists.Default,
// so an integrator's additions and relabellings win). Categories are two
// levels: a second-level code is "<first>/<second>" with the first level as
// its parent.
const (
	ListCategory  = casework.ListDisputeCategory
	ListSource    = "dispute_source"
	ListKind      = "dispute_kind"
	ListState     = "dispute_state"
	ListRisk      = "dispute_risk"
	ListOutcome   = "dispute_outcome"
	ListReferral  = "dispute_referral"
	ListExclusion = "police_mediation_exclusion"
)

func sub(parent, code, zh, en string) casework.Code {
	return casework.Code{Value: parent + "/" + code, Parent: parent, ZH: zh, EN: en}
}

// CodeLists returns the built-in lists: the categories of domain.md with
// common second-level codes, and labels for every enumeration here.
func CodeLists() []casework.CodeList {
	return []casework.CodeList{
		{Name: ListCategory, Codes: []casework.Code{
			{Value: "neighbour", ZH: "邻里纠纷", EN: "Neighbours"},
			sub("neighbour", "noise", "噪音扰民", "Noise"),
			sub("neighbour", "animal", "饲养动物", "Animals"),
			sub("neighbour", "sanitation", "环境卫生", "Sanitation"),
			sub("neighbour", "adjacency", "相邻关系（通行、采光、排水）", "Adjacency (passage, light, drainage)"),
			sub("neighbour", "leak", "漏水", "Water leaks"),
			{Value: "marriage_family", ZH: "婚姻家庭纠纷", EN: "Marriage and family"},
			sub("marriage_family", "divorce", "离婚", "Divorce"),
			sub("marriage_family", "support", "赡养抚养扶养", "Support of elders and children"),
			sub("marriage_family", "inheritance", "继承", "Inheritance"),
			sub("marriage_family", "domestic", "家庭矛盾", "Domestic quarrels"),
			{Value: "housing_land", ZH: "房屋宅基地纠纷", EN: "Housing and homesteads"},
			sub("housing_land", "homestead", "宅基地", "Homestead land"),
			sub("housing_land", "tenancy", "房屋租赁", "Tenancy"),
			{Value: "contract_debt", ZH: "合同/债务纠纷", EN: "Contracts and debts"},
			sub("contract_debt", "loan", "民间借贷", "Private loans"),
			sub("contract_debt", "contract", "合同履行", "Performance of contracts"),
			{Value: "labour", ZH: "劳动争议/劳资纠纷", EN: "Labour"},
			sub("labour", "wages", "拖欠工资", "Unpaid wages"),
			sub("labour", "injury", "工伤", "Work injury"),
			{Value: "medical", ZH: "医患纠纷", EN: "Medical"},
			{Value: "economic", ZH: "生产经营纠纷", EN: "Business operations"},
			{Value: "property_mgmt", ZH: "物业纠纷", EN: "Property management"},
			sub("property_mgmt", "fees", "物业费", "Service fees"),
			sub("property_mgmt", "service", "物业服务", "Services"),
			{Value: "traffic", ZH: "道路交通纠纷", EN: "Road traffic"},
			{Value: "consumer", ZH: "消费纠纷", EN: "Consumer"},
			{Value: "land_acquisition", ZH: "征地拆迁纠纷", EN: "Land acquisition and demolition"},
			{Value: "environment", ZH: "环境污染纠纷", EN: "Environmental pollution"},
			{Value: "damages", ZH: "损害赔偿纠纷", EN: "Damages"},
			sub("damages", "personal_injury", "人身损害", "Personal injury"),
			sub("damages", "property", "财产损害", "Damage to property"),
			{Value: "other", ZH: "其他纠纷", EN: "Other"},
		}},
		{Name: ListSource, Codes: []casework.Code{
			{Value: SourceOutreach, ZH: "走访排查", EN: "Outreach screening"},
			{Value: SourceWalkIn, ZH: "来所求助", EN: "Walk-in"},
			{Value: SourceCall110, ZH: "110报警", EN: "110 call"},
			{Value: SourceReferralAgency, ZH: "其他部门移交", EN: "Referral from another agency"},
			{Value: SourceReferralCourt, ZH: "法院委派", EN: "Referral from court"},
		}},
		{Name: ListKind, Codes: []casework.Code{
			{Value: string(KindPeople), ZH: "人民调解", EN: "People's mediation"},
			{Value: string(KindPolice), ZH: "治安调解", EN: "Police mediation"},
			{Value: string(KindSettlement), ZH: "和解", EN: "Settlement between the parties"},
		}},
		{Name: ListState, Codes: []casework.Code{
			{Value: string(StateReported), ZH: "已登记", EN: "Reported"},
			{Value: string(StateScreened), ZH: "已研判", EN: "Screened"},
			{Value: string(StateNotAccepted), ZH: "不予受理", EN: "Not accepted"},
			{Value: string(StateAccepted), ZH: "已受理", EN: "Accepted"},
			{Value: string(StateInMediation), ZH: "调解中", EN: "In mediation"},
			{Value: string(StateAgreed), ZH: "达成协议", EN: "Agreed"},
			{Value: string(StateFailed), ZH: "调解不成", EN: "Failed"},
			{Value: string(StateFollowingUp), ZH: "回访中", EN: "Following up"},
			{Value: string(StateClosed), ZH: "已结案", EN: "Closed"},
			{Value: string(StateReferred), ZH: "已移送", EN: "Referred"},
		}},
		{Name: ListRisk, Codes: []casework.Code{
			{Value: string(RiskLow), ZH: "低", EN: "Low"},
			{Value: string(RiskMedium), ZH: "中", EN: "Medium"},
			{Value: string(RiskHigh), ZH: "高（可能民转刑）", EN: "High (may turn violent)"},
		}},
		{Name: ListOutcome, Codes: []casework.Code{
			{Value: string(OutcomeSettled), ZH: "调解成功", EN: "Settled"},
			{Value: string(OutcomeNoAgreement), ZH: "调解不成，告知其他途径", EN: "No agreement"},
			{Value: string(OutcomeWithdrawn), ZH: "撤回申请", EN: "Withdrawn"},
			{Value: string(OutcomePenalised), ZH: "依法处罚", EN: "Violation penalised"},
		}},
		{Name: ListReferral, Codes: []casework.Code{
			{Value: "court", ZH: "人民法院", EN: "Court"},
			{Value: "arbitration", ZH: "仲裁机构", EN: "Arbitration"},
			{Value: "labour_bureau", ZH: "人力资源和社会保障部门", EN: "Labour bureau"},
			{Value: "agency", ZH: "其他部门", EN: "Another agency"},
		}},
		{Name: ListExclusion, Codes: []casework.Code{
			{Value: string(ExclHiredViolence), ZH: "雇凶伤害他人", EN: "Hired violence"},
			{Value: string(ExclGroupFight), ZH: "结伙斗殴", EN: "Group fight"},
			{Value: string(ExclProvocation), ZH: "寻衅滋事", EN: "Picking quarrels and provoking trouble"},
			{Value: string(ExclRepeatOffender), ZH: "多次实施违反治安管理行为", EN: "Repeat offender"},
			{Value: string(ExclSuspectFled), ZH: "违法行为人逃跑", EN: "The offender fled"},
			{Value: string(ExclReoffended), ZH: "调解中又针对对方实施违法行为", EN: "Offended again during mediation"},
		}},
	}
}
