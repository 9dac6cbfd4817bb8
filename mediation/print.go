package mediation

import (
	"context"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// PrintOptions tunes a printed document.
type PrintOptions struct {
	// RevealReason, when set, prints the parties' identity numbers in clear
	// for the copy that is signed; each person revealed is audited by the
	// kernel and needs the reveal permission. Empty prints them masked.
	RevealReason string
}

// PrintAgreement writes the current agreement of a dispute as an HTML
// document (调解协议书, 治安调解协议书 or 和解协议书 by kind; 口头协议记录
// for an oral one), in Chinese, with lines for the signatures still
// missing. It is produced from the recorded data only.
func (s *Service) PrintAgreement(ctx context.Context, actor casework.Actor, id string, w io.Writer, opt *PrintOptions) error {
	if err := checkWriter(w); err != nil {
		return err
	}
	d, err := s.load(ctx, actor, id, ActionRead)
	if err != nil {
		return err
	}
	i := d.Current()
	if i < 0 {
		return errs.Invalid("agreement", "exists", "the dispute has no agreement to print")
	}
	doc, err := s.agreementDoc(ctx, actor, d, d.Agreements[i], opt)
	if err != nil {
		return err
	}
	return agreementTmpl.Execute(w, doc)
}

// checkWriter refuses a nil writer before any work: a template executed
// into it would panic.
func checkWriter(w io.Writer) error {
	if w == nil {
		return errs.Invalid("w", "required", "no writer to print to")
	}
	return nil
}

// PrintRecord writes the record of one session (调解笔录) as an HTML
// document in Chinese, with lines for the signatures of those present.
func (s *Service) PrintRecord(ctx context.Context, actor casework.Actor, id, sessionID string, w io.Writer, opt *PrintOptions) error {
	if err := checkWriter(w); err != nil {
		return err
	}
	d, err := s.load(ctx, actor, id, ActionRead)
	if err != nil {
		return err
	}
	var sess *Session
	for i := range d.Sessions {
		if d.Sessions[i].ID == sessionID {
			sess = &d.Sessions[i]
		}
	}
	if sess == nil {
		return errs.NotFound("session", sessionID)
	}
	doc, err := s.recordDoc(ctx, actor, d, *sess, opt)
	if err != nil {
		return err
	}
	return recordTmpl.Execute(w, doc)
}

type printPerson struct {
	Role, Name, Gender, Birth, DocType, DocNumber, Address string
	Reps                                                   []printPerson
	Signed                                                 string
}

type printLine struct{ Label, Text, Extra string }

type agreementDoc struct {
	Title, Number, Organ, Kind, Category string
	Parties                              []printPerson
	Oral                                 bool
	Content, Facts, Matters              string
	Responsibilities                     []printLine
	Terms                                []printLine
	Method, Place, Deadline              string
	Confirmable                          bool
	Mediator, MediatorSigned             string
	Effective                            string
}

type recordDoc struct {
	Title, Number, Organ, Time, Place, Category, Recorder string
	Mediators                                             []printLine
	Attendees                                             []printLine
	Parties                                               []printPerson
	Notes                                                 []string
}

var agreementTitle = map[Kind]string{KindPeople: "人民调解协议书", KindPolice: "治安调解协议书", KindSettlement: "和解协议书"}

var roleZH = map[casework.Role]string{
	casework.RoleOfficer: "民警", casework.RoleCommunityOfficer: "社区民警", casework.RoleSupervisor: "所领导",
	casework.RoleMediator: "人民调解员", casework.RoleLawyer: "驻所公益律师",
	casework.RoleAuxiliaryPolice: "辅警", casework.RoleGridWorker: "网格员", casework.RoleBuildingHead: "楼长",
	casework.RoleVolunteer: "志愿者", casework.RoleCommitteeStaff: "居（村）委会工作人员",
}

var genderZH = map[casework.Gender]string{casework.GenderMale: "男", casework.GenderFemale: "女"}

var docZH = map[casework.DocType]string{
	casework.DocResidentID: "居民身份证", casework.DocResidentIDLegacy: "居民身份证（15位）",
	casework.DocHKMacaoResidencePermit: "港澳居民居住证", casework.DocTaiwanResidencePermit: "台湾居民居住证",
	casework.DocForeignPermanentResidence: "外国人永久居留身份证", casework.DocPassport: "护照",
}

func (s *Service) date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(s.k.Zone()).Format("2006年1月2日")
}

func (s *Service) clock(t time.Time) string {
	return t.In(s.k.Zone()).Format("2006年1月2日15时04分")
}

// deadlineDate prints an end-of-day deadline as the day it ends.
func (s *Service) deadlineDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return s.date(t.Add(-time.Microsecond))
}

// outOfReach is printed for a person the actor may not read (a reader of a
// shared dispute, in another unit): the document shows no more of them than
// the dispute itself holds.
const outOfReach = "（无权查阅）"

