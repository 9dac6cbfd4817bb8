package cases

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Config tunes a Service. A nil *Config, and every zero field,
// means the default.
type Config struct {
	// Targets are the target durations of the five steps, measured from the
	// report (default: DefaultTargets).
	Targets Targets
}

// Service runs the small property-crime case workflow (五快五同步) and
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
// supervisors report, run the steps, close, correct facts, add items and
// handle leads; only supervisors drop and reopen (Correct, AddItems and
// Reopen are in service_correct.go); every role reads within its reach; a unit a case is
// shared with reads it and nothing more. Every change appends an audit entry
// in its transaction (case.report, case.dispatch_file, case.start,
// case.survey, case.analyse_share with one record.share per share,
// case.arrest, case.review, case.drop, case.close, case.correct,
// case.add_items, case.reopen, case.handoff for
// recovery's answers, lead.create, lead.verify, lead.convert,
// lead.discard), and each state change is also kept in the record's
// History with its actor, time and reason.
type Service struct {
	k       *casework.Kernel
	store   Store
	targets Targets

	mu     sync.RWMutex
	ledger casework.PropertyLedger
}

// New builds the case workflow on a kernel and a Store built
// on the kernel's database. It adds the workflow's default policy rows and
// the case_kind code list (an integrator's overrides win), registers the
// case figures with the kernel's report, the write-backs of its hand-offs to
// recovery, and itself as the receiver of leads found on outreach visits
// (KindLeadFinding).
func New(k *casework.Kernel, store Store, cfg *Config) (*Service, error) {
	if k == nil || store == nil {
		return nil, errors.New("casework: New needs a kernel and a store")
	}
	if cfg == nil {
		cfg = &Config{}
	}
	targets, err := cfg.Targets.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Service{k: k, store: store, targets: targets}
	if err := k.Register(s); err != nil {
		return nil, err
	}
	return s, nil
}

var (
	_ casework.Workflow   = (*Service)(nil)
	_ casework.LeadIntake = (*Service)(nil)
)

// Provides lists what the case workflow brings to the kernel: its policy
// rows and case kinds, its figures, the receiver of leads found on visits
// and the write-backs of the stolen items and arrests it hands to the
// property ledger.
func (s *Service) Provides() casework.Provision {
	staff := []casework.Role{casework.RoleOfficer, casework.RoleCommunityOfficer, casework.RoleSupervisor}
	write := func(a casework.Action) casework.Rule {
		return casework.Rule{Action: a, Kind: casework.KindWrite, Roles: staff}
	}
	return casework.Provision{
		Name: "cases",
		Rules: []casework.Rule{
			{Action: ActionRead, Kind: casework.KindRead, Roles: casework.CoreRoles},
			// A helper's lead found on a visit arrives as the helper
			// (AuthorizeHandoff), so the helpers create leads; an officer
			// verifies, converts or discards them.
			{Action: ActionLeadCreate, Kind: casework.KindWrite, Roles: slices.Concat(staff, casework.HelperRoles)},
			write(ActionReport), write(ActionDispatchFile), write(ActionStart), write(ActionSurvey),
			write(ActionAnalyseShare), write(ActionArrest), write(ActionReview), write(ActionClose),
			write(ActionCorrect), write(ActionAddItems),
			// Reopening a closed case is a supervisor's correction.
			{Action: ActionReopen, Kind: casework.KindApprove, Roles: []casework.Role{casework.RoleSupervisor}},
			// Dropping a case (不立案 or 撤案) needs a supervisor's decision.
			{Action: ActionDrop, Kind: casework.KindApprove, Roles: []casework.Role{casework.RoleSupervisor}},
			write(ActionLeadVerify), write(ActionLeadConvert), write(ActionLeadDiscard),
		},
		Codes:     []casework.CodeList{kindCodes()},
		Figures:   s,
		Mover:     s,
		Receivers: map[string]casework.Receiver{casework.KindLeadFinding: casework.Receive(s.IntakeLead)},
		Writebacks: map[string]casework.Writeback{
			casework.KindStolenItems: s.recordHandoff,
			casework.KindTraceItems:  s.recordHandoff,
		},
		PersonReferences: s,
	}
}

