package recovery_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/recovery"
	recmem "github.com/grassroots-policing/grassroots/recovery/memstore"
)

// Example follows the article's bird cage: on 12 May 2020 张店 resident
// 陈某某 hung his cage with two thrushes on a tree outside a hotel, and it
// was stolen. The case hands the cage and the birds to the ledger; an
// e-bike and a motorcycle of two other owners are reported the same week.
// All three are recovered, the e-bike found at a scrap yard and matched to
// its theft by its frame number. At the branch's return event the cage,
// the birds and the e-bike go back to their owners; the motorcycle's owner
// does not come, and the motorcycle waits in the store room.
func Example() {
	ctx := context.Background()
	zone := casework.DefaultZone()
	clock := casework.NewFixedClock(time.Date(2020, 5, 12, 9, 30, 0, 0, zone))
	db := memstore.New()
	k, _ := casework.New(db, &casework.Config{Clock: clock, IDs: &casework.SequentialIDs{Prefix: "id-"}})
	svc, err := recovery.New(k, recmem.New(db), nil)
	check(err)

	// The unit tree, the staff and the three owners.
	root, admin, _ := k.Bootstrap(ctx, casework.UnitInput{Code: "370300", Name: "淄博市公安局", Level: casework.LevelBureau},
		casework.StaffInput{Name: "管理员", Roles: []casework.Role{casework.RoleAdmin}})
	adm := act(admin)
	branch, _ := k.CreateUnit(ctx, adm, casework.UnitInput{Code: "370302", Name: "张店公安分局", Level: casework.LevelBranch, ParentID: root.ID})
	station, _ := k.CreateUnit(ctx, adm, casework.UnitInput{Code: "370302010", Name: "车站派出所", Level: casework.LevelStation, ParentID: branch.ID})
	staff := func(u casework.Unit, name string, roles ...casework.Role) casework.Actor {
		s, err := k.CreateStaff(ctx, adm, casework.StaffInput{UnitID: u.ID, Name: name, Roles: roles})
		check(err)
		return act(s)
	}
	officer := staff(station, "民警张某", casework.RoleOfficer)
	officer2 := staff(station, "民警李某", casework.RoleOfficer)
	keeper := staff(branch, "保管员王某", casework.RoleCustodian)
	keeper2 := staff(branch, "保管员赵某", casework.RoleCustodian)
	chief := staff(branch, "副局长孙某", casework.RoleSupervisor)
	host := staff(branch, "案管民警周某", casework.RoleOfficer)
	auditor := staff(root, "审计员", casework.RoleAuditor)
	docs := map[string]string{}
	person := func(name, doc string) casework.Person {
		p, err := k.CreatePerson(ctx, officer, casework.PersonInput{UnitID: station.ID, Name: name, DocType: casework.DocResidentID, DocNumber: doc})
		check(err)
		docs[p.ID] = doc
		return p
	}
	chen := person("陈某某", "11010519491231002X")
	wang := person("王某", "370303198005121238")
	li := person("李某", "370302199001014564")

	// 12 May: the case hands the cage and the birds over (casework's outbox
	// calls RegisterStolen); the e-bike and the motorcycle are reported.
	caseID := "370302010-2020-000123"
	_, err = svc.RegisterStolen(ctx, casework.StolenItems{
		Source: casework.Source{Kind: "case", ID: caseID, Step: "stolen/1"}, Actor: officer, UnitID: station.ID, CaseID: caseID,
		StolenAt: time.Date(2020, 5, 12, 7, 0, 0, 0, zone), Place: "张店区某宾馆门外树上",
		Items: []casework.StolenItem{
			{ItemID: caseID + "-1", Category: "cage", Description: "竹制鸟笼一个", Quantity: 1, ValueFen: 80000, OwnerPersonID: chen.ID},
			{ItemID: caseID + "-2", Category: "birds_animals", Description: "画眉鸟", Quantity: 2, ValueFen: 300000, OwnerPersonID: chen.ID},
		}})
	check(err)
	report := func(cat, desc string, value int64, owner casework.Person, id casework.Identifier) recovery.Item {
		it, err := svc.ReportStolen(ctx, officer, recovery.StolenInput{ItemInput: recovery.ItemInput{UnitID: station.ID,
			CaseID: "370302010-2020-000124", Category: cat, Description: desc, Identifiers: []casework.Identifier{id},
			Quantity: 1, ValueFen: value, OwnerPersonID: owner.ID}, StolenAt: clock.Now().Add(-time.Hour), StolenPlace: "张店区华光路"})
		check(err)
		return it
	}
	bikeReport := report("e_bike", "白色雅迪电动自行车，车筐有划痕", 260000, wang, casework.Identifier{Kind: "frame", Value: "LC8201905123"})
	moto := report("motorcycle", "黑色豪爵摩托车", 680000, li, casework.Identifier{Kind: "engine", Value: "157FMI20190512"})

	// 14 May: an arrest recovers the cage, the birds and the motorcycle; the
	// e-bike turns up at a scrap yard and is matched by its frame number.
	clock.Set(time.Date(2020, 5, 14, 16, 0, 0, 0, zone))
	intake := recovery.RecoveryInput{Place: "张店区马尚镇", From: "嫌疑人处扣押", To: recovery.Holder{Kind: recovery.HolderStaff, ID: officer.StaffID},
		CustodyDetails: recovery.CustodyDetails{WitnessID: officer2.StaffID, Condition: "完好", Seal: recovery.SealIntact}}
	var items []recovery.Item
	for _, id := range []string{caseID + "-1", caseID + "-2", moto.ID} {
		it, _ := svc.Get(ctx, officer, id)
		it, err = svc.RecordRecovery(ctx, officer, it.ID, it.Version, intake)
		check(err)
		it, err = svc.Identify(ctx, officer, it.ID, it.Version, recovery.IdentifyInput{Note: "失主辨认"})
		check(err)
		items = append(items, it)
	}
	scrap := intake
	scrap.Place, scrap.From = "张店区沣水镇废品收购站", "废品站"
	bike, err := svc.RecordFound(ctx, officer, recovery.FoundInput{ItemInput: recovery.ItemInput{UnitID: station.ID, Category: "e_bike",
		Description: "白色雅迪电动车，车筐有划痕", Identifiers: []casework.Identifier{{Kind: "serial", Value: "lc-820190-5123"}},
		Quantity: 1, ValueFen: 200000}, RecoveryInput: scrap})
	check(err)
	matches, err := svc.Match(ctx, officer, bike.ID, 3)
	check(err)
	fmt.Printf("match for the found e-bike: %s (score %.2f; %s)\n", describe(svc, officer, matches[0].ItemID), matches[0].Score, matches[0].Reasons[0])
	bike, err = svc.ConfirmMatch(ctx, officer, bike.ID, bike.Version, matches[0].ItemID, "车架号一致")
	check(err)
	items = []recovery.Item{items[0], items[1], bike, items[2]}

	// Into the branch's store room; returns requested and approved.
	clock.Set(time.Date(2020, 5, 15, 9, 0, 0, 0, zone))
	var returns []recovery.Return
	for i, it := range items {
		it, err = svc.Move(ctx, keeper, it.ID, it.Version, recovery.MoveInput{
			To:             recovery.Holder{Kind: recovery.HolderLocation, ID: fmt.Sprintf("ZD-A-%02d", i+1), Name: "涉案财物管理中心"},
			CustodyDetails: recovery.CustodyDetails{WitnessID: keeper2.StaffID, Reason: "入库保管", Condition: "完好", Seal: recovery.SealIntact}})
		check(err)
		r, err := svc.RequestReturn(ctx, officer, recovery.ReturnInput{ItemID: it.ID, Recipient: recovery.Holder{Kind: recovery.HolderPerson, ID: it.OwnerPersonID}})
		check(err)
		r, err = svc.ApproveReturn(ctx, chief, r.ID, r.Version, "权属清楚，同意发还")
		check(err)
		returns = append(returns, r)
	}

	// 20 May: the return event. 李某 does not come.
	clock.Set(time.Date(2020, 5, 20, 15, 0, 0, 0, zone))
	ev, err := svc.PlanEvent(ctx, host, recovery.EventInput{UnitID: branch.ID, Name: "张店分局涉案物品返还会", Date: clock.Now(), Place: "张店公安分局一楼大厅"})
	check(err)
	ids := make([]string, len(returns))
	for i, r := range returns {
		ids[i] = r.ID
	}
	ev, err = svc.AddReturns(ctx, host, ev.ID, ev.Version, ids)
	check(err)
	var handovers []recovery.Handover
	for _, r := range returns {
		if r.OwnerPersonID == li.ID {
			handovers = append(handovers, recovery.Handover{ReturnID: r.ID, Absent: true, Reason: "失主未到场"})
			continue
		}
		receipt, err := k.PutAttachment(ctx, host, "签收单-"+r.ItemID+".jpg", "image/jpeg", strings.NewReader("签收 "+r.ItemID))
		check(err)
		handovers = append(handovers, recovery.Handover{ReturnID: r.ID, Receipt: &receipt, RecipientDocNumber: docs[r.RecipientPersonID]})
	}
	ev, err = svc.HoldEvent(ctx, host, ev.ID, ev.Version, handovers)
	check(err)
	fmt.Printf("%s: %d of %d returned\n", ev.Name, ev.Returned(), len(ev.Results))

	// Each item's history: its audit trail and its custody chain.
	for _, it := range append(items, bikeReport) {
		it, _ = svc.Get(ctx, chief, it.ID)
		fmt.Printf("\n%s ×%d, %s, %s yuan — %s\n", it.Description, it.Quantity, k.Codes().Label(recovery.ListCategory, it.Category),
			recovery.Yuan(it.ValueFen), k.Codes().Label(recovery.ListItemState, string(it.State)))
		trail, err := svc.History(ctx, auditor, it.ID)
		check(err)
		for _, e := range trail {
			fmt.Printf("  %s %s\n", e.Time.In(zone).Format("01-02 15:04"), e.Action)
		}
		chain, err := svc.Custody(ctx, auditor, it.ID)
		check(err)
		for _, c := range chain {
			fmt.Printf("  custody %d %-6s %s → %s\n", c.Seq, c.Kind, holder(c.From), holder(c.To))
		}
	}

	// The figures and the audit chain.
	tot, err := svc.Totals(ctx, chief, casework.ReportQuery{From: time.Date(2020, 5, 1, 0, 0, 0, 0, zone), To: time.Date(2020, 5, 31, 0, 0, 0, 0, zone)})
	check(err)
	fmt.Printf("\nMay 2020, 张店分局: recovered %d items worth %s yuan; returned %d worth %s yuan at %d return event(s)\n",
		tot.ItemsRecovered, recovery.Yuan(tot.ValueRecoveredFen), tot.ItemsReturned, recovery.Yuan(tot.ValueReturnedFen), tot.ReturnEvents)
	fmt.Println("totals check:", tot.ValueReturnedFen == 80000+300000+200000 && tot.ItemsReturned == 3 && tot.ReturnEvents == 1)
	figures, err := k.Report(ctx, chief, casework.ReportQuery{From: time.Date(2020, 5, 1, 0, 0, 0, 0, zone), To: time.Date(2020, 5, 31, 0, 0, 0, 0, zone)})
	check(err)
	for _, f := range figures {
		if f.Key == recovery.FigureValueReturnedFen || f.Key == recovery.FigureReturnEvents {
			fmt.Printf("report %s (%s) = %d %s\n", f.Key, f.LabelZH, f.Value, f.Unit)
		}
	}
	list, err := svc.ReturnList(ctx, chief, recovery.ReturnListQuery{EventID: ev.ID})
	check(err)
	var page bytes.Buffer
	check(list.WriteHTML(&page))
	fmt.Println("发还清单 rows:", len(list.Rows), "printable:", strings.Contains(page.String(), "涉案物品返还会发还清单"))
	for _, r := range list.Rows {
		fmt.Printf("  %s: NIBRS %s\n", r.CategoryLabel, r.NIBRS)
	}
	rep, err := k.VerifyAudit(ctx, auditor)
	check(err)
	fmt.Println("audit chain verified:", rep.OK)

	// Output:
	// match for the found e-bike: 白色雅迪电动自行车，车筐有划痕 (score 1.92; identifier serial LC8201905123 matches)
	// 张店分局涉案物品返还会: 3 of 4 returned
	//
	// 竹制鸟笼一个 ×1, 鸟笼及笼具, 800.00 yuan — 已发还
	//   05-12 09:30 recovery.item.report
	//   05-14 16:00 recovery.item.recover
	//   05-14 16:00 recovery.item.identify
	//   05-15 09:00 recovery.custody.move
	//   05-15 09:00 recovery.item.return_requested
	//   05-15 09:00 recovery.item.return_approved
	//   05-20 15:00 recovery.item.returned
	//   custody 1 intake external 嫌疑人处扣押 → 民警张某
	//   custody 2 move   民警张某 → 涉案财物管理中心 ZD-A-01
	//   custody 3 return 涉案财物管理中心 ZD-A-01 → 陈某某
	//
	// 画眉鸟 ×2, 鸟类及宠物, 3000.00 yuan — 已发还
	//   05-12 09:30 recovery.item.report
	//   05-14 16:00 recovery.item.recover
	//   05-14 16:00 recovery.item.identify
	//   05-15 09:00 recovery.custody.move
	//   05-15 09:00 recovery.item.return_requested
	//   05-15 09:00 recovery.item.return_approved
	//   05-20 15:00 recovery.item.returned
	//   custody 1 intake external 嫌疑人处扣押 → 民警张某
	//   custody 2 move   民警张某 → 涉案财物管理中心 ZD-A-02
	//   custody 3 return 涉案财物管理中心 ZD-A-02 → 陈某某
	//
	// 白色雅迪电动车，车筐有划痕 ×1, 电动自行车, 2000.00 yuan — 已发还
	//   05-14 16:00 recovery.item.found
	//   05-14 16:00 recovery.item.match
	//   05-15 09:00 recovery.custody.move
	//   05-15 09:00 recovery.item.return_requested
	//   05-15 09:00 recovery.item.return_approved
	//   05-20 15:00 recovery.item.returned
	//   custody 1 intake external 废品站 → 民警张某
	//   custody 2 move   民警张某 → 涉案财物管理中心 ZD-A-03
	//   custody 3 return 涉案财物管理中心 ZD-A-03 → 王某
	//
	// 黑色豪爵摩托车 ×1, 摩托车, 6800.00 yuan — 已批准发还
	//   05-12 09:30 recovery.item.report
	//   05-14 16:00 recovery.item.recover
	//   05-14 16:00 recovery.item.identify
	//   05-15 09:00 recovery.custody.move
	//   05-15 09:00 recovery.item.return_requested
	//   05-15 09:00 recovery.item.return_approved
	//   custody 1 intake external 嫌疑人处扣押 → 民警张某
	//   custody 2 move   民警张某 → 涉案财物管理中心 ZD-A-04
	//
	// 白色雅迪电动自行车，车筐有划痕 ×1, 电动自行车, 2600.00 yuan — 报失被盗
	//   05-12 09:30 recovery.item.report
	//   05-14 16:00 recovery.item.matched
	//
	// May 2020, 张店分局: recovered 4 items worth 12600.00 yuan; returned 3 worth 5800.00 yuan at 1 return event(s)
	// totals check: true
	// report recovery.value_returned_fen (发还价值) = 580000 fen
	// report recovery.return_events (涉案物品返还会) = 1 场
	// 发还清单 rows: 4 printable: true
	//   鸟笼及笼具: NIBRS 77
	//   鸟类及宠物: NIBRS 73
	//   电动自行车: NIBRS 04
	//   摩托车: NIBRS 24
	// audit chain verified: true
}

func act(s casework.Staff) casework.Actor {
	return casework.Actor{StaffID: s.ID, UnitID: s.UnitID, Roles: s.Roles}
}

func holder(h recovery.Holder) string {
	switch h.Kind {
	case recovery.HolderLocation:
		return h.Name + " " + h.ID
	case recovery.HolderExternal:
		return "external " + h.Name
	}
	return h.Name
}

func describe(svc *recovery.Service, a casework.Actor, id string) string {
	it, err := svc.Get(context.Background(), a, id)
	check(err)
	return it.Description
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
