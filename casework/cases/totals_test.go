package cases_test

import (
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/stretchr/testify/require"
)

func TestClearanceRate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		solved, filed int64
		want          int64
		ok            bool
	}{
		{0, 0, 0, false}, {1, 0, 0, false}, {0, 5, 0, true}, {2, 3, 667, true}, {1, 3, 333, true},
		{687, 1000, 687, true}, {2, 1, 2000, true}, {1, 2000, 1, true}, {1, 2001, 0, true},
	} {
		got, ok := cases.ClearanceRate(tc.solved, tc.filed)
		require.Equal(t, tc.ok, ok, "%d/%d", tc.solved, tc.filed)
		require.Equal(t, tc.want, got, "%d/%d", tc.solved, tc.filed)
	}
	for _, tc := range []struct {
		cur, prev, want int64
		ok              bool
	}{{1, 0, 0, false}, {1, 2, -500, true}, {3, 2, 500, true}, {2, 3, -333, true}, {1, 3, -667, true}, {7, 2, 2500, true}} {
		got, ok := cases.ChangePermille(tc.cur, tc.prev)
		require.Equal(t, tc.ok, ok)
		require.Equal(t, tc.want, got, "%d vs %d", tc.cur, tc.prev)
	}
}

// TestCaseTotalsThreeLevels builds a known mix of cases across a three-level
// tree (bureau → branches → stations) in May 2020 and May 2019 and checks
// every figure of every unit, the year-on-year change, and the report.
func TestCaseTotalsThreeLevels(t *testing.T) {
	t.Parallel()
	for name, open := range caseBackends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newCaseEnv(t, open)
			ctx := e.ctx
			zone := e.k.Zone()
			at := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, zone) }
			baiyang, err := e.k.CreateUnit(ctx, e.admin, casework.UnitInput{Code: "370303BYL", Name: "般阳路派出所", Level: casework.LevelStation, ParentID: e.other.ID})
			require.NoError(t, err)
			stationOfficer := e.staff(t, e.station, "车站民警", casework.RoleOfficer)
			baiyangOfficer := e.staff(t, baiyang, "般阳路民警", casework.RoleOfficer)
			suspects := map[string]string{}
			// Each suspect is a person of the unit whose officer arrests it:
			// a case names only persons in its officer's reach.
			for _, n := range []string{"S1", "S2", "S3", "S4", "S5"} {
				by, unit := e.officer, e.team
				if n == "S2" || n == "S3" {
					by, unit = stationOfficer, e.station
				}
				p, err := e.k.CreatePerson(ctx, by, casework.PersonInput{UnitID: unit.ID, Name: n})
				require.NoError(t, err)
				suspects[n] = p.ID
			}
			report := func(actor casework.Actor, unit casework.Unit, when time.Time) cases.Case {
				e.clock.Set(when)
				c, err := e.svc.Report(ctx, actor, cases.ReportInput{UnitID: unit.ID, Kind: cases.KindTheft, IncidentAt: when.Add(-time.Hour), Place: "某地"})
				require.NoError(t, err)
				return c
			}
			step := func(c *cases.Case, when time.Time, do func(c cases.Case) (cases.Case, error)) {
				e.clock.Set(when)
				n, err := do(*c)
				require.NoError(t, err)
				*c = n
			}
			file := func(actor casework.Actor, c *cases.Case, when time.Time) {
				step(c, when, func(c cases.Case) (cases.Case, error) {
					return e.svc.DispatchAndFile(ctx, actor, c.ID, c.Version, cases.DispatchInput{})
				})
			}
			arrest := func(actor casework.Actor, c *cases.Case, suspect string, when time.Time) {
				step(c, when, func(c cases.Case) (cases.Case, error) {
					return e.svc.Arrest(ctx, actor, c.ID, c.Version, cases.ArrestInput{SuspectID: suspects[suspect]})
				})
			}
			// The team (打侵财专业工作队), under 张店.
			t1 := report(e.officer, e.team, at(2020, 5, 3, 9, 0))
			file(e.officer, &t1, at(2020, 5, 3, 9, 10))
			arrest(e.officer, &t1, "S1", at(2020, 5, 10, 9, 0))
			t2 := report(e.officer, e.team, at(2020, 5, 5, 9, 0))
			file(e.officer, &t2, at(2020, 5, 5, 9, 10))
			step(&t2, at(2020, 5, 6, 9, 0), func(c cases.Case) (cases.Case, error) {
				return e.svc.Drop(ctx, e.supervisor, c.ID, c.Version, "撤案")
			})
			t3 := report(e.officer, e.team, at(2020, 4, 28, 9, 0))
			file(e.officer, &t3, at(2020, 4, 28, 9, 10))
			arrest(e.officer, &t3, "S1", at(2020, 5, 2, 9, 0))
			report(e.officer, e.team, at(2020, 5, 20, 9, 0))
			t5 := report(e.officer, e.team, at(2020, 5, 15, 9, 0))
			file(e.officer, &t5, at(2020, 5, 15, 9, 10))
			// 车站派出所, under 张店.
			c1 := report(stationOfficer, e.station, at(2020, 5, 7, 9, 0))
			file(stationOfficer, &c1, at(2020, 5, 7, 9, 10))
			arrest(stationOfficer, &c1, "S2", at(2020, 5, 8, 9, 0))
			arrest(stationOfficer, &c1, "S3", at(2020, 5, 9, 9, 0))
			c2 := report(stationOfficer, e.station, at(2020, 5, 31, 23, 30))
			file(stationOfficer, &c2, at(2020, 6, 1, 0, 10)) // filed in June, local time
			c3 := report(stationOfficer, e.station, at(2020, 4, 20, 9, 0))
			file(stationOfficer, &c3, at(2020, 4, 20, 9, 10))
			arrest(stationOfficer, &c3, "S2", at(2020, 5, 3, 9, 0))
			// 般阳路派出所, under 淄川: filed, not solved.
			z1 := report(baiyangOfficer, baiyang, at(2020, 5, 12, 9, 0))
			file(baiyangOfficer, &z1, at(2020, 5, 12, 9, 10))
			// A year earlier, the team.
			y1 := report(e.officer, e.team, at(2019, 5, 4, 9, 0))
			file(e.officer, &y1, at(2019, 5, 4, 9, 10))
			arrest(e.officer, &y1, "S5", at(2019, 5, 20, 9, 0))
			y2 := report(e.officer, e.team, at(2019, 5, 6, 9, 0))
			file(e.officer, &y2, at(2019, 5, 6, 9, 10))
			// Leads.
			for _, when := range []time.Time{at(2020, 5, 2, 9, 0), at(2019, 5, 2, 9, 0), at(2020, 4, 30, 23, 59)} {
				e.clock.Set(when)
				_, err := e.svc.CreateLead(ctx, e.officer, cases.LeadInput{UnitID: e.team.ID, SourceKind: cases.LeadFromTip, Summary: "线索"})
				require.NoError(t, err)
			}
			e.clock.Set(at(2020, 6, 2, 9, 0))

			may := casework.ReportQuery{From: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2020, 5, 31, 0, 0, 0, 0, time.UTC)}
			type fig struct {
				reported, filed, solved, dropped, arrests, people, leads int64
				rate                                                     int64
				rateOK                                                   bool
			}
			totals := func(u casework.Unit) cases.Totals {
				t.Helper()
				q := may
				q.UnitID = u.ID
				tot, err := e.svc.Totals(ctx, e.auditor, q)
				require.NoError(t, err)
				return tot
			}
			check := func(got cases.Figures, want fig, unit string) {
				t.Helper()
				require.Equal(t, want.reported, got.Reported, "%s reported", unit)
				require.Equal(t, want.filed, got.Filed, "%s filed", unit)
				require.Equal(t, want.solved, got.Solved, "%s solved", unit)
				require.Equal(t, want.dropped, got.Dropped, "%s dropped", unit)
				require.Equal(t, want.arrests, got.Arrests, "%s arrests", unit)
				require.Equal(t, want.people, got.PeopleArrested, "%s people arrested", unit)
				require.Equal(t, want.leads, got.LeadsCollected, "%s leads", unit)
				require.Equal(t, want.rateOK, got.ClearanceRateDefined, "%s clearance defined", unit)
				require.Equal(t, want.rate, got.ClearanceRatePermille, "%s clearance", unit)
			}
			for _, tc := range []struct {
				unit      casework.Unit
				cur, prev fig
			}{
				{e.team, fig{4, 3, 2, 1, 2, 1, 1, 667, true}, fig{2, 2, 1, 0, 1, 1, 1, 500, true}},
				{e.station, fig{2, 1, 2, 0, 3, 2, 0, 2000, true}, fig{}},
				{e.branch, fig{6, 4, 4, 1, 5, 3, 1, 1000, true}, fig{2, 2, 1, 0, 1, 1, 1, 500, true}},
				{baiyang, fig{1, 1, 0, 0, 0, 0, 0, 0, true}, fig{}},
				{e.other, fig{1, 1, 0, 0, 0, 0, 0, 0, true}, fig{}},
				{e.root, fig{7, 5, 4, 1, 5, 3, 1, 800, true}, fig{2, 2, 1, 0, 1, 1, 1, 500, true}},
			} {
				tot := totals(tc.unit)
				check(tot.Current, tc.cur, tc.unit.Name)
				check(tot.YearEarlier, tc.prev, tc.unit.Name+" a year earlier")
			}
			team := totals(e.team)
			require.Equal(t, cases.Counts{Reported: 2, Filed: 1, Solved: 1, Dropped: 1, Arrests: 1}, team.Change.Delta)
			require.Equal(t, map[string]int64{"reported": 1000, "filed": 500, "solved": 1000, "peopleArrested": 0, "leadsCollected": 0}, team.Change.Permille)
			require.True(t, team.Change.ClearanceRateCompare)
			require.Equal(t, int64(167), team.Change.ClearanceRatePoints)
			root := totals(e.root)
			require.Equal(t, map[string]int64{"reported": 2500, "filed": 1500, "solved": 3000, "peopleArrested": 2000, "leadsCollected": 0}, root.Change.Permille)
			require.Equal(t, int64(300), root.Change.ClearanceRatePoints)
			require.Equal(t, time.Date(2020, 4, 30, 16, 0, 0, 0, time.UTC), root.Start)
			require.Equal(t, time.Date(2020, 5, 31, 16, 0, 0, 0, time.UTC), root.End)
			// By unit from the branch: the branch over its subtree, then each
			// unit directly below it over its own.
			byBranch := may
			byBranch.UnitID = e.branch.ID
			rows, err := e.svc.TotalsByUnit(ctx, e.auditor, byBranch)
			require.NoError(t, err)
			require.Equal(t, e.branch.ID, rows[0].Unit.ID)
			require.Equal(t, totals(e.branch), rows[0].Totals)
			for _, r := range rows[1:] {
				require.Equal(t, e.branch.Path, r.Unit.Path[:len(e.branch.Path)], "only units below the branch")
				require.Equal(t, totals(r.Unit), r.Totals, r.Unit.Name)
			}
			require.Len(t, rows, 1+len(childrenOf(t, e, e.branch)))
			station := totals(e.station)
			require.False(t, station.Change.ClearanceRateCompare, "no rate a year earlier")
			require.Empty(t, station.Change.Permille)

			// The kernel's report carries the same figures.
			q := may
			q.UnitID = e.root.ID
			figs, err := e.k.Report(ctx, e.auditor, q)
			require.NoError(t, err)
			got := map[string]int64{}
			for _, f := range figs {
				got[f.Key] = f.Value
			}
			require.Equal(t, map[string]int64{cases.FigureCasesReported: 7, cases.FigureCasesFiled: 5, cases.FigureCasesSolved: 4,
				cases.FigureCasesClearanceRate: 800, cases.FigureCasesPeopleArrested: 3, cases.FigureCasesLeadsCollected: 1, cases.FigureCasesReopened: 0}, got)
			q.From, q.To = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2020, 1, 31, 0, 0, 0, 0, time.UTC)
			figs, err = e.k.Report(ctx, e.auditor, q)
			require.NoError(t, err)
			for _, f := range figs {
				require.NotEqual(t, cases.FigureCasesClearanceRate, f.Key, "no rate when nothing was filed")
			}
			// Out of reach: the team's officer cannot total the bureau.
			q.UnitID = e.root.ID
			_, err = e.svc.Totals(ctx, e.officer, q)
			require.ErrorIs(t, err, casework.ErrNotFound)
			e.verify(t)
		})
	}
}

// childrenOf lists the units directly below u.
func childrenOf(t *testing.T, e *caseEnv, u casework.Unit) []casework.Unit {
	t.Helper()
	all, err := e.k.Store().ListUnits(e.ctx, casework.UnitFilter{Under: u.Path})
	require.NoError(t, err)
	var out []casework.Unit
	for _, c := range all {
		if c.ParentID == u.ID {
			out = append(out, c)
		}
	}
	return out
}
