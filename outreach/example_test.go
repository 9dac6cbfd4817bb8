package outreach_test

import (
	"context"
	"fmt"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	cmem "github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/grassroots-policing/grassroots/outreach/memstore"
)

// world is the examples' Zibo: the city bureau, deterministic clock and
// ids, and memory stores.
type world struct {
	ctx     context.Context
	clock   *casework.FixedClock
	k       *casework.Kernel
	svc     *outreach.Service
	root    casework.Unit
	admin   casework.Actor
	auditor casework.Actor
}

func newWorld(at time.Time) *world {
	ctx := context.Background()
	db := cmem.New()
	clock := casework.NewFixedClock(at)
	k, err := casework.New(db, &casework.Config{Clock: clock, IDs: &casework.SequentialIDs{Prefix: "id-"}, Notifier: printNotices{}})
	must(err)
	svc, err := outreach.New(k, memstore.New(db), nil)
	must(err)
	root, admin, err := k.Bootstrap(ctx, casework.UnitInput{Code: "370300", Name: "淄博市公安局", Level: casework.LevelBureau},
		casework.StaffInput{Name: "admin", Roles: []casework.Role{casework.RoleAdmin}})
	must(err)
	w := &world{ctx: ctx, clock: clock, k: k, svc: svc, root: root, admin: actor(admin)}
	w.auditor = w.staff(root, "审计员", nil, casework.RoleAuditor)
	return w
}

// printNotices is a Notifier that prints what it is told.
type printNotices struct{}

func (printNotices) Notify(_ context.Context, n casework.Notice) error {
	fmt.Printf("notice: %s %s %s (%s) for %s\n", n.Kind, n.RecordType, n.RecordID, n.Reason, orUnit(n.StaffID))
	return nil
}

