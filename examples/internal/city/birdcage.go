package city

import (
	"strings"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/grassroots-policing/grassroots/recovery"
)

// birdCage runs the article's case end to end: on 12 May the cage and two
// birds of 陈某某, hung on a tree outside a hotel, are stolen; officers learn
// of it on a visit and hand the lead to the 打侵财专业工作队, which files the
// case, reviews the surveillance video, arrests the suspect the next day and
// recovers the cage and the birds; the branch approves their return and
// hands them back at a return event (涉案物品返还会).
func (d *City) birdCage() error {
	ctx, k, cs, rec := d.ctx, d.W.K, d.W.Cases, d.W.Recovery
	d.at(Local(12, 9, 40))
	chen, err := d.person(d.PZOfficer, d.Panzhuang, casework.PersonInput{Name: "陈某某", DocType: casework.DocResidentID, DocNumber: "11010519491231002X",
		Phone: "13812345678"})
	if err != nil {
		return err
	}
	visit, err := d.W.Outreach.RecordVisit(ctx, d.PZOfficer, outreach.VisitInput{UnitID: d.Panzhuang.ID, TargetKind: outreach.Community,
		Organisation: "潘庄社区", Notes: "走访中获知旅馆门前树上鸟笼被盗",
		Leads: []outreach.LeadInput{{Summary: "陈某某挂在旅馆门前树上的鸟笼及笼里两只鸟被盗", PersonIDs: []string{chen.ID}}}})
	if err != nil {
		return err
	}
	if _, err := k.DeliverPending(ctx, nil); err != nil {
		return err
	}
	if visit, err = d.W.Outreach.GetVisit(ctx, d.PZOfficer, visit.ID); err != nil {
		return err
	}
	// The station reports the lead to the branch, which verifies it and
	// turns it into a case of its 打侵财专业工作队.
	lead, err := cs.GetLead(ctx, d.ZDOfficer, visit.Findings[0].ResultID)
	if err != nil {
		return err
	}
	d.at(Local(12, 10, 0))
	if lead, err = cs.VerifyLead(ctx, d.ZDOfficer, lead.ID, lead.Version, "电话联系失主核实"); err != nil {
		return err
	}
	c, lead, err := cs.ConvertLead(ctx, d.ZDOfficer, lead.ID, lead.Version, cases.ReportInput{UnitID: d.Team.ID, Kind: cases.KindTheft,
		Summary: "旅馆门前树上鸟笼及笼内两只鸟被盗", IncidentAt: Local(12, 7, 30), Place: "张店区某旅馆门前树上",
		ReporterID: chen.ID, VictimIDs: []string{chen.ID}, ModusOperandi: "趁无人看管摘走挂在树上的鸟笼",
		Items: []cases.ItemInput{
			{Category: "cage", Description: "竹制鸟笼", Quantity: 1, ValueFen: 80000, OwnerPersonID: chen.ID},
			{Category: "birds_animals", Description: "画眉鸟", Quantity: 2, ValueFen: 300000, OwnerPersonID: chen.ID}}})
	if err != nil {
		return err
	}
	// The deliverer registers the items in recovery as reported stolen.
	if _, err := k.DeliverPending(ctx, nil); err != nil {
		return err
	}
	reload := func() {
		if err == nil {
			c, err = cs.Get(ctx, d.TeamOfficer, c.ID)
		}
	}
	reload()
	d.at(Local(12, 10, 15))
	if err == nil {
		c, err = cs.DispatchAndFile(ctx, d.TeamOfficer, c.ID, c.Version, cases.DispatchInput{At: Local(12, 10, 10), Note: "工作队出警"})
	}
	d.at(Local(12, 11, 0))
	if err == nil {
		c, err = cs.Survey(ctx, d.TeamOfficer, c.ID, c.Version, cases.SurveyInput{At: Local(12, 10, 40), Description: "竹制鸟笼 画眉鸟",
			ModusOperandi: "趁无人看管摘走挂在树上的鸟笼", SuspectDescription: "中年男子，骑电动车"})
	}
	d.at(Local(12, 15, 0))
	if err == nil {
		c, err = cs.AnalyseAndShare(ctx, d.TeamOfficer, c.ID, c.Version, cases.AnalysisInput{At: Local(12, 14, 30),
			Findings: "调取现场监控视频，锁定嫌疑人落脚点", ShareWith: []cases.ShareInput{{UnitID: d.Panzhuang.ID, Reason: "失主在辖区"}}})
	}
	if err != nil {
		return err
	}
	d.at(Local(13, 9, 30))
	suspect, err := d.person(d.TeamOfficer, d.Team, casework.PersonInput{Name: "李某", DocType: casework.DocResidentID, DocNumber: "370302199001014564"})
	if err != nil {
		return err
	}
	if c, err = cs.Arrest(ctx, d.TeamOfficer, c.ID, c.Version, cases.ArrestInput{SuspectID: suspect.ID, At: Local(13, 9, 0), Place: "嫌疑人落脚点"}); err != nil {
		return err
	}
	if _, err := k.DeliverPending(ctx, nil); err != nil { // the items are marked traced
		return err
	}
	reload()
	d.at(Local(13, 16, 0))
	if err == nil {
		c, err = cs.Review(ctx, d.TeamOfficer, c.ID, c.Version, cases.ReviewInput{Findings: "倒查嫌疑人其他作案情况"})
	}
	if err != nil {
		return err
	}

	// Recovery: the cage and the birds are seized from the suspect, the
	// owner identifies them, custody moves to the property centre, and the
	// branch approves the return.
	d.at(Local(13, 11, 0))
	var returns []string
	for i, it := range c.Items {
		item, err := rec.Get(ctx, d.TeamOfficer, it.ItemID)
		if err != nil {
			return err
		}
		if item, err = rec.RecordRecovery(ctx, d.TeamOfficer, item.ID, item.Version, recovery.RecoveryInput{Place: "嫌疑人落脚点", From: "嫌疑人处扣押",
			To:             recovery.Holder{Kind: recovery.HolderStaff, ID: d.TeamOfficer.StaffID},
			CustodyDetails: recovery.CustodyDetails{WitnessID: d.Custodian.StaffID, Condition: "完好", Seal: recovery.SealIntact}}); err != nil {
			return err
		}
		if item, err = rec.Identify(ctx, d.TeamOfficer, item.ID, item.Version, recovery.IdentifyInput{Note: "失主辨认"}); err != nil {
			return err
		}
		if item, err = rec.Move(ctx, d.Custodian, item.ID, item.Version, recovery.MoveInput{
			To:             recovery.Holder{Kind: recovery.HolderLocation, ID: "ZD-A-0" + string(rune('1'+i)), Name: "张店分局涉案财物管理中心"},
			CustodyDetails: recovery.CustodyDetails{WitnessID: d.Custodian2.StaffID, Reason: "入库保管", Condition: "完好", Seal: recovery.SealIntact}}); err != nil {
			return err
		}
		r, err := rec.RequestReturn(ctx, d.TeamOfficer, recovery.ReturnInput{ItemID: item.ID, Recipient: recovery.Holder{Kind: recovery.HolderPerson, ID: chen.ID}})
		if err != nil {
			return err
		}
		if r, err = rec.ApproveReturn(ctx, d.ZDSupervisor, r.ID, r.Version, "权属清楚，同意发还"); err != nil {
			return err
		}
		returns = append(returns, r.ID)
	}
	d.at(Local(20, 15, 0))
	ev, err := rec.PlanEvent(ctx, d.ZDOfficer, recovery.EventInput{UnitID: d.Zhangdian.ID, Name: "张店分局涉案物品返还会", Date: Local(20, 15, 0),
		Place: "张店公安分局一楼大厅"})
	if err != nil {
		return err
	}
	if ev, err = rec.AddReturns(ctx, d.ZDOfficer, ev.ID, ev.Version, returns); err != nil {
		return err
	}
	var hand []recovery.Handover
	for _, id := range returns {
		receipt, err := k.PutAttachment(ctx, d.ZDOfficer, "签收单-"+id+".jpg", "image/jpeg", strings.NewReader("陈某某签收 "+id))
		if err != nil {
			return err
		}
		hand = append(hand, recovery.Handover{ReturnID: id, Receipt: &receipt, RecipientDocType: casework.DocResidentID, RecipientDocNumber: d.Docs[chen.ID]})
	}
	if ev, err = rec.HoldEvent(ctx, d.ZDOfficer, ev.ID, ev.Version, hand); err != nil {
		return err
	}
	if c, err = cs.Close(ctx, d.ZDSupervisor, c.ID, c.Version, "破案，被盗鸟笼和鸟已追回并返还"); err != nil {
		return err
	}
	d.say("bird cage: lead %s → case %s (%s) %s; %d of %d items returned at %s", lead.ID, c.Number, d.Team.Name, c.State, ev.Returned(), len(ev.Results), ev.Name)
	return nil
}
