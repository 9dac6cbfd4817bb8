package main

import (
	"context"
	"fmt"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/grassroots-policing/grassroots/examples/internal/wiring"
)

// ArticleLine is one of the article's figures beside the report's.
type ArticleLine struct {
	Period string
	ArticleFigure
	Report int64
}

// OK says whether the report prints the article's figure.
func (l ArticleLine) OK() bool { return l.Report == l.Value }

// ArticleReport asks the kernel's report (and, for the year-on-year
// change, the case workflow's totals) for every figure the article gives,
// period by period.
func ArticleReport(ctx context.Context, w *wiring.World, actor casework.Actor, unitID string, periods []ArticlePeriod) ([]ArticleLine, error) {
	var out []ArticleLine
	for _, p := range periods {
		q := casework.ReportQuery{UnitID: unitID, From: p.From, To: p.To}
		figures, err := w.K.Report(ctx, actor, q)
		if err != nil {
			return nil, err
		}
		got := map[string]int64{}
		for _, f := range figures {
			got[f.Key] = f.Value
		}
		totals, err := w.Cases.Totals(ctx, actor, q)
		if err != nil {
			return nil, err
		}
		if pm, ok := totals.Change.Permille["reported"]; ok {
			got[FigureReportedChange] = pm
		}
		for _, f := range p.Figures {
			v, ok := got[f.Key]
			if !ok {
				return nil, fmt.Errorf("the report for %s has no figure %s", p.Name, f.Key)
			}
			out = append(out, ArticleLine{Period: p.Name, ArticleFigure: f, Report: v})
		}
	}
	return out, nil
}

// format prints a figure as a reader expects it: yuan, percent or a count.
func format(key string, v int64) string {
	switch key {
	case cases.FigureCasesClearanceRate:
		return fmt.Sprintf("%d.%d%%", v/10, v%10)
	case FigureReportedChange:
		return fmt.Sprintf("%+d.%d%%", v/10, abs(v%10))
	}
	if len(key) > 4 && key[len(key)-4:] == "_fen" {
		return fmt.Sprintf("¥%d.%02d", v/100, v%100)
	}
	return fmt.Sprint(v)
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