func orUnit(staffID string) string {
	if staffID == "" {
		return "the unit"
	}
	return "staff " + staffID
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func (w *world) unit(parent casework.Unit, code, name string, level casework.Level) casework.Unit {
	u, err := w.k.CreateUnit(w.ctx, w.admin, casework.UnitInput{Code: code, Name: name, Level: level, ParentID: parent.ID})
	must(err)
	return u
}

func (w *world) staff(u casework.Unit, name string, areas []string, roles ...casework.Role) casework.Actor {
	s, err := w.k.CreateStaff(w.ctx, w.admin, casework.StaffInput{UnitID: u.ID, Name: name, Roles: roles, Areas: areas})
	must(err)
	return actor(s)
}

func (w *world) verify() {
	rep, err := w.k.VerifyAudit(w.ctx, w.auditor)
	must(err)
	fmt.Printf("audit chain verified: %v\n", rep.OK)
}

// household is one of the article's households: the branch and station
// that serve it, the officer who visits, a colleague, its address and the
// person visited.
type household struct {
	branch, station casework.Unit
	officer         casework.Actor
	colleague       casework.Actor
	addr            casework.Address
	person          casework.Person
}

// zhaoXilan is 赵希兰's household, a disabled poor householder served by
// 桓台县公安局田庄派出所; the colleague is the county's supervisor.
func (w *world) zhaoXilan() household {
	h := household{branch: w.unit(w.root, "370321", "桓台县公安局", casework.LevelBranch)}
	h.station = w.unit(h.branch, "370321003", "田庄派出所", casework.LevelStation)
	h.officer = w.staff(h.station, "田庄派出所民警", []string{"田庄镇"}, casework.RoleOfficer)
	h.colleague = w.staff(h.branch, "桓台县公安局领导", nil, casework.RoleSupervisor)
	return w.home(h, "桓台县田庄镇赵希兰家", "田庄镇", casework.PersonInput{Name: "赵希兰",
		Tags: []casework.Tag{casework.TagDifficultFamily, casework.TagDisabled}})
}

// mengQinghua is 孟庆花's household in 张店潘庄社区, served by the
// community officer of 潘庄派出所; the colleague is the duty officer, who
// may not see sensitive detail.
func (w *world) mengQinghua() household {
	h := household{branch: w.unit(w.root, "370302", "张店公安分局", casework.LevelBranch)}
	h.station = w.unit(h.branch, "370302010", "潘庄派出所", casework.LevelStation)
	h.officer = w.staff(h.station, "潘庄派出所社区民警", []string{"潘庄社区"}, casework.RoleCommunityOfficer)
	h.colleague = w.staff(h.station, "值班民警", nil, casework.RoleOfficer)
	return w.home(h, "张店区潘庄社区孟庆花家", "潘庄社区", casework.PersonInput{Name: "孟庆花", Gender: casework.GenderFemale,
		Tags: []casework.Tag{casework.TagDifficultFamily}})
}

// home records the household's address and person at its station.
func (w *world) home(h household, address, community string, p casework.PersonInput) household {
	var err error
	h.addr, err = w.k.CreateAddress(w.ctx, h.officer, casework.AddressInput{UnitID: h.station.ID, Text: address, Community: community})
	must(err)
	p.UnitID, p.AddressID = h.station.ID, h.addr.ID
	h.person, err = w.k.CreatePerson(w.ctx, h.officer, p)
	must(err)
	return h
}

func printVisit(k *casework.Kernel, v outreach.Visit) {
	zone := k.Zone()
	fmt.Printf("visit %s, %s, %s (%s)\n", v.ID, v.VisitedAt.In(zone).Format("2006-01-02 15:04"),
		k.Codes().Label(outreach.CodesTargetKind, string(v.TargetKind)), v.TargetKind)
	fmt.Printf("  at: %s\n", v.Address)
	if v.Masked {
		fmt.Println("  masked: who was visited and the notes are hidden")
	}
	if v.Notes != "" {
		fmt.Printf("  notes: %s\n", v.Notes)
	}
	for _, s := range v.Services {
		fmt.Printf("  service: %s — %s\n", k.Codes().Label(outreach.CodesServiceKind, string(s.Kind)), s.Note)
	}
	for _, a := range v.Aid {
		if a.Quantity > 0 {
			fmt.Printf("  aid: %d %s %s\n", a.Quantity, k.Codes().Label(outreach.CodesAidUnit, a.Unit), a.Item)
		} else {
			fmt.Printf("  aid: %s\n", a.Item)
		}
	}
	for _, f := range v.Findings {
		fmt.Printf("  finding %s: %s %q → %s\n", f.Step, f.Category, f.Summary, orPending(f.ResultID))
	}
}

func orPending(id string) string {
	if id == "" {
		return "pending"
	}
	return "linked to " + id
}

// Meng Qinghua (孟庆花) of 张店潘庄社区 sells vegetables to get by; her son
// has a violent tendency. The community officer of 潘庄派出所 visits,
// brings consolation goods and, with the residents' committee, arranges a
// car and staff to take the son to hospital. Her household is a
// special-person family: an ordinary officer sees the visit masked.
func ExampleService_RecordVisit_specialPersonFamily() {
	w := newWorld(time.Date(2020, 5, 12, 1, 0, 0, 0, time.UTC))
	h := w.mengQinghua()
	station, officer, desk, addr, meng := h.station, h.officer, h.colleague, h.addr, h.person
	son, err := w.k.CreatePerson(w.ctx, officer, casework.PersonInput{UnitID: station.ID, Name: "孟庆花之子", Gender: casework.GenderMale,
		AddressID: addr.ID, Tags: []casework.Tag{casework.TagSpecialPerson}})
	must(err)
	entry, err := w.svc.AddToPlan(w.ctx, officer, outreach.PlanInput{UnitID: station.ID, Kind: outreach.SpecialPersonFamily,
		AddressID: addr.ID, PersonID: meng.ID})
	must(err)

	w.clock.Advance(2 * time.Hour)
	v, err := w.svc.RecordVisit(w.ctx, officer, outreach.VisitInput{
		UnitID: station.ID, PlanEntryID: entry.ID, PersonID: meng.ID,
		Notes: "老人的儿子有严重暴力倾向，有肇事肇祸的危险；老人没有稳定工作，靠卖蔬菜维持生计，家庭生活非常困难。",
		Services: []outreach.ServiceGiven{
			{Kind: outreach.ServiceDoorToDoor, Note: "到孟庆花家中走访，送去慰问品"},
			{Kind: outreach.ServiceErrand, Note: "联系辖区居委会安排专车、专人，与老人一同将其儿子送医治疗"},
		},
		Aid: []outreach.Aid{{Item: "慰问品", Quantity: 1, Unit: "份"}},
		Registry: &outreach.RegistryUpdate{AddressVersion: addr.Version, Registry: casework.Registry{
			Residents: []casework.Resident{{PersonID: meng.ID, Relation: "householder"}, {PersonID: son.ID, Relation: "son"}},
			Housing:   &casework.Housing{Kind: "own"},
		}},
	})
	must(err)
	printVisit(w.k, v)
	fmt.Printf("  registry: address version %d\n", v.RegistryVersion)

	due, _, err := w.svc.DueVisits(w.ctx, officer, outreach.DueQuery{OfficerID: officer.StaffID, AsOf: time.Date(2020, 6, 8, 0, 0, 0, 0, time.UTC)})
	must(err)
	for _, d := range due {
		fmt.Printf("next visit: %s, due from %s, overdue from %s\n", d.Assessment.Status,
			d.Assessment.DueFrom.In(w.k.Zone()).Format("2006-01-02"), d.Assessment.Deadline.In(w.k.Zone()).Format("2006-01-02"))
	}
	seen, err := w.svc.GetVisit(w.ctx, desk, v.ID)
	must(err)
	fmt.Printf("the duty officer sees: masked=%v person=%q notes=%q\n", seen.Masked, seen.PersonID, seen.Notes)
	w.verify()
	// Output:
	// visit id-000014, 2020-05-12 11:00, 特殊人员家庭 (special_person_family)
	//   at: 张店区潘庄社区孟庆花家
	//   notes: 老人的儿子有严重暴力倾向，有肇事肇祸的危险；老人没有稳定工作，靠卖蔬菜维持生计，家庭生活非常困难。
	//   service: 上门服务 — 到孟庆花家中走访，送去慰问品
	//   service: 跑腿服务 — 联系辖区居委会安排专车、专人，与老人一同将其儿子送医治疗
	//   aid: 1 份 慰问品
	//   registry: address version 2
	// next visit: due, due from 2020-06-06, overdue from 2020-06-13
	// the duty officer sees: masked=true person="" notes=""
	// audit chain verified: true
}

// Zhao Xilan (赵希兰), a disabled poor householder served by 桓台县公安局
// 田庄派出所, had no food in store during the epidemic. Officers bought 1
// barrel of peanut oil, 10 jin of rice, 10 jin of flour, vegetables and
// meat, and asked the town's civil affairs office to follow up.
func ExampleService_RecordVisit_difficultFamily() {
	w := newWorld(time.Date(2020, 2, 10, 1, 0, 0, 0, time.UTC))
	h := w.zhaoXilan()
	county, station, officer, chief, addr, zhao := h.branch, h.station, h.officer, h.colleague, h.addr, h.person

	v, err := w.svc.RecordVisit(w.ctx, officer, outreach.VisitInput{
		UnitID: station.ID, AddressID: addr.ID, TargetKind: outreach.DifficultFamily, PersonID: zhao.ID,
		Notes: "残疾贫困户，疫情防控期间没有多余的存粮。",
		Services: []outreach.ServiceGiven{
			{Kind: outreach.ServiceDoorToDoor, Note: "购买生活物资送到家中，解燃眉之急"},
			{Kind: outreach.ServiceErrand, Note: "联系镇民政部门落实后续帮扶救助工作"},
		},
		Aid: []outreach.Aid{
			{Item: "花生油", Quantity: 1, Unit: "桶"},
			{Item: "大米", Quantity: 10, Unit: "斤"},
			{Item: "面粉", Quantity: 10, Unit: "斤"},
			{Item: "蔬菜肉类"},
		},
	})
	must(err)
	printVisit(w.k, v)

	t, err := w.svc.Totals(w.ctx, chief, casework.ReportQuery{UnitID: county.ID,
		From: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2020, 12, 31, 0, 0, 0, 0, time.UTC)})
	must(err)
	fmt.Printf("桓台县公安局 2020: 困难家庭 %d 户次, 送去帮扶物资 %d 户次, 上门服务 %d 次, 跑腿服务 %d 次\n",
		t.Figure(outreach.DifficultFamily), t.AidVisits, t.Services[outreach.ServiceDoorToDoor], t.Services[outreach.ServiceErrand])
	for _, a := range t.AidQuantities {
		fmt.Printf("  送去 %d %s %s\n", a.Quantity, w.k.Codes().Label(outreach.CodesAidUnit, a.Unit), a.Item)
	}
	w.verify()
	// Output:
	// visit id-000012, 2020-02-10 09:00, 困难家庭 (difficult_family)
	//   at: 桓台县田庄镇赵希兰家
	//   notes: 残疾贫困户，疫情防控期间没有多余的存粮。
	//   service: 上门服务 — 购买生活物资送到家中，解燃眉之急
	//   service: 跑腿服务 — 联系镇民政部门落实后续帮扶救助工作
	//   aid: 1 桶 花生油
	//   aid: 10 斤 大米
	//   aid: 10 斤 面粉
	//   aid: 蔬菜肉类
	// 桓台县公安局 2020: 困难家庭 1 户次, 送去帮扶物资 1 户次, 上门服务 1 次, 跑腿服务 1 次
	//   送去 10 斤 大米
	//   送去 1 桶 花生油
	//   送去 10 斤 面粉
	// audit chain verified: true
}

