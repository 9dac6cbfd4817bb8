package mediation

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// SessionInput records a mediation session (调解) and its record (调解笔录).
type SessionInput struct {
	At        time.Time  `json:"at,omitzero"` // default now
	Place     string     `json:"place" validate:"required,line,max=200"`
	Mediators []Mediator `json:"mediators" validate:"required,min=1,max=10,dive"`
	Attendees []Attendee `json:"attendees,omitempty" validate:"max=50,dive"`
	Notes     string     `json:"notes" validate:"required,max=20000"`
}

// mediatorRoles are the roles in which staff conduct a session.
var mediatorRoles = []casework.Role{casework.RoleOfficer, casework.RoleCommunityOfficer, casework.RoleSupervisor,
	casework.RoleMediator, casework.RoleLawyer}

// conductingRoles are the roles whose presence lets a helper take part in
// a session: a police officer (any of the police roles) or a people's
// mediator. A lawyer advises and may conduct a session on their own, but is
// not who the law entrusts with mediation, so a lawyer alone does not make a
// helper's session.
var conductingRoles = []casework.Role{casework.RoleOfficer, casework.RoleCommunityOfficer, casework.RoleSupervisor,
	casework.RoleMediator}

// RecordSession adds a session to a dispute in mediation. Each mediator
// must be an active staff member holding the role they act in, and a
// mediator or lawyer must be assigned to the dispute. A helper (a grid
// worker, a committee member …, casework.HelperRoles) may be named as a
// mediator in their helper role but never mediates alone: the session must
// also name a mediator acting as an officer or a people's mediator
// (ErrInvalid on "mediators", rule "not_alone"). A helper never records a
// session (mediation.mediate is not theirs) nor presides over an agreement. In police mediation a
// minor party's guardian must be among the attendees.
func (s *Service) RecordSession(ctx context.Context, actor casework.Actor, id string, version int64, in SessionInput) (Dispute, error) {
	return s.update(ctx, actor, id, version, change{
		action: always(ActionMediate),
		audit:  "mediation.session",
		mutate: func(d *Dispute) error {
			if d.State != StateInMediation {
				return errs.Invalid("state", "in_mediation", "sessions are held while the dispute is in mediation (it is %s)", d.State)
			}
			now := s.k.Now()
			in.Place, in.Notes = strings.TrimSpace(in.Place), strings.TrimSpace(in.Notes)
			var f errs.Fields
			f.Merge("", s.k.Validate(in))
			f.Merge("", checkTime("at", &in.At, now))
			if err := s.checkMediators(ctx, actor, *d, in.Mediators, &f); err != nil {
				return err
			}
			if err := s.checkAttendees(ctx, actor, in.Attendees, &f); err != nil {
				return err
			}
			if err := f.Err(); err != nil {
				return err
			}
			if d.Kind == KindPolice {
				minors, err := s.minors(ctx, *d, in.At)
				if err != nil {
					return err
				}
				var present []string
				for _, a := range in.Attendees {
					present = append(present, a.PersonID)
				}
				if err := GuardianRule(*d, minors, present, "attendees"); err != nil {
					return err
				}
			}
			d.Sessions = append(d.Sessions, Session{ID: s.k.NewID(), At: in.At, Place: in.Place,
				Mediators: slices.Clone(in.Mediators), Attendees: slices.Clone(in.Attendees), Notes: in.Notes,
				RecordedBy: actor.StaffID, RecordedAt: now})
			return nil
		},
	})
}

func (s *Service) checkMediators(ctx context.Context, actor casework.Actor, d Dispute, ms []Mediator, f *errs.Fields) error {
	seen := map[string]bool{}
	for i, m := range ms {
		field := fmt.Sprintf("mediators[%d]", i)
		if m.StaffID == "" {
			continue
		}
		if seen[m.StaffID] {
			f.Add(field+".staffId", "unique", "%s is named twice", m.StaffID)
		}
		seen[m.StaffID] = true
		if !slices.Contains(mediatorRoles, m.Role) && !m.Role.Helper() {
			f.Add(field+".role", "oneof", "a session is conducted by an officer, a people's mediator or a lawyer, assisted by helpers")
			continue
		}
		st, ok, err := s.k.StaffInReach(ctx, actor, m.StaffID)
		if err != nil {
			return err
		}
		if !ok {
			f.Add(field+".staffId", "exists", "no staff member %q in reach", m.StaffID)
			continue
		}
		if !st.Active || !slices.Contains(st.Roles, m.Role) {
			f.Add(field+".role", "holds_role", "%s is not an active %s", m.StaffID, m.Role)
		}
		if (m.Role == casework.RoleMediator || m.Role == casework.RoleLawyer) && !slices.Contains(d.Assigned, m.StaffID) {
			f.Add(field+".staffId", "assigned", "%s acts only on disputes assigned to them", m.StaffID)
		}
	}
	helped := slices.ContainsFunc(ms, func(m Mediator) bool { return m.Role.Helper() })
	conducted := slices.ContainsFunc(ms, func(m Mediator) bool { return slices.Contains(conductingRoles, m.Role) })
	if helped && !conducted {
		f.Add("mediators", "not_alone", "a helper never mediates alone: name an officer or a people's mediator too")
	}
	return nil
}

func (s *Service) checkAttendees(ctx context.Context, actor casework.Actor, as []Attendee, f *errs.Fields) error {
	for i, a := range as {
		field := fmt.Sprintf("attendees[%d]", i)
		if (a.PersonID == "") == (strings.TrimSpace(a.Name) == "") {
			f.Add(field, "person_or_name", "an attendee is a recorded person or a name, not both")
			continue
		}
		if a.PersonID != "" {
			if _, ok, err := s.k.PersonInReach(ctx, actor, a.PersonID); err != nil {
				return err
			} else if !ok {
				f.Add(field+".personId", "exists", "no person %q in reach", a.PersonID)
			}
		}
	}
	return nil
}

// minors returns the person ids of the parties who are minors at t.
func (s *Service) minors(ctx context.Context, d Dispute, t time.Time) ([]string, error) {
	var out []string
	for _, p := range d.Parties {
		rec, err := s.k.Store().GetPerson(ctx, p.PersonID)
		if err != nil {
			return nil, err
		}
		if isMinor(p, rec.BirthDate, t, s.k.Zone()) {
			out = append(out, p.PersonID)
		}
	}
	return out, nil
}
