package outreach

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// The actions of outreach, as rows of the kernel's permission policy.
const (
	ActionRead          casework.Action = "outreach.read"
	ActionVisit         casework.Action = "outreach.visit"
	ActionHazard        casework.Action = "outreach.hazard"
	ActionVerifyHazard  casework.Action = "outreach.verify_hazard"
	ActionAppointment   casework.Action = "outreach.appointment"
	ActionCampaign      casework.Action = "outreach.campaign"
	ActionPlan          casework.Action = "outreach.plan"
	ActionReadSensitive casework.Action = "outreach.read_sensitive"
	// ActionRefer records, follows up and closes referrals to other
	// agencies.
	ActionRefer casework.Action = "outreach.refer"
)

// Record types in the audit log and in permission targets.
const (
	RecordVisit       = "visit"
	RecordHazard      = "hazard"
	RecordAppointment = "appointment"
	RecordCampaign    = "campaign"
	RecordPlanEntry   = "plan_entry"
	RecordReferral    = "referral"
)

// DefaultRules are the policy rows New adds unless the table already holds
// them. Sensitive detail is a reveal, so the kernel never grants it to an
// admin; auditors only read.
func DefaultRules() []casework.Rule {
	field := []casework.Role{casework.RoleOfficer, casework.RoleCommunityOfficer, casework.RoleSupervisor}
	// The helpers (casework.HelperRoles) record visits, the services and
	// aid given, and the hazards they find, and read their unit's visits
	// and hazards (sensitive visits masked: read_sensitive is a reveal,
	// never theirs). Verifying a rectification is an approval: never theirs.
	recording := slices.Concat(field, casework.HelperRoles)
	return []casework.Rule{
		{Action: ActionRead, Kind: casework.KindRead, Roles: slices.Concat(recording, []casework.Role{casework.RoleAuditor})},
		{Action: ActionVisit, Kind: casework.KindWrite, Roles: recording},
		{Action: ActionHazard, Kind: casework.KindWrite, Roles: recording},
		{Action: ActionVerifyHazard, Kind: casework.KindApprove, Roles: field},
		{Action: ActionAppointment, Kind: casework.KindWrite, Roles: field},
		{Action: ActionPlan, Kind: casework.KindWrite, Roles: field},
		{Action: ActionRefer, Kind: casework.KindWrite, Roles: field},
		{Action: ActionCampaign, Kind: casework.KindWrite, Roles: []casework.Role{casework.RoleSupervisor}},
		{Action: ActionReadSensitive, Kind: casework.KindReveal, Roles: []casework.Role{casework.RoleSupervisor, casework.RoleCommunityOfficer}},
	}
}

// Config tunes a Service. A nil *Config, and every zero field, means the
// default.
type Config struct {
	// Frequencies overrides how often target kinds must be visited; kinds it
	// does not name keep DefaultFrequencies. A zero Frequency takes a kind
	// off the schedule.
	Frequencies map[TargetKind]Frequency
	// LeadDays is how many days before its deadline's day a visited target
	// becomes due again. nil means 7; a negative value means 0.
	LeadDays *int
	// PageCacheBytes bounds the pages of visit refs ListVisitPage keeps,
	// each answered again only while nothing was committed since it was
	// read: a write of this process is seen at once, another process's
	// within the kernel's CacheWatch (casework.PageCache says how). 0 means
	// DefaultPageCacheBytes; negative keeps none: an embedder that writes
	// visits into the store without an audit entry (never through a
	// Service) must turn it off.
	PageCacheBytes int64
}

// Service is the only way to change outreach records: it checks the
// actor's permission and reach, validates, and commits each change with its
// audit entry (and any hand-offs) in one transaction.
type Service struct {
	k     *casework.Kernel
	store Store
	plan  Plan
	pages *casework.PageCache[VisitRef]
}

// New builds the outreach service on a kernel and a store and registers
// with the kernel all that it provides (Provides): its policy rows, code
// lists, figures, the sweep of overdue referrals and the write-backs that
// link a visit's findings to the dispute or lead each became.
func New(k *casework.Kernel, store Store, cfg *Config) (*Service, error) {
	if k == nil || store == nil {
		return nil, errors.New("outreach: New needs a kernel and a store")
	}
	if cfg == nil {
		cfg = &Config{}
	}
	freq := DefaultFrequencies()
	maps.Copy(freq, cfg.Frequencies)
	for kind, f := range freq {
		if !kind.Valid() {
			return nil, errs.Invalid("frequencies", "code", "%q is not a target kind", kind)
		}
		if f.Months < 0 || f.Days < 0 {
			return nil, errs.Invalid("frequencies."+string(kind), "min", "may not be negative")
		}
	}
	lead := 7
	if cfg.LeadDays != nil {
		lead = max(*cfg.LeadDays, 0)
	}
	s := &Service{k: k, store: store, plan: Plan{Frequencies: freq, LeadDays: lead, Zone: k.Zone()}, pages: casework.NewPageCache(k, "visit_page", cfg.PageCacheBytes, refsBytes)}
	if err := k.Register(s); err != nil {
		return nil, err
	}
	return s, nil
}

