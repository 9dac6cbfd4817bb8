package main

import (
	"fmt"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/grassroots-policing/grassroots/recovery"
)

// caseFate is a case before it is written: where and when it was
// reported, whether it was filed, when it was solved and whom the arrest
// caught, and what was stolen.
type caseFate struct {
	st       *station
	reported time.Time
	filed    bool
	solved   time.Time  // zero: not solved
	suspect  *personRef // nil: a resident of the station
	dropped  bool
	items    []itemFate
}

// itemFate is a stolen item: recovered at the arrest or not, and returned
// at returned (zero: not returned), at a return event when event is set.
type itemFate struct {
	category string
	value    int64
	recover  bool
	returned time.Time
	event    *eventPlan
}

// eventPlan is a return event (涉案物品返还会) of a branch: held at held,
// with the returns that hand items back at it.
type eventPlan struct {
	id      string
	branch  int
	held    time.Time
	created time.Time
	returns []string
	items   []string
}

var caseKinds = []struct {
	kind, mo string
	weight   int
}{
	{cases.KindTheft, "趁无人看管顺手牵羊", 45}, {cases.KindBurglary, "撬锁入室", 15}, {cases.KindPickpocketing, "公交车上扒窃", 10},
	{cases.KindVehicleTheft, "剪断车锁盗走电动车", 20}, {cases.KindFraud, "冒充客服退款诈骗", 10},
}

var categories = []struct {
	code, desc string
	lo, hi     int64 // value range, fen
}{
	{"e_bike", "电动自行车", 150_000, 400_000}, {"mobile_phone", "手机", 80_000, 600_000}, {"cash", "现金", 20_000, 500_000},
	{"bicycle", "自行车", 20_000, 80_000}, {"motorcycle", "摩托车", 300_000, 900_000}, {"jewellery", "金项链", 100_000, 1_000_000},
	{"tobacco", "香烟", 20_000, 200_000}, {"tools", "电动工具", 10_000, 100_000}, {"cage", "鸟笼", 30_000, 200_000},
	{"food_grain", "方便面", 2_000, 20_000},
}

// randomItem is a stolen item of a random category and value.
func (g *gen) randomItem() itemFate {
	c := g.rng.IntN(len(categories))
	return itemFate{category: categories[c].code, value: categories[c].lo + g.rng.Int64N(categories[c].hi-categories[c].lo)}
}

func describe(code string) string {
	for _, c := range categories {
		if c.code == code {
			return c.desc
		}
	}
	return code
}

