package outreach

import (
	"slices"
	"time"
)

// Campaign is an outreach campaign ("百万警进千万家"): a name, a period, the
// units taking part (each with its subtree) and goals per target kind.
type Campaign struct {
	ID          string    `json:"id"`
	UnitID      string    `json:"unitId"` // the unit that runs it
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Starts      time.Time `json:"starts"` // first instant of the period
	Ends        time.Time `json:"ends"`   // first instant after it
	UnitIDs     []string  `json:"unitIds"`
	Goals       []Goal    `json:"goals,omitempty"`
	CreatedBy   string    `json:"createdBy"`
	Version     int64     `json:"version"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// Clone returns a copy that shares nothing with c.
func (c Campaign) Clone() Campaign {
	c.UnitIDs = slices.Clone(c.UnitIDs)
	c.Goals = slices.Clone(c.Goals)
	return c
}

// Goal is a campaign's target for one kind: visits (户次), or distinct
// targets for the kinds counted that way (处, 家).
type Goal struct {
	Kind  TargetKind `json:"kind"`
	Count int64      `json:"count"`
}

// CampaignInput creates a campaign. From and To are local dates (in the
// deployment zone), both included.
type CampaignInput struct {
	UnitID      string    `json:"unitId" validate:"required,max=64,line"`
	Name        string    `json:"name" validate:"required,max=200,line"`
	Description string    `json:"description,omitempty" validate:"max=4000"`
	From        time.Time `json:"from" validate:"required"`
	To          time.Time `json:"to" validate:"required"`
	UnitIDs     []string  `json:"unitIds,omitempty" validate:"max=200,dive,required,max=64,line"` // default: the running unit
	Goals       []Goal    `json:"goals,omitempty" validate:"max=20"`
	RequestKey  string    `json:"-"`
}

// CampaignUpdate changes a campaign's name, description or goals; nil
// fields stay. The period and units are fixed once visits count towards it.
type CampaignUpdate struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
	Goals       []Goal  `json:"goals,omitempty"`
}

// Progress is how far a campaign has come on each goal.
type Progress struct {
	Campaign Campaign       `json:"campaign"`
	Goals    []GoalProgress `json:"goals"`
}

// GoalProgress is one goal and what was achieved.
type GoalProgress struct {
	Kind     TargetKind `json:"kind"`
	Target   int64      `json:"target"`
	Achieved int64      `json:"achieved"`
	Unit     string     `json:"unit"`     // 户次, 处, 家, 次
	Permille int64      `json:"permille"` // achieved ÷ target × 1000, floor
}

// CampaignFilter selects campaigns. Related, a unit path, selects campaigns
// run by that unit, by a unit above it or by a unit below it. Stores order
// campaigns by (Starts, ID).
type CampaignFilter struct {
	Related  string
	ActiveAt time.Time // Starts <= ActiveAt < Ends
}
