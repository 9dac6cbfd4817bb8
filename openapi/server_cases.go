package openapi

import (
	"context"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/grassroots-policing/grassroots/openapi/api"
)

// The operations of tag cases: small property-crime cases (侵财小案), their five paired steps and leads.

func (s *server) ReportCase(ctx context.Context, r api.ReportCaseRequestObject) (api.ReportCaseResponseObject, error) {
	c, err := s.cases.Report(ctx, actorOf(ctx), reportIn(*r.Body, requestKey(r.Params.IdempotencyKey)))
	if err != nil {
		return nil, err
	}
	return api.ReportCase201JSONResponse{Body: caseOut(c), Headers: api.ReportCase201ResponseHeaders{ETag: etag(c.Version), Location: location(ctx, "/v1/cases/"+c.ID)}}, nil
}

func (s *server) ListCases(ctx context.Context, r api.ListCasesRequestObject) (api.ListCasesResponseObject, error) {
	p, err := page(r.Params.Limit, r.Params.Cursor)
	if err != nil {
		return nil, err
	}
	q := cases.Query{UnitID: deref(r.Params.UnitId), States: statesIn[api.CaseState, cases.State](r.Params.State), Kind: deref(r.Params.Kind),
		ReportedFrom: deref(r.Params.ReportedFrom), ReportedTo: deref(r.Params.ReportedTo),
		SuspectDocType: casework.DocType(deref(r.Params.SuspectDocType)), SuspectDocNumber: deref(r.Params.SuspectDocNumber),
		Identifier: deref(r.Params.Identifier), Page: p}
	cs, next, err := s.cases.List(ctx, actorOf(ctx), q)
	if err != nil {
		return nil, err
	}
	return api.ListCases200JSONResponse{Items: mapSlice(cs, caseOut), Next: next}, nil
}

// ListOverdueCases lists the cases with a step overdue now, by the kernel's
// clock (the one the services stamp records with).
func (s *server) ListOverdueCases(ctx context.Context, r api.ListOverdueCasesRequestObject) (api.ListOverdueCasesResponseObject, error) {
	p, err := page(r.Params.Limit, r.Params.Cursor)
	if err != nil {
		return nil, err
	}
	os, next, err := s.cases.Overdue(ctx, actorOf(ctx), deref(r.Params.UnitId), s.kernel.Now(), p)
	if err != nil {
		return nil, err
	}
	return api.ListOverdueCases200JSONResponse{Items: mapSlice(os, overdueCaseOut), Next: next}, nil
}

