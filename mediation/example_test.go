package mediation_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	casemem "github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/mediation/memstore"
)

// story is the set-up both examples share: the Zibo bureau with a kernel
// on a fixed clock and sequential ids, so the output is the same every run.
type story struct {
	ctx   context.Context
	clock *casework.FixedClock
	k     *casework.Kernel
	svc   *mediation.Service
	root  casework.Unit
	admin casework.Actor
	names map[string]string // staff id → name, for printing
}

var cst = casework.DefaultZone()

func newStory(start time.Time) *story {
	s := &story{ctx: context.Background(), clock: casework.NewFixedClock(start), names: map[string]string{}}
	db := casemem.New()
	s.k = must(casework.New(db, &casework.Config{Clock: s.clock, IDs: &casework.SequentialIDs{Prefix: "id-"}}))
	s.svc = must(mediation.New(s.k, memstore.New(db), nil))
	root, admin, err := s.k.Bootstrap(s.ctx, casework.UnitInput{Code: "370300", Name: "淄博市公安局", Level: casework.LevelBureau},
		casework.StaffInput{Name: "管理员", Roles: []casework.Role{casework.RoleAdmin}})
	check(err)
	s.root, s.admin = root, casework.Actor{StaffID: admin.ID, UnitID: root.ID, Roles: admin.Roles}
	return s
}

func (s *story) unit(code, name string, level casework.Level, parent casework.Unit) casework.Unit {
	return must(s.k.CreateUnit(s.ctx, s.admin, casework.UnitInput{Code: code, Name: name, Level: level, ParentID: parent.ID}))
}

func (s *story) staff(u casework.Unit, name string, roles ...casework.Role) casework.Actor {
	st := must(s.k.CreateStaff(s.ctx, s.admin, casework.StaffInput{UnitID: u.ID, Name: name, Roles: roles}))
	s.names[st.ID] = name
	return casework.Actor{StaffID: st.ID, UnitID: u.ID, Roles: roles}
}

func (s *story) person(by casework.Actor, u casework.Unit, name, id, address string) casework.Person {
	return must(s.k.CreatePerson(s.ctx, by, casework.PersonInput{UnitID: u.ID, Name: name, DocType: casework.DocResidentID,
		DocNumber: id, Address: address}))
}

// at moves the clock to a local time in Zibo.
func (s *story) at(month time.Month, day, hour, minute int) {
	s.clock.Set(time.Date(2020, month, day, hour, minute, 0, 0, cst))
}

func (s *story) printHistory(d mediation.Dispute) {
	for _, st := range d.History {
		from := "·"
		if st.From != "" {
			from = string(st.From)
		}
		fmt.Printf("  %s  %-12s → %-12s %s：%s\n", st.At.In(cst).Format("01-02 15:04"), from, st.To, s.names[st.ActorID], st.Reason)
	}
}

func (s *story) printTotals(by casework.Actor, unit casework.Unit) {
	q := casework.ReportQuery{UnitID: unit.ID, From: time.Date(2020, 5, 1, 0, 0, 0, 0, cst), To: time.Date(2020, 5, 31, 0, 0, 0, 0, cst)}
	for _, group := range []mediation.GroupBy{mediation.ByNone, mediation.ByCategory} {
		for _, t := range must(s.svc.Breakdown(s.ctx, by, q, group)) {
			fmt.Printf("  %-6s found %d, accepted %d, settled %d, failed %d, referred %d, settlement rate %d‰\n",
				t.Label, t.Found, t.Accepted, t.Settled, t.Failed, t.Referred, t.SettlementRate)
		}
	}
}

func (s *story) verifyAudit(auditor casework.Actor) {
	rep := must(s.k.VerifyAudit(s.ctx, auditor))
	fmt.Printf("audit chain verified: %v\n", rep.OK)
}

// signature stands for the photo of a signed page kept in the blob store.
func (s *story) signature(by casework.Actor, who string) casework.Attachment {
	return must(s.k.PutAttachment(s.ctx, by, "调解协议书-"+who+"签名.jpg", "image/jpeg", strings.NewReader("signed page of "+who)))
}

func must[T any](v T, err error) T {
	check(err)
	return v
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}

