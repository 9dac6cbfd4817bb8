package cases_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/stretchr/testify/require"
)

// TestCaseOverdueEdges checks the one overdue rule at its edges.
func TestCaseOverdueEdges(t *testing.T) {
	t.Parallel()
	reported := caseStart
	targets := cases.DefaultTargets()
	due := reported.Add(15 * time.Minute)
	base := cases.Case{State: cases.StateReported, ReportedAt: reported}
	filed := base
	filed.State, filed.Dispatch = cases.StateFiled, &cases.DispatchStep{At: reported.Add(20 * time.Minute)}
	solved := filed
	solved.State, solved.Arrests = cases.StateSolved, []cases.Arrest{{At: reported.Add(time.Hour)}}
	for _, tc := range []struct {
		name string
		c    cases.Case
		step cases.Step
		now  time.Time
		want bool
	}{
		{"dispatch one microsecond before due", base, cases.StepDispatchFile, due.Add(-time.Microsecond), false},
		{"dispatch at the due instant", base, cases.StepDispatchFile, due, false},
		{"dispatch one microsecond after due", base, cases.StepDispatchFile, due.Add(time.Microsecond), true},
		{"dispatch done late is late, not overdue", filed, cases.StepDispatchFile, due.Add(time.Hour), false},
		{"survey after an hour", filed, cases.StepSurvey, reported.Add(time.Hour + time.Microsecond), true},
		{"survey at an hour", filed, cases.StepSurvey, reported.Add(time.Hour), false},
		{"survey of a reported case is expected too", base, cases.StepSurvey, reported.Add(2 * time.Hour), true},
		{"survey no longer expected once solved", solved, cases.StepSurvey, reported.Add(48 * time.Hour), false},
		{"analysis after a day", filed, cases.StepAnalyse, reported.Add(24*time.Hour + time.Microsecond), true},
		{"arrest after a week", filed, cases.StepArrest, reported.Add(7*24*time.Hour + time.Microsecond), true},
		{"arrest done", solved, cases.StepArrest, reported.Add(30 * 24 * time.Hour), false},
		{"review not expected before solving", filed, cases.StepReview, reported.Add(60 * 24 * time.Hour), false},
		{"review of a solved case after 30 days", solved, cases.StepReview, reported.Add(30*24*time.Hour + time.Microsecond), true},
		{"review at 30 days", solved, cases.StepReview, reported.Add(30 * 24 * time.Hour), false},
		{"nothing is expected of a dropped case", cases.Case{State: cases.StateDropped, ReportedAt: reported}, cases.StepDispatchFile, due.Add(time.Hour), false},
		{"nothing is expected of a closed case", cases.Case{State: cases.StateClosed, ReportedAt: reported}, cases.StepReview, reported.Add(90 * 24 * time.Hour), false},
		{"unknown step", base, "nope", due.Add(time.Hour), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, cases.StepOverdue(tc.c, tc.step, targets, tc.now))
		})
	}
}

func TestCaseTargetsConfig(t *testing.T) {
	t.Parallel()
	open := caseBackends()["memory"]
	e := newCaseEnv(t, open, withCaseConfig(&cases.Config{Targets: cases.Targets{DispatchFile: 5 * time.Minute}}))
	require.Equal(t, 5*time.Minute, e.svc.Targets().DispatchFile)
	require.Equal(t, time.Hour, e.svc.Targets().Survey, "zero fields take the default")
	ks, cs, _ := open(t)
	k, err := casework.New(ks, nil)
	require.NoError(t, err)
	_, err = cases.New(k, cs, &cases.Config{Targets: cases.Targets{Arrest: -time.Second}})
	require.ErrorIs(t, err, casework.ErrInvalid)
	_, err = cases.New(nil, cs, nil)
	require.Error(t, err)
}

