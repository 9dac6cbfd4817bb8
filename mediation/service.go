package mediation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// The actions this package adds to the permission policy (role × action).
// New registers their default rows with Policy.Default, so an integrator's
// own rows for the same actions win.
const (
	ActionRead     casework.Action = "mediation.read"      // see disputes, print them
	ActionReport   casework.Action = "mediation.report"    // report a dispute
	ActionScreen   casework.Action = "mediation.screen"    // → screened, → not_accepted
	ActionAccept   casework.Action = "mediation.accept"    // → accepted; assign mediators and lawyers
	ActionMediate  casework.Action = "mediation.mediate"   // sessions, agreements, parties, → in_mediation, agreed, failed
	ActionAssess   casework.Action = "mediation.assess"    // change the risk level
	ActionReview   casework.Action = "mediation.review"    // review a high-risk dispute
	ActionFollowUp casework.Action = "mediation.follow_up" // follow-up visits, → following_up
	ActionClose    casework.Action = "mediation.close"     // → closed, → referred
)

// Config tunes a Service. A nil *Config, and every zero field, means the
// default.
type Config struct {
	// ReviewDeadline is how long a supervisor has to review a dispute
	// marked high risk. Default 24 h.
	ReviewDeadline time.Duration
	// MediationLimit is the mediation time limit in days from acceptance
	// (or reopening), counted as "within N days" (casework.EndOfDayN).
	// Default 30.
	MediationLimit int
	// ConfirmationWindow is how many days after an agreement takes effect
	// the parties may apply for judicial confirmation (司法确认). Default 30,
	// as the People's Mediation Law says.
	ConfirmationWindow int
	// NoticeAhead is how long before a deadline Sweep sends a
	// "deadline approaching" notice. Default 48 h.
	NoticeAhead time.Duration
}

func (c *Config) withDefaults() (Config, error) {
	var out Config
	if c != nil {
		out = *c
	}
	if out.ReviewDeadline < 0 || out.MediationLimit < 0 || out.ConfirmationWindow < 0 || out.NoticeAhead < 0 {
		return out, errors.New("mediation: Config durations may not be negative")
	}
	if out.ReviewDeadline == 0 {
		out.ReviewDeadline = 24 * time.Hour
	}
	if out.MediationLimit == 0 {
		out.MediationLimit = 30
	}
	if out.ConfirmationWindow == 0 {
		out.ConfirmationWindow = 30
	}
	if out.NoticeAhead == 0 {
		out.NoticeAhead = 48 * time.Hour
	}
	return out, nil
}

// Service is the only way to change disputes. Every method checks the
// actor through the kernel's permission policy, validates, enforces the
// transition table and writes the dispute together with its audit entry.
// It is safe for concurrent use; coordination between processes goes
// through the store's versions.
type Service struct {
	k     *casework.Kernel
	store Store
	cfg   Config
}

var (
	_ casework.Workflow      = (*Service)(nil)
	_ casework.DisputeIntake = (*Service)(nil)
)

// New builds the service and registers with the kernel all that it
// provides (Provides): its code lists, default policy rows, figures, the
// deadline sweep and the receiver of disputes found on outreach visits.
// Build one Service per kernel.
func New(k *casework.Kernel, store Store, cfg *Config) (*Service, error) {
	if k == nil || store == nil {
		return nil, errors.New("mediation: New needs a kernel and a store")
	}
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Service{k: k, store: store, cfg: c}
	if err := k.Register(s); err != nil {
		return nil, err
	}
	return s, nil
}

