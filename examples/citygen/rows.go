package main

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/grassroots-policing/grassroots/internal/audit"
	"github.com/grassroots-policing/grassroots/internal/bulkload"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/grassroots-policing/grassroots/recovery"
)

// The rows below are the stores' rows (each workflow's sqlstore: the same
// columns, the same encodings, the same derived columns and side tables),
// and every record's audit entry is the one the service writes when it
// creates the record: the kernel's AuditRecord of (nil → record), at the
// record's creation time, by the staff member who recorded it.

func cols(s string) []string { return strings.Split(strings.ReplaceAll(s, " ", ""), ",") }

var (
	personCols  = cols("id,unit_id,name,gender,birth_date,doc_type,doc_sealed,doc_index,doc_masked,address_id,address,tags,sealed_tags,unidentified,description,version,created_at,updated_at")
	visitCols   = cols("id,unit_id,campaign_id,plan_entry_id,officer_ids,visited_at,address_id,address,community,target_kind,target_key,person_id,organisation,notes,services,aid,findings,hazard_ids,registry_version,recorded_by,version,created_at,updated_at,n_appointment,n_door_to_door,n_errand,n_aid,n_disputes,n_leads")
	officerCols = cols("officer_id,visit_id")
	hazardCols  = cols("id,unit_id,visit_id,address_id,community,place,kind,severity,description,responsible,responsible_person_id,deadline,status,found_by,found_at,rectifying_at,rectified_at,rectified_by,verified_at,verified_by,note,version,created_at,updated_at")
	hzEventCols = cols("hazard_id,version,kind,at,unit_id")
	disputeCols = cols("id,unit_id,state,kind,category,category_top,source,risk,reported_at,accepted_at,settled_at,failed_at,referred_at,closed_at,next_due,body,version,created_at,updated_at")
	refCols     = cols("dispute_id,ref,value")
	caseCols    = cols("id,unit_id,number,kind,state,mo_key,lead_id,reported_at,filed_at,solved_at,closed_at,dropped_at,body,version,created_at,updated_at")
	suspectCols = cols("case_id,person_id")
	// The person indexes a person merge reads (each store's write writes
	// them too).
	casePersonCols  = cols("kind,record_id,person_id")
	visitPersonCols = cols("person_id,visit_id")
	caseIDCols      = cols("case_id,value")
	arrestCols      = cols("id,case_id,unit_id,person_id,at")
	leadCols        = cols("id,unit_id,state,source_kind,source_id,case_id,found_at,body,version,created_at,updated_at")
	counterCols     = cols("unit_id,year,seq")
	itemCols        = cols("id,unit_id,case_id,origin,category,description,identifiers,quantity,value_fen,value_confirmed,owner_person_id,state,stolen_at,stolen_place,recovered_at,recovered_place,hold_until,identified_at,returned_at,unclaimed_at,disposed_at,matched_item_id,return_id,disposal_id,holder_kind,holder_id,holder_name,custody_seq,traces,source,version,created_at,updated_at")
	itemIDCols      = cols("item_id,kind,value")
	custodyCols     = cols("item_id,seq,kind,from_kind,from_id,from_name,to_kind,to_id,to_name,actor_id,unit_id,witness_id,at,reason,item_condition,seal,seal_number,photos,corrects,created_at")
	returnCols      = cols("id,unit_id,item_id,case_id,state,owner_person_id,recipient_person_id,delegate,authorisation,requested_by,requested_at,request_note,decided_by,decided_at,decision_note,event_id,receipt,completed_by,completed_at,identity_checked,attempts,version,created_at,updated_at")
	referralCols    = cols("id,unit_id,visit_id,sensitive,agency,agency_name,request,owner_id,due,status,follow_ups,outcome,outcome_note,closed_at,closed_by,created_by,version,created_at,updated_at")
	outboxCols      = cols("id,kind,source_kind,source_id,step,payload,created_at,attempts,delivered_at,result_id")
	inboxCols       = cols("source_kind,source_id,step,record_type,record_id,created_at")
	eventRowCols    = cols("id,unit_id,name,event_date,place,state,return_ids,results,created_by,held_by,held_at,version,created_at,updated_at")
)

// writer puts rows and audit entries into the loader. A write (a record
// with its side rows and audit entries) is assembled first; finished
// writes are kept until a batch is full, then the batch's audit payloads
// are computed in parallel (the kernel's AuditRecord, the costly part) and
// the writes go to the loader in order, where the chain is sequential.
type writer struct {
	l      *bulkload.Loader
	k      *casework.Kernel
	cur    write
	done   []write
	counts Counts
}

