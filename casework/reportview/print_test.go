package reportview_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/reportview"
	"github.com/grassroots-policing/grassroots/internal/browsertest"
)

// A4 in PDF points, and its content height in millimetres (297 − 2 × 15,
// the page's @page margins).
const (
	a4Width, a4Height = 595.28, 841.89
	contentHeightMM   = 267.0
)

// layout is what the page measures in the browser with print media
// emulated, in millimetres: each planned page's height, and for each
// chart how far its bottom lies below the top of its page.
type layout struct {
	Planned      int       `json:"planned"`
	Pages        []float64 `json:"pages"`
	ChartBottoms []float64 `json:"chartBottoms"`
	BreakInside  string    `json:"breakInside"`
}

const measure = `(() => {
	const mm = 96 / 25.4;
	const pages = [...document.querySelectorAll("section.page")];
	return {
		planned: Number(document.body.dataset.pages),
		pages: pages.map(p => p.getBoundingClientRect().height / mm),
		chartBottoms: pages.flatMap(p => {
			const top = p.getBoundingClientRect().top;
			return [...p.querySelectorAll("figure.chart")].map(f => (f.getBoundingClientRect().bottom - top) / mm);
		}),
		breakInside: getComputedStyle(document.querySelector("figure.chart")).breakInside,
	};
})()`

var (
	pdfPage     = regexp.MustCompile(`/Type\s*/Page[^s]`)
	pdfMediaBox = regexp.MustCompile(`/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]`)
)

// TestPrintedLayout prints the HTML page to PDF in headless Chromium: the
// PDF is A4, has exactly the pages the server planned (so no planned page
// overflowed onto a second sheet), no chart reaches below its page's
// content area, and the page asked for nothing from the network but itself.
func TestPrintedLayout(t *testing.T) {
	t.Parallel()
	zone, _ := time.LoadLocation("Asia/Shanghai")
	var days []casework.PeriodFigures
	for d := range 366 {
		from := time.Date(2020, 1, 1+d, 0, 0, 0, 0, zone)
		days = append(days, casework.PeriodFigures{From: from, To: from, Figures: figures(int64(d%50), d%7 != 0)})
	}
	tests := []struct {
		name  string
		write func(*bytes.Buffer) error
		pages int
	}{
		{"small summary", func(b *bytes.Buffer) error { return reportview.SummaryHTML(b, summary(2)) }, 1},
		{"sixty child units", func(b *bytes.Buffer) error { return reportview.SummaryHTML(b, summary(60)) }, 10},
		{"daily series for a year", func(b *bytes.Buffer) error {
			return reportview.SeriesHTML(b, reportview.Series{Unit: casework.Unit{Name: "淄博市公安局"}, Step: casework.StepDay, Zone: zone, Periods: days})
		}, 2},
	}
	pages := map[string][]byte{}
	for _, tc := range tests {
		var b bytes.Buffer
		require.NoError(t, tc.write(&b))
		pages["/"+strconv.Itoa(len(pages))] = b.Bytes()
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)

	// One browser for the three pages, in turn: the machine is small.
	ctx := browsertest.New(t, 3*time.Minute)
	reqs, err := browsertest.Record(ctx)
	require.NoError(t, err)
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, pdf := print(t, ctx, srv.URL+"/"+strconv.Itoa(i))
			require.Equal(t, tc.pages, got.Planned, "the server's plan")
			require.Len(t, got.Pages, got.Planned)
			for n, h := range got.Pages {
				require.LessOrEqual(t, h, contentHeightMM, "page %d holds more than an A4 page", n+1)
			}
			require.NotEmpty(t, got.ChartBottoms)
			for n, bottom := range got.ChartBottoms {
				require.LessOrEqual(t, bottom, contentHeightMM, "chart %d runs past its page", n+1)
			}
			require.Equal(t, "avoid", got.BreakInside)
			t.Logf("page heights (mm): %.1f", got.Pages)

			boxes := pdfMediaBox.FindAllSubmatch(pdf, -1)
			require.Len(t, pdfPage.FindAll(pdf, -1), tc.pages, "one PDF page per planned page: nothing was split")
			require.Len(t, boxes, tc.pages)
			for _, box := range boxes {
				w, _ := strconv.ParseFloat(string(box[3]), 64)
				h, _ := strconv.ParseFloat(string(box[4]), 64)
				require.InDelta(t, a4Width, w, 1, "A4 width in points")
				require.InDelta(t, a4Height, h, 1, "A4 height in points")
			}
		})
	}
	require.Empty(t, reqs.NotLoopback(), "the page loads nothing from elsewhere")
	var want []string
	for i := range tests {
		want = append(want, srv.URL+"/"+strconv.Itoa(i))
	}
	require.Equal(t, want, reqs.URLs(), "each page is one request: no asset, not even a favicon")
}

// print loads url, measures its layout as printed and prints it to PDF in
// the page's own (CSS) paper size.
func print(t *testing.T, ctx context.Context, url string) (layout, []byte) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(url)))
	_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
	require.NoError(t, err)
	got, err := chromedp.Run(ctx, chromedp.Evaluate[layout](measure))
	require.NoError(t, err)
	yes := true
	res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &yes, PrintBackground: &yes})
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(res.Data, []byte("%PDF-")))
	return got, res.Data
}
