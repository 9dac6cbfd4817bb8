package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/examples/internal/wiring"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/grassroots-policing/grassroots/outreach"
)

// city is a generated city and the world it was loaded into.
type city struct {
	*Result
	w     *wiring.World
	clock *casework.FixedClock
	db    *sql.DB
}

// build generates a city on a fresh database of the engine: a SQLite
// file in the test's directory, or a PostgreSQL schema of its own.
func build(t *testing.T, engine sqlx.Engine, o Options) city {
	t.Helper()
	ctx := context.Background()
	var db *sql.DB
	if engine == casesql.Postgres {
		db = testdb.Postgres(t).DB
	} else {
		var err error
		db, err = casesql.OpenSQLite(filepath.Join(t.TempDir(), "city.db"))
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
	}
	stores, err := wiring.SQL(ctx, db, engine)
	require.NoError(t, err)
	kf, _, err := casework.EnsureKeyFile(filepath.Join(t.TempDir(), "keys.json"))
	require.NoError(t, err)
	sealer, err := kf.Sealer()
	require.NoError(t, err)
	clock := casework.NewFixedClock(time.Date(2019, 1, 1, 0, 0, 0, 0, casework.DefaultZone()))
	w, err := wiring.New(stores, &casework.Config{Clock: clock, IDs: &casework.SequentialIDs{Prefix: "k-"}, Sealer: sealer,
		CheckpointKey: kf.Checkpoint})
	require.NoError(t, err)
	o.CheckpointKey = kf.Checkpoint
	res, err := Build(ctx, w, clock, sealer, db, engine, o)
	require.NoError(t, err)
	return city{Result: res, w: w, clock: clock, db: db}
}

// smallCity is a few thousand records over three years, with
// checkpoints every 500 entries and flushes every 2,000 rows, so the
// chain crosses many checkpoints and transactions.
var smallCity = Options{Seed: 7, Size: Size{Visits: 3000, Disputes: 300, Cases: 300, Items: 900}, CheckpointEvery: 500, FlushRows: 2000}

func engines(t *testing.T, run func(t *testing.T, engine sqlx.Engine)) {
	for _, e := range []sqlx.Engine{casesql.SQLite, casesql.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			run(t, e)
		})
	}
}

// figuresOf is a report as a map, each key once.
func figuresOf(t *testing.T, fs []casework.Figure) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, f := range fs {
		_, dup := out[f.Key]
		require.False(t, dup, "figure %s twice", f.Key)
		out[f.Key] = f.Value
	}
	return out
}

