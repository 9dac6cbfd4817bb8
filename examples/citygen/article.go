package main

import (
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/grassroots-policing/grassroots/recovery"
)

// The article (大众日报, autumn 2020) gives its figures for three periods,
// and says which: "活动部署以来" (since the campaign was deployed), "今年前9个
// 月" (the first nine months of the year) and "2020年以来" (since 2020). It
// names no dates for the campaign or for itself; the generator takes the
// campaign as deployed on 1 April 2020 and the article as written at the
// end of October 2020 (the bird cage of 12 May falls inside the campaign).

// ArticlePeriod is one of the article's periods and the figures it gives
// for it.
type ArticlePeriod struct {
	Name    string          `json:"name"` // the article's words for the period
	From    time.Time       `json:"from"` // first local day
	To      time.Time       `json:"to"`   // last local day
	Figures []ArticleFigure `json:"figures"`
}

// ArticleFigure is one of the article's figures: the report's key and the
// value the -article city's report prints for it, and the article's words.
// "余" (more than) figures are generated just above the round number.
type ArticleFigure struct {
	Key   string `json:"key"`
	Value int64  `json:"value"`
	Says  string `json:"says"`
}

// FigureReportedChange is the year-on-year change of cases reported, in
// permille (cases.Totals Change.Permille["reported"]): the article's
// "刑事发案同比下降50%".
const FigureReportedChange = "cases.reported.change_permille"

func articleFrom(zone *time.Location) time.Time { return time.Date(2019, 1, 1, 0, 0, 0, 0, zone) }
func articleEnd(zone *time.Location) time.Time  { return time.Date(2020, 11, 1, 0, 0, 0, 0, zone) }

// The returned values: ¥3,024,688.00 in the first nine months and
// ¥11,036,500.00 since 2020 (the rest handed back in October).
const (
	returnedNineMonthsFen = 302_468_800
	returnedSince2020Fen  = 1_103_650_000
)

// ArticlePeriods are the article's figures by period, in zone.
func ArticlePeriods(zone *time.Location) []ArticlePeriod {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, zone) }
	return []ArticlePeriod{{
		Name: "“百万警进千万家”活动部署以来（2020-04-01至2020-10-31）", From: day(2020, 4, 1), To: day(2020, 10, 31),
		Figures: []ArticleFigure{
			{"outreach.visits." + string(outreach.DifficultFamily), 137_435, "入户走访困难家庭137435户次"},
			{"outreach.visits." + string(outreach.KeyPersonFamily), 1_866, "重点人员家庭1866户次"},
			{"outreach.visits." + string(outreach.SpecialPersonFamily), 1_602, "特殊人员家庭1602户次"},
			{"outreach.visits." + string(outreach.SecurityKeySite), 3_292, "治安防范重点部位3292处"},
			{"outreach.visits." + string(outreach.StrugglingEnterprise), 408, "经营困难企业408家"},
			{"mediation.disputes.settled", 826, "排查化解矛盾纠纷826起"},
			{"outreach.hazards.found", 2_770, "排查安全隐患2770处"},
			{"outreach.hazards.rectified", 2_770, "整改安全隐患2770处"},
			{"outreach.leads.collected", 384, "收集各类案件线索384条"},
			{cases.FigureCasesLeadsCollected, 384, "（线索移交刑侦后登记384条）"},
		},
	}, {
		Name: "今年前9个月（2020-01-01至2020-09-30，同比2019-01-01至2019-09-30）", From: day(2020, 1, 1), To: day(2020, 9, 30),
		Figures: []ArticleFigure{
			{cases.FigureCasesSolved, 6_400, "破获传统侵财“小案”6400余起"},
			{cases.FigureCasesPeopleArrested, 2_200, "抓获违法犯罪人员2200余人"},
			{cases.FigureCasesClearanceRate, 687, "“小案”刑事案件破案率高达68.7%"},
			{FigureReportedChange, -500, "刑事发案同比下降50%"},
			{recovery.FigureValueReturnedFen, returnedNineMonthsFen, "返还群众涉案财物300余万元"},
		},
	}, {
		Name: "2020年以来（2020-01-01至2020-10-31）", From: day(2020, 1, 1), To: day(2020, 10, 31),
		Figures: []ArticleFigure{
			{recovery.FigureReturnEvents, 61, "召开涉案物品返还会60余场"},
			{recovery.FigureValueReturnedFen, returnedSince2020Fen, "财物总价值1100余万元"},
		},
	}}
}

// The case numbers behind the nine months' figures: 6,400 solved of 9,316
// filed is 68.7% (687‰), and 9,316 reported against 18,632 a year earlier
// is down 50%.
const (
	filedNineMonths  = 9_316
	solvedNineMonths = 6_400
	peopleNineMonths = 2_200
	reportedYearAgo  = 18_632
)

