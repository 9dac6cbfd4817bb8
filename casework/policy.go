package casework

import (
	"maps"
	"slices"
	"sync"

	"github.com/grassroots-policing/grassroots/internal/audit"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Action is something a role may be allowed to do, e.g. "mediation.accept".
type Action string

// ActionKind sorts actions for the separation-of-duties rules.
type ActionKind int

// Kinds of actions.
const (
	KindRead    ActionKind = iota + 1 // sees records
	KindWrite                         // changes records
	KindApprove                       // approves what someone else asked for
	KindReveal                        // sees sensitive personal data in clear
	KindAdmin                         // administers units and staff
)

// The kernel's own actions. Workflow packages register theirs.
const (
	ActionRead         Action = "record.read"
	ActionRevealPerson Action = "person.reveal"
	// ActionRevealRefused names the audit entry of a refused reveal; no
	// policy row grants it, it is never checked.
	ActionRevealRefused Action = "person.reveal_refused"
	ActionWritePerson   Action = "person.write"
	// Merging two person records moves every reference of one onto the
	// other: a supervisor's decision, checked on both persons.
	ActionMergePersons Action = "person.merge"
	ActionWriteAddress Action = "address.write"
	ActionRunReport    Action = "report.run"
	ActionVerifyAudit  Action = "audit.verify"
	ActionAdminUnits   Action = "admin.units"
	ActionAdminStaff   Action = "admin.staff"
	// ActionHandOver moves open records: a staff member's assignments to a
	// colleague, or a closing unit's records to the receiving unit.
	ActionHandOver       Action = "records.hand_over"
	ActionShareRecord    Action = "record.share"
	ActionPutAttachment  Action = "attachment.put"
	ActionReadAttachment Action = "attachment.read"
	// Dead hand-offs are the deployment's plumbing, not a unit's records:
	// only an admin of the root unit lists and replays them.
	ActionReadDeadHandoffs Action = "handoff.read_dead"
	ActionReplayHandoff    Action = "handoff.replay"
	// Erasing an audit payload purges personal data from the log under a
	// retention rule. It is the deployment's housekeeping, like dead
	// hand-offs, and an admin's: an auditor never writes, and an officer
	// must not choose which of their own traces disappear.
	ActionErasePayload Action = audit.EraseAction
)

// Rule is one row of the policy table.
type Rule struct {
	Action Action
	Kind   ActionKind
	Roles  []Role
	// MinLevel, when set, requires the actor's unit to be at this level or
	// higher (approvals of returns and disposals: branch by default).
	MinLevel Level
}

// Policy is the permission table (role × action) held as data. The zero
// value is empty; NewPolicy gives the defaults. Integrators override rows
// with Set before building services; services add their default rows with
// Default, which never replaces a row already set.
//
// Separation of duties is not a row and cannot be overridden: an admin is
// never granted a reveal, an auditor is never granted anything but reads,
// and mediators and lawyers act only on records assigned to them. Nor are
// the helpers' limits (HelperRoles): a helper is never granted an approval,
// a reveal or administration. Those rules hang on an action's kind, so the kind is not the granting row's to
// choose: the kernel fixes the kind of its own actions, a workflow package
// fixes the kind of its actions when it registers their defaults (Default),
// and a row that gives a known action another kind is refused.
type Policy struct {
	mu    sync.RWMutex
	rules map[Action]Rule
	kinds map[Action]ActionKind // declared by Default; kernel actions in kernelKinds
}

// kernelKinds fixes the kind of the kernel's own actions for every Policy,
// the zero value included.
var kernelKinds = func() map[Action]ActionKind {
	m := map[Action]ActionKind{}
	for _, r := range kernelRules() {
		m[r.Action] = r.Kind
	}
	return m
}()

// NewPolicy returns the kernel's default table.
func NewPolicy() *Policy {
	p := &Policy{rules: map[Action]Rule{}}
	for _, r := range kernelRules() {
		p.rules[r.Action] = r
	}
	return p
}

func kernelRules() []Rule {
	everyone := AllRoles
	staff := []Role{RoleOfficer, RoleCommunityOfficer, RoleSupervisor}
	return []Rule{
		{Action: ActionRead, Kind: KindRead, Roles: everyone},
		{Action: ActionRevealPerson, Kind: KindReveal, Roles: staff},
		{Action: ActionWritePerson, Kind: KindWrite, Roles: append(slices.Clone(staff), RoleMediator, RoleCustodian)},
		{Action: ActionMergePersons, Kind: KindWrite, Roles: []Role{RoleSupervisor}},
		{Action: ActionWriteAddress, Kind: KindWrite, Roles: staff},
		{Action: ActionRunReport, Kind: KindRead, Roles: []Role{RoleOfficer, RoleCommunityOfficer, RoleSupervisor, RoleAuditor}},
		{Action: ActionVerifyAudit, Kind: KindRead, Roles: []Role{RoleAuditor, RoleSupervisor}},
		{Action: ActionAdminUnits, Kind: KindAdmin, Roles: []Role{RoleAdmin}},
		{Action: ActionAdminStaff, Kind: KindAdmin, Roles: []Role{RoleAdmin}},
		{Action: ActionShareRecord, Kind: KindWrite, Roles: staff},
		{Action: ActionAttachRecord, Kind: KindWrite, Roles: staff},
		{Action: ActionHandOver, Kind: KindWrite, Roles: []Role{RoleSupervisor}},
		{Action: ActionPutAttachment, Kind: KindWrite, Roles: []Role{RoleOfficer, RoleCommunityOfficer, RoleSupervisor, RoleMediator, RoleLawyer, RoleCustodian}},
		// Helpers upload nothing and read no attachment: a unit's uploads
		// are signed agreements, evidence and returns' receipts.
		{Action: ActionReadAttachment, Kind: KindRead, Roles: CoreRoles},
		{Action: ActionReadDeadHandoffs, Kind: KindAdmin, Roles: []Role{RoleAdmin}},
		{Action: ActionReplayHandoff, Kind: KindAdmin, Roles: []Role{RoleAdmin}},
		{Action: ActionErasePayload, Kind: KindAdmin, Roles: []Role{RoleAdmin}},
	}
}

// Set replaces a row. It refuses rows that break separation of duties and
// rows that give a known action another kind (ErrInvalid naming "kind").
func (p *Policy) Set(r Rule) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.checkKind(r); err != nil {
		return err
	}
	if err := r.check(); err != nil {
		return err
	}
	if p.rules == nil {
		p.rules = map[Action]Rule{}
	}
	r.Roles = slices.Clone(r.Roles)
	p.rules[r.Action] = r
	return nil
}

