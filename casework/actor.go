package casework

import (
	"context"
	"slices"
	"time"
)

// Role is what a staff member may act as. Policy grants actions to roles.
type Role string

// The roles of domain.md.
const (
	RoleOfficer          Role = "officer"           // 民警
	RoleCommunityOfficer Role = "community_officer" // 社区民警
	RoleMediator         Role = "mediator"          // 人民调解员
	RoleLawyer           Role = "lawyer"            // 驻所公益律师
	RoleCustodian        Role = "custodian"         // 涉案财物管理员
	RoleSupervisor       Role = "supervisor"        // 所领导/审批人
	RoleAuditor          Role = "auditor"
	RoleAdmin            Role = "admin"
)

// The helpers the campaign relies on (issue 14): people who are not police
// officers but record much of the outreach work in their area. They are
// staff of a unit (usually a community police office) with narrow rights,
// fixed by Policy whatever its rows say: they record visits, the services
// and aid given on them, and the hazards, disputes and leads they find, all
// within their unit's reach; they never approve, never reveal sensitive
// personal data, never administer; and they never mediate alone (a session
// that names one of them also names an officer or a people's mediator, see
// the mediation package). What they find reaches an officer through the
// usual hand-offs (a dispute found on a visit becomes a dispute of the
// unit, a lead becomes a lead).
const (
	RoleAuxiliaryPolice Role = "auxiliary_police" // 辅警
	RoleGridWorker      Role = "grid_worker"      // 网格员
	RoleBuildingHead    Role = "building_head"    // 楼长
	RoleVolunteer       Role = "volunteer"        // 志愿者
	RoleCommitteeStaff  Role = "committee_staff"  // 居委会/村委会工作人员
)

// CoreRoles are the roles of domain.md: the police, mediators, lawyers,
// custodians, auditors and admins. Rows meant for "everyone but the
// helpers" (reading disputes, cases, attachments) grant these.
var CoreRoles = []Role{RoleOfficer, RoleCommunityOfficer, RoleMediator, RoleLawyer, RoleCustodian, RoleSupervisor, RoleAuditor, RoleAdmin}

// HelperRoles are the helpers' roles, in a stable order.
var HelperRoles = []Role{RoleAuxiliaryPolice, RoleGridWorker, RoleBuildingHead, RoleVolunteer, RoleCommitteeStaff}

// AllRoles lists the built-in roles in a stable order: the core roles, then
// the helpers'.
var AllRoles = slices.Concat(CoreRoles, HelperRoles)

// Helper reports whether r is one of the helpers' roles, whose rights the
// policy keeps narrow whatever its rows say.
func (r Role) Helper() bool { return slices.Contains(HelperRoles, r) }

// Staff is a person who works for a unit and may be named as acting on a
// record. Areas is the officer's responsibility area (责任区): community
// names or address ids whose due visits and hazards the officer owns.
type Staff struct {
	ID     string   `json:"id"`
	UnitID string   `json:"unitId" validate:"required"`
	Name   string   `json:"name" validate:"required,max=100"`
	Roles  []Role   `json:"roles" validate:"required,min=1,dive,required"`
	Areas  []string `json:"areas,omitempty" validate:"dive,required,max=200"`
	// PersonID links the staff member to their own person record, when they
	// have one, so that a workflow can refuse them where the law does (an
	// officer may never receive a returned item).
	PersonID  string    `json:"personId,omitempty"`
	Active    bool      `json:"active"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Clone returns a copy that shares nothing with s.
func (s Staff) Clone() Staff {
	s.Roles = slices.Clone(s.Roles)
	s.Areas = slices.Clone(s.Areas)
	return s
}

// StaffFilter selects staff.
type StaffFilter struct {
	UnitUnder string // subtree path
	Role      Role
	Area      string // staff whose responsibility area holds this
	PersonID  string // staff linked to this person record
}

// Actor is a staff member acting now. Services check the actor against the
// stored staff record on every call, so an embedder cannot act with roles or
// a unit the staff member does not hold.
type Actor struct {
	StaffID string `json:"staffId"`
	UnitID  string `json:"unitId"`
	Roles   []Role `json:"roles"`
}

// Has reports whether the actor holds role r.
func (a Actor) Has(r Role) bool { return slices.Contains(a.Roles, r) }

type actorKey struct{}
type requestIDKey struct{}

// WithActor puts the acting actor in ctx for layers that cannot pass it
// explicitly; services take the actor as an argument.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor placed by WithActor.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}

// WithRequestID tags ctx with the id of the request that causes a change, so
// that every audit entry names it.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFrom returns the request id, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
