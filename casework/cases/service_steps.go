package cases

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Step names one of the five paired steps of 五快五同步. Each is one
// operation that does both halves or neither.
type Step string

// The five steps, in their usual order.
const (
	StepDispatchFile Step = "dispatch_file"  // 快处警·同步立案
	StepSurvey       Step = "survey_compare" // 快勘查·同步比对
	StepAnalyse      Step = "analyse_share"  // 快研判·同步共享
	StepArrest       Step = "arrest_recover" // 快抓捕·同步挽损
	StepReview       Step = "review_track"   // 快倒查·同步跟踪
)

// Steps lists the five steps in order.
var Steps = []Step{StepDispatchFile, StepSurvey, StepAnalyse, StepArrest, StepReview}

// StepStates returns the states a step is allowed in. Survey, analysis and
// review happen once; arrests may follow one another (the first solves the
// case).
func StepStates(step Step) []State {
	switch step {
	case StepDispatchFile:
		return []State{StateReported}
	case StepSurvey, StepAnalyse:
		return []State{StateFiled, StateInvestigating}
	case StepArrest:
		return []State{StateFiled, StateInvestigating, StateSolved}
	case StepReview:
		return []State{StateSolved}
	}
	return nil
}

// DoneAt returns when a step happened (its event time, e.g. the dispatch
// time, not when it was typed in), and whether it has.
func (c Case) DoneAt(step Step) (time.Time, bool) {
	switch step {
	case StepDispatchFile:
		if c.Dispatch != nil {
			return c.Dispatch.At, true
		}
	case StepSurvey:
		if c.Survey != nil {
			return c.Survey.At, true
		}
	case StepAnalyse:
		if c.Analysis != nil {
			return c.Analysis.At, true
		}
	case StepArrest:
		if len(c.Arrests) > 0 {
			return c.Arrests[0].At, true
		}
	case StepReview:
		if c.Review != nil {
			return c.Review.At, true
		}
	}
	return time.Time{}, false
}

// stepAt defaults an event time to now and checks it lies between the
// report and now: a step cannot precede the report it answers.
func stepAt(f *errs.Fields, field string, at, reported, now time.Time) time.Time {
	at = casework.Truncate(at)
	if at.IsZero() {
		at = now
	}
	if at.After(now) {
		f.Add(field, "past", "may not be in the future")
	}
	if at.Before(reported) {
		f.Add(field, "after_report", "may not be before the case was reported")
	}
	return at
}

// DispatchInput records 快处警: when officers were dispatched and who.
type DispatchInput struct {
	At       time.Time `json:"at"`                       // default now
	Officers []string  `json:"officers" validate:"line"` // staff ids; default the actor
	Note     string    `json:"note" validate:"max=1000"`
}

// DispatchAndFile records the dispatch and files the case (快处警·同步立案) in
// one transaction, assigning the case number <unit code>-<year>-<sequence>
// of the owning unit and the filing year in the deployment zone. If any
// part fails nothing is recorded and no number is used.
func (s *Service) DispatchAndFile(ctx context.Context, actor casework.Actor, id string, version int64, in DispatchInput) (Case, error) {
	c, err := s.loadFor(ctx, actor, id, version, ActionDispatchFile, StepStates(StepDispatchFile), StateFiled)
	if err != nil {
		return Case{}, err
	}
	if err := checkTransition(c.State, StateFiled); err != nil {
		return Case{}, err
	}
	now := s.k.Now()
	var f errs.Fields
	f.Merge("", s.k.Validate(in))
	at := stepAt(&f, "at", in.At, c.ReportedAt, now)
	officers := slices.Clone(in.Officers)
	if len(officers) == 0 {
		officers = []string{actor.StaffID}
	}
	for i, o := range officers {
		// An officer out of reach answers as one that does not exist.
		ok, err := s.k.RefInReach(ctx, actor, "staff", o)
		if err != nil {
			return Case{}, err
		}
		if st, err := s.k.Store().GetStaff(ctx, o); !ok || err != nil || !st.Active {
			f.Add("officers["+strconv.Itoa(i)+"]", "exists", "no active staff member %q in reach", o)
		}
	}
	if err := f.Err(); err != nil {
		return Case{}, err
	}
	unit, err := s.k.Store().GetUnit(ctx, c.UnitID)
	if err != nil {
		return Case{}, err
	}
	year := FilingYear(now, s.k.Zone())
	filed, err := s.store.FileCase(ctx, NumberKey{UnitID: c.UnitID, Year: year}, func(seq int64) (Case, casework.Change, error) {
		number, err := FormatNumber(unit.Code, year, seq)
		if err != nil {
			return Case{}, casework.Change{}, err
		}
		n := s.next(c)
		n.Number, n.FiledAt = number, now
		n.Dispatch = &DispatchStep{At: at, Officers: officers, Note: strings.TrimSpace(in.Note), FiledBy: actor.StaffID, RecordedAt: now}
		n.transition(StateFiled, actor, ActionDispatchFile, "", now)
		before := c
		before.SharedWith = nil
		ch, err := s.k.Change(ctx, actor, ActionDispatchFile, RecordCase, c.ID, before, n)
		return n, ch, err
	})
	if err != nil {
		return Case{}, err
	}
	return s.withShares(ctx, filed)
}

