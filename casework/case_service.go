package casework

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// CaseConfig tunes a CaseService. A nil *CaseConfig, and every zero field,
// means the default.
type CaseConfig struct {
	// Targets are the target durations of the five steps, measured from the
	// report (default: DefaultCaseTargets).
	Targets CaseTargets
}

// CaseService runs the small property-crime case workflow (五快五同步) and
// its leads. It is the only way to change a case: every method checks the
// actor with Kernel.Authorize, validates, enforces the state machine and the
// pairing of the five steps, and commits the record with its audit entry
// (and any hand-off) in one transaction.
//
// A case moves reported → filed → investigating → solved → closed, or to
// dropped: from reported that is 不立案 and uses no case number, from filed
// or investigating it is 撤案 and keeps the number. The five paired steps
// are single operations, each allowed only in the states StepStates lists:
//
//   - DispatchAndFile (快处警·同步立案): reported → filed, numbering the case;
//   - Survey (快勘查·同步比对): records the scene survey and compares it with
//     the property register and open cases; filed → investigating;
//   - AnalyseAndShare (快研判·同步共享): records the analysis and shares the
//     case read-only with named units;
//   - Arrest (快抓捕·同步挽损): records an arrest and marks every stolen item
//     traced through the outbox; the first arrest solves the case;
//   - Review (快倒查·同步跟踪): after solving, records the review and links
//     cases to keep tracking.
//
// StartInvestigation moves filed → investigating without a survey; Close
// closes a solved case; Drop needs a reason and a supervisor. Leads (线索)
// move new → verified → converted (into a linked case) or discarded with a
// reason.
//
// Who may do what is the policy: officers, community officers and
// supervisors report, run the steps, close and handle leads; only
// supervisors drop; every role reads within its reach; a unit a case is
// shared with reads it and nothing more. Every change appends an audit entry
// in its transaction (case.report, case.dispatch_file, case.start,
// case.survey, case.analyse_share with one record.share per share,
// case.arrest, case.review, case.drop, case.close, case.handoff for
// recovery's answers, lead.create, lead.verify, lead.convert,
// lead.discard), and each state change is also kept in the record's
// History with its actor, time and reason.
type CaseService struct {
	k       *Kernel
	store   CaseStore
	targets CaseTargets

	mu     sync.RWMutex
	ledger PropertyLedger
}

// NewCaseService builds the case workflow on a kernel and a CaseStore built
// on the kernel's database. It adds the workflow's default policy rows and
// the case_kind code list (an integrator's overrides win), registers the
// case figures with the kernel's report, the write-backs of its hand-offs to
// recovery, and itself as the receiver of leads found on outreach visits
// (KindLeadFinding).
func NewCaseService(k *Kernel, store CaseStore, cfg *CaseConfig) (*CaseService, error) {
	if k == nil || store == nil {
		return nil, errors.New("casework: NewCaseService needs a kernel and a store")
	}
	if cfg == nil {
		cfg = &CaseConfig{}
	}
	targets, err := cfg.Targets.withDefaults()
	if err != nil {
		return nil, err
	}
	staff := []Role{RoleOfficer, RoleCommunityOfficer, RoleSupervisor}
	write := func(a Action) Rule { return Rule{Action: a, Kind: KindWrite, Roles: staff} }
	if err := k.Policy().Default(
		write(ActionCaseReport), write(ActionCaseDispatchFile), write(ActionCaseStart), write(ActionCaseSurvey),
		write(ActionCaseAnalyseShare), write(ActionCaseArrest), write(ActionCaseReview), write(ActionCaseClose),
		// Dropping a case (不立案 or 撤案) needs a supervisor's decision.
		Rule{Action: ActionCaseDrop, Kind: KindApprove, Roles: []Role{RoleSupervisor}},
		write(ActionLeadCreate), write(ActionLeadVerify), write(ActionLeadConvert), write(ActionLeadDiscard),
	); err != nil {
		return nil, err
	}
	k.Codes().Default(caseKindCodes())
	s := &CaseService{k: k, store: store, targets: targets}
	k.RegisterFigures(s)
	k.RegisterWriteback(KindStolenItems, s.recordHandoff)
	k.RegisterWriteback(KindTraceItems, s.recordHandoff)
	k.RegisterReceiver(KindLeadFinding, Receive(s.IntakeLead))
	return s, nil
}

