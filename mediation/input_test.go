package mediation_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	casemem "github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/mediation/memstore"
	"github.com/stretchr/testify/require"
)

// Promise: input. Text outside input structs (reasons, notes) follows the
// kernel's one text rule; names and codes are one line; no method writes
// into its caller's arguments; a method that fails returns the zero value.

func TestTextParameters(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	j := f.jurisdiction()
	for _, tc := range []struct {
		name, field, rule string
		call              func(d mediation.Dispute) error
	}{
		{"review note NUL", "note", "text", func(d mediation.Dispute) error {
			_, err := f.svc.Review(f.ctx, f.supervisor, d.ID, d.Version, "稳控\x00")
			return err
		}},
		{"review note invalid UTF-8", "note", "utf8", func(d mediation.Dispute) error {
			_, err := f.svc.Review(f.ctx, f.supervisor, d.ID, d.Version, "稳控\xff")
			return err
		}},
		{"transition reason escape", "reason", "text", func(d mediation.Dispute) error {
			_, err := f.svc.Transition(f.ctx, f.officer, d.ID, d.Version, mediation.TransitionInput{To: mediation.StateScreened, Reason: "ok\x1b[2J"})
			return err
		}},
		{"assign reason", "reason", "utf8", func(d mediation.Dispute) error {
			_, err := f.svc.Assign(f.ctx, f.officer, d.ID, d.Version, mediation.AssignInput{Reason: "\xc3"})
			return err
		}},
		{"risk reason", "reason", "text", func(d mediation.Dispute) error {
			_, err := f.svc.Assess(f.ctx, f.officer, d.ID, d.Version, mediation.RiskInput{Risk: mediation.RiskMedium, Reason: "a\x00b"})
			return err
		}},
		{"share reason", "reason", "text", func(d mediation.Dispute) error {
			_, err := f.svc.Share(f.ctx, f.officer, d.ID, j.siblingUnit.ID, "协查\x07", time.Time{})
			return err
		}},
		{"place is one line", "place", "text", func(d mediation.Dispute) error {
			_, err := f.svc.Transition(f.ctx, f.officer, d.ID, d.Version, mediation.TransitionInput{To: mediation.StateReferred, Reason: "r",
				Referral: &mediation.Referral{To: "court", Body: "淄川区\n人民法院"}})
			if err == nil {
				return errors.New("accepted")
			}
			requireField(t, err, "referral.body", "text")
			return mediation.ErrInvalid
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := f.report(func(in *mediation.ReportInput) { in.Risk, in.RiskReason = mediation.RiskHigh, "r" })
			err := tc.call(d)
			if tc.name == "place is one line" {
				require.ErrorIs(t, err, mediation.ErrInvalid)
				return
			}
			requireField(t, err, tc.field, tc.rule)
		})
	}
	t.Run("names in a report are one line", func(t *testing.T) {
		t.Parallel()
		_, err := f.svc.Report(f.ctx, f.officer, mediation.ReportInput{UnitID: f.station.ID, Category: "neighbour", Source: mediation.SourceWalkIn, Facts: "f",
			Parties: []mediation.Party{{PersonID: f.a.ID + "\n", Role: mediation.Applicant}}})
		requireField(t, err, "parties[0].personId", "text")
	})
}