// SurveyInput records 快勘查: what the scene survey found.
type SurveyInput struct {
	At                 time.Time             `json:"at"`
	Identifiers        []casework.Identifier `json:"identifiers" validate:"max=50"`
	Description        string                `json:"description" validate:"max=2000"`
	ModusOperandi      string                `json:"modusOperandi" validate:"max=500"`
	SuspectDescription string                `json:"suspectDescription" validate:"max=1000"`
}

// Survey records the scene survey and at once compares what it found
// (快勘查·同步比对) — identifiers, descriptions, modus operandi — against the
// recovered-property register (the connected PropertyLedger) and against
// the open cases in the actor's reach. The matches are stored on the case
// and returned with it. A filed case moves to investigating. If the
// comparison fails, nothing is recorded.
func (s *Service) Survey(ctx context.Context, actor casework.Actor, id string, version int64, in SurveyInput) (Case, error) {
	c, err := s.loadFor(ctx, actor, id, version, ActionSurvey, StepStates(StepSurvey), StateInvestigating)
	if err != nil {
		return Case{}, err
	}
	if c.Survey != nil {
		return Case{}, errs.Transition(string(c.State), string(c.State), "the scene survey is recorded already")
	}
	now := s.k.Now()
	var f errs.Fields
	f.Merge("", s.k.Validate(in))
	checkIdentifiers(&f, "identifiers", in.Identifiers)
	at := stepAt(&f, "at", in.At, c.ReportedAt, now)
	if len(in.Identifiers) == 0 && strings.TrimSpace(in.Description) == "" && strings.TrimSpace(in.ModusOperandi) == "" &&
		strings.TrimSpace(in.SuspectDescription) == "" {
		f.Add("description", "required", "a survey records at least one finding to compare")
	}
	if err := f.Err(); err != nil {
		return Case{}, err
	}
	n := s.next(c)
	n.Survey = &SurveyStep{At: at, Identifiers: slices.Clone(in.Identifiers), Description: strings.TrimSpace(in.Description),
		ModusOperandi: strings.TrimSpace(in.ModusOperandi), SuspectDescription: strings.TrimSpace(in.SuspectDescription),
		By: actor.StaffID, RecordedAt: now}
	if n.Survey.ModusOperandi != "" {
		n.ModusOperandi = n.Survey.ModusOperandi
	}
	matches, err := s.compare(ctx, actor, n)
	if err != nil {
		return Case{}, err
	}
	n.Survey.Matches = matches
	if c.State == StateFiled {
		n.transition(StateInvestigating, actor, ActionSurvey, "scene survey", now)
	}
	return s.commitUpdate(ctx, actor, ActionSurvey, c, n, Write{})
}

// ShareInput names a unit to share a case with and why.
type ShareInput struct {
	UnitID string `json:"unitId" validate:"required,line"`
	Reason string `json:"reason" validate:"max=500"`
	// Until ends the share by itself; zero: until revoked.
	Until time.Time `json:"until,omitzero"`
}

// AnalysisInput records 快研判 and the units to share the case with.
type AnalysisInput struct {
	At        time.Time    `json:"at"`
	Findings  string       `json:"findings" validate:"required,max=4000"`
	ShareWith []ShareInput `json:"shareWith" validate:"required,min=1,max=50,dive"`
}