// Targets returns the step targets in force.
func (s *CaseService) Targets() CaseTargets { return s.targets }

// CaseInput reports a case.
type CaseInput struct {
	UnitID        string      `json:"unitId" validate:"required"`
	Kind          string      `json:"kind" validate:"required"`
	Summary       string      `json:"summary" validate:"max=2000"`
	IncidentAt    time.Time   `json:"incidentAt" validate:"required"`
	AddressID     string      `json:"addressId"`
	Place         string      `json:"place" validate:"max=300"`
	ReporterID    string      `json:"reporterId"`
	VictimIDs     []string    `json:"victimIds" validate:"dive,required"`
	SuspectIDs    []string    `json:"suspectIds" validate:"dive,required"`
	ModusOperandi string      `json:"modusOperandi" validate:"max=500"`
	Items         []ItemInput `json:"items" validate:"max=200,dive"`
	// ReportedAt is when the report was received; default now.
	ReportedAt time.Time `json:"reportedAt"`
	RequestKey string    `json:"-"`
}

// ItemInput is a stolen item as reported.
type ItemInput struct {
	Category    string       `json:"category" validate:"required,max=64"`
	Description string       `json:"description" validate:"required,max=500"`
	Identifiers []Identifier `json:"identifiers" validate:"max=20"`
	Quantity    int          `json:"quantity" validate:"min=0"`
	ValueFen    int64        `json:"valueFen" validate:"min=0"`
	// ValueConfirmed confirms a very large value, which recovery refuses
	// otherwise.
	ValueConfirmed bool   `json:"valueConfirmed,omitempty"`
	OwnerPersonID  string `json:"ownerPersonId"`
}

// Report records a reported case. Its stolen items get ids now and are
// handed to recovery through the outbox in the same transaction
// (KindStolenItems), so that a found e-bike can be matched to its theft
// before anyone is arrested. A repeat with the same RequestKey returns the
// first case.
func (s *CaseService) Report(ctx context.Context, actor Actor, in CaseInput) (Case, error) {
	in.normalize()
	if err := s.k.Authorize(ctx, actor, ActionCaseReport, Target{RecordType: RecordCase, UnitID: in.UnitID}); err != nil {
		return Case{}, err
	}
	if err := s.checkCaseInput(ctx, in); err != nil {
		return Case{}, err
	}
	return CreateOnce(ctx, s.k, actor, in.RequestKey, in, func(rk *RequestKey) (Case, error) {
		c, ch, err := s.newCase(ctx, actor, in, "")
		if err != nil {
			return Case{}, err
		}
		if err := ch.Keyed(rk, RecordCase, c.ID, c); err != nil {
			return Case{}, err
		}
		if err := s.store.CommitCases(ctx, CaseWrite{NewCases: []Case{c}}, ch); err != nil {
			return Case{}, err
		}
		return c, nil
	})
}

func (in *CaseInput) normalize() {
	in.Summary, in.Place, in.ModusOperandi = strings.TrimSpace(in.Summary), strings.TrimSpace(in.Place), strings.TrimSpace(in.ModusOperandi)
	in.IncidentAt, in.ReportedAt = Truncate(in.IncidentAt), Truncate(in.ReportedAt)
	for i := range in.Items {
		in.Items[i].Category = strings.TrimSpace(in.Items[i].Category)
		in.Items[i].Description = strings.TrimSpace(in.Items[i].Description)
		if in.Items[i].Quantity == 0 {
			in.Items[i].Quantity = 1
		}
	}
}