// writeCase writes a case, its stolen items with their custody and their
// returns, as the services leave them after each step: reported, filed
// (a number of the filing unit and year), solved by an arrest that traced
// the items, the items recovered into a custodian's hands, identified and
// handed back to their owner.
func (g *gen) writeCase(f caseFate) error {
	ctx, st, t := g.ctx, f.st, f.reported
	by := g.officer(st)
	victim := pick(g, st.persons)
	k, r := 0, g.rng.IntN(100)
	for r >= caseKinds[k].weight && k < len(caseKinds)-1 {
		r -= caseKinds[k].weight
		k++
	}
	kind := caseKinds[k]
	x := cases.Case{ID: g.id("c"), UnitID: st.unit.ID, Kind: kind.kind, State: cases.StateReported, Summary: "群众报警称财物被盗",
		IncidentAt: t.Add(-time.Duration(1+g.rng.IntN(12*60)) * time.Minute), Place: st.short + "辖区", ReporterID: victim.id,
		VictimIDs: []string{victim.id}, ModusOperandi: kind.mo, ReportedAt: t, ReportedBy: by.StaffID, Version: 1, CreatedAt: t, UpdatedAt: t}
	move := func(to cases.State, at time.Time, action casework.Action) {
		x.History = append(x.History, cases.Transition{From: string(x.State), To: string(to), At: at, ActorID: by.StaffID, Action: string(action)})
		if len(x.History) == 1 {
			x.History[0].From = ""
		}
		x.State, x.UpdatedAt = to, at
		x.Version = int64(len(x.History))
		g.seen(at)
	}
	move(cases.StateReported, t, cases.ActionReport)
	g.truth.count(st.unit.ID, cases.FigureCasesReported, t, 0)
	for _, it := range f.items {
		x.Items = append(x.Items, cases.Item{ItemID: g.id("i"), Category: it.category, Description: describe(it.category), Quantity: 1,
			ValueFen: it.value, OwnerPersonID: victim.id})
	}
	if len(x.Items) > 0 {
		// The report handed its stolen items to recovery (one batch).
		// RegisterStolen answers with the case's id.
		x.Handoffs = []cases.Handoff{{Kind: casework.KindStolenItems, Step: "stolen", ResultID: x.ID, At: t}}
	}
	var arrest *cases.Arrest
	if f.filed {
		filed := t.Add(time.Duration(10+g.rng.IntN(110)) * time.Minute)
		year := filed.In(g.zone).Year()
		key := counterKey{st.unit.ID, year}
		g.counters[key]++
		x.Number = fmt.Sprintf("%s-%d-%06d", st.unit.Code, year, g.counters[key])
		x.Dispatch = &cases.DispatchStep{At: filed, Officers: []string{by.StaffID}, FiledBy: by.StaffID, RecordedAt: filed}
		x.FiledAt = filed
		move(cases.StateFiled, filed, cases.ActionDispatchFile)
		g.truth.count(st.unit.ID, cases.FigureCasesFiled, filed, 0)
		switch {
		case !f.solved.IsZero():
			suspect := f.suspect
			if suspect == nil {
				p := pick(g, st.persons)
				suspect = &p
			}
			a := cases.Arrest{ID: g.id("a"), SuspectID: suspect.id, At: f.solved, Place: st.short + "辖区", By: by.StaffID, RecordedAt: f.solved}
			for i, it := range f.items {
				if it.recover {
					a.ItemIDs = append(a.ItemIDs, x.Items[i].ItemID)
					x.Items[i].TracedBy = []string{a.ID}
				}
			}
			x.SuspectIDs, x.Arrests, x.SolvedAt = []string{suspect.id}, []cases.Arrest{a}, f.solved
			move(cases.StateSolved, f.solved, cases.ActionArrest)
			g.truth.count(st.unit.ID, cases.FigureCasesSolved, f.solved, 0)
			g.truth.count(st.unit.ID, cases.FigureCasesPeopleArrested, f.solved, personNumber(suspect.id))
			arrest = &a
		case f.dropped:
			at := g.after(filed, 20, 40)
			if at.Before(g.end) {
				x.Drop = &cases.Drop{Kind: cases.DropWithdrawn, Reason: "经查不构成刑事案件", SupervisorID: st.supervisor.StaffID, At: at}
				x.DroppedAt = at
				move(cases.StateDropped, at, cases.ActionDrop)
			}
		}
	}
	outboxID := ""
	if len(x.Handoffs) > 0 {
		outboxID = g.id("o")
	}
	if err := g.wr.caseRow(ctx, by, x, outboxID); err != nil {
		return err
	}
	g.sampled("case."+string(x.State), x.ID)
	for i, it := range f.items {
		if err := g.item(st, by, x, x.Items[i], it, arrest); err != nil {
			return err
		}
	}
	return nil
}

// personNumber is the number in a generated person id, what the truth
// counts people arrested by.
func personNumber(id string) int64 {
	var n int64
	fmt.Sscanf(id, "p-%d", &n)
	return n
}

