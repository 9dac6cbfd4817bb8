package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	kstoretest "github.com/grassroots-policing/grassroots/casework/storetest"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/stretchr/testify/require"
)

// testGrid fills the store with random visits (repeated targets, services,
// aid, findings), hazards fixed, rejected and fixed again, and done
// appointments, all at times on and next to the grids' bounds, and checks
// that every cell of TallyGrid equals Tally of its subtree and period.
func testGrid(t *testing.T, f *fixture) {
	c := kstoretest.NewGridCheck(t, 19, f.root, f.a, f.a1, f.b)
	for range 100 {
		v := f.visit(c.Unit(), c.Time(), outreach.TargetKinds[c.IntN(len(outreach.TargetKinds))])
		v.TargetKey = fmt.Sprintf("target-%d", c.IntN(5))
		v.Services = nil
		for range c.IntN(3) {
			v.Services = append(v.Services, outreach.ServiceGiven{Kind: outreach.ServiceKinds[c.IntN(len(outreach.ServiceKinds))]})
		}
		switch c.IntN(4) {
		case 0, 1:
			v.Aid = nil
		case 2: // lists that differ, so the grid groups more than one
			v.Aid = []outreach.Aid{{Item: "大米", Quantity: int64(1 + c.IntN(3)), Unit: "斤"}}
		}
		if c.IntN(3) == 0 {
			v.Findings = []outreach.Finding{{Kind: outreach.FindingDispute, Step: "dispute/1", OutboxID: "o-" + v.ID}, {Kind: outreach.FindingLead, Step: "lead/1", OutboxID: "l-" + v.ID}}
		}
		f.addVisit(t, v)
	}
	for range 60 {
		h := f.hazard(c.Unit(), c.Time(), outreach.HazardFound)
		require.NoError(t, f.s.CreateHazard(f.ctx, h, f.audit("hazard.create", "hazard", h.ID)))
		// Fixed, then perhaps rejected and fixed again: each event in its
		// own period.
		for step := range c.IntN(4) {
			h.Version++
			if step%2 == 0 {
				h.Status, h.RectifiedAt = outreach.HazardRectified, c.Time()
			} else {
				h.Status, h.RectifiedAt, h.UpdatedAt = outreach.HazardRectifying, time.Time{}, c.Time()
			}
			require.NoError(t, f.s.UpdateHazard(f.ctx, h, f.audit("hazard.move", "hazard", h.ID)))
		}
	}
	for i := range 40 {
		a := f.appointment(c.Unit(), fmt.Sprintf("officer-%d", i), c.Time(), time.Hour, outreach.AppointmentDone)
		a.ClosedAt = c.Maybe()
		if a.ClosedAt.IsZero() {
			a.Status = outreach.AppointmentRequested
		}
		require.NoError(t, f.s.CreateAppointment(f.ctx, a, f.audit("appointment.create", "appointment", a.ID)))
	}
	for i := range 40 {
		r := f.referral(t, c.Unit(), c.Time(), fmt.Sprintf("officer-%d", i%3), c.Time())
		require.NoError(t, f.s.CreateReferral(f.ctx, r, casework.Change{}))
		if closed := c.Maybe(); !closed.IsZero() {
			require.NoError(t, f.s.UpdateReferral(f.ctx, closeReferral(r, closed), casework.Change{}))
		}
	}
	kstoretest.GridMatches(t, c, f.s.TallyGrid, func(ctx context.Context, path string, start, end time.Time) (outreach.Tally, error) {
		return f.s.Tally(ctx, outreach.TallyFilter{UnitUnder: path, From: start, To: end})
	})
	kstoretest.GridMatches(t, c, f.s.TallyReferralsGrid, func(ctx context.Context, path string, start, end time.Time) (outreach.ReferralTally, error) {
		return f.s.TallyReferrals(ctx, outreach.TallyFilter{UnitUnder: path, From: start, To: end})
	})
	// Aid: the same lists, each written by the same number of visits.
	aidGrid := func(ctx context.Context, g casework.Grid) ([]map[string]int64, error) {
		cells, err := f.s.AidGrid(ctx, g)
		if err != nil {
			return nil, err
		}
		out := make([]map[string]int64, len(cells))
		for i, groups := range cells {
			out[i] = map[string]int64{}
			for _, gr := range groups {
				out[i][aidText(t, gr.Lines)] += gr.Visits
			}
		}
		return out, nil
	}
	kstoretest.GridMatches(t, c, aidGrid, func(ctx context.Context, path string, start, end time.Time) (map[string]int64, error) {
		lines, err := f.s.AidLines(ctx, outreach.TallyFilter{UnitUnder: path, From: start, To: end})
		out := map[string]int64{}
		for _, l := range lines {
			out[aidText(t, l)]++
		}
		return out, err
	})
}

func aidText(t *testing.T, lines []outreach.Aid) string {
	b, err := json.Marshal(lines)
	require.NoError(t, err)
	return string(b)
}