// AnalyseAndShare records the analysis and shares the case with the named
// units (快研判·同步共享) in one transaction: each share is a kernel share
// (read access, audited, revocable with Unshare). If any share is refused,
// nothing is recorded.
func (s *Service) AnalyseAndShare(ctx context.Context, actor casework.Actor, id string, version int64, in AnalysisInput) (Case, error) {
	c, err := s.loadFor(ctx, actor, id, version, ActionAnalyseShare, StepStates(StepAnalyse), "")
	if err != nil {
		return Case{}, err
	}
	if c.Analysis != nil {
		return Case{}, errs.Transition(string(c.State), string(c.State), "the analysis is recorded already")
	}
	now := s.k.Now()
	var f errs.Fields
	f.Merge("", s.k.Validate(in))
	at := stepAt(&f, "at", in.At, c.ReportedAt, now)
	seen := map[string]bool{}
	for i, sh := range in.ShareWith {
		p := "shareWith[" + strconv.Itoa(i) + "].unitId"
		if seen[sh.UnitID] {
			f.Add(p, "unique", "unit %q is named twice", sh.UnitID)
		}
		seen[sh.UnitID] = true
		if slices.Contains(c.SharedWith, sh.UnitID) {
			f.Add(p, "unique", "the case is shared with unit %q already", sh.UnitID)
		}
	}
	if err := f.Err(); err != nil {
		return Case{}, err
	}
	n := s.next(c)
	n.Analysis = &AnalysisStep{At: at, Findings: strings.TrimSpace(in.Findings), By: actor.StaffID, RecordedAt: now}
	t := casework.Target{RecordType: RecordCase, RecordID: c.ID, UnitID: c.UnitID, SharedWith: c.SharedWith}
	// The shares and their audit records, committed after the case's own
	// entry in the same transaction (Change.Shares).
	var shares casework.Change
	for i, sh := range in.ShareWith {
		share, err := s.k.PrepareShare(ctx, actor, t, sh.UnitID, strings.TrimSpace(sh.Reason), sh.Until, &shares)
		if err != nil {
			if !errors.Is(err, errs.ErrInvalid) {
				return Case{}, err
			}
			var fe errs.Fields
			fe.Merge("shareWith["+strconv.Itoa(i)+"].", err)
			return Case{}, fe.Err()
		}
		n.Analysis.Shares = append(n.Analysis.Shares, ShareTo{ShareID: share.ID, UnitID: share.UnitID, Reason: share.Reason})
	}
	before := c
	before.SharedWith = nil
	ch, err := s.k.Change(ctx, actor, ActionAnalyseShare, RecordCase, c.ID, before, n)
	if err != nil {
		return Case{}, err
	}
	ch.Audit = append(ch.Audit, shares.Audit...)
	ch.Shares = shares.Shares
	ch.Outbox = append(ch.Outbox, shares.Outbox...) // the receiving units' notices
	if err := s.store.CommitCases(ctx, Write{Cases: []Case{n}}, ch); err != nil {
		return Case{}, err
	}
	return s.withShares(ctx, n)
}

// Unshare revokes a share of a case (through Kernel.RevokeShare, audited
// with the reason): the unit loses read access at once; the share stays in
// the history.
func (s *Service) Unshare(ctx context.Context, actor casework.Actor, caseID, shareID, reason string) (casework.Share, error) {
	c, err := s.load(ctx, actor, caseID, ActionAnalyseShare)
	if err != nil {
		return casework.Share{}, err
	}
	sh, err := s.k.Store().GetShare(ctx, shareID)
	if err != nil {
		return casework.Share{}, err
	}
	if sh.RecordType != RecordCase || sh.RecordID != c.ID {
		return casework.Share{}, errs.NotFound("share", shareID)
	}
	return s.k.RevokeShare(ctx, actor, shareID, reason)
}

// Shares returns every share of a case, revoked ones included.
func (s *Service) Shares(ctx context.Context, actor casework.Actor, caseID string) ([]casework.Share, error) {
	c, err := s.load(ctx, actor, caseID, ActionRead)
	if err != nil {
		return nil, err
	}
	return s.k.Store().ListShares(ctx, RecordCase, c.ID)
}

// ArrestInput records one arrest.
type ArrestInput struct {
	SuspectID string    `json:"suspectId" validate:"required,line"`
	At        time.Time `json:"at"`
	Place     string    `json:"place" validate:"max=300"`
	AddressID string    `json:"addressId" validate:"line"`
}

