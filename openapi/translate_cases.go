package openapi

import (
	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/grassroots-policing/grassroots/openapi/api"
)

// Translators of tag cases: API types to the inputs of package cases and
// its records back to API types. They copy fields and nothing else.

func identifiersIn(in []api.Identifier) []casework.Identifier {
	if in == nil {
		return nil
	}
	return mapSlice(in, func(i api.Identifier) casework.Identifier { return casework.Identifier{Kind: i.Kind, Value: i.Value} })
}

func identifiersOut(in []casework.Identifier) []api.Identifier {
	if in == nil {
		return nil
	}
	return mapSlice(in, func(i casework.Identifier) api.Identifier { return api.Identifier{Kind: i.Kind, Value: i.Value} })
}

// reportIn is the input of a report, and of a lead's conversion (whose
// UnitID may be empty: it defaults to the lead's).
func reportIn(b api.CaseInput, requestKey string) cases.ReportInput {
	return cases.ReportInput{UnitID: b.UnitId, Kind: b.Kind, Summary: b.Summary, IncidentAt: b.IncidentAt, AddressID: b.AddressId,
		Place: b.Place, ReporterID: b.ReporterId, VictimIDs: b.VictimIds, SuspectIDs: b.SuspectIds, ModusOperandi: b.ModusOperandi,
		Items: itemsIn(b.Items), ReportedAt: b.ReportedAt, RequestKey: requestKey}
}

// itemsIn is the input of stolen items, reported or added; nil stays nil.
func itemsIn(in []api.StolenItemInput) []cases.ItemInput {
	if in == nil {
		return nil
	}
	return mapSlice(in, func(i api.StolenItemInput) cases.ItemInput {
		return cases.ItemInput{Category: i.Category, Description: i.Description, Identifiers: identifiersIn(i.Identifiers),
			Quantity: i.Quantity, ValueFen: i.ValueFen, ValueConfirmed: i.ValueConfirmed, OwnerPersonID: i.OwnerPersonId}
	})
}

// correctionIn is the input of a correction: an absent field stays nil
// (kept), an empty list given stays an empty list (cleared).
func correctionIn(b api.CaseCorrectionInput) cases.CorrectInput {
	list := func(p *[]string) []string {
		if p == nil {
			return nil
		}
		if *p == nil {
			return []string{}
		}
		return *p
	}
	return cases.CorrectInput{Kind: b.Kind, Summary: b.Summary, IncidentAt: b.IncidentAt, AddressID: b.AddressId, Place: b.Place,
		ReporterID: b.ReporterId, VictimIDs: list(b.VictimIds), SuspectIDs: list(b.SuspectIds), ModusOperandi: b.ModusOperandi,
		Reason: b.Reason}
}

