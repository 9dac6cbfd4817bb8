package cases_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/grassroots-policing/grassroots/casework/cases/memstore"
	casemem "github.com/grassroots-policing/grassroots/casework/memstore"
)

// printingLedger stands for recovery in the example: it prints what it
// receives. It is idempotent on each hand-off's source, as recovery is,
// through the kernel's inbox.
// Provides makes the printer the receiver of stolen items and arrests.
func (l printingLedger) Provides() casework.Provision {
	return casework.Provision{Name: "printing-ledger", Receivers: map[string]casework.Receiver{
		casework.KindStolenItems: casework.Receive(l.RegisterStolen),
		casework.KindTraceItems:  casework.Receive(l.MarkTraced),
	}}
}

type printingLedger struct {
	k *casework.Kernel
}

func (l printingLedger) CheckStolen(context.Context, casework.StolenItems) error { return nil }

func (l printingLedger) RegisterStolen(ctx context.Context, items casework.StolenItems) (string, error) {
	return l.k.ReceiveOnce(ctx, items.Source, "property_item", func(in *casework.InboxEntry) (string, error) {
		in.RecordID = items.Items[0].ItemID
		var names []string
		for _, it := range items.Items {
			names = append(names, fmt.Sprintf("%s %s×%d (%s)", it.ItemID, it.Description, it.Quantity, it.Category))
		}
		fmt.Printf("  recovery: reported_stolen %s\n", strings.Join(names, ", "))
		return in.RecordID, l.k.Store().CommitChange(ctx, casework.Change{Inbox: in})
	})
}

func (l printingLedger) MarkTraced(ctx context.Context, t casework.TraceItems) (string, error) {
	return l.k.ReceiveOnce(ctx, t.Source, "property_item", func(in *casework.InboxEntry) (string, error) {
		in.RecordID = t.ArrestID
		fmt.Printf("  recovery: traced %s, linked to arrest %s\n", strings.Join(t.ItemIDs, ", "), t.ArrestID)
		return in.RecordID, l.k.Store().CommitChange(ctx, casework.Change{Inbox: in})
	})
}

func (l printingLedger) CompareProperty(_ context.Context, _ casework.Actor, q casework.PropertyQuery) ([]casework.PropertyMatch, error) {
	fmt.Printf("  recovery: compare category=%q description=%q: no recovered item matches\n", q.Category, q.Description)
	return nil, nil
}

// failed prints an error the example did not expect, so that its output
// shows where it went wrong.
func failed(err error) bool {
	if err != nil {
		fmt.Println("error:", err)
	}
	return err != nil
}

