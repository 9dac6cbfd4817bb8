package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/grassroots-policing/grassroots/internal/browsertest"
	"github.com/grassroots-policing/grassroots/openapi"
)

// specOperation is one operation of openapi.yaml as the docs page shows it.
type specOperation struct {
	Tag, ID, Method, Path string
}

// DOMID is the element id Swagger UI gives the operation's block.
func (o specOperation) DOMID() string { return "operations-" + o.Tag + "-" + o.ID }

// specTagsAndOperations reads the tags and operations from the served spec.
func specTagsAndOperations(t *testing.T) ([]string, []specOperation) {
	t.Helper()
	var doc struct {
		Tags []struct {
			Name string `yaml:"name"`
		} `yaml:"tags"`
		Paths map[string]map[string]struct {
			OperationID string   `yaml:"operationId"`
			Tags        []string `yaml:"tags"`
		} `yaml:"paths"`
	}
	require.NoError(t, yaml.Unmarshal(openapi.Spec, &doc))
	var tags []string
	for _, tag := range doc.Tags {
		tags = append(tags, tag.Name)
	}
	var ops []specOperation
	for path, item := range doc.Paths {
		for method, op := range item {
			if op.OperationID == "" { // path-level parameters, not an operation
				continue
			}
			require.Len(t, op.Tags, 1, "%s %s", method, path)
			ops = append(ops, specOperation{Tag: op.Tags[0], ID: op.OperationID, Method: strings.ToUpper(method), Path: path})
		}
	}
	slices.SortFunc(ops, func(a, b specOperation) int { return strings.Compare(a.DOMID(), b.DOMID()) })
	require.NotEmpty(t, tags)
	require.Greater(t, len(ops), 100)
	return tags, ops
}

// The docs page in a real browser: Swagger UI, served from the binary,
// renders every tag and every operation of the spec, fetches nothing from
// outside 127.0.0.1, and "Try it out" with a pasted token lists the demo
// city's disputes (200).
func TestDocsPageInChromium(t *testing.T) {
	t.Parallel()
	began := time.Now()
	tags, ops := specTagsAndOperations(t)
	ctx := browsertest.New(t, 2*time.Minute) // skips here when there is no browser
	r := start(t, "-db", "memory", "-demo")
	require.NotEmpty(t, r.app.demo)
	reqs, err := browsertest.Record(ctx)
	require.NoError(t, err)

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(r.url+"/docs/"),
		chromedp.WaitVisible(chromedp.CSS(`#`+ops[len(ops)-1].DOMID())),
	), "the page did not render the operations; requests: %v", reqs.URLs())

	rendered, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('.opblock-tag')].map(e => e.dataset.tag)`))
	require.NoError(t, err)
	require.Equal(t, tags, rendered, "every tag of the spec, in its order")

	ids, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('.opblock')].map(e => e.id).sort()`))
	require.NoError(t, err)
	want := make([]string, len(ops))
	for i, op := range ops {
		want[i] = op.DOMID()
	}
	slices.Sort(want)
	require.Equal(t, want, ids, "every operation of the spec")

	// A sample (one operation in every ten) shows its method and path.
	for i := 0; i < len(ops); i += 10 {
		op := ops[i]
		shown, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](fmt.Sprintf(
			`(b => [b.querySelector('.opblock-summary-method').textContent, b.querySelector('.opblock-summary-path').textContent])(document.getElementById(%q))`,
			op.DOMID())))
		require.NoError(t, err, op.DOMID())
		require.Equal(t, []string{op.Method, op.Path}, []string{shown[0], strings.ReplaceAll(shown[1], "\u200b", "")}, op.DOMID())
	}

	// Authorize with a pasted token, then try listDisputes.
	token := r.token(t, r.app.demo)
	list := `#operations-mediation-listDisputes`
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.auth-wrapper .authorize`)),
		chromedp.Focus(chromedp.CSS(`.modal-ux input`)),
	), "open the Authorize dialog")
	// Pasted, as a user would: one insertion, not a key press per character.
	_, err = chromedp.Call(ctx, input.InsertText, input.InsertTextParams{Text: token})
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.modal-ux .auth-btn-wrapper .authorize`)),
		chromedp.Click(chromedp.CSS(`.modal-ux .btn-done`)),
		chromedp.ScrollIntoView(chromedp.CSS(list)),
		chromedp.Click(chromedp.CSS(list+` .opblock-summary-control`)),
		chromedp.Click(chromedp.CSS(list+` .try-out__btn`)),
		chromedp.Click(chromedp.CSS(list+` .execute`)),
		chromedp.WaitVisible(chromedp.CSS(list+` .live-responses-table tr.response .response-col_status`)),
	), "try it out; requests: %v", reqs.URLs())
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(list+` .live-responses-table tr.response .response-col_status`)))
	require.NoError(t, err)
	require.Equal(t, "200", strings.TrimSpace(status))
	body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(list+` .live-responses-table tr.response .response-col_description`)))
	require.NoError(t, err)
	require.Contains(t, body, "neighbour/noise", "the demo's disputes are in the answer")

	require.Contains(t, reqs.URLs(), r.url+"/openapi.yaml")
	require.True(t, slices.ContainsFunc(reqs.URLs(), func(u string) bool { return strings.HasPrefix(u, r.url+"/v1/disputes?") }),
		"the browser itself called the API: %v", reqs.URLs())
	require.Empty(t, reqs.NotLoopback(), "the docs page must load nothing from outside this server")
	// About 15 s on a 2-core machine under a load of 15, start-up included
	// (38 s under -race at a load of 20); ctx bounds it at 2 min, so that a
	// busy machine alone does not fail it.
	t.Logf("docs page test: %v", time.Since(began).Round(time.Millisecond))
}
