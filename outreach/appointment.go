package outreach

import (
	"slices"
	"time"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// AppointmentStatus is where an appointment stands.
type AppointmentStatus string

// The appointment states.
const (
	AppointmentRequested AppointmentStatus = "requested"
	AppointmentAccepted  AppointmentStatus = "accepted"
	AppointmentDone      AppointmentStatus = "done"
	AppointmentDeclined  AppointmentStatus = "declined"
	AppointmentNoShow    AppointmentStatus = "no_show"
)

// appointmentMoves is the whole state machine. An accepted appointment may
// still be declined (the officer can no longer go; the resident is told
// why), which frees the officer's time.
var appointmentMoves = map[AppointmentStatus][]AppointmentStatus{
	AppointmentRequested: {AppointmentAccepted, AppointmentDeclined},
	AppointmentAccepted:  {AppointmentDone, AppointmentNoShow, AppointmentDeclined},
}

// CanMoveAppointment returns nil when an appointment may move from one
// state to the other, and an ErrInvalidTransition otherwise.
func CanMoveAppointment(from, to AppointmentStatus) error {
	if slices.Contains(appointmentMoves[from], to) {
		return nil
	}
	return errs.Transition(string(from), string(to), "an appointment moves requested → accepted → done | no_show, or is declined")
}

// Appointment is a resident's request for a service at a time and place
// (预约服务).
type Appointment struct {
	ID         string            `json:"id"`
	UnitID     string            `json:"unitId"`
	Service    ServiceKind       `json:"service"`
	PersonID   string            `json:"personId,omitempty"`  // the resident, when recorded
	Requester  string            `json:"requester"`           // the resident's name as given
	AddressID  string            `json:"addressId,omitempty"` // where, when a standard address
	Place      string            `json:"place"`
	Request    string            `json:"request"` // what is asked for
	StartsAt   time.Time         `json:"startsAt"`
	EndsAt     time.Time         `json:"endsAt"`
	Status     AppointmentStatus `json:"status"`
	OfficerID  string            `json:"officerId,omitempty"` // who accepted
	RecordedBy string            `json:"recordedBy"`
	AcceptedAt time.Time         `json:"acceptedAt,omitzero"`
	ClosedAt   time.Time         `json:"closedAt,omitzero"` // done, declined or no_show
	Reason     string            `json:"reason,omitempty"`  // why declined
	Note       string            `json:"note,omitempty"`    // what was done, or what happened
	VisitID    string            `json:"visitId,omitempty"` // the visit that served it
	Version    int64             `json:"version"`
	CreatedAt  time.Time         `json:"createdAt"`
	UpdatedAt  time.Time         `json:"updatedAt"`
}

// Overlaps is the one overlap rule: two appointments collide when the same
// officer holds both as accepted and their times [StartsAt, EndsAt)
// intersect. One ending exactly when the other starts does not collide.
func Overlaps(a, b Appointment) bool {
	return a.ID != b.ID && a.OfficerID != "" && a.OfficerID == b.OfficerID &&
		a.Status == AppointmentAccepted && b.Status == AppointmentAccepted &&
		a.StartsAt.Before(b.EndsAt) && b.StartsAt.Before(a.EndsAt)
}

// AppointmentInput records a resident's request.
type AppointmentInput struct {
	UnitID     string      `json:"unitId" validate:"required,max=64,line"`
	Service    ServiceKind `json:"service" validate:"required"`
	PersonID   string      `json:"personId,omitempty" validate:"max=64,line"`
	Requester  string      `json:"requester" validate:"required,max=100,line"`
	AddressID  string      `json:"addressId,omitempty" validate:"max=64,line"`
	Place      string      `json:"place" validate:"required,max=300,line"`
	Request    string      `json:"request" validate:"required,max=2000"`
	StartsAt   time.Time   `json:"startsAt" validate:"required"`
	EndsAt     time.Time   `json:"endsAt" validate:"required"`
	RequestKey string      `json:"-"`
}

// MaxAppointment bounds an appointment's length: a service, not a shift.
const MaxAppointment = 12 * time.Hour

// AppointmentFilter selects appointments. Stores order appointments by
// (StartsAt, ID).
type AppointmentFilter struct {
	UnitUnder string
	OfficerID string
	Status    []AppointmentStatus
	From, To  time.Time // StartsAt in [From, To)
	PersonID  string    // the resident
}
