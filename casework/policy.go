package casework

import (
	"fmt"
	"maps"
	"slices"
	"sync"
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
	ActionRead           Action = "record.read"
	ActionRevealPerson   Action = "person.reveal"
	ActionWritePerson    Action = "person.write"
	ActionWriteAddress   Action = "address.write"
	ActionRunReport      Action = "report.run"
	ActionVerifyAudit    Action = "audit.verify"
	ActionAdminUnits     Action = "admin.units"
	ActionAdminStaff     Action = "admin.staff"
	ActionShareRecord    Action = "record.share"
	ActionPutAttachment  Action = "attachment.put"
	ActionReadAttachment Action = "attachment.read"
	// Dead hand-offs are the deployment's plumbing, not a unit's records:
	// only an admin of the root unit lists and replays them.
	ActionReadDeadHandoffs Action = "handoff.read_dead"
	ActionReplayHandoff    Action = "handoff.replay"
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
// and mediators and lawyers act only on records assigned to them.
type Policy struct {
	mu    sync.RWMutex
	rules map[Action]Rule
}

// NewPolicy returns the kernel's default table.
func NewPolicy() *Policy {
	p := &Policy{rules: map[Action]Rule{}}
	everyone := AllRoles
	staff := []Role{RoleOfficer, RoleCommunityOfficer, RoleSupervisor}
	for _, r := range []Rule{
		{Action: ActionRead, Kind: KindRead, Roles: everyone},
		{Action: ActionRevealPerson, Kind: KindReveal, Roles: staff},
		{Action: ActionWritePerson, Kind: KindWrite, Roles: append(slices.Clone(staff), RoleMediator, RoleCustodian)},
		{Action: ActionWriteAddress, Kind: KindWrite, Roles: staff},
		{Action: ActionRunReport, Kind: KindRead, Roles: []Role{RoleOfficer, RoleCommunityOfficer, RoleSupervisor, RoleAuditor}},
		{Action: ActionVerifyAudit, Kind: KindRead, Roles: []Role{RoleAuditor, RoleSupervisor}},
		{Action: ActionAdminUnits, Kind: KindAdmin, Roles: []Role{RoleAdmin}},
		{Action: ActionAdminStaff, Kind: KindAdmin, Roles: []Role{RoleAdmin}},
		{Action: ActionShareRecord, Kind: KindWrite, Roles: staff},
		{Action: ActionPutAttachment, Kind: KindWrite, Roles: []Role{RoleOfficer, RoleCommunityOfficer, RoleSupervisor, RoleMediator, RoleLawyer, RoleCustodian}},
		{Action: ActionReadAttachment, Kind: KindRead, Roles: everyone},
		{Action: ActionReadDeadHandoffs, Kind: KindAdmin, Roles: []Role{RoleAdmin}},
		{Action: ActionReplayHandoff, Kind: KindAdmin, Roles: []Role{RoleAdmin}},
	} {
		p.rules[r.Action] = r
	}
	return p
}

// Set replaces a row. It refuses rows that break separation of duties.
func (p *Policy) Set(r Rule) error {
	if err := r.check(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.rules == nil {
		p.rules = map[Action]Rule{}
	}
	r.Roles = slices.Clone(r.Roles)
	p.rules[r.Action] = r
	return nil
}

// Default adds rows only for actions the table does not hold yet, so that an
// integrator's overrides survive a service's defaults.
func (p *Policy) Default(rules ...Rule) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.rules == nil {
		p.rules = map[Action]Rule{}
	}
	for _, r := range rules {
		if err := r.check(); err != nil {
			return err
		}
		if _, ok := p.rules[r.Action]; !ok {
			r.Roles = slices.Clone(r.Roles)
			p.rules[r.Action] = r
		}
	}
	return nil
}

// Rule returns the row for an action.
func (p *Policy) Rule(a Action) (Rule, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	r, ok := p.rules[a]
	r.Roles = slices.Clone(r.Roles)
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
	if r.Action == "" || r.Kind == 0 {
		return fmt.Errorf("policy rule needs an action and a kind: %+v", r)
	}
	for _, role := range r.Roles {
		if role == RoleAdmin && r.Kind == KindReveal {
			return fmt.Errorf("policy: %s may not be granted to admin (separation of duties)", r.Action)
		}
		if role == RoleAuditor && r.Kind != KindRead {
			return fmt.Errorf("policy: %s may not be granted to auditor, who only reads", r.Action)
		}
	}
	return nil
}

// assignmentBound roles act only on records that name them.
func assignmentBound(r Role) bool { return r == RoleMediator || r == RoleLawyer }

// grants reports which of the actor's roles the rule grants, and whether any
// of them is free of the assignment restriction.
func (r Rule) grants(roles []Role) (granted, unbound bool) {
	if r.Kind == KindReveal && slices.Contains(roles, RoleAdmin) {
		return false, false // an admin never reveals, whatever else it holds
	}
	for _, role := range roles {
		if !slices.Contains(r.Roles, role) {
			continue
		}
		// Hard rules win over any table a caller built by hand.
		if role == RoleAdmin && r.Kind == KindReveal || role == RoleAuditor && r.Kind != KindRead {
			continue
		}
		granted = true
		if !assignmentBound(role) {
			unbound = true
		}
	}
	return granted, unbound
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
