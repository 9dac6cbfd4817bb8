package openapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/outreach"
)

// Abbreviations of the role sets the default rows grant, for the table
// below; every set is spelled out, none is read back from the policy.
var (
	rOfficers = []casework.Role{casework.RoleOfficer, casework.RoleCommunityOfficer, casework.RoleSupervisor}
	rHelpers  = casework.HelperRoles
	rCore     = casework.CoreRoles
	rAll      = casework.AllRoles
)

func roles(sets ...[]casework.Role) []casework.Role { return slices.Concat(sets...) }

func only(rs ...casework.Role) []casework.Role { return rs }

// defaultGrants is every action of the four workflows and the kernel, by
// family, with the roles the defaults grant it to. The helpers record
// (visits, hazards, disputes, leads) and read persons, addresses and their
// unit's outreach records; nothing else.
var defaultGrants = map[string]map[casework.Action][]casework.Role{
	"read": {
		casework.ActionRead: rAll, casework.ActionReadAttachment: rCore,
		outreach.ActionRead: roles(rOfficers, rHelpers, only(casework.RoleAuditor)),
		"mediation.read":    rCore, "case.read": rCore,
		"recovery.read":     only(casework.RoleOfficer, casework.RoleCommunityOfficer, casework.RoleCustodian, casework.RoleSupervisor, casework.RoleAuditor),
		"report.run":        roles(rOfficers, only(casework.RoleAuditor)),
		"audit.verify":      only(casework.RoleAuditor, casework.RoleSupervisor),
		"handoff.read_dead": only(casework.RoleAdmin),
	},
	"record what is found": {
		outreach.ActionVisit: roles(rOfficers, rHelpers), outreach.ActionHazard: roles(rOfficers, rHelpers),
		"mediation.report": roles(rOfficers, rHelpers), "lead.create": roles(rOfficers, rHelpers),
	},
	"officers' writes": {
		casework.ActionWritePerson:  roles(rOfficers, only(casework.RoleMediator, casework.RoleCustodian)),
		casework.ActionWriteAddress: rOfficers, casework.ActionShareRecord: rOfficers, casework.ActionAttachRecord: rOfficers,
		casework.ActionPutAttachment: roles(rOfficers, only(casework.RoleMediator, casework.RoleLawyer, casework.RoleCustodian)),
		outreach.ActionAppointment:   rOfficers, outreach.ActionPlan: rOfficers, outreach.ActionCampaign: only(casework.RoleSupervisor),
		outreach.ActionRefer: rOfficers,
		"mediation.screen":   rOfficers, "mediation.accept": rOfficers, "mediation.close": rOfficers,
		"case.report": rOfficers, "case.dispatch_file": rOfficers, "case.start": rOfficers, "case.survey": rOfficers,
		"case.analyse_share": rOfficers, "case.arrest": rOfficers, "case.review": rOfficers, "case.close": rOfficers,
		"case.correct": rOfficers, "case.add_items": rOfficers,
		"lead.verify": rOfficers, "lead.convert": rOfficers, "lead.discard": rOfficers,
		"recovery.report": rOfficers, "recovery.recover": rOfficers, "recovery.identify": rOfficers,
		"recovery.trace": rOfficers, "recovery.event": rOfficers,
		"recovery.custody.move": only(casework.RoleCustodian), "recovery.custody.correct": only(casework.RoleCustodian, casework.RoleSupervisor),
		"recovery.return.request":    only(casework.RoleOfficer, casework.RoleCommunityOfficer, casework.RoleCustodian),
		"recovery.return.hand_over":  only(casework.RoleOfficer, casework.RoleCommunityOfficer, casework.RoleCustodian),
		"recovery.disposal.request":  only(casework.RoleOfficer, casework.RoleCustodian),
		"recovery.disposal.complete": only(casework.RoleCustodian),
	},
	"mediate": {
		"mediation.mediate":   roles(rOfficers, only(casework.RoleMediator, casework.RoleLawyer)),
		"mediation.assess":    roles(rOfficers, only(casework.RoleMediator, casework.RoleLawyer)),
		"mediation.follow_up": roles(rOfficers, only(casework.RoleMediator, casework.RoleLawyer)),
	},
	"approve": {
		outreach.ActionVerifyHazard: rOfficers, "mediation.review": only(casework.RoleSupervisor),
		"case.reopen": only(casework.RoleSupervisor), "mediation.reopen": only(casework.RoleSupervisor),
		casework.ActionMergePersons: only(casework.RoleSupervisor), casework.ActionHandOver: only(casework.RoleSupervisor),
		"case.drop": only(casework.RoleSupervisor), "recovery.return.approve": only(casework.RoleSupervisor),
		"recovery.disposal.approve": only(casework.RoleSupervisor),
	},
	"reveal": {
		casework.ActionRevealPerson:  rOfficers,
		outreach.ActionReadSensitive: only(casework.RoleSupervisor, casework.RoleCommunityOfficer),
	},
	"administer": {
		casework.ActionAdminUnits: only(casework.RoleAdmin), casework.ActionAdminStaff: only(casework.RoleAdmin),
		"handoff.replay": only(casework.RoleAdmin), casework.ActionErasePayload: only(casework.RoleAdmin),
	},
}