// Default is how a package registers its actions: it fixes each action's
// kind, and adds rows only for actions the table does not hold yet, so that
// an integrator's overrides survive a service's defaults. A row set earlier
// that gave one of these actions another kind is refused here (ErrInvalid
// naming "kind"), and nothing is changed.
func (p *Policy) Default(rules ...Rule) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, r := range rules {
		if err := p.checkKind(r); err != nil {
			return err
		}
		if err := r.check(); err != nil {
			return err
		}
		if set, ok := p.rules[r.Action]; ok && set.Kind != r.Kind {
			return kindMismatch(r.Action, set.Kind, r.Kind)
		}
	}
	if p.rules == nil {
		p.rules = map[Action]Rule{}
	}
	if p.kinds == nil {
		p.kinds = map[Action]ActionKind{}
	}
	for _, r := range rules {
		p.kinds[r.Action] = r.Kind
		if _, ok := p.rules[r.Action]; !ok {
			r.Roles = slices.Clone(r.Roles)
			p.rules[r.Action] = r
		}
	}
	return nil
}

// checkKind refuses a row whose kind differs from the action's fixed kind.
// The caller holds p.mu.
func (p *Policy) checkKind(r Rule) error {
	if k, ok := p.kindLocked(r.Action); ok && k != r.Kind {
		return kindMismatch(r.Action, k, r.Kind)
	}
	return nil
}

func kindMismatch(a Action, fixed, got ActionKind) error {
	return errs.Invalid("kind", "fixed", "%s is an action of kind %d, not %d: the package that defines it fixes its kind", a, fixed, got)
}

