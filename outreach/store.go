package outreach

import (
	"context"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
)

// Store is what a backend must do for outreach. Build one on the kernel's
// database (memstore.New(db), sqlstore.New(kernelStore)) so that every
// write commits with its casework.Change — audit entries, hand-offs,
// request key — in one transaction.
//
// Error contract, for every method:
//   - a missing record is ErrNotFound;
//   - a create whose id exists is ErrConflict, and so is a Change whose
//     request key was used before;
//   - an update whose stored version is not rec.Version-1 is ErrConflict
//     (compare-and-swap: the caller read version v and writes v+1), and
//     nothing is written;
//   - a cancelled or expired ctx returns an error wrapping ctx.Err() and
//     writes nothing;
//   - values are copied in and out: mutating an argument after the call, or
//     a returned value, changes nothing stored;
//   - lists return at most Page.Limit records after the cursor, in the order
//     their filter names.
type Store interface {
	// CreateVisit inserts the visit and its hazards and, when w.Plan is
	// set, replaces that plan entry (compare-and-swap), all with ch.
	CreateVisit(ctx context.Context, w VisitWrite, ch casework.Change) error
	// UpdateVisit replaces a visit's notes, services, aid, findings, hazard
	// ids, registry version and visited person (which a person merge
	// re-points), compare-and-swap; the rest — who went, when, where, for
	// what — never changes and is not written.
	UpdateVisit(ctx context.Context, v Visit, ch casework.Change) error
	GetVisit(ctx context.Context, id string) (Visit, error)
	ListVisits(ctx context.Context, f VisitFilter, p casework.Page) ([]Visit, error)
	// ListVisitRefs is ListVisits reading only what a list's filter, order
	// and views need (VisitRef): the same visits in the same order, for a
	// list whose caller keeps visits by version (Service.ListVisitPage).
	ListVisitRefs(ctx context.Context, f VisitFilter, p casework.Page) ([]VisitRef, error)
	// GetVisits returns the stored visits among ids, in any order, each
	// once, leaving out the ids no visit has: one read for the visits a
	// page's caller does not keep.
	GetVisits(ctx context.Context, ids []string) ([]Visit, error)
	// AidLines returns the aid lines of each visit Tally counts under f
	// (subtree, period of VisitedAt, campaign) that delivered aid, one
	// slice per visit, for the totals' sums per item and unit.
	AidLines(ctx context.Context, f TallyFilter) ([][]Aid, error)
	// AidGrid is AidLines (no campaign) for every cell of g at once: each
	// cell's aid line lists, those written alike grouped with the number
	// of visits that wrote them.
	AidGrid(ctx context.Context, g casework.Grid) ([][]AidGroup, error)

	// CreateHazard and UpdateHazard (and CreateVisit, for its hazards)
	// record, with the write, the event HazardEventOf names for it (the
	// stored status before the write, "" for a create), kept for ever for
	// Tally: the history a period's figures are counted from.
	CreateHazard(ctx context.Context, h Hazard, ch casework.Change) error
	UpdateHazard(ctx context.Context, h Hazard, ch casework.Change) error
	GetHazard(ctx context.Context, id string) (Hazard, error)
	ListHazards(ctx context.Context, f HazardFilter, p casework.Page) ([]Hazard, error)

	CreateAppointment(ctx context.Context, a Appointment, ch casework.Change) error
	// UpdateAppointment replaces an appointment (compare-and-swap). When the
	// new state is accepted, it fails with an error matching ErrOverlap if
	// the officer holds another accepted appointment that Overlaps it; the
	// check and the write are one transaction, so of two concurrent
	// overlapping acceptances exactly one succeeds.
	UpdateAppointment(ctx context.Context, a Appointment, ch casework.Change) error
	GetAppointment(ctx context.Context, id string) (Appointment, error)
	ListAppointments(ctx context.Context, f AppointmentFilter, p casework.Page) ([]Appointment, error)

	CreateCampaign(ctx context.Context, c Campaign, ch casework.Change) error
	UpdateCampaign(ctx context.Context, c Campaign, ch casework.Change) error
	GetCampaign(ctx context.Context, id string) (Campaign, error)
	ListCampaigns(ctx context.Context, f CampaignFilter, p casework.Page) ([]Campaign, error)

	CreatePlanEntry(ctx context.Context, e PlanEntry, ch casework.Change) error
	UpdatePlanEntry(ctx context.Context, e PlanEntry, ch casework.Change) error
	GetPlanEntry(ctx context.Context, id string) (PlanEntry, error)
	ListPlanEntries(ctx context.Context, f PlanFilter, p casework.Page) ([]PlanEntry, error)

	// Tally counts what the outreach table needs for a unit subtree and a
	// period.
	Tally(ctx context.Context, f TallyFilter) (Tally, error)

	CreateReferral(ctx context.Context, r Referral, ch casework.Change) error
	UpdateReferral(ctx context.Context, r Referral, ch casework.Change) error
	GetReferral(ctx context.Context, id string) (Referral, error)
	ListReferrals(ctx context.Context, f ReferralFilter, p casework.Page) ([]Referral, error)
	// TallyReferrals counts referrals made and closed in the period of f,
	// in the unit subtree of f (f.CampaignID is not used).
	TallyReferrals(ctx context.Context, f TallyFilter) (ReferralTally, error)
	// TallyReferralsGrid is TallyReferrals for every cell of g at once.
	TallyReferralsGrid(ctx context.Context, g casework.Grid) ([]ReferralTally, error)

	// TallyGrid is Tally (no campaign) for every cell of g at once, the
	// tally of grid row r and column c at g.Cell(r, c): what a series or a
	// by-unit table reads.
	TallyGrid(ctx context.Context, g casework.Grid) ([]Tally, error)
}