// Every role × every action of the default policy, through the one check
// every service makes (Kernel.Check): a record out of reach is not found
// for every role and action, before any role is consulted; in reach, the
// action is allowed exactly to the roles of the table above and forbidden
// to every other. Approvals are tried by staff of a branch (the level
// returns and disposals need); mediators and lawyers are assigned.
func TestEveryRoleEveryActionFamily(t *testing.T) { eachBackend(t, testEveryRoleEveryActionFamily) }

func testEveryRoleEveryActionFamily(t *testing.T, b fixtureOption) {
	w := newOutreachWorld(t, "张店公安分局", "潘庄派出所", "潘庄社区", b)
	ctx := context.Background()
	other := w.unit(t, w.root, "O", "临淄公安分局", casework.LevelBranch)
	actors := map[casework.Role]casework.Actor{}
	var everyone []string
	for _, r := range casework.AllRoles {
		a := w.staff(t, w.branch, "staff "+string(r), nil, r)
		actors[r], everyone = a, append(everyone, a.StaffID)
	}
	inReach := casework.Target{RecordType: "record", RecordID: "r-in", UnitID: w.station.ID, AssignedTo: everyone}
	outOfReach := casework.Target{RecordType: "record", RecordID: "r-out", UnitID: other.ID, AssignedTo: everyone}

	want := map[casework.Action][]casework.Role{}
	family := map[casework.Action]string{}
	for name, grants := range defaultGrants {
		for a, rs := range grants {
			require.NotContains(t, want, a, "%s is in two families", a)
			want[a], family[a] = rs, name
		}
	}
	for _, rule := range w.k.Policy().Rules() {
		allowed, ok := want[rule.Action]
		require.True(t, ok, "%s has no row in the table of this test: add it", rule.Action)
		delete(want, rule.Action)
		for _, role := range casework.AllRoles {
			a := actors[role]
			name := fmt.Sprintf("%s %s (%s)", role, rule.Action, family[rule.Action])
			require.ErrorIs(t, w.k.Check(ctx, a, rule.Action, outOfReach), casework.ErrNotFound, "%s out of reach", name)
			err := w.k.Check(ctx, a, rule.Action, inReach)
			if slices.Contains(allowed, role) {
				require.NoError(t, err, name)
			} else {
				require.ErrorIs(t, err, casework.ErrForbidden, name)
			}
			if role.Helper() && err == nil {
				require.Contains(t, []casework.ActionKind{casework.KindRead, casework.KindWrite}, rule.Kind, "%s: a helper only reads and records", name)
			}
		}
	}
	require.Empty(t, want, "actions of the table that no workflow registers")

	// Assignment still binds mediators and lawyers; helpers are not bound
	// by it, but only to what they may do at all.
	unassigned := inReach
	unassigned.AssignedTo = nil
	require.ErrorIs(t, w.k.Check(ctx, actors[casework.RoleMediator], "mediation.mediate", unassigned), casework.ErrForbidden)
	require.NoError(t, w.k.Check(ctx, actors[casework.RoleGridWorker], outreach.ActionVisit, unassigned))
}

// No read a helper makes shows an identity number, a phone number or a
// sensitive tag, nor even that a household is a key person's: persons are
// masked, a visit to a key person's family is neither recordable by a
// helper nor listed for one, and a reveal is refused (and audited).
func TestHelpersSeeNothingSensitive(t *testing.T) { eachBackend(t, testHelpersSeeNothingSensitive) }