// Arrest records an arrest and marks every stolen item of the case as being
// traced, linked to the arrest (快抓捕·同步挽损), in one transaction: the
// marks go to recovery through the outbox (KindTraceItems, step
// "arrest/<arrest id>"), delivered at least once and received once. The
// first arrest solves a filed or investigating case.
func (s *Service) Arrest(ctx context.Context, actor casework.Actor, id string, version int64, in ArrestInput) (Case, error) {
	c, err := s.loadFor(ctx, actor, id, version, ActionArrest, StepStates(StepArrest), StateSolved)
	if err != nil {
		return Case{}, err
	}
	now := s.k.Now()
	var f errs.Fields
	f.Merge("", s.k.Validate(in))
	at := stepAt(&f, "at", in.At, c.ReportedAt, now)
	if c.Dispatch != nil && at.Before(c.Dispatch.At) {
		f.Add("at", "after_dispatch", "may not be before the case was dispatched and filed")
	}
	if err := s.checkRefs(ctx, actor, &f, "person", "suspectId", nonEmpty(in.SuspectID)); err != nil {
		return Case{}, err
	}
	if err := s.checkRefs(ctx, actor, &f, "address", "addressId", nonEmpty(in.AddressID)); err != nil {
		return Case{}, err
	}
	if err := f.Err(); err != nil {
		return Case{}, err
	}
	n := s.next(c)
	a := Arrest{ID: s.k.NewID(), SuspectID: in.SuspectID, At: at, Place: strings.TrimSpace(in.Place), AddressID: in.AddressID,
		By: actor.StaffID, RecordedAt: now}
	for i := range n.Items {
		n.Items[i].TracedBy = append(n.Items[i].TracedBy, a.ID)
		a.ItemIDs = append(a.ItemIDs, n.Items[i].ItemID)
	}
	n.Arrests = append(n.Arrests, a)
	if !slices.Contains(n.SuspectIDs, a.SuspectID) {
		n.SuspectIDs = append(n.SuspectIDs, a.SuspectID)
	}
	if c.State != StateSolved {
		// A case is never solved before it is filed, in any period: an
		// arrest made on the spot, before the filing was recorded, solves
		// the case when it is filed.
		n.SolvedAt = at
		if at.Before(c.FiledAt) {
			n.SolvedAt = c.FiledAt
		}
		n.transition(StateSolved, actor, ActionArrest, "first arrest", now)
	}
	var msgs []casework.OutboxMessage
	if len(a.ItemIDs) > 0 {
		src := casework.Source{Kind: RecordCase, ID: c.ID, Step: "arrest/" + a.ID}
		msg, err := s.k.NewOutboxMessage(casework.KindTraceItems, src, casework.TraceItems{Source: src, Actor: actor, CaseID: c.ID, ArrestID: a.ID,
			ItemIDs: slices.Clone(a.ItemIDs), At: at})
		if err != nil {
			return Case{}, err
		}
		msgs = append(msgs, msg)
	}
	return s.commitUpdate(ctx, actor, ActionArrest, c, n, Write{}, msgs...)
}

// LinkInput names a case to keep tracking and why.
type LinkInput struct {
	CaseID string `json:"caseId" validate:"required,line"`
	Reason string `json:"reason" validate:"required,line,oneof=same_suspect same_pattern"`
	Note   string `json:"note" validate:"max=500"`
}

// ReviewInput records 快倒查 and the cases to keep tracking.
type ReviewInput struct {
	At       time.Time   `json:"at"`
	Findings string      `json:"findings" validate:"required,max=4000"`
	Links    []LinkInput `json:"links" validate:"max=100,dive"`
}

// Review records the review after solving and links the other cases it
// found — same suspect, same pattern — to keep tracking them
// (快倒查·同步跟踪), in one transaction. Every linked case must exist in the
// actor's reach (or be shared with the actor's unit); if one is not, nothing
// is recorded.
func (s *Service) Review(ctx context.Context, actor casework.Actor, id string, version int64, in ReviewInput) (Case, error) {
	c, err := s.loadFor(ctx, actor, id, version, ActionReview, StepStates(StepReview), "")
	if err != nil {
		return Case{}, err
	}
	if c.Review != nil {
		return Case{}, errs.Transition(string(c.State), string(c.State), "the review is recorded already")
	}
	now := s.k.Now()
	var f errs.Fields
	f.Merge("", s.k.Validate(in))
	at := stepAt(&f, "at", in.At, c.ReportedAt, now)
	seen := map[string]bool{}
	for i, l := range in.Links {
		p := "links[" + strconv.Itoa(i) + "].caseId"
		switch {
		case l.CaseID == c.ID:
			f.Add(p, "other_case", "a case is not linked to itself")
		case seen[l.CaseID]:
			f.Add(p, "unique", "case %q is linked twice", l.CaseID)
		case l.CaseID != "":
			if _, err := s.load(ctx, actor, l.CaseID, ActionRead); notFound(err) {
				f.Add(p, "exists", "no case %q in reach", l.CaseID)
			} else if err != nil {
				return Case{}, err
			}
		}
		seen[l.CaseID] = true
	}
	if err := f.Err(); err != nil {
		return Case{}, err
	}
	n := s.next(c)
	n.Review = &ReviewStep{At: at, Findings: strings.TrimSpace(in.Findings), By: actor.StaffID, RecordedAt: now}
	for _, l := range in.Links {
		n.Review.Links = append(n.Review.Links, Link{CaseID: l.CaseID, Reason: l.Reason, Note: strings.TrimSpace(l.Note)})
	}
	return s.commitUpdate(ctx, actor, ActionReview, c, n, Write{})
}