func TestSmallCityReportMatchesTruth(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, engine sqlx.Engine) {
		ctx := context.Background()
		c := build(t, engine, smallCity)
		zone := c.w.K.Zone()
		// Every record type, each record with its creation's entry; the
		// findings' links add entries only.
		for _, typ := range []string{"person", "visit", "hazard", "referral", "dispute", "case", "lead", "recovery_item", "recovery_custody",
			"recovery_return", "recovery_event", "recovery_handoff"} {
			require.Positive(t, c.Counts[typ], typ)
		}
		require.Less(t, c.Counts.Total(), c.Records)
		require.Greater(t, c.Counts.Total(), c.Records*9/10)
		day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, zone) }
		units := map[string]TruthUnit{}
		for _, u := range c.Truth.Units {
			units[u.ID] = u
		}
		check := func(unitID string, from, to time.Time) {
			t.Helper()
			got, err := c.w.K.Report(ctx, c.Chief, casework.ReportQuery{UnitID: unitID, From: from, To: to})
			require.NoError(t, err)
			want := c.Truth.Figures(units[unitID].Path, from, day(to.Year(), to.Month(), to.Day()+1))
			require.Equal(t, want, figuresOf(t, got), "%s %s to %s", units[unitID].Name, from.Format(time.DateOnly), to.Format(time.DateOnly))
		}

		// The whole city: each year, the whole history, one busy day.
		for y := 2019; y <= 2021; y++ {
			check(c.Bureau.ID, day(y, 1, 1), day(y, 12, 31))
		}
		check(c.Bureau.ID, day(2019, 1, 1), day(2021, 12, 31))
		check(c.Bureau.ID, day(2020, 6, 16), day(2020, 6, 16))
		whole := c.Truth.Figures(units[c.Bureau.ID].Path, day(2019, 1, 1), day(2022, 1, 1))
		for _, k := range []string{"outreach.visits.difficult_family", "outreach.hazards.rectified", "mediation.disputes.settled",
			"cases.solved", "cases.people_arrested", "recovery.value_returned_fen", "recovery.return_events",
			"outreach.referrals.made", "outreach.referrals.closed"} {
			require.Positive(t, whole[k], "the small city has %s", k)
		}

		// By child unit: every branch's report, and each workflow's
		// by-unit table of the bureau, row for row.
		q := casework.ReportQuery{UnitID: c.Bureau.ID, From: day(2020, 1, 1), To: day(2020, 12, 31)}
		start, end := day(2020, 1, 1), day(2021, 1, 1)
		outRows, err := c.w.Outreach.TotalsByUnit(ctx, c.Chief, q)
		require.NoError(t, err)
		require.Len(t, outRows, 1+len(ziboBranches))
		for _, r := range outRows {
			check(r.Unit.ID, q.From, q.To)
			want := c.Truth.Figures(r.Unit.Path, start, end)
			for _, f := range r.Totals.Figures() {
				require.Equal(t, want[f.Key], f.Value, "%s %s", r.Unit.Name, f.Key)
			}
		}
		medRows, err := c.w.Mediation.TotalsByUnit(ctx, c.Chief, q)
		require.NoError(t, err)
		for _, r := range medRows {
			want := c.Truth.Figures(r.Unit.Path, start, end)
			require.Equal(t, []int64{want["mediation.disputes.found"], want["mediation.disputes.accepted"], want["mediation.disputes.settled"],
				want["mediation.disputes.failed"]}, []int64{r.Totals.Found, r.Totals.Accepted, r.Totals.Settled, r.Totals.Failed}, r.Unit.Name)
		}
		caseRows, err := c.w.Cases.TotalsByUnit(ctx, c.Chief, q)
		require.NoError(t, err)
		for _, r := range caseRows {
			want := c.Truth.Figures(r.Unit.Path, start, end)
			prev := c.Truth.Figures(r.Unit.Path, day(2019, 1, 1), start)
			n := r.Totals.Current
			require.Equal(t, []int64{want["cases.reported"], want["cases.filed"], want["cases.solved"], want["cases.people_arrested"],
				want["cases.leads_collected"], prev["cases.reported"]},
				[]int64{n.Reported, n.Filed, n.Solved, n.PeopleArrested, n.LeadsCollected, r.Totals.YearEarlier.Reported}, r.Unit.Name)
		}
		recRows, err := c.w.Recovery.TotalsByUnit(ctx, c.Chief, q)
		require.NoError(t, err)
		for _, r := range recRows {
			want := c.Truth.Figures(r.Unit.Path, start, end)
			require.Equal(t, []int64{want["recovery.items_recovered"], want["recovery.value_recovered_fen"], want["recovery.items_returned"],
				want["recovery.value_returned_fen"], want["recovery.return_events"]},
				[]int64{r.Totals.ItemsRecovered, r.Totals.ValueRecoveredFen, r.Totals.ItemsReturned, r.Totals.ValueReturnedFen,
					r.Totals.ReturnEvents}, r.Unit.Name)
		}
		// A branch's stations.
		branch := outRows[1].Unit
		for _, u := range c.Truth.Units {
			if u.Path == casework.UnitPath(branch.Path, u.ID) {
				check(u.ID, q.From, q.To)
			}
		}

		// A monthly series over 2020.
		series, err := c.w.K.ReportSeries(ctx, c.Chief, q, casework.StepMonth)
		require.NoError(t, err)
		require.Len(t, series, 12)
		for _, p := range series {
			want := c.Truth.Figures(units[c.Bureau.ID].Path, p.From, day(p.To.Year(), p.To.Month(), p.To.Day()+1))
			require.Equal(t, want, figuresOf(t, p.Figures), "%s", p.From.Format("2006-01"))
		}

		// The chain verifies: every entry, payload and checkpoint.
		rep, err := c.w.K.VerifyAudit(ctx, c.Auditor)
		require.NoError(t, err)
		require.True(t, rep.OK, rep.Reason)
		require.Equal(t, c.Head, rep.Head)
		require.Greater(t, rep.CheckpointsVerified, int(c.Records/500)-1)

		realRecords(t, c)
	})
}

