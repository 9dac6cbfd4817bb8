package outreach

import (
	"context"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// RequestAppointment records a resident's request for a service at a time
// and place (预约服务), taken by the acting officer or desk.
func (s *Service) RequestAppointment(ctx context.Context, actor casework.Actor, in AppointmentInput) (Appointment, error) {
	in.Requester, in.Place, in.Request = strings.TrimSpace(in.Requester), strings.TrimSpace(in.Place), strings.TrimSpace(in.Request)
	in.StartsAt, in.EndsAt = casework.Truncate(in.StartsAt), casework.Truncate(in.EndsAt)
	if err := s.k.UnitInReach(ctx, actor, in.UnitID); err != nil {
		return Appointment{}, err
	}
	if err := s.k.Authorize(ctx, actor, ActionAppointment, casework.Target{RecordType: RecordAppointment, UnitID: in.UnitID}); err != nil {
		return Appointment{}, err
	}
	var f errs.Fields
	f.Merge("", s.k.Validate(in))
	if in.Service != "" && !in.Service.Valid() {
		f.Add("service", "code", "%q is not a service kind", in.Service)
	}
	checkSlot(&f, in.StartsAt, in.EndsAt)
	if err := s.person(ctx, actor, "personId", in.PersonID, &f); err != nil {
		return Appointment{}, err
	}
	if _, err := s.address(ctx, actor, "addressId", in.AddressID, &f); err != nil {
		return Appointment{}, err
	}
	if err := f.Err(); err != nil {
		return Appointment{}, err
	}
	return casework.CreateOnce(ctx, s.k, actor, in.RequestKey, in, func(rk *casework.RequestKey) (Appointment, error) {
		now := s.k.Now()
		a := Appointment{ID: s.k.NewID(), UnitID: in.UnitID, Service: in.Service, PersonID: in.PersonID, Requester: in.Requester,
			AddressID: in.AddressID, Place: in.Place, Request: in.Request, StartsAt: in.StartsAt, EndsAt: in.EndsAt,
			Status: AppointmentRequested, RecordedBy: actor.StaffID, Version: 1, CreatedAt: now, UpdatedAt: now}
		return created(ctx, s, actor, rk, "appointment.request", RecordAppointment, a.ID, a, s.store.CreateAppointment)
	})
}

// checkSlot is the rule for an appointment's time: it ends after it
// starts, and lasts at most MaxAppointment.
func checkSlot(f *errs.Fields, start, end time.Time) {
	if start.IsZero() || end.IsZero() {
		return
	}
	if !end.After(start) {
		f.Add("endsAt", "gtfield", "must be after startsAt")
	} else if end.Sub(start) > MaxAppointment {
		f.Add("endsAt", "max_duration", "an appointment lasts at most %s", MaxAppointment)
	}
}

// AcceptAppointment gives the appointment to an officer (officerID, or the
// actor when empty). It fails with ErrOverlap when that officer already
// holds an accepted appointment at an overlapping time — also when two
// desks accept at the same moment: the store checks inside its write.
func (s *Service) AcceptAppointment(ctx context.Context, actor casework.Actor, id string, version int64, officerID string) (Appointment, error) {
	if officerID == "" {
		officerID = actor.StaffID
	}
	return s.moveAppointment(ctx, actor, id, version, AppointmentAccepted, func(cur Appointment, next *Appointment) error {
		var f errs.Fields
		st, err := s.staffInReach(ctx, actor, "officerId", officerID, &f)
		if err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		officerPath, err := s.k.UnitPath(ctx, st.UnitID)
		if err != nil {
			return err
		}
		apptPath, err := s.k.UnitPath(ctx, cur.UnitID)
		if err != nil {
			return err
		}
		if !casework.Contains(officerPath, apptPath) && !casework.Contains(apptPath, officerPath) {
			return errs.Invalid("officerId", "unit", "the officer does not serve the appointment's unit")
		}
		next.OfficerID, next.AcceptedAt = officerID, s.k.Now()
		// Say so before writing; the store checks again inside its
		// transaction, which is what holds under concurrency.
		others, err := s.store.ListAppointments(ctx, AppointmentFilter{OfficerID: officerID, Status: []AppointmentStatus{AppointmentAccepted},
			From: next.StartsAt.Add(-MaxAppointment), To: next.EndsAt}, casework.Page{Limit: casework.MaxPageLimit})
		if err != nil {
			return err
		}
		for _, o := range others {
			if Overlaps(*next, o) {
				return ErrOverlap
			}
		}
		return nil
	})
}

// CompleteAppointment records that the service was given; visitID may name
// the visit that gave it.
func (s *Service) CompleteAppointment(ctx context.Context, actor casework.Actor, id string, version int64, note, visitID string) (Appointment, error) {
	return s.moveAppointment(ctx, actor, id, version, AppointmentDone, func(cur Appointment, next *Appointment) error {
		var f errs.Fields
		if visitID != "" {
			if _, err := s.visitRef(ctx, actor, "visitId", visitID, &f); err != nil {
				return err
			}
		}
		next.Note, next.VisitID, next.ClosedAt = strings.TrimSpace(note), visitID, s.k.Now()
		return f.Err()
	})
}

// DeclineAppointment refuses a request, or gives back an accepted one, with
// the reason the resident is told.
func (s *Service) DeclineAppointment(ctx context.Context, actor casework.Actor, id string, version int64, reason string) (Appointment, error) {
	return s.moveAppointment(ctx, actor, id, version, AppointmentDeclined, func(cur Appointment, next *Appointment) error {
		next.Reason, next.ClosedAt = strings.TrimSpace(reason), s.k.Now()
		if next.Reason == "" {
			return errs.Invalid("reason", "required", "a declined appointment needs a reason")
		}
		return nil
	})
}

// MarkNoShow records that the resident was not there at the appointed
// time; it can be said only once the appointment has begun.
func (s *Service) MarkNoShow(ctx context.Context, actor casework.Actor, id string, version int64, note string) (Appointment, error) {
	return s.moveAppointment(ctx, actor, id, version, AppointmentNoShow, func(cur Appointment, next *Appointment) error {
		if s.k.Now().Before(cur.StartsAt) {
			return errs.Transition(string(cur.Status), string(AppointmentNoShow), "the appointment has not begun yet")
		}
		next.Note, next.ClosedAt = strings.TrimSpace(note), s.k.Now()
		return nil
	})
}

func (s *Service) moveAppointment(ctx context.Context, actor casework.Actor, id string, version int64, to AppointmentStatus,
	apply func(cur Appointment, next *Appointment) error) (Appointment, error) {
	cur, err := load(ctx, s, actor, ActionAppointment, id, s.store.GetAppointment, appointmentTarget)
	if err != nil {
		return Appointment{}, err
	}
	if err := CanMoveAppointment(cur.Status, to); err != nil {
		return Appointment{}, err
	}
	if cur.Version != version {
		return Appointment{}, errs.Stale(RecordAppointment, id, version)
	}
	next := cur
	next.Status = to
	if err := apply(cur, &next); err != nil {
		return Appointment{}, err
	}
	var f errs.Fields
	f.Merge("", casework.CheckText("note", next.Note, 2000))
	f.Merge("", casework.CheckText("reason", next.Reason, 2000))
	if err := f.Err(); err != nil {
		return Appointment{}, err
	}
	next.Version, next.UpdatedAt = cur.Version+1, s.k.Now()
	ch, err := s.k.Change(ctx, actor, casework.Action("appointment."+string(to)), RecordAppointment, id, cur, next)
	if err != nil {
		return Appointment{}, err
	}
	if err := s.store.UpdateAppointment(ctx, next, ch); err != nil {
		return Appointment{}, err
	}
	return next, nil
}

// GetAppointment returns an appointment in the actor's reach.
func (s *Service) GetAppointment(ctx context.Context, actor casework.Actor, id string) (Appointment, error) {
	return load(ctx, s, actor, ActionRead, id, s.store.GetAppointment, appointmentTarget)
}

// AppointmentQuery lists appointments in the actor's subtree.
type AppointmentQuery struct {
	UnitID    string
	OfficerID string
	Status    []AppointmentStatus
	From, To  time.Time
	Page      casework.Page
}

// ListAppointments lists appointments by start time.
func (s *Service) ListAppointments(ctx context.Context, actor casework.Actor, q AppointmentQuery) ([]Appointment, string, error) {
	path, err := s.scope(ctx, actor, ActionRead, q.UnitID)
	if err != nil {
		return nil, "", err
	}
	p := q.Page.Normalize()
	rows, err := s.store.ListAppointments(ctx, AppointmentFilter{UnitUnder: path, OfficerID: q.OfficerID, Status: q.Status,
		From: casework.Truncate(q.From), To: casework.Truncate(q.To)}, casework.Page{Limit: p.Limit + 1, After: p.After})
	if err != nil {
		return nil, "", err
	}
	rows, next := casework.PageOf(rows, p.Limit, func(a Appointment) casework.Cursor { return casework.Cursor{At: a.StartsAt, ID: a.ID} })
	return rows, next, nil
}