// checkCaseInput validates a report: struct tags, the kind code, the place,
// and that every person and address it names exists.
func (s *CaseService) checkCaseInput(ctx context.Context, in CaseInput) error {
	var f errs.Fields
	f.Merge("", s.k.Validate(in))
	if in.Kind != "" {
		f.Merge("", s.k.Codes().Check("kind", CaseKindList, in.Kind))
	}
	if in.AddressID == "" && in.Place == "" {
		f.Add("place", "required", "a case needs an incident place: an address or a description")
	}
	now := s.k.Now()
	if in.IncidentAt.After(now) {
		f.Add("incidentAt", "past", "may not be in the future")
	}
	if !in.ReportedAt.IsZero() && (in.ReportedAt.After(now) || in.ReportedAt.Before(in.IncidentAt)) {
		f.Add("reportedAt", "between", "must lie between the incident and now")
	}
	if in.AddressID != "" {
		if _, err := s.k.store.GetAddress(ctx, in.AddressID); err != nil {
			f.Add("addressId", "exists", "no address %q", in.AddressID)
		}
	}
	s.checkPersons(ctx, &f, "reporterId", nonEmpty(in.ReporterID))
	s.checkPersons(ctx, &f, "victimIds", in.VictimIDs)
	s.checkPersons(ctx, &f, "suspectIds", in.SuspectIDs)
	for i, it := range in.Items {
		p := "items[" + itoa(i) + "]."
		s.checkPersons(ctx, &f, p+"ownerPersonId", nonEmpty(it.OwnerPersonID))
		f.Merge(p, s.k.Codes().CheckHandoffCode("category", ListPropertyCategory, it.Category))
		checkIdentifiers(&f, p+"identifiers", it.Identifiers)
	}
	return f.Err()
}

func nonEmpty(id string) []string {
	if id == "" {
		return nil
	}
	return []string{id}
}

// checkPersons records a field error for every id that names no person. A
// single id is reported under field itself, a list under field[i].
func (s *CaseService) checkPersons(ctx context.Context, f *errs.Fields, field string, ids []string) {
	for i, id := range ids {
		if id == "" {
			continue
		}
		if _, err := s.k.store.GetPerson(ctx, id); err != nil {
			name := field
			if !strings.HasSuffix(field, "Id") {
				name = field + "[" + itoa(i) + "]"
			}
			f.Add(name, "exists", "no person %q", id)
		}
	}
}

func checkIdentifiers(f *errs.Fields, field string, ids []Identifier) {
	for i, id := range ids {
		p := field + "[" + itoa(i) + "]"
		switch id.Kind {
		case "serial", "imei", "frame", "engine", "plate", "other":
		default:
			f.Add(p+".kind", "oneof", "must be one of serial imei frame engine plate other")
		}
		if identifierKey(id.Value) == "" || len(id.Value) > 100 {
			f.Add(p+".value", "required", "must be 1 to 100 bytes")
		}
	}
}

