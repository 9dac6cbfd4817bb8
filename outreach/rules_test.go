package outreach_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/stretchr/testify/require"
)

func TestHazardStateMachine(t *testing.T) {
	t.Parallel()
	all := []outreach.HazardStatus{outreach.HazardFound, outreach.HazardRectifying, outreach.HazardRectified, outreach.HazardVerified}
	allowed := map[[2]outreach.HazardStatus]bool{
		{outreach.HazardFound, outreach.HazardRectifying}:     true,
		{outreach.HazardRectifying, outreach.HazardRectified}: true,
		{outreach.HazardRectified, outreach.HazardVerified}:   true,
		{outreach.HazardRectified, outreach.HazardRectifying}: true, // a rejected fix
	}
	for _, from := range all {
		for _, to := range append(all, "bogus") {
			t.Run(fmt.Sprintf("%s→%s", from, to), func(t *testing.T) {
				t.Parallel()
				err := outreach.CanMoveHazard(from, to)
				if allowed[[2]outreach.HazardStatus{from, to}] {
					require.NoError(t, err)
					return
				}
				require.ErrorIs(t, err, outreach.ErrInvalidTransition)
				var te *casework.TransitionError
				require.ErrorAs(t, err, &te)
				require.Equal(t, string(from), te.From)
				require.Equal(t, string(to), te.To)
			})
		}
	}
}

func TestAppointmentStateMachine(t *testing.T) {
	t.Parallel()
	all := []outreach.AppointmentStatus{outreach.AppointmentRequested, outreach.AppointmentAccepted, outreach.AppointmentDone,
		outreach.AppointmentDeclined, outreach.AppointmentNoShow}
	allowed := map[[2]outreach.AppointmentStatus]bool{
		{outreach.AppointmentRequested, outreach.AppointmentAccepted}: true,
		{outreach.AppointmentRequested, outreach.AppointmentDeclined}: true,
		{outreach.AppointmentAccepted, outreach.AppointmentDone}:      true,
		{outreach.AppointmentAccepted, outreach.AppointmentNoShow}:    true,
		{outreach.AppointmentAccepted, outreach.AppointmentDeclined}:  true,
	}
	for _, from := range all {
		for _, to := range all {
			t.Run(fmt.Sprintf("%s→%s", from, to), func(t *testing.T) {
				t.Parallel()
				err := outreach.CanMoveAppointment(from, to)
				if allowed[[2]outreach.AppointmentStatus{from, to}] {
					require.NoError(t, err)
				} else {
					require.ErrorIs(t, err, outreach.ErrInvalidTransition)
				}
			})
		}
	}
}

func TestHazardOverdue(t *testing.T) {
	t.Parallel()
	deadline := time.Date(2020, 5, 20, 16, 0, 0, 0, time.UTC) // 24:00 on 20 May in Zibo
	tests := []struct {
		name   string
		status outreach.HazardStatus
		now    time.Time
		want   bool
	}{
		{"found before the deadline", outreach.HazardFound, deadline.Add(-time.Microsecond), false},
		{"found at the deadline", outreach.HazardFound, deadline, true},
		{"rectifying after the deadline", outreach.HazardRectifying, deadline.Add(time.Hour), true},
		{"rectified after the deadline", outreach.HazardRectified, deadline.Add(time.Hour), false},
		{"verified after the deadline", outreach.HazardVerified, deadline.Add(time.Hour), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := outreach.Hazard{Status: tc.status, Deadline: deadline}
			require.Equal(t, tc.want, h.Overdue(tc.now))
		})
	}
	require.False(t, outreach.Hazard{Status: outreach.HazardFound}.Overdue(deadline), "no deadline, never overdue")
}

func TestOverlaps(t *testing.T) {
	t.Parallel()
	at := func(h, m int) time.Time { return time.Date(2020, 5, 12, h, m, 0, 0, time.UTC) }
	appt := func(id, officer string, s, e time.Time, st outreach.AppointmentStatus) outreach.Appointment {
		return outreach.Appointment{ID: id, OfficerID: officer, StartsAt: s, EndsAt: e, Status: st}
	}
	acc := outreach.AppointmentAccepted
	base := appt("a", "o1", at(9, 0), at(10, 0), acc)
	tests := []struct {
		name string
		b    outreach.Appointment
		want bool
	}{
		{"same slot", appt("b", "o1", at(9, 0), at(10, 0), acc), true},
		{"inside", appt("b", "o1", at(9, 15), at(9, 45), acc), true},
		{"covering", appt("b", "o1", at(8, 0), at(11, 0), acc), true},
		{"overlapping the start by a microsecond", appt("b", "o1", at(8, 0), at(9, 0).Add(time.Microsecond), acc), true},
		{"overlapping the end by a microsecond", appt("b", "o1", at(10, 0).Add(-time.Microsecond), at(11, 0), acc), true},
		{"ending as it starts", appt("b", "o1", at(8, 0), at(9, 0), acc), false},
		{"starting as it ends", appt("b", "o1", at(10, 0), at(11, 0), acc), false},
		{"another officer", appt("b", "o2", at(9, 0), at(10, 0), acc), false},
		{"requested, not accepted", appt("b", "o1", at(9, 0), at(10, 0), outreach.AppointmentRequested), false},
		{"done", appt("b", "o1", at(9, 0), at(10, 0), outreach.AppointmentDone), false},
		{"no officer on either", appt("b", "", at(9, 0), at(10, 0), acc), false},
		{"itself", base, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, outreach.Overlaps(base, tc.b))
			require.Equal(t, tc.want, outreach.Overlaps(tc.b, base), "symmetric")
		})
	}
}

