package cases

import (
	"context"
	"slices"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Targets are the target durations of the five steps, each measured
// from the report (e.g. dispatch within 15 minutes of the report).
type Targets struct {
	DispatchFile time.Duration `json:"dispatchFile"`
	Survey       time.Duration `json:"survey"`
	Analyse      time.Duration `json:"analyse"`
	Arrest       time.Duration `json:"arrest"`
	Review       time.Duration `json:"review"`
}

// DefaultTargets are the targets of a deployment that sets none: the
// "fast" of each 快 step, from the report.
func DefaultTargets() Targets {
	return Targets{
		DispatchFile: 15 * time.Minute,
		Survey:       time.Hour,
		Analyse:      24 * time.Hour,
		Arrest:       7 * 24 * time.Hour,
		Review:       30 * 24 * time.Hour,
	}
}

// Of returns the target of a step.
func (t Targets) Of(step Step) time.Duration {
	switch step {
	case StepDispatchFile:
		return t.DispatchFile
	case StepSurvey:
		return t.Survey
	case StepAnalyse:
		return t.Analyse
	case StepArrest:
		return t.Arrest
	case StepReview:
		return t.Review
	}
	return 0
}

func (t Targets) withDefaults() (Targets, error) {
	d := DefaultTargets()
	for _, x := range []struct {
		field string
		v     *time.Duration
		def   time.Duration
	}{{"targets.dispatchFile", &t.DispatchFile, d.DispatchFile}, {"targets.survey", &t.Survey, d.Survey},
		{"targets.analyse", &t.Analyse, d.Analyse}, {"targets.arrest", &t.Arrest, d.Arrest}, {"targets.review", &t.Review, d.Review}} {
		if *x.v < 0 {
			return t, errs.Invalid(x.field, "min", "a target may not be negative")
		}
		if *x.v == 0 {
			*x.v = x.def
		}
	}
	return t, nil
}

// Due is when a step of the case should be done: the report time plus the
// step's target.
func (t Targets) Due(c Case, step Step) time.Time {
	return c.ReportedAt.Add(t.Of(step))
}

// StepExpected reports whether a step is still to be done on a case: not
// done yet, and the case is in a state from which the step can still come.
// Nothing is expected of a dropped or closed case; the review is expected
// only of a solved case, and the steps before solving only of a case not
// solved yet.
func StepExpected(c Case, step Step) bool {
	if _, done := c.DoneAt(step); done {
		return false
	}
	return slices.Contains(ExpectedIn(step), c.State)
}

// StepOverdue is the one rule for overdue steps that every list and notice
// uses: a step is overdue when it is still expected (StepExpected) and now
// is strictly after its due time. At the due instant itself it is not
// overdue yet; a step done late is late, not overdue.
func StepOverdue(c Case, step Step, t Targets, now time.Time) bool {
	return StepExpected(c, step) && now.After(t.Due(c, step))
}

// StepTiming is how one step of a case went against its target.
type StepTiming struct {
	Step    Step          `json:"step"`
	Done    bool          `json:"done"`
	At      time.Time     `json:"at,omitzero"`       // when it was done
	Elapsed time.Duration `json:"elapsed"`           // from the report to At (or to now when not done)
	Due     time.Time     `json:"due"`               // report + target
	Late    bool          `json:"late,omitempty"`    // done after Due
	Overdue bool          `json:"overdue,omitempty"` // StepOverdue at now
}

// Timings measures the five steps of a case at now.
func (t Targets) Timings(c Case, now time.Time) []StepTiming {
	out := make([]StepTiming, 0, len(Steps))
	for _, step := range Steps {
		st := StepTiming{Step: step, Due: t.Due(c, step)}
		if at, ok := c.DoneAt(step); ok {
			st.Done, st.At, st.Elapsed, st.Late = true, at, at.Sub(c.ReportedAt), at.After(st.Due)
		} else {
			st.Elapsed = now.Sub(c.ReportedAt)
			st.Overdue = StepOverdue(c, step, t, now)
		}
		out = append(out, st)
	}
	return out
}

// OverdueSteps are the steps of a case overdue at now (StepOverdue).
func OverdueSteps(c Case, t Targets, now time.Time) []Step {
	var out []Step
	for _, step := range Steps {
		if StepOverdue(c, step, t, now) {
			out = append(out, step)
		}
	}
	return out
}

// StepsDone is the set of the case's steps done, one bit a step in the
// order of Steps (bit 0 dispatch-and-file … bit 4 review): what a SQL store
// keeps beside the case so that the overdue filter runs in the database.
func StepsDone(c Case) int64 {
	var bits int64
	for i, step := range Steps {
		if _, done := c.DoneAt(step); done {
			bits |= 1 << i
		}
	}
	return bits
}

// ExpectedIn are the states in which a step is still expected when not
// done (StepExpected).
func ExpectedIn(step Step) []State {
	switch step {
	case StepDispatchFile:
		return []State{StateReported}
	case StepSurvey, StepAnalyse, StepArrest:
		return OpenStates
	case StepReview:
		return []State{StateSolved}
	}
	return nil
}

// OverdueCase is a case with the steps that are overdue on it.
type OverdueCase struct {
	Case  Case   `json:"case"`
	Steps []Step `json:"steps"`
}

// Overdue lists the cases of a unit subtree (unitID "" is the actor's
// unit) that have an overdue step at now, by StepOverdue, ordered by
// (CreatedAt, ID), and returns the cursor of the next page.
func (s *Service) Overdue(ctx context.Context, actor casework.Actor, unitID string, now time.Time, p casework.Page) ([]OverdueCase, string, error) {
	if err := s.k.UnitInReach(ctx, actor, unitID); err != nil {
		return nil, "", err
	}
	if err := s.k.Authorize(ctx, actor, ActionRead, casework.Target{}); err != nil {
		return nil, "", err
	}
	path, err := s.k.Scope(ctx, actor, unitID)
	if err != nil {
		return nil, "", err
	}
	p = p.Normalize()
	f := Filter{UnitUnder: path, Overdue: &OverdueAt{Now: now, Targets: s.targets}}
	rows, err := s.store.ListCases(ctx, f, casework.Page{Limit: p.Limit + 1, After: p.After})
	if err != nil {
		return nil, "", err
	}
	out := make([]OverdueCase, 0, len(rows))
	for _, c := range rows {
		out = append(out, OverdueCase{Case: c, Steps: OverdueSteps(c, s.targets, now)})
	}
	out, next := casework.PageOf(out, p.Limit, func(o OverdueCase) casework.Cursor { return caseCursor(o.Case) })
	return out, next, nil
}