// newCase builds a reported case from validated input, with item ids and
// the outbox message that registers the items in recovery.
func (s *CaseService) newCase(ctx context.Context, actor Actor, in CaseInput, leadID string) (Case, Change, error) {
	now := s.k.Now()
	reported := in.ReportedAt
	if reported.IsZero() {
		reported = now
	}
	c := Case{ID: s.k.NewID(), UnitID: in.UnitID, Kind: in.Kind, State: CaseReported, Summary: in.Summary,
		IncidentAt: in.IncidentAt, AddressID: in.AddressID, Place: in.Place, ReporterID: in.ReporterID,
		VictimIDs: slices.Clone(in.VictimIDs), SuspectIDs: slices.Clone(in.SuspectIDs), ModusOperandi: in.ModusOperandi,
		LeadID: leadID, ReportedAt: reported, ReportedBy: actor.StaffID, Version: 1, CreatedAt: now, UpdatedAt: now}
	for _, it := range in.Items {
		c.Items = append(c.Items, CaseItem{ItemID: s.k.NewID(), Category: it.Category, Description: it.Description,
			Identifiers: slices.Clone(it.Identifiers), Quantity: it.Quantity, ValueFen: it.ValueFen, ValueConfirmed: it.ValueConfirmed,
			OwnerPersonID: it.OwnerPersonID})
	}
	c.History = []CaseTransition{{To: string(CaseReported), At: reported, ActorID: actor.StaffID, Action: string(ActionCaseReport)}}
	ch, err := s.k.Change(ctx, actor, ActionCaseReport, RecordCase, c.ID, nil, c)
	if err != nil {
		return Case{}, Change{}, err
	}
	if len(c.Items) > 0 {
		items := make([]StolenItem, len(c.Items))
		for i, it := range c.Items {
			items[i] = StolenItem{ItemID: it.ItemID, Category: it.Category, Description: it.Description,
				Identifiers: slices.Clone(it.Identifiers), Quantity: it.Quantity, ValueFen: it.ValueFen, ValueConfirmed: it.ValueConfirmed,
				OwnerPersonID: it.OwnerPersonID}
		}
		msg, err := s.k.NewOutboxMessage(KindStolenItems, Source{Kind: RecordCase, ID: c.ID, Step: "stolen"}, StolenItems{
			Source: Source{Kind: RecordCase, ID: c.ID, Step: "stolen"}, Actor: actor, UnitID: c.UnitID, CaseID: c.ID,
			StolenAt: c.IncidentAt, Place: c.Place, AddressID: c.AddressID, Items: items})
		if err != nil {
			return Case{}, Change{}, err
		}
		ch.Outbox = append(ch.Outbox, msg)
	}
	return c, ch, nil
}

// Get returns a case in the actor's reach, or shared with the actor's unit.
func (s *CaseService) Get(ctx context.Context, actor Actor, id string) (Case, error) {
	return s.load(ctx, actor, id, ActionRead)
}

// load reads a case and checks the action against it: out of reach is
// ErrNotFound, a write on a case only shared with the actor's unit is
// ErrForbidden. SharedWith is filled from the kernel's active shares.
func (s *CaseService) load(ctx context.Context, actor Actor, id string, action Action) (Case, error) {
	c, err := s.store.GetCase(ctx, id)
	if err != nil {
		return Case{}, err
	}
	shared, err := s.k.ActiveShares(ctx, RecordCase, id, c.UnitID)
	if err != nil {
		return Case{}, err
	}
	t := Target{RecordType: RecordCase, RecordID: id, UnitID: c.UnitID, SharedWith: shared}
	if err := s.k.Authorize(ctx, actor, action, t); err != nil {
		return Case{}, err
	}
	c.SharedWith = shared
	return c, nil
}

// loadFor loads a case for a step: the action must be permitted, the
// caller's version must be the stored one, and the case must be in one of
// the states the step is allowed in.
func (s *CaseService) loadFor(ctx context.Context, actor Actor, id string, version int64, action Action, allowed []CaseState, to CaseState) (Case, error) {
	c, err := s.load(ctx, actor, id, action)
	if err != nil {
		return Case{}, err
	}
	if c.Version != version {
		return Case{}, errs.Stale(RecordCase, id, version)
	}
	if !slices.Contains(allowed, c.State) {
		target := string(to)
		if target == "" {
			target = string(c.State)
		}
		return Case{}, errs.Transition(string(c.State), target, fmt.Sprintf("%s is allowed only in states %v", action, allowed))
	}
	return c, nil
}

// next is the version of c that a write builds on.
func (s *CaseService) next(c Case) Case {
	n := c.Clone()
	n.SharedWith = nil
	n.Version, n.UpdatedAt = c.Version+1, s.k.Now()
	return n
}

