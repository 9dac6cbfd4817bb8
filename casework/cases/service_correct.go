package cases

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// MaxItems is how many stolen items a case holds, reported and added.
const MaxItems = 200

// correctableStates are the states in which a case's facts are corrected
// and items added: a closed case is reopened first (Reopen), a dropped one
// is finished.
var correctableStates = []State{StateReported, StateFiled, StateInvestigating, StateSolved}

// CorrectInput corrects the facts of a case as reported. A nil field keeps
// the recorded value; a non-nil one replaces it (an empty victim or suspect
// list clears it). Reason is required.
type CorrectInput struct {
	Kind          *string    `json:"kind,omitempty"`
	Summary       *string    `json:"summary,omitempty"`
	IncidentAt    *time.Time `json:"incidentAt,omitempty"`
	AddressID     *string    `json:"addressId,omitempty"`
	Place         *string    `json:"place,omitempty"`
	ReporterID    *string    `json:"reporterId,omitempty"`
	VictimIDs     []string   `json:"victimIds,omitempty"`
	SuspectIDs    []string   `json:"suspectIds,omitempty"`
	ModusOperandi *string    `json:"modusOperandi,omitempty"`
	Reason        string     `json:"reason"`
}

// Correct corrects the reported facts of a case (its kind, summary,
// incident time and place, reporter, victims, suspects, modus operandi)
// with the rules of a report, in any state before closing. The new facts
// must differ from the recorded ones, the incident may not follow the
// report, and a suspect who was arrested stays a suspect. The correction
// joins the case's Corrections with its reason, and the audit chain keeps
// the values before and after (case.correct). No figure moves: periods
// count the report, filing, solving and closing dates, which a correction
// never touches. Items already handed to recovery keep the theft time
// they were registered with.
func (s *Service) Correct(ctx context.Context, actor casework.Actor, id string, version int64, in CorrectInput) (Case, error) {
	reason, err := checkCorrectionReason(in.Reason)
	if err != nil {
		return Case{}, err
	}
	c, err := s.loadFor(ctx, actor, id, version, ActionCorrect, correctableStates, "")
	if err != nil {
		return Case{}, err
	}
	n := s.next(c)
	fields := in.apply(&n)
	if len(fields) == 0 {
		return Case{}, errs.Invalid("facts", "changed", "a correction changes at least one fact")
	}
	var f errs.Fields
	if n.IncidentAt.After(n.ReportedAt) {
		f.Add("incidentAt", "before_report", "the incident may not follow the report")
	}
	for _, a := range n.Arrests {
		if !slices.Contains(n.SuspectIDs, a.SuspectID) {
			f.Add("suspectIds", "arrested", "%s was arrested and stays a suspect", a.SuspectID)
		}
	}
	rep := ReportInput{UnitID: n.UnitID, Kind: n.Kind, Summary: n.Summary, IncidentAt: n.IncidentAt, AddressID: n.AddressID,
		Place: n.Place, ReporterID: n.ReporterID, VictimIDs: n.VictimIDs, SuspectIDs: n.SuspectIDs, ModusOperandi: n.ModusOperandi}
	if err := s.checkReportInput(ctx, actor, rep); err != nil && !errors.Is(err, errs.ErrInvalid) {
		return Case{}, err
	} else {
		f.Merge("", err)
	}
	if err := f.Err(); err != nil {
		return Case{}, err
	}
	n.Corrections = append(n.Corrections, Correction{Action: string(ActionCorrect), Fields: fields, At: n.UpdatedAt,
		ActorID: actor.StaffID, Reason: reason})
	return s.commitUpdate(ctx, actor, ActionCorrect, c, n, Write{})
}

// apply writes the given facts on c and returns the names of those that
// changed.
func (in CorrectInput) apply(c *Case) []string {
	var changed []string
	str := func(name string, v *string, dst *string) {
		if v != nil && strings.TrimSpace(*v) != *dst {
			*dst = strings.TrimSpace(*v)
			changed = append(changed, name)
		}
	}
	ids := func(name string, v []string, dst *[]string) {
		if v != nil && !slices.Equal(v, *dst) {
			*dst = slices.Clone(v)
			changed = append(changed, name)
		}
	}
	str("kind", in.Kind, &c.Kind)
	str("summary", in.Summary, &c.Summary)
	if in.IncidentAt != nil && !casework.Truncate(*in.IncidentAt).Equal(c.IncidentAt) {
		c.IncidentAt = casework.Truncate(*in.IncidentAt)
		changed = append(changed, "incidentAt")
	}
	str("addressId", in.AddressID, &c.AddressID)
	str("place", in.Place, &c.Place)
	str("reporterId", in.ReporterID, &c.ReporterID)
	ids("victimIds", in.VictimIDs, &c.VictimIDs)
	ids("suspectIds", in.SuspectIDs, &c.SuspectIDs)
	str("modusOperandi", in.ModusOperandi, &c.ModusOperandi)
	return changed
}