// TestCaseOverdueList checks the overdue list of a unit subtree uses the
// rule, stays in reach, and pages.
func TestCaseOverdueList(t *testing.T) {
	t.Parallel()
	for name, open := range caseBackends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newCaseEnv(t, open)
			late := e.report(t)                  // reported at 10:00, never dispatched
			onTime := e.to(t, cases.StateSolved) // every step before solving done at 10:00
			e.clock.Advance(10 * time.Minute)
			fresh := e.report(t) // reported at 10:10
			stationOfficer := e.staff(t, e.station, "车站民警", casework.RoleOfficer)
			elsewhere, err := e.svc.Report(e.ctx, stationOfficer, cases.ReportInput{UnitID: e.station.ID, Kind: cases.KindTheft,
				IncidentAt: e.clock.Now().Add(-time.Hour), Place: "车站"})
			require.NoError(t, err)

			at := caseStart.Add(15*time.Minute + time.Microsecond)
			list, next, err := e.svc.Overdue(e.ctx, e.officer, "", at, casework.Page{})
			require.NoError(t, err)
			require.Empty(t, next)
			require.Len(t, list, 1)
			require.Equal(t, late.ID, list[0].Case.ID)
			require.Equal(t, []cases.Step{cases.StepDispatchFile}, list[0].Steps)

			// Two hours later: the survey is overdue too; the branch sees the
			// station's case as well, the team does not.
			at = caseStart.Add(2 * time.Hour)
			list, _, err = e.svc.Overdue(e.ctx, e.branchOfficer, "", at, casework.Page{})
			require.NoError(t, err)
			var got []string
			for _, o := range list {
				got = append(got, o.Case.ID)
			}
			require.Equal(t, []string{late.ID, fresh.ID, elsewhere.ID}, got)
			require.Equal(t, []cases.Step{cases.StepDispatchFile, cases.StepSurvey}, list[0].Steps)
			page, next, err := e.svc.Overdue(e.ctx, e.branchOfficer, "", at, casework.Page{Limit: 2})
			require.NoError(t, err)
			require.Len(t, page, 2)
			page, next, err = e.svc.Overdue(e.ctx, e.branchOfficer, "", at, casework.Page{Limit: 2, After: next})
			require.NoError(t, err)
			require.Empty(t, next)
			require.Equal(t, elsewhere.ID, page[0].Case.ID)
			list, _, err = e.svc.Overdue(e.ctx, e.branchOfficer, e.station.ID, at, casework.Page{})
			require.NoError(t, err)
			require.Len(t, list, 1)
			_, _, err = e.svc.Overdue(e.ctx, e.officer, e.station.ID, at, casework.Page{})
			require.ErrorIs(t, err, casework.ErrNotFound, "a unit out of reach")

			// Timings measure each step from the report.
			tm := e.svc.Targets().Timings(onTime, at)
			require.True(t, tm[0].Done)
			require.Zero(t, tm[0].Elapsed)
			require.False(t, tm[1].Done, "the solved case was never surveyed")
			require.False(t, tm[1].Overdue, "and no longer needs to be")
			require.True(t, tm[3].Done)
			require.False(t, tm[4].Overdue)
			e.verify(t)
		})
	}
}

