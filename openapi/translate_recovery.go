package openapi

import (
	"context"
	"strconv"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/openapi/api"
	"github.com/grassroots-policing/grassroots/recovery"
)

// Translators of tag recovery: API types to the recovery package's inputs
// and its records back. They copy fields and convert types, nothing else.

// wantsHTML reports whether the client prefers the printable return list
// (text/html) to JSON.
func wantsHTML(ctx context.Context) bool { return prefers(ctx, "text/html") }

// matchLimit reads the limit of matchItem: the spec's default 20, and 1…200.
func matchLimit(limit *int) (int, error) {
	if limit == nil {
		return 20, nil
	}
	if *limit < 1 || *limit > maxLimit {
		return 0, badRequest("limit", "max", "must be between 1 and "+strconv.Itoa(maxLimit))
	}
	return *limit, nil
}

func holderIn(h api.Holder) recovery.Holder {
	return recovery.Holder{Kind: recovery.HolderKind(h.Kind), ID: h.Id, Name: h.Name}
}

func holderOut(h recovery.Holder) api.Holder {
	return api.Holder{Kind: api.HolderKind(h.Kind), Id: h.ID, Name: h.Name}
}

// maybeAttachmentIn is nil for an attachment the body left out (a receipt,
// an authorisation, a disposal's document are optional in the library).
func maybeAttachmentIn(a api.Attachment) *casework.Attachment {
	if a == (api.Attachment{}) {
		return nil
	}
	in := attachmentIn(a)
	return &in
}

// maybeAttachmentOut leaves a missing attachment out of the response.
func maybeAttachmentOut(a *casework.Attachment) api.Attachment {
	if a == nil {
		return api.Attachment{}
	}
	return attachmentOut(*a)
}

// custodyDetails gathers the details every custody entry records, which
// the API's inputs carry flat.
func custodyDetails(witness string, at time.Time, reason, condition string, seal api.SealState, sealNumber string, photos []string) recovery.CustodyDetails {
	return recovery.CustodyDetails{WitnessID: witness, At: at, Reason: reason, Condition: condition,
		Seal: recovery.SealState(seal), SealNumber: sealNumber, Photos: photos}
}

func recoveryIn(b api.RecoveryInput) recovery.RecoveryInput {
	return recovery.RecoveryInput{Place: b.Place, From: b.From, To: holderIn(b.To),
		CustodyDetails: custodyDetails(b.WitnessId, b.At, b.Reason, b.Condition, b.Seal, b.SealNumber, b.Photos)}
}

func stolenIn(b api.StolenInput, key string) recovery.StolenInput {
	return recovery.StolenInput{ItemInput: recovery.ItemInput{UnitID: b.UnitId, CaseID: b.CaseId, Category: b.Category,
		Description: b.Description, Identifiers: identifiersIn(b.Identifiers), Quantity: b.Quantity, ValueFen: b.ValueFen,
		ConfirmLargeValue: b.ConfirmLargeValue, OwnerPersonID: b.OwnerPersonId},
		StolenAt: b.StolenAt, StolenPlace: b.StolenPlace, RequestKey: key}
}

func foundIn(b api.FoundInput, key string) recovery.FoundInput {
	return recovery.FoundInput{ItemInput: recovery.ItemInput{UnitID: b.UnitId, CaseID: b.CaseId, Category: b.Category,
		Description: b.Description, Identifiers: identifiersIn(b.Identifiers), Quantity: b.Quantity, ValueFen: b.ValueFen,
		ConfirmLargeValue: b.ConfirmLargeValue, OwnerPersonID: b.OwnerPersonId},
		RecoveryInput: recoveryIn(api.RecoveryInput{Place: b.Place, From: b.From, To: b.To, WitnessId: b.WitnessId, At: b.At,
			Reason: b.Reason, Condition: b.Condition, Seal: b.Seal, SealNumber: b.SealNumber, Photos: b.Photos}),
		RequestKey: key}
}

func handoverIn(h api.Handover) recovery.Handover {
	return recovery.Handover{ReturnID: h.ReturnId, Absent: h.Absent, Reason: h.Reason,
		RecipientDocType: casework.DocType(h.RecipientDocType), RecipientDocNumber: h.RecipientDocNumber,
		OwnerDocType: casework.DocType(h.OwnerDocType), OwnerDocNumber: h.OwnerDocNumber,
		Receipt: maybeAttachmentIn(h.Receipt), WitnessID: h.WitnessId, Condition: h.Condition, Photos: h.Photos}
}

func itemOut(it recovery.Item) api.PropertyItem {
	return api.PropertyItem{Id: it.ID, UnitId: it.UnitID, CaseId: it.CaseID, Origin: api.ItemOrigin(it.Origin),
		Category: it.Category, Nibrs: it.NIBRS, Description: it.Description, Identifiers: identifiersOut(it.Identifiers),
		Quantity: it.Quantity, ValueFen: it.ValueFen, ValueConfirmed: it.ValueConfirmed, OwnerPersonId: it.OwnerPersonID,
		State: api.ItemState(it.State), StolenAt: it.StolenAt, StolenPlace: it.StolenPlace,
		RecoveredAt: it.RecoveredAt, RecoveredPlace: it.RecoveredPlace, HoldUntil: it.HoldUntil,
		IdentifiedAt: it.IdentifiedAt, ReturnedAt: it.ReturnedAt, UnclaimedAt: it.UnclaimedAt, DisposedAt: it.DisposedAt,
		MatchedItemId: it.MatchedItemID, ReturnId: it.ReturnID, DisposalId: it.DisposalID,
		Holder: holderOut(it.Holder), CustodySeq: it.CustodySeq,
		Traces: mapSlice(it.Traces, func(t recovery.Trace) api.PropertyTrace {
			return api.PropertyTrace{CaseId: t.CaseID, ArrestId: t.ArrestID, At: t.At}
		}),
		Source:  api.Source{Kind: it.Source.Kind, Id: it.Source.ID, Step: it.Source.Step},
		Version: it.Version, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt}
}

