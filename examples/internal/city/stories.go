// Package city is the article's city: the 淄博市公安局 tree with the
// branches and stations the article names, staff in every role, and the
// stories (the neighbours' noise quarrel, the large dog, the households
// visited, the stolen bird cage) walked through the services in May 2020.
// The demo walks it to print the report; the reference server loads it on
// a fresh database so that every list and the report show something.
package city

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/examples/internal/wiring"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/outreach"
)

// Zone is the deployment's: every story happens in Zibo in May 2020.
var Zone = casework.DefaultZone()

// Local is a time in May 2020 in Zibo.
func Local(day, hour, minute int) time.Time { return time.Date(2020, 5, day, hour, minute, 0, 0, Zone) }

// City carries what the stories share: the world, the clock they move and
// the people and units of the Zibo bureau.
type City struct {
	ctx   context.Context
	W     *wiring.World
	Clock *casework.FixedClock // the kernel's clock, moved through May 2020 as the stories go
	out   io.Writer

	Bureau, Zhangdian, Panzhuang, Team, Zichuan, Banyang, Linzi, Xueguan, Boshan, Huantai, Tianzhuang casework.Unit

	Admin, Auditor, Chief              casework.Actor    // bureau
	ZDSupervisor, ZDOfficer            casework.Actor    // 张店分局
	Custodian, Custodian2              casework.Actor    // 张店分局涉案财物管理中心
	PZOfficer, PZOfficer2, TeamOfficer casework.Actor    // 潘庄派出所, 打侵财专业工作队
	BYOfficer, BYMediator, BYLawyer    casework.Actor    // 般阳路派出所
	XGOfficer, TZOfficer               casework.Actor    // 雪官派出所, 田庄派出所
	BSOfficer                          casework.Actor    // 博山公安分局
	Docs                               map[string]string // person id → document number, as the owner shows it at a return
}

// Bootstrap builds the bureau's tree and staff on an empty database. clock
// must be the kernel's clock (w was built with it): the stories move it.
// On a database that already has a root unit it returns the kernel's
// casework.ErrConflict from Bootstrap and changes nothing.
func Bootstrap(ctx context.Context, w *wiring.World, clock *casework.FixedClock, out io.Writer) (*City, error) {
	d := &City{ctx: ctx, W: w, Clock: clock, out: out, Docs: map[string]string{}}
	if err := d.setUp(); err != nil {
		return nil, err
	}
	return d, nil
}

// Stories walks every story after Bootstrap, leaving each record in the
// state the article tells.
func (d *City) Stories() error {
	for _, story := range []func() error{d.neighbours, d.largeDog, d.households, d.birdCage} {
		if err := story(); err != nil {
			return err
		}
	}
	return nil
}

// Load is Bootstrap then Stories.
func Load(ctx context.Context, w *wiring.World, clock *casework.FixedClock, out io.Writer) (*City, error) {
	d, err := Bootstrap(ctx, w, clock, out)
	if err != nil {
		return nil, err
	}
	if err := d.Stories(); err != nil {
		return nil, err
	}
	return d, nil
}

// Say prints a line of the walk.
func (d *City) Say(format string, args ...any) { d.say(format, args...) }

// At moves the clock.
func (d *City) At(t time.Time) { d.at(t) }

// Person creates a person in u and remembers the document number the
// owner will show at a return.
func (d *City) Person(by casework.Actor, u casework.Unit, in casework.PersonInput) (casework.Person, error) {
	return d.person(by, u, in)
}

func (d *City) say(format string, args ...any) { fmt.Fprintf(d.out, format+"\n", args...) }

func (d *City) at(t time.Time) { d.Clock.Set(t) }

