package outreach

import (
	"context"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// AttachToVisit links an uploaded photo or document (Kernel.PutAttachment)
// to a visit: a write of the visit (casework.ActionAttachRecord), audited
// on it by the kernel. Attaching the same digest twice returns the first
// link.
func (s *Service) AttachToVisit(ctx context.Context, actor casework.Actor, id string, a casework.Attachment) (casework.RecordAttachment, error) {
	return attach(ctx, s, actor, id, s.store.GetVisit, visitTarget, a)
}

// VisitAttachments lists a visit's attachments for whoever may read the
// visit in detail: a sensitive visit's photos are its details, so an actor
// who sees the visit masked is refused them.
func (s *Service) VisitAttachments(ctx context.Context, actor casework.Actor, id string) ([]casework.RecordAttachment, error) {
	v, err := load(ctx, s, actor, ActionRead, id, s.store.GetVisit, visitTarget)
	if err != nil {
		return nil, err
	}
	if v.TargetKind.Sensitive() {
		ok, err := s.canSeeSensitive(ctx, actor, visitTarget(v))
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errs.New(errs.ErrForbidden, "the attachments of a sensitive visit are its details")
		}
	}
	return s.k.RecordAttachments(ctx, actor, visitTarget(v))
}

// AttachToHazard links an uploaded photo or document to a hazard (the
// photo of a blocked fire exit, the rectification notice), as
// AttachToVisit does for a visit.
func (s *Service) AttachToHazard(ctx context.Context, actor casework.Actor, id string, a casework.Attachment) (casework.RecordAttachment, error) {
	return attach(ctx, s, actor, id, s.store.GetHazard, hazardTarget, a)
}

// HazardAttachments lists a hazard's attachments for whoever may read it.
func (s *Service) HazardAttachments(ctx context.Context, actor casework.Actor, id string) ([]casework.RecordAttachment, error) {
	h, err := load(ctx, s, actor, ActionRead, id, s.store.GetHazard, hazardTarget)
	if err != nil {
		return nil, err
	}
	return s.k.RecordAttachments(ctx, actor, hazardTarget(h))
}

// GetVisitWithAttachments reads a visit as GetVisit does, with its
// attachments (one more store query). A sensitive visit seen masked comes
// without them (they are its details), and so does a visit read by an
// actor who may not download attachments.
func (s *Service) GetVisitWithAttachments(ctx context.Context, actor casework.Actor, id string) (Visit, []casework.RecordAttachment, error) {
	v, err := s.GetVisit(ctx, actor, id)
	if err != nil || v.Masked {
		return v, nil, err
	}
	list, err := s.k.AttachmentsOfRead(ctx, actor, visitTarget(v))
	if err != nil {
		return Visit{}, nil, err
	}
	return v, list, nil
}

// GetHazardWithAttachments reads a hazard as GetHazard does, with its
// attachments (one more store query).
func (s *Service) GetHazardWithAttachments(ctx context.Context, actor casework.Actor, id string) (Hazard, []casework.RecordAttachment, error) {
	h, err := s.GetHazard(ctx, actor, id)
	if err != nil {
		return Hazard{}, nil, err
	}
	list, err := s.k.AttachmentsOfRead(ctx, actor, hazardTarget(h))
	if err != nil {
		return Hazard{}, nil, err
	}
	return h, list, nil
}

// attach loads a record for reading (out of reach answers not found) and
// hands it to the kernel, which checks the write and links the bytes.
func attach[T any](ctx context.Context, s *Service, actor casework.Actor, id string,
	get func(context.Context, string) (T, error), target func(T) casework.Target, a casework.Attachment) (casework.RecordAttachment, error) {
	rec, err := load(ctx, s, actor, ActionRead, id, get, target)
	if err != nil {
		return casework.RecordAttachment{}, err
	}
	return s.k.AttachToRecord(ctx, actor, target(rec), a)
}
