package outreach_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/outreach"
)

func printReferral(k *casework.Kernel, r outreach.Referral) {
	zone := k.Zone()
	agency := k.Codes().Label(outreach.CodesReferralAgency, string(r.Agency))
	if r.AgencyName != "" {
		agency += " " + r.AgencyName
	}
	fmt.Printf("referral %s v%d to %s, %s, due %s\n", r.ID, r.Version, agency, r.Status, r.Due.In(zone).Format("2006-01-02 15:04"))
	if r.Masked {
		fmt.Println("  masked: what was asked and the notes are hidden")
	}
	if r.Request != "" {
		fmt.Printf("  asked: %s\n", r.Request)
	}
	for _, f := range r.FollowUps {
		fmt.Printf("  follow-up %s: %s\n", f.At.In(zone).Format("01-02 15:04"), orHidden(f.Note))
	}
	if r.Status == outreach.ReferralClosed {
		fmt.Printf("  closed %s: %s — %s\n", r.ClosedAt.In(zone).Format("01-02 15:04"),
			k.Codes().Label(outreach.CodesReferralOutcome, string(r.Outcome)), orHidden(r.OutcomeNote))
	}
}

func orHidden(s string) string {
	if s == "" {
		return "(hidden)"
	}
	return s
}

// printReferralFigures prints the report's referral figures for a unit and
// a period.
func printReferralFigures(w *world, a casework.Actor, unit casework.Unit, from, to time.Time) {
	figs, err := w.k.Report(w.ctx, a, casework.ReportQuery{UnitID: unit.ID, From: from, To: to})
	must(err)
	for _, f := range figs {
		if strings.HasPrefix(f.Key, "outreach.referrals.") {
			fmt.Printf("  %s (%s): %d %s\n", f.LabelZH, f.Key, f.Value, f.Unit)
		}
	}
}

