package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	kstoretest "github.com/grassroots-policing/grassroots/casework/storetest"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/grassroots-policing/grassroots/mediation"
)

// namingAll is a dispute naming a person in every place a dispute can.
func namingAll(id, unitID string, at time.Time) mediation.Dispute {
	return mediation.Dispute{ID: id, UnitID: unitID, State: mediation.StateClosed, Kind: mediation.KindPeople, Category: "neighbour",
		Source: mediation.SourceWalkIn, Risk: mediation.RiskLow, ReportedAt: at, Version: 1, CreatedAt: at, UpdatedAt: at,
		Parties: []mediation.Party{{PersonID: "p-party", Role: mediation.Applicant,
			Representatives: []mediation.Representative{{PersonID: "p-rep", Role: mediation.Agent}}}},
		Sessions: []mediation.Session{{ID: "s1", Attendees: []mediation.Attendee{{PersonID: "p-attendee"}, {Name: "物业"}}}},
		Agreements: []mediation.Agreement{{Responsibilities: []mediation.Responsibility{{PartyID: "p-resp", Text: "x"}},
			Terms:      []mediation.Term{{Text: "赔偿", ObligorID: "p-obligor"}},
			Signatures: []mediation.Signature{{PartyID: "p-signer", SignedBy: "p-guardian"}, {MediatorID: "staff-1"}}}},
		History: []mediation.Step{{To: mediation.StateReported, ActorID: "staff-1"}, {From: mediation.StateInMediation,
			To: mediation.StateFailed, ActorID: "staff-1", RefusedBy: "p-refuser"}},
		Assigned: []string{"staff-1"}}
}

// TestPersonRefs: the persons a dispute names are indexed on every write,
// and migration step 4 indexes those of disputes written before it from
// their bodies, exactly as Dispute.PersonIDs; a lookup by person reads
// the person's disputes through the (ref, value) index, however many
// others the table holds.
func TestPersonRefs(t *testing.T) {
	t.Parallel()
	testdb.EachEngine(t, func(t *testing.T, db *sql.DB, engine sqlx.Engine) {
		ctx := context.Background()
		k, err := casesql.New(db, engine)
		require.NoError(t, err)
		k.CheckRollups()
		s := New(k)
		require.NoError(t, s.Migrate(ctx))
		_, stations := kstoretest.UnitTree(t, k, 1, 1)
		at := time.Date(2020, 5, 6, 1, 0, 0, 0, time.UTC)
		d := namingAll("d-all", stations[0].ID, at)
		want := []string{"p-attendee", "p-guardian", "p-obligor", "p-party", "p-refuser", "p-rep", "p-resp", "p-signer"}
		require.Equal(t, want, d.PersonIDs())
		require.NoError(t, s.CreateDispute(ctx, d, casework.Change{}))
		const others = 300
		for i := range others {
			o := namingAll(fmt.Sprintf("d-%04d", i), stations[0].ID, at.Add(time.Duration(i+1)*time.Minute))
			o.Parties[0].PersonID, o.History = fmt.Sprintf("p-other-%d", i), nil
			o.Agreements, o.Sessions = nil, nil
			o.Parties[0].Representatives = nil
			require.NoError(t, s.CreateDispute(ctx, o, casework.Change{}))
		}
		lookup := func(person string) []string {
			t.Helper()
			got, err := s.ListDisputes(ctx, mediation.Filter{PersonID: person}, casework.Page{})
			require.NoError(t, err)
			ids := []string{}
			for _, x := range got {
				ids = append(ids, x.ID)
			}
			return ids
		}
		check := func(stage string) {
			t.Helper()
			for _, p := range want {
				require.Equal(t, []string{"d-all"}, lookup(p), "%s: %s", stage, p)
			}
			require.Equal(t, []string{"d-0007"}, lookup("p-other-7"), stage)
			require.Empty(t, lookup("staff-1"), "%s: staff are not persons", stage)
			require.Empty(t, lookup("物业"), "%s: a name is not a person", stage)
		}
		check("written")

		// As a database migrated before step 4 holds them: no person
		// rows. The step's statements index them from the bodies.
		_, err = db.ExecContext(ctx, `DELETE FROM mediation_dispute_refs WHERE ref = 'person'`)
		require.NoError(t, err)
		require.Empty(t, lookup("p-party"))
		d4 := migrations[3]
		require.Equal(t, 4, d4.Version)
		dialect, err := sqlx.Of(engine)
		require.NoError(t, err)
		for _, stmt := range d4.Stmts(dialect) {
			_, err := db.ExecContext(ctx, stmt)
			require.NoError(t, err)
		}
		check("migrated")

		if engine == casesql.SQLite {
			// The plan: the person's refs by the (ref, value) index,
			// each dispute by its key; no scan of the disputes.
			var a sqlx.Args
			q := `SELECT id FROM mediation_disputes WHERE 1 = 1` + where("", &a, mediation.Filter{PersonID: "p-party"})
			rows, err := db.QueryContext(ctx, `EXPLAIN QUERY PLAN `+q, a.List...)
			require.NoError(t, err)
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
				plan = append(plan, detail)
			}
			require.NoError(t, rows.Err())
			require.NoError(t, rows.Close())
			joined := strings.Join(plan, "; ")
			require.Contains(t, joined, "mediation_dispute_refs_value", joined)
			require.NotContains(t, joined, "SCAN mediation_disputes", joined)
		}
	})
}
