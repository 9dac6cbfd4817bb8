package cases_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/stretchr/testify/require"
)

// Promise: roles — consulted only for a case in reach. A plain officer may
// not drop a case of its own unit (ErrForbidden); a plain officer of
// another unit learns nothing: ErrNotFound and the zero case, as for a
// made-up id.
func TestRolesAfterReach(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t, caseBackends()["memory"])
	c := e.report(t)
	got, err := e.svc.Drop(e.ctx, e.officer, c.ID, c.Version, "报案不实")
	require.ErrorIs(t, err, cases.ErrForbidden)
	require.Zero(t, got)
	got, err = e.svc.Drop(e.ctx, e.outsider, c.ID, c.Version, "报案不实")
	require.ErrorIs(t, err, cases.ErrNotFound)
	require.NotErrorIs(t, err, cases.ErrForbidden)
	require.Zero(t, got)
}

// Promise: input. Reasons and notes passed as plain parameters follow the
// kernel's one text rule, naming the parameter; ids and codes are one line.
func TestTextParameters(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t, caseBackends()["memory"])
	lead := func() cases.Lead {
		l, err := e.svc.CreateLead(e.ctx, e.officer, cases.LeadInput{UnitID: e.team.ID, SourceKind: cases.LeadFromTip, Summary: "举报"})
		require.NoError(t, err)
		return l
	}
	for _, tc := range []struct {
		name, field, rule string
		call              func() error
	}{
		{"drop reason NUL", "reason", "text", func() error {
			c := e.report(t)
			_, err := e.svc.Drop(e.ctx, e.supervisor, c.ID, c.Version, "不实\x00")
			return err
		}},
		{"start reason escape", "reason", "text", func() error {
			c := e.to(t, cases.StateFiled)
			_, err := e.svc.StartInvestigation(e.ctx, e.officer, c.ID, c.Version, "ok\x1b[2J")
			return err
		}},
		{"close reason invalid UTF-8", "reason", "utf8", func() error {
			c := e.to(t, cases.StateSolved)
			_, err := e.svc.Close(e.ctx, e.officer, c.ID, c.Version, "结案\xff")
			return err
		}},
		{"verify note", "note", "text", func() error {
			l := lead()
			_, err := e.svc.VerifyLead(e.ctx, e.officer, l.ID, l.Version, "a\x07")
			return err
		}},
		{"discard reason", "reason", "utf8", func() error {
			l := lead()
			_, err := e.svc.DiscardLead(e.ctx, e.officer, l.ID, l.Version, "\xc3")
			return err
		}},
		{"kind is one line", "kind", "text", func() error {
			_, err := e.svc.Report(e.ctx, e.officer, func() cases.ReportInput { in := e.reportInput(); in.Kind = "theft\n"; return in }())
			return err
		}},
		{"victim id is one line", "victimIds[0]", "text", func() error {
			_, err := e.svc.Report(e.ctx, e.officer, func() cases.ReportInput {
				in := e.reportInput()
				in.VictimIDs = []string{e.victim.ID + "\t"}
				return in
			}())
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireField(t, tc.call(), tc.field, tc.rule)
		})
	}
}

// TestNoWriteIntoArguments shares one input value, slices included, across
// concurrent calls of every create and update (go test -race catches a
// write), and checks the value is unchanged afterwards. Report normalised
// the caller's Items in place: a retry under one request key raced.
func TestNoWriteIntoArguments(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t, caseBackends()["memory"])
	report := e.reportInput()
	report.Summary, report.Items[0].Category, report.Items[0].Description = " 鸟笼被盗 ", " cage ", " 竹制鸟笼 "
	report.Items[0].Quantity = 0
	reportBefore := fmt.Sprintf("%#v", report)
	dispatch := cases.DispatchInput{Officers: []string{e.officer.StaffID}, Note: " 出警 "}
	dispatchBefore := fmt.Sprintf("%#v", dispatch)
	survey := cases.SurveyInput{Identifiers: []casework.Identifier{{Kind: "serial", Value: " cage-001 "}}, Description: " 现场 "}
	surveyBefore := fmt.Sprintf("%#v", survey)
	arrest := cases.ArrestInput{SuspectID: e.suspect.ID, Place: " 旅馆 "}
	arrestBefore := fmt.Sprintf("%#v", arrest)
	leadIn := cases.LeadInput{UnitID: e.team.ID, SourceKind: cases.LeadFromTip, Summary: " 举报 ", PersonIDs: []string{e.suspect.ID}}
	leadBefore := fmt.Sprintf("%#v", leadIn)

	const n = 8
	reported := make([]cases.Case, n)
	filed := make([]cases.Case, n)
	verified := make([]cases.Lead, n)
	for i := range n {
		reported[i], filed[i] = e.report(t), e.to(t, cases.StateFiled)
		l, err := e.svc.CreateLead(e.ctx, e.officer, leadIn)
		require.NoError(t, err)
		verified[i], err = e.svc.VerifyLead(e.ctx, e.officer, l.ID, l.Version, "")
		require.NoError(t, err)
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			keyed := report
			keyed.RequestKey = "one-request" // a client retrying one request concurrently
			_, err := e.svc.Report(e.ctx, e.officer, keyed)
			require.NoError(t, err)
			_, err = e.svc.Report(e.ctx, e.officer, report)
			require.NoError(t, err)
			_, err = e.svc.DispatchAndFile(e.ctx, e.officer, reported[i].ID, reported[i].Version, dispatch)
			require.NoError(t, err)
			c, err := e.svc.Survey(e.ctx, e.officer, filed[i].ID, filed[i].Version, survey)
			require.NoError(t, err)
			_, err = e.svc.Arrest(e.ctx, e.officer, c.ID, c.Version, arrest)
			require.NoError(t, err)
			_, err = e.svc.CreateLead(e.ctx, e.officer, leadIn)
			require.NoError(t, err)
			_, _, err = e.svc.ConvertLead(e.ctx, e.officer, verified[i].ID, verified[i].Version, report)
			require.NoError(t, err)
		})
	}
	wg.Wait()
	require.Equal(t, reportBefore, fmt.Sprintf("%#v", report))
	require.Equal(t, dispatchBefore, fmt.Sprintf("%#v", dispatch))
	require.Equal(t, surveyBefore, fmt.Sprintf("%#v", survey))
	require.Equal(t, arrestBefore, fmt.Sprintf("%#v", arrest))
	require.Equal(t, leadBefore, fmt.Sprintf("%#v", leadIn))
}