// TestCaseQueries covers the filters of List and reach.
func TestCaseQueries(t *testing.T) {
	t.Parallel()
	for name, open := range caseBackends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newCaseEnv(t, open)
			ctx := e.ctx
			bird := e.report(t)
			ebike := e.report(t, func(in *cases.ReportInput) {
				in.Kind = cases.KindVehicleTheft
				in.Items = []cases.ItemInput{{Category: "e_bike", Description: "雅迪电动车", Identifiers: []casework.Identifier{{Kind: "frame", Value: "YD-2020 0815"}}}}
			})
			e.clock.Advance(24 * time.Hour)
			solved := e.to(t, cases.StateSolved)
			list := func(q cases.Query) []string {
				t.Helper()
				cs, _, err := e.svc.List(ctx, e.officer, q)
				require.NoError(t, err)
				var ids []string
				for _, c := range cs {
					ids = append(ids, c.ID)
				}
				return ids
			}
			require.Equal(t, []string{bird.ID, ebike.ID, solved.ID}, list(cases.Query{}))
			require.Equal(t, []string{ebike.ID}, list(cases.Query{Kind: cases.KindVehicleTheft}))
			require.Equal(t, []string{solved.ID}, list(cases.Query{States: []cases.State{cases.StateSolved}}))
			require.Equal(t, []string{bird.ID, ebike.ID}, list(cases.Query{ReportedFrom: caseStart, ReportedTo: caseStart.Add(time.Hour)}))
			require.Equal(t, []string{ebike.ID}, list(cases.Query{Identifier: "yd20200815"}))
			require.Equal(t, []string{solved.ID}, list(cases.Query{SuspectDocNumber: "11010519491231002x"}), "suspect by ID number, through its blind index")
			require.Empty(t, list(cases.Query{SuspectDocNumber: "110105194912310038"}))
			_, _, err := e.svc.List(ctx, e.officer, cases.Query{Identifier: " - "})
			require.ErrorIs(t, err, casework.ErrInvalid)
			page, next, err := e.svc.List(ctx, e.officer, cases.Query{Page: casework.Page{Limit: 2}})
			require.NoError(t, err)
			require.Len(t, page, 2)
			page, next, err = e.svc.List(ctx, e.officer, cases.Query{Page: casework.Page{Limit: 2, After: next}})
			require.NoError(t, err)
			require.Equal(t, solved.ID, page[0].ID)
			require.Empty(t, next)

			// Reach: out of reach is not found; the branch above sees it.
			_, err = e.svc.Get(ctx, e.outsider, bird.ID)
			require.ErrorIs(t, err, casework.ErrNotFound)
			others, _, err := e.svc.List(ctx, e.outsider, cases.Query{})
			require.NoError(t, err)
			require.Empty(t, others)
			_, err = e.svc.Get(ctx, e.branchOfficer, bird.ID)
			require.NoError(t, err)
			_, err = e.svc.Get(ctx, e.officer, "no-such-case")
			require.ErrorIs(t, err, casework.ErrNotFound)
			e.verify(t)
		})
	}
}

// TestCaseSharing checks that analyse-and-share grants read access only,
// audited, and that a revocation takes it away at once.
func TestCaseSharing(t *testing.T) {
	t.Parallel()
	for name, open := range caseBackends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newCaseEnv(t, open)
			ctx := e.ctx
			c := e.to(t, cases.StateInvestigating)
			zichuan := e.outsider
			_, err := e.svc.Get(ctx, zichuan, c.ID)
			require.ErrorIs(t, err, casework.ErrNotFound)
			c, err = e.svc.AnalyseAndShare(ctx, e.officer, c.ID, c.Version, cases.AnalysisInput{Findings: "跨区作案",
				ShareWith: []cases.ShareInput{{UnitID: e.other.ID, Reason: "嫌疑人在淄川落脚"}, {UnitID: e.station.ID}}})
			require.NoError(t, err)
			require.ElementsMatch(t, []string{e.other.ID, e.station.ID}, c.SharedWith)
			require.Len(t, c.Analysis.Shares, 2)
			got, err := e.svc.Get(ctx, zichuan, c.ID)
			require.NoError(t, err, "a shared case is readable by the unit it is shared with")
			require.Equal(t, c.Number, got.Number)
			_, err = e.svc.Arrest(ctx, zichuan, c.ID, c.Version, cases.ArrestInput{SuspectID: e.suspect.ID})
			require.ErrorIs(t, err, casework.ErrForbidden, "and read-only there")
			_, err = e.svc.Unshare(ctx, zichuan, c.ID, c.Analysis.Shares[0].ShareID, "协查结束")
			require.ErrorIs(t, err, casework.ErrForbidden)
			sh, err := e.svc.Unshare(ctx, e.officer, c.ID, c.Analysis.Shares[0].ShareID, "协查结束")
			require.NoError(t, err)
			require.False(t, sh.Active())
			_, err = e.svc.Get(ctx, zichuan, c.ID)
			require.ErrorIs(t, err, casework.ErrNotFound, "revoked at once")
			shares, err := e.svc.Shares(ctx, e.officer, c.ID)
			require.NoError(t, err)
			require.Len(t, shares, 2)
			require.Equal(t, []string{"case.report", "case.dispatch_file", "case.start", "case.analyse_share", "record.share", "record.share", "record.unshare"},
				e.trail(t, cases.RecordCase, c.ID))
			_, err = e.svc.Unshare(ctx, e.officer, c.ID, "no-such-share", "协查结束")
			require.ErrorIs(t, err, casework.ErrNotFound)
			e.verify(t)
		})
	}
}