// commitUpdate writes one updated case with its audit entry and extra
// outbox messages.
func (s *CaseService) commitUpdate(ctx context.Context, actor Actor, action Action, before, after Case, w CaseWrite, outbox ...OutboxMessage) (Case, error) {
	before.SharedWith = nil
	ch, err := s.k.Change(ctx, actor, action, RecordCase, after.ID, before, after)
	if err != nil {
		return Case{}, err
	}
	ch.Outbox = append(ch.Outbox, outbox...)
	w.Cases = append(w.Cases, after)
	if err := s.store.CommitCases(ctx, w, ch); err != nil {
		return Case{}, err
	}
	return s.withShares(ctx, after)
}

func (s *CaseService) withShares(ctx context.Context, c Case) (Case, error) {
	shared, err := s.k.ActiveShares(ctx, RecordCase, c.ID, c.UnitID)
	if err != nil {
		return Case{}, err
	}
	c.SharedWith = shared
	return c, nil
}

// CaseQuery searches cases in a unit subtree of the actor's reach.
type CaseQuery struct {
	UnitID       string // subtree root; default the actor's unit
	States       []CaseState
	Kind         string
	ReportedFrom time.Time
	ReportedTo   time.Time
	// SuspectDocType and SuspectDocNumber find cases whose suspects hold
	// this identity document, through its blind index: the number itself is
	// never stored or compared in clear.
	SuspectDocType   DocType
	SuspectDocNumber string
	// Identifier finds cases whose stolen items or survey name it (serial,
	// IMEI, frame number …), however it is spaced or cased.
	Identifier string
	Page       Page
}

// List searches cases in the actor's subtree, ordered by (CreatedAt, ID),
// and returns the cursor of the next page ("" on the last).
func (s *CaseService) List(ctx context.Context, actor Actor, q CaseQuery) ([]Case, string, error) {
	if err := s.k.Authorize(ctx, actor, ActionRead, Target{}); err != nil {
		return nil, "", err
	}
	path, err := s.k.Scope(ctx, actor, q.UnitID)
	if err != nil {
		return nil, "", err
	}
	f := CaseFilter{UnitUnder: path, States: q.States, Kind: q.Kind, ReportedFrom: Truncate(q.ReportedFrom), ReportedTo: Truncate(q.ReportedTo)}
	if q.Identifier != "" {
		if f.Identifier = identifierKey(q.Identifier); f.Identifier == "" {
			return nil, "", errs.Invalid("identifier", "required", "holds no letters or digits")
		}
	}
	if q.SuspectDocNumber != "" {
		ids, err := s.personsByDoc(ctx, q.SuspectDocType, q.SuspectDocNumber)
		if err != nil {
			return nil, "", err
		}
		if len(ids) == 0 {
			return nil, "", nil
		}
		f.SuspectIDs = ids
	}
	p := q.Page.Normalize()
	rows, err := s.store.ListCases(ctx, f, Page{Limit: p.Limit + 1, After: p.After})
	if err != nil {
		return nil, "", err
	}
	rows, next := PageOf(rows, p.Limit, caseCursor)
	return rows, next, nil
}

func caseCursor(c Case) Cursor { return Cursor{At: c.CreatedAt, ID: c.ID} }

// personsByDoc returns the ids of the persons holding a document, found by
// its blind index (Kernel.DocIndex).
func (s *CaseService) personsByDoc(ctx context.Context, t DocType, number string) ([]string, error) {
	idx, err := s.k.DocIndex(ctx, t, number)
	if err != nil {
		return nil, err
	}
	persons, err := s.k.store.ListPersons(ctx, PersonFilter{DocIndex: idx}, Page{Limit: MaxPageLimit})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(persons))
	for i, p := range persons {
		ids[i] = p.ID
	}
	return ids, nil
}

