package cases

import (
	"slices"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// transitions is the state machine of a case: every change not listed
// is refused. reported → filed happens only through DispatchAndFile, filed →
// investigating through the survey or an explicit start, → solved only
// through the first arrest.
var transitions = map[State][]State{
	StateReported:      {StateFiled, StateDropped},
	StateFiled:         {StateInvestigating, StateSolved, StateDropped},
	StateInvestigating: {StateSolved, StateDropped},
	StateSolved:        {StateClosed},
}

// CanTransition reports whether a case may move from one state to another.
func CanTransition(from, to State) bool {
	return slices.Contains(transitions[from], to)
}

func checkTransition(from, to State) error {
	if !CanTransition(from, to) {
		return errs.Transition(string(from), string(to), "not a transition of the case workflow")
	}
	return nil
}

// transition moves next to a new state and records it in the history. The
// caller has checked the transition.
func (c *Case) transition(to State, actor casework.Actor, action casework.Action, reason string, at time.Time) {
	c.History = append(c.History, Transition{From: string(c.State), To: string(to), At: at, ActorID: actor.StaffID,
		Action: string(action), Reason: reason})
	c.State = to
}

// leadTransitions is the state machine of a lead.
var leadTransitions = map[LeadState][]LeadState{
	LeadNew:      {LeadVerified, LeadDiscarded},
	LeadVerified: {LeadConverted, LeadDiscarded},
}

// CanTransitionLead reports whether a lead may move from one state to
// another.
func CanTransitionLead(from, to LeadState) bool {
	return slices.Contains(leadTransitions[from], to)
}

func (l *Lead) transition(to LeadState, actor casework.Actor, action casework.Action, reason string, at time.Time) error {
	if !CanTransitionLead(l.State, to) {
		return errs.Transition(string(l.State), string(to), "not a transition of a lead")
	}
	l.History = append(l.History, Transition{From: string(l.State), To: string(to), At: at, ActorID: actor.StaffID,
		Action: string(action), Reason: reason})
	l.State = to
	return nil
}