// item writes a case's stolen item as the case's hand-off creates it
// (reported stolen), then recovered at the arrest into the branch
// custodian's hands, identified, and returned to its owner.
func (g *gen) item(st *station, by casework.Actor, x cases.Case, ci cases.Item, f itemFate, arrest *cases.Arrest) error {
	ctx := g.ctx
	it := recovery.Item{ID: ci.ItemID, UnitID: st.unit.ID, CaseID: x.ID, Origin: recovery.OriginReported, Category: ci.Category,
		Description: ci.Description, Quantity: 1, ValueFen: ci.ValueFen, OwnerPersonID: ci.OwnerPersonID, State: recovery.StateReportedStolen,
		StolenAt: x.IncidentAt, StolenPlace: x.Place, Source: casework.Source{Kind: cases.RecordCase, ID: x.ID, Step: "stolen"},
		Version: 1, CreatedAt: x.ReportedAt, UpdatedAt: x.ReportedAt}
	var custody []recovery.CustodyEntry
	keeper := g.custody[st.branch]
	var ret *recovery.Return
	if f.recover && arrest != nil {
		at := arrest.At
		it.Traces = []recovery.Trace{{CaseID: x.ID, ArrestID: arrest.ID, At: at}}
		it.State, it.RecoveredAt, it.RecoveredPlace, it.CustodySeq = recovery.StateRecovered, at, x.Place, 1
		it.Holder = recovery.Holder{Kind: recovery.HolderStaff, ID: keeper.StaffID, Name: "涉案财物管理员"}
		custody = append(custody, recovery.CustodyEntry{ItemID: it.ID, Seq: 1, Kind: recovery.EntryIntake,
			From: recovery.Holder{Kind: recovery.HolderExternal, Name: "犯罪嫌疑人"}, To: it.Holder, ActorID: by.StaffID, UnitID: st.unit.ID,
			At: at, Reason: "抓获嫌疑人时追缴", Condition: "完好", Seal: recovery.SealIntact, SealNumber: "F" + it.ID, CreatedAt: at})
		it.Version, it.UpdatedAt = 3, at
		g.truth.count(st.unit.ID, recovery.FigureItemsRecovered, at, 0)
		g.truth.sum(st.unit.ID, recovery.FigureValueRecoveredFen, at, it.ValueFen)
		identified := at.Add(24 * time.Hour)
		if identified.Before(g.end) {
			it.State, it.IdentifiedAt, it.Version, it.UpdatedAt = recovery.StateIdentified, identified, 4, identified
		}
		if r := f.returned; !r.IsZero() && r.Before(g.end) {
			ret = &recovery.Return{ID: g.id("r"), UnitID: st.unit.ID, ItemID: it.ID, CaseID: x.ID, State: recovery.ReturnCompleted,
				OwnerPersonID: it.OwnerPersonID, RecipientPersonID: it.OwnerPersonID, RequestedBy: by.StaffID,
				RequestedAt: identified.Add(time.Hour), DecidedBy: st.supervisor.StaffID, DecidedAt: identified.Add(2 * time.Hour),
				CompletedBy: by.StaffID, CompletedAt: r, IdentityChecked: true, Version: 3, CreatedAt: identified.Add(time.Hour), UpdatedAt: r}
			if f.event != nil {
				ret.EventID = f.event.id
				f.event.returns = append(f.event.returns, ret.ID)
				f.event.items = append(f.event.items, it.ID)
				if f.event.created.IsZero() || ret.DecidedAt.Before(f.event.created) {
					f.event.created = ret.DecidedAt
				}
			}
			owner := recovery.Holder{Kind: recovery.HolderPerson, ID: it.OwnerPersonID}
			custody = append(custody, recovery.CustodyEntry{ItemID: it.ID, Seq: 2, Kind: recovery.EntryReturn, From: it.Holder, To: owner,
				ActorID: by.StaffID, UnitID: st.unit.ID, At: r, Reason: "发还失主", Condition: "完好", Seal: recovery.SealOpened, CreatedAt: r})
			it.State, it.ReturnedAt, it.ReturnID, it.Holder, it.CustodySeq, it.Version, it.UpdatedAt = recovery.StateReturned, r, ret.ID, owner, 2, 7, r
			g.truth.count(st.unit.ID, recovery.FigureItemsReturned, r, 0)
			g.truth.sum(st.unit.ID, recovery.FigureValueReturnedFen, r, it.ValueFen)
			g.seen(r)
		}
	}
	if err := g.wr.item(ctx, by, it, custody); err != nil {
		return err
	}
	if ret != nil {
		g.sampled("item.returned", it.ID)
		return g.wr.returnRow(ctx, by, *ret)
	}
	return nil
}

// writeEvents writes the return events once every return is known, each
// held with all its returns handed over.
func (g *gen) writeEvents(events []*eventPlan) error {
	for _, e := range events {
		if len(e.returns) == 0 {
			continue
		}
		b := g.branches[e.branch]
		keeper := g.custody[e.branch]
		ev := recovery.Event{ID: e.id, UnitID: b.ID, Name: b.Name + "涉案物品返还会", Date: g.localDay(e.held), Place: b.Name + "会议室",
			State: recovery.EventHeld, ReturnIDs: e.returns, CreatedBy: keeper.StaffID, HeldBy: keeper.StaffID, HeldAt: e.held,
			Version: 2, CreatedAt: e.created, UpdatedAt: e.held}
		for i, r := range e.returns {
			ev.Results = append(ev.Results, recovery.EventResult{ReturnID: r, ItemID: e.items[i], Returned: true})
		}
		g.truth.count(b.ID, recovery.FigureReturnEvents, e.held, 0)
		if err := g.wr.event(g.ctx, keeper, ev); err != nil {
			return err
		}
	}
	return nil
}
