package mediation

import (
	"slices"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// transitions is the table of domain.md, and the only one: every state
// change of the service passes CheckTransition, so no code path can move a
// dispute in a way the table does not allow.
var transitions = map[State][]State{
	StateReported:    {StateScreened, StateNotAccepted},
	StateScreened:    {StateAccepted, StateNotAccepted},
	StateAccepted:    {StateInMediation},
	StateInMediation: {StateAgreed, StateFailed},
	StateAgreed:      {StateFollowingUp, StateClosed},
	StateFollowingUp: {StateClosed, StateInMediation, StateReferred},
	StateFailed:      {StateReferred, StateClosed},
}

// Next returns the states a dispute may move to from s.
func Next(s State) []State { return slices.Clone(transitions[s]) }

// CanTransition reports whether the table allows from → to.
func CanTransition(from, to State) bool { return slices.Contains(transitions[from], to) }

// CheckTransition returns nil when the table allows from → to, and
// otherwise an invalid-transition error naming both states and why.
func CheckTransition(from, to State) error {
	if CanTransition(from, to) {
		return nil
	}
	switch {
	case !slices.Contains(States, to):
		return errs.Transition(string(from), string(to), "not a dispute state")
	case !slices.Contains(States, from):
		return errs.Transition(string(from), string(to), "the dispute is in no known state")
	case from.Terminal():
		return errs.Transition(string(from), string(to), "the dispute is finished: nothing follows "+string(from))
	case from == to:
		return errs.Transition(string(from), string(to), "the dispute is already "+string(to))
	}
	why := "from " + string(from) + " a dispute may only move to "
	for i, s := range transitions[from] {
		if i > 0 {
			why += " or "
		}
		why += string(s)
	}
	return errs.Transition(string(from), string(to), why)
}