// setUp builds the bureau's tree and staff.
func (d *City) setUp() error {
	k, ctx := d.W.K, d.ctx
	bureau, admin, err := k.Bootstrap(ctx, casework.UnitInput{Code: "370300", Name: "淄博市公安局", Level: casework.LevelBureau},
		casework.StaffInput{Name: "系统管理员", Roles: []casework.Role{casework.RoleAdmin}})
	if err != nil {
		return err
	}
	d.Bureau, d.Admin = bureau, casework.Actor{StaffID: admin.ID, UnitID: bureau.ID, Roles: admin.Roles}
	var errs []error
	units := 1
	unit := func(code, name string, level casework.Level, parent casework.Unit) casework.Unit {
		u, err := k.CreateUnit(ctx, d.Admin, casework.UnitInput{Code: code, Name: name, Level: level, ParentID: parent.ID})
		errs = append(errs, err)
		units++
		return u
	}
	d.Zhangdian = unit("370303", "张店公安分局", casework.LevelBranch, bureau)
	d.Panzhuang = unit("370303001", "潘庄派出所", casework.LevelStation, d.Zhangdian)
	d.Team = unit("370303DQC", "打侵财专业工作队", casework.LevelStation, d.Zhangdian)
	d.Zichuan = unit("370302", "淄川公安分局", casework.LevelBranch, bureau)
	d.Banyang = unit("370302001", "般阳路派出所", casework.LevelStation, d.Zichuan)
	d.Linzi = unit("370305", "临淄公安分局", casework.LevelBranch, bureau)
	d.Xueguan = unit("370305002", "雪官派出所", casework.LevelStation, d.Linzi)
	d.Boshan = unit("370304", "博山公安分局", casework.LevelBranch, bureau)
	d.Huantai = unit("370321", "桓台县公安局", casework.LevelBranch, bureau)
	d.Tianzhuang = unit("370321003", "田庄派出所", casework.LevelStation, d.Huantai)
	staff := func(u casework.Unit, name string, areas []string, roles ...casework.Role) casework.Actor {
		s, err := k.CreateStaff(ctx, d.Admin, casework.StaffInput{UnitID: u.ID, Name: name, Roles: roles, Areas: areas})
		errs = append(errs, err)
		return casework.Actor{StaffID: s.ID, UnitID: u.ID, Roles: roles}
	}
	d.Auditor = staff(bureau, "审计员", nil, casework.RoleAuditor)
	d.Chief = staff(bureau, "市局指挥中心", nil, casework.RoleSupervisor)
	d.ZDSupervisor = staff(d.Zhangdian, "张店分局副局长", nil, casework.RoleSupervisor)
	d.ZDOfficer = staff(d.Zhangdian, "张店分局刑侦民警", nil, casework.RoleOfficer)
	d.Custodian = staff(d.Zhangdian, "涉案财物管理员甲", nil, casework.RoleCustodian)
	d.Custodian2 = staff(d.Zhangdian, "涉案财物管理员乙", nil, casework.RoleCustodian)
	d.PZOfficer = staff(d.Panzhuang, "潘庄社区民警", []string{"潘庄社区"}, casework.RoleOfficer, casework.RoleCommunityOfficer)
	d.PZOfficer2 = staff(d.Panzhuang, "潘庄派出所民警", nil, casework.RoleOfficer)
	d.TeamOfficer = staff(d.Team, "工作队民警", nil, casework.RoleOfficer)
	d.BYOfficer = staff(d.Banyang, "般阳路民警", nil, casework.RoleOfficer, casework.RoleCommunityOfficer)
	d.BYMediator = staff(d.Banyang, "人民调解员", nil, casework.RoleMediator)
	d.BYLawyer = staff(d.Banyang, "驻所公益律师", nil, casework.RoleLawyer)
	d.XGOfficer = staff(d.Xueguan, "雪官社区民警", []string{"西高新村"}, casework.RoleCommunityOfficer)
	d.BSOfficer = staff(d.Boshan, "博山分局民警", nil, casework.RoleOfficer)
	d.TZOfficer = staff(d.Tianzhuang, "田庄社区民警", nil, casework.RoleCommunityOfficer)
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	d.say("units: %d in the tree of %s; staff in every role", units, bureau.Name)
	return nil
}