// person is what a document prints of a person: masked unless revealed, and
// nothing beyond outOfReach for a person out of the actor's reach.
func (s *Service) person(ctx context.Context, actor casework.Actor, id string, opt *PrintOptions) (printPerson, error) {
	rec, ok, err := s.k.PersonInReach(ctx, actor, id)
	if err != nil {
		return printPerson{}, err
	}
	if !ok {
		return printPerson{Name: outOfReach}, nil
	}
	num := rec.DocMasked
	if opt != nil && opt.RevealReason != "" && rec.DocIndex != "" {
		p, err := s.k.RevealPerson(ctx, actor, id, opt.RevealReason)
		if err != nil {
			return printPerson{}, err
		}
		num = p.DocNumber
	}
	name := rec.Name
	if rec.Unidentified {
		name = rec.Description
	}
	return printPerson{Name: name, Gender: genderZH[rec.Gender], Birth: s.date(rec.BirthDate), DocType: docZH[rec.DocType],
		DocNumber: num, Address: rec.Address}, nil
}

func (s *Service) parties(ctx context.Context, actor casework.Actor, d Dispute, opt *PrintOptions) ([]printPerson, error) {
	out := make([]printPerson, 0, len(d.Parties))
	for _, p := range d.Parties {
		pp, err := s.person(ctx, actor, p.PersonID, opt)
		if err != nil {
			return nil, err
		}
		pp.Role = "申请人"
		if p.Role == Respondent {
			pp.Role = "被申请人"
		}
		for _, r := range p.Representatives {
			rp, err := s.person(ctx, actor, r.PersonID, opt)
			if err != nil {
				return nil, err
			}
			rp.Role = "委托代理人"
			if r.Role == Guardian {
				rp.Role = "监护人"
			}
			pp.Reps = append(pp.Reps, rp)
		}
		out = append(out, pp)
	}
	return out, nil
}

func (s *Service) staffName(ctx context.Context, id string) (string, error) {
	st, err := s.k.Store().GetStaff(ctx, id)
	if err != nil {
		return "", err
	}
	return st.Name, nil
}

func (s *Service) agreementDoc(ctx context.Context, actor casework.Actor, d Dispute, a Agreement, opt *PrintOptions) (agreementDoc, error) {
	unit, err := s.k.Store().GetUnit(ctx, d.UnitID)
	if err != nil {
		return agreementDoc{}, err
	}
	parties, err := s.parties(ctx, actor, d, opt)
	if err != nil {
		return agreementDoc{}, err
	}
	names := map[string]string{}
	for i, p := range d.Parties {
		names[p.PersonID] = parties[i].Name
		for _, sg := range a.Signatures {
			if sg.PartyID == p.PersonID {
				parties[i].Signed = "已签名（" + s.date(sg.SignedAt) + "）"
			}
		}
	}
	med, err := s.staffName(ctx, a.MediatorID)
	if err != nil {
		return agreementDoc{}, err
	}
	doc := agreementDoc{Title: agreementTitle[d.Kind], Number: d.ID, Organ: unit.Name, Kind: s.k.Codes().Label(ListKind, string(d.Kind)),
		Category: s.k.Codes().Label(ListCategory, d.Category), Parties: parties, Oral: a.Form == Oral, Content: a.Content,
		Facts: a.Facts, Matters: a.Matters, Method: a.PerformanceMethod, Place: a.PerformancePlace,
		Deadline: s.deadlineDate(a.PerformanceDeadline), Confirmable: d.Kind == KindPeople && a.Form == Written,
		Mediator: med, Effective: s.date(a.EffectiveAt)}
	if doc.Oral {
		doc.Title = "口头调解协议记录"
	}
	if a.Signed("", a.MediatorID) {
		doc.MediatorSigned = "已签名"
	}
	for _, r := range a.Responsibilities {
		doc.Responsibilities = append(doc.Responsibilities, printLine{Label: names[r.PartyID], Text: r.Text})
	}
	for _, t := range a.Terms {
		doc.Terms = append(doc.Terms, printLine{Label: names[t.ObligorID], Text: strings.TrimRight(t.Text, "。."), Extra: s.deadlineDate(t.Deadline)})
	}
	return doc, nil
}

func (s *Service) recordDoc(ctx context.Context, actor casework.Actor, d Dispute, sess Session, opt *PrintOptions) (recordDoc, error) {
	unit, err := s.k.Store().GetUnit(ctx, d.UnitID)
	if err != nil {
		return recordDoc{}, err
	}
	parties, err := s.parties(ctx, actor, d, opt)
	if err != nil {
		return recordDoc{}, err
	}
	rec, err := s.staffName(ctx, sess.RecordedBy)
	if err != nil {
		return recordDoc{}, err
	}
	doc := recordDoc{Title: "调解笔录", Number: d.ID, Organ: unit.Name, Time: s.clock(sess.At), Place: sess.Place,
		Category: s.k.Codes().Label(ListCategory, d.Category), Recorder: rec, Parties: parties}
	for _, m := range sess.Mediators {
		name, err := s.staffName(ctx, m.StaffID)
		if err != nil {
			return recordDoc{}, err
		}
		doc.Mediators = append(doc.Mediators, printLine{Label: roleZH[m.Role], Text: name})
	}
	for _, a := range sess.Attendees {
		name := a.Name
		if a.PersonID != "" {
			p, err := s.person(ctx, actor, a.PersonID, nil)
			if err != nil {
				return recordDoc{}, err
			}
			name = p.Name
		}
		doc.Attendees = append(doc.Attendees, printLine{Label: a.Role, Text: name})
	}
	for _, line := range strings.Split(sess.Notes, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			doc.Notes = append(doc.Notes, line)
		}
	}
	return doc, nil
}