// kindLocked returns an action's fixed kind; the caller holds p.mu.
func (p *Policy) kindLocked(a Action) (ActionKind, bool) {
	if k, ok := kernelKinds[a]; ok {
		return k, true
	}
	k, ok := p.kinds[a]
	return k, ok
}

// Rule returns the row for an action.
func (p *Policy) Rule(a Action) (Rule, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	r, ok := p.rules[a]
	r.Roles = slices.Clone(r.Roles)
	if k, fixed := p.kindLocked(a); ok && fixed {
		r.Kind = k // Set and Default keep them equal; the fixed kind wins regardless
	}
	return r, ok
}

// Rules returns every row, sorted by action, for documentation and audit.
func (p *Policy) Rules() []Rule {
	p.mu.RLock()
	defer p.mu.RUnlock()
	out := make([]Rule, 0, len(p.rules))
	for _, a := range slices.Sorted(maps.Keys(p.rules)) {
		r := p.rules[a]
		r.Roles = slices.Clone(r.Roles)
		out = append(out, r)
	}
	return out
}

func (r Rule) check() error {
	if r.Action == "" {
		return errs.Invalid("action", "required", "a policy rule names an action")
	}
	if r.Kind < KindRead || r.Kind > KindAdmin {
		return errs.Invalid("kind", "kind", "%s: kind %d is not a kind of action", r.Action, r.Kind)
	}
	for _, role := range r.Roles {
		if role == RoleAdmin && r.Kind == KindReveal {
			return errs.Invalid("roles", "separation", "%s may not be granted to admin (separation of duties)", r.Action)
		}
		if role == RoleAuditor && r.Kind != KindRead {
			return errs.Invalid("roles", "separation", "%s may not be granted to auditor, who only reads", r.Action)
		}
		if role.Helper() && !helperKind(r.Kind) {
			return errs.Invalid("roles", "helper", "%s may not be granted to %s: helpers never approve, reveal or administer", r.Action, role)
		}
	}
	return nil
}

// helperKind reports whether an action of kind k may be granted to a
// helper's role at all: reads and writes (recording what they did and
// found), never approvals, reveals or administration.
func helperKind(k ActionKind) bool { return k == KindRead || k == KindWrite }

// assignmentBound roles act only on records that name them.
func assignmentBound(r Role) bool { return r == RoleMediator || r == RoleLawyer }

// grants reports which of the actor's roles the rule grants, and whether any
// of them is free of the assignment restriction.
func (r Rule) grants(roles []Role) (granted, unbound bool) {
	if slices.Contains(roles, RoleAdmin) && (r.Kind == KindReveal || len(roles) > 1) {
		return false, false // an admin never reveals and holds no other role
	}
	for _, role := range roles {
		if !slices.Contains(r.Roles, role) {
			continue
		}
		// Hard rules win over any table a caller built by hand.
		if role == RoleAdmin && r.Kind == KindReveal || role == RoleAuditor && r.Kind != KindRead ||
			role.Helper() && !helperKind(r.Kind) {
			continue
		}
		granted = true
		if !assignmentBound(role) {
			unbound = true
		}
	}
	return granted, unbound
}

// HelperBound reports whether the action is granted to these roles only
// through the helpers' roles (HelperRoles). Such an actor must not learn
// even which households are a key or special person's: a workflow leaves
// records of that kind out of its lists and refuses them one by one.
func (p *Policy) HelperBound(action Action, roles []Role) bool {
	r, ok := p.Rule(action)
	if !ok {
		return false
	}
	core := slices.DeleteFunc(slices.Clone(roles), Role.Helper)
	granted, _ := r.grants(roles)
	byCore, _ := r.grants(core)
	return granted && !byCore
}

// AssignmentBound reports whether the action is granted to these roles only
// through assignment-bound roles (mediator, lawyer): such an actor may act
// only on records naming it, so its lists must be narrowed to them.
func (p *Policy) AssignmentBound(action Action, roles []Role) bool {
	r, ok := p.Rule(action)
	if !ok {
		return false
	}
	granted, unbound := r.grants(roles)
	return granted && !unbound
}