// Zhao Xilan (赵希兰): after bringing food, the officer of 田庄派出所 asks
// the town's civil affairs office to take over the household's relief
// (联系镇民政部门落实后续帮扶救助工作), follows it up, and closes the
// referral when relief is granted. Missing the due date puts it on the
// overdue list until it is closed, and the sweep tells the owner once; the
// report and the outreach table count it made in February and closed in
// March.
func ExampleService_Refer_civilAffairs() {
	w := newWorld(time.Date(2020, 2, 10, 1, 0, 0, 0, time.UTC))
	h := w.zhaoXilan()
	county, officer, chief := h.branch, h.officer, h.colleague
	v, err := w.svc.RecordVisit(w.ctx, officer, outreach.VisitInput{
		UnitID: h.station.ID, AddressID: h.addr.ID, TargetKind: outreach.DifficultFamily, PersonID: h.person.ID,
		Notes: "残疾贫困户，疫情防控期间没有多余的存粮。",
		Aid:   []outreach.Aid{{Item: "花生油", Quantity: 1, Unit: "桶"}, {Item: "大米", Quantity: 10, Unit: "斤"}, {Item: "面粉", Quantity: 10, Unit: "斤"}},
	})
	must(err)

	r, err := w.svc.Refer(w.ctx, officer, outreach.ReferralInput{VisitID: v.ID, Agency: outreach.AgencyCivilAffairs,
		AgencyName: "田庄镇民政部门", Request: "落实赵希兰家后续帮扶救助工作", OwnerID: officer.StaffID, DueInDays: 14,
		RequestKey: "zhao-civil-affairs"})
	must(err)
	again, err := w.svc.Refer(w.ctx, officer, outreach.ReferralInput{VisitID: v.ID, Agency: outreach.AgencyCivilAffairs,
		AgencyName: "田庄镇民政部门", Request: "落实赵希兰家后续帮扶救助工作", OwnerID: officer.StaffID, DueInDays: 14,
		RequestKey: "zhao-civil-affairs"})
	must(err)
	fmt.Printf("a retry returns the first referral: %v\n", again.ID == r.ID)
	printReferral(w.k, r)

	w.clock.Advance(3 * 24 * time.Hour)
	r, err = w.svc.FollowUpReferral(w.ctx, officer, r.ID, r.Version, "民政办已入户核实，拟纳入临时救助")
	must(err)
	w.clock.Advance(12 * 24 * time.Hour) // past the due date, still open
	overdue, _, err := w.svc.ListOverdueReferrals(w.ctx, chief, county.ID, casework.Page{})
	must(err)
	fmt.Printf("overdue on %s: %d\n", w.clock.Now().In(w.k.Zone()).Format("2006-01-02"), len(overdue))
	// The kernel's periodic sweep tells the owner once, however often it
	// runs.
	for range 2 {
		res, err := w.k.Sweep(w.ctx, w.clock.Now())
		must(err)
		fmt.Printf("sweep: %d noticed\n", res.Notified)
	}
	r, err = w.svc.GetReferral(w.ctx, chief, r.ID)
	must(err)
	w.clock.Advance(10 * 24 * time.Hour)
	r, err = w.svc.CloseReferral(w.ctx, officer, r.ID, r.Version, outreach.OutcomeDone, "临时救助金已发放，纳入镇民政常态帮扶")
	must(err)
	printReferral(w.k, r)
	overdue, _, err = w.svc.ListOverdueReferrals(w.ctx, chief, county.ID, casework.Page{})
	must(err)
	fmt.Printf("overdue after closing: %d\n", len(overdue))
	_, err = w.svc.FollowUpReferral(w.ctx, officer, r.ID, r.Version, "再次回访")
	fmt.Println("a closed referral stays closed:", err)

	fmt.Println("桓台县公安局 February 2020:")
	printReferralFigures(w, chief, county, time.Date(2020, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC))
	fmt.Println("桓台县公安局 March 2020:")
	printReferralFigures(w, chief, county, time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2020, 4, 1, 0, 0, 0, 0, time.UTC))
	march, err := w.svc.Totals(w.ctx, chief, casework.ReportQuery{UnitID: county.ID, From: time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC),
		To: time.Date(2020, 4, 1, 0, 0, 0, 0, time.UTC)})
	must(err)
	fmt.Printf("outreach table, March: %d made, %d closed, %d done\n", march.ReferralsMade, march.ReferralsClosed,
		march.ReferralsClosedBy[outreach.OutcomeDone])
	trail, err := w.svc.History(w.ctx, chief, outreach.RecordReferral, r.ID)
	must(err)
	for _, e := range trail {
		fmt.Printf("audit: %s by %s\n", e.Action, e.ActorID)
	}
	w.verify()
	// Output:
	// a retry returns the first referral: true
	// referral id-000013 v1 to 民政部门 田庄镇民政部门, open, due 2020-02-25 00:00
	//   asked: 落实赵希兰家后续帮扶救助工作
	// overdue on 2020-02-25: 1
	// notice: overdue referral id-000013 (referral_due) for staff id-000008
	// sweep: 1 noticed
	// sweep: 0 noticed
	// referral id-000013 v4 to 民政部门 田庄镇民政部门, closed, due 2020-02-25 00:00
	//   asked: 落实赵希兰家后续帮扶救助工作
	//   follow-up 02-13 09:00: 民政办已入户核实，拟纳入临时救助
	//   closed 03-06 09:00: 已落实 — 临时救助金已发放，纳入镇民政常态帮扶
	// overdue after closing: 0
	// a closed referral stays closed: invalid transition from closed to open: a closed referral stays closed
	// 桓台县公安局 February 2020:
	//   联系相关部门帮扶 (outreach.referrals.made): 1 次
	//   帮扶转介办结 (outreach.referrals.closed): 0 次
	// 桓台县公安局 March 2020:
	//   联系相关部门帮扶 (outreach.referrals.made): 0 次
	//   帮扶转介办结 (outreach.referrals.closed): 1 次
	// outreach table, March: 0 made, 1 closed, 1 done
	// audit: referral.create by id-000008
	// audit: referral.follow_up by id-000008
	// audit: referral.overdue_notice by system
	// audit: referral.close by id-000008
	// audit chain verified: true
}