// Provides lists what mediation brings to the kernel.
func (s *Service) Provides() casework.Provision {
	officers := []casework.Role{casework.RoleOfficer, casework.RoleCommunityOfficer, casework.RoleSupervisor}
	mediating := append(slices.Clone(officers), casework.RoleMediator, casework.RoleLawyer)
	return casework.Provision{
		Name:  "mediation",
		Codes: CodeLists(),
		Rules: []casework.Rule{
			// Helpers report the disputes they find (directly or as a
			// visit's hand-off, which arrives as them) but read no
			// dispute: the parties' quarrels are not the building head's.
			{Action: ActionRead, Kind: casework.KindRead, Roles: casework.CoreRoles},
			{Action: ActionReport, Kind: casework.KindWrite, Roles: slices.Concat(officers, casework.HelperRoles)},
			{Action: ActionScreen, Kind: casework.KindWrite, Roles: officers},
			{Action: ActionAccept, Kind: casework.KindWrite, Roles: officers},
			{Action: ActionMediate, Kind: casework.KindWrite, Roles: mediating},
			{Action: ActionAssess, Kind: casework.KindWrite, Roles: mediating},
			{Action: ActionReview, Kind: casework.KindApprove, Roles: []casework.Role{casework.RoleSupervisor}},
			{Action: ActionFollowUp, Kind: casework.KindWrite, Roles: mediating},
			{Action: ActionClose, Kind: casework.KindWrite, Roles: officers},
			// Reopening a closed dispute is a supervisor's correction.
			{Action: ActionReopen, Kind: casework.KindApprove, Roles: []casework.Role{casework.RoleSupervisor}},
		},
		Figures: s,
		Sweeper: s,
		// Parties, representatives and attendees follow a person merge.
		PersonReferences: s,
		Receivers:        map[string]casework.Receiver{casework.KindDisputeFinding: casework.Receive(s.IntakeDispute)},
		Mover:            s,
	}
}

// Config returns the configuration in force, defaults applied.
func (s *Service) Config() Config { return s.cfg }

// ReportInput reports a dispute.
type ReportInput struct {
	UnitID     string       `json:"unitId" validate:"required,line,max=64"`
	Category   string       `json:"category" validate:"required,line,max=64"`
	Source     string       `json:"source" validate:"required,line,max=64"`
	SourceNote string       `json:"sourceNote,omitempty" validate:"max=500"` // the referring agency or court, the caller …
	Kind       Kind         `json:"kind,omitempty" validate:"line"`          // default people
	Police     *PoliceFacts `json:"police,omitempty"`                        // required for police mediation
	Parties    []Party      `json:"parties,omitempty" validate:"max=50"`     // each checked by checkParties
	Facts      string       `json:"facts" validate:"required,max=10000"`
	AddressID  string       `json:"addressId,omitempty" validate:"line,max=64"`
	Address    string       `json:"address,omitempty" validate:"max=500"`
	Risk       Risk         `json:"risk,omitempty" validate:"line"` // default low
	RiskReason string       `json:"riskReason,omitempty" validate:"max=1000"`
	ReportedAt time.Time    `json:"reportedAt,omitzero"` // default now
	RequestKey string       `json:"-"`

	origin *casework.Source // set by IntakeDispute
}

// Report records a new dispute in state reported. A repeat with the same
// request key returns the first result. A high-risk dispute notifies the
// unit's supervisors at once.
func (s *Service) Report(ctx context.Context, actor casework.Actor, in ReportInput) (Dispute, error) {
	if err := s.k.UnitInReach(ctx, actor, in.UnitID); err != nil {
		return Dispute{}, err
	}
	if err := s.k.Authorize(ctx, actor, ActionReport, casework.Target{RecordType: RecordType, UnitID: in.UnitID}); err != nil {
		return Dispute{}, err
	}
	return casework.CreateOnce(ctx, s.k, actor, in.RequestKey, in, func(rk *casework.RequestKey) (Dispute, error) {
		return s.create(ctx, actor, in, "mediation.report", rk, nil)
	})
}