// AddItemsInput adds stolen items to a case after its report.
type AddItemsInput struct {
	Items  []ItemInput `json:"items" validate:"required,min=1,max=200,dive"`
	Reason string      `json:"reason"`
}

// AddItems adds stolen items found missing after the report (the victim
// finds a second phone gone). The items pass the report's item rule — the
// owner in reach, the category code, the identifiers, and the property
// ledger's own check (PropertyLedger.CheckStolen) through the hand-off
// contract — get ids now, and are handed to recovery in the same
// transaction as their own batch (KindStolenItems, step "stolen/<first
// item id>"), so a found item can be matched to them at once. A case holds
// at most MaxItems items. The addition joins Corrections with its reason
// (case.add_items).
func (s *Service) AddItems(ctx context.Context, actor casework.Actor, id string, version int64, in AddItemsInput) (Case, error) {
	reason, err := checkCorrectionReason(in.Reason)
	if err != nil {
		return Case{}, err
	}
	in.Items = normalizeItems(in.Items)
	if err := s.k.Validate(in); err != nil {
		return Case{}, err
	}
	c, err := s.loadFor(ctx, actor, id, version, ActionAddItems, correctableStates, "")
	if err != nil {
		return Case{}, err
	}
	var f errs.Fields
	if len(c.Items)+len(in.Items) > MaxItems {
		f.Add("items", "max", "a case holds at most %d items; it has %d", MaxItems, len(c.Items))
	}
	rep := ReportInput{UnitID: c.UnitID, IncidentAt: c.IncidentAt, Place: c.Place, AddressID: c.AddressID, Items: in.Items}
	if err := s.checkItems(ctx, actor, rep, &f); err != nil {
		return Case{}, err
	}
	if err := f.Err(); err != nil {
		return Case{}, err
	}
	n := s.next(c)
	added := make([]Item, len(in.Items))
	ids := make([]string, len(in.Items))
	for i, it := range in.Items {
		added[i] = it.item(s.k.NewID())
		ids[i] = added[i].ItemID
	}
	n.Items = append(n.Items, added...)
	n.Corrections = append(n.Corrections, Correction{Action: string(ActionAddItems), ItemIDs: ids, At: n.UpdatedAt,
		ActorID: actor.StaffID, Reason: reason})
	msg, err := s.stolenMessage(actor, n, "stolen/"+ids[0], added)
	if err != nil {
		return Case{}, err
	}
	return s.commitUpdate(ctx, actor, ActionAddItems, c, n, Write{}, msg)
}

// Reopen reopens a closed case (结案后重新启动) when a supervisor finds it
// closed too early: the case returns to solved, where further arrests and
// the review are recorded, facts corrected and items added, until Close
// closes it again. It needs a reason and a supervisor (the policy grants
// case.reopen to supervisors only), and is not in the transition table: no
// step leaves closed.
//
// Past figures stay: ClosedAt, SolvedAt and FiledAt keep their dates, and
// closing again keeps the first closing date, so the period that counted
// the case closed keeps its figure. The reopening is an event of its own
// date: a closed → solved step in History and a case.reopen entry in the
// audit chain, and the first reopening sets ReopenedAt, which the
// reopenings figure counts (once per case, in the period of its first
// reopening).
func (s *Service) Reopen(ctx context.Context, actor casework.Actor, id string, version int64, reason string) (Case, error) {
	reason, err := checkCorrectionReason(reason)
	if err != nil {
		return Case{}, err
	}
	c, err := s.loadFor(ctx, actor, id, version, ActionReopen, []State{StateClosed}, StateSolved)
	if err != nil {
		return Case{}, err
	}
	n := s.next(c)
	n.transition(StateSolved, actor, ActionReopen, reason, n.UpdatedAt)
	if n.ReopenedAt.IsZero() {
		n.ReopenedAt = n.UpdatedAt
	}
	return s.commitUpdate(ctx, actor, ActionReopen, c, n, Write{})
}

// checkCorrectionReason: every correction says why, under the text rule
// of every reason.
func checkCorrectionReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", errs.Invalid("reason", "required", "a correction records why it is made")
	}
	return reason, casework.CheckText("reason", reason, 1000)
}
