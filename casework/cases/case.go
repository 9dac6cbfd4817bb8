package cases

import (
	"slices"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
)

// Record types of the case workflow, as the audit log and shares name them.
const (
	RecordCase = "case"
	RecordLead = "lead"
)

// The case workflow's actions. New adds their default policy
// rows; an integrator's rows set before it win.
const (
	// ActionRead sees cases and leads. It is the case workflow's own row,
	// not the kernel's record.read, so that the helpers (grid workers and
	// the like), who read persons and addresses to record visits, never
	// read criminal cases.
	ActionRead         casework.Action = "case.read"
	ActionReport       casework.Action = "case.report"
	ActionDispatchFile casework.Action = "case.dispatch_file"
	ActionStart        casework.Action = "case.start"
	ActionSurvey       casework.Action = "case.survey"
	ActionAnalyseShare casework.Action = "case.analyse_share"
	ActionArrest       casework.Action = "case.arrest"
	ActionReview       casework.Action = "case.review"
	ActionDrop         casework.Action = "case.drop"
	ActionClose        casework.Action = "case.close"
	ActionCorrect      casework.Action = "case.correct"   // correct the reported facts
	ActionAddItems     casework.Action = "case.add_items" // add stolen items after the report
	ActionReopen       casework.Action = "case.reopen"    // reopen a closed case (supervisors)
	ActionLeadCreate   casework.Action = "lead.create"
	ActionLeadVerify   casework.Action = "lead.verify"
	ActionLeadConvert  casework.Action = "lead.convert"
	ActionLeadDiscard  casework.Action = "lead.discard"
)

// actionHandoff names the write-back of a hand-off's result on a case.
const actionHandoff casework.Action = "case.handoff"

// State is where a small property-crime case stands. There is no
// "dispatched" state: dispatch and filing happen together (快处警·同步立案),
// so the dispatch time is a field of the filed case.
type State string

// The states of a case.
const (
	StateReported      State = "reported"      // 报案/受案
	StateFiled         State = "filed"         // 立案
	StateInvestigating State = "investigating" // 侦查中
	StateSolved        State = "solved"        // 破案
	StateClosed        State = "closed"        // 结案
	StateDropped       State = "dropped"       // 不立案 (from reported) or 撤案 (after filing)
)

// OpenStates are the states in which a case is still being worked
// before it is solved: the cases a survey compares against.
var OpenStates = []State{StateReported, StateFiled, StateInvestigating}

// KindList is the code list of case kinds.
const KindList = "case_kind"

// The built-in case kinds.
const (
	KindTheft         = "theft"
	KindBurglary      = "burglary"
	KindPickpocketing = "pickpocketing"
	KindVehicleTheft  = "vehicle_theft"
	KindFraud         = "fraud"
	KindRobbery       = "robbery"
	KindOther         = "other"
)

func kindCodes() casework.CodeList {
	return casework.CodeList{Name: KindList, Codes: []casework.Code{
		{Value: KindTheft, ZH: "盗窃", EN: "Theft"},
		{Value: KindBurglary, ZH: "入室盗窃", EN: "Burglary"},
		{Value: KindPickpocketing, ZH: "扒窃", EN: "Pickpocketing"},
		{Value: KindVehicleTheft, ZH: "盗窃车辆(含电动车)", EN: "Vehicle theft (incl. e-bikes)"},
		{Value: KindFraud, ZH: "诈骗", EN: "Fraud"},
		{Value: KindRobbery, ZH: "抢劫抢夺", EN: "Robbery"},
		{Value: KindOther, ZH: "其他侵财", EN: "Other property crime"},
	}}
}

