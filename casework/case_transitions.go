package casework

import (
	"slices"
	"time"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// caseTransitions is the state machine of a case: every change not listed
// is refused. reported → filed happens only through DispatchAndFile, filed →
// investigating through the survey or an explicit start, → solved only
// through the first arrest.
var caseTransitions = map[CaseState][]CaseState{
	CaseReported:      {CaseFiled, CaseDropped},
	CaseFiled:         {CaseInvestigating, CaseSolved, CaseDropped},
	CaseInvestigating: {CaseSolved, CaseDropped},
	CaseSolved:        {CaseClosed},
}

// CanTransition reports whether a case may move from one state to another.
func CanTransition(from, to CaseState) bool {
	return slices.Contains(caseTransitions[from], to)
}

func checkTransition(from, to CaseState) error {
	if !CanTransition(from, to) {
		return errs.Transition(string(from), string(to), "not a transition of the case workflow")
	}
	return nil
}

// transition moves next to a new state and records it in the history. The
// caller has checked the transition.
func (c *Case) transition(to CaseState, actor Actor, action Action, reason string, at time.Time) {
	c.History = append(c.History, CaseTransition{From: string(c.State), To: string(to), At: at, ActorID: actor.StaffID,
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

func (l *Lead) transition(to LeadState, actor Actor, action Action, reason string, at time.Time) error {
	if !CanTransitionLead(l.State, to) {
		return errs.Transition(string(l.State), string(to), "not a transition of a lead")
	}
	l.History = append(l.History, CaseTransition{From: string(l.State), To: string(to), At: at, ActorID: actor.StaffID,
		Action: string(action), Reason: reason})
	l.State = to
	return nil
}
