package casework

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// UnitInput creates a unit.
type UnitInput struct {
	Code       string `json:"code" validate:"required,alphanum,max=32"`
	Name       string `json:"name" validate:"required,max=100"`
	Level      Level  `json:"level" validate:"min=1,max=4"`
	ParentID   string `json:"parentId"`
	RequestKey string `json:"-"`
}

// StaffInput creates a staff member.
type StaffInput struct {
	UnitID     string   `json:"unitId" validate:"required"`
	Name       string   `json:"name" validate:"required,max=100"`
	Roles      []Role   `json:"roles" validate:"required,min=1"`
	Areas      []string `json:"areas" validate:"dive,required,max=200"`
	PersonID   string   `json:"personId,omitempty"`
	RequestKey string   `json:"-"`
}

// SystemActorID names the bootstrap in the audit log.
const SystemActorID = "system"

// Bootstrap creates the root unit and its first admin on an empty database.
// It refuses once any unit exists, so it cannot be used to get in later.
func (k *Kernel) Bootstrap(ctx context.Context, root UnitInput, admin StaffInput) (Unit, Staff, error) {
	units, err := k.store.ListUnits(ctx, UnitFilter{})
	if err != nil {
		return Unit{}, Staff{}, err
	}
	if len(units) > 0 {
		return Unit{}, Staff{}, errs.New(errs.ErrConflict, "bootstrap: the database already has units")
	}
	if root.ParentID != "" {
		return Unit{}, Staff{}, errs.Invalid("parentId", "root", "the root unit has no parent")
	}
	if !slices.Contains(admin.Roles, RoleAdmin) {
		admin.Roles = slices.Concat(admin.Roles, []Role{RoleAdmin}) // never into the caller's array
	}
	if admin.PersonID != "" {
		return Unit{}, Staff{}, errs.Invalid("personId", "empty", "an empty database holds no person to link")
	}
	admin.UnitID = "root" // checked below; the real id comes with the unit
	if err := k.Validate(admin); err != nil {
		return Unit{}, Staff{}, err
	}
	if err := checkRoles(admin.Roles); err != nil {
		return Unit{}, Staff{}, err
	}
	sys := Actor{StaffID: SystemActorID}
	u, err := k.createUnit(ctx, sys, root, "")
	if err != nil {
		return Unit{}, Staff{}, err
	}
	admin.UnitID = u.ID
	s, err := k.createStaff(ctx, Actor{StaffID: SystemActorID, UnitID: u.ID}, admin)
	if err != nil {
		return Unit{}, Staff{}, err
	}
	return u, s, nil
}

// CreateUnit adds a unit below a parent in the actor's subtree.
func (k *Kernel) CreateUnit(ctx context.Context, actor Actor, in UnitInput) (Unit, error) {
	if in.ParentID == "" {
		return Unit{}, errs.Invalid("parentId", "required", "only Bootstrap creates a root unit")
	}
	if err := k.Check(ctx, actor, ActionAdminUnits, unitTarget(actor, in.ParentID)); err != nil {
		return Unit{}, err
	}
	parent, err := k.unit(ctx, in.ParentID)
	if err != nil {
		return Unit{}, errs.Invalid("parentId", "exists", "no unit %q", in.ParentID)
	}
	if in.Level <= parent.Level {
		return Unit{}, errs.Invalid("level", "below_parent", "a %s cannot sit under a %s", in.Level, parent.Level)
	}
	if err := k.openUnit(ctx, "parentId", parent.ID); err != nil {
		return Unit{}, err
	}
	return CreateOnce(ctx, k, actor, in.RequestKey, in, func(rk *RequestKey) (Unit, error) {
		return k.createUnitKeyed(ctx, actor, in, parent.Path, rk)
	})
}

func (k *Kernel) createUnit(ctx context.Context, actor Actor, in UnitInput, parentPath string) (Unit, error) {
	return k.createUnitKeyed(ctx, actor, in, parentPath, nil)
}

func (k *Kernel) createUnitKeyed(ctx context.Context, actor Actor, in UnitInput, parentPath string, rk *RequestKey) (Unit, error) {
	in.Code = strings.TrimSpace(in.Code)
	if err := k.Validate(in); err != nil {
		return Unit{}, err
	}
	now := k.Now()
	id := k.NewID()
	u := Unit{ID: id, Code: in.Code, Name: in.Name, Level: in.Level, ParentID: in.ParentID, Path: UnitPath(parentPath, id),
		Version: 1, CreatedAt: now, UpdatedAt: now}
	if actor.UnitID == "" {
		actor.UnitID = u.ID
	}
	ch, err := k.Change(ctx, actor, "unit.create", "unit", u.ID, nil, u)
	if err != nil {
		return Unit{}, err
	}
	if err := ch.Keyed(rk, "unit", u.ID, u); err != nil {
		return Unit{}, err
	}
	if err := k.store.CreateUnit(ctx, u, ch); err != nil {
		return Unit{}, err
	}
	return u, nil
}