func (d *City) person(by casework.Actor, u casework.Unit, in casework.PersonInput) (casework.Person, error) {
	in.UnitID = u.ID
	p, err := d.W.K.CreatePerson(d.ctx, by, in)
	if err == nil && in.DocNumber != "" {
		d.Docs[p.ID] = in.DocNumber
	}
	return p, err
}

// neighbours: the noise quarrel in Zichuan, mediated at the station into a
// mutual apology (相互赔礼道歉、握手言和).
func (d *City) neighbours() error {
	svc, ctx := d.W.Mediation, d.ctx
	d.at(Local(6, 9, 0))
	up, err := d.person(d.BYOfficer, d.Banyang, casework.PersonInput{Name: "张某", DocType: casework.DocResidentID, DocNumber: "370302198003150012"})
	if err != nil {
		return err
	}
	down, err := d.person(d.BYOfficer, d.Banyang, casework.PersonInput{Name: "刘某", DocType: casework.DocResidentID, DocNumber: "370302197511020025"})
	if err != nil {
		return err
	}
	disp, err := svc.Report(ctx, d.BYOfficer, mediation.ReportInput{UnitID: d.Banyang.ID, Category: "neighbour/noise", Source: mediation.SourceCall110,
		Facts:   "楼上楼下两户居民因噪音问题，互相向对方门口扔垃圾，楼道内脏乱不堪。民警将楼道打扫干净。",
		Parties: []mediation.Party{{PersonID: down.ID, Role: mediation.Applicant}, {PersonID: up.ID, Role: mediation.Respondent}},
		Risk:    mediation.RiskMedium, RiskReason: "互扔垃圾，矛盾有升级风险"})
	if err != nil {
		return err
	}
	step := func(t time.Time, by casework.Actor, in mediation.TransitionInput) {
		if err != nil {
			return
		}
		d.at(t)
		disp, err = svc.Transition(ctx, by, disp.ID, disp.Version, in)
	}
	step(Local(6, 9, 30), d.BYOfficer, mediation.TransitionInput{To: mediation.StateScreened, Reason: "邻里纠纷，适宜人民调解"})
	step(Local(6, 10, 0), d.BYOfficer, mediation.TransitionInput{To: mediation.StateAccepted, Reason: "双方同意到派出所人民调解室调解",
		Assign: []string{d.BYMediator.StaffID, d.BYLawyer.StaffID}})
	step(Local(7, 14, 0), d.BYMediator, mediation.TransitionInput{To: mediation.StateInMediation, Reason: "双方到人民调解室"})
	if err != nil {
		return err
	}
	d.at(Local(7, 15, 30))
	if disp, err = svc.RecordSession(ctx, d.BYMediator, disp.ID, disp.Version, mediation.SessionInput{
		At: Local(7, 14, 0), Place: "般阳路派出所人民调解室",
		Mediators: []mediation.Mediator{{StaffID: d.BYOfficer.StaffID, Role: casework.RoleOfficer},
			{StaffID: d.BYMediator.StaffID, Role: casework.RoleMediator}, {StaffID: d.BYLawyer.StaffID, Role: casework.RoleLawyer}},
		Attendees: []mediation.Attendee{{PersonID: down.ID, Role: "申请人"}, {PersonID: up.ID, Role: "被申请人"}},
		Notes:     "律师释明相邻关系的法律规定，调解员、民警分别做双方工作，双方表示愿意相互赔礼道歉。"}); err != nil {
		return err
	}
	d.at(Local(7, 16, 0))
	if disp, err = svc.DraftAgreement(ctx, d.BYMediator, disp.ID, disp.Version, mediation.AgreementInput{
		Form: mediation.Written, MediatorID: d.BYMediator.StaffID,
		Facts: "双方系楼上楼下邻居，因噪音问题产生矛盾，互相向对方门口扔垃圾。", Matters: "楼上噪音扰民；双方互扔垃圾。",
		Responsibilities:  []mediation.Responsibility{{PartyID: up.ID, Text: "夜间产生噪音；向对方门口扔垃圾。"}, {PartyID: down.ID, Text: "向对方门口扔垃圾。"}},
		Terms:             []mediation.Term{{Text: "双方相互赔礼道歉、握手言和"}, {Text: "双方不再向对方门口扔垃圾，共同维护楼道卫生"}},
		PerformanceMethod: "当面赔礼道歉，其余条款自觉履行", PerformancePlace: "般阳路派出所人民调解室", PerformanceDeadline: Local(14, 0, 0)}); err != nil {
		return err
	}
	d.at(Local(7, 16, 10))
	for _, sig := range []mediation.SignatureInput{{PartyID: up.ID}, {PartyID: down.ID}, {MediatorID: d.BYMediator.StaffID}} {
		who := sig.PartyID + sig.MediatorID
		att, err := d.W.K.PutAttachment(ctx, d.BYMediator, "调解协议书签名-"+who+".jpg", "image/jpeg", strings.NewReader("signed page "+who))
		if err != nil {
			return err
		}
		sig.Attachment = att
		if disp, err = svc.SignAgreement(ctx, d.BYMediator, disp.ID, disp.Version, sig); err != nil {
			return err
		}
	}
	d.at(Local(14, 10, 0))
	if disp, err = svc.RecordFollowUp(ctx, d.BYOfficer, disp.ID, disp.Version, mediation.FollowUpInput{
		Checks: []mediation.TermCheck{{Term: 0, Status: mediation.Performed}, {Term: 1, Status: mediation.Performed}}, Note: "楼道整洁，双方关系缓和"}); err != nil {
		return err
	}
	step(Local(14, 10, 30), d.BYOfficer, mediation.TransitionInput{To: mediation.StateClosed, Reason: "协议履行完毕"})
	if err != nil {
		return err
	}
	d.say("neighbours (%s): dispute %s %s, outcome %s, agreement in effect %s", d.Banyang.Name, disp.ID, disp.State, disp.Outcome,
		disp.Agreements[0].EffectiveAt.In(Zone).Format("01-02 15:04"))
	return nil
}

