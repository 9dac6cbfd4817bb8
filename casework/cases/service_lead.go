package cases

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// IntakeLead receives a lead found on an outreach visit (outreach's
// LeadIntake; New also registers it as the receiver of
// KindLeadFinding hand-offs). It acts as the finding's actor and is
// idempotent on f.Source: a repeated delivery returns the first lead's id
// and creates nothing. The lead keeps f.Source, and outreach records the
// returned id, so the link is kept both ways.
func (s *Service) IntakeLead(ctx context.Context, f casework.LeadFinding) (string, error) {
	return s.k.ReceiveOnce(ctx, f.Source, RecordLead, func(in *casework.InboxEntry) (string, error) {
		if err := s.k.UnitInReach(ctx, f.Actor, f.UnitID); err != nil {
			return "", err
		}
		if err := s.k.AuthorizeHandoff(ctx, f.Actor, ActionLeadCreate, casework.Target{RecordType: RecordLead, UnitID: f.UnitID}); err != nil {
			return "", err
		}
		// The finding's Source is kept as outreach named it; the lead is
		// one from a visit whatever the sender calls its record type.
		l, err := s.checkLead(ctx, f.Actor, LeadInput{UnitID: f.UnitID, SourceKind: LeadFromVisit, Summary: f.Summary,
			AddressID: f.AddressID, PersonIDs: f.PersonIDs, FoundAt: f.FoundAt}, f.Source)
		if err != nil {
			return "", err
		}
		ch, err := s.k.Change(ctx, f.Actor, ActionLeadCreate, RecordLead, l.ID, nil, l)
		if err != nil {
			return "", err
		}
		in.RecordID = l.ID
		ch.Inbox = in
		if err := s.store.CommitCases(ctx, Write{NewLeads: []Lead{l}}, ch); err != nil {
			return "", err
		}
		return l.ID, nil
	})
}

// LeadInput records a lead directly: a tip, or a lead raised from a case.
type LeadInput struct {
	UnitID     string    `json:"unitId" validate:"required,line"`
	SourceKind string    `json:"sourceKind" validate:"required,line,oneof=tip case visit"`
	SourceID   string    `json:"sourceId" validate:"line,max=100"` // the case id for a lead from a case
	Summary    string    `json:"summary" validate:"required,max=2000"`
	AddressID  string    `json:"addressId" validate:"line"`
	PersonIDs  []string  `json:"personIds" validate:"line,max=50,dive,required"`
	FoundAt    time.Time `json:"foundAt"` // default now
	RequestKey string    `json:"-"`
}

// CreateLead records a lead. A lead from a case (SourceKind "case") is
// listed on that case in the same transaction, so the link is kept both
// ways; the actor must be able to change that case.
func (s *Service) CreateLead(ctx context.Context, actor casework.Actor, in LeadInput) (Lead, error) {
	if err := s.k.UnitInReach(ctx, actor, in.UnitID); err != nil {
		return Lead{}, err
	}
	if err := s.k.Authorize(ctx, actor, ActionLeadCreate, casework.Target{RecordType: RecordLead, UnitID: in.UnitID}); err != nil {
		return Lead{}, err
	}
	var src Case
	if in.SourceKind == LeadFromCase {
		if in.SourceID == "" {
			return Lead{}, errs.Invalid("sourceId", "required", "a lead from a case names the case")
		}
		c, err := s.load(ctx, actor, in.SourceID, ActionLeadCreate)
		if err != nil {
			return Lead{}, err
		}
		src = c
	}
	return casework.CreateOnce(ctx, s.k, actor, in.RequestKey, in, func(rk *casework.RequestKey) (Lead, error) {
		l, err := s.checkLead(ctx, actor, in, casework.Source{Kind: in.SourceKind, ID: in.SourceID})
		if err != nil {
			return Lead{}, err
		}
		ch, err := s.k.Change(ctx, actor, ActionLeadCreate, RecordLead, l.ID, nil, l)
		if err != nil {
			return Lead{}, err
		}
		w := Write{NewLeads: []Lead{l}}
		if src.ID != "" {
			n := s.next(src)
			n.LeadIDs = append(n.LeadIDs, l.ID)
			before := src
			before.SharedWith = nil
			rec, err := s.k.AuditRecord(ctx, actor, ActionLeadCreate, RecordCase, src.ID, before, n)
			if err != nil {
				return Lead{}, err
			}
			ch.Audit = append(ch.Audit, rec)
			w.Cases = []Case{n}
		}
		if err := ch.Keyed(rk, RecordLead, l.ID, l); err != nil {
			return Lead{}, err
		}
		if err := s.store.CommitCases(ctx, w, ch); err != nil {
			return Lead{}, err
		}
		return l, nil
	})
}

