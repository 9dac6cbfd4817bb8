// Command mediation-minimal embeds the mediation library on the memory store: one dispute, reported to settled.
package main

import (
	"context"
	"fmt"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/mediation"
	medmem "github.com/grassroots-policing/grassroots/mediation/memstore"
)

func main() {
	ctx, db := context.Background(), memstore.New() // one kernel store; the workflow's store builds on it
	k := must(casework.New(db, nil))                // nil config: wall clock, ULIDs, the default policy
	svc := must(mediation.New(k, medmem.New(db), nil))
	station, admin, err := k.Bootstrap(ctx, casework.UnitInput{Code: "370302001", Name: "般阳路派出所", Level: casework.LevelStation}, casework.StaffInput{Name: "管理员"})
	officer := casework.Actor{UnitID: must(station, err).ID, Roles: []casework.Role{casework.RoleCommunityOfficer}}
	officer.StaffID = must(k.CreateStaff(ctx, casework.Actor{StaffID: admin.ID, UnitID: station.ID, Roles: admin.Roles},
		casework.StaffInput{UnitID: station.ID, Name: "王民警", Roles: officer.Roles})).ID
	d := must(svc.Report(ctx, officer, mediation.ReportInput{UnitID: station.ID, Category: "neighbour/noise", Source: mediation.SourceWalkIn,
		Facts: "楼上楼下因噪音争吵，互扔垃圾", Parties: []mediation.Party{ // people's mediation, low risk: the defaults
			{PersonID: must(k.CreatePerson(ctx, officer, casework.PersonInput{UnitID: station.ID, Name: "刘某"})).ID, Role: mediation.Applicant},
			{PersonID: must(k.CreatePerson(ctx, officer, casework.PersonInput{UnitID: station.ID, Name: "张某"})).ID, Role: mediation.Respondent}}}))
	for _, to := range []mediation.State{mediation.StateScreened, mediation.StateAccepted, mediation.StateInMediation} {
		d = must(svc.Transition(ctx, officer, d.ID, d.Version, mediation.TransitionInput{To: to, Reason: "适宜人民调解"}))
	} // an oral agreement takes effect when it is reached: the dispute is agreed, and closes as settled
	d = must(svc.DraftAgreement(ctx, officer, d.ID, d.Version, mediation.AgreementInput{Form: mediation.Oral, MediatorID: officer.StaffID, Content: "相互赔礼道歉、握手言和"}))
	d = must(svc.Transition(ctx, officer, d.ID, d.Version, mediation.TransitionInput{To: mediation.StateClosed, Reason: "协议已履行"}))
	fmt.Printf("%s, %s (%s): %s, %s; %d parties, %d steps\n", station.Name, d.Category, d.Kind, d.State, d.Outcome, len(d.Parties), len(d.History))
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