// largeDog: a visit in 西高新村 finds the dog dispute and hands it to
// mediation through the outbox; the officers settle it with the property
// company and the owner moves the dog.
func (d *City) largeDog() error {
	ctx := d.ctx
	d.at(Local(8, 8, 30))
	owner, err := d.person(d.XGOfficer, d.Xueguan, casework.PersonInput{Name: "吴某", DocType: casework.DocResidentID, DocNumber: "370305196807120038"})
	if err != nil {
		return err
	}
	neighbour, err := d.person(d.XGOfficer, d.Xueguan, casework.PersonInput{Name: "周某", DocType: casework.DocResidentID, DocNumber: "370305198512250045"})
	if err != nil {
		return err
	}
	v, err := d.W.Outreach.RecordVisit(ctx, d.XGOfficer, outreach.VisitInput{UnitID: d.Xueguan.ID, TargetKind: outreach.Village,
		Organisation: "西高新村", Notes: "走访中得知某居民家中养有大型犬扰民，邻里关系紧张",
		Disputes: []outreach.DisputeInput{{Category: "neighbour/animal", Summary: "西高新村某居民家中养有大型犬扰民，邻里关系紧张。",
			Risk: "medium", RiskNote: "邻里关系紧张", PartyIDs: []string{neighbour.ID, owner.ID}}}})
	if err != nil {
		return err
	}
	if _, err := d.W.K.DeliverPending(ctx, nil); err != nil {
		return err
	}
	v, err = d.W.Outreach.GetVisit(ctx, d.XGOfficer, v.ID)
	if err != nil {
		return err
	}
	disputeID := v.Findings[0].ResultID
	svc := d.W.Mediation
	disp, err := svc.Get(ctx, d.XGOfficer, disputeID)
	if err != nil {
		return err
	}
	step := func(t time.Time, in mediation.TransitionInput) {
		if err != nil {
			return
		}
		d.at(t)
		disp, err = svc.Transition(ctx, d.XGOfficer, disp.ID, disp.Version, in)
	}
	step(Local(8, 9, 30), mediation.TransitionInput{To: mediation.StateScreened, Kind: mediation.KindSettlement, Reason: "民警协调物业公司促成双方和解"})
	step(Local(8, 10, 0), mediation.TransitionInput{To: mediation.StateAccepted, Reason: "受理"})
	step(Local(9, 9, 0), mediation.TransitionInput{To: mediation.StateInMediation, Reason: "与物业公司对接，研究解决方案"})
	if err != nil {
		return err
	}
	d.at(Local(9, 11, 0))
	if disp, err = svc.RecordSession(ctx, d.XGOfficer, disp.ID, disp.Version, mediation.SessionInput{At: Local(9, 10, 0), Place: "西高新村养犬居民家中",
		Mediators: []mediation.Mediator{{StaffID: d.XGOfficer.StaffID, Role: casework.RoleCommunityOfficer}},
		Attendees: []mediation.Attendee{{PersonID: owner.ID, Role: "养犬居民"}, {Name: "物业公司工作人员", Role: "物业公司"}},
		Notes:     "到养犬居民家中沟通交流，劝导将大型犬转移圈养。"}); err != nil {
		return err
	}
	if disp, err = svc.DraftAgreement(ctx, d.XGOfficer, disp.ID, disp.Version, mediation.AgreementInput{Form: mediation.Oral, MediatorID: d.XGOfficer.StaffID,
		Content: "养犬居民同意将大型犬转移至物业公司协调的场地圈养",
		Terms:   []mediation.Term{{Text: "将大型犬转移圈养", ObligorID: owner.ID, Deadline: Local(11, 0, 0)}}}); err != nil {
		return err
	}
	d.at(Local(11, 9, 0))
	if disp, err = svc.RecordFollowUp(ctx, d.XGOfficer, disp.ID, disp.Version, mediation.FollowUpInput{
		Checks: []mediation.TermCheck{{Term: 0, Status: mediation.Performed, Note: "大型犬已转移圈养"}}}); err != nil {
		return err
	}
	step(Local(11, 9, 30), mediation.TransitionInput{To: mediation.StateClosed, Reason: "成功化解邻里矛盾"})
	if err != nil {
		return err
	}
	d.say("large dog (%s): visit %s handed dispute %s to mediation; %s, outcome %s", d.Xueguan.Name, v.ID, disp.ID, disp.State, disp.Outcome)
	return nil
}