// Two neighbours in Zichuan, upstairs and downstairs, quarrel over noise and
// throw rubbish at each other's doors. Officers of 般阳路派出所 (淄川公安分局)
// clean the stairwell, then bring both families to the station's people's
// mediation room, where an officer, a people's mediator and the station's
// public-interest lawyer mediate until the two apologise to each other and
// shake hands (相互赔礼道歉、握手言和). A week later a follow-up finds every
// term performed and the dispute is closed.
func Example_neighbours() {
	s := newStory(time.Date(2020, 5, 6, 9, 0, 0, 0, cst))
	zichuan := s.unit("370302", "淄川公安分局", casework.LevelBranch, s.root)
	station := s.unit("370302001", "般阳路派出所", casework.LevelStation, zichuan)
	officer := s.staff(station, "王民警", casework.RoleOfficer, casework.RoleCommunityOfficer)
	mediator := s.staff(station, "李调解员", casework.RoleMediator)
	lawyer := s.staff(station, "赵律师", casework.RoleLawyer)
	auditor := s.staff(s.root, "审计员", casework.RoleAuditor)
	upstairs := s.person(officer, station, "张某", "370302198003150012", "淄川区某小区3号楼2单元402室")
	downstairs := s.person(officer, station, "刘某", "370302197511020025", "淄川区某小区3号楼2单元302室")

	d := must(s.svc.Report(s.ctx, officer, mediation.ReportInput{
		UnitID: station.ID, Category: "neighbour/noise", Source: mediation.SourceCall110,
		Facts:   "楼上楼下两户居民因噪音问题，互相向对方门口扔垃圾，楼道内脏乱不堪。民警将楼道打扫干净。",
		Address: "淄川区某小区3号楼2单元",
		Parties: []mediation.Party{{PersonID: downstairs.ID, Role: mediation.Applicant}, {PersonID: upstairs.ID, Role: mediation.Respondent}},
		Risk:    mediation.RiskMedium, RiskReason: "互扔垃圾，矛盾有升级风险",
	}))
	s.at(5, 6, 9, 30)
	d = must(s.svc.Transition(s.ctx, officer, d.ID, d.Version, mediation.TransitionInput{To: mediation.StateScreened, Reason: "邻里纠纷，适宜人民调解"}))
	s.at(5, 6, 10, 0)
	d = must(s.svc.Transition(s.ctx, officer, d.ID, d.Version, mediation.TransitionInput{To: mediation.StateAccepted,
		Reason: "双方同意到派出所人民调解室调解", Assign: []string{mediator.StaffID, lawyer.StaffID}}))
	s.at(5, 7, 14, 0)
	d = must(s.svc.Transition(s.ctx, mediator, d.ID, d.Version, mediation.TransitionInput{To: mediation.StateInMediation, Reason: "双方到人民调解室"}))
	s.at(5, 7, 15, 30)
	d = must(s.svc.RecordSession(s.ctx, mediator, d.ID, d.Version, mediation.SessionInput{
		At: time.Date(2020, 5, 7, 14, 0, 0, 0, cst), Place: "般阳路派出所人民调解室",
		Mediators: []mediation.Mediator{{StaffID: officer.StaffID, Role: casework.RoleOfficer},
			{StaffID: mediator.StaffID, Role: casework.RoleMediator}, {StaffID: lawyer.StaffID, Role: casework.RoleLawyer}},
		Attendees: []mediation.Attendee{{PersonID: downstairs.ID, Role: "申请人"}, {PersonID: upstairs.ID, Role: "被申请人"}},
		Notes:     "双方陈述噪音及互扔垃圾经过。\n律师释明相邻关系的法律规定，调解员、民警分别做双方工作。\n双方表示愿意相互赔礼道歉。",
	}))
	s.at(5, 7, 16, 0)
	d = must(s.svc.DraftAgreement(s.ctx, mediator, d.ID, d.Version, mediation.AgreementInput{
		Form: mediation.Written, MediatorID: mediator.StaffID,
		Facts:   "双方系楼上楼下邻居，因噪音问题产生矛盾，互相向对方门口扔垃圾。",
		Matters: "楼上噪音扰民；双方互扔垃圾。",
		Responsibilities: []mediation.Responsibility{
			{PartyID: upstairs.ID, Text: "夜间产生噪音，影响楼下休息；向对方门口扔垃圾。"},
			{PartyID: downstairs.ID, Text: "向对方门口扔垃圾。"}},
		Terms: []mediation.Term{
			{Text: "双方相互赔礼道歉、握手言和"},
			{Text: "双方不再向对方门口扔垃圾，共同维护楼道卫生"},
			{Text: "楼上住户晚22时后避免产生噪音", ObligorID: upstairs.ID}},
		PerformanceMethod: "当面赔礼道歉，其余条款自觉履行", PerformancePlace: "般阳路派出所人民调解室",
		PerformanceDeadline: time.Date(2020, 5, 14, 0, 0, 0, 0, cst),
	}))
	s.at(5, 7, 16, 10)
	for _, who := range []struct {
		party, mediator string
		name            string
	}{{party: upstairs.ID, name: "张某"}, {party: downstairs.ID, name: "刘某"}, {mediator: mediator.StaffID, name: "李调解员"}} {
		d = must(s.svc.SignAgreement(s.ctx, mediator, d.ID, d.Version, mediation.SignatureInput{
			PartyID: who.party, MediatorID: who.mediator, Attachment: s.signature(officer, who.name)}))
	}
	fmt.Printf("agreement in effect: %s\n", d.Agreements[0].EffectiveAt.In(cst).Format("2006-01-02 15:04"))

	s.at(5, 14, 10, 0)
	d = must(s.svc.RecordFollowUp(s.ctx, officer, d.ID, d.Version, mediation.FollowUpInput{
		Checks: []mediation.TermCheck{{Term: 0, Status: mediation.Performed}, {Term: 1, Status: mediation.Performed}, {Term: 2, Status: mediation.Performed}},
		Note:   "楼道整洁，双方关系缓和",
	}))
	s.at(5, 14, 10, 30)
	d = must(s.svc.Transition(s.ctx, officer, d.ID, d.Version, mediation.TransitionInput{To: mediation.StateClosed, Reason: "协议履行完毕，避免了矛盾进一步升级"}))

	fmt.Printf("dispute %s (%s, %s): %s, outcome %s\n", d.ID, station.Name, d.Category, d.State, d.Outcome)
	s.printHistory(d)
	fmt.Println("totals of 般阳路派出所, May 2020:")
	s.printTotals(officer, station)
	s.verifyAudit(auditor)

	// Output:
	// agreement in effect: 2020-05-07 16:10
	// dispute id-000013 (般阳路派出所, neighbour/noise): closed, outcome settled
	//   05-06 09:00  ·            → reported     王民警：登记 (reported)
	//   05-06 09:30  reported     → screened     王民警：邻里纠纷，适宜人民调解
	//   05-06 10:00  screened     → accepted     王民警：双方同意到派出所人民调解室调解
	//   05-07 14:00  accepted     → in_mediation 李调解员：双方到人民调解室
	//   05-07 16:10  in_mediation → agreed       李调解员：调解协议书经各方当事人及调解员签名生效 (signed by every party and the mediator)
	//   05-14 10:00  agreed       → following_up 王民警：回访 (follow-up visit)
	//   05-14 10:30  following_up → closed       王民警：协议履行完毕，避免了矛盾进一步升级
	// totals of 般阳路派出所, May 2020:
	//   合计     found 1, accepted 1, settled 1, failed 0, referred 0, settlement rate 1000‰
	//   噪音扰民   found 1, accepted 1, settled 1, failed 0, referred 0, settlement rate 1000‰
	// audit chain verified: true
}

