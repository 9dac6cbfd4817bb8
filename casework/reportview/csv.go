package reportview

import (
	"bytes"
	"encoding/csv"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
)

// bom lets spreadsheet programs read the UTF-8 CSV as UTF-8.
const bom = "\ufeff"

// SummaryCSV lays a summary out as a UTF-8 table with a byte order mark:
// one row for the unit, then one per child unit, one column per figure
// titled with its Chinese label and unit, each cell as Value prints it. A
// figure a row does not have (an undefined rate) is an empty cell.
func SummaryCSV(s Summary) []byte {
	names, rows := s.rows()
	cols := columns(rows)
	out := [][]string{append([]string{"单位"}, headings(cols)...)}
	for i, row := range rows {
		out = append(out, append([]string{names[i]}, cells(cols, row)...))
	}
	return writeCSV(out)
}

// SeriesCSV lays a series out with one row per period: its first and last
// local day (both included), then its figures as in SummaryCSV.
func SeriesCSV(s Series) []byte {
	rows := make([][]casework.Figure, len(s.Periods))
	for i, p := range s.Periods {
		rows[i] = p.Figures
	}
	cols := columns(rows)
	out := [][]string{append([]string{"起始日期", "截止日期"}, headings(cols)...)}
	for _, p := range s.Periods {
		days := []string{local(p.From, s.Zone).Format(time.DateOnly), local(p.To, s.Zone).Format(time.DateOnly)}
		out = append(out, append(days, cells(cols, p.Figures)...))
	}
	return writeCSV(out)
}

func headings(cols []casework.Figure) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = Heading(c)
	}
	return out
}

// cells is a row's printed values in the columns' order.
func cells(cols []casework.Figure, row []casework.Figure) []string {
	m := byKey(row)
	out := make([]string, len(cols))
	for i, c := range cols {
		if f, ok := m[c.Key]; ok {
			out[i] = Value(f)
		}
	}
	return out
}

func writeCSV(rows [][]string) []byte {
	var buf bytes.Buffer
	buf.WriteString(bom)
	w := csv.NewWriter(&buf)
	// A bytes.Buffer does not fail to write, and WriteAll fails only when
	// its writer does.
	_ = w.WriteAll(rows)
	return buf.Bytes()
}