// Counts is how many records of each audited record type were written,
// each with the audit entry of its creation; changes written after a
// record's creation (a finding linked) add entries, not records, so the
// counts add up to at most Result.Records.
type Counts map[string]int64

// Total is the number of records.
func (c Counts) Total() int64 {
	var n int64
	for _, v := range c {
		n += v
	}
	return n
}

func (c Counts) String() string {
	keys := slices.Sorted(maps.Keys(c))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, c[k])
	}
	return strings.Join(parts, ", ")
}

type write struct {
	rows   []row
	audits []auditJob
}

type row struct {
	table string
	cols  []string
	vals  []any
}

type auditJob struct {
	actor                  casework.Actor
	action, recordType, id string
	at                     time.Time
	before, after          any
	// entry is the record's entry before it is chained (casework.ChainNext
	// from an empty head: its payload digest computed on a worker), and
	// payload its payload.
	entry   audit.Entry
	payload []byte
}

// batchWrites is how many writes share one parallel payload computation.
const batchWrites = 4096

func (w *writer) add(table string, cols []string, vals ...any) {
	w.cur.rows = append(w.cur.rows, row{table, cols, vals})
}

// audited adds a record's audit entry: the kernel's AuditRecord of (nil →
// after) by actor, at the record's creation time.
func (w *writer) audited(actor casework.Actor, action, recordType, id string, at time.Time, after any) {
	w.cur.audits = append(w.cur.audits, auditJob{actor: actor, action: action, recordType: recordType, id: id, at: at, after: after})
	w.counts[recordType]++
}

// changed adds the audit entry of a change to a record already counted:
// the kernel's AuditRecord of (before → after) by actor at at.
func (w *writer) changed(actor casework.Actor, action, recordType, id string, at time.Time, before, after any) {
	w.cur.audits = append(w.cur.audits, auditJob{actor: actor, action: action, recordType: recordType, id: id, at: at, before: before,
		after: after})
}

// finish ends the write being assembled.
func (w *writer) finish(ctx context.Context) error {
	w.done = append(w.done, w.cur)
	w.cur = write{}
	if len(w.done) >= batchWrites {
		return w.drain(ctx)
	}
	return nil
}

