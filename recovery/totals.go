package recovery

import (
	"context"

	"github.com/grassroots-policing/grassroots/casework"
)

// Figure keys this package contributes to the kernel's report.
const (
	FigureItemsRecovered      = "recovery.items_recovered"
	FigureValueRecoveredFen   = "recovery.value_recovered_fen"
	FigureItemsReturned       = "recovery.items_returned"
	FigureValueReturnedFen    = "recovery.value_returned_fen"
	FigureReturnEvents        = "recovery.return_events"
	FigureItemsUnclaimed      = "recovery.items_unclaimed"
	FigureItemsDisposed       = "recovery.items_disposed"
	FigureDisposalProceedsFen = "recovery.disposal_proceeds_fen"
)

var _ casework.FigureSource = (*Service)(nil)

// Totals returns a unit subtree's figures over a report period (the
// article: value returned this year, return events held).
func (s *Service) Totals(ctx context.Context, actor casework.Actor, q casework.ReportQuery) (Totals, error) {
	if err := s.unitReach(ctx, actor, q.UnitID); err != nil {
		return Totals{}, err
	}
	p, err := s.k.ResolvePeriod(ctx, actor, q)
	if err != nil {
		return Totals{}, err
	}
	return s.store.Totals(ctx, TotalsFilter{UnitUnder: p.UnitPath, Start: p.Start, End: p.End})
}

// UnitTotals are the totals of one unit's subtree.
type UnitTotals struct {
	Unit   casework.Unit `json:"unit"`
	Totals Totals        `json:"totals"`
}

// TotalsByUnit returns the totals of the queried unit and of every unit
// below it, each over its own subtree, ordered by the unit tree: a
// bureau's table of branches and stations.
func (s *Service) TotalsByUnit(ctx context.Context, actor casework.Actor, q casework.ReportQuery) ([]UnitTotals, error) {
	if err := s.unitReach(ctx, actor, q.UnitID); err != nil {
		return nil, err
	}
	p, err := s.k.ResolvePeriod(ctx, actor, q)
	if err != nil {
		return nil, err
	}
	units, err := s.k.Store().ListUnits(ctx, casework.UnitFilter{Under: p.UnitPath})
	if err != nil {
		return nil, err
	}
	out := make([]UnitTotals, 0, len(units))
	for _, u := range units {
		t, err := s.store.Totals(ctx, TotalsFilter{UnitUnder: u.Path, Start: p.Start, End: p.End})
		if err != nil {
			return nil, err
		}
		out = append(out, UnitTotals{Unit: u, Totals: t})
	}
	return out, nil
}

// Figures implements casework.FigureSource. The kernel has checked the
// actor's reach when it resolved the period.
func (s *Service) Figures(ctx context.Context, p casework.Period) ([]casework.Figure, error) {
	t, err := s.store.Totals(ctx, TotalsFilter{UnitUnder: p.UnitPath, Start: p.Start, End: p.End})
	if err != nil {
		return nil, err
	}
	return []casework.Figure{
		{Key: FigureItemsRecovered, LabelZH: "追回涉案财物", LabelEN: "Items recovered", Value: t.ItemsRecovered, Unit: "件"},
		{Key: FigureValueRecoveredFen, LabelZH: "追回价值", LabelEN: "Value recovered", Value: t.ValueRecoveredFen, Unit: "fen"},
		{Key: FigureItemsReturned, LabelZH: "发还涉案财物", LabelEN: "Items returned", Value: t.ItemsReturned, Unit: "件"},
		{Key: FigureValueReturnedFen, LabelZH: "发还价值", LabelEN: "Value returned", Value: t.ValueReturnedFen, Unit: "fen"},
		{Key: FigureReturnEvents, LabelZH: "涉案物品返还会", LabelEN: "Return events", Value: t.ReturnEvents, Unit: "场"},
		{Key: FigureItemsUnclaimed, LabelZH: "无人认领物品", LabelEN: "Items unclaimed", Value: t.ItemsUnclaimed, Unit: "件"},
		{Key: FigureItemsDisposed, LabelZH: "依法处置物品", LabelEN: "Items disposed", Value: t.ItemsDisposed, Unit: "件"},
		{Key: FigureDisposalProceedsFen, LabelZH: "处置所得", LabelEN: "Disposal proceeds", Value: t.DisposalProceedsFen, Unit: "fen"},
	}, nil
}