func custodyOut(e recovery.CustodyEntry) api.CustodyEntry {
	return api.CustodyEntry{ItemId: e.ItemID, Seq: e.Seq, Kind: api.CustodyEntryKind(e.Kind),
		From: holderOut(e.From), To: holderOut(e.To), ActorId: e.ActorID, UnitId: e.UnitID, WitnessId: e.WitnessID,
		At: e.At, Reason: e.Reason, Condition: e.Condition, Seal: api.SealState(e.Seal), SealNumber: e.SealNumber,
		Photos: e.Photos, Corrects: e.Corrects, CreatedAt: e.CreatedAt}
}

func matchOut(m recovery.PropertyMatch) api.PropertyMatch {
	return api.PropertyMatch{ItemId: m.ItemID, State: m.State, Score: m.Score, Reasons: m.Reasons}
}

func returnOut(r recovery.Return) api.Return {
	return api.Return{Id: r.ID, UnitId: r.UnitID, ItemId: r.ItemID, CaseId: r.CaseID, State: api.ReturnState(r.State),
		OwnerPersonId: r.OwnerPersonID, RecipientPersonId: r.RecipientPersonID, Delegate: r.Delegate,
		Authorisation: maybeAttachmentOut(r.Authorisation), RequestedBy: r.RequestedBy, RequestedAt: r.RequestedAt,
		RequestNote: r.RequestNote, DecidedBy: r.DecidedBy, DecidedAt: r.DecidedAt, DecisionNote: r.DecisionNote,
		EventId: r.EventID, Receipt: maybeAttachmentOut(r.Receipt), CompletedBy: r.CompletedBy, CompletedAt: r.CompletedAt,
		IdentityChecked: r.IdentityChecked,
		Attempts: mapSlice(r.Attempts, func(a recovery.Attempt) api.Attempt {
			return api.Attempt{At: a.At, EventId: a.EventID, ActorId: a.ActorID, Reason: a.Reason}
		}),
		Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func disposalOut(d recovery.Disposal) api.Disposal {
	return api.Disposal{Id: d.ID, UnitId: d.UnitID, ItemId: d.ItemID, Method: api.DisposalMethod(d.Method),
		State: api.DisposalState(d.State), Reason: d.Reason, RequestedBy: d.RequestedBy, RequestedAt: d.RequestedAt,
		DecidedBy: d.DecidedBy, DecidedAt: d.DecidedAt, DecisionNote: d.DecisionNote, ProceedsFen: d.ProceedsFen,
		Recipient: d.Recipient, Document: maybeAttachmentOut(d.Document), CompletedBy: d.CompletedBy, CompletedAt: d.CompletedAt,
		Version: d.Version, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

func eventOut(e recovery.Event) api.ReturnEvent {
	return api.ReturnEvent{Id: e.ID, UnitId: e.UnitID, Name: e.Name, Date: e.Date, Place: e.Place,
		State: api.ReturnEventState(e.State), ReturnIds: e.ReturnIDs,
		Results: mapSlice(e.Results, func(r recovery.EventResult) api.ReturnEventResult {
			return api.ReturnEventResult{ReturnId: r.ReturnID, ItemId: r.ItemID, Returned: r.Returned, Reason: r.Reason,
				Receipt: maybeAttachmentOut(r.Receipt)}
		}),
		CreatedBy: e.CreatedBy, HeldBy: e.HeldBy, HeldAt: e.HeldAt,
		Version: e.Version, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
}

func returnListOut(l recovery.ReturnList) api.ReturnList {
	return api.ReturnList{Title: l.Title, UnitId: l.UnitID, UnitName: l.UnitName, CaseId: l.CaseID,
		EventId: l.EventID, EventName: l.EventName, EventPlace: l.EventPlace, EventDate: l.EventDate,
		GeneratedAt: l.GeneratedAt, TotalQuantity: l.TotalQuantity, TotalValueFen: l.TotalValueFen,
		ReturnedValueFen: l.ReturnedValue, Returned: l.Returned,
		Rows: mapSlice(l.Rows, func(r recovery.ReturnListRow) api.ReturnListRow {
			return api.ReturnListRow{No: r.No, ItemId: r.ItemID, CaseId: r.CaseID, Category: r.Category, Nibrs: r.NIBRS,
				CategoryLabel: r.CategoryLabel, Description: r.Description, Identifiers: r.Identifiers,
				Quantity: r.Quantity, ValueFen: r.ValueFen, ItemState: api.ItemState(r.ItemState), StateLabel: r.StateLabel,
				OwnerName: r.OwnerName, OwnerDoc: r.OwnerDoc, ReturnId: r.ReturnID, ReturnState: api.ReturnState(r.ReturnState),
				RecipientName: r.RecipientName, RecipientDoc: r.RecipientDoc, Delegate: r.Delegate,
				ReturnedAt: r.ReturnedAt, ReceiptSha256: r.ReceiptSHA256, Note: r.Note}
		})}
}