// drain computes the pending writes' audit payloads and JSON columns on
// every core, then hands rows and entries to the loader in order.
func (w *writer) drain(ctx context.Context) error {
	workers := runtime.GOMAXPROCS(0)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for n := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := n; i < len(w.done); i += workers {
				wr := &w.done[i]
				// The rows' JSON columns are encoded here, on every
				// core, rather than by the loader on this one.
				for _, r := range wr.rows {
					for c, v := range r.vals {
						if dv, ok := v.(driver.Valuer); ok {
							x, err := dv.Value()
							if err != nil {
								errs[n] = fmt.Errorf("%s.%s: %w", r.table, r.cols[c], err)
								return
							}
							r.vals[c] = x
						}
					}
				}
				for k := range wr.audits {
					j := &wr.audits[k]
					rec, err := w.k.AuditRecord(ctx, j.actor, casework.Action(j.action), j.recordType, j.id, j.before, j.after)
					if err != nil {
						errs[n] = err
						return
					}
					// The kernel stamps its clock's time; the record was
					// written at its own.
					rec.Time = casework.Truncate(j.at)
					j.entry, j.payload = casework.ChainNext(audit.Head{}, rec), rec.Payload
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, wr := range w.done {
		for _, r := range wr.rows {
			if err := w.l.Add(r.table, r.cols, r.vals...); err != nil {
				return err
			}
		}
		for _, j := range wr.audits {
			// audit.Next chains the entry after h as ChainNext would: it
			// sets what follows from h and keeps the rest.
			if err := w.l.Audit(func(h audit.Head) audit.Entry { return audit.Next(h, j.entry) }, j.payload); err != nil {
				return err
			}
		}
		if err := w.l.Done(ctx); err != nil {
			return err
		}
	}
	w.done = w.done[:0]
	return nil
}

// close drains what is pending and closes the loader with a last
// checkpoint at last.
func (w *writer) close(ctx context.Context, last time.Time) error {
	if err := w.drain(ctx); err != nil {
		return err
	}
	return w.l.Close(ctx, last)
}

func (w *writer) person(ctx context.Context, by casework.Actor, p casework.PersonRecord) error {
	w.add("persons", personCols, p.ID, p.UnitID, p.Name, p.Gender, sqlx.T(p.BirthDate), p.DocType, p.DocSealed,
		sqlx.S(p.DocIndex), sqlx.S(p.DocMasked), sqlx.S(p.AddressID),
		sqlx.S(p.Address), sqlx.List(p.Tags), p.SealedTags, p.Unidentified, sqlx.S(p.Description), p.Version, sqlx.T(p.CreatedAt),
		sqlx.T(p.UpdatedAt))
	view := casework.Person{ID: p.ID, UnitID: p.UnitID, Name: p.Name, Gender: p.Gender, BirthDate: p.BirthDate, DocType: p.DocType,
		DocNumber: p.DocMasked, AddressID: p.AddressID, Address: p.Address, Tags: slices.Clone(p.Tags),
		Unidentified: p.Unidentified, Description: p.Description, Version: p.Version, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	w.audited(by, "person.create", "person", p.ID, p.CreatedAt, view)
	return w.finish(ctx)
}

func (w *writer) visit(ctx context.Context, by casework.Actor, v outreach.Visit, hazards []outreach.Hazard, referrals []outreach.Referral,
	handoffs []casework.OutboxMessage) error {
	w.add("outreach_visits", visitCols, v.ID, v.UnitID, sqlx.S(v.CampaignID), sqlx.S(v.PlanEntryID),
		sqlx.List(v.OfficerIDs), v.VisitedAt.UnixMicro(), sqlx.S(v.AddressID), sqlx.S(v.Address), sqlx.S(v.Community),
		string(v.TargetKind), v.TargetKey, sqlx.S(v.PersonID), sqlx.S(v.Organisation), sqlx.S(v.Notes), sqlx.JSON{V: v.Services},
		sqlx.JSON{V: v.Aid}, sqlx.JSON{V: v.Findings}, sqlx.JSON{V: v.HazardIDs}, v.RegistryVersion, v.RecordedBy, v.Version,
		sqlx.T(v.CreatedAt), sqlx.T(v.UpdatedAt), v.Count(outreach.ServiceAppointment), v.Count(outreach.ServiceDoorToDoor),
		v.Count(outreach.ServiceErrand), len(v.Aid), v.CountFindings(outreach.FindingDispute), v.CountFindings(outreach.FindingLead))
	for _, o := range v.OfficerIDs {
		w.add("outreach_visit_officers", officerCols, o, v.ID)
	}
	for _, p := range v.PersonRefs() {
		w.add("outreach_visit_persons", visitPersonCols, p, v.ID)
	}
	for _, m := range handoffs {
		w.outbox(m)
	}
	// The service audits a visit's hazards before the visit, in one write.
	for _, h := range hazards {
		w.hazard(by, h)
	}
	// The visit is recorded with its findings unlinked; each hand-off's
	// delivery then links its finding to the record the receiver created,
	// as the system (outreach's linkFinding), one version each.
	cur := v.Clone()
	cur.Version, cur.UpdatedAt = 1, v.CreatedAt
	for i := range cur.Findings {
		cur.Findings[i].ResultID, cur.Findings[i].LinkedAt = "", time.Time{}
	}
	w.audited(by, "visit.record", outreach.RecordVisit, v.ID, v.CreatedAt, cur)
	sys := casework.Actor{StaffID: casework.SystemActorID, UnitID: v.UnitID}
	for i, f := range v.Findings {
		next := cur.Clone()
		next.Findings[i].ResultID, next.Findings[i].LinkedAt = f.ResultID, f.LinkedAt
		next.Version, next.UpdatedAt = cur.Version+1, f.LinkedAt
		w.changed(sys, "visit.link_finding", outreach.RecordVisit, v.ID, f.LinkedAt, cur, next)
		cur = next
	}
	// A referral is its own write after the visit's (outreach.Refer); its
	// entry is the creation's, of the referral as it stands at the end of
	// the history (closed, or chased), as a hazard's is.
	for _, r := range referrals {
		w.add("outreach_referrals", referralCols, r.ID, r.UnitID, r.VisitID, r.Sensitive, string(r.Agency), sqlx.S(r.AgencyName),
			r.Request, r.OwnerID, r.Due.UnixMicro(), string(r.Status), sqlx.JSON{V: r.FollowUps}, sqlx.S(string(r.Outcome)),
			sqlx.S(r.OutcomeNote), sqlx.T(r.ClosedAt), sqlx.S(r.ClosedBy), r.CreatedBy, r.Version, r.CreatedAt.UnixMicro(), sqlx.T(r.UpdatedAt))
		w.audited(by, "referral.create", outreach.RecordReferral, r.ID, r.CreatedAt, r)
	}
	return w.finish(ctx)
}

func (w *writer) hazard(by casework.Actor, h outreach.Hazard) {
	w.add("outreach_hazards", hazardCols, h.ID, h.UnitID, sqlx.S(h.VisitID), sqlx.S(h.AddressID), sqlx.S(h.Community),
		h.Place, h.Kind, string(h.Severity), h.Description, h.Responsible, sqlx.S(h.ResponsiblePersonID), sqlx.T(h.Deadline),
		string(h.Status), h.FoundBy, h.FoundAt.UnixMicro(), sqlx.T(h.RectifyingAt), sqlx.T(h.RectifiedAt), sqlx.S(h.RectifiedBy),
		sqlx.T(h.VerifiedAt), sqlx.S(h.VerifiedBy), sqlx.S(h.Note), h.Version, sqlx.T(h.CreatedAt), sqlx.T(h.UpdatedAt))
	// The counted history: the fix was recorded at version 3 (found,
	// rectifying, rectified), as the service's moves write it.
	if !h.RectifiedAt.IsZero() {
		w.add("outreach_hazard_events", hzEventCols, h.ID, int64(3), string(outreach.HazardEventRectified),
			h.RectifiedAt.UnixMicro(), h.UnitID)
	}
	w.audited(by, "hazard.report", outreach.RecordHazard, h.ID, h.CreatedAt, h)
}

func (w *writer) dispute(ctx context.Context, by casework.Actor, d mediation.Dispute) error {
	b := d.Clone()
	b.ID, b.UnitID, b.State, b.Kind, b.Category, b.Source, b.Risk = "", "", "", "", "", "", ""
	b.ReportedAt, b.AcceptedAt, b.SettledAt, b.FailedAt, b.ReferredAt, b.ClosedAt, b.NextDue = time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}
	b.Version, b.CreatedAt, b.UpdatedAt = 0, time.Time{}, time.Time{}
	// The bodies are encoded with the JSON columns, on the workers.
	w.add("mediation_disputes", disputeCols, d.ID, d.UnitID, string(d.State), string(d.Kind), d.Category,
		mediation.CategoryTop(d.Category), d.Source, string(d.Risk), sqlx.T(d.ReportedAt), sqlx.T(d.AcceptedAt), sqlx.T(d.SettledAt),
		sqlx.T(d.FailedAt), sqlx.T(d.ReferredAt), sqlx.T(d.ClosedAt), sqlx.T(d.NextDue), sqlx.JSON{V: b}, d.Version, sqlx.T(d.CreatedAt),
		sqlx.T(d.UpdatedAt))
	for _, ref := range []struct {
		kind string
		vals []string
	}{{"party_doc", d.PartyDocIndex}, {"assigned", d.Assigned}, {"person", d.PersonIDs()}} {
		for _, v := range slices.Compact(slices.Sorted(slices.Values(ref.vals))) {
			w.add("mediation_dispute_refs", refCols, d.ID, ref.kind, v)
		}
	}
	view := d.Clone()
	view.PartyDocIndex = nil
	action := "dispute.report"
	if o := d.Origin; o != nil {
		// Handed over by a visit: mediation's intake received it.
		action = "mediation.intake"
		w.inbox(casework.InboxEntry{SourceKind: o.Kind, SourceID: o.ID, Step: o.Step, RecordType: mediation.RecordType, RecordID: d.ID,
			CreatedAt: d.CreatedAt})
	}
	w.audited(by, action, mediation.RecordType, d.ID, d.CreatedAt, view)
	return w.finish(ctx)
}

func (w *writer) caseRow(ctx context.Context, by casework.Actor, x cases.Case, outboxID string) error {
	x.SharedWith = nil
	w.add("case_cases", caseCols, x.ID, x.UnitID, sqlx.S(x.Number), x.Kind, string(x.State), sqlx.S(x.MOKey()),
		sqlx.S(x.LeadID), sqlx.T(x.ReportedAt), sqlx.T(x.FiledAt), sqlx.T(x.SolvedAt), sqlx.T(x.ClosedAt), sqlx.T(x.DroppedAt),
		sqlx.JSON{V: x}, x.Version, sqlx.T(x.CreatedAt), sqlx.T(x.UpdatedAt))
	for _, p := range x.SuspectKeys() {
		w.add("case_suspects", suspectCols, x.ID, p)
	}
	for _, p := range x.PersonRefs() {
		w.add("case_person_refs", casePersonCols, "case", x.ID, p)
	}
	for _, v := range x.IdentifierKeys() {
		w.add("case_identifiers", caseIDCols, x.ID, v)
	}
	for _, a := range x.Arrests {
		w.add("case_arrests", arrestCols, a.ID, x.ID, x.UnitID, a.SuspectID, sqlx.T(a.At))
	}
	w.audited(by, string(cases.ActionReport), cases.RecordCase, x.ID, x.CreatedAt, x)
	// The report's stolen items go to recovery by the outbox; recovery's
	// RegisterStolen receives them at once (its inbox mark, audited as a
	// receipt) and creates the items, written after the case.
	for _, h := range x.Handoffs {
		src := casework.Source{Kind: cases.RecordCase, ID: x.ID, Step: h.Step}
		items := make([]casework.StolenItem, len(x.Items))
		for i, it := range x.Items {
			items[i] = casework.StolenItem{ItemID: it.ItemID, Category: it.Category, Description: it.Description,
				Identifiers: slices.Clone(it.Identifiers), Quantity: it.Quantity, ValueFen: it.ValueFen, ValueConfirmed: it.ValueConfirmed,
				OwnerPersonID: it.OwnerPersonID}
		}
		payload, err := json.Marshal(casework.StolenItems{Source: src, Actor: by, UnitID: x.UnitID, CaseID: x.ID, StolenAt: x.IncidentAt,
			Place: x.Place, AddressID: x.AddressID, Items: items})
		if err != nil {
			return err
		}
		w.outbox(casework.OutboxMessage{ID: outboxID, Kind: h.Kind, SourceKind: src.Kind, SourceID: src.ID, Step: src.Step, Payload: payload,
			CreatedAt: x.CreatedAt, Attempts: 1, DeliveredAt: h.At, ResultID: h.ResultID})
		in := casework.InboxEntry{SourceKind: src.Kind, SourceID: src.ID, Step: src.Step, RecordType: cases.RecordCase, RecordID: h.ResultID,
			CreatedAt: h.At}
		w.inbox(in)
		w.audited(by, "recovery.handoff.receive", recovery.RecordHandoff, in.SourceKind+"/"+in.SourceID+"/"+in.Step, h.At, in)
	}
	return w.finish(ctx)
}

// outbox writes a hand-off as the kernel's store does, delivered: its
// attempt, delivery time and the receiver's answer.
func (w *writer) outbox(m casework.OutboxMessage) {
	w.add("outbox", outboxCols, m.ID, m.Kind, m.SourceKind, m.SourceID, m.Step, string(m.Payload), sqlx.T(m.CreatedAt), int64(m.Attempts),
		sqlx.T(m.DeliveredAt), sqlx.S(m.ResultID))
}

// inbox writes a receiver's mark of a hand-off received, in the write of
// the record it created.
func (w *writer) inbox(in casework.InboxEntry) {
	w.add("inbox", inboxCols, in.SourceKind, in.SourceID, in.Step, in.RecordType, in.RecordID, sqlx.T(in.CreatedAt))
}

func (w *writer) lead(ctx context.Context, by casework.Actor, l cases.Lead) error {
	w.inbox(casework.InboxEntry{SourceKind: l.Source.Kind, SourceID: l.Source.ID, Step: l.Source.Step, RecordType: cases.RecordLead,
		RecordID: l.ID, CreatedAt: l.CreatedAt})
	w.add("case_leads", leadCols, l.ID, l.UnitID, string(l.State), l.Source.Kind, sqlx.S(l.Source.ID), sqlx.S(l.CaseID),
		sqlx.T(l.FoundAt), sqlx.JSON{V: l}, l.Version, sqlx.T(l.CreatedAt), sqlx.T(l.UpdatedAt))
	for _, p := range l.PersonRefs() {
		w.add("case_person_refs", casePersonCols, "lead", l.ID, p)
	}
	w.audited(by, string(cases.ActionLeadCreate), cases.RecordLead, l.ID, l.CreatedAt, l)
	return w.finish(ctx)
}

func (w *writer) counter(ctx context.Context, unitID string, year int, seq int64) error {
	w.add("case_counters", counterCols, unitID, int64(year), seq)
	return w.finish(ctx)
}

func (w *writer) item(ctx context.Context, by casework.Actor, it recovery.Item, custody []recovery.CustodyEntry) error {
	w.add("recovery_items", itemCols, it.ID, it.UnitID, sqlx.S(it.CaseID), string(it.Origin), it.Category,
		it.Description, sqlx.List(it.Identifiers), it.Quantity, it.ValueFen, it.ValueConfirmed, sqlx.S(it.OwnerPersonID), string(it.State),
		sqlx.T(it.StolenAt), sqlx.S(it.StolenPlace), sqlx.T(it.RecoveredAt), sqlx.S(it.RecoveredPlace), sqlx.T(it.HoldUntil),
		sqlx.T(it.IdentifiedAt), sqlx.T(it.ReturnedAt), sqlx.T(it.UnclaimedAt), sqlx.T(it.DisposedAt), sqlx.S(it.MatchedItemID),
		sqlx.S(it.ReturnID), sqlx.S(it.DisposalID), sqlx.S(string(it.Holder.Kind)), sqlx.S(it.Holder.ID), sqlx.S(it.Holder.Name),
		it.CustodySeq, sqlx.List(it.Traces), sqlx.JSON{V: it.Source}, it.Version, sqlx.T(it.CreatedAt), sqlx.T(it.UpdatedAt))
	seen := map[casework.Identifier]bool{}
	for _, id := range it.Identifiers {
		if seen[id] {
			continue
		}
		seen[id] = true
		w.add("recovery_item_identifiers", itemIDCols, it.ID, id.Kind, id.Value)
	}
	for _, e := range custody {
		w.add("recovery_custody", custodyCols, e.ItemID, e.Seq, string(e.Kind), sqlx.S(string(e.From.Kind)),
			sqlx.S(e.From.ID), sqlx.S(e.From.Name), string(e.To.Kind), sqlx.S(e.To.ID), sqlx.S(e.To.Name), e.ActorID, e.UnitID,
			sqlx.S(e.WitnessID), sqlx.T(e.At), e.Reason, e.Condition, string(e.Seal), sqlx.S(e.SealNumber), sqlx.List(e.Photos), e.Corrects,
			sqlx.T(e.CreatedAt))
	}
	w.audited(by, string(recovery.ActionReport), recovery.RecordItem, it.ID, it.CreatedAt, it)
	for _, e := range custody {
		id := fmt.Sprintf("%s#%d", e.ItemID, e.Seq)
		w.audited(by, string(recovery.ActionMove), recovery.RecordCustody, id, e.CreatedAt, e)
	}
	return w.finish(ctx)
}

func (w *writer) returnRow(ctx context.Context, by casework.Actor, r recovery.Return) error {
	w.add("recovery_returns", returnCols, r.ID, r.UnitID, r.ItemID, sqlx.S(r.CaseID), string(r.State),
		sqlx.S(r.OwnerPersonID), r.RecipientPersonID, r.Delegate, sqlx.JSON{V: r.Authorisation}, r.RequestedBy, sqlx.T(r.RequestedAt),
		sqlx.S(r.RequestNote), sqlx.S(r.DecidedBy), sqlx.T(r.DecidedAt), sqlx.S(r.DecisionNote), sqlx.S(r.EventID),
		sqlx.JSON{V: r.Receipt}, sqlx.S(r.CompletedBy), sqlx.T(r.CompletedAt), r.IdentityChecked, sqlx.List(r.Attempts), r.Version,
		sqlx.T(r.CreatedAt), sqlx.T(r.UpdatedAt))
	w.audited(by, string(recovery.ActionRequestReturn), recovery.RecordReturn, r.ID, r.CreatedAt, r)
	return w.finish(ctx)
}

func (w *writer) event(ctx context.Context, by casework.Actor, e recovery.Event) error {
	w.add("recovery_events", eventRowCols, e.ID, e.UnitID, e.Name, sqlx.T(e.Date), e.Place, string(e.State),
		sqlx.List(e.ReturnIDs), sqlx.List(e.Results), e.CreatedBy, sqlx.S(e.HeldBy), sqlx.T(e.HeldAt), e.Version, sqlx.T(e.CreatedAt),
		sqlx.T(e.UpdatedAt))
	w.audited(by, string(recovery.ActionEvent), recovery.RecordEvent, e.ID, e.CreatedAt, e)
	return w.finish(ctx)
}
