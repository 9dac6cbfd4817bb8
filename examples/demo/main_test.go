package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/examples/internal/city"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/stretchr/testify/require"
)

// The stories cross all four packages; on every backend they must end in
// the same report, with a verified audit chain.
func TestStoriesOnEveryBackend(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	backends := map[string]func(t *testing.T) stores{
		"memory": func(*testing.T) stores { return memoryStores() },
		"sqlite": func(t *testing.T) stores {
			s, err := sqlStores(ctx, testdb.SQLite(t), casesql.SQLite)
			require.NoError(t, err)
			return s
		},
		"postgres": func(t *testing.T) stores {
			s, err := sqlStores(ctx, testdb.Postgres(t).DB, casesql.Postgres)
			require.NoError(t, err)
			return s
		},
	}
	want := map[string]int64{
		"cases.reported": 1, "cases.filed": 1, "cases.solved": 1, "cases.clearance_rate_permille": 1000,
		"cases.people_arrested": 1, "cases.leads_collected": 1,
		"mediation.disputes.found": 2, "mediation.disputes.settled": 2, "mediation.settlement_rate": 1000,
		"outreach.visits.difficult_family": 2, "outreach.visits.key_person_family": 0, "outreach.visits.special_person_family": 1,
		"outreach.visits.security_key_site": 1, "outreach.visits.struggling_enterprise": 1,
		"outreach.hazards.found": 1, "outreach.hazards.rectified": 1, "outreach.disputes.handed": 1, "outreach.leads.collected": 1,
		"recovery.items_returned": 2, "recovery.value_returned_fen": 380000, "recovery.return_events": 1,
	}
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			d, err := walk(ctx, &out, open(t), demoConfig())
			require.NoError(t, err, out.String())
			figures, err := d.figures()
			require.NoError(t, err)
			got := map[string]int64{}
			for _, f := range figures {
				got[f.Key] = f.Value
			}
			for key, v := range want {
				require.Equal(t, v, got[key], key)
			}
			rep, err := d.W.K.VerifyAudit(ctx, d.Auditor)
			require.NoError(t, err)
			require.True(t, rep.OK, "%+v", rep)
			require.Greater(t, rep.Entries, int64(100))
			require.Zero(t, pendingHandoffs(t, d), "every hand-off delivered")
		})
	}
}

func pendingHandoffs(t *testing.T, d *demo) int {
	t.Helper()
	msgs, err := d.W.K.Store().ListOutbox(context.Background(), "", "")
	require.NoError(t, err)
	n := 0
	for _, m := range msgs {
		if !m.Delivered() {
			n++
		}
	}
	return n
}

// The README's first command: the whole program on a new SQLite file,
// keys generated beside it, report printed, chain verified.
func TestRunOnNewSQLiteFile(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	path := filepath.Join(t.TempDir(), "demo.db")
	require.NoError(t, run(context.Background(), &out, "sqlite", path), out.String())
	require.Contains(t, out.String(), "keys: generated")
	require.Regexp(t, `recovery.value_returned_fen +¥3,800.00  发还价值（元）`, out.String(), "money printed as yuan")
	require.Regexp(t, `cases.clearance_rate_permille +100.0%  破案率（%）`, out.String(), "a rate printed as a percentage")
	require.NotContains(t, out.String(), "380000")
	require.Regexp(t, `audit chain: \d+ entries verified`, out.String())
	require.Error(t, run(context.Background(), &out, "sqlite", path), "an existing database is refused")
	require.Error(t, run(context.Background(), &out, "oracle", ""))
}

// A hand-off must not stall because the officer who sent it left: the
// sender checked the officer when it committed; the receiver acts as the
// officer stood then.
func TestHandoffsSurviveTheSenderLeaving(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var out bytes.Buffer
	cfg := demoConfig()
	w, err := newWorld(memoryStores(), cfg)
	require.NoError(t, err)
	c, err := city.Bootstrap(ctx, w, cfg.Clock.(*casework.FixedClock), &out)
	require.NoError(t, err)
	d := &demo{City: c, ctx: ctx}
	p, err := d.Person(d.XGOfficer, d.Xueguan, casework.PersonInput{Name: "吴某"})
	require.NoError(t, err)
	v, err := w.Outreach.RecordVisit(ctx, d.XGOfficer, outreach.VisitInput{UnitID: d.Xueguan.ID, TargetKind: outreach.Village, Organisation: "西高新村",
		Disputes: []outreach.DisputeInput{{Category: "neighbour/animal", Summary: "大型犬扰民", PartyIDs: []string{p.ID}}},
		Leads:    []outreach.LeadInput{{Summary: "村口电动车被盗线索"}}})
	require.NoError(t, err)
	st, err := w.K.GetStaff(ctx, d.Admin, d.XGOfficer.StaffID)
	require.NoError(t, err)
	off := false
	_, err = w.K.UpdateStaff(ctx, d.Admin, st.ID, st.Version, casework.StaffUpdate{Active: &off})
	require.NoError(t, err)

	n, err := w.K.DeliverPending(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, 2, n, "both findings delivered")
	require.Zero(t, pendingHandoffs(t, d))
	got, err := w.Outreach.GetVisit(ctx, d.Chief, v.ID)
	require.NoError(t, err)
	for _, f := range got.Findings {
		require.NotEmpty(t, f.ResultID, "%s linked back", f.Kind)
	}
}

// Outside a delivery, a receiver checks its caller in full: a payload
// naming a departed officer, or claiming a unit or role the staff member
// does not hold, is refused — an actor outside the unit's reach finds no
// such unit, exactly as for a unit that does not exist.
func TestReceiversCalledDirectlyCheckTheActor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var out bytes.Buffer
	cfg := demoConfig()
	w, err := newWorld(memoryStores(), cfg)
	require.NoError(t, err)
	c, err := city.Bootstrap(ctx, w, cfg.Clock.(*casework.FixedClock), &out)
	require.NoError(t, err)
	d := &demo{City: c, ctx: ctx}
	forged := d.otherStation()
	_, err = w.Mediation.IntakeDispute(ctx, casework.DisputeFinding{Source: casework.Source{Kind: "visit", ID: "v-forged", Step: "dispute/1"},
		Actor: forged, UnitID: d.Banyang.ID, Category: "neighbour/noise", Summary: "伪造"})
	require.ErrorIs(t, err, casework.ErrNotFound)
	_, err = w.Cases.IntakeLead(ctx, casework.LeadFinding{Source: casework.Source{Kind: "visit", ID: "v-forged", Step: "lead/1"},
		Actor: forged, UnitID: d.Banyang.ID, Summary: "伪造"})
	require.ErrorIs(t, err, casework.ErrNotFound)
	adminAsOfficer := d.Admin
	adminAsOfficer.Roles = []casework.Role{casework.RoleOfficer}
	_, err = w.Recovery.RegisterStolen(ctx, casework.StolenItems{Source: casework.Source{Kind: "case", ID: "c-forged", Step: "stolen"},
		Actor: adminAsOfficer, UnitID: d.Banyang.ID, CaseID: "c-forged", Items: []casework.StolenItem{{ItemID: "i-1", Category: "cage", Description: "鸟笼", Quantity: 1, ValueFen: 100}}})
	require.ErrorIs(t, err, casework.ErrForbidden)
}

// otherStation is the 雪官 officer claiming the bureau as its unit.
func (d *demo) otherStation() casework.Actor {
	a := d.XGOfficer
	a.UnitID = d.Bureau.ID
	return a
}