// Meng Qinghua (孟庆花): her son has a violent tendency and is at risk of
// causing trouble. The community officer of 潘庄派出所 asks for his
// admission to hospital, with the residents' committee providing a car and
// staff to go with her, and closes the referral when he is admitted the
// same day, before its due time, so no overdue notice ever goes out. The
// household is a special-person family: the duty officer sees
// the referral, its agency and its dates, but not what was asked.
func ExampleService_Refer_hospitalAdmission() {
	w := newWorld(time.Date(2020, 5, 12, 1, 0, 0, 0, time.UTC))
	h := w.mengQinghua()
	officer, desk := h.officer, h.colleague
	v, err := w.svc.RecordVisit(w.ctx, officer, outreach.VisitInput{UnitID: h.station.ID, AddressID: h.addr.ID,
		TargetKind: outreach.SpecialPersonFamily, PersonID: h.person.ID, Notes: "老人的儿子有严重暴力倾向，有肇事肇祸的危险。",
		Aid: []outreach.Aid{{Item: "慰问品", Quantity: 1, Unit: "份"}}})
	must(err)

	r, err := w.svc.Refer(w.ctx, officer, outreach.ReferralInput{VisitID: v.ID, Agency: outreach.AgencyHospital,
		AgencyName: "辖区医院", Request: "孟庆花之子及时送医治疗；居委会安排专车、专人与老人一同前往",
		OwnerID: officer.StaffID, Due: time.Date(2020, 5, 12, 16, 0, 0, 0, time.UTC)})
	must(err)
	printReferral(w.k, r)
	w.clock.Advance(3 * time.Hour)
	r, err = w.svc.FollowUpReferral(w.ctx, officer, r.ID, r.Version, "居委会专车、专人已到，与老人一同送医")
	must(err)
	w.clock.Advance(2 * time.Hour)
	_, err = w.svc.CloseReferral(w.ctx, officer, r.ID, r.Version-1, outreach.OutcomeDone, "已入院治疗")
	fmt.Println("closing an old version:", err)
	r, err = w.svc.CloseReferral(w.ctx, officer, r.ID, r.Version, outreach.OutcomeDone, "已入院治疗")
	must(err)
	printReferral(w.k, r)

	w.clock.Set(time.Date(2020, 5, 14, 1, 0, 0, 0, time.UTC))
	res, err := w.k.Sweep(w.ctx, w.clock.Now())
	must(err)
	fmt.Printf("sweep after its due time: %d noticed\n", res.Notified)

	seen, err := w.svc.GetReferral(w.ctx, desk, r.ID)
	must(err)
	fmt.Println("the duty officer sees:")
	printReferral(w.k, seen)
	w.verify()
	// Output:
	// referral id-000013 v1 to 医院 辖区医院, open, due 2020-05-13 00:00
	//   asked: 孟庆花之子及时送医治疗；居委会安排专车、专人与老人一同前往
	// closing an old version: conflict: referral "id-000013" was changed by someone else (version 1 is stale)
	// referral id-000013 v3 to 医院 辖区医院, closed, due 2020-05-13 00:00
	//   asked: 孟庆花之子及时送医治疗；居委会安排专车、专人与老人一同前往
	//   follow-up 05-12 12:00: 居委会专车、专人已到，与老人一同送医
	//   closed 05-12 14:00: 已落实 — 已入院治疗
	// sweep after its due time: 0 noticed
	// the duty officer sees:
	// referral id-000013 v3 to 医院 辖区医院, closed, due 2020-05-13 00:00
	//   masked: what was asked and the notes are hidden
	//   follow-up 05-12 12:00: (hidden)
	//   closed 05-12 14:00: 已落实 — (hidden)
	// audit chain verified: true
}
