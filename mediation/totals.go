package mediation

import (
	"context"
	"errors"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Totals is one row of the mediation totals: counts of a group over a
// period (see TotalsRow for what each counts) and the settlement rate.
type Totals struct {
	TotalsRow
	Label string `json:"label"` // Chinese label of the key (category, state, unit name)
	// SettlementRate is Settled ÷ Found in permille, rounded half up (0
	// when nothing was found). Both count by event date, so like the
	// clearance rate it can exceed 1000 when older disputes settle.
	SettlementRate int64 `json:"settlementRate"`
}

// SettlementRate is settled ÷ found in permille, rounded half up.
func SettlementRate(settled, found int64) int64 {
	if found <= 0 {
		return 0
	}
	return (settled*1000*2 + found) / (found * 2)
}

// Totals counts the disputes of a unit subtree over the query's period
// (dates in the query's zone, default the deployment zone).
func (s *Service) Totals(ctx context.Context, actor casework.Actor, q casework.ReportQuery) (Totals, error) {
	return casework.TotalsFor(ctx, s.k, actor, q, s.totals)
}

// TotalsByUnit is Totals for the queried unit and for each unit directly
// below it, each over its own subtree (casework.ByChildUnit).
func (s *Service) TotalsByUnit(ctx context.Context, actor casework.Actor, q casework.ReportQuery) ([]casework.UnitRow[Totals], error) {
	return casework.ByChildUnit(ctx, s.k, actor, q, s.totalsGrid)
}

// totalsGrid is the one-row total of every cell of a grid, from one
// grouped query.
func (s *Service) totalsGrid(ctx context.Context, g casework.Grid) ([]Totals, error) {
	cells, err := s.store.TotalsGrid(ctx, g)
	return casework.MapGrid(cells, err, totalsOf)
}

func totalsOf(t TotalsRow) Totals {
	return Totals{TotalsRow: t, Label: "合计", SettlementRate: SettlementRate(t.Settled, t.Found)}
}

// totals is the one-row total of a resolved period.
func (s *Service) totals(ctx context.Context, p casework.Period) (Totals, error) {
	rows, err := s.store.Totals(ctx, TotalsQuery{UnitUnder: p.UnitPath, Start: p.Start, End: p.End})
	if err != nil {
		return Totals{}, err
	}
	var t TotalsRow
	if len(rows) > 0 {
		t = rows[0]
	}
	return totalsOf(t), nil
}

// Breakdown is Totals grouped by category, first-level category, state or
// owning unit (ByNone: one row).
func (s *Service) Breakdown(ctx context.Context, actor casework.Actor, q casework.ReportQuery, by GroupBy) ([]Totals, error) {
	switch by {
	case ByNone, ByCategory, ByCategoryTop, ByState, ByUnit:
	default:
		return nil, errs.Invalid("by", "oneof", "must be category, category_top, state or unit")
	}
	p, err := s.k.ResolvePeriod(ctx, actor, q)
	if err != nil {
		return nil, err
	}
	rows, err := s.store.Totals(ctx, TotalsQuery{UnitUnder: p.UnitPath, Start: p.Start, End: p.End, By: by})
	if err != nil {
		return nil, err
	}
	out := make([]Totals, len(rows))
	for i, r := range rows {
		label, err := s.label(ctx, by, r.Key)
		if err != nil {
			return nil, err
		}
		out[i] = Totals{TotalsRow: r, Label: label, SettlementRate: SettlementRate(r.Settled, r.Found)}
	}
	return out, nil
}

func (s *Service) label(ctx context.Context, by GroupBy, key string) (string, error) {
	switch by {
	case ByCategory, ByCategoryTop:
		return s.k.Codes().Label(ListCategory, key), nil
	case ByState:
		return s.k.Codes().Label(ListState, key), nil
	case ByUnit:
		u, err := s.k.Store().GetUnit(ctx, key)
		if errors.Is(err, errs.ErrNotFound) {
			return key, nil
		}
		return u.Name, err
	}
	return "合计", nil
}

// FigureReopened is the report figure of disputes reopened in the period
// (Reopen): a supervisor's correction counted as its own event, by the
// date of a dispute's first reopening.
const FigureReopened = "mediation.disputes.reopened"

// Figures implements casework.FigureSource: mediation's part of the one
// report (the article's "排查化解矛盾纠纷826起" is disputes settled).
func (s *Service) Figures(ctx context.Context, p casework.Period) ([]casework.Figure, error) {
	t, err := s.totals(ctx, p)
	if err != nil {
		return nil, err
	}
	return t.figures(), nil
}

// GridFigures implements casework.FigureSource: Figures of every cell of a
// series or by-unit table from one grouped query (Store.TotalsGrid).
func (s *Service) GridFigures(ctx context.Context, g casework.Grid) ([][]casework.Figure, error) {
	cells, err := s.totalsGrid(ctx, g)
	return casework.MapGrid(cells, err, Totals.figures)
}

func (t Totals) figures() []casework.Figure {
	return []casework.Figure{
		{Key: "mediation.disputes.found", LabelZH: "排查矛盾纠纷", LabelEN: "Disputes found", Value: t.Found, Unit: "起"},
		{Key: "mediation.disputes.accepted", LabelZH: "受理矛盾纠纷", LabelEN: "Disputes accepted", Value: t.Accepted, Unit: "起"},
		{Key: "mediation.disputes.settled", LabelZH: "化解矛盾纠纷", LabelEN: "Disputes settled", Value: t.Settled, Unit: "起"},
		{Key: "mediation.disputes.failed", LabelZH: "调解不成", LabelEN: "Mediations failed", Value: t.Failed, Unit: "起"},
		{Key: "mediation.disputes.referred", LabelZH: "移送处理", LabelEN: "Disputes referred", Value: t.Referred, Unit: "起"},
		{Key: FigureReopened, LabelZH: "重新启动调解的纠纷", LabelEN: "Disputes reopened", Value: t.Reopened, Unit: "起"},
		{Key: "mediation.settlement_rate", LabelZH: "化解率", LabelEN: "Settlement rate", Value: SettlementRate(t.Settled, t.Found), Unit: "permille"},
	}
}
