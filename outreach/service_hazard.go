package outreach

import (
	"context"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// checkHazardInput validates what can be checked without the database.
func (s *Service) checkHazardInput(in HazardInput) error {
	var f errs.Fields
	f.Merge("", s.k.Validate(in))
	if in.Kind != "" {
		f.Merge("", s.k.Codes().Check("kind", CodesHazardKind, in.Kind))
	}
	checkDeadline(&f, "deadline", in.Deadline, in.DueInDays, "a hazard")
	return f.Err()
}

// newHazard builds a hazard from checked input.
func (s *Service) newHazard(actor casework.Actor, in HazardInput, foundAt time.Time, addr casework.Address) Hazard {
	deadline := deadlineOf(in.Deadline, in.DueInDays, foundAt, s.k.Zone())
	now := s.k.Now()
	return Hazard{ID: s.k.NewID(), UnitID: in.UnitID, VisitID: in.VisitID, AddressID: addr.ID, Community: addr.Community,
		Place: strings.TrimSpace(in.Place), Kind: in.Kind, Severity: in.Severity, Description: strings.TrimSpace(in.Description),
		Responsible: strings.TrimSpace(in.Responsible), ResponsiblePersonID: in.ResponsiblePersonID, Deadline: deadline,
		Status: HazardFound, FoundBy: actor.StaffID, FoundAt: foundAt, Version: 1, CreatedAt: now, UpdatedAt: now}
}

// ReportHazard records a hazard found outside a visit's own recording — on
// a patrol, or on a visit already recorded (VisitID). Hazards found while
// recording a visit go in VisitInput.Hazards instead.
func (s *Service) ReportHazard(ctx context.Context, actor casework.Actor, in HazardInput) (Hazard, error) {
	now := s.k.Now()
	var f errs.Fields
	foundAt := now
	if in.VisitID != "" {
		v, err := s.visitRef(ctx, actor, "visitId", in.VisitID, &f)
		if err != nil {
			return Hazard{}, err
		}
		if v.ID != "" {
			if in.UnitID == "" {
				in.UnitID = v.UnitID
			}
			if in.AddressID == "" {
				in.AddressID = v.AddressID
			}
		}
	}
	if err := s.k.UnitInReach(ctx, actor, in.UnitID); err != nil {
		return Hazard{}, err
	}
	if err := s.k.Authorize(ctx, actor, ActionHazard, casework.Target{RecordType: RecordHazard, UnitID: in.UnitID}); err != nil {
		return Hazard{}, err
	}
	f.Merge("", s.checkHazardInput(in))
	if in.UnitID == "" {
		f.Add("unitId", "required", "is required")
	}
	if !in.Deadline.IsZero() && !in.Deadline.After(foundAt) {
		f.Add("deadline", "after_found", "must be after the hazard was found")
	}
	addr, err := s.address(ctx, actor, "addressId", in.AddressID, &f)
	if err != nil {
		return Hazard{}, err
	}
	if err := s.person(ctx, actor, "responsiblePersonId", in.ResponsiblePersonID, &f); err != nil {
		return Hazard{}, err
	}
	if err := f.Err(); err != nil {
		return Hazard{}, err
	}
	return casework.CreateOnce(ctx, s.k, actor, in.RequestKey, in, func(rk *casework.RequestKey) (Hazard, error) {
		h := s.newHazard(actor, in, foundAt, addr)
		return created(ctx, s, actor, rk, "hazard.report", RecordHazard, h.ID, h, s.store.CreateHazard)
	})
}

// StartRectifying records that the responsible party is fixing the hazard.
func (s *Service) StartRectifying(ctx context.Context, actor casework.Actor, id string, version int64, note string) (Hazard, error) {
	return s.moveHazard(ctx, actor, id, version, HazardRectifying, false, note)
}

// RecordRectified records that the hazard was fixed; the actor is the
// officer who recorded the fix, who may then not verify it.
func (s *Service) RecordRectified(ctx context.Context, actor casework.Actor, id string, version int64, note string) (Hazard, error) {
	return s.moveHazard(ctx, actor, id, version, HazardRectified, false, note)
}

// VerifyHazard confirms a recorded fix. The verifier must be another
// officer than the one who recorded the fix (separation of duties).
func (s *Service) VerifyHazard(ctx context.Context, actor casework.Actor, id string, version int64, note string) (Hazard, error) {
	return s.moveHazard(ctx, actor, id, version, HazardVerified, false, note)
}

// RejectRectification sends a recorded fix back to rectifying, with the
// reason the verifier found it wanting; the hazard counts as rectified
// again only when a new fix is recorded.
func (s *Service) RejectRectification(ctx context.Context, actor casework.Actor, id string, version int64, reason string) (Hazard, error) {
	return s.moveHazard(ctx, actor, id, version, HazardRectifying, true, reason)
}

// moveHazard is the one write path of a hazard after its report. The
// note (a rejection's reason) follows the kernel's text rule; a rejection
// needs one, and rejects only a recorded fix.
func (s *Service) moveHazard(ctx context.Context, actor casework.Actor, id string, version int64, to HazardStatus, reject bool, note string) (Hazard, error) {
	cur, err := s.store.GetHazard(ctx, id)
	if err != nil {
		return Hazard{}, err
	}
	t := hazardTarget(cur)
	if err := s.k.Reach(ctx, actor, t); err != nil {
		return Hazard{}, err
	}
	action := ActionHazard
	if to == HazardVerified || cur.Status == HazardRectified {
		// Separation of duties: who recorded the fix neither verifies nor
		// rejects it.
		action, t.RequestedBy = ActionVerifyHazard, cur.RectifiedBy
	}
	if err := s.k.Authorize(ctx, actor, action, t); err != nil {
		return Hazard{}, err
	}
	field := "note"
	if reject {
		field = "reason"
	}
	note = strings.TrimSpace(note)
	if err := casework.CheckText(field, note, 2000); err != nil {
		return Hazard{}, err
	}
	if reject && note == "" {
		return Hazard{}, errs.Invalid("reason", "required", "a rejected fix needs a reason")
	}
	if reject && cur.Status != HazardRectified {
		return Hazard{}, errs.Transition(string(cur.Status), string(to), "only a recorded fix can be rejected")
	}
	if err := CanMoveHazard(cur.Status, to); err != nil {
		return Hazard{}, err
	}
	if cur.Version != version {
		return Hazard{}, errs.Stale(RecordHazard, id, version)
	}
	now := s.k.Now()
	next := cur
	next.Status, next.Note, next.Version, next.UpdatedAt = to, note, cur.Version+1, now
	switch to {
	case HazardRectifying:
		next.RectifyingAt = now
		if cur.Status == HazardRectified {
			next.RectifiedAt, next.RectifiedBy = time.Time{}, ""
		}
	case HazardRectified:
		next.RectifiedAt, next.RectifiedBy = now, actor.StaffID
	case HazardVerified:
		next.VerifiedAt, next.VerifiedBy = now, actor.StaffID
	}
	ch, err := s.k.Change(ctx, actor, casework.Action("hazard."+string(to)), RecordHazard, id, cur, next)
	if err != nil {
		return Hazard{}, err
	}
	if err := s.store.UpdateHazard(ctx, next, ch); err != nil {
		return Hazard{}, err
	}
	return next, nil
}

// GetHazard returns a hazard in the actor's reach.
func (s *Service) GetHazard(ctx context.Context, actor casework.Actor, id string) (Hazard, error) {
	return load(ctx, s, actor, ActionRead, id, s.store.GetHazard, hazardTarget)
}

// HazardQuery lists hazards in the actor's subtree.
type HazardQuery struct {
	UnitID    string
	Status    []HazardStatus
	VisitID   string
	OfficerID string // hazards in this officer's responsibility area
	// Overdue lists only hazards overdue now (Hazard.Overdue).
	Overdue  bool
	From, To time.Time
	Page     casework.Page
}

// ListHazards lists hazards by the time they were found.
func (s *Service) ListHazards(ctx context.Context, actor casework.Actor, q HazardQuery) ([]Hazard, string, error) {
	path, err := s.scope(ctx, actor, ActionRead, q.UnitID)
	if err != nil {
		return nil, "", err
	}
	f := HazardFilter{UnitUnder: path, Status: q.Status, VisitID: q.VisitID, From: casework.Truncate(q.From), To: casework.Truncate(q.To)}
	if q.Overdue {
		f.OverdueAt = s.k.Now()
	}
	if q.OfficerID != "" {
		areas, err := s.officerAreas(ctx, actor, q.OfficerID)
		if err != nil || len(areas) == 0 {
			return nil, "", err
		}
		f.Areas = areas
	}
	p := q.Page.Normalize()
	rows, err := s.store.ListHazards(ctx, f, casework.Page{Limit: p.Limit + 1, After: p.After})
	if err != nil {
		return nil, "", err
	}
	rows, next := casework.PageOf(rows, p.Limit, func(h Hazard) casework.Cursor { return casework.Cursor{At: h.FoundAt, ID: h.ID} })
	return rows, next, nil
}
