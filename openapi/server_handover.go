package openapi

import (
	"context"
	"slices"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/openapi/api"
)

func (s *server) ListOpenAssignments(ctx context.Context, r api.ListOpenAssignmentsRequestObject) (api.ListOpenAssignmentsResponseObject, error) {
	recs, err := s.kernel.OpenAssignments(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	return api.ListOpenAssignments200JSONResponse{Items: mapSlice(recs, openRecordOut)}, nil
}

func (s *server) ListUnitOpenRecords(ctx context.Context, r api.ListUnitOpenRecordsRequestObject) (api.ListUnitOpenRecordsResponseObject, error) {
	recs, err := s.kernel.OpenRecordsOf(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	return api.ListUnitOpenRecords200JSONResponse{Items: mapSlice(recs, openRecordOut)}, nil
}

func (s *server) HandOverStaff(ctx context.Context, r api.HandOverStaffRequestObject) (api.HandOverStaffResponseObject, error) {
	b := r.Body
	res, err := ifMatchChange(ctx, r.Params.IfMatch, func(a casework.Actor, v int64) (casework.HandOverResult, error) {
		return s.kernel.HandOver(ctx, a, casework.HandOverInput{StaffID: r.Id, Version: v, ToStaffID: b.ToStaffId,
			Reason: b.Reason, Retire: b.Retire, ToUnitID: b.ToUnitId})
	}, func(a casework.Actor) (int64, error) {
		st, err := s.kernel.GetStaff(ctx, a, r.Id)
		return st.Version, err
	})
	if err != nil {
		return nil, err
	}
	return api.HandOverStaff200JSONResponse{Body: api.HandOverResult{Staff: staffOut(res.Staff), Moved: mapSlice(res.Moved, openRecordOut)},
		Headers: api.HandOverStaff200ResponseHeaders{ETag: etag(res.Staff.Version)}}, nil
}

func (s *server) CloseUnit(ctx context.Context, r api.CloseUnitRequestObject) (api.CloseUnitResponseObject, error) {
	b := r.Body
	res, err := ifMatchChange(ctx, r.Params.IfMatch, func(a casework.Actor, v int64) (casework.CloseUnitResult, error) {
		return s.kernel.CloseUnit(ctx, a, casework.CloseUnitInput{UnitID: r.Id, Version: v, IntoUnitID: b.IntoUnitId, Reason: b.Reason})
	}, func(a casework.Actor) (int64, error) {
		u, err := s.kernel.GetUnit(ctx, a, r.Id)
		return u.Version, err
	})
	if err != nil {
		return nil, err
	}
	return api.CloseUnit200JSONResponse{Body: api.UnitCloseResult{Unit: unitOut(res.Unit), Moved: mapSlice(res.Moved, openRecordOut),
		Staff: mapSlice(res.Staff, staffOut)}, Headers: api.CloseUnit200ResponseHeaders{ETag: etag(res.Unit.Version)}}, nil
}

func openRecordOut(r casework.OpenRecord) api.OpenRecord {
	return api.OpenRecord{Workflow: r.Workflow, RecordType: r.RecordType, Id: r.ID, UnitId: r.UnitID,
		Assignees: slices.Clone(r.Assignees), Version: r.Version}
}
