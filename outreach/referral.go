package outreach

import (
	"slices"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Agency is who a referral asks for help: a code of list
// outreach.referral_agency. AgencyOther needs the agency's name.
type Agency string

// The agencies a station refers to most (the article's 民政 and 居委会).
const (
	AgencyCivilAffairs         Agency = "civil_affairs"         // 民政部门
	AgencyResidentsCommittee   Agency = "residents_committee"   // 居委会/村委会
	AgencyHospital             Agency = "hospital"              // 医院
	AgencySchool               Agency = "school"                // 学校
	AgencyCommunityCorrections Agency = "community_corrections" // 社区矫正机构
	AgencyOther                Agency = "other"                 // named in AgencyName
)

// ReferralOutcome is how a referral ended: a code of list
// outreach.referral_outcome.
type ReferralOutcome string

// The outcomes.
const (
	// OutcomeDone: the agency did what was asked (救助落实, 已送医).
	OutcomeDone ReferralOutcome = "done"
	// OutcomeDeclined: the agency declined or could not help.
	OutcomeDeclined ReferralOutcome = "declined"
	// OutcomeWithdrawn: the help is no longer needed (moved away, solved
	// otherwise).
	OutcomeWithdrawn ReferralOutcome = "withdrawn"
)

// The code lists of referrals.
const (
	CodesReferralAgency  = "outreach.referral_agency"
	CodesReferralOutcome = "outreach.referral_outcome"
)

func referralCodeLists() []casework.CodeList {
	return []casework.CodeList{
		{Name: CodesReferralAgency, Codes: []casework.Code{
			{Value: string(AgencyCivilAffairs), ZH: "民政部门", EN: "civil affairs"},
			{Value: string(AgencyResidentsCommittee), ZH: "居委会/村委会", EN: "residents' or villagers' committee"},
			{Value: string(AgencyHospital), ZH: "医院", EN: "hospital"},
			{Value: string(AgencySchool), ZH: "学校", EN: "school"},
			{Value: string(AgencyCommunityCorrections), ZH: "社区矫正机构", EN: "community corrections"},
			{Value: string(AgencyOther), ZH: "其他单位", EN: "other agency"},
		}},
		{Name: CodesReferralOutcome, Codes: []casework.Code{
			{Value: string(OutcomeDone), ZH: "已落实", EN: "done"},
			{Value: string(OutcomeDeclined), ZH: "未予办理", EN: "declined"},
			{Value: string(OutcomeWithdrawn), ZH: "无需办理", EN: "no longer needed"},
		}},
	}
}

// ReferralStatus is where a referral stands: open until closed, and closed
// for good (a referral closed too early is followed by a new one, so that a
// period's closed figure never changes).
type ReferralStatus string

// The referral states.
const (
	ReferralOpen   ReferralStatus = "open"
	ReferralClosed ReferralStatus = "closed"
)

// FollowUp is one recorded chase of a referral (a call to the agency, a
// second visit).
type FollowUp struct {
	At   time.Time `json:"at"`
	By   string    `json:"by"`
	Note string    `json:"note"`
}

// Referral is help asked of another agency on a household's behalf,
// recorded on a visit: who was asked, for what, which officer owns chasing
// it and by when it should be done.
type Referral struct {
	ID      string `json:"id"`
	UnitID  string `json:"unitId"` // the visit's unit
	VisitID string `json:"visitId"`
	// Sensitive is true when the visit was to a sensitive target kind: the
	// request and the notes are then masked like the visit's own notes.
	Sensitive   bool            `json:"sensitive,omitempty"`
	Agency      Agency          `json:"agency"`
	AgencyName  string          `json:"agencyName,omitempty"` // 荆家镇民政办; required for AgencyOther
	Request     string          `json:"request"`              // what was asked
	OwnerID     string          `json:"ownerId"`              // the staff member who chases it
	Due         time.Time       `json:"due"`
	Status      ReferralStatus  `json:"status"`
	FollowUps   []FollowUp      `json:"followUps,omitempty"`
	Outcome     ReferralOutcome `json:"outcome,omitempty"`
	OutcomeNote string          `json:"outcomeNote,omitempty"`
	ClosedAt    time.Time       `json:"closedAt,omitzero"`
	ClosedBy    string          `json:"closedBy,omitempty"`
	// OverdueNoticedAt is when the sweep sent the overdue notice (Sweep):
	// one notice per referral, never again.
	OverdueNoticedAt time.Time `json:"overdueNoticedAt,omitzero"`
	CreatedBy        string    `json:"createdBy"`
	Masked           bool      `json:"masked,omitempty"`
	Version          int64     `json:"version"`
	CreatedAt        time.Time `json:"createdAt"`
	UpdatedAt        time.Time `json:"updatedAt"`
}

// Clone returns a copy that shares nothing with r.
func (r Referral) Clone() Referral {
	r.FollowUps = slices.Clone(r.FollowUps)
	return r
}

// Overdue is the referral's reading of the one outreach deadline rule
// (pastDeadline): an open referral is overdue once its due instant is
// reached.
func (r Referral) Overdue(now time.Time) bool {
	return r.Status == ReferralOpen && pastDeadline(r.Due, now)
}

// pastDeadline is the one deadline rule of outreach — hazards, referrals
// and the visit plan: a deadline is missed from its instant on (the
// instant itself is already late), and a zero deadline is never missed.
// Stores select the same set with "deadline <= now".
func pastDeadline(deadline, now time.Time) bool {
	return !deadline.IsZero() && !now.Before(deadline)
}

// masked is the view of a sensitive referral for a reader who may not see
// who was visited: the agency, owner, dates and status stay; what was asked
// and what the follow-ups and outcome say go.
func (r Referral) masked() Referral {
	r = r.Clone()
	r.Request, r.OutcomeNote, r.Masked = "", "", true
	for i := range r.FollowUps {
		r.FollowUps[i].Note = ""
	}
	return r
}

// ReferralInput records a referral on a visit.
type ReferralInput struct {
	VisitID    string `json:"visitId" validate:"required,max=64,line"`
	Agency     Agency `json:"agency" validate:"required,max=64,line"`
	AgencyName string `json:"agencyName,omitempty" validate:"max=200,line"`
	Request    string `json:"request" validate:"required,max=2000"`
	OwnerID    string `json:"ownerId" validate:"required,max=64,line"`
	// Due, or DueInDays: 24:00 local time on the Nth day after the
	// referral is recorded (the day itself not counted), as for hazards.
	Due        time.Time `json:"due,omitzero"`
	DueInDays  int       `json:"dueInDays,omitempty" validate:"min=0,max=3650"`
	RequestKey string    `json:"-"`
}

// ReferralFilter selects referrals. Stores order referrals by (CreatedAt,
// ID).
type ReferralFilter struct {
	UnitUnder string
	Status    []ReferralStatus
	OwnerID   string
	VisitID   string
	// OverdueAt selects referrals overdue at this instant
	// (Referral.Overdue).
	OverdueAt time.Time
	// Unnoticed selects referrals whose overdue notice has not been sent
	// (OverdueNoticedAt zero).
	Unnoticed bool
}

// ReferralTally is what a store counts of referrals for a unit subtree and
// a period (TallyFilter's UnitUnder, From and To; CampaignID is not used).
type ReferralTally struct {
	Made   int64 // referrals recorded in the period (by CreatedAt)
	Closed int64 // referrals closed in the period (by ClosedAt)
	// ClosedBy splits Closed by outcome; an outcome with none is absent.
	ClosedBy map[ReferralOutcome]int64
}

// checkDeadline is the one rule for a deadline given as an instant or as a
// number of days: exactly one of the two.
func checkDeadline(f *errs.Fields, field string, at time.Time, days int, what string) {
	if at.IsZero() && days <= 0 {
		f.Add(field, "required", "%s needs a %s or dueInDays", what, field)
	}
	if !at.IsZero() && days > 0 {
		f.Add("dueInDays", "excluded_with", "give a %s or dueInDays, not both", field)
	}
}

// deadlineOf resolves a deadline given as an instant or as days after from.
func deadlineOf(at time.Time, days int, from time.Time, zone *time.Location) time.Time {
	if d := casework.Truncate(at); !d.IsZero() {
		return d
	}
	return casework.EndOfDayN(from, days, zone)
}