// create validates and stores a new dispute with the request key or inbox
// mark of the path that asked for it.
func (s *Service) create(ctx context.Context, actor casework.Actor, in ReportInput, auditAction casework.Action, rk *casework.RequestKey, inbox *casework.InboxEntry) (Dispute, error) {
	now := s.k.Now()
	in.normalize(now)
	if err := s.checkReport(ctx, actor, in, now); err != nil {
		return Dispute{}, err
	}
	parties, docIdx, err := s.checkParties(ctx, actor, in.Parties)
	if err != nil {
		return Dispute{}, err
	}
	d := Dispute{
		ID: s.k.NewID(), UnitID: in.UnitID, State: StateReported, Kind: in.Kind, Category: in.Category,
		Source: in.Source, SourceNote: in.SourceNote, Origin: in.origin, Facts: in.Facts,
		AddressID: in.AddressID, Address: in.Address, Parties: parties, PartyDocIndex: docIdx,
		Risk: in.Risk, RiskReason: in.RiskReason, Police: in.Police, ReportedAt: in.ReportedAt,
		Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	d.History = []Step{{To: StateReported, At: now, ActorID: actor.StaffID, Reason: reportReason(in)}}
	if d.Risk == RiskHigh {
		d.ReviewDue = casework.Truncate(now.Add(s.cfg.ReviewDeadline))
	}
	d.NextDue = NextDueOf(d)
	ch, err := s.k.Change(ctx, actor, auditAction, RecordType, d.ID, nil, view(d))
	if err != nil {
		return Dispute{}, err
	}
	if err := ch.Keyed(rk, RecordType, d.ID, view(d)); err != nil {
		return Dispute{}, err
	}
	if inbox != nil {
		inbox.RecordID = d.ID
		ch.Inbox = inbox
	}
	if err := s.store.CreateDispute(ctx, d, ch); err != nil {
		return Dispute{}, err
	}
	s.afterWrite(ctx, Dispute{}, d)
	return view(d), nil
}

func reportReason(in ReportInput) string {
	if in.origin != nil {
		return "走访排查移交 (handed over from " + in.origin.Kind + " " + in.origin.ID + ")"
	}
	return "登记 (reported)"
}

func (in *ReportInput) normalize(now time.Time) {
	in.Category = strings.TrimSpace(in.Category)
	in.Source = strings.TrimSpace(in.Source)
	in.Facts = strings.TrimSpace(in.Facts)
	if in.Kind == "" {
		in.Kind = KindPeople
	}
	if in.Risk == "" {
		in.Risk = RiskLow
	}
	if in.ReportedAt.IsZero() {
		in.ReportedAt = now
	}
	in.ReportedAt = casework.Truncate(in.ReportedAt)
	if in.Police != nil {
		p := *in.Police
		p.Exclusions = slices.Clone(p.Exclusions)
		in.Police = &p
	}
	in.Parties = cloneEach(in.Parties, Party.clone)
}

func (s *Service) checkReport(ctx context.Context, actor casework.Actor, in ReportInput, now time.Time) error {
	var f errs.Fields
	f.Merge("", s.k.Validate(in))
	f.Merge("", s.k.Codes().Check("category", ListCategory, in.Category))
	f.Merge("", s.k.Codes().Check("source", ListSource, in.Source))
	if !in.Kind.Valid() {
		f.Add("kind", "oneof", "must be people, police or settlement")
	}
	f.Merge("", checkRisk(in.Risk, in.RiskReason))
	if in.ReportedAt.After(now) {
		f.Add("reportedAt", "past", "may not be in the future")
	}
	if in.Kind == KindPolice {
		f.Merge("", CheckPolice(in.Police))
	} else if in.Police != nil {
		f.Add("police", "police_only", "police facts belong to police mediation only")
	}
	if in.AddressID != "" {
		if _, ok, err := s.k.AddressInReach(ctx, actor, in.AddressID); err != nil {
			return err
		} else if !ok {
			f.Add("addressId", "exists", "no address %q in reach", in.AddressID)
		}
	}
	return f.Err()
}

func checkRisk(r Risk, reason string) error {
	var f errs.Fields
	if !r.Valid() {
		f.Add("risk", "oneof", "must be low, medium or high")
	}
	if r != RiskLow && strings.TrimSpace(reason) == "" {
		f.Add("riskReason", "required", "a %s risk needs a reason", r)
	}
	f.Merge("", casework.CheckText("riskReason", reason, 1000))
	return f.Err()
}

// checkParties validates parties against the kernel's persons and returns
// them with the document blind indexes of the parties (never a plaintext
// number: the kernel holds only sealed documents).
func (s *Service) checkParties(ctx context.Context, actor casework.Actor, parties []Party) ([]Party, []string, error) {
	var f errs.Fields
	var idx []string
	seen := map[string]bool{}
	for i, p := range parties {
		field := fmt.Sprintf("parties[%d]", i)
		f.Merge(field+".", s.k.Validate(p))
		if p.PersonID == "" {
			continue
		}
		if seen[p.PersonID] {
			f.Add(field+".personId", "unique", "person %s is a party twice", p.PersonID)
		}
		seen[p.PersonID] = true
		rec, ok, err := s.k.PersonInReach(ctx, actor, p.PersonID)
		switch {
		case err != nil:
			return nil, nil, err
		case !ok:
			f.Add(field+".personId", "exists", "no person %q in reach", p.PersonID)
		case rec.DocIndex != "":
			idx = append(idx, rec.DocIndex)
		}
	}
	for i, p := range parties {
		reps := map[string]bool{}
		for j, r := range p.Representatives {
			field := fmt.Sprintf("parties[%d].representatives[%d].personId", i, j)
			if r.PersonID == "" {
				continue
			}
			if seen[r.PersonID] {
				f.Add(field, "not_party", "a party cannot represent a party")
			}
			if reps[r.PersonID] {
				f.Add(field, "unique", "person %s is named twice", r.PersonID)
			}
			reps[r.PersonID] = true
			if _, ok, err := s.k.PersonInReach(ctx, actor, r.PersonID); err != nil {
				return nil, nil, err
			} else if !ok {
				f.Add(field, "exists", "no person %q in reach", r.PersonID)
			}
		}
	}
	if err := f.Err(); err != nil {
		return nil, nil, err
	}
	slices.Sort(idx)
	return parties, slices.Compact(idx), nil
}

// Get returns a dispute in the actor's reach; one out of reach is
// ErrNotFound, exactly as if it did not exist.
func (s *Service) Get(ctx context.Context, actor casework.Actor, id string) (Dispute, error) {
	d, err := s.load(ctx, actor, id, ActionRead)
	return view(d), err
}

// Query selects disputes for List. Period bounds are instants:
// [ReportedFrom, ReportedTo).
type Query struct {
	UnitID         string // subtree root; default the actor's unit
	States         []State
	Category       string // a code, or a first-level code for all below it
	Risk           Risk
	Kind           Kind
	Source         string
	PartyDocType   casework.DocType // default resident ID
	PartyDocNumber string           // matched through the kernel's blind index
	ReportedFrom   time.Time
	ReportedTo     time.Time
	Overdue        bool      // only disputes Overdue finds overdue at Now
	Now            time.Time // default the kernel clock
	Page           casework.Page
}

// List returns disputes of the actor's unit subtree ordered by creation,
// and the cursor of the next page ("" on the last). A mediator or lawyer
// sees only the disputes assigned to them.
func (s *Service) List(ctx context.Context, actor casework.Actor, q Query) ([]Dispute, string, error) {
	if err := s.k.UnitInReach(ctx, actor, q.UnitID); err != nil {
		return nil, "", err
	}
	t := casework.Target{}
	bound := s.k.Policy().AssignmentBound(ActionRead, actor.Roles)
	if bound {
		t.AssignedTo = []string{actor.StaffID}
	}
	if err := s.k.Authorize(ctx, actor, ActionRead, t); err != nil {
		return nil, "", err
	}
	path, err := s.k.Scope(ctx, actor, q.UnitID)
	if err != nil {
		return nil, "", err
	}
	f := Filter{UnitUnder: path, States: q.States, Category: q.Category, Risk: q.Risk, Kind: q.Kind, Source: q.Source,
		ReportedFrom: casework.Truncate(q.ReportedFrom), ReportedTo: casework.Truncate(q.ReportedTo)}
	if bound {
		f.AssignedTo = actor.StaffID
	}
	if q.PartyDocNumber != "" {
		if f.PartyDocIndex, err = s.k.DocIndex(ctx, q.PartyDocType, q.PartyDocNumber); err != nil {
			return nil, "", err
		}
	}
	now := q.Now
	if now.IsZero() {
		now = s.k.Now()
	}
	if q.Overdue {
		f.DueBy = casework.Truncate(now)
	}
	p := q.Page.Normalize()
	rows, err := s.store.ListDisputes(ctx, f, casework.Page{Limit: p.Limit + 1, After: p.After})
	if err != nil {
		return nil, "", err
	}
	rows, next := casework.PageOf(rows, p.Limit, func(d Dispute) casework.Cursor { return casework.Cursor{At: d.CreatedAt, ID: d.ID} })
	out := make([]Dispute, 0, len(rows))
	for _, d := range rows {
		// The store selected by NextDue, which every write derives from
		// OpenDeadlines; asking Overdue again keeps the one definition
		// authoritative even for rows written under older rules.
		if q.Overdue && !d.IsOverdue(now) {
			continue
		}
		out = append(out, view(d))
	}
	return out, next, nil
}

// ListOverdue lists the overdue disputes of a unit subtree ("" for the
// actor's unit) at now, as Overdue decides them.
func (s *Service) ListOverdue(ctx context.Context, actor casework.Actor, unitID string, now time.Time, p casework.Page) ([]Dispute, string, error) {
	return s.List(ctx, actor, Query{UnitID: unitID, Overdue: true, Now: now, Page: p})
}

// Share grants another unit read access to a dispute (同步共享), audited by
// the kernel; the dispute stays read-only there. Sharing is the station's
// decision: it needs the acceptance permission on the dispute. A zero until
// shares until revoked; otherwise the share ends by itself then.
func (s *Service) Share(ctx context.Context, actor casework.Actor, id, toUnit, reason string, until time.Time) (casework.Share, error) {
	_, t, err := s.reachable(ctx, actor, id)
	if err != nil {
		return casework.Share{}, err
	}
	if err := s.k.Authorize(ctx, actor, ActionAccept, t); err != nil {
		return casework.Share{}, err
	}
	if err := casework.CheckText("reason", reason, 1000); err != nil {
		return casework.Share{}, err
	}
	if err := casework.CheckLine("unitId", toUnit, 64); err != nil {
		return casework.Share{}, err
	}
	return s.k.Share(ctx, actor, t, toUnit, reason, until)
}

// view is a dispute as services return it: without the parties' document
// blind indexes, which would let a reader link parties across records.
func view(d Dispute) Dispute {
	d.PartyDocIndex = nil
	return d
}

// target describes a dispute for the permission check.
func (s *Service) target(ctx context.Context, d Dispute) (casework.Target, error) {
	shares, err := s.k.ActiveShares(ctx, RecordType, d.ID, d.UnitID)
	if err != nil {
		return casework.Target{}, err
	}
	return casework.Target{RecordType: RecordType, RecordID: d.ID, UnitID: d.UnitID, SharedWith: shares, AssignedTo: slices.Clone(d.Assigned)}, nil
}

// reachable loads a dispute and checks reach before anything else: a
// dispute out of the actor's reach — and any dispute for an actor who is no
// active staff member — answers ErrNotFound exactly as an id that does not
// exist, before roles, policy or level are consulted (Kernel.Reach). It
// returns the dispute with its permission target for Authorize.
func (s *Service) reachable(ctx context.Context, actor casework.Actor, id string) (Dispute, casework.Target, error) {
	d, err := s.store.GetDispute(ctx, id)
	if err != nil {
		return Dispute{}, casework.Target{}, err
	}
	t, err := s.target(ctx, d)
	if err != nil {
		return Dispute{}, casework.Target{}, err
	}
	if err := s.k.Reach(ctx, actor, t); err != nil {
		return Dispute{}, casework.Target{}, err
	}
	return d, t, nil
}

// load is reachable followed by the permission check of action.
func (s *Service) load(ctx context.Context, actor casework.Actor, id string, action casework.Action) (Dispute, error) {
	d, t, err := s.reachable(ctx, actor, id)
	if err != nil {
		return Dispute{}, err
	}
	if err := s.k.Authorize(ctx, actor, action, t); err != nil {
		return Dispute{}, err
	}
	return d, nil
}

// change is one update of a dispute: the action the actor needs (which may
// depend on the current state), the audit action, and the mutation of the
// next version.
type change struct {
	action func(cur Dispute) casework.Action
	audit  casework.Action
	mutate func(next *Dispute) error
}

// update is the one write path of every change after the report: load,
// check reach, authorise, compare the caller's version, mutate a clone, derive NextDue,
// audit, and store with compare-and-swap.
func (s *Service) update(ctx context.Context, actor casework.Actor, id string, version int64, c change) (Dispute, error) {
	cur, t, err := s.reachable(ctx, actor, id)
	if err != nil {
		return Dispute{}, err
	}
	if err := s.k.Authorize(ctx, actor, c.action(cur), t); err != nil {
		return Dispute{}, err
	}
	if version <= 0 {
		return Dispute{}, errs.New(errs.ErrPreconditionRequired, "the dispute's version is required to change it")
	}
	if cur.Version != version {
		return Dispute{}, errs.Stale(RecordType, id, version)
	}
	next := cur.Clone()
	if err := c.mutate(&next); err != nil {
		return Dispute{}, err
	}
	next.Version, next.UpdatedAt = cur.Version+1, s.k.Now()
	next.NextDue = NextDueOf(next)
	ch, err := s.k.Change(ctx, actor, c.audit, RecordType, id, view(cur), view(next))
	if err != nil {
		return Dispute{}, err
	}
	if err := s.store.UpdateDispute(ctx, next, ch); err != nil {
		return Dispute{}, err
	}
	s.afterWrite(ctx, cur, next)
	return view(next), nil
}

func always(a casework.Action) func(Dispute) casework.Action {
	return func(Dispute) casework.Action { return a }
}

// afterWrite sends the notices a committed write calls for. A notifier
// error is logged and dropped: the overdue lists show the same facts.
func (s *Service) afterWrite(ctx context.Context, cur, next Dispute) {
	if !next.ReviewDue.IsZero() && next.Review == nil && !next.ReviewDue.Equal(cur.ReviewDue) {
		s.notify(ctx, casework.Notice{Kind: casework.NoticeHighRisk, UnitID: next.UnitID, RecordType: RecordType,
			RecordID: next.ID, Reason: string(ReasonReview), Due: next.ReviewDue})
	}
}

func (s *Service) notify(ctx context.Context, n casework.Notice) {
	if err := s.k.Notifier().Notify(ctx, n); err != nil {
		s.k.Logger().Warn().Err(err).Str("record_id", n.RecordID).Str("kind", string(n.Kind)).Msg("notice not delivered")
	}
}

// checkReason validates the reason every state change records.
func checkReason(reason string) error {
	if strings.TrimSpace(reason) == "" {
		return errs.Invalid("reason", "required", "every state change records a reason")
	}
	return casework.CheckText("reason", reason, 1000)
}

// checkTime defaults a recorded time to now and refuses one in the future:
// records say what happened, not what is planned.
func checkTime(field string, t *time.Time, now time.Time) error {
	if t.IsZero() {
		*t = now
	}
	*t = casework.Truncate(*t)
	if t.After(now) {
		return errs.Invalid(field, "past", "may not be in the future")
	}
	return nil
}

// History returns a dispute's audit entries in order, if the actor may read
// the dispute.
func (s *Service) History(ctx context.Context, actor casework.Actor, id string) ([]casework.AuditEntry, error) {
	d, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return s.k.Store().AuditTrail(ctx, RecordType, d.ID)
}
