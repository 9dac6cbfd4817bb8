package mediation

import (
	"slices"
	"strconv"
	"time"
)

// DeadlineReason names why a dispute has a deadline.
type DeadlineReason string

// The deadlines of a dispute.
const (
	// ReasonReview: a high-risk dispute must be reviewed by a supervisor
	// within Config.ReviewDeadline of being marked high risk.
	ReasonReview DeadlineReason = "review_deadline"
	// ReasonMediationLimit: an accepted dispute must be mediated to an
	// agreement or a failure within Config.MediationLimit days of its
	// acceptance (or of its reopening).
	ReasonMediationLimit DeadlineReason = "mediation_limit"
	// ReasonPerformance: a term of the agreement in force must be confirmed
	// performed by a follow-up before its performance deadline.
	ReasonPerformance DeadlineReason = "performance_deadline"
	// ReasonConfirmation: when the parties mean to have their agreement
	// judicially confirmed, they must apply within Config.ConfirmationWindow
	// days of its effect.
	ReasonConfirmation DeadlineReason = "confirmation_window"
)

// Deadline is one open deadline of a dispute. Ref tells deadlines of the
// same reason apart (the term index of a performance deadline).
type Deadline struct {
	Reason DeadlineReason `json:"reason"`
	Due    time.Time      `json:"due"`
	Ref    string         `json:"ref,omitempty"`
}

// OpenDeadlines returns the deadlines a dispute must still meet, whatever
// the time, in the order of their due times. A deadline closes when what
// it waits for happens; a finished dispute has none.
//
// Every due time is fixed on the record when its deadline begins (the
// service applies the configuration then), so this function needs nothing
// but the dispute, and every screen, list, report and sweep that asks it
// gets the same answer.
func OpenDeadlines(d Dispute) []Deadline {
	if d.State.Terminal() {
		return nil
	}
	var out []Deadline
	if !d.ReviewDue.IsZero() && d.Review == nil {
		out = append(out, Deadline{Reason: ReasonReview, Due: d.ReviewDue})
	}
	if (d.State == StateAccepted || d.State == StateInMediation) && !d.MediationDue.IsZero() {
		out = append(out, Deadline{Reason: ReasonMediationLimit, Due: d.MediationDue})
	}
	if i := d.Effective(); i >= 0 && (d.State == StateAgreed || d.State == StateFollowingUp) {
		a := d.Agreements[i]
		if a.Confirmation == nil || a.Confirmation.Status != ConfirmationInvalid {
			for t, term := range a.Terms {
				due := term.Deadline
				if due.IsZero() {
					due = a.PerformanceDeadline
				}
				if due.IsZero() || performed(d, i, t) {
					continue
				}
				out = append(out, Deadline{Reason: ReasonPerformance, Due: due, Ref: "term/" + strconv.Itoa(t+1)})
			}
		}
		if a.SeekConfirmation && a.Confirmation == nil && !a.ConfirmationDue.IsZero() {
			out = append(out, Deadline{Reason: ReasonConfirmation, Due: a.ConfirmationDue})
		}
	}
	slices.SortStableFunc(out, func(a, b Deadline) int { return a.Due.Compare(b.Due) })
	return out
}

// performed reports whether a follow-up on agreement a found term t
// performed.
func performed(d Dispute, a, t int) bool {
	for _, f := range d.FollowUps {
		if f.Agreement != a {
			continue
		}
		for _, c := range f.Checks {
			if c.Term == t && c.Status == Performed {
				return true
			}
		}
	}
	return false
}

// Overdue is the one function that decides whether a dispute is overdue,
// for every reason: it returns the open deadlines that passed before now
// (a deadline is met up to, not including, its due instant). A missed
// deadline never changes the state; it only makes the dispute overdue.
func Overdue(d Dispute, now time.Time) []Deadline {
	var out []Deadline
	for _, dl := range OpenDeadlines(d) {
		if !now.Before(dl.Due) {
			out = append(out, dl)
		}
	}
	return out
}

// IsOverdue reports whether Overdue finds anything.
func (d Dispute) IsOverdue(now time.Time) bool { return len(Overdue(d, now)) > 0 }

// NextDueOf is the earliest open deadline, or zero. The service stores it
// on every write as Dispute.NextDue, so that a store selects the overdue
// disputes (NextDue <= now) exactly as Overdue decides them.
func NextDueOf(d Dispute) time.Time {
	if dl := OpenDeadlines(d); len(dl) > 0 {
		return dl[0].Due
	}
	return time.Time{}
}