// Targets returns the step targets in force.
func (s *Service) Targets() Targets { return s.targets }

// ReportInput reports a case.
type ReportInput struct {
	UnitID        string      `json:"unitId" validate:"required,line"`
	Kind          string      `json:"kind" validate:"required,line"`
	Summary       string      `json:"summary" validate:"max=2000"`
	IncidentAt    time.Time   `json:"incidentAt" validate:"required"`
	AddressID     string      `json:"addressId" validate:"line"`
	Place         string      `json:"place" validate:"max=300"`
	ReporterID    string      `json:"reporterId" validate:"line"`
	VictimIDs     []string    `json:"victimIds" validate:"line,dive,required"`
	SuspectIDs    []string    `json:"suspectIds" validate:"line,dive,required"`
	ModusOperandi string      `json:"modusOperandi" validate:"max=500"`
	Items         []ItemInput `json:"items" validate:"max=200,dive"`
	// ReportedAt is when the report was received; default now.
	ReportedAt time.Time `json:"reportedAt"`
	RequestKey string    `json:"-"`
}

// ItemInput is a stolen item as reported.
type ItemInput struct {
	Category    string                `json:"category" validate:"required,line,max=64"`
	Description string                `json:"description" validate:"required,max=500"`
	Identifiers []casework.Identifier `json:"identifiers" validate:"max=20"`
	Quantity    int                   `json:"quantity" validate:"min=0"`
	ValueFen    int64                 `json:"valueFen" validate:"min=0"`
	// ValueConfirmed confirms a very large value, which recovery refuses
	// otherwise.
	ValueConfirmed bool   `json:"valueConfirmed,omitempty"`
	OwnerPersonID  string `json:"ownerPersonId" validate:"line"`
}

// Report records a reported case. Its stolen items get ids now and are
// handed to recovery through the outbox in the same transaction
// (KindStolenItems), so that a found e-bike can be matched to its theft
// before anyone is arrested. A repeat with the same RequestKey returns the
// first case.
func (s *Service) Report(ctx context.Context, actor casework.Actor, in ReportInput) (Case, error) {
	in.normalize()
	if err := s.k.UnitInReach(ctx, actor, in.UnitID); err != nil {
		return Case{}, err
	}
	if err := s.k.Authorize(ctx, actor, ActionReport, casework.Target{RecordType: RecordCase, UnitID: in.UnitID}); err != nil {
		return Case{}, err
	}
	if err := s.checkReportInput(ctx, actor, in); err != nil {
		return Case{}, err
	}
	return casework.CreateOnce(ctx, s.k, actor, in.RequestKey, in, func(rk *casework.RequestKey) (Case, error) {
		c, ch, err := s.newCase(ctx, actor, in, "")
		if err != nil {
			return Case{}, err
		}
		if err := ch.Keyed(rk, RecordCase, c.ID, c); err != nil {
			return Case{}, err
		}
		if err := s.store.CommitCases(ctx, Write{NewCases: []Case{c}}, ch); err != nil {
			return Case{}, err
		}
		return c, nil
	})
}

// normalize trims and defaults a copy of the caller's input; Items is
// copied first, so the caller's slice (shared by a concurrent retry under
// the same request key) is never written.
func (in *ReportInput) normalize() {
	in.Items = normalizeItems(in.Items)
	in.Summary, in.Place, in.ModusOperandi = strings.TrimSpace(in.Summary), strings.TrimSpace(in.Place), strings.TrimSpace(in.ModusOperandi)
	in.IncidentAt, in.ReportedAt = casework.Truncate(in.IncidentAt), casework.Truncate(in.ReportedAt)
}