// VisitWrite is everything a visit creates together.
type VisitWrite struct {
	Visit   Visit
	Hazards []Hazard
	Plan    *PlanEntry // the visited plan entry's next version, if any
}

// Clone returns a copy that shares nothing with w.
func (w VisitWrite) Clone() VisitWrite {
	w.Visit = w.Visit.Clone()
	w.Hazards = append([]Hazard(nil), w.Hazards...)
	if w.Plan != nil {
		p := *w.Plan
		w.Plan = &p
	}
	return w
}

// TallyFilter selects what Tally counts: records of units in the subtree
// ("" for all), in [From, To) by each count's own time (visits by
// VisitedAt, hazards found by FoundAt, rectifications and rejected fixes by
// the time of their HazardEvent, done appointments by ClosedAt); zero
// bounds are open.
type TallyFilter struct {
	UnitUnder string
	From, To  time.Time
	// CampaignID counts only the visits recorded against the campaign and
	// the hazards found on them; appointments are not counted then.
	CampaignID string
}

// Tally is what a store counts. Service.Totals turns it into the article's
// table.
type Tally struct {
	Visits map[TargetKind]int64 // visits (户次)
	// Targets counts distinct TargetKey values: of every kind for a
	// campaign (TallyFilter.CampaignID, whose goals may count targets of
	// any kind), else only of the kinds whose figure they are
	// (TargetKind.Distinct), as Totals reports them.
	Targets map[TargetKind]int64
	// Services counts services given on visits, by kind.
	Services       map[ServiceKind]int64
	AidVisits      int64 // visits that delivered aid
	DisputesHanded int64
	LeadsCollected int64
	HazardsFound   int64
	// HazardsRectified counts HazardEventRectified events: a hazard fixed,
	// rejected and fixed again counts twice, each in its own period.
	HazardsRectified int64
	// HazardFixesRejected counts HazardEventFixRejected events.
	HazardFixesRejected int64
	AppointmentsDone    int64
}

// NewTally returns a Tally with its maps made.
func NewTally() Tally {
	return Tally{Visits: map[TargetKind]int64{}, Targets: map[TargetKind]int64{}, Services: map[ServiceKind]int64{}}
}