// TestCaseConcurrentFiling files 200 cases from 8 goroutines and gets the
// numbers 1..200 with no gap and no duplicate; on SQLite and PostgreSQL
// half the goroutines go through a second connection pool, as a second
// server process would.
func TestCaseConcurrentFiling(t *testing.T) {
	t.Parallel()
	const n, workers = 200, 8
	for name, open := range caseBackends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newCaseEnv(t, open)
			ids := make([]string, n)
			for i := range n {
				c, err := e.svc.Report(e.ctx, e.officer, cases.ReportInput{UnitID: e.team.ID, Kind: cases.KindTheft,
					IncidentAt: caseStart.Add(-time.Hour), Place: fmt.Sprintf("门牌 %d", i)})
				require.NoError(t, err)
				ids[i] = c.ID
			}
			services := []*cases.Service{e.svc}
			if e.reopen != nil {
				ks, cs := e.reopen(t)
				k2, err := casework.New(ks, &casework.Config{Clock: e.clock, IDs: &casework.SequentialIDs{Prefix: "p2-"}})
				require.NoError(t, err)
				s2, err := cases.New(k2, cs, nil)
				require.NoError(t, err)
				services = append(services, s2)
			}
			numbers := make([]string, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					svc := services[w%len(services)]
					for i := w; i < n; i += workers {
						c, err := svc.DispatchAndFile(e.ctx, e.officer, ids[i], 1, cases.DispatchInput{})
						numbers[i], errs[i] = c.Number, err
					}
				})
			}
			wg.Wait()
			for i, err := range errs {
				require.NoError(t, err, "case %d", i)
			}
			slices.Sort(numbers)
			for i, num := range numbers {
				require.Equal(t, fmt.Sprintf("370302DQC-2020-%06d", i+1), num)
			}
			e.verify(t)
		})
	}
}

// TestCaseNumberYear checks the number's year is the filing year in the
// deployment zone.
func TestCaseNumberYear(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t, caseBackends()["memory"])
	e.clock.Set(time.Date(2020, 12, 31, 15, 59, 0, 0, time.UTC)) // 23:59 in Shanghai
	a := e.report(t)
	a, err := e.svc.DispatchAndFile(e.ctx, e.officer, a.ID, a.Version, cases.DispatchInput{})
	require.NoError(t, err)
	require.Equal(t, "370302DQC-2020-000001", a.Number)
	e.clock.Set(time.Date(2020, 12, 31, 16, 30, 0, 0, time.UTC)) // 00:30 on 1 January in Shanghai
	b := e.report(t)
	_, err = e.svc.DispatchAndFile(e.ctx, e.officer, b.ID, b.Version, cases.DispatchInput{At: b.ReportedAt.Add(time.Minute)})
	require.ErrorIs(t, err, casework.ErrInvalid, "a dispatch in the future")
	b, err = e.svc.DispatchAndFile(e.ctx, e.officer, b.ID, b.Version, cases.DispatchInput{})
	require.NoError(t, err)
	require.Equal(t, "370302DQC-2021-000001", b.Number)
}

