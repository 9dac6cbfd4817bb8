package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/examples/internal/wiring"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/openapi/api"
	"github.com/grassroots-policing/grassroots/openapi/client"
)

// sharedCity is a station with its staff, two residents and an address in
// a PostgreSQL schema, set up through the server's wiring before any
// server process starts, and the two data directories (the same keys.json
// and jwt-secret in each, as every process of one deployment must have).
type sharedCity struct {
	url          string
	dataA, dataB string
	k            *casework.Kernel
	station      casework.Unit
	officer      casework.Actor // officer and community officer of the station
	auditor      casework.Actor
	upstairs     casework.Person
	downstairs   casework.Person
	address      casework.Address
}

func newSharedCity(t *testing.T) *sharedCity {
	t.Helper()
	pg := testdb.Postgres(t)
	ctx := context.Background()
	c := &sharedCity{url: pg.URL(), dataA: filepath.Join(t.TempDir(), "a"), dataB: filepath.Join(t.TempDir(), "b")}
	for _, d := range []string{c.dataA, c.dataB} {
		require.NoError(t, os.Mkdir(d, 0o700))
	}
	keys, _, err := casework.EnsureKeyFile(filepath.Join(c.dataA, "keys.json"))
	require.NoError(t, err)
	_, _, err = ensureSecret(filepath.Join(c.dataA, secretFileName))
	require.NoError(t, err)
	for _, name := range []string{"keys.json", secretFileName} {
		require.NoError(t, copyFile(filepath.Join(c.dataA, name), filepath.Join(c.dataB, name)))
	}
	sealer, err := keys.Sealer()
	require.NoError(t, err)
	st, err := wiring.SQL(ctx, pg.DB, casesql.Postgres)
	require.NoError(t, err)
	w, err := wiring.New(st, &casework.Config{Sealer: sealer, CheckpointKey: keys.Checkpoint})
	require.NoError(t, err)
	c.k = w.K
	root, adminStaff, err := c.k.Bootstrap(ctx, casework.UnitInput{Code: "ROOT", Name: "淄博市公安局", Level: casework.LevelBureau},
		casework.StaffInput{Name: "Administrator", Roles: []casework.Role{casework.RoleAdmin}})
	require.NoError(t, err)
	admin := actorOf(adminStaff)
	branch, err := c.k.CreateUnit(ctx, admin, casework.UnitInput{Code: "370302", Name: "淄川公安分局", Level: casework.LevelBranch, ParentID: root.ID})
	require.NoError(t, err)
	c.station, err = c.k.CreateUnit(ctx, admin, casework.UnitInput{Code: "370302001", Name: "般阳路派出所", Level: casework.LevelStation, ParentID: branch.ID})
	require.NoError(t, err)
	staff := func(u casework.Unit, name string, areas []string, roles ...casework.Role) casework.Actor {
		s, err := c.k.CreateStaff(ctx, admin, casework.StaffInput{UnitID: u.ID, Name: name, Roles: roles, Areas: areas})
		require.NoError(t, err)
		return actorOf(s)
	}
	c.officer = staff(c.station, "王民警", []string{"般阳路社区"}, casework.RoleOfficer, casework.RoleCommunityOfficer)
	c.auditor = staff(root, "审计员", nil, casework.RoleAuditor)
	person := func(name, doc, address string) casework.Person {
		p, err := c.k.CreatePerson(ctx, c.officer, casework.PersonInput{UnitID: c.station.ID, Name: name,
			DocType: casework.DocResidentID, DocNumber: doc, Address: address})
		require.NoError(t, err)
		return p
	}
	c.upstairs = person("张某", "370302198003150012", "淄川区某小区3号楼2单元402室")
	c.downstairs = person("刘某", "370302197511020025", "淄川区某小区3号楼2单元302室")
	c.address, err = c.k.CreateAddress(ctx, c.officer, casework.AddressInput{UnitID: c.station.ID, Text: "淄川区般阳路社区", Community: "般阳路社区"})
	require.NoError(t, err)
	return c
}

func actorOf(s casework.Staff) casework.Actor {
	return casework.Actor{StaffID: s.ID, UnitID: s.UnitID, Roles: s.Roles}
}