// Case is a small property-crime case (侵财小案). Stores keep it whole; the
// service is the only way to change it. The five paired steps (五快五同步)
// are recorded on it with their times and actors, and History keeps every
// state change with its reason.
type Case struct {
	ID     string `json:"id"`
	UnitID string `json:"unitId"` // the owning (and filing) unit
	// Number is "<unit code>-<year>-<6-digit sequence>", assigned when the
	// case is filed; a case dropped before filing (不立案) never gets one.
	Number        string    `json:"number,omitempty"`
	Kind          string    `json:"kind"`
	State         State     `json:"state"`
	Summary       string    `json:"summary,omitempty"`
	IncidentAt    time.Time `json:"incidentAt"`
	AddressID     string    `json:"addressId,omitempty"`
	Place         string    `json:"place,omitempty"`
	ReporterID    string    `json:"reporterId,omitempty"` // a person
	VictimIDs     []string  `json:"victimIds,omitempty"`  // persons
	SuspectIDs    []string  `json:"suspectIds,omitempty"` // persons, possibly unidentified
	ModusOperandi string    `json:"modusOperandi,omitempty"`
	Items         []Item    `json:"items,omitempty"`
	// LeadID is the lead this case was converted from; LeadIDs are leads
	// raised from this case. Both ends of a lead's link are kept.
	LeadID  string   `json:"leadId,omitempty"`
	LeadIDs []string `json:"leadIds,omitempty"`

	ReportedAt time.Time `json:"reportedAt"`
	ReportedBy string    `json:"reportedBy"` // staff

	Dispatch *DispatchStep `json:"dispatch,omitempty"`
	Survey   *SurveyStep   `json:"survey,omitempty"`
	Analysis *AnalysisStep `json:"analysis,omitempty"`
	Arrests  []Arrest      `json:"arrests,omitempty"`
	Review   *ReviewStep   `json:"review,omitempty"`
	Drop     *Drop         `json:"drop,omitempty"`

	FiledAt   time.Time `json:"filedAt,omitzero"`
	SolvedAt  time.Time `json:"solvedAt,omitzero"` // the first arrest's time
	ClosedAt  time.Time `json:"closedAt,omitzero"`
	DroppedAt time.Time `json:"droppedAt,omitzero"`
	// ReopenedAt is the first reopening (Reopen): a case is counted
	// reopened once, in that period.
	ReopenedAt time.Time `json:"reopenedAt,omitzero"`

	History  []Transition `json:"history"`
	Handoffs []Handoff    `json:"handoffs,omitempty"`
	// Corrections lists every correction made after the report (facts
	// corrected, items added), each with its actor, time and reason; the
	// audit chain keeps the values before and after.
	Corrections []Correction `json:"corrections,omitempty"`

	// SharedWith lists the units holding an active share of the case. The
	// service fills it on every read from the kernel's shares; stores do not
	// keep it (a revoked share must stop counting at once).
	SharedWith []string `json:"sharedWith,omitempty"`

	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Item is a stolen item of a case. The case assigns ItemID when it is
// reported and hands the items to recovery, which creates them under the
// same ids, so both sides know them at once.
type Item struct {
	ItemID         string                `json:"itemId"`
	Category       string                `json:"category"`
	Description    string                `json:"description"`
	Identifiers    []casework.Identifier `json:"identifiers,omitempty"`
	Quantity       int                   `json:"quantity"`
	ValueFen       int64                 `json:"valueFen"`
	ValueConfirmed bool                  `json:"valueConfirmed,omitempty"`
	OwnerPersonID  string                `json:"ownerPersonId,omitempty"`
	// TracedBy lists the arrests that marked the item as being traced.
	TracedBy []string `json:"tracedBy,omitempty"`
}

// Correction is one correction of a case after its report: which facts
// it changed (Fields, by their input names) or which items it added
// (ItemIDs), who made it, when and why.
type Correction struct {
	Action  string    `json:"action"` // case.correct or case.add_items
	Fields  []string  `json:"fields,omitempty"`
	ItemIDs []string  `json:"itemIds,omitempty"`
	At      time.Time `json:"at"`
	ActorID string    `json:"actorId"`
	Reason  string    `json:"reason"`
}

// DispatchStep is 快处警·同步立案: who was dispatched and when, recorded
// together with the filing.
type DispatchStep struct {
	At         time.Time `json:"at"` // when officers were dispatched
	Officers   []string  `json:"officers"`
	Note       string    `json:"note,omitempty"`
	FiledBy    string    `json:"filedBy"`
	RecordedAt time.Time `json:"recordedAt"`
}

// SurveyStep is 快勘查·同步比对: what the scene survey found and what the
// comparison matched.
type SurveyStep struct {
	At                 time.Time             `json:"at"`
	Identifiers        []casework.Identifier `json:"identifiers,omitempty"`
	Description        string                `json:"description,omitempty"`
	ModusOperandi      string                `json:"modusOperandi,omitempty"`
	SuspectDescription string                `json:"suspectDescription,omitempty"`
	Matches            []Match               `json:"matches,omitempty"`
	By                 string                `json:"by"`
	RecordedAt         time.Time             `json:"recordedAt"`
}

// Match sources.
const (
	MatchProperty = "property" // an item in the recovered-property register
	MatchCase     = "case"     // another open case
)

// Match is one hit of the survey's comparison.
type Match struct {
	Source  string   `json:"source"` // MatchProperty or MatchCase
	ID      string   `json:"id"`     // property item id or case id
	State   string   `json:"state"`
	Score   float64  `json:"score"`
	Reasons []string `json:"reasons,omitempty"`
}

// AnalysisStep is 快研判·同步共享: the analysis and the shares it made.
type AnalysisStep struct {
	At         time.Time `json:"at"`
	Findings   string    `json:"findings"`
	Shares     []ShareTo `json:"shares"`
	By         string    `json:"by"`
	RecordedAt time.Time `json:"recordedAt"`
}

// ShareTo is one share the analysis made: the share's id (to revoke
// it) and the unit it grants read access to.
type ShareTo struct {
	ShareID string `json:"shareId"`
	UnitID  string `json:"unitId"`
	Reason  string `json:"reason,omitempty"`
}

// Arrest is 快抓捕·同步挽损: one suspect caught, and every stolen item of
// the case marked as traced, linked to it.
type Arrest struct {
	ID         string    `json:"id"`
	SuspectID  string    `json:"suspectId"` // a person
	At         time.Time `json:"at"`
	Place      string    `json:"place,omitempty"`
	AddressID  string    `json:"addressId,omitempty"`
	ItemIDs    []string  `json:"itemIds,omitempty"` // the items it traced
	By         string    `json:"by"`
	RecordedAt time.Time `json:"recordedAt"`
}

// ReviewStep is 快倒查·同步跟踪: the review after solving and the cases it
// links for tracking.
type ReviewStep struct {
	At         time.Time `json:"at"`
	Findings   string    `json:"findings"`
	Links      []Link    `json:"links,omitempty"`
	By         string    `json:"by"`
	RecordedAt time.Time `json:"recordedAt"`
}

// Link reasons of a review.
const (
	LinkSameSuspect = "same_suspect"
	LinkSamePattern = "same_pattern"
)

// Link is another case the review keeps tracking.
type Link struct {
	CaseID string `json:"caseId"`
	Reason string `json:"reason"` // LinkSameSuspect or LinkSamePattern
	Note   string `json:"note,omitempty"`
}

// Drop kinds: a case dropped before filing was never accepted (不立案) and
// used no number; one dropped after filing is withdrawn (撤案) and keeps it.
const (
	DropNotFiled  = "not_filed" // 不立案
	DropWithdrawn = "withdrawn" // 撤案
)

// Drop records why and on whose authority a case was dropped.
type Drop struct {
	Kind         string    `json:"kind"`
	Reason       string    `json:"reason"`
	SupervisorID string    `json:"supervisorId"`
	At           time.Time `json:"at"`
}

// Transition is one state change of a case or lead: the history the
// audit log proves.
type Transition struct {
	From    string    `json:"from,omitempty"` // "" when the record was created
	To      string    `json:"to"`
	At      time.Time `json:"at"`
	ActorID string    `json:"actorId"`
	Action  string    `json:"action"`
	Reason  string    `json:"reason,omitempty"`
}

// Handoff is a hand-off to another package that its receiver
// acknowledged: the outbox step and the id the receiver returned.
type Handoff struct {
	Kind     string    `json:"kind"`
	Step     string    `json:"step"`
	ResultID string    `json:"resultId"`
	At       time.Time `json:"at"`
}

// Clone returns a copy that shares nothing with c.
func (c Case) Clone() Case {
	c.VictimIDs = slices.Clone(c.VictimIDs)
	c.SuspectIDs = slices.Clone(c.SuspectIDs)
	c.LeadIDs = slices.Clone(c.LeadIDs)
	c.SharedWith = slices.Clone(c.SharedWith)
	c.History = slices.Clone(c.History)
	c.Handoffs = slices.Clone(c.Handoffs)
	if c.Corrections != nil {
		cs := make([]Correction, len(c.Corrections))
		for i, x := range c.Corrections {
			x.Fields, x.ItemIDs = slices.Clone(x.Fields), slices.Clone(x.ItemIDs)
			cs[i] = x
		}
		c.Corrections = cs
	}
	if c.Items != nil {
		items := make([]Item, len(c.Items))
		for i, it := range c.Items {
			it.Identifiers = slices.Clone(it.Identifiers)
			it.TracedBy = slices.Clone(it.TracedBy)
			items[i] = it
		}
		c.Items = items
	}
	if c.Dispatch != nil {
		d := *c.Dispatch
		d.Officers = slices.Clone(d.Officers)
		c.Dispatch = &d
	}
	if c.Survey != nil {
		s := *c.Survey
		s.Identifiers = slices.Clone(s.Identifiers)
		if s.Matches != nil {
			ms := make([]Match, len(s.Matches))
			for i, m := range s.Matches {
				m.Reasons = slices.Clone(m.Reasons)
				ms[i] = m
			}
			s.Matches = ms
		}
		c.Survey = &s
	}
	if c.Analysis != nil {
		a := *c.Analysis
		a.Shares = slices.Clone(a.Shares)
		c.Analysis = &a
	}
	if c.Arrests != nil {
		as := make([]Arrest, len(c.Arrests))
		for i, a := range c.Arrests {
			a.ItemIDs = slices.Clone(a.ItemIDs)
			as[i] = a
		}
		c.Arrests = as
	}
	if c.Review != nil {
		r := *c.Review
		r.Links = slices.Clone(r.Links)
		c.Review = &r
	}
	if c.Drop != nil {
		d := *c.Drop
		c.Drop = &d
	}
	return c
}

// IdentifierKeys returns the normalised identifiers of the case — of its
// stolen items and of what the survey found — sorted and without
// duplicates. Stores index them for the item-identifier filter, so every
// store matches the same way.
func (c Case) IdentifierKeys() []string {
	var out []string
	for _, it := range c.Items {
		for _, id := range it.Identifiers {
			if k := identifierKey(id.Value); k != "" {
				out = append(out, k)
			}
		}
	}
	if c.Survey != nil {
		for _, id := range c.Survey.Identifiers {
			if k := identifierKey(id.Value); k != "" {
				out = append(out, k)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// SuspectKeys returns the person ids named as suspects or arrested, sorted
// and without duplicates: what the suspect filter matches.
func (c Case) SuspectKeys() []string {
	out := slices.Clone(c.SuspectIDs)
	for _, a := range c.Arrests {
		out = append(out, a.SuspectID)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// PersonKeys are the JSON keys of a case whose string values are person
// ids (the reporter, victims, suspects, an arrest's suspect, an item's
// owner), and LeadPersonKeys those of a lead: what PersonRefs reads, and
// what SQL stores read from stored bodies to index records written before
// they indexed persons. A field that names a person is added to both.
var (
	PersonKeys     = []string{"reporterId", "victimIds", "suspectIds", "suspectId", "ownerPersonId"}
	LeadPersonKeys = []string{"personIds"}
)

// PersonRefs returns every person the case names, sorted, each once: what
// stores index so that a person merge reads the person's cases only
// (Filter.PersonID).
func (c Case) PersonRefs() []string {
	out := append(slices.Clone(c.VictimIDs), c.SuspectKeys()...)
	out = append(out, c.ReporterID)
	for _, it := range c.Items {
		out = append(out, it.OwnerPersonID)
	}
	return sortedIDs(out)
}

// PersonRefs returns the persons the lead names, sorted, each once
// (LeadFilter.PersonID).
func (l Lead) PersonRefs() []string { return sortedIDs(slices.Clone(l.PersonIDs)) }

// sortedIDs sorts ids in place and drops duplicates and empty ids.
func sortedIDs(ids []string) []string {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) > 0 && ids[0] == "" {
		ids = ids[1:]
	}
	return ids
}

// MOKey is the normalised modus operandi that the comparison matches on.
func (c Case) MOKey() string { return NormalizeMO(c.ModusOperandi) }

// identifierKey is the form a case keeps for filtering by identifier: the
// kernel's normalisation, whatever the kind (a filter does not know it).
func identifierKey(v string) string { return casework.NormalizeIdentifier(casework.IDSerial, v).Value }

// NormalizeMO brings a modus operandi to the form that matches: trimmed,
// lower case, runs of white space as one space.
func NormalizeMO(v string) string {
	return strings.Join(strings.Fields(strings.ToLower(v)), " ")
}

// Filter selects cases. Zero fields select everything; all set fields
// must hold.
type Filter struct {
	UnitUnder     string  // subtree path
	States        []State // any of
	Kind          string
	ReportedFrom  time.Time // ReportedAt >= ReportedFrom
	ReportedTo    time.Time // ReportedAt < ReportedTo
	SuspectIDs    []string  // any of SuspectKeys
	Identifier    string    // one of IdentifierKeys (normalised)
	ModusOperandi string    // MOKey (normalised)
	IDs           []string
	PersonID      string // a person the case names anywhere (Case.PersonRefs)
	// Overdue keeps only the cases with a step overdue (StepOverdue) at
	// its Now under its Targets: the overdue list in one query a page.
	Overdue *OverdueAt
}

// OverdueAt is the moment and the targets an overdue filter judges by.
type OverdueAt struct {
	Now     time.Time
	Targets Targets
}

// LeadState is where a lead (线索) stands.
type LeadState string

// The states of a lead.
const (
	LeadNew       LeadState = "new"
	LeadVerified  LeadState = "verified"
	LeadConverted LeadState = "converted" // into a case, linked both ways
	LeadDiscarded LeadState = "discarded"
)

// Lead source kinds.
const (
	LeadFromVisit = "visit" // an outreach visit, handed over as a LeadFinding
	LeadFromTip   = "tip"   // a tip from the public
	LeadFromCase  = "case"  // another case
)

// Lead is a lead (线索) from a visit, a tip or another case. Source names
// where it came from; a lead from a case is also listed on that case, and a
// converted lead names its case (CaseID) as the case names it (LeadID).
type Lead struct {
	ID            string          `json:"id"`
	UnitID        string          `json:"unitId"`
	Source        casework.Source `json:"source"`
	Summary       string          `json:"summary"`
	AddressID     string          `json:"addressId,omitempty"`
	PersonIDs     []string        `json:"personIds,omitempty"`
	FoundAt       time.Time       `json:"foundAt"`
	FoundBy       string          `json:"foundBy"`
	State         LeadState       `json:"state"`
	CaseID        string          `json:"caseId,omitempty"`
	DiscardReason string          `json:"discardReason,omitempty"`
	History       []Transition    `json:"history"`
	Version       int64           `json:"version"`
	CreatedAt     time.Time       `json:"createdAt"`
	UpdatedAt     time.Time       `json:"updatedAt"`
}

// Clone returns a copy that shares nothing with l.
func (l Lead) Clone() Lead {
	l.PersonIDs = slices.Clone(l.PersonIDs)
	l.History = slices.Clone(l.History)
	return l
}

// LeadFilter selects leads.
type LeadFilter struct {
	UnitUnder  string
	States     []LeadState
	SourceKind string
	SourceID   string
	FoundFrom  time.Time // FoundAt >= FoundFrom
	FoundTo    time.Time // FoundAt < FoundTo
	PersonID   string    // a person the lead names (Lead.PersonRefs)
}