// Example_birdCage runs the article's bird-cage case (五快五同步): on 12 May
// 2020 the cage and the two birds of 张店 陈某某, hung on a tree outside a
// hotel, were stolen; 张店公安分局 officers learned of it on a visit and
// passed it to the 打侵财专业工作队, which reviewed the scene's surveillance
// video, found where the suspect stayed, arrested him the next day and
// recovered the cage and the birds.
func Example_birdCage() {
	ctx := context.Background()
	zone := casework.DefaultZone()
	local := func(d, h, m int) time.Time { return time.Date(2020, 5, d, h, m, 0, 0, zone) }
	clock := casework.NewFixedClock(local(1, 8, 0))
	db := casemem.New()
	k, _ := casework.New(db, &casework.Config{Clock: clock, IDs: &casework.SequentialIDs{Prefix: "id-"}})
	svc, _ := cases.New(k, memstore.New(db), nil)
	ledger := printingLedger{k: k}
	svc.Connect(ledger)    // the case checks its items with the ledger
	_ = k.Register(ledger) // and the ledger receives them, as recovery.New does

	root, admin, _ := k.Bootstrap(ctx, casework.UnitInput{Code: "370300", Name: "淄博市公安局", Level: casework.LevelBureau},
		casework.StaffInput{Name: "管理员", Roles: []casework.Role{casework.RoleAdmin}})
	adm := casework.Actor{StaffID: admin.ID, UnitID: root.ID, Roles: admin.Roles}
	zhangdian, _ := k.CreateUnit(ctx, adm, casework.UnitInput{Code: "370302", Name: "张店公安分局", Level: casework.LevelBranch, ParentID: root.ID})
	team, _ := k.CreateUnit(ctx, adm, casework.UnitInput{Code: "370302DQC", Name: "打侵财专业工作队", Level: casework.LevelStation, ParentID: zhangdian.ID})
	station, _ := k.CreateUnit(ctx, adm, casework.UnitInput{Code: "370302CZ", Name: "车站派出所", Level: casework.LevelStation, ParentID: zhangdian.ID})
	actor := func(u casework.Unit, name string, r casework.Role) casework.Actor {
		s, _ := k.CreateStaff(ctx, adm, casework.StaffInput{UnitID: u.ID, Name: name, Roles: []casework.Role{r}})
		return casework.Actor{StaffID: s.ID, UnitID: u.ID, Roles: s.Roles}
	}
	visitor := actor(zhangdian, "分局社区民警", casework.RoleCommunityOfficer)
	officer := actor(team, "工作队民警", casework.RoleOfficer)
	lead := actor(team, "工作队队长", casework.RoleSupervisor)
	auditor := actor(root, "审计员", casework.RoleAuditor)
	chen, _ := k.CreatePerson(ctx, officer, casework.PersonInput{UnitID: team.ID, Name: "陈某某", DocType: casework.DocNone})
	suspect, _ := k.CreatePerson(ctx, officer, casework.PersonInput{UnitID: team.ID, Name: "李某", DocType: casework.DocNone})

	// Ten days earlier another cage was taken off a tree in a park, the
	// same way: an open case the survey will find.
	mo := "趁无人看管摘走挂在树上的鸟笼"
	clock.Set(local(2, 9, 0))
	earlier, err := svc.Report(ctx, officer, cases.ReportInput{UnitID: team.ID, Kind: cases.KindTheft,
		IncidentAt: local(2, 6, 0), Place: "张店区某公园", ModusOperandi: mo})
	if failed(err) {
		return
	}
	earlier, err = svc.DispatchAndFile(ctx, officer, earlier.ID, earlier.Version, cases.DispatchInput{})
	if failed(err) {
		return
	}

	// 12 May: the lead from a visit (走访中获知), handed to the team.
	clock.Set(local(12, 10, 0))
	leadID, err := svc.IntakeLead(ctx, casework.LeadFinding{
		Source: casework.Source{Kind: cases.LeadFromVisit, ID: "visit-20200512-01", Step: "lead/1"},
		Actor:  visitor, UnitID: team.ID, Summary: "走访获知:陈某某挂在旅馆门前树上的鸟笼及两只鸟被盗", FoundAt: local(12, 9, 40)})
	if failed(err) {
		return
	}
	l, err := svc.GetLead(ctx, officer, leadID)
	if failed(err) {
		return
	}
	clock.Set(local(12, 10, 5))
	l, err = svc.VerifyLead(ctx, officer, l.ID, l.Version, "电话联系失主核实")
	if failed(err) {
		return
	}
	clock.Set(local(12, 10, 6))
	c, l, err := svc.ConvertLead(ctx, officer, l.ID, l.Version, cases.ReportInput{Kind: cases.KindTheft,
		Summary: "旅馆门前树上鸟笼及笼内两只鸟被盗", IncidentAt: local(12, 7, 30),
		ReportedAt: local(12, 10, 0), Place: "张店区某旅馆门前树上",
		ReporterID: chen.ID, VictimIDs: []string{chen.ID}, ModusOperandi: mo,
		Items: []cases.ItemInput{
			{Category: "cage", Description: "竹制鸟笼", Quantity: 1, ValueFen: 80000, OwnerPersonID: chen.ID},
			{Category: "birds_animals", Description: "画眉鸟", Quantity: 2, ValueFen: 120000, OwnerPersonID: chen.ID},
		}})
	if failed(err) {
		return
	}
	fmt.Printf("lead %s from %s %s (%s → %s): %s → case %s\n", l.ID, l.Source.Kind, l.Source.ID, zhangdian.Name, team.Name, l.State, l.CaseID)
	// The deliverer hands the items to recovery and writes recovery's
	// answer back on the case (a new version).
	if _, err := k.DeliverPending(ctx, nil); failed(err) {
		return
	}
	if c, err = svc.Get(ctx, officer, c.ID); failed(err) {
		return
	}

	// 快处警·同步立案
	clock.Set(local(12, 10, 15))
	c, err = svc.DispatchAndFile(ctx, officer, c.ID, c.Version, cases.DispatchInput{At: local(12, 10, 10), Note: "工作队出警"})
	if failed(err) {
		return
	}
	fmt.Println("filed as", c.Number)
	// 快勘查·同步比对
	clock.Set(local(12, 11, 0))
	c, err = svc.Survey(ctx, officer, c.ID, c.Version, cases.SurveyInput{At: local(12, 10, 40),
		Description: "鸟笼 画眉鸟", ModusOperandi: mo, SuspectDescription: "中年男子,骑电动车"})
	if failed(err) {
		return
	}
	for _, m := range c.Survey.Matches {
		fmt.Printf("match: %s %s (%s) score %.1f %v\n", m.Source, m.ID, m.State, m.Score, m.Reasons)
	}
	// 快研判·同步共享
	clock.Set(local(12, 15, 0))
	c, err = svc.AnalyseAndShare(ctx, officer, c.ID, c.Version, cases.AnalysisInput{At: local(12, 14, 30),
		Findings:  "调取现场监控视频,锁定嫌疑人落脚点",
		ShareWith: []cases.ShareInput{{UnitID: station.ID, Reason: "嫌疑人落脚点在辖区"}}})
	if failed(err) {
		return
	}
	fmt.Printf("analysis: %s; shared with %s (%s)\n", c.Analysis.Findings, station.Name, strings.Join(c.SharedWith, ","))
	// 快抓捕·同步挽损: the next day.
	clock.Set(local(13, 9, 30))
	c, err = svc.Arrest(ctx, officer, c.ID, c.Version, cases.ArrestInput{SuspectID: suspect.ID, At: local(13, 9, 0), Place: "嫌疑人落脚点"})
	if failed(err) {
		return
	}
	if _, err := k.DeliverPending(ctx, nil); failed(err) {
		return
	}
	if c, err = svc.Get(ctx, officer, c.ID); failed(err) {
		return
	}
	// 快倒查·同步跟踪
	clock.Set(local(13, 16, 0))
	c, err = svc.Review(ctx, officer, c.ID, c.Version, cases.ReviewInput{Findings: "嫌疑人供述5月2日公园鸟笼案亦系其所为",
		Links: []cases.LinkInput{{CaseID: earlier.ID, Reason: cases.LinkSameSuspect}}})
	if failed(err) {
		return
	}
	clock.Set(local(14, 9, 0))
	c, err = svc.Close(ctx, lead, c.ID, c.Version, "破案,被盗鸟笼和鸟已追回")
	if failed(err) {
		return
	}

	fmt.Println("state history:")
	for _, h := range c.History {
		from := h.From
		if from == "" {
			from = "—"
		}
		fmt.Println(strings.TrimRight(fmt.Sprintf("  %s %-13s → %-13s %s %s", h.At.In(zone).Format("01-02 15:04"), from, h.To, h.Action, h.Reason), " "))
	}
	fmt.Println("five steps (from the report at", c.ReportedAt.In(zone).Format("01-02 15:04")+"):")
	for _, st := range svc.Targets().Timings(c, clock.Now()) {
		fmt.Printf("  %-14s %s  after %-8v target %-8v late=%v\n", st.Step, st.At.In(zone).Format("01-02 15:04"), st.Elapsed,
			svc.Targets().Of(st.Step), st.Late)
	}
	fmt.Println("items:")
	for _, it := range c.Items {
		fmt.Printf("  %s %s×%d traced by %v\n", it.ItemID, it.Description, it.Quantity, it.TracedBy)
	}
	tot, _ := svc.Totals(ctx, auditor, casework.ReportQuery{UnitID: zhangdian.ID,
		From: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2020, 5, 31, 0, 0, 0, 0, time.UTC)})
	cur, prev := tot.Current, tot.YearEarlier
	fmt.Printf("张店公安分局, May 2020: reported %d, filed %d, solved %d, clearance %d‰, people arrested %d, leads %d\n",
		cur.Reported, cur.Filed, cur.Solved, cur.ClearanceRatePermille, cur.PeopleArrested, cur.LeadsCollected)
	fmt.Printf("a year earlier: reported %d, filed %d (clearance defined: %v); change: reported %+d, solved %+d\n",
		prev.Reported, prev.Filed, prev.ClearanceRateDefined, tot.Change.Delta.Reported, tot.Change.Delta.Solved)
	rep, _ := k.VerifyAudit(ctx, auditor)
	fmt.Println("audit chain verified:", rep.OK)
	// Output:
	// lead id-000015 from visit visit-20200512-01 (张店公安分局 → 打侵财专业工作队): converted → case id-000016
	//   recovery: reported_stolen id-000017 竹制鸟笼×1 (cage), id-000018 画眉鸟×2 (birds_animals)
	// filed as 370302DQC-2020-000002
	//   recovery: compare category="" description="鸟笼 画眉鸟": no recovered item matches
	// match: case id-000014 (filed) score 0.5 [same modus operandi]
	// analysis: 调取现场监控视频,锁定嫌疑人落脚点; shared with 车站派出所 (id-000007)
	//   recovery: traced id-000017, id-000018, linked to arrest id-000022
	// state history:
	//   05-12 10:00 —             → reported      case.report
	//   05-12 10:15 reported      → filed         case.dispatch_file
	//   05-12 11:00 filed         → investigating case.survey scene survey
	//   05-13 09:30 investigating → solved        case.arrest first arrest
	//   05-14 09:00 solved        → closed        case.close 破案,被盗鸟笼和鸟已追回
	// five steps (from the report at 05-12 10:00):
	//   dispatch_file  05-12 10:10  after 10m0s    target 15m0s    late=false
	//   survey_compare 05-12 10:40  after 40m0s    target 1h0m0s   late=false
	//   analyse_share  05-12 14:30  after 4h30m0s  target 24h0m0s  late=false
	//   arrest_recover 05-13 09:00  after 23h0m0s  target 168h0m0s late=false
	//   review_track   05-13 16:00  after 30h0m0s  target 720h0m0s late=false
	// items:
	//   id-000017 竹制鸟笼×1 traced by [id-000022]
	//   id-000018 画眉鸟×2 traced by [id-000022]
	// 张店公安分局, May 2020: reported 2, filed 2, solved 1, clearance 500‰, people arrested 1, leads 1
	// a year earlier: reported 0, filed 0 (clearance defined: false); change: reported +2, solved +1
	// audit chain verified: true
}