// article builds the article's city: the campaign's outreach and
// mediation, the two years' small cases, the returns and return events.
func (g *gen) article() ([]ArticlePeriod, error) {
	periods := ArticlePeriods(g.zone)
	campaign := periods[0]
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, g.zone) }
	if err := g.residents(20_000, day(2018, 12, 25)); err != nil {
		return nil, err
	}
	if err := g.articleOutreach(campaign.From, campaign.To.AddDate(0, 0, 1)); err != nil {
		return nil, err
	}
	if err := g.articleCases(day); err != nil {
		return nil, err
	}
	return periods, nil
}

// articleOutreach: the campaign's visits with exactly the article's counts,
// 2,770 hazards found and fixed inside it, 384 leads, and 826 disputes
// settled.
func (g *gen) articleOutreach(from, to time.Time) error {
	var plan []plannedVisit
	add := func(kind outreach.TargetKind, visits, distinct int) {
		times := g.spread(visits, from, to, 8, 20)
		targets := make([]int, visits)
		for i := range targets {
			targets[i] = -1
			if distinct > 0 {
				targets[i] = i
				if i >= distinct {
					targets[i] = g.rng.IntN(distinct)
				}
			}
		}
		g.rng.Shuffle(len(targets), func(i, j int) { targets[i], targets[j] = targets[j], targets[i] })
		for i, t := range times {
			plan = append(plan, plannedVisit{at: t, kind: kind, target: targets[i]})
		}
	}
	add(outreach.DifficultFamily, 137_435, 0)
	add(outreach.KeyPersonFamily, 1_866, 0)
	add(outreach.SpecialPersonFamily, 1_602, 0)
	add(outreach.SecurityKeySite, 3_292+700, 3_292)
	add(outreach.StrugglingEnterprise, 408+150, 408)
	sortVisits(plan)
	lastFound := to.AddDate(0, 0, -27) // a fix takes at most 26 days: every one lands in the campaign
	for _, i := range g.sample(len(plan), 2_770, func(i int) bool { return plan[i].at.Before(lastFound) }) {
		plan[i].hazard = true
	}
	for _, i := range g.sample(len(plan), 384, nil) {
		plan[i].lead = true
	}
	for _, i := range g.sample(len(plan), 300, nil) {
		plan[i].dispute = true
	}
	// Disputes: 300 found on visits and 900 walk-ins; 826 of those that can
	// settle before the campaign ends do.
	walkIns := g.spread(900, from, to, 8, 22)
	var reported []time.Time
	for _, pv := range plan {
		if pv.dispute {
			reported = append(reported, pv.at)
		}
	}
	reported = append(reported, walkIns...)
	lastSettle := to.AddDate(0, 0, -23) // accepted within 2 days, settled within 20 more
	settle := map[int]bool{}
	for _, i := range g.sample(len(reported), 826, func(i int) bool { return reported[i].Before(lastSettle) }) {
		settle[i] = true
	}
	fates := make([]disputeFate, len(reported))
	for i, t := range reported {
		f := disputeFate{accepted: g.after(t, 0, 2)}
		switch {
		case settle[i]:
			f.settled = g.after(f.accepted, 1, 20)
		case g.rng.IntN(3) == 0:
			f.failed = g.after(f.accepted, 3, 30)
		}
		// Nothing settles in the campaign but the 826.
		if !settle[i] {
			f.settled = time.Time{}
		}
		fates[i] = f.cut(g.end)
	}
	next := 0
	fate := func(time.Time) disputeFate { next++; return fates[next-1] }
	if err := g.writeVisits(plan, map[orgKey]*station{}, fate); err != nil {
		return err
	}
	for _, t := range walkIns {
		if err := g.dispute(g.pickStation(), g.id("d"), t, "walk_in", nil, nil, fate(t)); err != nil {
			return err
		}
	}
	return nil
}

