package outreach

import (
	"context"
	"maps"

	"github.com/grassroots-policing/grassroots/casework"
)

// Totals is the article's outreach table for a unit subtree and a period.
type Totals struct {
	UnitID string `json:"unitId"`
	// Visits counts visits (户次) by target kind; Targets counts the
	// distinct targets visited (处, 家), which is the article's figure for
	// security key sites and struggling enterprises, and only for those
	// kinds (TargetKind.Distinct; the others are 0): a report reads them
	// from roll-up rows that keep each day's distinct targets, which
	// would cost as much as the raw visits for every kind.
	Visits           map[TargetKind]int64 `json:"visits"`
	Targets          map[TargetKind]int64 `json:"targets"`
	HazardsFound     int64                `json:"hazardsFound"`
	HazardsRectified int64                `json:"hazardsRectified"` // times a hazard reached rectified in the period
	// HazardFixesRejected counts fixes a verifier rejected in the period.
	// A rejection never lowers HazardsRectified of the period the fix was
	// counted in: a figure once reported stays.
	HazardFixesRejected int64                 `json:"hazardFixesRejected"`
	DisputesHanded      int64                 `json:"disputesHanded"` // found on visits, handed to mediation
	LeadsCollected      int64                 `json:"leadsCollected"`
	Services            map[ServiceKind]int64 `json:"services"`
	AidVisits           int64                 `json:"aidVisits"` // visits that delivered aid (户次)
	AppointmentsDone    int64                 `json:"appointmentsDone"`
	// AidQuantities sums the counted aid lines per item and unit (1 桶
	// 花生油, 10 斤 大米), in item then unit order.
	AidQuantities []AidQuantity `json:"aidQuantities"`
	// ReferralsMade counts referrals to other agencies recorded in the
	// period, ReferralsClosed those closed in it, and ReferralsClosedBy
	// splits the closed by outcome (every built-in outcome present): the
	// report's "outreach.referrals.*" figures.
	ReferralsMade     int64                     `json:"referralsMade"`
	ReferralsClosed   int64                     `json:"referralsClosed"`
	ReferralsClosedBy map[ReferralOutcome]int64 `json:"referralsClosedBy"`
}

// withReferrals sets the referral figures of the table.
func (t *Totals) withReferrals(r ReferralTally) {
	t.ReferralsMade, t.ReferralsClosed = r.Made, r.Closed
	t.ReferralsClosedBy = map[ReferralOutcome]int64{OutcomeDone: 0, OutcomeDeclined: 0, OutcomeWithdrawn: 0}
	maps.Copy(t.ReferralsClosedBy, r.ClosedBy)
}

// referralTally is the referral part of the table, as the store counted it.
func (t Totals) referralTally() ReferralTally {
	return ReferralTally{Made: t.ReferralsMade, Closed: t.ReferralsClosed}
}

func totalsOf(unitID string, t Tally) Totals {
	out := Totals{UnitID: unitID, Visits: map[TargetKind]int64{}, Targets: map[TargetKind]int64{}, Services: map[ServiceKind]int64{}, AidQuantities: []AidQuantity{},
		HazardsFound: t.HazardsFound, HazardsRectified: t.HazardsRectified, HazardFixesRejected: t.HazardFixesRejected, DisputesHanded: t.DisputesHanded,
		LeadsCollected: t.LeadsCollected, AidVisits: t.AidVisits, AppointmentsDone: t.AppointmentsDone}
	for _, k := range TargetKinds {
		out.Visits[k], out.Targets[k] = t.Visits[k], t.Targets[k]
	}
	for _, k := range ServiceKinds {
		out.Services[k] = t.Services[k]
	}
	return out
}

// Figure returns the article's figure for a target kind: visits (户次), or
// distinct targets for the kinds counted that way.
func (t Totals) Figure(k TargetKind) int64 {
	if k.Distinct() {
		return t.Targets[k]
	}
	return t.Visits[k]
}