func caseOut(c cases.Case) api.Case {
	out := api.Case{Id: c.ID, UnitId: c.UnitID, Number: c.Number, Kind: c.Kind, State: api.CaseState(c.State), Summary: c.Summary,
		IncidentAt: c.IncidentAt, AddressId: c.AddressID, Place: c.Place, ReporterId: c.ReporterID, VictimIds: c.VictimIDs,
		SuspectIds: c.SuspectIDs, ModusOperandi: c.ModusOperandi, LeadId: c.LeadID, LeadIds: c.LeadIDs,
		ReportedAt: c.ReportedAt, ReportedBy: c.ReportedBy, FiledAt: c.FiledAt, SolvedAt: c.SolvedAt, ClosedAt: c.ClosedAt,
		DroppedAt: c.DroppedAt, ReopenedAt: c.ReopenedAt, History: transitionsOut(c.History), SharedWith: c.SharedWith,
		Version: c.Version, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	if c.Items != nil {
		out.Items = mapSlice(c.Items, func(i cases.Item) api.CaseItem {
			return api.CaseItem{ItemId: i.ItemID, Category: i.Category, Description: i.Description, Identifiers: identifiersOut(i.Identifiers),
				Quantity: i.Quantity, ValueFen: i.ValueFen, ValueConfirmed: i.ValueConfirmed, OwnerPersonId: i.OwnerPersonID, TracedBy: i.TracedBy}
		})
	}
	if d := c.Dispatch; d != nil {
		out.Dispatch = api.DispatchStep{At: d.At, Officers: d.Officers, Note: d.Note, FiledBy: d.FiledBy, RecordedAt: d.RecordedAt}
	}
	if s := c.Survey; s != nil {
		out.Survey = api.SurveyStep{At: s.At, Identifiers: identifiersOut(s.Identifiers), Description: s.Description,
			ModusOperandi: s.ModusOperandi, SuspectDescription: s.SuspectDescription, By: s.By, RecordedAt: s.RecordedAt}
		if s.Matches != nil {
			out.Survey.Matches = mapSlice(s.Matches, func(m cases.Match) api.CaseMatch {
				return api.CaseMatch{Source: m.Source, Id: m.ID, State: m.State, Score: m.Score, Reasons: m.Reasons}
			})
		}
	}
	if a := c.Analysis; a != nil {
		out.Analysis = api.AnalysisStep{At: a.At, Findings: a.Findings, By: a.By, RecordedAt: a.RecordedAt}
		if a.Shares != nil {
			out.Analysis.Shares = mapSlice(a.Shares, func(s cases.ShareTo) api.CaseShareTo {
				return api.CaseShareTo{ShareId: s.ShareID, UnitId: s.UnitID, Reason: s.Reason}
			})
		}
	}
	if c.Arrests != nil {
		out.Arrests = mapSlice(c.Arrests, func(a cases.Arrest) api.Arrest {
			return api.Arrest{Id: a.ID, SuspectId: a.SuspectID, At: a.At, Place: a.Place, AddressId: a.AddressID, ItemIds: a.ItemIDs, By: a.By, RecordedAt: a.RecordedAt}
		})
	}
	if r := c.Review; r != nil {
		out.Review = api.CaseReviewStep{At: r.At, Findings: r.Findings, By: r.By, RecordedAt: r.RecordedAt}
		if r.Links != nil {
			out.Review.Links = mapSlice(r.Links, func(l cases.Link) api.CaseLink { return api.CaseLink{CaseId: l.CaseID, Reason: l.Reason, Note: l.Note} })
		}
	}
	if d := c.Drop; d != nil {
		out.Drop = api.CaseDrop{Kind: d.Kind, Reason: d.Reason, SupervisorId: d.SupervisorID, At: d.At}
	}
	if c.Corrections != nil {
		out.Corrections = mapSlice(c.Corrections, func(x cases.Correction) api.CaseCorrection {
			return api.CaseCorrection{Action: x.Action, Fields: x.Fields, ItemIds: x.ItemIDs, At: x.At, ActorId: x.ActorID, Reason: x.Reason}
		})
	}
	if c.Handoffs != nil {
		out.Handoffs = mapSlice(c.Handoffs, func(h cases.Handoff) api.CaseHandoff {
			return api.CaseHandoff{Kind: h.Kind, Step: h.Step, ResultId: h.ResultID, At: h.At}
		})
	}
	return out
}

func transitionsOut(in []cases.Transition) []api.CaseTransition {
	return mapSlice(in, func(t cases.Transition) api.CaseTransition {
		return api.CaseTransition{From: t.From, To: t.To, At: t.At, ActorId: t.ActorID, Action: t.Action, Reason: t.Reason}
	})
}

func leadOut(l cases.Lead) api.Lead {
	return api.Lead{Id: l.ID, UnitId: l.UnitID, Source: api.Source{Kind: l.Source.Kind, Id: l.Source.ID, Step: l.Source.Step},
		Summary: l.Summary, AddressId: l.AddressID, PersonIds: l.PersonIDs, FoundAt: l.FoundAt, FoundBy: l.FoundBy,
		State: api.LeadState(l.State), CaseId: l.CaseID, DiscardReason: l.DiscardReason, History: transitionsOut(l.History),
		Version: l.Version, CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt}
}

func overdueCaseOut(o cases.OverdueCase) api.OverdueCase {
	return api.OverdueCase{Case: caseOut(o.Case), Steps: mapSlice(o.Steps, func(s cases.Step) api.CaseStep { return api.CaseStep(s) })}
}

// statesIn converts a state filter; nil stays nil ("any state").
func statesIn[F ~string, T ~string](in []F) []T {
	if in == nil {
		return nil
	}
	return mapSlice(in, func(s F) T { return T(s) })
}
