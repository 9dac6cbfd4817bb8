package mediation_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/mediation"
)

// A helper never mediates alone: a session may name a committee member or
// a grid worker beside an officer or a people's mediator, never with only
// helpers (or only a lawyer beside them); a helper records no session,
// presides over no agreement, reads no dispute, and reports one.
func TestHelpersNeverMediateAlone(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			f := newFxOn(t, backend, nil)
			committee := f.staff(f.station, "居委会主任", casework.RoleCommitteeStaff)
			grid := f.staff(f.station, "网格员", casework.RoleGridWorker)
			d := f.to(mediation.StateInMediation)
			session := func(ms ...mediation.Mediator) mediation.SessionInput {
				return mediation.SessionInput{Place: "般阳路派出所人民调解室", Mediators: ms, Notes: "双方陈述，调解员释法说理。",
					Attendees: []mediation.Attendee{{PersonID: f.a.ID}, {PersonID: f.b.ID}}}
			}
			helper := func(a casework.Actor, r casework.Role) mediation.Mediator {
				return mediation.Mediator{StaffID: a.StaffID, Role: r}
			}

			for name, in := range map[string]mediation.SessionInput{
				"helpers only":                session(helper(committee, casework.RoleCommitteeStaff), helper(grid, casework.RoleGridWorker)),
				"a helper and a lawyer":       session(helper(committee, casework.RoleCommitteeStaff), helper(f.lawyer, casework.RoleLawyer)),
				"a helper in a role not held": session(helper(grid, casework.RoleCommitteeStaff), helper(f.officer, casework.RoleOfficer)),
			} {
				_, err := f.svc.RecordSession(f.ctx, f.officer, d.ID, d.Version, in)
				require.ErrorIs(t, err, casework.ErrInvalid, name)
			}
			_, err := f.svc.RecordSession(f.ctx, f.officer, d.ID, d.Version,
				session(helper(committee, casework.RoleCommitteeStaff), helper(grid, casework.RoleGridWorker)))
			requireField(t, err, "mediators", "not_alone")

			_, err = f.svc.RecordSession(f.ctx, committee, d.ID, d.Version,
				session(helper(committee, casework.RoleCommitteeStaff), helper(f.officer, casework.RoleOfficer)))
			require.ErrorIs(t, err, casework.ErrForbidden, "a helper records no session")

			for _, with := range []mediation.Mediator{helper(f.officer, casework.RoleOfficer), helper(f.mediator, casework.RoleMediator)} {
				got, err := f.svc.RecordSession(f.ctx, f.officer, d.ID, d.Version,
					session(helper(committee, casework.RoleCommitteeStaff), with))
				require.NoError(t, err, "a helper assists a %s", with.Role)
				require.Equal(t, casework.RoleCommitteeStaff, got.Sessions[len(got.Sessions)-1].Mediators[0].Role)
				d = got
			}

			_, err = f.svc.Get(f.ctx, grid, d.ID)
			require.ErrorIs(t, err, casework.ErrForbidden, "a helper reads no dispute in reach")
			_, err = f.svc.Get(f.ctx, f.staff(f.otherBranch, "外单位网格员", casework.RoleGridWorker), d.ID)
			require.ErrorIs(t, err, casework.ErrNotFound, "out of reach is not found, before any role")
			reported, err := f.svc.Report(f.ctx, grid, mediation.ReportInput{UnitID: f.station.ID, Category: "neighbour/noise",
				Source: mediation.SourceWalkIn, Facts: "楼上装修噪音，邻里争吵", Parties: []mediation.Party{{PersonID: f.a.ID, Role: mediation.Applicant}}})
			require.NoError(t, err, "a helper reports the disputes they find")
			require.Equal(t, mediation.StateReported, reported.State)
		})
	}
}