// RenameUnit changes a unit's name (its code and place never change).
func (k *Kernel) RenameUnit(ctx context.Context, actor Actor, id string, version int64, name string) (Unit, error) {
	if err := CheckLine("name", name, 0); err != nil {
		return Unit{}, err
	}
	if err := k.Check(ctx, actor, ActionAdminUnits, Target{RecordType: "unit", RecordID: id, UnitID: id}); err != nil {
		return Unit{}, err
	}
	cur, err := k.store.GetUnit(ctx, id)
	if err != nil {
		return Unit{}, err
	}
	if cur.Closed() {
		return Unit{}, errs.Invalid("name", "open", "unit %s was closed: its name stays as it was", cur.Code)
	}
	if cur.Version != version {
		return Unit{}, errs.Stale("unit", id, version)
	}
	next := cur
	next.Name, next.Version, next.UpdatedAt = name, cur.Version+1, k.Now()
	if err := k.Validate(UnitInput{Code: next.Code, Name: next.Name, Level: next.Level}); err != nil {
		return Unit{}, err
	}
	ch, err := k.Change(ctx, actor, "unit.rename", "unit", id, cur, next)
	if err != nil {
		return Unit{}, err
	}
	if err := k.store.UpdateUnit(ctx, next, ch); err != nil {
		return Unit{}, err
	}
	k.unitPaths.Delete(id)
	return next, nil
}

// GetUnit returns a unit in the actor's reach.
func (k *Kernel) GetUnit(ctx context.Context, actor Actor, id string) (Unit, error) {
	if err := k.Check(ctx, actor, ActionRead, Target{RecordType: "unit", RecordID: id, UnitID: id}); err != nil {
		return Unit{}, err
	}
	return k.store.GetUnit(ctx, id)
}

// ListUnits returns the actor's unit and every unit below it.
func (k *Kernel) ListUnits(ctx context.Context, actor Actor) ([]Unit, error) {
	if err := k.checkUnit(ctx, actor, ActionRead, ""); err != nil {
		return nil, err
	}
	path, err := k.Scope(ctx, actor, "")
	if err != nil {
		return nil, err
	}
	return k.store.ListUnits(ctx, UnitFilter{Under: path})
}

// CreateStaff adds a staff member to a unit in the actor's subtree.
func (k *Kernel) CreateStaff(ctx context.Context, actor Actor, in StaffInput) (Staff, error) {
	if err := k.Check(ctx, actor, ActionAdminStaff, Target{RecordType: "unit", RecordID: in.UnitID, UnitID: in.UnitID}); err != nil {
		return Staff{}, err
	}
	if err := k.ref(ctx, actor, "person", "personId", in.PersonID); err != nil {
		return Staff{}, err
	}
	if err := k.openUnit(ctx, "unitId", in.UnitID); err != nil {
		return Staff{}, err
	}
	return CreateOnce(ctx, k, actor, in.RequestKey, in, func(rk *RequestKey) (Staff, error) {
		return k.createStaffKeyed(ctx, actor, in, rk)
	})
}

func (k *Kernel) createStaff(ctx context.Context, actor Actor, in StaffInput) (Staff, error) {
	return k.createStaffKeyed(ctx, actor, in, nil)
}

func (k *Kernel) createStaffKeyed(ctx context.Context, actor Actor, in StaffInput, rk *RequestKey) (Staff, error) {
	if err := k.Validate(in); err != nil {
		return Staff{}, err
	}
	if err := checkRoles(in.Roles); err != nil {
		return Staff{}, err
	}
	now := k.Now()
	s := Staff{ID: k.NewID(), UnitID: in.UnitID, Name: in.Name, Roles: slices.Clone(in.Roles), Areas: slices.Clone(in.Areas),
		PersonID: in.PersonID, Active: true, Version: 1, CreatedAt: now, UpdatedAt: now}
	ch, err := k.Change(ctx, actor, "staff.create", "staff", s.ID, nil, s)
	if err != nil {
		return Staff{}, err
	}
	if err := ch.Keyed(rk, "staff", s.ID, s); err != nil {
		return Staff{}, err
	}
	if err := k.store.CreateStaff(ctx, s, ch); err != nil {
		return Staff{}, err
	}
	return s, nil
}

// StaffUpdate changes a staff member's roles, areas or status.
type StaffUpdate struct {
	Name     *string
	Roles    []Role
	Areas    []string
	Active   *bool
	PersonID *string
}

