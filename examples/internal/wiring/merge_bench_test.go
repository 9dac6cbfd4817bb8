package wiring_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/examples/internal/wiring"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/grassroots-policing/grassroots/recovery"
)

// BenchmarkPersonMerge times one person merge that moves a dispute, a
// case, a visit-plan entry and a returned item, with no other records and
// with 10,000 records naming other persons (2,500 of each kind): a merge
// reads the person's records through indexes, so the two times should be
// close, where reading every record made the second grow with the tables.
func BenchmarkPersonMerge(b *testing.B) {
	for _, backend := range []string{"memory", "sqlite"} {
		for _, others := range []int{0, 10000} {
			b.Run(fmt.Sprintf("%s/others=%d", backend, others), func(b *testing.B) {
				ctx := context.Background()
				st := wiring.Memory()
				if backend == "sqlite" {
					var err error
					st, err = wiring.SQL(ctx, testdb.SQLite(b), casesql.SQLite)
					require.NoError(b, err)
				}
				w, err := wiring.New(st, nil)
				require.NoError(b, err)
				root, admin, err := w.K.Bootstrap(ctx, casework.UnitInput{Code: "370300", Name: "淄博市公安局", Level: casework.LevelBureau},
					casework.StaffInput{Name: "admin", Roles: []casework.Role{casework.RoleAdmin}})
				require.NoError(b, err)
				adm := casework.Actor{StaffID: admin.ID, UnitID: root.ID, Roles: admin.Roles}
				station, err := w.K.CreateUnit(ctx, adm, casework.UnitInput{Code: "370302001", Name: "般阳路派出所", Level: casework.LevelStation, ParentID: root.ID})
				require.NoError(b, err)
				staff := func(role casework.Role) casework.Actor {
					s, err := w.K.CreateStaff(ctx, adm, casework.StaffInput{UnitID: station.ID, Name: string(role), Roles: []casework.Role{role}})
					require.NoError(b, err)
					return casework.Actor{StaffID: s.ID, UnitID: station.ID, Roles: s.Roles}
				}
				officer, chief := staff(casework.RoleOfficer), staff(casework.RoleSupervisor)
				for i := range others / 4 {
					seed(b, w, st, station.ID, fmt.Sprintf("other-%d", i))
				}
				b.ResetTimer()
				for i := 0; b.Loop(); i++ {
					b.StopTimer()
					survivor, err := w.K.CreatePerson(ctx, officer, casework.PersonInput{UnitID: station.ID, Unidentified: true, Description: "戴帽男子"})
					require.NoError(b, err)
					dup, err := w.K.CreatePerson(ctx, officer, casework.PersonInput{UnitID: station.ID, Name: fmt.Sprintf("陈某%d", i)})
					require.NoError(b, err)
					seed(b, w, st, station.ID, dup.ID)
					b.StartTimer()
					got, err := w.K.MergePersons(ctx, chief, casework.PersonMergeInput{SurvivorID: survivor.ID, SurvivorVersion: survivor.Version,
						MergedID: dup.ID, MergedVersion: dup.Version, Reason: "同一人"})
					if err != nil {
						b.Fatal(err)
					}
					if got.Moved["mediation"] != 1 || got.Moved["cases"] != 1 || got.Moved["outreach"] != 1 || got.Moved["recovery"] != 2 {
						b.Fatalf("moved %v", got.Moved)
					}
				}
			})
		}
	}
}

// seed writes a dispute, a case, a visit-plan entry and a returned item
// naming person, as a long workflow would have left them.
func seed(b *testing.B, w *wiring.World, st wiring.Stores, unitID, person string) {
	ctx := context.Background()
	now, id := w.K.Now(), w.K.NewID
	d := mediation.Dispute{ID: id(), UnitID: unitID, State: mediation.StateAccepted, Kind: mediation.KindPeople, Category: "neighbour",
		ReportedAt: now, Parties: []mediation.Party{{PersonID: person, Role: mediation.Applicant}}, Version: 1, CreatedAt: now, UpdatedAt: now}
	require.NoError(b, st.Mediation.CreateDispute(ctx, d, casework.Change{}))
	c := cases.Case{ID: id(), UnitID: unitID, Kind: "theft", State: cases.StateReported, IncidentAt: now, ReportedAt: now,
		SuspectIDs: []string{person}, Version: 1, CreatedAt: now, UpdatedAt: now}
	require.NoError(b, st.Cases.CommitCases(ctx, cases.Write{NewCases: []cases.Case{c}}, casework.Change{}))
	it := recovery.Item{ID: id(), UnitID: unitID, Origin: recovery.OriginReported, Category: "bicycle", Description: "自行车", Quantity: 1,
		State: recovery.StateReturned, OwnerPersonID: person, Version: 1, CreatedAt: now, UpdatedAt: now}
	ret := recovery.Return{ID: id(), UnitID: unitID, ItemID: it.ID, State: recovery.ReturnCompleted, OwnerPersonID: person,
		RecipientPersonID: person, Version: 1, CreatedAt: now, UpdatedAt: now}
	require.NoError(b, st.Recovery.Apply(ctx, recovery.Batch{NewItems: []recovery.Item{it}, NewReturns: []recovery.Return{ret}}, casework.Change{}))
	e := outreach.PlanEntry{ID: id(), UnitID: unitID, Kind: outreach.DifficultFamily, Address: "潘庄社区", PersonID: person, Since: now,
		Deadline: now.Add(30 * 24 * time.Hour), Active: true, Version: 1, CreatedAt: now, UpdatedAt: now}
	require.NoError(b, st.Outreach.CreatePlanEntry(ctx, e, casework.Change{}))
}