// TestCaseReportValidation names every field that broke a rule.
func TestCaseReportValidation(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t, caseBackends()["memory"])
	for _, tc := range []struct {
		name  string
		in    cases.ReportInput
		field string
		rule  string
	}{
		{"kind missing", cases.ReportInput{UnitID: e.team.ID, IncidentAt: caseStart, Place: "x"}, "kind", "required"},
		{"kind unknown", cases.ReportInput{UnitID: e.team.ID, Kind: "arson", IncidentAt: caseStart, Place: "x"}, "kind", "code"},
		{"no place", cases.ReportInput{UnitID: e.team.ID, Kind: "theft", IncidentAt: caseStart}, "place", "required"},
		{"no incident time", cases.ReportInput{UnitID: e.team.ID, Kind: "theft", Place: "x"}, "incidentAt", "required"},
		{"incident in the future", cases.ReportInput{UnitID: e.team.ID, Kind: "theft", Place: "x", IncidentAt: caseStart.Add(time.Hour)}, "incidentAt", "past"},
		{"unknown victim", cases.ReportInput{UnitID: e.team.ID, Kind: "theft", Place: "x", IncidentAt: caseStart, VictimIDs: []string{"nobody"}}, "victimIds[0]", "exists"},
		{"unknown reporter", cases.ReportInput{UnitID: e.team.ID, Kind: "theft", Place: "x", IncidentAt: caseStart, ReporterID: "nobody"}, "reporterId", "exists"},
		{"unknown address", cases.ReportInput{UnitID: e.team.ID, Kind: "theft", IncidentAt: caseStart, AddressID: "nowhere"}, "addressId", "exists"},
		{"item without description", cases.ReportInput{UnitID: e.team.ID, Kind: "theft", Place: "x", IncidentAt: caseStart,
			Items: []cases.ItemInput{{Category: "e_bike"}}}, "items[0].description", "required"},
		{"identifier kind", cases.ReportInput{UnitID: e.team.ID, Kind: "theft", Place: "x", IncidentAt: caseStart,
			Items: []cases.ItemInput{{Category: "e_bike", Description: "d", Identifiers: []casework.Identifier{{Kind: "vin", Value: "1"}}}}}, "items[0].identifiers[0].kind", "oneof"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := e.svc.Report(e.ctx, e.officer, tc.in)
			require.ErrorIs(t, err, casework.ErrInvalid)
			var inv *casework.InvalidError
			require.ErrorAs(t, err, &inv)
			require.Contains(t, inv.Fields, casework.FieldError{Field: tc.field, Rule: tc.rule, Message: caseFieldMessage(inv, tc.field)}, "%v", inv)
		})
	}
	// A repeat with the same request key returns the first case.
	in := cases.ReportInput{UnitID: e.team.ID, Kind: "theft", Place: "x", IncidentAt: caseStart, RequestKey: "req-1"}
	a, err := e.svc.Report(e.ctx, e.officer, in)
	require.NoError(t, err)
	b, err := e.svc.Report(e.ctx, e.officer, in)
	require.NoError(t, err)
	require.Equal(t, a.ID, b.ID)
	in.Place = "y"
	_, err = e.svc.Report(e.ctx, e.officer, in)
	require.ErrorIs(t, err, casework.ErrConflict)
	_, err = e.svc.Report(e.ctx, e.outsider, cases.ReportInput{UnitID: e.team.ID, Kind: "theft", Place: "x", IncidentAt: caseStart})
	require.ErrorIs(t, err, casework.ErrNotFound, "reporting into a unit out of reach")
	_, err = e.svc.Report(e.ctx, e.auditor, cases.ReportInput{UnitID: e.team.ID, Kind: "theft", Place: "x", IncidentAt: caseStart})
	require.ErrorIs(t, err, casework.ErrForbidden, "an auditor changes nothing")
}

func caseFieldMessage(inv *casework.InvalidError, field string) string {
	for _, f := range inv.Fields {
		if f.Field == field {
			return f.Message
		}
	}
	return ""
}