// printingMediation stands in for the mediation service: it receives a
// dispute once per finding (the kernel inbox makes a repeat return the
// first id) and prints what it was handed.
type printingMediation struct {
	k *casework.Kernel
	n int
}

// Provides registers the printer as the receiver of disputes found on
// visits, as mediation.New does for the real service.
func (m *printingMediation) Provides() casework.Provision {
	return casework.Provision{Name: "printing-mediation",
		Receivers: map[string]casework.Receiver{casework.KindDisputeFinding: casework.Receive(m.IntakeDispute)}}
}

func (m *printingMediation) IntakeDispute(ctx context.Context, f casework.DisputeFinding) (string, error) {
	return m.k.ReceiveOnce(ctx, f.Source, "dispute", func(in *casework.InboxEntry) (string, error) {
		m.n++
		in.RecordID = fmt.Sprintf("dispute-%03d", m.n)
		fmt.Printf("mediation received %s/%s/%s: %s %q (risk %s) → %s\n", f.Source.Kind, f.Source.ID, f.Source.Step,
			f.Category, f.Summary, f.Risk, in.RecordID)
		return in.RecordID, m.k.Store().CommitChange(ctx, casework.Change{Inbox: in})
	})
}

// On a visit in 西高新村, officers of 临淄公安分局雪官派出所 learn that a
// resident's large dog disturbs the neighbours and relations are tense. The
// dispute is handed to mediation through the outbox, and the id mediation
// gives it is written back on the visit.
func Example_disputeHandedToMediation() {
	w := newWorld(time.Date(2020, 6, 3, 1, 0, 0, 0, time.UTC))
	branch := w.unit(w.root, "370305", "临淄公安分局", casework.LevelBranch)
	station := w.unit(branch, "370305007", "雪官派出所", casework.LevelStation)
	officer := w.staff(station, "雪官派出所民警", []string{"西高新村"}, casework.RoleOfficer)
	addr, err := w.k.CreateAddress(w.ctx, officer, casework.AddressInput{UnitID: station.ID, Text: "临淄区西高新村", Community: "西高新村"})
	must(err)
	mediation := &printingMediation{k: w.k}
	must(w.k.Register(mediation))

	v, err := w.svc.RecordVisit(w.ctx, officer, outreach.VisitInput{
		UnitID: station.ID, AddressID: addr.ID, TargetKind: outreach.Village, Organisation: "西高新村村委会",
		Notes: "走访中得知村内某居民家中养有大型犬扰民；与物业公司对接研究解决方案。",
		Disputes: []outreach.DisputeInput{{Category: "neighbour/animal", Summary: "居民家中养有大型犬扰民，邻里关系紧张",
			Risk: "low", RiskNote: "邻里矛盾，尚无冲突"}},
	})
	must(err)
	printVisit(w.k, v)

	n, err := w.k.DeliverPending(w.ctx, nil)
	must(err)
	fmt.Printf("delivered: %d\n", n)
	n, err = w.k.DeliverPending(w.ctx, nil)
	must(err)
	fmt.Printf("delivered again: %d\n", n)
	v, err = w.svc.GetVisit(w.ctx, officer, v.ID)
	must(err)
	printVisit(w.k, v)
	w.verify()
	// Output:
	// visit id-000010, 2020-06-03 09:00, 村 (village)
	//   at: 临淄区西高新村
	//   notes: 走访中得知村内某居民家中养有大型犬扰民；与物业公司对接研究解决方案。
	//   finding dispute/1: neighbour/animal "居民家中养有大型犬扰民，邻里关系紧张" → pending
	// mediation received visit/id-000010/dispute/1: neighbour/animal "居民家中养有大型犬扰民，邻里关系紧张" (risk low) → dispute-001
	// delivered: 1
	// delivered again: 0
	// visit id-000010, 2020-06-03 09:00, 村 (village)
	//   at: 临淄区西高新村
	//   notes: 走访中得知村内某居民家中养有大型犬扰民；与物业公司对接研究解决方案。
	//   finding dispute/1: neighbour/animal "居民家中养有大型犬扰民，邻里关系紧张" → linked to dispute-001
	// audit chain verified: true
}