func TestPlanAssess(t *testing.T) {
	t.Parallel()
	zone := casework.DefaultZone()
	local := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, zone) }
	plan := outreach.Plan{Frequencies: map[outreach.TargetKind]outreach.Frequency{
		outreach.KeyPersonFamily: {Months: 1},
		outreach.DifficultFamily: {Months: 3},
		outreach.School:          {Days: 10},
	}, LeadDays: 7, Zone: zone}
	// Visited 12 May 2020 15:00: monthly → overdue from 13 June 00:00, due
	// from 6 June 00:00 (seven days before the deadline's day).
	visit := local(2020, 5, 12, 15, 0)
	tests := []struct {
		name     string
		kind     outreach.TargetKind
		base     time.Time
		visited  bool
		now      time.Time
		status   outreach.DueStatus
		dueFrom  time.Time
		deadline time.Time
	}{
		{"just visited", outreach.KeyPersonFamily, visit, true, visit, outreach.Scheduled, local(2020, 6, 6, 0, 0), local(2020, 6, 13, 0, 0)},
		{"a microsecond before due", outreach.KeyPersonFamily, visit, true, local(2020, 6, 6, 0, 0).Add(-time.Microsecond), outreach.Scheduled, local(2020, 6, 6, 0, 0), local(2020, 6, 13, 0, 0)},
		{"due at 00:00 of the window's first day", outreach.KeyPersonFamily, visit, true, local(2020, 6, 6, 0, 0), outreach.Due, local(2020, 6, 6, 0, 0), local(2020, 6, 13, 0, 0)},
		{"still due at 23:59:59.999999 on the last day", outreach.KeyPersonFamily, visit, true, local(2020, 6, 13, 0, 0).Add(-time.Microsecond), outreach.Due, local(2020, 6, 6, 0, 0), local(2020, 6, 13, 0, 0)},
		{"overdue at 24:00 of the last day", outreach.KeyPersonFamily, visit, true, local(2020, 6, 13, 0, 0), outreach.Overdue, local(2020, 6, 6, 0, 0), local(2020, 6, 13, 0, 0)},
		{"quarterly, scheduled in August", outreach.DifficultFamily, visit, true, local(2020, 8, 1, 0, 0), outreach.Scheduled, local(2020, 8, 6, 0, 0), local(2020, 8, 13, 0, 0)},
		{"quarterly, due from 6 August", outreach.DifficultFamily, visit, true, local(2020, 8, 6, 0, 0), outreach.Due, local(2020, 8, 6, 0, 0), local(2020, 8, 13, 0, 0)},
		{"a month from 31 January ends on 29 February", outreach.KeyPersonFamily, local(2020, 1, 31, 9, 0), true, local(2020, 2, 29, 12, 0), outreach.Due, local(2020, 2, 23, 0, 0), local(2020, 3, 1, 0, 0)},
		{"a quarter from 30 November crosses the year", outreach.DifficultFamily, local(2019, 11, 30, 9, 0), true, local(2020, 3, 1, 0, 0), outreach.Overdue, local(2020, 2, 23, 0, 0), local(2020, 3, 1, 0, 0)},
		{"days only", outreach.School, visit, true, visit, outreach.Scheduled, local(2020, 5, 16, 0, 0), local(2020, 5, 23, 0, 0)},
		{"never visited is due at once", outreach.KeyPersonFamily, visit, false, visit, outreach.Due, visit, local(2020, 6, 13, 0, 0)},
		{"never visited, overdue an interval later", outreach.KeyPersonFamily, visit, false, local(2020, 6, 13, 0, 0), outreach.Overdue, visit, local(2020, 6, 13, 0, 0)},
		{"no schedule for the kind", outreach.Online, visit, true, visit, outreach.NotScheduled, time.Time{}, time.Time{}},
		{"no base", outreach.KeyPersonFamily, time.Time{}, false, visit, outreach.NotScheduled, time.Time{}, time.Time{}},
		// 23:30 local on 12 May is 15:30 UTC: the local day counts.
		{"the local day, not the UTC day", outreach.School, local(2020, 5, 12, 23, 30), true, visit, outreach.Scheduled, local(2020, 5, 16, 0, 0), local(2020, 5, 23, 0, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := plan.Assess(tc.kind, tc.base, tc.visited, tc.now)
			require.Equal(t, tc.status, a.Status)
			require.True(t, tc.dueFrom.Equal(a.DueFrom), "dueFrom %s, want %s", a.DueFrom.In(zone), tc.dueFrom)
			require.True(t, tc.deadline.Equal(a.Deadline), "deadline %s, want %s", a.Deadline.In(zone), tc.deadline)
		})
	}
	t.Run("a lead longer than the interval is due right after the visit", func(t *testing.T) {
		t.Parallel()
		p := plan
		p.LeadDays = 40
		a := p.Assess(outreach.KeyPersonFamily, visit, true, visit)
		require.Equal(t, outreach.Due, a.Status)
		require.True(t, a.DueFrom.Equal(visit))
	})
}