// households: the visits to Meng Qinghua (special-person family) and Zhao
// Xilan (difficult family, aid during the epidemic), and a hazard found and
// fixed at a key site.
func (d *City) households() error {
	ctx, svc := d.ctx, d.W.Outreach
	d.at(Local(9, 9, 0))
	meng, err := d.person(d.PZOfficer, d.Panzhuang, casework.PersonInput{Name: "孟庆花", Gender: casework.GenderFemale,
		Tags: []casework.Tag{casework.TagDifficultFamily}})
	if err != nil {
		return err
	}
	son, err := d.person(d.PZOfficer, d.Panzhuang, casework.PersonInput{Name: "孟庆花之子", Gender: casework.GenderMale,
		Tags: []casework.Tag{casework.TagSpecialPerson}})
	if err != nil {
		return err
	}
	mv, err := svc.RecordVisit(ctx, d.PZOfficer, outreach.VisitInput{UnitID: d.Panzhuang.ID, TargetKind: outreach.SpecialPersonFamily, PersonID: son.ID,
		Notes: "老人的儿子有严重暴力倾向，有肇事肇祸的危险；家庭生活非常困难",
		Services: []outreach.ServiceGiven{{Kind: outreach.ServiceDoorToDoor, Note: "到孟庆花家中走访，送去慰问品"},
			{Kind: outreach.ServiceErrand, Note: "联系辖区居委会安排专车、专人与老人一同将其儿子送医治疗"}},
		Aid: []outreach.Aid{{Item: "慰问品", Quantity: 1, Unit: "份"}}})
	if err != nil {
		return err
	}
	if _, err = svc.RecordVisit(ctx, d.PZOfficer, outreach.VisitInput{UnitID: d.Panzhuang.ID, TargetKind: outreach.DifficultFamily, PersonID: meng.ID,
		Notes: "靠卖蔬菜维持生计"}); err != nil {
		return err
	}
	d.at(Local(10, 10, 0))
	zhao, err := d.person(d.TZOfficer, d.Tianzhuang, casework.PersonInput{Name: "赵希兰", Tags: []casework.Tag{casework.TagDisabled, casework.TagDifficultFamily}})
	if err != nil {
		return err
	}
	if _, err = svc.RecordVisit(ctx, d.TZOfficer, outreach.VisitInput{UnitID: d.Tianzhuang.ID, TargetKind: outreach.DifficultFamily, PersonID: zhao.ID,
		Notes: "疫情防控期间没有多余的存粮",
		Services: []outreach.ServiceGiven{{Kind: outreach.ServiceDoorToDoor, Note: "购买生活物资送到家中"},
			{Kind: outreach.ServiceErrand, Note: "联系镇民政部门落实后续帮扶救助工作"}},
		Aid: []outreach.Aid{{Item: "花生油", Quantity: 1, Unit: "桶"}, {Item: "米", Quantity: 10, Unit: "斤"}, {Item: "面", Quantity: 10, Unit: "斤"},
			{Item: "蔬菜肉类"}}}); err != nil {
		return err
	}
	d.at(Local(11, 15, 0))
	site, err := svc.RecordVisit(ctx, d.PZOfficer, outreach.VisitInput{UnitID: d.Panzhuang.ID, TargetKind: outreach.SecurityKeySite, Organisation: "潘庄社区加油站",
		Hazards: []outreach.HazardInput{{Place: "加油站配电室", Kind: "electrical", Severity: outreach.SeverityMajor, Description: "配电室电线老化裸露",
			Responsible: "加油站负责人", DueInDays: 7}}})
	if err != nil {
		return err
	}
	if _, err = svc.RecordVisit(ctx, d.PZOfficer, outreach.VisitInput{UnitID: d.Panzhuang.ID, TargetKind: outreach.StrugglingEnterprise,
		Organisation: "潘庄某小微企业", Notes: "复工复产困难，协助办理扫码登记"}); err != nil {
		return err
	}
	h, err := svc.GetHazard(ctx, d.PZOfficer, site.HazardIDs[0])
	if err != nil {
		return err
	}
	d.at(Local(13, 9, 0))
	if h, err = svc.StartRectifying(ctx, d.PZOfficer, h.ID, h.Version, "已通知负责人整改"); err == nil {
		d.at(Local(15, 9, 0))
		h, err = svc.RecordRectified(ctx, d.PZOfficer, h.ID, h.Version, "线路已更换")
	}
	if err == nil {
		d.at(Local(15, 14, 0))
		h, err = svc.VerifyHazard(ctx, d.PZOfficer2, h.ID, h.Version, "复查合格")
	}
	if err != nil {
		return err
	}
	d.say("households: 孟庆花's son visited as a %s (details only for roles that may read them); 赵希兰 given 1桶花生油、10斤米、10斤面、蔬菜肉类; hazard at %s %s",
		mv.TargetKind, site.Organisation, h.Status)
	return nil
}
