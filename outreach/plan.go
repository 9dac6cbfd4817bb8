package outreach

import (
	"time"
)

// Frequency is how often a target kind must be visited: every Months
// calendar months plus Days days. The zero Frequency means the kind is not
// on a schedule (online outreach, for example).
type Frequency struct {
	Months int `json:"months"`
	Days   int `json:"days"`
}

// Zero reports whether the frequency sets no schedule.
func (f Frequency) Zero() bool { return f.Months <= 0 && f.Days <= 0 }

// DefaultFrequencies are the visit frequencies when Config sets none: key
// and special persons' families monthly, as the places that need watching
// most; difficult families, struggling firms and villages quarterly.
func DefaultFrequencies() map[TargetKind]Frequency {
	return map[TargetKind]Frequency{
		KeyPersonFamily:      {Months: 1},
		SpecialPersonFamily:  {Months: 1},
		SecurityKeySite:      {Months: 1},
		Community:            {Months: 1},
		DifficultFamily:      {Months: 3},
		StrugglingEnterprise: {Months: 3},
		School:               {Months: 3},
		Village:              {Months: 3},
	}
}

// DueStatus says whether a target must be visited now.
type DueStatus string

// The due states.
const (
	NotScheduled DueStatus = "not_scheduled" // the kind has no frequency
	Scheduled    DueStatus = "scheduled"     // visited recently enough
	Due          DueStatus = "due"           // inside the window before the deadline
	Overdue      DueStatus = "overdue"       // the deadline has passed
)

// Plan holds the visit frequencies and the lead time of a deployment.
type Plan struct {
	Frequencies map[TargetKind]Frequency
	// LeadDays is how many days before its deadline a visit becomes due.
	LeadDays int
	Zone     *time.Location
}

// Assessment is when a target must be visited and where it stands at a
// given instant.
type Assessment struct {
	Status DueStatus `json:"status"`
	// DueFrom is the first instant the visit is due (00:00 local time,
	// LeadDays before the deadline's day; at once for a target never
	// visited). Deadline is the first instant it is overdue: 24:00 local
	// time on the day one interval after the base (the last visit, or when
	// the target was put on the plan).
	DueFrom  time.Time `json:"dueFrom,omitzero"`
	Deadline time.Time `json:"deadline,omitzero"`
}

// Assess is the one function that decides due and overdue. base is the last
// visit, or the time the target was put on the plan when visited is false.
//
// The interval is calendar months then days, in the plan's zone; a month
// from the 31st ends on the last day of a shorter month. A target never
// visited is due at once and overdue one interval after it was planned.
// The instant DueFrom is already due and the instant Deadline is already
// overdue.
func (p Plan) Assess(kind TargetKind, base time.Time, visited bool, now time.Time) Assessment {
	f := p.Frequencies[kind]
	if f.Zero() || base.IsZero() {
		return Assessment{Status: NotScheduled}
	}
	zone := p.Zone
	if zone == nil {
		zone = time.UTC
	}
	l := base.In(zone)
	y, m, d := addMonths(l.Year(), l.Month(), l.Day(), f.Months)
	deadline := time.Date(y, m, d+f.Days+1, 0, 0, 0, 0, zone)
	dueFrom := base
	if visited {
		lead := max(p.LeadDays, 0)
		dueFrom = time.Date(deadline.Year(), deadline.Month(), deadline.Day()-lead, 0, 0, 0, 0, zone)
		if dueFrom.Before(base) {
			dueFrom = base
		}
	}
	a := Assessment{DueFrom: dueFrom.UTC(), Deadline: deadline.UTC()}
	switch {
	case pastDeadline(a.Deadline, now):
		a.Status = Overdue
	case !now.Before(a.DueFrom):
		a.Status = Due
	default:
		a.Status = Scheduled
	}
	return a
}

// addMonths adds n calendar months to a date, keeping the day within the
// target month (31 January + 1 month = 28 or 29 February).
func addMonths(y int, m time.Month, d, n int) (int, time.Month, int) {
	t := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return t.Year(), t.Month(), min(d, last)
}

// PlanEntry is a target on the visit plan: a household, site or firm at an
// address, of one kind, visited every so often.
type PlanEntry struct {
	ID           string     `json:"id"`
	UnitID       string     `json:"unitId"`
	Kind         TargetKind `json:"kind"`
	AddressID    string     `json:"addressId"`
	Address      string     `json:"address"`
	Community    string     `json:"community,omitempty"`
	PersonID     string     `json:"personId,omitempty"`
	Organisation string     `json:"organisation,omitempty"`
	Note         string     `json:"note,omitempty"`
	Since        time.Time  `json:"since"` // when it was put on the plan
	LastVisitAt  time.Time  `json:"lastVisitAt,omitzero"`
	LastVisitID  string     `json:"lastVisitId,omitempty"`
	// DueFrom and Deadline are Plan.Assess's answer at the last change,
	// kept so that stores can list and page the due list by deadline.
	DueFrom   time.Time `json:"dueFrom,omitzero"`
	Deadline  time.Time `json:"deadline,omitzero"`
	Active    bool      `json:"active"`
	Masked    bool      `json:"masked,omitempty"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// base is what the plan counts from.
func (e PlanEntry) base() (time.Time, bool) {
	if e.LastVisitAt.IsZero() {
		return e.Since, false
	}
	return e.LastVisitAt, true
}

func (e PlanEntry) masked() PlanEntry {
	e.PersonID, e.Note, e.Masked = "", "", true
	return e
}

// PlanInput puts a target on the visit plan.
type PlanInput struct {
	UnitID       string     `json:"unitId" validate:"required,max=64,line"`
	Kind         TargetKind `json:"kind"`
	AddressID    string     `json:"addressId" validate:"required,max=64,line"`
	PersonID     string     `json:"personId,omitempty" validate:"max=64,line"`
	Organisation string     `json:"organisation,omitempty" validate:"max=200,line"`
	Note         string     `json:"note,omitempty" validate:"max=2000"`
	RequestKey   string     `json:"-"`
}

// PlanFilter selects plan entries. Stores order them by (Deadline, ID), so
// the most urgent come first.
type PlanFilter struct {
	UnitUnder string
	Kind      TargetKind
	// Areas selects entries whose community or address id is one of these.
	Areas []string
	// DueBy selects active, scheduled entries with DueFrom <= DueBy.
	DueBy     time.Time
	AddressID string
	PersonID  string
	// IncludeInactive lists entries taken off the plan as well.
	IncludeInactive bool
}

// DueVisit is one line of the "whom to visit next" list.
type DueVisit struct {
	Entry      PlanEntry  `json:"entry"`
	Assessment Assessment `json:"assessment"`
	// Owners are the active officers whose responsibility area holds the
	// address (its community or the address itself).
	Owners []string `json:"owners"`
}
