package recovery

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// ReturnListQuery asks for the return list (发还清单) of a case or of a
// return event: exactly one of the two.
type ReturnListQuery struct {
	CaseID  string `json:"caseId,omitempty"`
	EventID string `json:"eventId,omitempty"`
}

// ReturnList is the 发还清单 of a case or a return event, as data: what goes
// back to whom, with the receipts. WriteHTML prints it. Owners' and
// recipients' document numbers appear only masked.
type ReturnList struct {
	Title         string          `json:"title"`
	UnitID        string          `json:"unitId"`
	UnitName      string          `json:"unitName"`
	CaseID        string          `json:"caseId,omitempty"`
	EventID       string          `json:"eventId,omitempty"`
	EventName     string          `json:"eventName,omitempty"`
	EventPlace    string          `json:"eventPlace,omitempty"`
	EventDate     time.Time       `json:"eventDate,omitzero"`
	GeneratedAt   time.Time       `json:"generatedAt"`
	Rows          []ReturnListRow `json:"rows"`
	TotalQuantity int             `json:"totalQuantity"`
	TotalValueFen int64           `json:"totalValueFen"`
	ReturnedValue int64           `json:"returnedValueFen"`
	Returned      int             `json:"returned"`
	// Zone sets the dates printed; the deployment zone by default.
	Zone *time.Location `json:"-"`
}

// ReturnListRow is one item of a return list.
type ReturnListRow struct {
	No            int         `json:"no"`
	ItemID        string      `json:"itemId"`
	CaseID        string      `json:"caseId,omitempty"`
	Category      string      `json:"category"`
	CategoryLabel string      `json:"categoryLabel"`
	NIBRS         string      `json:"nibrs,omitempty"` // the category's NIBRS property description code
	Description   string      `json:"description"`
	Identifiers   string      `json:"identifiers,omitempty"`
	Quantity      int         `json:"quantity"`
	ValueFen      int64       `json:"valueFen"`
	ItemState     State       `json:"itemState"`
	StateLabel    string      `json:"stateLabel"`
	OwnerName     string      `json:"ownerName,omitempty"`
	OwnerDoc      string      `json:"ownerDoc,omitempty"` // masked
	ReturnID      string      `json:"returnId,omitempty"`
	ReturnState   ReturnState `json:"returnState,omitempty"`
	RecipientName string      `json:"recipientName,omitempty"`
	RecipientDoc  string      `json:"recipientDoc,omitempty"` // masked
	Delegate      bool        `json:"delegate,omitempty"`
	ReturnedAt    time.Time   `json:"returnedAt,omitzero"`
	ReceiptSHA256 string      `json:"receiptSha256,omitempty"`
	Note          string      `json:"note,omitempty"` // what happened at the event, when not a hand-over
}