const printStyle = `<style>
body{font-family:"SimSun","Songti SC","Noto Serif CJK SC",serif;max-width:46em;margin:2em auto;line-height:1.9;font-size:12pt}
h1{text-align:center;letter-spacing:.3em}h2{font-size:1.05em;margin:1.2em 0 .3em}
.no{text-align:right}.sig{display:inline-block;min-width:10em;border-bottom:1px solid #000;text-align:center}
.seal{text-align:right;margin-top:2em}@media print{body{margin:0}}
</style>`

var agreementTmpl = template.Must(template.New("agreement").Parse(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{.Title}}</title>` + printStyle + `</head>
<body>
<h1>{{.Title}}</h1>
<p class="no">编号：{{.Number}}</p>
<h2>当事人基本情况</h2>
{{range .Parties}}<p>{{.Role}}：{{.Name}}{{with .Gender}}，{{.}}{{end}}{{with .Birth}}，{{.}}出生{{end}}{{with .DocType}}，{{.}}{{end}}{{with .DocNumber}}号码 {{.}}{{end}}{{with .Address}}，住址：{{.}}{{end}}。</p>
{{range .Reps}}<p>　　{{.Role}}：{{.Name}}{{with .DocType}}，{{.}}{{end}}{{with .DocNumber}}号码 {{.}}{{end}}。</p>
{{end}}{{end}}
{{if .Oral}}<h2>口头协议内容</h2>
<p>{{.Content}}</p>
{{else}}<h2>纠纷主要事实</h2>
<p>{{.Facts}}</p>
<h2>争议事项</h2>
<p>{{.Matters}}</p>
<h2>各方当事人责任</h2>
{{range .Responsibilities}}<p>{{.Label}}：{{.Text}}</p>
{{end}}{{end}}
<h2>协议内容</h2>
<p>经{{.Kind}}，当事人自愿达成如下协议：</p>
<ol>
{{range .Terms}}<li>{{if .Label}}{{.Label}}：{{end}}{{.Text}}{{with .Extra}}（于{{.}}前履行）{{end}}。</li>
{{end}}</ol>
{{if not .Oral}}<h2>履行方式、地点和期限</h2>
<p>履行方式：{{.Method}}</p>
{{with .Place}}<p>履行地点：{{.}}</p>
{{end}}<p>履行期限：{{.Deadline}}前履行完毕。</p>
<p>本协议自各方当事人和调解员签名之日起生效。本协议一式若干份，当事人各执一份，调解组织留存一份。</p>
{{if .Confirmable}}<p>当事人可以自本协议生效之日起三十日内共同向人民法院申请司法确认。</p>
{{end}}<h2>签名</h2>
{{range .Parties}}<p>{{.Role}}（签名）：<span class="sig">{{.Signed}}</span>　日期：<span class="sig"></span></p>
{{end}}<p>调解员（签名）：<span class="sig">{{.MediatorSigned}}</span>　（{{.Mediator}}）</p>
{{else}}<p>本口头协议达成即生效。主持调解：{{.Mediator}}</p>
{{end}}<p class="seal">{{.Organ}}（盖章）<br>{{if .Effective}}{{.Effective}}{{else}}　　年　　月　　日{{end}}</p>
</body></html>
`))

var recordTmpl = template.Must(template.New("record").Parse(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{.Title}}</title>` + printStyle + `</head>
<body>
<h1>{{.Title}}</h1>
<p class="no">编号：{{.Number}}</p>
<p>时间：{{.Time}}</p>
<p>地点：{{.Place}}</p>
<p>调解人：{{range $i, $m := .Mediators}}{{if $i}}、{{end}}{{$m.Label}}{{$m.Text}}{{end}}</p>
<p>当事人：{{range $i, $p := .Parties}}{{if $i}}；{{end}}{{$p.Role}}{{$p.Name}}{{end}}</p>
{{with .Attendees}}<p>参加人：{{range $i, $a := .}}{{if $i}}、{{end}}{{$a.Text}}{{with $a.Label}}（{{.}}）{{end}}{{end}}</p>
{{end}}<p>记录人：{{.Recorder}}</p>
<p>纠纷类别：{{.Category}}</p>
<h2>调解经过</h2>
{{range .Notes}}<p>{{.}}</p>
{{end}}<p>以上笔录已向当事人宣读（或经当事人阅看），与所述相符。</p>
<h2>签名</h2>
{{range .Parties}}<p>{{.Role}}（签名）：<span class="sig"></span>　日期：<span class="sig"></span></p>
{{end}}{{range .Mediators}}<p>{{.Label}}（签名）：<span class="sig"></span>　（{{.Text}}）</p>
{{end}}<p class="seal">{{.Organ}}</p>
</body></html>
`))