// normalizeItems trims and defaults a copy of reported items (a missing
// quantity is one).
func normalizeItems(items []ItemInput) []ItemInput {
	items = slices.Clone(items)
	for i := range items {
		items[i].Category = strings.TrimSpace(items[i].Category)
		items[i].Description = strings.TrimSpace(items[i].Description)
		if items[i].Quantity == 0 {
			items[i].Quantity = 1
		}
	}
	return items
}

// checkReportInput validates a report: struct tags, the kind code, the place,
// and that every person and address it names exists.
func (s *Service) checkReportInput(ctx context.Context, actor casework.Actor, in ReportInput) error {
	var f errs.Fields
	f.Merge("", s.k.Validate(in))
	if in.Kind != "" {
		f.Merge("", s.k.Codes().Check("kind", KindList, in.Kind))
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
	for _, r := range []struct {
		recordType, field string
		ids               []string
	}{{"address", "addressId", nonEmpty(in.AddressID)}, {"person", "reporterId", nonEmpty(in.ReporterID)},
		{"person", "victimIds", in.VictimIDs}, {"person", "suspectIds", in.SuspectIDs}} {
		if err := s.checkRefs(ctx, actor, &f, r.recordType, r.field, r.ids); err != nil {
			return err
		}
	}
	if err := s.checkItems(ctx, actor, in, &f); err != nil {
		return err
	}
	return f.Err()
}

// checkItems checks the stolen items of in (their owners in reach, their
// category codes, identifiers) and asks the property ledger whether it will
// register them: the one item rule of a report and of items added later
// (AddItems). Field errors join f under items[i].
func (s *Service) checkItems(ctx context.Context, actor casework.Actor, in ReportInput, f *errs.Fields) error {
	ledger := s.propertyLedger()
	for i, it := range in.Items {
		p := "items[" + strconv.Itoa(i) + "]."
		if err := s.checkRefs(ctx, actor, f, "person", p+"ownerPersonId", nonEmpty(it.OwnerPersonID)); err != nil {
			return err
		}
		if ledger == nil {
			// A connected ledger checks the category by its own rule
			// (checkStolen), with what to use for a retired code; checking
			// here too would report the field twice.
			f.Merge(p, s.k.Codes().CheckHandoffCode("category", casework.ListPropertyCategory, it.Category))
		}
		checkIdentifiers(f, p+"identifiers", it.Identifiers)
	}
	return s.checkStolen(ctx, actor, in, f)
}

// checkStolen asks the property ledger, writing nothing, whether it will
// register the report's stolen items (PropertyLedger.CheckStolen), so that
// a case accepts only what recovery accepts and its hand-off is never
// refused for ever. Without a ledger nothing would register the items, so
// a case that carries some is refused. The ledger's field errors
// (items[i].<field>) join f; any other error is returned as it is.
func (s *Service) checkStolen(ctx context.Context, actor casework.Actor, in ReportInput, f *errs.Fields) error {
	if len(in.Items) == 0 {
		return nil
	}
	l := s.propertyLedger()
	if l == nil {
		f.Add("items", "ledger", "no property ledger is connected to register them")
		return nil
	}
	items := make([]Item, len(in.Items))
	for i, it := range in.Items {
		// The real ids are assigned when the case is built; the ledger
		// checks only that each item has one of its own.
		items[i] = it.item("check-" + strconv.Itoa(i+1))
	}
	err := l.CheckStolen(ctx, casework.StolenItems{Actor: actor, UnitID: in.UnitID, StolenAt: in.IncidentAt, Place: in.Place,
		AddressID: in.AddressID, Items: stolenItems(items)})
	if err != nil && !errors.Is(err, errs.ErrInvalid) {
		return err
	}
	f.Merge("", err)
	return nil
}

// item is the case's record of a reported item, under id.
func (it ItemInput) item(id string) Item {
	return Item{ItemID: id, Category: it.Category, Description: it.Description, Identifiers: slices.Clone(it.Identifiers),
		Quantity: it.Quantity, ValueFen: it.ValueFen, ValueConfirmed: it.ValueConfirmed, OwnerPersonID: it.OwnerPersonID}
}

// stolenItems is the hand-off form of a case's items.
func stolenItems(items []Item) []casework.StolenItem {
	out := make([]casework.StolenItem, len(items))
	for i, it := range items {
		out[i] = casework.StolenItem{ItemID: it.ItemID, Category: it.Category, Description: it.Description,
			Identifiers: slices.Clone(it.Identifiers), Quantity: it.Quantity, ValueFen: it.ValueFen, ValueConfirmed: it.ValueConfirmed,
			OwnerPersonID: it.OwnerPersonID}
	}
	return out
}

func nonEmpty(id string) []string {
	if id == "" {
		return nil
	}
	return []string{id}
}

func checkIdentifiers(f *errs.Fields, field string, ids []casework.Identifier) {
	for i, id := range ids {
		p := field + "[" + strconv.Itoa(i) + "]"
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
func (s *Service) newCase(ctx context.Context, actor casework.Actor, in ReportInput, leadID string) (Case, casework.Change, error) {
	now := s.k.Now()
	reported := in.ReportedAt
	if reported.IsZero() {
		reported = now
	}
	c := Case{ID: s.k.NewID(), UnitID: in.UnitID, Kind: in.Kind, State: StateReported, Summary: in.Summary,
		IncidentAt: in.IncidentAt, AddressID: in.AddressID, Place: in.Place, ReporterID: in.ReporterID,
		VictimIDs: slices.Clone(in.VictimIDs), SuspectIDs: slices.Clone(in.SuspectIDs), ModusOperandi: in.ModusOperandi,
		LeadID: leadID, ReportedAt: reported, ReportedBy: actor.StaffID, Version: 1, CreatedAt: now, UpdatedAt: now}
	for _, it := range in.Items {
		c.Items = append(c.Items, it.item(s.k.NewID()))
	}
	c.History = []Transition{{To: string(StateReported), At: reported, ActorID: actor.StaffID, Action: string(ActionReport)}}
	ch, err := s.k.Change(ctx, actor, ActionReport, RecordCase, c.ID, nil, c)
	if err != nil {
		return Case{}, casework.Change{}, err
	}
	if len(c.Items) > 0 {
		msg, err := s.stolenMessage(actor, c, "stolen", c.Items)
		if err != nil {
			return Case{}, casework.Change{}, err
		}
		ch.Outbox = append(ch.Outbox, msg)
	}
	return c, ch, nil
}

// stolenMessage is the hand-off of a case's stolen items to recovery
// (KindStolenItems) under a step unique to the case: "stolen" for the
// report's items, "stolen/<first item id>" for items added later, so the
// receiver registers each batch once.
func (s *Service) stolenMessage(actor casework.Actor, c Case, step string, items []Item) (casework.OutboxMessage, error) {
	src := casework.Source{Kind: RecordCase, ID: c.ID, Step: step}
	return s.k.NewOutboxMessage(casework.KindStolenItems, src, casework.StolenItems{Source: src, Actor: actor, UnitID: c.UnitID,
		CaseID: c.ID, StolenAt: c.IncidentAt, Place: c.Place, AddressID: c.AddressID, Items: stolenItems(items)})
}

// Get returns a case in the actor's reach, or shared with the actor's unit.
func (s *Service) Get(ctx context.Context, actor casework.Actor, id string) (Case, error) {
	return s.load(ctx, actor, id, ActionRead)
}

// load reads a case and checks the action against it: out of reach is
// ErrNotFound, checked before roles and policy, so a case of another unit
// answers exactly as an id that does not exist; a write on a case only
// shared with the actor's unit is ErrForbidden. SharedWith is filled from
// the kernel's active shares.
func (s *Service) load(ctx context.Context, actor casework.Actor, id string, action casework.Action) (Case, error) {
	c, err := s.store.GetCase(ctx, id)
	if err != nil {
		return Case{}, err
	}
	shared, err := s.k.ActiveShares(ctx, RecordCase, id, c.UnitID)
	if err != nil {
		return Case{}, err
	}
	t := casework.Target{RecordType: RecordCase, RecordID: id, UnitID: c.UnitID, SharedWith: shared}
	if err := s.k.Check(ctx, actor, action, t); err != nil {
		return Case{}, err
	}
	c.SharedWith = shared
	return c, nil
}

// loadFor loads a case for a step: the action must be permitted, the
// caller's version must be the stored one, and the case must be in one of
// the states the step is allowed in.
func (s *Service) loadFor(ctx context.Context, actor casework.Actor, id string, version int64, action casework.Action, allowed []State, to State) (Case, error) {
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
func (s *Service) next(c Case) Case {
	n := c.Clone()
	n.SharedWith = nil
	n.Version, n.UpdatedAt = c.Version+1, s.k.Now()
	return n
}

// commitUpdate writes one updated case with its audit entry and extra
// outbox messages.
func (s *Service) commitUpdate(ctx context.Context, actor casework.Actor, action casework.Action, before, after Case, w Write, outbox ...casework.OutboxMessage) (Case, error) {
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

func (s *Service) withShares(ctx context.Context, c Case) (Case, error) {
	shared, err := s.k.ActiveShares(ctx, RecordCase, c.ID, c.UnitID)
	if err != nil {
		return Case{}, err
	}
	c.SharedWith = shared
	return c, nil
}

// Query searches cases in a unit subtree of the actor's reach.
type Query struct {
	UnitID       string // subtree root; default the actor's unit
	States       []State
	Kind         string
	ReportedFrom time.Time
	ReportedTo   time.Time
	// SuspectDocType and SuspectDocNumber find cases whose suspects hold
	// this identity document, through its blind index: the number itself is
	// never stored or compared in clear.
	SuspectDocType   casework.DocType
	SuspectDocNumber string
	// Identifier finds cases whose stolen items or survey name it (serial,
	// IMEI, frame number …), however it is spaced or cased.
	Identifier string
	Page       casework.Page
}

// List searches cases in the actor's subtree, ordered by (CreatedAt, ID),
// and returns the cursor of the next page ("" on the last).
func (s *Service) List(ctx context.Context, actor casework.Actor, q Query) ([]Case, string, error) {
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
	f := Filter{UnitUnder: path, States: q.States, Kind: q.Kind, ReportedFrom: casework.Truncate(q.ReportedFrom), ReportedTo: casework.Truncate(q.ReportedTo)}
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
	rows, err := s.store.ListCases(ctx, f, casework.Page{Limit: p.Limit + 1, After: p.After})
	if err != nil {
		return nil, "", err
	}
	rows, next := casework.PageOf(rows, p.Limit, caseCursor)
	return rows, next, nil
}

func caseCursor(c Case) casework.Cursor { return casework.Cursor{At: c.CreatedAt, ID: c.ID} }

// personsByDoc returns the ids of the persons holding a document, found by
// its blind index (Kernel.DocIndex).
func (s *Service) personsByDoc(ctx context.Context, t casework.DocType, number string) ([]string, error) {
	idx, err := s.k.DocIndex(ctx, t, number)
	if err != nil {
		return nil, err
	}
	persons, err := s.k.Store().ListPersons(ctx, casework.PersonFilter{DocIndex: idx}, casework.Page{Limit: casework.MaxPageLimit})
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
func (s *Service) StartInvestigation(ctx context.Context, actor casework.Actor, id string, version int64, reason string) (Case, error) {
	if err := casework.CheckText("reason", reason, 1000); err != nil {
		return Case{}, err
	}
	c, err := s.loadFor(ctx, actor, id, version, ActionStart, []State{StateFiled}, StateInvestigating)
	if err != nil {
		return Case{}, err
	}
	n := s.next(c)
	n.transition(StateInvestigating, actor, ActionStart, strings.TrimSpace(reason), s.k.Now())
	return s.commitUpdate(ctx, actor, ActionStart, c, n, Write{})
}

// Drop drops a case: from reported it is 不立案 (no number is used), from
// filed or investigating it is 撤案 (the number is kept). It needs a reason
// and a supervisor: the policy grants case.drop to supervisors only.
func (s *Service) Drop(ctx context.Context, actor casework.Actor, id string, version int64, reason string) (Case, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 1000 {
		return Case{}, errs.Invalid("reason", "required", "dropping a case needs a reason of at most 1000 bytes")
	}
	if err := casework.CheckText("reason", reason, 1000); err != nil {
		return Case{}, err
	}
	c, err := s.loadFor(ctx, actor, id, version, ActionDrop, []State{StateReported, StateFiled, StateInvestigating}, StateDropped)
	if err != nil {
		return Case{}, err
	}
	if !actor.Has(casework.RoleSupervisor) {
		return Case{}, errs.New(errs.ErrForbidden, "dropping a case needs a supervisor")
	}
	now := s.k.Now()
	n := s.next(c)
	kind := DropWithdrawn
	if c.State == StateReported {
		kind = DropNotFiled
	}
	n.Drop = &Drop{Kind: kind, Reason: reason, SupervisorID: actor.StaffID, At: now}
	n.DroppedAt = now
	n.transition(StateDropped, actor, ActionDrop, reason, now)
	return s.commitUpdate(ctx, actor, ActionDrop, c, n, Write{})
}

// Close closes a solved case (结案).
func (s *Service) Close(ctx context.Context, actor casework.Actor, id string, version int64, reason string) (Case, error) {
	if err := casework.CheckText("reason", reason, 1000); err != nil {
		return Case{}, err
	}
	c, err := s.loadFor(ctx, actor, id, version, ActionClose, []State{StateSolved}, StateClosed)
	if err != nil {
		return Case{}, err
	}
	now := s.k.Now()
	n := s.next(c)
	// A case reopened and closed again keeps its first closing date: the
	// period that counted it closed keeps its figure (Reopen).
	if n.ClosedAt.IsZero() {
		n.ClosedAt = now
	}
	n.transition(StateClosed, actor, ActionClose, strings.TrimSpace(reason), now)
	return s.commitUpdate(ctx, actor, ActionClose, c, n, Write{})
}

// History returns the audit entries of a case: every change, in order.
func (s *Service) History(ctx context.Context, actor casework.Actor, id string) ([]casework.AuditEntry, error) {
	c, err := s.load(ctx, actor, id, ActionRead)
	if err != nil {
		return nil, err
	}
	return s.k.Store().AuditTrail(ctx, RecordCase, c.ID)
}

// recordHandoff is the write-back of the case's hand-offs to recovery: it
// records on the case the id recovery returned, in a small audited
// transaction. It tolerates repeats (a redelivered message) and retries a
// few times when a concurrent step changes the case meanwhile.
func (s *Service) recordHandoff(ctx context.Context, msg casework.OutboxMessage, resultID string) error {
	sys := casework.Actor{StaffID: casework.SystemActorID}
	for range 5 {
		c, err := s.store.GetCase(ctx, msg.SourceID)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(c.Handoffs, func(h Handoff) bool { return h.Step == msg.Step }) {
			return nil
		}
		sys.UnitID = c.UnitID
		n := s.next(c)
		n.Handoffs = append(n.Handoffs, Handoff{Kind: msg.Kind, Step: msg.Step, ResultID: resultID, At: s.k.Now()})
		ch, err := s.k.Change(ctx, sys, actionHandoff, RecordCase, c.ID, c, n)
		if err != nil {
			return err
		}
		err = s.store.CommitCases(ctx, Write{Cases: []Case{n}}, ch)
		if !errors.Is(err, errs.ErrConflict) {
			return err
		}
	}
	return errs.New(errs.ErrConflict, "case %q kept changing while recording hand-off %s", msg.SourceID, msg.Step)
}
