package reportview

import (
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/grassroots-policing/grassroots/casework"
)

// The page in millimetres: A4 with the margins of page.html's @page rule.
// The server lays the report out in pages itself (each block's height is
// known: charts are drawn here, table rows have a fixed height), so a
// printed page never holds more than fits and no chart is split; the
// browser's own break-inside: avoid is the second line of defence.
const (
	pageWidth  = 186.0 // 210 − 2 × 12
	pageHeight = 267.0 // 297 − 2 × 15
	// pageBudget leaves room for what the plan cannot know exactly (table
	// borders, font metrics of the fallback font).
	pageBudget = pageHeight - 12
	blockGap   = 4.0 // the margin below each block

	headerHeight   = 9 + 6 // h1 and the period line
	tableTitle     = 7.0
	tableRow       = 5.5
	pairsPerRow    = 3 // label–value pairs in one table row
	chartTitle     = 9.0
	chartMaxPlot   = 120.0 // a by-unit chart never grows beyond this
	unitRowPitch   = 6.0   // a by-unit chart's row when few units
	seriesPlot     = 45.0
	seriesAxis     = 7.0
	seriesLabelTop = 4.0 // room for value labels above the bars
)

// page is one printed page: the blocks that fit on it.
type page struct{ Blocks []block }

// block is one unbreakable part of the report: the header, a table or a
// chart, with its height in millimetres (the gap below included).
type block struct {
	Height float64
	Header *header
	Table  *table
	Chart  *chart
}

type header struct{ Title, Period string }

// table is a unit's figures, pairsPerRow label–value pairs per row.
type table struct {
	Title string
	Rows  [][]pair
}

type pair struct{ Label, Value string }

// mm is a length in millimetres; it prints with two decimals, which is
// how the template writes it (a method, not a template function: the
// template calls no function per coordinate).
type mm float64

func (v mm) String() string { return strconv.FormatFloat(float64(v), 'f', 2, 64) }

// chart is an inline SVG drawing in millimetres (its viewBox is its size).
type chart struct {
	Width, Height mm
	Title         string
	Bars          []bar
	Texts         []text
	Lines         []line
}

type bar struct {
	X, Y, W, H mm
	Negative   bool
}

type text struct {
	X, Y, Size mm
	Anchor     string // start, middle, end
	Body       string
}

type line struct{ X1, Y1, X2, Y2 mm }

// paginate packs blocks into pages in order, starting a page when the next
// block would not fit.
func paginate(blocks []block) []page {
	var pages []page
	used := pageBudget // forces a first page
	for _, b := range blocks {
		if used+b.Height > pageBudget || len(pages) == 0 {
			pages = append(pages, page{})
			used = 0
		}
		pages[len(pages)-1].Blocks = append(pages[len(pages)-1].Blocks, b)
		used += b.Height
	}
	return pages
}

func headerBlock(title, period string) block {
	return block{Height: headerHeight + blockGap, Header: &header{Title: title, Period: period}}
}

// tableBlock is one unit's figures as a table of label–value pairs.
func tableBlock(title string, cols []casework.Figure, row []casework.Figure) block {
	m := byKey(row)
	t := &table{Title: title}
	for i, c := range cols {
		if i%pairsPerRow == 0 {
			t.Rows = append(t.Rows, nil)
		}
		v := "—"
		if f, ok := m[c.Key]; ok {
			v = Value(f)
		}
		t.Rows[len(t.Rows)-1] = append(t.Rows[len(t.Rows)-1], pair{Label: Heading(c), Value: v})
	}
	return block{Height: tableTitle + float64(len(t.Rows))*tableRow + blockGap, Table: t}
}

// point is one bar of a chart: its label and the figure, if the row has it.
type point struct {
	Label string
	Fig   casework.Figure
	OK    bool
}

// scale maps values onto [0, length] with room for negative values (a
// change against last year): lo..hi always includes zero.
type scale struct{ lo, hi, length float64 }

func newScale(points []point, length float64) scale {
	s := scale{length: length}
	for _, p := range points {
		if p.OK {
			s.lo, s.hi = math.Min(s.lo, float64(p.Fig.Value)), math.Max(s.hi, float64(p.Fig.Value))
		}
	}
	if s.hi == s.lo {
		s.hi = s.lo + 1
	}
	return s
}

func (s scale) at(v float64) float64 { return (v - s.lo) / (s.hi - s.lo) * s.length }

