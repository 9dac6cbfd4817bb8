package casework

import (
	"context"
	"time"

	"github.com/rs/zerolog"
)

// NoticeKind says why someone must look at a record.
type NoticeKind string

// Notice kinds.
const (
	NoticeHighRisk            NoticeKind = "high_risk" // a dispute may turn violent (民转刑)
	NoticeDeadlineApproaching NoticeKind = "deadline_approaching"
	NoticeOverdue             NoticeKind = "overdue"
	NoticeShared              NoticeKind = "shared" // a record was shared with the unit (Notice.UnitID)
)

// Notice tells a unit's supervisors about a record. It carries ids and
// codes, never personal data, so any notifier may log it.
type Notice struct {
	Kind       NoticeKind `json:"kind"`
	UnitID     string     `json:"unitId"`
	RecordType string     `json:"recordType"`
	RecordID   string     `json:"recordId"`
	Reason     string     `json:"reason"` // a code, e.g. "review_deadline"
	Due        time.Time  `json:"due,omitzero"`
	// StaffID is the staff member the notice is for when it is one
	// person's to act on (a referral's owner); "" for the unit's
	// supervisors.
	StaffID string `json:"staffId,omitempty"`
}

// Notifier delivers notices (an SMS gateway, a duty-desk screen …). Error
// contract: an error means the notice was not delivered; services log it and
// go on, since the overdue lists show the same facts.
type Notifier interface {
	Notify(ctx context.Context, n Notice) error
}

// NopNotifier drops notices.
type NopNotifier struct{}

// Notify does nothing.
func (NopNotifier) Notify(context.Context, Notice) error { return nil }

// LogNotifier writes notices to a structured log.
type LogNotifier struct{ Log zerolog.Logger }

// Notify logs the notice.
func (l LogNotifier) Notify(_ context.Context, n Notice) error {
	l.Log.Warn().Str("kind", string(n.Kind)).Str("unit", n.UnitID).Str("record_type", n.RecordType).
		Str("record_id", n.RecordID).Str("reason", n.Reason).Str("staff", n.StaffID).Time("due", n.Due).Msg("notice")
	return nil
}
