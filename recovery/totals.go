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
	return casework.TotalsFor(ctx, s.k, actor, q, s.totals)
}

// TotalsByUnit is Totals for the queried unit and for each unit directly
// below it, each over its own subtree (casework.ByChildUnit).
func (s *Service) TotalsByUnit(ctx context.Context, actor casework.Actor, q casework.ReportQuery) ([]casework.UnitRow[Totals], error) {
	return casework.ByChildUnit(ctx, s.k, actor, q, s.store.TotalsGrid)
}

func (s *Service) totals(ctx context.Context, p casework.Period) (Totals, error) {
	return s.store.Totals(ctx, TotalsFilter{UnitUnder: p.UnitPath, Start: p.Start, End: p.End})
}

// Figures implements casework.FigureSource. The kernel has checked the
// actor's reach when it resolved the period.
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
	cells, err := s.store.TotalsGrid(ctx, g)
	return casework.MapGrid(cells, err, Totals.figures)
}

func (t Totals) figures() []casework.Figure {
	return []casework.Figure{
		{Key: FigureItemsRecovered, LabelZH: "追回涉案财物", LabelEN: "Items recovered", Value: t.ItemsRecovered, Unit: "件"},
		{Key: FigureValueRecoveredFen, LabelZH: "追回价值", LabelEN: "Value recovered", Value: t.ValueRecoveredFen, Unit: "fen"},
		{Key: FigureItemsReturned, LabelZH: "发还涉案财物", LabelEN: "Items returned", Value: t.ItemsReturned, Unit: "件"},
		{Key: FigureValueReturnedFen, LabelZH: "发还价值", LabelEN: "Value returned", Value: t.ValueReturnedFen, Unit: "fen"},
		{Key: FigureReturnEvents, LabelZH: "涉案物品返还会", LabelEN: "Return events", Value: t.ReturnEvents, Unit: "场"},
		{Key: FigureItemsUnclaimed, LabelZH: "无人认领物品", LabelEN: "Items unclaimed", Value: t.ItemsUnclaimed, Unit: "件"},
		{Key: FigureItemsDisposed, LabelZH: "依法处置物品", LabelEN: "Items disposed", Value: t.ItemsDisposed, Unit: "件"},
		{Key: FigureDisposalProceedsFen, LabelZH: "处置所得", LabelEN: "Disposal proceeds", Value: t.DisposalProceedsFen, Unit: "fen"},
	}
}