// realRecords reads generated records through the services and changes
// some: the rows are what the stores would have written.
func realRecords(t *testing.T, c city) {
	ctx := context.Background()
	for _, what := range []string{"visit", "hazard.verified", "case.filed", "case.solved", "item.returned", "dispute.settled", "person"} {
		require.NotEmpty(t, c.Samples[what], what)
	}
	p, err := c.w.K.GetPerson(ctx, c.Chief, c.Samples["person"])
	require.NoError(t, err)
	require.Regexp(t, `^37\d{4}\*+\d{3}[\dX]$`, p.DocNumber, "a masked resident id")
	x, err := c.w.Cases.Get(ctx, c.Chief, c.Samples["case.solved"])
	require.NoError(t, err)
	require.NotEmpty(t, x.Number)
	require.Len(t, x.Arrests, 1)
	it, err := c.w.Recovery.Get(ctx, c.Chief, c.Samples["item.returned"])
	require.NoError(t, err)
	require.NotZero(t, it.ReturnedAt)
	custody, err := c.w.Recovery.Custody(ctx, c.Chief, it.ID)
	require.NoError(t, err)
	require.Len(t, custody, 2)
	d, err := c.w.Mediation.Get(ctx, c.Chief, c.Samples["dispute.settled"])
	require.NoError(t, err)
	require.NotZero(t, d.SettledAt)

	// Changes after the history: the clock moves past it.
	c.clock.Set(time.Date(2022, 1, 5, 9, 0, 0, 0, c.w.K.Zone()))
	v, err := c.w.Outreach.GetVisit(ctx, c.Chief, c.Samples["visit"])
	require.NoError(t, err)
	notes := "回访：情况稳定"
	v2, err := c.w.Outreach.AmendVisit(ctx, c.Chief, v.ID, v.Version, outreach.VisitAmendment{Notes: &notes})
	require.NoError(t, err)
	require.Equal(t, v.Version+1, v2.Version)
	h, err := c.w.Outreach.GetHazard(ctx, c.Chief, c.Samples["hazard.verified"])
	require.NoError(t, err)
	require.NotZero(t, h.RectifiedAt)
	filed, err := c.w.Cases.Get(ctx, c.Chief, c.Samples["case.filed"])
	require.NoError(t, err)
	started, err := c.w.Cases.StartInvestigation(ctx, c.Chief, filed.ID, filed.Version, "调取监控")
	require.NoError(t, err)
	require.Equal(t, cases.StateInvestigating, started.State)
	// Referrals: a closed one with its outcome; the overdue list is the
	// open referrals due by now, which the generator knows; an overdue one
	// is closed late through the service.
	now := c.w.K.Now()
	closedRef, err := c.w.Outreach.GetReferral(ctx, c.Chief, c.Samples["referral.closed"])
	require.NoError(t, err)
	require.Equal(t, outreach.ReferralClosed, closedRef.Status)
	require.NotEmpty(t, closedRef.Outcome)
	wantOverdue := 0
	for _, due := range c.OpenReferralDues {
		if !due.After(now) {
			wantOverdue++
		}
	}
	require.Positive(t, wantOverdue)
	var overdue []outreach.Referral
	for page := (casework.Page{Limit: casework.MaxPageLimit}); ; {
		rs, next, err := c.w.Outreach.ListReferrals(ctx, c.Chief, outreach.ReferralQuery{UnitID: c.Bureau.ID, Overdue: true, Page: page})
		require.NoError(t, err)
		overdue = append(overdue, rs...)
		if next == "" {
			break
		}
		page.After = next
	}
	require.Len(t, overdue, wantOverdue)
	late, err := c.w.Outreach.GetReferral(ctx, c.Chief, c.Samples["referral.overdue"])
	require.NoError(t, err)
	require.True(t, late.Overdue(now))
	require.NotEmpty(t, late.FollowUps, "chased when it fell due")
	closedLate, err := c.w.Outreach.CloseReferral(ctx, c.Chief, late.ID, late.Version, outreach.OutcomeDone, "已落实")
	require.NoError(t, err)
	require.Equal(t, outreach.ReferralClosed, closedLate.Status)
	// Hand-offs: delivered, and a repeated delivery is answered by the
	// receiver's inbox mark with the record it created the first time.
	n, err := c.w.K.DeliverPending(ctx, nil)
	require.NoError(t, err)
	require.Zero(t, n, "nothing left in the outbox")
	msgs, err := c.w.Outreach.HandOffs(ctx, c.Chief, c.Samples["visit.dispute"])
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	require.NotZero(t, msgs[0].DeliveredAt)
	trail, err := c.w.Outreach.History(ctx, c.Chief, outreach.RecordVisit, c.Samples["visit.dispute"])
	require.NoError(t, err)
	var actions []string
	for _, e := range trail {
		actions = append(actions, e.Action)
	}
	require.Equal(t, []string{"visit.record", "visit.link_finding"}, actions, "recorded, then its finding linked")
	msgs, err = c.w.K.Store().ListOutbox(ctx, outreach.RecordVisit, c.Samples["visit.dispute"])
	require.NoError(t, err)
	var finding casework.DisputeFinding
	require.NoError(t, json.Unmarshal(msgs[0].Payload, &finding))
	again, err := c.w.Mediation.IntakeDispute(ctx, finding)
	require.NoError(t, err)
	require.Equal(t, msgs[0].ResultID, again)
	msgs, err = c.w.K.Store().ListOutbox(ctx, cases.RecordCase, c.Samples["case.solved"])
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	var stolen casework.StolenItems
	require.NoError(t, json.Unmarshal(msgs[0].Payload, &stolen))
	require.NotEmpty(t, stolen.Items)
	again, err = c.w.Recovery.RegisterStolen(ctx, stolen)
	require.NoError(t, err)
	require.Equal(t, c.Samples["case.solved"], again)
	// The services' entries continue the bulk-loaded chain.
	_, err = c.w.K.Checkpoint(ctx, true)
	require.NoError(t, err)
	rep, err := c.w.K.VerifyAudit(ctx, c.Auditor)
	require.NoError(t, err)
	require.True(t, rep.OK, rep.Reason)
	require.Greater(t, rep.Head.Seq, c.Head.Seq)
}