// unitChart draws one figure across units as horizontal bars, a row per
// unit: names on the left, values on the right. Many units make thinner
// rows, so the chart never outgrows a page.
func unitChart(col casework.Figure, points []point) block {
	const labelW, valueW = 42.0, 28.0
	plotX, plotW := labelW, pageWidth-labelW-valueW
	pitch := math.Min(unitRowPitch, chartMaxPlot/float64(max(len(points), 1)))
	font := math.Min(3.2, 0.75*pitch)
	c := &chart{Width: mm(pageWidth), Height: mm(chartTitle + float64(len(points))*pitch + 3), Title: Heading(col)}
	sc := newScale(points, plotW)
	zero := plotX + sc.at(0)
	for i, p := range points {
		y := chartTitle + float64(i)*pitch
		mid := y + pitch/2 + font*0.35
		c.Texts = append(c.Texts, text{X: mm(plotX - 1.5), Y: mm(mid), Size: mm(font), Anchor: "end", Body: fit(p.Label, labelW-3, font)})
		if !p.OK {
			c.Texts = append(c.Texts, text{X: mm(plotX + plotW + 1.5), Y: mm(mid), Size: mm(font), Anchor: "start", Body: "—"})
			continue
		}
		x := plotX + sc.at(float64(p.Fig.Value))
		c.Bars = append(c.Bars, bar{X: mm(math.Min(x, zero)), Y: mm(y + 0.15*pitch), W: mm(math.Abs(x - zero)), H: mm(0.7 * pitch), Negative: p.Fig.Value < 0})
		c.Texts = append(c.Texts, text{X: mm(plotX + plotW + 1.5), Y: mm(mid), Size: mm(font), Anchor: "start", Body: Value(p.Fig)})
	}
	c.Lines = append(c.Lines, line{X1: mm(zero), Y1: mm(chartTitle), X2: mm(zero), Y2: mm(chartTitle + float64(len(points))*pitch)})
	return block{Height: float64(c.Height) + blockGap, Chart: c}
}

// seriesChart draws one figure over periods as vertical bars: the scale's
// ends on the left, period labels below (all of up to twelve, else about
// eight), and each bar's value above it when there are few.
func seriesChart(col casework.Figure, points []point) block {
	const axisW = 22.0
	plotX, plotW := axisW, pageWidth-axisW-2
	plotTop := chartTitle + seriesLabelTop
	c := &chart{Width: mm(pageWidth), Height: mm(plotTop + seriesPlot + seriesAxis), Title: Heading(col)}
	sc := newScale(points, seriesPlot)
	y := func(v float64) float64 { return plotTop + seriesPlot - sc.at(v) }
	slot := plotW / float64(max(len(points), 1))
	every := 1 // label every period when there are few, else about eight
	if len(points) > 12 {
		every = (len(points) + 7) / 8
	}
	for i, p := range points {
		x := plotX + float64(i)*slot
		if i%every == 0 {
			c.Texts = append(c.Texts, text{X: mm(x + slot/2), Y: mm(plotTop + seriesPlot + 4.5), Size: mm(2.6), Anchor: "middle", Body: p.Label})
		}
		if !p.OK {
			continue
		}
		top, base := y(float64(p.Fig.Value)), y(0)
		c.Bars = append(c.Bars, bar{X: mm(x + 0.15*slot), Y: mm(math.Min(top, base)), W: mm(0.7 * slot), H: mm(math.Abs(base - top)), Negative: p.Fig.Value < 0})
		if len(points) <= 12 {
			c.Texts = append(c.Texts, text{X: mm(x + slot/2), Y: mm(math.Min(top, base) - 1), Size: mm(2.4), Anchor: "middle", Body: Value(p.Fig)})
		}
	}
	hi, lo := col, col
	hi.Value, lo.Value = int64(sc.hi), int64(sc.lo)
	c.Texts = append(c.Texts,
		text{X: mm(plotX - 1.5), Y: mm(plotTop + 1), Size: mm(2.6), Anchor: "end", Body: Value(hi)},
		text{X: mm(plotX - 1.5), Y: mm(plotTop + seriesPlot), Size: mm(2.6), Anchor: "end", Body: Value(lo)})
	c.Lines = append(c.Lines,
		line{X1: mm(plotX), Y1: mm(y(0)), X2: mm(plotX + plotW), Y2: mm(y(0))},
		line{X1: mm(plotX), Y1: mm(plotTop), X2: mm(plotX), Y2: mm(plotTop + seriesPlot)})
	return block{Height: float64(c.Height) + blockGap, Chart: c}
}

// fit cuts s to what a width in millimetres holds at a font size: a wide
// (CJK) character takes one em, any other about half.
func fit(s string, width, font float64) string {
	used, cut := 0.0, -1
	for i, r := range s {
		w := font
		if utf8.RuneLen(r) < 3 {
			w = font * 0.55
		}
		if cut < 0 && used+w > width-font {
			cut = i // where to cut if the rest does not fit, leaving room for "…"
		}
		if used+w > width {
			return s[:cut] + "…"
		}
		used += w
	}
	return s
}
