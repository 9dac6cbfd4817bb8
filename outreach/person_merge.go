package outreach

import (
	"context"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
)

var _ casework.PersonReferences = (*Service)(nil)

// MovePersonReferences implements casework.PersonReferences: every visit
// (the visited resident, the persons a finding names), hazard (its
// responsible person), appointment and visit-plan entry naming m.From
// names m.To instead, each update audited as a person merge. Each kind is
// read through its person filter, which stores index, so a merge reads the
// person's records only. Referrals name no person (they hang on a visit,
// which moves). The kernel calls it inside the merge's atomic write.
func (s *Service) MovePersonReferences(ctx context.Context, m casework.PersonMove) (int, error) {
	moves := []func() (int, error){
		func() (int, error) {
			return casework.MoveReferences(ctx, s.k, m, casework.PersonRecords[Visit]{RecordType: RecordVisit,
				List: func(ctx context.Context, p casework.Page) ([]Visit, error) {
					return s.store.ListVisits(ctx, VisitFilter{PersonID: m.From}, p)
				},
				Key:    func(v Visit) casework.Cursor { return casework.Cursor{At: v.VisitedAt, ID: v.ID} },
				Stamp:  func(cur Visit, next *Visit, now time.Time) { next.Version, next.UpdatedAt = cur.Version+1, now },
				Update: s.store.UpdateVisit})
		},
		func() (int, error) {
			return casework.MoveReferences(ctx, s.k, m, casework.PersonRecords[Hazard]{RecordType: RecordHazard,
				List: func(ctx context.Context, p casework.Page) ([]Hazard, error) {
					return s.store.ListHazards(ctx, HazardFilter{PersonID: m.From}, p)
				},
				Key:    func(h Hazard) casework.Cursor { return casework.Cursor{At: h.FoundAt, ID: h.ID} },
				Stamp:  func(cur Hazard, next *Hazard, now time.Time) { next.Version, next.UpdatedAt = cur.Version+1, now },
				Update: s.store.UpdateHazard})
		},
		func() (int, error) {
			return casework.MoveReferences(ctx, s.k, m, casework.PersonRecords[Appointment]{RecordType: RecordAppointment,
				List: func(ctx context.Context, p casework.Page) ([]Appointment, error) {
					return s.store.ListAppointments(ctx, AppointmentFilter{PersonID: m.From}, p)
				},
				Key: func(a Appointment) casework.Cursor { return casework.Cursor{At: a.StartsAt, ID: a.ID} },
				Stamp: func(cur Appointment, next *Appointment, now time.Time) {
					next.Version, next.UpdatedAt = cur.Version+1, now
				},
				Update: s.store.UpdateAppointment})
		},
		func() (int, error) {
			return casework.MoveReferences(ctx, s.k, m, casework.PersonRecords[PlanEntry]{RecordType: RecordPlanEntry,
				List: func(ctx context.Context, p casework.Page) ([]PlanEntry, error) {
					return s.store.ListPlanEntries(ctx, PlanFilter{PersonID: m.From, IncludeInactive: true}, p)
				},
				Key:    func(e PlanEntry) casework.Cursor { return casework.Cursor{At: e.Deadline, ID: e.ID} },
				Stamp:  func(cur PlanEntry, next *PlanEntry, now time.Time) { next.Version, next.UpdatedAt = cur.Version+1, now },
				Update: s.store.UpdatePlanEntry})
		},
	}
	total := 0
	for _, move := range moves {
		n, err := move()
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}