var _ casework.Workflow = (*Service)(nil)

// Provides lists what outreach brings to the kernel. Its findings are
// received by whichever workflow registers casework.KindDisputeFinding and
// casework.KindLeadFinding (mediation and casework/cases); until one does,
// they wait in the outbox.
func (s *Service) Provides() casework.Provision {
	return casework.Provision{
		Name:    "outreach",
		Rules:   DefaultRules(),
		Codes:   append(codeLists(), referralCodeLists()...),
		Figures: s,
		Sweeper: s,
		Mover:   s,
		Writebacks: map[string]casework.Writeback{
			casework.KindDisputeFinding: s.linkFinding,
			casework.KindLeadFinding:    s.linkFinding,
		},
		PersonReferences: s,
	}
}

// Plan returns the visit plan policy in force: frequencies, lead time and
// zone. Its Assess is the one due/overdue rule.
func (s *Service) Plan() Plan {
	p := s.plan
	p.Frequencies = maps.Clone(s.plan.Frequencies)
	return p
}

// created is the tail of every outreach create: the record's audit entry
// and its request key (which answers a retry with this record) commit with
// it through store, in one transaction. It returns rec, or rec's zero value
// and the error.
func created[T any](ctx context.Context, s *Service, actor casework.Actor, rk *casework.RequestKey, action casework.Action,
	recordType, id string, rec T, store func(context.Context, T, casework.Change) error) (T, error) {
	ch, err := s.k.Change(ctx, actor, action, recordType, id, nil, rec)
	if err == nil {
		err = ch.Keyed(rk, recordType, id, rec)
	}
	if err == nil {
		err = store(ctx, rec, ch)
	}
	if err != nil {
		var zero T
		return zero, err
	}
	return rec, nil
}

// Kernel returns the kernel the service is built on.
func (s *Service) Kernel() *casework.Kernel { return s.k }

// helperBound reports whether the actor holds the action only as a helper
// (casework.HelperRoles): the kind of a sensitive visit or plan entry (a key
// or special person's family) is itself sensitive, so a helper neither
// records nor sees one, not even masked.
func (s *Service) helperBound(actor casework.Actor, action casework.Action) bool {
	return s.k.Policy().HelperBound(action, actor.Roles)
}

// canSeeSensitive reports whether the actor may see who was visited on
// sensitive visits. A forbidden answer is not an error: the actor sees the
// masked view.
func (s *Service) canSeeSensitive(ctx context.Context, actor casework.Actor, t casework.Target) (bool, error) {
	err := s.k.Authorize(ctx, actor, ActionReadSensitive, t)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, errs.ErrForbidden), errors.Is(err, errs.ErrNotFound):
		return false, nil
	}
	return false, err
}

// scope authorizes a list and returns the unit path it covers: the unit
// it names must lie in reach before the actor's roles are consulted.
func (s *Service) scope(ctx context.Context, actor casework.Actor, action casework.Action, unitID string) (string, error) {
	if err := s.k.UnitInReach(ctx, actor, unitID); err != nil {
		return "", err
	}
	if err := s.k.Authorize(ctx, actor, action, casework.Target{}); err != nil {
		return "", err
	}
	return s.k.Scope(ctx, actor, unitID)
}

// retry runs a read-modify-write again while it loses a compare-and-swap
// to a concurrent writer of a record the caller did not name (a plan entry,
// a finding's visit); the caller's own version checks fail at once instead.
// Each lost round means another writer won, so a handful of rounds covers
// any realistic crowd at one household.
func retry(fn func() error) error {
	var err error
	for range 8 {
		if err = fn(); !errors.Is(err, errRetry) {
			return err
		}
	}
	return errs.Wrap(errs.ErrConflict, err, "gave up after concurrent updates")
}

// errRetry marks a lost compare-and-swap that retry may repeat.
var errRetry = errors.New("retry")

// isReach reports whether err says a record is out of the actor's reach
// (or absent): callers turn that into a field error of their own input.
func isReach(err error) bool {
	return errors.Is(err, errs.ErrNotFound) || errors.Is(err, errs.ErrForbidden)
}

// History returns the audit entries of an outreach record (visit, hazard,
// appointment, campaign, plan entry, referral) in order, if the actor may read it.
func (s *Service) History(ctx context.Context, actor casework.Actor, recordType, id string) ([]casework.AuditEntry, error) {
	var err error
	switch recordType {
	case RecordVisit:
		_, err = s.GetVisit(ctx, actor, id)
	case RecordHazard:
		_, err = s.GetHazard(ctx, actor, id)
	case RecordAppointment:
		_, err = s.GetAppointment(ctx, actor, id)
	case RecordCampaign:
		_, err = s.GetCampaign(ctx, actor, id)
	case RecordPlanEntry:
		_, err = s.GetPlanEntry(ctx, actor, id)
	case RecordReferral:
		_, err = s.GetReferral(ctx, actor, id)
	default:
		err = errs.NotFound(recordType, id)
	}
	if err != nil {
		return nil, err
	}
	return s.k.Store().AuditTrail(ctx, recordType, id)
}