func (c *sharedCity) report() api.DisputeInput {
	return api.DisputeInput{
		UnitId: c.station.ID, Category: "neighbour/noise", Source: mediation.SourceCall110,
		Facts:   "楼上楼下两户居民因噪音问题，互相向对方门口扔垃圾。",
		Address: "淄川区某小区3号楼2单元",
		Parties: []api.Party{{PersonId: c.downstairs.ID, Role: api.PartyRole(mediation.Applicant)}, {PersonId: c.upstairs.ID, Role: api.PartyRole(mediation.Respondent)}},
		Risk:    api.DisputeRisk(mediation.RiskMedium), RiskReason: "互扔垃圾，矛盾有升级风险",
	}
}

// processClient is the generated client on a process, acting as staffID.
func processClient(t *testing.T, p *process, staffID string) *client.ClientWithResponses {
	t.Helper()
	tok := p.token(t, staffID)
	c, err := client.NewClientWithResponses(p.url, client.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+tok)
		return nil
	}))
	require.NoError(t, err)
	return c
}

// Two server processes on one PostgreSQL serve the same data correctly:
// conflicting If-Match writes through both give one winner per version;
// one Idempotency-Key through both makes one dispute with one answer; and
// with the outbox and the sweep running in both, every visit's hand-off
// makes exactly one dispute.
func TestTwoProcessesOnOnePostgres(t *testing.T) {
	t.Parallel()
	began := time.Now()
	city := newSharedCity(t)
	t.Logf("set-up %s", time.Since(began))
	ctx := context.Background()
	loops := []string{"-db", city.url, "-deliver-every", "100ms", "-sweep-every", "200ms"}
	procs := []*process{startProcess(t, city.dataA, loops...), startProcess(t, city.dataB, loops...)}
	t.Logf("both started %s", time.Since(began))
	clients := []*client.ClientWithResponses{processClient(t, procs[0], city.officer.StaffID), processClient(t, procs[1], city.officer.StaffID)}

	t.Run("If-Match: one winner per version", func(t *testing.T) {
		created, err := clients[0].ReportDisputeWithResponse(ctx, nil, city.report())
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
		id := created.JSON201.Id
		const rounds, writers = 4, 8
		for round := range rounds {
			var etags [2]string
			for i, c := range clients {
				got, err := c.GetDisputeWithResponse(ctx, id)
				require.NoError(t, err)
				require.Equal(t, http.StatusOK, got.StatusCode(), string(got.Body))
				etags[i] = got.HTTPResponse.Header.Get("ETag")
			}
			require.Equal(t, etags[0], etags[1], "both processes read the same version")
			codes := make([]int, writers)
			var wg sync.WaitGroup
			for w := range writers {
				wg.Go(func() {
					r, err := clients[w%2].AssessDisputeRiskWithResponse(ctx, id, &api.AssessDisputeRiskParams{IfMatch: etags[0]},
						api.RiskInput{Risk: api.DisputeRisk(mediation.RiskMedium), Reason: fmt.Sprintf("第%d轮第%d次研判", round, w)})
					if err == nil {
						codes[w] = r.StatusCode()
					}
				})
			}
			wg.Wait()
			won := 0
			for w, code := range codes {
				switch code {
				case http.StatusOK:
					won++
				case http.StatusPreconditionFailed:
				default:
					t.Fatalf("round %d writer %d: status %d", round, w, code)
				}
			}
			require.Equal(t, 1, won, "round %d: %v", round, codes)
		}
		after, err := clients[1].GetDisputeWithResponse(ctx, id)
		require.NoError(t, err)
		require.Equal(t, created.JSON201.Version+rounds, after.JSON200.Version, "every round is one version, none lost")
	})

	t.Run("one Idempotency-Key through both", func(t *testing.T) {
		params := &api.ReportDisputeParams{IdempotencyKey: ptr("call-110-20200506-07")}
		const requests = 8
		type answer struct {
			status   int
			body     string
			location string
		}
		answers := make([]answer, requests)
		var wg sync.WaitGroup
		for i := range requests {
			wg.Go(func() {
				r, err := clients[i%2].ReportDisputeWithResponse(ctx, params, city.report())
				if err == nil {
					answers[i] = answer{r.StatusCode(), string(r.Body), r.HTTPResponse.Header.Get("Location")}
				}
			})
		}
		wg.Wait()
		var first *answer
		for i, a := range answers {
			switch a.status {
			case http.StatusCreated:
				if first == nil {
					first = &answers[i]
				}
				require.Equal(t, *first, a, "every 201 is the stored answer")
			case http.StatusConflict: // the first was still in flight
			default:
				t.Fatalf("request %d: %d %s", i, a.status, a.body)
			}
		}
		require.NotNil(t, first)
		for _, c := range clients {
			replay, err := c.ReportDisputeWithResponse(ctx, params, city.report())
			require.NoError(t, err)
			require.Equal(t, *first, answer{replay.StatusCode(), string(replay.Body), replay.HTTPResponse.Header.Get("Location")}, "the replay on either process")
		}
		list, err := clients[0].ListDisputesWithResponse(ctx, &api.ListDisputesParams{UnitId: &city.station.ID, Limit: ptr(100)})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, list.StatusCode(), string(list.Body))
		require.Len(t, list.JSON200.Items, 2, "the If-Match one and one keyed dispute")
	})

	t.Run("every hand-off delivered once in effect", func(t *testing.T) {
		const visits = 6
		ids := make([]string, visits)
		for i := range visits {
			v, err := clients[i%2].RecordVisitWithResponse(ctx, nil, api.VisitInput{UnitId: city.station.ID, AddressId: city.address.ID,
				TargetKind: "village", Organisation: "般阳路社区居委会", Notes: fmt.Sprintf("第%d次走访：居民反映邻里纠纷。", i),
				Disputes: []api.VisitDisputeInput{{Category: "neighbour/animal", Summary: fmt.Sprintf("居民家中养犬扰民（第%d户）", i),
					Risk: "low", RiskNote: "邻里矛盾，尚无冲突"}}})
			require.NoError(t, err)
			require.Equal(t, http.StatusCreated, v.StatusCode(), string(v.Body))
			ids[i] = v.JSON201.Id
		}
		results := map[string]string{} // visit → the dispute its hand-off made
		require.Eventually(t, func() bool {
			for _, id := range ids {
				h, err := clients[0].ListVisitHandoffsWithResponse(ctx, id)
				if err != nil || h.JSON200 == nil || len(h.JSON200.Items) != 1 || h.JSON200.Items[0].DeliveredAt.IsZero() {
					return false
				}
				results[id] = h.JSON200.Items[0].ResultId
			}
			return true
		}, 15*time.Second, 20*time.Millisecond, "both outboxes deliver every hand-off")
		time.Sleep(300 * time.Millisecond) // several more rounds of both loops: a second delivery would show now
		list, err := clients[1].ListDisputesWithResponse(ctx, &api.ListDisputesParams{UnitId: &city.station.ID, Limit: ptr(100)})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, list.StatusCode(), string(list.Body))
		made := map[string][]string{}
		for _, d := range list.JSON200.Items {
			if d.Origin.Id != "" {
				made[d.Origin.Id] = append(made[d.Origin.Id], d.Id)
			}
		}
		require.Len(t, made, visits)
		for _, id := range ids {
			require.Equal(t, []string{results[id]}, made[id], "visit %s made exactly the dispute its hand-off names", id)
		}
	})

	// Both processes' loops ran and succeeded; nothing is left pending or
	// dead; the audit chain both wrote into verifies.
	for _, p := range procs {
		resp, err := http.Get(p.url + "/metrics")
		require.NoError(t, err)
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, resp.Body.Close())
		require.NoError(t, err)
		body := string(b)
		for _, want := range []string{`grassroots_loop_last_success_age_seconds{loop="sweep"}`, `grassroots_loop_last_success_age_seconds{loop="outbox"}`,
			`grassroots_loop_failures_total{loop="sweep"} 0`, `grassroots_loop_failures_total{loop="outbox"} 0`,
			"grassroots_outbox_pending 0", "grassroots_outbox_dead 0"} {
			require.Contains(t, body, want, p.url)
		}
		require.NotContains(t, p.stderr.String(), `"level":"error"`, p.url)
		// Ready: a loop one run late on a loaded machine is ready again
		// at its next run.
		require.Eventually(t, func() bool {
			ready, err := http.Get(p.url + "/readyz")
			if err != nil {
				return false
			}
			_ = ready.Body.Close()
			return ready.StatusCode == http.StatusOK
		}, 5*time.Second, 20*time.Millisecond, p.url)
	}
	rep, err := city.k.VerifyAudit(ctx, city.auditor)
	require.NoError(t, err)
	require.True(t, rep.OK, rep.Reason)
	time.Sleep(2 * logFlushEvery) // info lines reach the log at most logFlushEvery late
	require.False(t, strings.Contains(procs[0].stderr.String()+procs[1].stderr.String(), "370302198003150012"), "never an identity number in a log")
}

func ptr[T any](v T) *T { return &v }