// TestNoWriteIntoArguments shares one input value, slices included, across
// concurrent calls of every create and update (go test -race catches a
// write), and checks the value is unchanged afterwards.
func TestNoWriteIntoArguments(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	in := mediation.ReportInput{UnitID: f.station.ID, Category: " neighbour ", Source: mediation.SourceWalkIn, Facts: " f ",
		Police: nil, Parties: []mediation.Party{{PersonID: f.a.ID, Role: mediation.Applicant, Representatives: []mediation.Representative{{PersonID: f.agent.ID, Role: mediation.Agent}}},
			{PersonID: f.b.ID, Role: mediation.Respondent}}}
	before := fmt.Sprintf("%#v", in)
	parties := []mediation.Party{{PersonID: f.b.ID, Role: mediation.Applicant}, {PersonID: f.a.ID, Role: mediation.Respondent}}
	partiesBefore := fmt.Sprintf("%#v", parties)
	session := mediation.SessionInput{Place: " 调解室 ", Notes: " n ", Mediators: []mediation.Mediator{{StaffID: f.officer.StaffID, Role: casework.RoleOfficer}},
		Attendees: []mediation.Attendee{{Name: "物业"}}}
	sessionBefore := fmt.Sprintf("%#v", session)
	followUp := mediation.FollowUpInput{Checks: []mediation.TermCheck{{Term: 0, Status: mediation.Performed}}, Note: " n "}
	followUpBefore := fmt.Sprintf("%#v", followUp)
	agreement := mediation.AgreementInput{Form: mediation.Oral, MediatorID: f.officer.StaffID, Content: " 和好 "}
	agreementBefore := fmt.Sprintf("%#v", agreement)

	const n = 8
	reported := make([]mediation.Dispute, n)
	inMediation := make([]mediation.Dispute, n)
	agreed := make([]mediation.Dispute, n)
	for i := range n {
		reported[i], inMediation[i], agreed[i] = f.report(), f.to(mediation.StateInMediation), f.to(mediation.StateAgreed)
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c := in
			c.RequestKey = fmt.Sprintf("k%d", i)
			_, err := f.svc.Report(f.ctx, f.officer, in) // the shared value itself, under no key
			require.NoError(t, err)
			_, err = f.svc.Report(f.ctx, f.officer, c)
			require.NoError(t, err)
			_, err = f.svc.UpdateParties(f.ctx, f.officer, reported[i].ID, reported[i].Version, parties)
			require.NoError(t, err)
			_, err = f.svc.RecordSession(f.ctx, f.officer, inMediation[i].ID, inMediation[i].Version, session)
			require.NoError(t, err)
			_, err = f.svc.RecordFollowUp(f.ctx, f.officer, agreed[i].ID, agreed[i].Version, followUp)
			require.NoError(t, err)
			d, err := f.svc.Get(f.ctx, f.officer, inMediation[i].ID)
			require.NoError(t, err)
			_, err = f.svc.DraftAgreement(f.ctx, f.officer, d.ID, d.Version, agreement)
			require.NoError(t, err)
		})
	}
	wg.Wait()
	require.Equal(t, before, fmt.Sprintf("%#v", in))
	require.Equal(t, partiesBefore, fmt.Sprintf("%#v", parties))
	require.Equal(t, sessionBefore, fmt.Sprintf("%#v", session))
	require.Equal(t, followUpBefore, fmt.Sprintf("%#v", followUp))
	require.Equal(t, agreementBefore, fmt.Sprintf("%#v", agreement))
}

// failingUpdates is a store whose UpdateDispute fails after the first.
type failingUpdates struct {
	mediation.Store
	mu    sync.Mutex
	calls int
}

func (s *failingUpdates) UpdateDispute(ctx context.Context, d mediation.Dispute, ch casework.Change) error {
	s.mu.Lock()
	s.calls++
	n := s.calls
	s.mu.Unlock()
	if n > 1 {
		return errors.New("disk full")
	}
	return s.Store.UpdateDispute(ctx, d, ch)
}

// TestSweepFailsWithZeroResult: a sweep that fails part-way answers the
// zero result with its error, not the counts of what it did before.
func TestSweepFailsWithZeroResult(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := casemem.New()
	clock := casework.NewFixedClock(local(5, 6, 9, 0))
	k, err := casework.New(db, &casework.Config{Clock: clock})
	require.NoError(t, err)
	store := &failingUpdates{Store: memstore.New(db)}
	svc, err := mediation.New(k, store, nil)
	require.NoError(t, err)
	root, admin, err := k.Bootstrap(ctx, casework.UnitInput{Code: "370300", Name: "市局", Level: casework.LevelBureau},
		casework.StaffInput{Name: "admin", Roles: []casework.Role{casework.RoleAdmin}})
	require.NoError(t, err)
	st, err := k.CreateStaff(ctx, casework.Actor{StaffID: admin.ID, UnitID: root.ID, Roles: admin.Roles},
		casework.StaffInput{UnitID: root.ID, Name: "民警", Roles: []casework.Role{casework.RoleOfficer}})
	require.NoError(t, err)
	officer := casework.Actor{StaffID: st.ID, UnitID: root.ID, Roles: st.Roles}
	for range 2 {
		_, err := svc.Report(ctx, officer, mediation.ReportInput{UnitID: root.ID, Category: "neighbour", Source: mediation.SourceWalkIn,
			Facts: "f", Risk: mediation.RiskHigh, RiskReason: "r"})
		require.NoError(t, err)
	}
	res, err := svc.Sweep(ctx, local(5, 9, 0, 0))
	require.Error(t, err)
	require.Equal(t, 2, store.calls, "the first notice was recorded, the second failed")
	require.Zero(t, res)
}