func (s *server) GetCase(ctx context.Context, r api.GetCaseRequestObject) (api.GetCaseResponseObject, error) {
	c, files, err := s.cases.GetWithAttachments(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	body := caseOut(c)
	body.Attachments = recordAttachmentsOut(ctx, files)
	return api.GetCase200JSONResponse{Body: body, Headers: api.GetCase200ResponseHeaders{ETag: etag(c.Version)}}, nil
}

// changeCase runs one state change of a case with the version If-Match
// names; a stale version answers 412 with the case's current ETag.
func (s *server) changeCase(ctx context.Context, id string, header api.IfMatch, change func(casework.Actor, int64) (cases.Case, error)) (api.Case, string, error) {
	c, err := ifMatchChange(ctx, header, change, func(a casework.Actor) (int64, error) {
		c, err := s.cases.Get(ctx, a, id)
		return c.Version, err
	})
	if err != nil {
		return api.Case{}, "", err
	}
	return caseOut(c), etag(c.Version), nil
}

// changeLead is changeCase for a lead.
func (s *server) changeLead(ctx context.Context, id string, header api.IfMatch, change func(casework.Actor, int64) (cases.Lead, error)) (api.Lead, string, error) {
	l, err := ifMatchChange(ctx, header, change, func(a casework.Actor) (int64, error) {
		l, err := s.cases.GetLead(ctx, a, id)
		return l.Version, err
	})
	if err != nil {
		return api.Lead{}, "", err
	}
	return leadOut(l), etag(l.Version), nil
}

func (s *server) DispatchAndFileCase(ctx context.Context, r api.DispatchAndFileCaseRequestObject) (api.DispatchAndFileCaseResponseObject, error) {
	in := cases.DispatchInput{At: r.Body.At, Officers: r.Body.Officers, Note: r.Body.Note}
	c, tag, err := s.changeCase(ctx, r.Id, r.Params.IfMatch, func(a casework.Actor, v int64) (cases.Case, error) {
		return s.cases.DispatchAndFile(ctx, a, r.Id, v, in)
	})
	if err != nil {
		return nil, err
	}
	return api.DispatchAndFileCase200JSONResponse{Body: c, Headers: api.DispatchAndFileCase200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) SurveyCase(ctx context.Context, r api.SurveyCaseRequestObject) (api.SurveyCaseResponseObject, error) {
	in := cases.SurveyInput{At: r.Body.At, Identifiers: identifiersIn(r.Body.Identifiers), Description: r.Body.Description,
		ModusOperandi: r.Body.ModusOperandi, SuspectDescription: r.Body.SuspectDescription}
	c, tag, err := s.changeCase(ctx, r.Id, r.Params.IfMatch, func(a casework.Actor, v int64) (cases.Case, error) {
		return s.cases.Survey(ctx, a, r.Id, v, in)
	})
	if err != nil {
		return nil, err
	}
	return api.SurveyCase200JSONResponse{Body: c, Headers: api.SurveyCase200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) AnalyseAndShareCase(ctx context.Context, r api.AnalyseAndShareCaseRequestObject) (api.AnalyseAndShareCaseResponseObject, error) {
	in := cases.AnalysisInput{At: r.Body.At, Findings: r.Body.Findings}
	if r.Body.ShareWith != nil {
		in.ShareWith = mapSlice(r.Body.ShareWith, func(sh api.ShareInput) cases.ShareInput {
			return cases.ShareInput{UnitID: sh.UnitId, Reason: sh.Reason, Until: sh.Until}
		})
	}
	c, tag, err := s.changeCase(ctx, r.Id, r.Params.IfMatch, func(a casework.Actor, v int64) (cases.Case, error) {
		return s.cases.AnalyseAndShare(ctx, a, r.Id, v, in)
	})
	if err != nil {
		return nil, err
	}
	return api.AnalyseAndShareCase200JSONResponse{Body: c, Headers: api.AnalyseAndShareCase200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) ArrestForCase(ctx context.Context, r api.ArrestForCaseRequestObject) (api.ArrestForCaseResponseObject, error) {
	in := cases.ArrestInput{SuspectID: r.Body.SuspectId, At: r.Body.At, Place: r.Body.Place, AddressID: r.Body.AddressId}
	c, tag, err := s.changeCase(ctx, r.Id, r.Params.IfMatch, func(a casework.Actor, v int64) (cases.Case, error) {
		return s.cases.Arrest(ctx, a, r.Id, v, in)
	})
	if err != nil {
		return nil, err
	}
	return api.ArrestForCase200JSONResponse{Body: c, Headers: api.ArrestForCase200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) ReviewCase(ctx context.Context, r api.ReviewCaseRequestObject) (api.ReviewCaseResponseObject, error) {
	in := cases.ReviewInput{At: r.Body.At, Findings: r.Body.Findings}
	if r.Body.Links != nil {
		in.Links = mapSlice(r.Body.Links, func(l api.LinkInput) cases.LinkInput {
			return cases.LinkInput{CaseID: l.CaseId, Reason: string(l.Reason), Note: l.Note}
		})
	}
	c, tag, err := s.changeCase(ctx, r.Id, r.Params.IfMatch, func(a casework.Actor, v int64) (cases.Case, error) {
		return s.cases.Review(ctx, a, r.Id, v, in)
	})
	if err != nil {
		return nil, err
	}
	return api.ReviewCase200JSONResponse{Body: c, Headers: api.ReviewCase200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) StartInvestigation(ctx context.Context, r api.StartInvestigationRequestObject) (api.StartInvestigationResponseObject, error) {
	c, tag, err := s.changeCase(ctx, r.Id, r.Params.IfMatch, func(a casework.Actor, v int64) (cases.Case, error) {
		return s.cases.StartInvestigation(ctx, a, r.Id, v, r.Body.Reason)
	})
	if err != nil {
		return nil, err
	}
	return api.StartInvestigation200JSONResponse{Body: c, Headers: api.StartInvestigation200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) CloseCase(ctx context.Context, r api.CloseCaseRequestObject) (api.CloseCaseResponseObject, error) {
	c, tag, err := s.changeCase(ctx, r.Id, r.Params.IfMatch, func(a casework.Actor, v int64) (cases.Case, error) {
		return s.cases.Close(ctx, a, r.Id, v, r.Body.Reason)
	})
	if err != nil {
		return nil, err
	}
	return api.CloseCase200JSONResponse{Body: c, Headers: api.CloseCase200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) DropCase(ctx context.Context, r api.DropCaseRequestObject) (api.DropCaseResponseObject, error) {
	c, tag, err := s.changeCase(ctx, r.Id, r.Params.IfMatch, func(a casework.Actor, v int64) (cases.Case, error) {
		return s.cases.Drop(ctx, a, r.Id, v, r.Body.Reason)
	})
	if err != nil {
		return nil, err
	}
	return api.DropCase200JSONResponse{Body: c, Headers: api.DropCase200ResponseHeaders{ETag: tag}}, nil
}

// CorrectCase corrects the facts of a case (cases.Service.Correct).
func (s *server) CorrectCase(ctx context.Context, r api.CorrectCaseRequestObject) (api.CorrectCaseResponseObject, error) {
	in := correctionIn(*r.Body)
	c, tag, err := s.changeCase(ctx, r.Id, r.Params.IfMatch, func(a casework.Actor, v int64) (cases.Case, error) {
		return s.cases.Correct(ctx, a, r.Id, v, in)
	})
	if err != nil {
		return nil, err
	}
	return api.CorrectCase200JSONResponse{Body: c, Headers: api.CorrectCase200ResponseHeaders{ETag: tag}}, nil
}

// AddCaseItems adds stolen items to a case (cases.Service.AddItems).
func (s *server) AddCaseItems(ctx context.Context, r api.AddCaseItemsRequestObject) (api.AddCaseItemsResponseObject, error) {
	in := cases.AddItemsInput{Items: itemsIn(r.Body.Items), Reason: r.Body.Reason}
	c, tag, err := s.changeCase(ctx, r.Id, r.Params.IfMatch, func(a casework.Actor, v int64) (cases.Case, error) {
		return s.cases.AddItems(ctx, a, r.Id, v, in)
	})
	if err != nil {
		return nil, err
	}
	return api.AddCaseItems200JSONResponse{Body: c, Headers: api.AddCaseItems200ResponseHeaders{ETag: tag}}, nil
}

// ReopenCase reopens a closed case (cases.Service.Reopen).
func (s *server) ReopenCase(ctx context.Context, r api.ReopenCaseRequestObject) (api.ReopenCaseResponseObject, error) {
	c, tag, err := s.changeCase(ctx, r.Id, r.Params.IfMatch, func(a casework.Actor, v int64) (cases.Case, error) {
		return s.cases.Reopen(ctx, a, r.Id, v, r.Body.Reason)
	})
	if err != nil {
		return nil, err
	}
	return api.ReopenCase200JSONResponse{Body: c, Headers: api.ReopenCase200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) ListCaseShares(ctx context.Context, r api.ListCaseSharesRequestObject) (api.ListCaseSharesResponseObject, error) {
	shares, err := s.cases.Shares(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	return api.ListCaseShares200JSONResponse{Items: mapSlice(shares, shareOut)}, nil
}

func (s *server) UnshareCase(ctx context.Context, r api.UnshareCaseRequestObject) (api.UnshareCaseResponseObject, error) {
	sh, err := s.cases.Unshare(ctx, actorOf(ctx), r.Id, r.ShareId, r.Body.Reason)
	if err != nil {
		return nil, err
	}
	return api.UnshareCase200JSONResponse{Body: shareOut(sh), Headers: api.UnshareCase200ResponseHeaders{ETag: etag(sh.Version)}}, nil
}

func (s *server) CreateLead(ctx context.Context, r api.CreateLeadRequestObject) (api.CreateLeadResponseObject, error) {
	b := r.Body
	in := cases.LeadInput{UnitID: b.UnitId, SourceKind: string(b.SourceKind), SourceID: b.SourceId, Summary: b.Summary,
		AddressID: b.AddressId, PersonIDs: b.PersonIds, FoundAt: b.FoundAt, RequestKey: requestKey(r.Params.IdempotencyKey)}
	l, err := s.cases.CreateLead(ctx, actorOf(ctx), in)
	if err != nil {
		return nil, err
	}
	return api.CreateLead201JSONResponse{Body: leadOut(l), Headers: api.CreateLead201ResponseHeaders{ETag: etag(l.Version), Location: location(ctx, "/v1/leads/"+l.ID)}}, nil
}

func (s *server) ListLeads(ctx context.Context, r api.ListLeadsRequestObject) (api.ListLeadsResponseObject, error) {
	p, err := page(r.Params.Limit, r.Params.Cursor)
	if err != nil {
		return nil, err
	}
	q := cases.LeadQuery{UnitID: deref(r.Params.UnitId), States: statesIn[api.LeadState, cases.LeadState](r.Params.State),
		SourceKind: deref(r.Params.SourceKind), FoundFrom: deref(r.Params.FoundFrom), FoundTo: deref(r.Params.FoundTo), Page: p}
	ls, next, err := s.cases.ListLeads(ctx, actorOf(ctx), q)
	if err != nil {
		return nil, err
	}
	return api.ListLeads200JSONResponse{Items: mapSlice(ls, leadOut), Next: next}, nil
}

func (s *server) GetLead(ctx context.Context, r api.GetLeadRequestObject) (api.GetLeadResponseObject, error) {
	l, err := s.cases.GetLead(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	return api.GetLead200JSONResponse{Body: leadOut(l), Headers: api.GetLead200ResponseHeaders{ETag: etag(l.Version)}}, nil
}

func (s *server) VerifyLead(ctx context.Context, r api.VerifyLeadRequestObject) (api.VerifyLeadResponseObject, error) {
	l, tag, err := s.changeLead(ctx, r.Id, r.Params.IfMatch, func(a casework.Actor, v int64) (cases.Lead, error) {
		return s.cases.VerifyLead(ctx, a, r.Id, v, r.Body.Note)
	})
	if err != nil {
		return nil, err
	}
	return api.VerifyLead200JSONResponse{Body: l, Headers: api.VerifyLead200ResponseHeaders{ETag: tag}}, nil
}

// ConvertLead answers the converted lead and its new case; the ETag is the
// lead's, the record the request's If-Match named.
func (s *server) ConvertLead(ctx context.Context, r api.ConvertLeadRequestObject) (api.ConvertLeadResponseObject, error) {
	var c cases.Case
	l, tag, err := s.changeLead(ctx, r.Id, r.Params.IfMatch, func(a casework.Actor, v int64) (cases.Lead, error) {
		var (
			l   cases.Lead
			err error
		)
		c, l, err = s.cases.ConvertLead(ctx, a, r.Id, v, reportIn(*r.Body, ""))
		return l, err
	})
	if err != nil {
		return nil, err
	}
	return api.ConvertLead200JSONResponse{Body: api.ConvertedLead{Case: caseOut(c), Lead: l}, Headers: api.ConvertLead200ResponseHeaders{ETag: tag}}, nil
}

func (s *server) DiscardLead(ctx context.Context, r api.DiscardLeadRequestObject) (api.DiscardLeadResponseObject, error) {
	l, tag, err := s.changeLead(ctx, r.Id, r.Params.IfMatch, func(a casework.Actor, v int64) (cases.Lead, error) {
		return s.cases.DiscardLead(ctx, a, r.Id, v, r.Body.Reason)
	})
	if err != nil {
		return nil, err
	}
	return api.DiscardLead200JSONResponse{Body: l, Headers: api.DiscardLead200ResponseHeaders{ETag: tag}}, nil
}