// checkLead validates a lead and builds it in state new.
func (s *Service) checkLead(ctx context.Context, actor casework.Actor, in LeadInput, src casework.Source) (Lead, error) {
	in.Summary = strings.TrimSpace(in.Summary)
	if in.SourceKind == "" {
		in.SourceKind = src.Kind
	}
	now := s.k.Now()
	var f errs.Fields
	f.Merge("", s.k.Validate(in))
	if src.Kind == "" {
		f.Add("source.kind", "required", "a lead names where it came from")
	}
	found := casework.Truncate(in.FoundAt)
	if found.IsZero() {
		found = now
	}
	if found.After(now) {
		f.Add("foundAt", "past", "may not be in the future")
	}
	if err := s.checkRefs(ctx, actor, &f, "address", "addressId", nonEmpty(in.AddressID)); err != nil {
		return Lead{}, err
	}
	if err := s.checkRefs(ctx, actor, &f, "person", "personIds", in.PersonIDs); err != nil {
		return Lead{}, err
	}
	if err := f.Err(); err != nil {
		return Lead{}, err
	}
	l := Lead{ID: s.k.NewID(), UnitID: in.UnitID, Source: src, Summary: in.Summary, AddressID: in.AddressID,
		PersonIDs: slices.Clone(in.PersonIDs), FoundAt: found, FoundBy: actor.StaffID, State: LeadNew,
		Version: 1, CreatedAt: now, UpdatedAt: now}
	l.History = []Transition{{To: string(LeadNew), At: now, ActorID: actor.StaffID, Action: string(ActionLeadCreate)}}
	return l, nil
}

// GetLead returns a lead in the actor's reach.
func (s *Service) GetLead(ctx context.Context, actor casework.Actor, id string) (Lead, error) {
	return s.loadLead(ctx, actor, id, ActionRead)
}

func (s *Service) loadLead(ctx context.Context, actor casework.Actor, id string, action casework.Action) (Lead, error) {
	l, err := s.store.GetLead(ctx, id)
	if err != nil {
		return Lead{}, err
	}
	if err := s.k.Check(ctx, actor, action, casework.Target{RecordType: RecordLead, RecordID: id, UnitID: l.UnitID}); err != nil {
		return Lead{}, err
	}
	return l, nil
}

func (s *Service) leadFor(ctx context.Context, actor casework.Actor, id string, version int64, action casework.Action) (Lead, error) {
	l, err := s.loadLead(ctx, actor, id, action)
	if err != nil {
		return Lead{}, err
	}
	if l.Version != version {
		return Lead{}, errs.Stale(RecordLead, id, version)
	}
	return l, nil
}

// VerifyLead confirms a new lead is worth a case.
func (s *Service) VerifyLead(ctx context.Context, actor casework.Actor, id string, version int64, note string) (Lead, error) {
	if err := casework.CheckText("note", note, 1000); err != nil {
		return Lead{}, err
	}
	l, err := s.leadFor(ctx, actor, id, version, ActionLeadVerify)
	if err != nil {
		return Lead{}, err
	}
	n := s.nextLead(l)
	if err := n.transition(LeadVerified, actor, ActionLeadVerify, strings.TrimSpace(note), s.k.Now()); err != nil {
		return Lead{}, err
	}
	if err := s.commitLead(ctx, actor, ActionLeadVerify, l, n, Write{}); err != nil {
		return Lead{}, err
	}
	return n, nil
}

// DiscardLead drops a lead that is not worth a case; it needs a reason.
func (s *Service) DiscardLead(ctx context.Context, actor casework.Actor, id string, version int64, reason string) (Lead, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 1000 {
		return Lead{}, errs.Invalid("reason", "required", "discarding a lead needs a reason of at most 1000 bytes")
	}
	if err := casework.CheckText("reason", reason, 1000); err != nil {
		return Lead{}, err
	}
	l, err := s.leadFor(ctx, actor, id, version, ActionLeadDiscard)
	if err != nil {
		return Lead{}, err
	}
	n := s.nextLead(l)
	if err := n.transition(LeadDiscarded, actor, ActionLeadDiscard, reason, s.k.Now()); err != nil {
		return Lead{}, err
	}
	n.DiscardReason = reason
	if err := s.commitLead(ctx, actor, ActionLeadDiscard, l, n, Write{}); err != nil {
		return Lead{}, err
	}
	return n, nil
}

