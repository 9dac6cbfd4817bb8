package cases

import (
	"context"

	"github.com/grassroots-policing/grassroots/casework"
)

// Attach links an uploaded photo or document (Kernel.PutAttachment) to a
// case — a scene photo, a statement, a receipt — audited on the case by the
// kernel. It is a write of the case (casework.ActionAttachRecord), so a
// unit the case is only shared with may not; attaching the same digest
// twice returns the first link. The case's state does not matter: papers
// arrive after a case is closed too.
func (s *Service) Attach(ctx context.Context, actor casework.Actor, id string, a casework.Attachment) (casework.RecordAttachment, error) {
	c, err := s.load(ctx, actor, id, casework.ActionRead)
	if err != nil {
		return casework.RecordAttachment{}, err
	}
	return s.k.AttachToRecord(ctx, actor, caseTarget(c), a)
}

// Attachments lists a case's attachments for whoever may read the case,
// the units it is shared with included.
func (s *Service) Attachments(ctx context.Context, actor casework.Actor, id string) ([]casework.RecordAttachment, error) {
	c, err := s.load(ctx, actor, id, casework.ActionRead)
	if err != nil {
		return nil, err
	}
	return s.k.RecordAttachments(ctx, actor, caseTarget(c))
}

// GetWithAttachments reads a case as Get does, with the photos and
// documents attached to it (one more store query): those a reader may not
// download (no ActionReadAttachment) are left out rather than refused.
func (s *Service) GetWithAttachments(ctx context.Context, actor casework.Actor, id string) (Case, []casework.RecordAttachment, error) {
	c, err := s.Get(ctx, actor, id)
	if err != nil {
		return Case{}, nil, err
	}
	list, err := s.k.AttachmentsOfRead(ctx, actor, caseTarget(c))
	if err != nil {
		return Case{}, nil, err
	}
	return c, list, nil
}

func caseTarget(c Case) casework.Target {
	return casework.Target{RecordType: RecordCase, RecordID: c.ID, UnitID: c.UnitID, SharedWith: c.SharedWith}
}