// ReturnList builds the return list of a case (its items that are
// identified, approved for return or returned) or of a return event (its
// planned returns and their outcomes).
func (s *Service) ReturnList(ctx context.Context, actor casework.Actor, q ReturnListQuery) (ReturnList, error) {
	q.CaseID, q.EventID = trimmed(q.CaseID), trimmed(q.EventID)
	if err := checkQuery(map[string]string{"caseId": q.CaseID, "eventId": q.EventID}); err != nil {
		return ReturnList{}, err
	}
	if (q.CaseID == "") == (q.EventID == "") {
		return ReturnList{}, errs.Invalid("caseId", "one_of", "name a case or a return event")
	}
	l := ReturnList{Title: "涉案财物发还清单", CaseID: q.CaseID, EventID: q.EventID, GeneratedAt: s.k.Now(), Zone: s.k.Zone()}
	var pairs []listPair
	if q.EventID != "" {
		e, err := s.loadEvent(ctx, actor, ActionRead, q.EventID)
		if err != nil {
			return ReturnList{}, err
		}
		l.UnitID, l.EventName, l.EventPlace, l.EventDate = e.UnitID, e.Name, e.Place, e.Date
		l.Title = "涉案物品返还会发还清单"
		notes := map[string]string{}
		for _, res := range e.Results {
			switch {
			case res.Returned:
			case res.Reason == reasonReturnedBefore:
				notes[res.ReturnID] = res.Reason
			default:
				notes[res.ReturnID] = "返还会上未发还：" + res.Reason
			}
		}
		err = s.loadReturns(ctx, actor, ActionRead, e.ReturnIDs, func(r Return, it Item) {
			pairs = append(pairs, listPair{it: it, r: &r, note: notes[r.ID]})
		})
		if err != nil {
			return ReturnList{}, err
		}
	} else {
		if err := s.k.UnitInReach(ctx, actor, ""); err != nil {
			return ReturnList{}, err
		}
		if err := s.k.Authorize(ctx, actor, ActionRead, casework.Target{}); err != nil {
			return ReturnList{}, err
		}
		path, err := s.k.Scope(ctx, actor, "")
		if err != nil {
			return ReturnList{}, err
		}
		// Every item, never a cut list: a page of items at a time, each
		// page's returns in one query.
		err = s.scanPages(ctx, ItemFilter{UnitUnder: path, CaseID: q.CaseID, States: []State{StateIdentified, StateReturnApproved, StateReturned}},
			math.MaxInt, func(items []Item) error {
				var ids []string
				for _, it := range items {
					if it.ReturnID != "" {
						ids = append(ids, it.ReturnID)
					}
				}
				returns := map[string]Return{}
				if ids != nil {
					rows, err := s.store.ListReturns(ctx, ReturnFilter{IDs: ids}, casework.Page{Limit: len(ids)})
					if err != nil {
						return err
					}
					for _, r := range rows {
						returns[r.ID] = r
					}
				}
				for _, it := range items {
					p := listPair{it: it}
					if r, ok := returns[it.ReturnID]; ok {
						p.r = &r
					}
					pairs = append(pairs, p)
				}
				return nil
			})
		if err != nil {
			return ReturnList{}, err
		}
		l.UnitID = actor.UnitID
		if len(pairs) > 0 {
			l.UnitID = pairs[0].it.UnitID
		}
	}
	// A unit gone from the store leaves the name blank; a failing store
	// fails the list rather than print it without its unit.
	u, err := s.k.Store().GetUnit(ctx, l.UnitID)
	if err != nil && !errors.Is(err, errs.ErrNotFound) {
		return ReturnList{}, err
	}
	l.UnitName = u.Name
	var people []string
	for _, p := range pairs {
		people = append(people, p.it.OwnerPersonID)
		if p.r != nil {
			people = append(people, p.r.RecipientPersonID)
		}
	}
	persons, err := s.k.PersonsInReach(ctx, actor, people)
	if err != nil {
		return ReturnList{}, err
	}
	for i, p := range pairs {
		row := s.listRow(i+1, p, persons)
		l.Rows = append(l.Rows, row)
		l.TotalQuantity += row.Quantity
		l.TotalValueFen += row.ValueFen
		if row.ItemState == StateReturned {
			l.Returned++
			l.ReturnedValue += row.ValueFen
		}
	}
	return l, nil
}

type listPair struct {
	it   Item
	r    *Return
	note string
}

func (s *Service) listRow(no int, p listPair, persons map[string]casework.PersonRecord) ReturnListRow {
	it := p.it
	ids := make([]string, len(it.Identifiers))
	for i, id := range it.Identifiers {
		ids[i] = id.Kind + " " + id.Value
	}
	row := ReturnListRow{No: no, ItemID: it.ID, CaseID: it.CaseID, Category: it.Category, CategoryLabel: s.k.Codes().Label(ListCategory, it.Category), NIBRS: it.NIBRS,
		Description: it.Description, Identifiers: strings.Join(ids, "; "), Quantity: it.Quantity, ValueFen: it.ValueFen,
		ItemState: it.State, StateLabel: s.k.Codes().Label(ListItemState, string(it.State)), ReturnedAt: it.ReturnedAt, Note: p.note}
	row.OwnerName, row.OwnerDoc = personLine(persons, it.OwnerPersonID)
	if r := p.r; r != nil {
		row.ReturnID, row.ReturnState, row.Delegate = r.ID, r.State, r.Delegate
		if r.Receipt != nil {
			row.ReceiptSHA256 = r.Receipt.SHA256
		}
		row.RecipientName, row.RecipientDoc = personLine(persons, r.RecipientPersonID)
	}
	return row
}

