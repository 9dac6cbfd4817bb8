// Package cases is the small property-crime case workflow of grassroots
// (侵财小案 "五快五同步"): five fast steps, each paired with what must happen
// at the same time, so that a theft of a bicycle or a bird cage is worked
// as quickly as a serious case.
//
// # Cases
//
// A case is reported (报案) with its kind, incident time and place, the
// persons involved and its stolen items; the items get ids at once and are
// handed to the stolen-property register (package recovery) through the
// outbox, after the register has checked them (casework.PropertyLedger's
// CheckStolen), so that a found e-bike can be matched to its theft before
// anyone is arrested.
//
// # States and steps
//
//	reported → filed → investigating → solved → closed
//	reported | filed | investigating → dropped
//
// Dropped from reported is 不立案 and uses no case number; from filed or
// investigating it is 撤案 and keeps it. The five paired steps are single
// operations of Service, each allowed only in the states StepStates lists:
//
//   - DispatchAndFile (快处警·同步立案): reported → filed, numbering the case
//     "<unit code>-<year>-<6-digit sequence>" without gaps;
//   - Survey (快勘查·同步比对): the scene survey, compared at once with the
//     property register and the open cases in reach; filed → investigating;
//   - AnalyseAndShare (快研判·同步共享): the analysis, and read-only kernel
//     shares of the case with named units, committed together;
//   - Arrest (快抓捕·同步挽损): an arrest, marking every stolen item traced
//     through the outbox; the first arrest solves the case;
//   - Review (快倒查·同步跟踪): after solving, the review and the cases it
//     links for tracking.
//
// Targets set how fast each step should follow the report; Overdue lists
// the cases with a step past its target. Leads (线索) — from an outreach
// visit (casework.KindLeadFinding), a tip or another case — move new →
// verified → converted (into a linked case) or discarded.
//
// # Who may do what, and what is audited
//
// Officers, community officers and supervisors report, run the steps, close
// and handle leads; only supervisors drop and reopen. Every role reads
// within its reach; a unit a case is shared with reads it and nothing
// more. Every change commits with its audit entry (case.report,
// case.dispatch_file, …, lead.discard) in one transaction, and each state
// change is kept in the record's History with its actor, time and reason.
//
// # Corrections
//
// Before a case is closed its facts are corrected (Correct, under the
// report's rules) and stolen items added (AddItems: the report's item rule
// and the property ledger's own CheckStolen, then handed to recovery as a
// batch of their own); each needs a reason and joins the case's
// Corrections (case.correct, case.add_items). A supervisor reopens a closed
// case with a reason (Reopen: closed → solved, case.reopen). No correction
// moves a past period's figures: the filing, solving and first closing
// dates stay, and closing again keeps the first closing date.
//
// # Embedding
//
//	k, _ := casework.New(kernelStore, nil)
//	svc, _ := cases.New(k, memstore.New(db), nil) // or sqlstore.New(kernelSQL)
//	svc.Connect(recoveryService)                  // the property ledger
//	c, err := svc.Report(ctx, actor, cases.ReportInput{…})
package cases