// UpdateStaff changes a staff member (compare-and-swap on version).
func (k *Kernel) UpdateStaff(ctx context.Context, actor Actor, id string, version int64, up StaffUpdate) (Staff, error) {
	cur, err := k.store.GetStaff(ctx, id)
	if err != nil {
		return Staff{}, err
	}
	if err := k.Check(ctx, actor, ActionAdminStaff, Target{RecordType: "staff", RecordID: id, UnitID: cur.UnitID}); err != nil {
		return Staff{}, err
	}
	if cur.Version != version {
		return Staff{}, errs.Stale("staff", id, version)
	}
	next := cur.Clone()
	if up.Name != nil {
		next.Name = *up.Name
	}
	if up.Roles != nil {
		next.Roles = slices.Clone(up.Roles)
	}
	if up.Areas != nil {
		next.Areas = slices.Clone(up.Areas)
	}
	if up.Active != nil {
		next.Active = *up.Active
	}
	if up.PersonID != nil {
		if err := k.ref(ctx, actor, "person", "personId", *up.PersonID); err != nil {
			return Staff{}, err
		}
		next.PersonID = *up.PersonID
	}
	if err := k.Validate(StaffInput{UnitID: next.UnitID, Name: next.Name, Roles: next.Roles, Areas: next.Areas}); err != nil {
		return Staff{}, err
	}
	if err := checkRoles(next.Roles); err != nil {
		return Staff{}, err
	}
	next.Version, next.UpdatedAt = cur.Version+1, k.Now()
	ch, err := k.Change(ctx, actor, "staff.update", "staff", id, cur, next)
	if err != nil {
		return Staff{}, err
	}
	err = k.store.UpdateStaff(ctx, next, ch)
	k.staffs.drop(id) // even on an error: the write may have committed before it
	if err != nil {
		return Staff{}, err
	}
	return next, nil
}

// GetStaff returns a staff member in the actor's reach.
func (k *Kernel) GetStaff(ctx context.Context, actor Actor, id string) (Staff, error) {
	s, err := k.store.GetStaff(ctx, id)
	if err != nil {
		return Staff{}, err
	}
	if err := k.Check(ctx, actor, ActionRead, Target{RecordType: "staff", RecordID: id, UnitID: s.UnitID}); err != nil {
		return Staff{}, err
	}
	return s, nil
}

// ListStaff lists staff in the actor's subtree.
func (k *Kernel) ListStaff(ctx context.Context, actor Actor, f StaffFilter, p Page) ([]Staff, string, error) {
	if err := k.checkUnit(ctx, actor, ActionRead, ""); err != nil {
		return nil, "", err
	}
	path, err := k.Scope(ctx, actor, "")
	if err != nil {
		return nil, "", err
	}
	if f.UnitUnder == "" || !Contains(path, f.UnitUnder) {
		f.UnitUnder = path
	}
	p = p.Normalize()
	rows, err := k.store.ListStaff(ctx, f, Page{Limit: p.Limit + 1, After: p.After})
	if err != nil {
		return nil, "", err
	}
	out, next := PageOf(rows, p.Limit, func(s Staff) Cursor { return Cursor{At: s.CreatedAt, ID: s.ID} })
	return out, next, nil
}

// ResponsibleStaff returns the active staff whose responsibility area holds
// an area key (a community name or address id), in the actor's subtree: the
// owners of due visits and hazards there.
func (k *Kernel) ResponsibleStaff(ctx context.Context, actor Actor, area string) ([]Staff, error) {
	list, _, err := k.ListStaff(ctx, actor, StaffFilter{Area: area}, Page{Limit: MaxPageLimit})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(list, func(s Staff) bool { return !s.Active }), nil
}

// policeOrOversight reports the roles a helper may not hold beside its own:
// any of them would give a helper the rights its role keeps narrow.
func policeOrOversight(r Role) bool {
	switch r {
	case RoleOfficer, RoleCommunityOfficer, RoleSupervisor, RoleCustodian, RoleAuditor, RoleAdmin:
		return true
	}
	return false
}

// checkRoles refuses unknown roles and an admin holding any other role:
// separation of duties, so that an administrator cannot make itself an
// officer and reveal what it administers.
func checkRoles(roles []Role) error {
	var f errs.Fields
	for i, r := range roles {
		if !slices.Contains(AllRoles, r) {
			f.Add("roles["+strconv.Itoa(i)+"]", "role", "%q is not a role", r)
		}
	}
	if slices.Contains(roles, RoleAdmin) && len(roles) > 1 {
		f.Add("roles", "admin_alone", "an admin holds no other role (separation of duties)")
	}
	if slices.ContainsFunc(roles, Role.Helper) && slices.ContainsFunc(roles, policeOrOversight) {
		f.Add("roles", "helper_not_police", "a helper (auxiliary police, grid worker, building head, volunteer, committee staff) holds no police, custody, audit or admin role; a people's mediator or lawyer role may be added")
	}
	return f.Err()
}