// articleCases: 18,632 small cases in the first nine months of 2019;
// 9,316 in those of 2020, 6,400 of them solved by arresting 2,200 people;
// 1,600 of the recovered items handed back at 61 return events or one by
// one, for exactly the article's values.
func (g *gen) articleCases(day func(int, time.Month, int) time.Time) error {
	// 2019: filed, six in ten solved, nothing returned.
	for _, t := range g.spread(reportedYearAgo, day(2019, 1, 1), day(2019, 10, 1), 0, 22) {
		f := caseFate{st: g.pickStation(), reported: t, filed: true, items: []itemFate{g.randomItem()}}
		if g.rng.IntN(10) < 6 {
			f.solved = g.after(t, 1, 30)
		}
		if err := g.writeCase(f); err != nil {
			return err
		}
	}
	// The return events: six a month from January to October and a
	// seventh in October, on the 20th, each branch in turn.
	var events []*eventPlan
	for m := time.January; m <= time.October; m++ {
		n := 6
		if m == time.October {
			n = 7
		}
		for range n {
			events = append(events, &eventPlan{id: g.id("e"), branch: len(events) % len(ziboBranches),
				held: time.Date(2020, m, 20, 9, 30, 0, 0, g.zone)})
		}
	}
	var nineEvents, octEvents []*eventPlan
	for _, e := range events {
		if e.held.Month() == time.October {
			octEvents = append(octEvents, e)
		} else {
			nineEvents = append(nineEvents, e)
		}
	}
	// The returned items: 1,200 in the nine months, 400 in October.
	returns := append(g.returnPlan(1_200, nineEvents, 300, day(2020, 2, 1), day(2020, 10, 1), returnedNineMonthsFen, false),
		g.returnPlan(400, octEvents, 150, day(2020, 10, 1), day(2020, 11, 1), returnedSince2020Fen-returnedNineMonthsFen, true)...)
	// The 2020 cases: those of the returns first, then the rest, up to
	// 9,316 reported and filed; 6,400 solved in all.
	var fates []caseFate
	for _, r := range returns {
		st := g.stationOf(r.event)
		reported := r.returned.AddDate(0, 0, -(7 + g.rng.IntN(30)))
		if r.returned.Month() == time.October {
			reported = g.spread(1, day(2020, 8, 1), day(2020, 9, 20), 0, 22)[0]
		}
		if reported.Before(day(2020, 1, 1)) {
			reported = day(2020, 1, 1).Add(time.Duration(g.rng.IntN(22*3600)) * time.Second)
		}
		solved := g.after(reported, 1, 4)
		fates = append(fates, caseFate{st: st, reported: reported, filed: true, solved: solved,
			items: []itemFate{{category: r.category, value: r.value, recover: true, returned: r.returned, event: r.event}}})
	}
	// Reported by 22:00, so that filing (within two hours) is the same day.
	rest := g.spread(filedNineMonths-len(fates), day(2020, 1, 1), day(2020, 10, 1), 0, 22)
	toSolve := map[int]bool{}
	lastSolvable := day(2020, 9, 25) // solved within 5 days: inside the nine months
	for _, i := range g.sample(len(rest), solvedNineMonths-len(fates), func(i int) bool { return rest[i].Before(lastSolvable) }) {
		toSolve[i] = true
	}
	for i, t := range rest {
		f := caseFate{st: g.pickStation(), reported: t, filed: true, items: []itemFate{g.randomItem()}}
		if toSolve[i] {
			f.solved = g.after(t, 1, 4)
			f.items[0].recover = g.rng.IntN(2) == 0
		}
		fates = append(fates, f)
	}
	// 2,200 people caught: every solved case's arrest takes one of them,
	// each at least once.
	suspects := make([]personRef, peopleNineMonths)
	for i := range suspects {
		st := g.pickStation()
		p, err := g.person(st, g.persons, []casework.Tag{casework.TagKeyPerson}, day(2019, 12, 31))
		if err != nil {
			return err
		}
		g.persons++
		suspects[i] = p
	}
	solvedAt := 0
	for _, i := range g.sample(len(fates), len(fates), nil) {
		if fates[i].solved.IsZero() {
			continue
		}
		fates[i].suspect = &suspects[solvedAt%len(suspects)]
		solvedAt++
	}
	sortFates(fates)
	for _, f := range fates {
		if err := g.writeCase(f); err != nil {
			return err
		}
	}
	return g.writeEvents(events)
}

// plannedReturn is an item to hand back: when, at which event (nil: one
// by one), what and worth how much.
type plannedReturn struct {
	returned time.Time
	event    *eventPlan
	category string
	value    int64
}

// returnPlan plans n returns worth exactly totalFen: one at each event
// first, extra more at random events, the rest one by one between from and
// to. Values are drawn by category and scaled to the total (the remainder
// in whole fen to the first items); big ones are vehicles.
func (g *gen) returnPlan(n int, events []*eventPlan, extra int, from, to time.Time, totalFen int64, big bool) []plannedReturn {
	out := make([]plannedReturn, n)
	alone := g.spread(n, from, to, 9, 17)
	for i := range out {
		switch {
		case i < len(events):
			out[i].event = events[i]
		case i < len(events)+extra:
			out[i].event = pick(g, events)
		}
		if out[i].event != nil {
			out[i].returned = out[i].event.held
		} else {
			out[i].returned = alone[i]
		}
		it := g.randomItem()
		if big {
			it = itemFate{category: "motorcycle", value: 300_000 + g.rng.Int64N(600_000)}
			if g.rng.IntN(5) == 0 {
				it = itemFate{category: "e_bike", value: 150_000 + g.rng.Int64N(250_000)}
			}
		}
		out[i].category, out[i].value = it.category, it.value
	}
	var raw int64
	for _, r := range out {
		raw += r.value
	}
	var sum int64
	for i := range out {
		out[i].value = out[i].value * totalFen / raw
		sum += out[i].value
	}
	for i := 0; sum < totalFen; i = (i + 1) % n {
		out[i].value++
		sum++
	}
	return out
}

// stationOf is a station of the event's branch, or any station.
func (g *gen) stationOf(e *eventPlan) *station {
	if e == nil {
		return g.pickStation()
	}
	var in []*station
	for _, st := range g.stations {
		if st.branch == e.branch {
			in = append(in, st)
		}
	}
	return pick(g, in)
}