// TestCaseSurveyCompares checks what the survey compares and stores: the
// register's matches through the ledger, and open cases in reach by
// identifier, suspect and modus operandi, best first.
func TestCaseSurveyCompares(t *testing.T) {
	t.Parallel()
	for name, open := range caseBackends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newCaseEnv(t, open)
			ctx := e.ctx
			frame := func(v string) func(*cases.ReportInput) {
				return func(in *cases.ReportInput) {
					in.Kind, in.ModusOperandi = cases.KindVehicleTheft, "剪断车锁"
					in.Items = []cases.ItemInput{{Category: "e_bike", Description: "电动车", Identifiers: []casework.Identifier{{Kind: "frame", Value: v}}}}
				}
			}
			sameFrame := e.report(t, frame("LX-0001"))
			sameMO := e.report(t, frame("LX-0002"))
			sameSuspect := e.report(t, func(in *cases.ReportInput) { in.SuspectIDs = []string{e.suspect.ID}; in.ModusOperandi = "" })
			solvedSameFrame := e.to(t, cases.StateSolved, frame("lx 0001"))
			stationOfficer := e.staff(t, e.station, "车站民警", casework.RoleOfficer)
			outOfReach, err := e.svc.Report(ctx, stationOfficer, cases.ReportInput{UnitID: e.station.ID, Kind: cases.KindVehicleTheft,
				IncidentAt: caseStart.Add(-time.Hour), Place: "车站", ModusOperandi: "剪断车锁"})
			require.NoError(t, err)

			c := e.to(t, cases.StateFiled, frame("lx0001"), func(in *cases.ReportInput) { in.SuspectIDs = []string{e.suspect.ID} })
			// Without a ledger only cases are compared.
			got, err := e.svc.Survey(ctx, e.officer, c.ID, c.Version, cases.SurveyInput{Description: "车锁被剪断",
				Identifiers: []casework.Identifier{{Kind: "imei", Value: "861234567890123"}}})
			require.NoError(t, err)
			require.Equal(t, cases.StateInvestigating, got.State)
			var matched []string
			for _, m := range got.Survey.Matches {
				require.Equal(t, cases.MatchCase, m.Source)
				matched = append(matched, m.ID)
			}
			require.Equal(t, []string{sameFrame.ID, sameSuspect.ID, sameMO.ID}, matched)
			require.Equal(t, 1.0, got.Survey.Matches[0].Score)
			require.Equal(t, []string{"identifier LX0001", "same modus operandi"}, got.Survey.Matches[0].Reasons)
			require.NotContains(t, matched, solvedSameFrame.ID, "a solved case is not open")
			require.NotContains(t, matched, outOfReach.ID, "a case out of reach is not compared")
			stored, err := e.svc.Get(ctx, e.officer, c.ID)
			require.NoError(t, err)
			require.Equal(t, got.Survey.Matches, stored.Survey.Matches, "the matches are stored")
			listed, _, err := e.svc.List(ctx, e.officer, cases.Query{Identifier: "861234567890123"})
			require.NoError(t, err)
			require.Len(t, listed, 1, "the survey's identifiers are searchable")

			// With a ledger, its matches come first.
			l := newCaseLedgerFake(e.k)
			l.matches = []casework.PropertyMatch{{ItemID: "item-9", State: "recovered", Score: 0.9, Reasons: []string{"frame number"}}}
			e.connect(l)
			c2 := e.to(t, cases.StateFiled, frame("LX-0009"))
			got, err = e.svc.Survey(ctx, e.officer, c2.ID, c2.Version, cases.SurveyInput{Description: "现场遗留车锁"})
			require.NoError(t, err)
			require.Equal(t, cases.Match{Source: cases.MatchProperty, ID: "item-9", State: "recovered", Score: 0.9, Reasons: []string{"frame number"}}, got.Survey.Matches[0])
			require.Len(t, l.queries, 1)
			q := l.queries[0]
			require.Equal(t, []casework.Identifier{{Kind: "frame", Value: "LX-0009"}}, q.Identifiers)
			require.Equal(t, "e_bike", q.Category)
			require.Equal(t, "现场遗留车锁", q.Description)
			require.Equal(t, e.team.ID, q.UnitID)
			_, err = e.svc.Survey(ctx, e.officer, got.ID, got.Version, cases.SurveyInput{Description: "again"})
			require.ErrorIs(t, err, casework.ErrInvalidTransition, "one survey per case")
			c3 := e.to(t, cases.StateFiled)
			_, err = e.svc.Survey(ctx, e.officer, c3.ID, c3.Version, cases.SurveyInput{})
			require.ErrorIs(t, err, casework.ErrInvalid, "a survey records something to compare")
			e.verify(t)
		})
	}
}