// ConvertLead turns a verified lead into a reported case, in one
// transaction: the case names the lead (LeadID) and the lead names the case
// (CaseID). The case is reported exactly as Report does, stolen items and
// their hand-off to recovery included. in.UnitID defaults to the lead's.
func (s *Service) ConvertLead(ctx context.Context, actor casework.Actor, id string, version int64, in ReportInput) (Case, Lead, error) {
	l, err := s.leadFor(ctx, actor, id, version, ActionLeadConvert)
	if err != nil {
		return Case{}, Lead{}, err
	}
	if !CanTransitionLead(l.State, LeadConverted) {
		return Case{}, Lead{}, errs.Transition(string(l.State), string(LeadConverted), "only a verified lead becomes a case")
	}
	if in.UnitID == "" {
		in.UnitID = l.UnitID
	}
	in.normalize()
	if err := s.k.UnitInReach(ctx, actor, in.UnitID); err != nil {
		return Case{}, Lead{}, err
	}
	if err := s.k.Authorize(ctx, actor, ActionReport, casework.Target{RecordType: RecordCase, UnitID: in.UnitID}); err != nil {
		return Case{}, Lead{}, err
	}
	if err := s.checkReportInput(ctx, actor, in); err != nil {
		return Case{}, Lead{}, err
	}
	c, ch, err := s.newCase(ctx, actor, in, l.ID)
	if err != nil {
		return Case{}, Lead{}, err
	}
	n := s.nextLead(l)
	if err := n.transition(LeadConverted, actor, ActionLeadConvert, "case "+c.ID, s.k.Now()); err != nil {
		return Case{}, Lead{}, err
	}
	n.CaseID = c.ID
	rec, err := s.k.AuditRecord(ctx, actor, ActionLeadConvert, RecordLead, l.ID, l, n)
	if err != nil {
		return Case{}, Lead{}, err
	}
	ch.Audit = append(ch.Audit, rec)
	if err := s.store.CommitCases(ctx, Write{NewCases: []Case{c}, Leads: []Lead{n}}, ch); err != nil {
		return Case{}, Lead{}, err
	}
	return c, n, nil
}

func (s *Service) nextLead(l Lead) Lead {
	n := l.Clone()
	n.Version, n.UpdatedAt = l.Version+1, s.k.Now()
	return n
}

func (s *Service) commitLead(ctx context.Context, actor casework.Actor, action casework.Action, before, after Lead, w Write) error {
	ch, err := s.k.Change(ctx, actor, action, RecordLead, after.ID, before, after)
	if err != nil {
		return err
	}
	w.Leads = append(w.Leads, after)
	return s.store.CommitCases(ctx, w, ch)
}

// LeadQuery searches leads in a unit subtree of the actor's reach.
type LeadQuery struct {
	UnitID     string
	States     []LeadState
	SourceKind string
	FoundFrom  time.Time
	FoundTo    time.Time
	Page       casework.Page
}

// ListLeads searches leads in the actor's subtree, ordered by (CreatedAt,
// ID), and returns the cursor of the next page.
func (s *Service) ListLeads(ctx context.Context, actor casework.Actor, q LeadQuery) ([]Lead, string, error) {
	if err := s.k.UnitInReach(ctx, actor, q.UnitID); err != nil {
		return nil, "", err
	}
	if err := s.k.Authorize(ctx, actor, ActionRead, casework.Target{}); err != nil {
		return nil, "", err
	}
	path, err := s.k.Scope(ctx, actor, q.UnitID)
	if err != nil {
		return nil, "", err
	}
	p := q.Page.Normalize()
	rows, err := s.store.ListLeads(ctx, LeadFilter{UnitUnder: path, States: q.States, SourceKind: q.SourceKind,
		FoundFrom: casework.Truncate(q.FoundFrom), FoundTo: casework.Truncate(q.FoundTo)}, casework.Page{Limit: p.Limit + 1, After: p.After})
	if err != nil {
		return nil, "", err
	}
	rows, next := casework.PageOf(rows, p.Limit, func(l Lead) casework.Cursor { return casework.Cursor{At: l.CreatedAt, ID: l.ID} })
	return rows, next, nil
}