// A resident of 西高新村 keeps a large dog that disturbs the neighbours.
// Officers of 雪官派出所 (临淄公安分局) learn of it on an outreach visit; the
// visit hands the dispute over to mediation (delivered twice, received
// once). The officers work out a solution with the property company, talk
// with the dog's owner at home, and persuade the owner to move the dog to a
// pen: an oral settlement, performed and confirmed on a follow-up.
func Example_largeDog() {
	s := newStory(time.Date(2020, 5, 8, 9, 0, 0, 0, cst))
	linzi := s.unit("370305", "临淄公安分局", casework.LevelBranch, s.root)
	station := s.unit("370305002", "雪官派出所", casework.LevelStation, linzi)
	officer := s.staff(station, "孙民警", casework.RoleCommunityOfficer)
	supervisor := s.staff(linzi, "分局领导", casework.RoleSupervisor)
	auditor := s.staff(s.root, "审计员", casework.RoleAuditor)
	neighbour := s.person(officer, station, "周某", "370305198512250045", "临淄区西高新村")
	owner := s.person(officer, station, "吴某", "370305196807120038", "临淄区西高新村")

	finding := casework.DisputeFinding{
		Source: casework.Source{Kind: "visit", ID: "visit-西高新村-0508", Step: "dispute/1"},
		Actor:  officer, UnitID: station.ID, Category: "neighbour/animal",
		Summary: "西高新村某居民家中养有大型犬扰民，邻里关系紧张。", Address: "临淄区西高新村",
		PartyIDs: []string{neighbour.ID, owner.ID}, Risk: "medium", RiskNote: "邻里关系紧张",
		FoundAt: time.Date(2020, 5, 8, 8, 30, 0, 0, cst),
	}
	id := must(s.svc.IntakeDispute(s.ctx, finding))
	again := must(s.svc.IntakeDispute(s.ctx, finding)) // the outbox delivers at least once
	fmt.Printf("hand-off received once: %v, from %s %s\n", id == again, finding.Source.Kind, finding.Source.ID)

	d := must(s.svc.Get(s.ctx, officer, id))
	s.at(5, 8, 9, 30)
	d = must(s.svc.Transition(s.ctx, officer, d.ID, d.Version, mediation.TransitionInput{To: mediation.StateScreened,
		Kind: mediation.KindSettlement, Reason: "邻里矛盾，民警协调物业公司促成双方和解"}))
	s.at(5, 8, 10, 0)
	d = must(s.svc.Transition(s.ctx, officer, d.ID, d.Version, mediation.TransitionInput{To: mediation.StateAccepted, Reason: "受理"}))
	s.at(5, 9, 9, 0)
	d = must(s.svc.Transition(s.ctx, officer, d.ID, d.Version, mediation.TransitionInput{To: mediation.StateInMediation, Reason: "与物业公司对接，研究解决方案"}))
	s.at(5, 9, 11, 0)
	d = must(s.svc.RecordSession(s.ctx, officer, d.ID, d.Version, mediation.SessionInput{
		At: time.Date(2020, 5, 9, 10, 0, 0, 0, cst), Place: "西高新村养犬居民家中",
		Mediators: []mediation.Mediator{{StaffID: officer.StaffID, Role: casework.RoleCommunityOfficer}},
		Attendees: []mediation.Attendee{{PersonID: owner.ID, Role: "养犬居民"}, {Name: "物业公司工作人员", Role: "物业公司"}},
		Notes:     "民警与物业公司研究出解决方案，到养犬居民家中沟通交流，劝导将大型犬转移圈养。",
	}))
	d = must(s.svc.DraftAgreement(s.ctx, officer, d.ID, d.Version, mediation.AgreementInput{
		Form: mediation.Oral, MediatorID: officer.StaffID,
		Content: "养犬居民同意将大型犬转移至物业公司协调的场地圈养",
		Terms:   []mediation.Term{{Text: "将大型犬转移圈养", ObligorID: owner.ID, Deadline: time.Date(2020, 5, 11, 0, 0, 0, 0, cst)}},
	}))
	s.at(5, 12, 9, 0)
	fmt.Printf("overdue on 12 May before the follow-up: %v\n", d.IsOverdue(s.k.Now()))
	d = must(s.svc.RecordFollowUp(s.ctx, officer, d.ID, d.Version, mediation.FollowUpInput{
		Checks: []mediation.TermCheck{{Term: 0, Status: mediation.Performed, Note: "大型犬已转移圈养"}}}))
	fmt.Printf("overdue after the follow-up: %v\n", d.IsOverdue(s.k.Now()))
	s.at(5, 12, 9, 30)
	d = must(s.svc.Transition(s.ctx, officer, d.ID, d.Version, mediation.TransitionInput{To: mediation.StateClosed, Reason: "成功化解邻里矛盾"}))

	fmt.Printf("dispute %s (%s, %s, %s): %s\n", d.ID, station.Name, d.Category, d.Kind, d.State)
	s.printHistory(d)
	fmt.Println("totals of 临淄公安分局, May 2020:")
	s.printTotals(supervisor, linzi)
	for _, f := range must(s.k.Report(s.ctx, auditor, casework.ReportQuery{UnitID: s.root.ID,
		From: time.Date(2020, 1, 1, 0, 0, 0, 0, cst), To: time.Date(2020, 12, 31, 0, 0, 0, 0, cst)})) {
		if f.Key == "mediation.disputes.settled" {
			fmt.Printf("report %s (%s): %d %s\n", f.Key, f.LabelZH, f.Value, f.Unit)
		}
	}
	s.verifyAudit(auditor)

	// Output:
	// hand-off received once: true, from visit visit-西高新村-0508
	// overdue on 12 May before the follow-up: true
	// overdue after the follow-up: false
	// dispute id-000012 (雪官派出所, neighbour/animal, settlement): closed
	//   05-08 09:00  ·            → reported     孙民警：走访排查移交 (handed over from visit visit-西高新村-0508)
	//   05-08 09:30  reported     → screened     孙民警：邻里矛盾，民警协调物业公司促成双方和解
	//   05-08 10:00  screened     → accepted     孙民警：受理
	//   05-09 09:00  accepted     → in_mediation 孙民警：与物业公司对接，研究解决方案
	//   05-09 11:00  in_mediation → agreed       孙民警：口头协议达成即生效 (oral agreement reached)
	//   05-12 09:00  agreed       → following_up 孙民警：回访 (follow-up visit)
	//   05-12 09:30  following_up → closed       孙民警：成功化解邻里矛盾
	// totals of 临淄公安分局, May 2020:
	//   合计     found 1, accepted 1, settled 1, failed 0, referred 0, settlement rate 1000‰
	//   饲养动物   found 1, accepted 1, settled 1, failed 0, referred 0, settlement rate 1000‰
	// report mediation.disputes.settled (化解矛盾纠纷): 1 起
	// audit chain verified: true
}