// Figures lays the table out as report figures, keyed
// "outreach.visits.<kind>", "outreach.hazards.rectified" and so on, ending
// with the referrals made and closed: the report's outreach figures.
func (t Totals) Figures() []casework.Figure {
	var out []casework.Figure
	for _, k := range TargetKinds {
		c := codeOf(CodesTargetKind, string(k))
		out = append(out, casework.Figure{Key: "outreach.visits." + string(k), LabelZH: c.ZH, LabelEN: c.EN, Value: t.Figure(k), Unit: k.CountUnit()})
	}
	out = append(out,
		casework.Figure{Key: "outreach.hazards.found", LabelZH: "排查安全隐患", LabelEN: "hazards found", Value: t.HazardsFound, Unit: "处"},
		casework.Figure{Key: "outreach.hazards.rectified", LabelZH: "整改安全隐患", LabelEN: "hazards rectified", Value: t.HazardsRectified, Unit: "处"},
		casework.Figure{Key: "outreach.hazards.fix_rejected", LabelZH: "隐患整改验收未通过", LabelEN: "hazard fixes rejected", Value: t.HazardFixesRejected, Unit: "次"},
		casework.Figure{Key: "outreach.disputes.handed", LabelZH: "排查矛盾纠纷移交调解", LabelEN: "disputes handed to mediation", Value: t.DisputesHanded, Unit: "起"},
		casework.Figure{Key: "outreach.leads.collected", LabelZH: "收集案件线索", LabelEN: "leads collected", Value: t.LeadsCollected, Unit: "条"},
	)
	for _, k := range ServiceKinds {
		c := codeOf(CodesServiceKind, string(k))
		out = append(out, casework.Figure{Key: "outreach.services." + string(k), LabelZH: c.ZH, LabelEN: c.EN, Value: t.Services[k], Unit: "次"})
	}
	out = append(out,
		casework.Figure{Key: "outreach.aid.visits", LabelZH: "送去帮扶物资", LabelEN: "visits delivering aid", Value: t.AidVisits, Unit: "户次"},
		casework.Figure{Key: "outreach.appointments.done", LabelZH: "完成预约服务", LabelEN: "appointments done", Value: t.AppointmentsDone, Unit: "次"},
	)
	out = append(out, aidFigures(t.AidQuantities)...)
	return append(out, referralFiguresOf(t.referralTally())...)
}

func codeOf(list, value string) casework.Code {
	for _, l := range codeLists() {
		if l.Name != list {
			continue
		}
		for _, c := range l.Codes {
			if c.Value == value {
				return c
			}
		}
	}
	return casework.Code{Value: value, ZH: value, EN: value}
}

// Totals returns the outreach table for a unit (with its sub-units) and a
// period: the article's figures. Records out of the actor's reach are not
// counted. A campaign's own table is CampaignProgress.
func (s *Service) Totals(ctx context.Context, actor casework.Actor, q casework.ReportQuery) (Totals, error) {
	return casework.TotalsFor(ctx, s.k, actor, q, s.totals)
}

// TotalsByUnit is Totals for the queried unit and for each unit directly
// below it, each over its own subtree (casework.ByChildUnit): one row per
// sub-unit of the article's table.
func (s *Service) TotalsByUnit(ctx context.Context, actor casework.Actor, q casework.ReportQuery) ([]casework.UnitRow[Totals], error) {
	rows, err := casework.ByChildUnit(ctx, s.k, actor, q, s.totalsGrid)
	for i := range rows {
		rows[i].Totals.UnitID = rows[i].Unit.ID
	}
	return rows, err
}

// totalsGrid is the table of every cell of a grid, from grouped queries
// (Store.TallyGrid, AidGrid and TallyReferralsGrid).
func (s *Service) totalsGrid(ctx context.Context, g casework.Grid) ([]Totals, error) {
	cells, err := s.store.TallyGrid(ctx, g)
	if err != nil {
		return nil, err
	}
	aid, err := s.store.AidGrid(ctx, g)
	if err != nil {
		return nil, err
	}
	referrals, err := s.store.TallyReferralsGrid(ctx, g)
	if err != nil {
		return nil, err
	}
	out := make([]Totals, len(cells))
	for i, t := range cells {
		out[i] = totalsOf("", t)
		out[i].AidQuantities = sumAidGroups(s.k.Codes(), aid[i])
		out[i].withReferrals(referrals[i])
	}
	return out, nil
}

func (s *Service) totals(ctx context.Context, p casework.Period) (Totals, error) {
	f := TallyFilter{UnitUnder: p.UnitPath, From: p.Start, To: p.End}
	t, err := s.store.Tally(ctx, f)
	if err != nil {
		return Totals{}, err
	}
	out := totalsOf(p.UnitID, t)
	if out.AidQuantities, err = s.aidQuantities(ctx, f); err != nil {
		return Totals{}, err
	}
	r, err := s.store.TallyReferrals(ctx, f)
	if err != nil {
		return Totals{}, err
	}
	out.withReferrals(r)
	return out, nil
}

// Figures implements casework.FigureSource: the kernel's Report has already
// checked the actor and resolved the period to the actor's reach.
func (s *Service) Figures(ctx context.Context, p casework.Period) ([]casework.Figure, error) {
	t, err := s.totals(ctx, p)
	if err != nil {
		return nil, err
	}
	return t.Figures(), nil
}

// GridFigures implements casework.FigureSource: Figures of every cell of a
// series or by-unit table from grouped queries (Store.TallyGrid, AidGrid
// and TallyReferralsGrid), the same figures Figures gives each cell.
func (s *Service) GridFigures(ctx context.Context, g casework.Grid) ([][]casework.Figure, error) {
	cells, err := s.totalsGrid(ctx, g)
	if err != nil {
		return nil, err
	}
	out := make([][]casework.Figure, len(cells))
	for i, t := range cells {
		out[i] = t.Figures()
	}
	return out, nil
}