// TestFreshFillsAsStored: the roll-up rows a Fresh load builds at its end
// (on SQLite through a table of each unit's ancestors, on PostgreSQL on
// several connections at once) are the rows each series' stored fill
// statement (grid_rollups) builds from the loaded rows.
func TestFreshFillsAsStored(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, engine sqlx.Engine) {
		ctx := context.Background()
		c := build(t, engine, smallCity)
		db := c.db
		fills, err := sqlx.QueryAll(ctx, db, `SELECT series, fill FROM grid_rollups ORDER BY series`, nil, func(sc sqlx.Scanner) ([2]string, error) {
			var f [2]string
			err := sc.Scan(&f[0], &f[1])
			return f, err
		})
		require.NoError(t, err)
		require.Greater(t, len(fills), 20)
		filled := 0
		for _, f := range fills {
			// The SQLite load finds each unit's ancestors in a table
			// where the stored statement compares paths (bulkload's
			// ancestorJoin): it rewrites this join.
			require.Contains(t, f[1], "JOIN units u ON u.id = s.unit_id JOIN units a ON substr(u.path, 1, length(a.path)) = a.path", f[0])
			table := "rollup_" + f[0]
			// In a transaction rolled back: the loaded rows kept aside,
			// the series filled again by its stored statement, and the
			// two compared row for row (each row is unique by its key).
			tx, err := db.BeginTx(ctx, nil)
			require.NoError(t, err)
			for _, q := range []string{`CREATE TEMP TABLE loaded AS SELECT * FROM ` + table, `DELETE FROM ` + table, f[1]} {
				_, err := tx.ExecContext(ctx, q)
				require.NoError(t, err, f[0])
			}
			var loaded, stored, differ int
			require.NoError(t, tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM loaded), (SELECT COUNT(*) FROM `+table+`),
				(SELECT COUNT(*) FROM (SELECT * FROM loaded EXCEPT SELECT * FROM `+table+`) d)`).Scan(&loaded, &stored, &differ))
			require.NoError(t, tx.Rollback())
			require.Equal(t, stored, loaded, "%s: as many roll-up rows as the stored fill builds", f[0])
			require.Zero(t, differ, "%s: the loaded roll-up rows are the stored fill's", f[0])
			if loaded > 0 {
				filled++
			}
		}
		require.Greater(t, filled, 15, "most series have rows")
	})
}

// TestSameSeedSameCity: the same seed gives the same records (the chain
// head hashes every record and its time) and the same ground truth; an
// other seed another city.
func TestSameSeedSameCity(t *testing.T) {
	t.Parallel()
	small := Options{Seed: 11, Size: Size{Visits: 400, Disputes: 40, Cases: 40, Items: 120}}
	var heads []casework.AuditHead
	var truths [][]byte
	for _, seed := range []uint64{11, 11, 12} {
		o := small
		o.Seed = seed
		c := build(t, casesql.SQLite, o)
		var b bytes.Buffer
		require.NoError(t, c.Truth.WriteJSON(&b, c.w.K.Zone(), nil))
		heads, truths = append(heads, c.Head), append(truths, b.Bytes())
	}
	require.Equal(t, heads[0], heads[1])
	// The head hashes every entry's payload: a faster way of writing the
	// same records must leave it as it is (this one was written before the
	// typed payload path); a change to what is generated changes it.
	require.Equal(t, "09a0f70e80b31a194e533845eb0edab2cae1d7817d426806404cad015307a853", hex.EncodeToString(heads[0].Hash[:]),
		"seed 11 gives another chain")
	require.Equal(t, truths[0], truths[1])
	require.NotEqual(t, heads[0], heads[2])
	require.NotEqual(t, truths[0], truths[2])
}

// TestResidentIDsValid: the generated identity numbers pass the kernel's
// own validation.
func TestResidentIDsValid(t *testing.T) {
	t.Parallel()
	now := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for n := range 30000 {
		birth := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, (n*7919)%25000)
		id := residentID("370303", birth, (n/25000)%1000)
		require.NoError(t, identValidate(id, now), id)
	}
}

// TestTruthJSON: the written truth's daily counts add up to the truth's
// figures for the whole history, for every additive figure.
func TestTruthJSON(t *testing.T) {
	t.Parallel()
	c := build(t, casesql.SQLite, Options{Seed: 3, Size: Size{Visits: 600, Disputes: 60, Cases: 60, Items: 180}})
	var b bytes.Buffer
	require.NoError(t, c.Truth.WriteJSON(&b, c.w.K.Zone(), nil))
	var got dayCounts
	require.NoError(t, json.Unmarshal(b.Bytes(), &got))
	require.Equal(t, "Asia/Shanghai", got.Zone)
	require.Len(t, got.Units, 1+len(ziboBranches)+62)
	sums := map[string]int64{}
	for _, days := range got.Days {
		for _, keys := range days {
			for k, v := range keys {
				sums[k] += v
			}
		}
	}
	zone := c.w.K.Zone()
	want := c.Truth.Figures(c.Truth.Units[0].Path, time.Date(2019, 1, 1, 0, 0, 0, 0, zone), time.Date(2022, 1, 1, 0, 0, 0, 0, zone))
	for _, k := range figureKeys {
		if distinctKeys[k] {
			continue
		}
		require.Equal(t, want[k], sums[k], k)
	}
	require.Positive(t, sums["outreach.visits.difficult_family"])
}
