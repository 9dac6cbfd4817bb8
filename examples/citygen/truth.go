package main

import (
	"encoding/json"
	"io"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/grassroots-policing/grassroots/recovery"
)

// Truth is the generator's own account of what it generated, kept while
// generating and never read back from the store: one counted event per
// figure occurrence (a visit, a settlement, an arrest …) with its unit, its
// time and, for the figures that count distinct things (key sites visited,
// people arrested), what it counts. Figures computes every figure of the
// kernel's report from it for any unit subtree and period.
type Truth struct {
	Units  []TruthUnit
	events []event
	unitOf map[string]int32
}

// TruthUnit is one unit of the generated tree.
type TruthUnit struct {
	ID   string `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
	Path string `json:"path"`
}

type event struct {
	unit  int32
	key   int16 // index into figureKeys
	at    int64 // UTC microseconds
	what  int64 // distinct counts: what is counted (a target, a person); value sums: the value
	count bool  // false: what is a value to sum into the key's value figure
}

// familyAid is what a difficult family's visit brings when it brings aid.
var familyAid = []outreach.Aid{{Item: "花生油", Quantity: 1, Unit: "桶"}, {Item: "大米", Quantity: 10, Unit: "斤"}}

// aidKey is the report's figure key for the quantity of an aid line.
func aidKey(a outreach.Aid) string { return "outreach.aid.quantity." + a.Unit + "." + a.Item }

// The figure keys the truth counts, in the report's order.
var figureKeys = func() []string {
	var ks []string
	for _, k := range outreach.TargetKinds {
		ks = append(ks, "outreach.visits."+string(k))
	}
	ks = append(ks, "outreach.hazards.found", "outreach.hazards.rectified", "outreach.hazards.fix_rejected",
		"outreach.disputes.handed", "outreach.leads.collected")
	for _, k := range outreach.ServiceKinds {
		ks = append(ks, "outreach.services."+string(k))
	}
	for _, a := range familyAid {
		ks = append(ks, aidKey(a))
	}
	ks = append(ks, "outreach.referrals.made", "outreach.referrals.closed")
	// Nor reopenings, a supervisor's correction: their figures are 0.
	ks = append(ks, mediation.FigureReopened, cases.FigureCasesReopened)
	ks = append(ks, "outreach.aid.visits", "outreach.appointments.done",
		"mediation.disputes.found", "mediation.disputes.accepted", "mediation.disputes.settled", "mediation.disputes.failed",
		"mediation.disputes.referred",
		cases.FigureCasesReported, cases.FigureCasesFiled, cases.FigureCasesSolved, cases.FigureCasesPeopleArrested,
		cases.FigureCasesLeadsCollected,
		recovery.FigureItemsRecovered, recovery.FigureValueRecoveredFen, recovery.FigureItemsReturned, recovery.FigureValueReturnedFen,
		recovery.FigureReturnEvents, recovery.FigureItemsUnclaimed, recovery.FigureItemsDisposed, recovery.FigureDisposalProceedsFen)
	return ks
}()

var keyIndex = func() map[string]int16 {
	m := map[string]int16{}
	for i, k := range figureKeys {
		m[k] = int16(i)
	}
	return m
}()

// The keys whose figure is a count of distinct things, not of events.
var distinctKeys = map[string]bool{
	"outreach.visits." + string(outreach.SecurityKeySite):      true,
	"outreach.visits." + string(outreach.StrugglingEnterprise): true,
	cases.FigureCasesPeopleArrested:                            true,
}

func newTruth() *Truth { return &Truth{unitOf: map[string]int32{}} }

func (t *Truth) addUnit(u casework.Unit) {
	t.unitOf[u.ID] = int32(len(t.Units))
	t.Units = append(t.Units, TruthUnit{ID: u.ID, Code: u.Code, Name: u.Name, Path: u.Path})
}

// count records one occurrence of a counted figure; what names the
// distinct thing for the distinct figures (0 otherwise).
func (t *Truth) count(unitID, key string, at time.Time, what int64) {
	k, ok := keyIndex[key]
	if !ok {
		panic("citygen: unknown figure key " + key) // a programming error in the generator, caught by its tests
	}
	t.events = append(t.events, event{unit: t.unitOf[unitID], key: k, at: at.UnixMicro(), what: what, count: true})
}

// sum adds value to a value figure (fen) at a time.
func (t *Truth) sum(unitID, key string, at time.Time, value int64) {
	t.events = append(t.events, event{unit: t.unitOf[unitID], key: keyIndex[key], at: at.UnixMicro(), what: value})
}

// Figures is every figure of the kernel's report for the subtree of unit
// path and the period [start, end), keyed as the report keys them: the
// rates computed by the workflows' own functions, the clearance rate left
// out when nothing was filed, as the report does.
func (t *Truth) Figures(path string, start, end time.Time) map[string]int64 {
	in := make([]bool, len(t.Units))
	for i, u := range t.Units {
		in[i] = casework.Contains(path, u.Path)
	}
	lo, hi := start.UnixMicro(), end.UnixMicro()
	out := map[string]int64{}
	for _, k := range figureKeys {
		out[k] = 0
	}
	distinct := map[int16]map[int64]bool{}
	for _, e := range t.events {
		if e.at < lo || e.at >= hi || !in[e.unit] {
			continue
		}
		key := figureKeys[e.key]
		switch {
		case !e.count:
			out[key] += e.what
		case distinctKeys[key]:
			if distinct[e.key] == nil {
				distinct[e.key] = map[int64]bool{}
			}
			distinct[e.key][e.what] = true
		default:
			out[key]++
		}
	}
	for k, set := range distinct {
		out[figureKeys[k]] = int64(len(set))
	}
	for _, a := range familyAid {
		if out[aidKey(a)] == 0 {
			delete(out, aidKey(a)) // the report has a figure only for aid delivered in the period
		}
	}
	out["mediation.settlement_rate"] = mediation.SettlementRate(out["mediation.disputes.settled"], out["mediation.disputes.found"])
	if rate, ok := cases.ClearanceRate(out[cases.FigureCasesSolved], out[cases.FigureCasesFiled]); ok {
		out[cases.FigureCasesClearanceRate] = rate
	}
	return out
}

// dayCounts is the truth's JSON form: for each unit with events, each
// local day and each figure key, the day's figure (distinct figures
// counted within the day).
type dayCounts struct {
	Zone    string                                 `json:"zone"`
	Article []ArticlePeriod                        `json:"article,omitempty"` // the article's figures by period (-article)
	Units   []TruthUnit                            `json:"units"`
	Days    map[string]map[string]map[string]int64 `json:"days"` // unit code → date → key → value
}

// WriteJSON writes the per-unit, per-day, per-key counts, and the
// article's periods when given.
func (t *Truth) WriteJSON(w io.Writer, zone *time.Location, article []ArticlePeriod) error {
	out := dayCounts{Zone: zone.String(), Article: article, Units: t.Units, Days: map[string]map[string]map[string]int64{}}
	seen := map[[4]int64]bool{}
	for _, e := range t.events {
		code := t.Units[e.unit].Code
		day := time.UnixMicro(e.at).In(zone).Format(time.DateOnly)
		key := figureKeys[e.key]
		byDay := out.Days[code]
		if byDay == nil {
			byDay = map[string]map[string]int64{}
			out.Days[code] = byDay
		}
		byKey := byDay[day]
		if byKey == nil {
			byKey = map[string]int64{}
			byDay[day] = byKey
		}
		switch {
		case !e.count:
			byKey[key] += e.what
		case distinctKeys[key]:
			d := time.UnixMicro(e.at).In(zone)
			id := [4]int64{int64(e.unit), int64(e.key), int64(d.Year()*10000 + int(d.Month())*100 + d.Day()), e.what}
			if !seen[id] {
				seen[id] = true
				byKey[key]++
			}
		default:
			byKey[key]++
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(out) // encoding/json writes map keys sorted: the same data gives the same bytes
}
