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

// AllRoles lists the built-in roles in a stable order.
var AllRoles = []Role{RoleOfficer, RoleCommunityOfficer, RoleMediator, RoleLawyer, RoleCustodian, RoleSupervisor, RoleAuditor, RoleAdmin}

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