func testHelpersSeeNothingSensitive(t *testing.T, b fixtureOption) {
	w := newOutreachWorld(t, "张店公安分局", "潘庄派出所", "潘庄社区", b)
	ctx := context.Background()
	addr := w.address(t, "张店区潘庄社区7号楼", "潘庄社区")
	const doc, phone = "110105194912310038", "13812345678"
	p, err := w.k.CreatePerson(ctx, w.community, casework.PersonInput{UnitID: w.station.ID, Name: "赵某",
		DocType: casework.DocResidentID, DocNumber: doc, Phone: phone, AddressID: addr.ID,
		Tags: []casework.Tag{casework.TagKeyPerson, casework.TagSpecialPerson, casework.TagDisabled, casework.TagDifficultFamily}})
	require.NoError(t, err)
	sensitiveVisit, err := w.out.RecordVisit(ctx, w.community, outreach.VisitInput{UnitID: w.station.ID, AddressID: addr.ID,
		PersonID: p.ID, TargetKind: outreach.KeyPersonFamily, Notes: "重点人员家庭走访，了解近况。"})
	require.NoError(t, err)
	_, err = w.out.AddToPlan(ctx, w.community, outreach.PlanInput{UnitID: w.station.ID, Kind: outreach.KeyPersonFamily,
		AddressID: addr.ID, PersonID: p.ID})
	require.NoError(t, err)

	var helpers []string
	needles := []string{doc, phone, "19491231", string(casework.TagKeyPerson), string(casework.TagSpecialPerson),
		string(casework.TagDisabled), string(outreach.KeyPersonFamily), "重点人员"}
	for _, role := range casework.HelperRoles {
		h := w.staff(t, w.station, "helper "+string(role), []string{"潘庄社区"}, role)
		helpers = append(helpers, h.StaffID)
		var reads []any
		read := func(v any, err error) {
			t.Helper()
			require.NoError(t, err, role)
			reads = append(reads, v)
		}
		own, err := w.out.RecordVisit(ctx, h, outreach.VisitInput{UnitID: w.station.ID, AddressID: addr.ID, PersonID: p.ID,
			TargetKind: outreach.Community, Notes: "楼道巡查，走访住户。"})
		read(own, err)
		read(w.k.GetPerson(ctx, h, p.ID))
		persons, _, err := w.k.FindPersons(ctx, h, casework.PersonQuery{Name: "赵某"})
		require.Len(t, persons, 1)
		read(persons, err)
		read(w.out.GetVisit(ctx, h, own.ID))
		visits, _, err := w.out.ListVisits(ctx, h, outreach.VisitQuery{})
		read(visits, err)
		require.Len(t, visits, 1+slices.Index(casework.HelperRoles, role), "%s lists the helpers' visits only", role)
		due, _, err := w.out.DueVisits(ctx, h, outreach.DueQuery{})
		read(due, err)
		blob, err := json.Marshal(reads)
		require.NoError(t, err)
		for _, n := range needles {
			require.NotContains(t, string(blob), n, "%s reads %q", role, n)
		}

		_, err = w.out.GetVisit(ctx, h, sensitiveVisit.ID)
		require.ErrorIs(t, err, casework.ErrForbidden, "%s: a key person's visit, even masked", role)
		_, err = w.out.RecordVisit(ctx, h, outreach.VisitInput{UnitID: w.station.ID, AddressID: addr.ID, PersonID: p.ID,
			TargetKind: outreach.KeyPersonFamily, Notes: "x"})
		require.ErrorIs(t, err, casework.ErrForbidden, "%s records no key person's visit", role)

		_, err = w.k.RevealPerson(ctx, h, p.ID, "核实身份")
		require.ErrorIs(t, err, casework.ErrForbidden, role)
		trail, err := w.k.AuditTrail(ctx, w.chief, "person", p.ID)
		require.NoError(t, err)
		require.True(t, slices.ContainsFunc(trail, func(e casework.AuditEntry) bool {
			return e.Action == string(casework.ActionRevealRefused) && e.ActorID == h.StaffID
		}), "%s: the refused reveal is audited", role)
	}
	// The key person's due visit is the community officer's, though the
	// helpers' grids hold the community too: they may not record it.
	due, _, err := w.out.DueVisits(ctx, w.community, outreach.DueQuery{})
	require.NoError(t, err)
	require.Len(t, due, 1)
	require.Contains(t, due[0].Owners, w.community.StaffID)
	for _, h := range helpers {
		require.NotContains(t, due[0].Owners, h, "a helper owns no key person's visit")
	}

	report, err := w.k.VerifyAudit(ctx, w.chief)
	require.NoError(t, err)
	require.True(t, report.OK, "the chain verifies with the refusals in it")

	// A helper holds no police role beside its own; a people's mediator's may.
	_, err = w.k.CreateStaff(ctx, w.admin, casework.StaffInput{UnitID: w.station.ID, Name: "辅警兼民警",
		Roles: []casework.Role{casework.RoleAuxiliaryPolice, casework.RoleOfficer}})
	requireFieldRule(t, err, "roles", "helper_not_police")
	_, err = w.k.CreateStaff(ctx, w.admin, casework.StaffInput{UnitID: w.station.ID, Name: "居委会调解员",
		Roles: []casework.Role{casework.RoleCommitteeStaff, casework.RoleMediator}})
	require.NoError(t, err)
}

// requireFieldRule asserts err is ErrInvalid naming field with rule.
func requireFieldRule(t *testing.T, err error, field, rule string) {
	t.Helper()
	require.ErrorIs(t, err, casework.ErrInvalid)
	var inv *casework.InvalidError
	require.ErrorAs(t, err, &inv)
	require.True(t, slices.ContainsFunc(inv.Fields, func(f casework.FieldError) bool { return f.Field == field && f.Rule == rule }), "%v", err)
}