// StartInvestigation moves a filed case to investigating without a survey
// (the survey does it too).
func (s *CaseService) StartInvestigation(ctx context.Context, actor Actor, id string, version int64, reason string) (Case, error) {
	c, err := s.loadFor(ctx, actor, id, version, ActionCaseStart, []CaseState{CaseFiled}, CaseInvestigating)
	if err != nil {
		return Case{}, err
	}
	n := s.next(c)
	n.transition(CaseInvestigating, actor, ActionCaseStart, strings.TrimSpace(reason), s.k.Now())
	return s.commitUpdate(ctx, actor, ActionCaseStart, c, n, CaseWrite{})
}

// Drop drops a case: from reported it is 不立案 (no number is used), from
// filed or investigating it is 撤案 (the number is kept). It needs a reason
// and a supervisor: the policy grants case.drop to supervisors only.
func (s *CaseService) Drop(ctx context.Context, actor Actor, id string, version int64, reason string) (Case, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 1000 {
		return Case{}, errs.Invalid("reason", "required", "dropping a case needs a reason of at most 1000 bytes")
	}
	c, err := s.loadFor(ctx, actor, id, version, ActionCaseDrop, []CaseState{CaseReported, CaseFiled, CaseInvestigating}, CaseDropped)
	if err != nil {
		return Case{}, err
	}
	if !actor.Has(RoleSupervisor) {
		return Case{}, errs.New(errs.ErrForbidden, "dropping a case needs a supervisor")
	}
	now := s.k.Now()
	n := s.next(c)
	kind := DropWithdrawn
	if c.State == CaseReported {
		kind = DropNotFiled
	}
	n.Drop = &CaseDrop{Kind: kind, Reason: reason, SupervisorID: actor.StaffID, At: now}
	n.DroppedAt = now
	n.transition(CaseDropped, actor, ActionCaseDrop, reason, now)
	return s.commitUpdate(ctx, actor, ActionCaseDrop, c, n, CaseWrite{})
}

// Close closes a solved case (结案).
func (s *CaseService) Close(ctx context.Context, actor Actor, id string, version int64, reason string) (Case, error) {
	c, err := s.loadFor(ctx, actor, id, version, ActionCaseClose, []CaseState{CaseSolved}, CaseClosed)
	if err != nil {
		return Case{}, err
	}
	now := s.k.Now()
	n := s.next(c)
	n.ClosedAt = now
	n.transition(CaseClosed, actor, ActionCaseClose, strings.TrimSpace(reason), now)
	return s.commitUpdate(ctx, actor, ActionCaseClose, c, n, CaseWrite{})
}

// History returns the audit entries of a case: every change, in order.
func (s *CaseService) History(ctx context.Context, actor Actor, id string) ([]AuditEntry, error) {
	c, err := s.load(ctx, actor, id, ActionRead)
	if err != nil {
		return nil, err
	}
	return s.k.store.AuditTrail(ctx, RecordCase, c.ID)
}

// recordHandoff is the write-back of the case's hand-offs to recovery: it
// records on the case the id recovery returned, in a small audited
// transaction. It tolerates repeats (a redelivered message) and retries a
// few times when a concurrent step changes the case meanwhile.
func (s *CaseService) recordHandoff(ctx context.Context, msg OutboxMessage, resultID string) error {
	sys := Actor{StaffID: SystemActorID}
	for range 5 {
		c, err := s.store.GetCase(ctx, msg.SourceID)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(c.Handoffs, func(h CaseHandoff) bool { return h.Step == msg.Step }) {
			return nil
		}
		sys.UnitID = c.UnitID
		n := s.next(c)
		n.Handoffs = append(n.Handoffs, CaseHandoff{Kind: msg.Kind, Step: msg.Step, ResultID: resultID, At: s.k.Now()})
		ch, err := s.k.Change(ctx, sys, actionCaseHandoff, RecordCase, c.ID, c, n)
		if err != nil {
			return err
		}
		err = s.store.CommitCases(ctx, CaseWrite{Cases: []Case{n}}, ch)
		if !errors.Is(err, errs.ErrConflict) {
			return err
		}
	}
	return errs.New(errs.ErrConflict, "case %q kept changing while recording hand-off %s", msg.SourceID, msg.Step)
}