// outOfReach is printed for a person the actor may not read (a reader of a
// shared case's items, in another unit): the list shows no more of them
// than that they exist.
const outOfReach = "（无权查阅）"

// personLine is a person's name and masked document number, if the actor
// may read the person (persons holds those, Kernel.PersonsInReach);
// outOfReach and nothing else otherwise.
func personLine(persons map[string]casework.PersonRecord, id string) (string, string) {
	if id == "" {
		return "", ""
	}
	p, ok := persons[id]
	if !ok {
		return outOfReach, ""
	}
	return p.Name, p.DocMasked
}

// Yuan formats fen as yuan with two decimals: 123456 → "1234.56".
func Yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

var listTemplate = template.Must(template.New("list").Funcs(template.FuncMap{
	"yuan": Yuan,
	"date": func(t time.Time, z *time.Location) string {
		if t.IsZero() {
			return ""
		}
		return t.In(z).Format("2006年1月2日 15:04")
	},
	"day": func(t time.Time, z *time.Location) string {
		if t.IsZero() {
			return ""
		}
		return t.In(z).Format("2006年1月2日")
	},
	"short": func(s string) string {
		if len(s) > 12 {
			return s[:12] + "…"
		}
		return s
	},
}).Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body { font-family: "SimSun", "Songti SC", serif; margin: 2cm; }
h1 { text-align: center; font-size: 20pt; letter-spacing: 0.2em; }
.meta { margin: 0.5em 0; }
table { border-collapse: collapse; width: 100%; font-size: 10.5pt; }
th, td { border: 1px solid #000; padding: 4px 6px; vertical-align: top; }
th { background: #eee; }
td.num { text-align: right; }
.sign { margin-top: 3em; display: flex; justify-content: space-between; }
@media print { body { margin: 1cm; } }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p class="meta">单位：{{.UnitName}}{{if .CaseID}}　　案件编号：{{.CaseID}}{{end}}</p>
{{- if .EventID}}
<p class="meta">返还会：{{.EventName}}　　时间：{{day .EventDate .Zone}}　　地点：{{.EventPlace}}</p>
{{- end}}
<table>
<thead><tr><th>序号</th><th>物品名称及特征</th><th>类别（NIBRS 代码）</th><th>识别号码</th><th>数量</th><th>价值（元）</th><th>所有人</th><th>领取人</th><th>状态</th><th>发还时间</th><th>签收凭证</th></tr></thead>
<tbody>
{{- range .Rows}}
<tr><td class="num">{{.No}}</td><td>{{.Description}}</td><td>{{.CategoryLabel}}{{if .NIBRS}}（NIBRS {{.NIBRS}}）{{end}}</td><td>{{.Identifiers}}</td><td class="num">{{.Quantity}}</td><td class="num">{{yuan .ValueFen}}</td><td>{{.OwnerName}} {{.OwnerDoc}}</td><td>{{.RecipientName}} {{.RecipientDoc}}{{if .Delegate}}（受托人）{{end}}</td><td>{{.StateLabel}}{{if .Note}}（{{.Note}}）{{end}}</td><td>{{date .ReturnedAt $.Zone}}</td><td>{{short .ReceiptSHA256}}</td></tr>
{{- end}}
</tbody>
<tfoot><tr><th colspan="4">合计</th><th class="num">{{.TotalQuantity}}</th><th class="num">{{yuan .TotalValueFen}}</th><th colspan="5">已发还 {{.Returned}} 件，价值 {{yuan .ReturnedValue}} 元</th></tr></tfoot>
</table>
<div class="sign"><span>经办人：</span><span>审批人：</span><span>领取人签名：</span></div>
<p class="meta">制表时间：{{date .GeneratedAt .Zone}}</p>
</body>
</html>
`))

// WriteHTML prints the list as a self-contained HTML page in Chinese, ready
// for a browser's print dialog; every value is escaped.
func (l ReturnList) WriteHTML(w io.Writer) error {
	if w == nil {
		return errs.Invalid("w", "required", "no writer to print to")
	}
	if l.Zone == nil {
		l.Zone = casework.DefaultZone()
	}
	return listTemplate.Execute(w, l)
}
