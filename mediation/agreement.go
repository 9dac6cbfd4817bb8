package mediation

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Form is how an agreement was made.
type Form string

// Forms of agreement.
const (
	// Written (调解协议书): holds what the People's Mediation Law requires
	// and takes effect when every party and the mediator have signed.
	Written Form = "written"
	// Oral (口头协议): its content is recorded and it takes effect when
	// reached.
	Oral Form = "oral"
)

// Term is one thing agreed: what, by whom, by when. A follow-up checks
// each term.
type Term struct {
	Text      string    `json:"text" validate:"required,max=2000"`
	ObligorID string    `json:"obligorId,omitempty" validate:"line,max=64"` // the party who performs it, if one
	Deadline  time.Time `json:"deadline,omitzero"`                          // end of performance; default the agreement's
}

// Responsibility is one side's responsibility for the dispute.
type Responsibility struct {
	PartyID string `json:"partyId" validate:"required,line,max=64"`
	Text    string `json:"text" validate:"required,max=2000"`
}

// Signature is a signed agreement page (a photo or scan, kept by the
// kernel's blob store) by a party — or a representative or guardian for
// the party — or by the mediator.
type Signature struct {
	PartyID    string              `json:"partyId,omitempty"`
	MediatorID string              `json:"mediatorId,omitempty"`
	SignedBy   string              `json:"signedBy,omitempty"` // representative or guardian signing for the party
	Attachment casework.Attachment `json:"attachment"`
	SignedAt   time.Time           `json:"signedAt"`
	RecordedBy string              `json:"recordedBy"`
}

// ConfirmationStatus tracks judicial confirmation (司法确认).
type ConfirmationStatus string

// Confirmation statuses.
const (
	ConfirmationRequested ConfirmationStatus = "requested" // applied for at the court
	ConfirmationConfirmed ConfirmationStatus = "confirmed" // ruled valid: enforceable
	ConfirmationInvalid   ConfirmationStatus = "invalid"   // ruled invalid: no performance is expected
)

// Confirmation is an application for judicial confirmation and its ruling.
type Confirmation struct {
	Status    ConfirmationStatus `json:"status"`
	Court     string             `json:"court"`
	AppliedAt time.Time          `json:"appliedAt"`
	RuledAt   time.Time          `json:"ruledAt,omitzero"`
	Note      string             `json:"note,omitempty"`
}

// Agreement is a mediation agreement (调解协议书), written or oral.
type Agreement struct {
	Form       Form   `json:"form"`
	MediatorID string `json:"mediatorId"` // the staff member presiding, who signs
	// The content the People's Mediation Law requires of a written
	// agreement; the parties' basic details come from their Person records
	// when it is printed.
	Facts               string           `json:"facts,omitempty"`
	Matters             string           `json:"matters,omitempty"`
	Responsibilities    []Responsibility `json:"responsibilities,omitempty"`
	Terms               []Term           `json:"terms"`
	PerformanceMethod   string           `json:"performanceMethod,omitempty"`
	PerformancePlace    string           `json:"performancePlace,omitempty"`
	PerformanceDeadline time.Time        `json:"performanceDeadline,omitzero"`
	Content             string           `json:"content,omitempty"` // an oral agreement as said
	// SeekConfirmation says the parties mean to apply for judicial
	// confirmation: the window then counts as a deadline.
	SeekConfirmation bool          `json:"seekConfirmation,omitempty"`
	ReachedAt        time.Time     `json:"reachedAt"`
	DraftedBy        string        `json:"draftedBy"`
	Signatures       []Signature   `json:"signatures,omitempty"`
	EffectiveAt      time.Time     `json:"effectiveAt,omitzero"`
	ConfirmationDue  time.Time     `json:"confirmationDue,omitzero"` // end of the window to apply
	Confirmation     *Confirmation `json:"confirmation,omitempty"`
}

func (a Agreement) clone() Agreement {
	a.Responsibilities = slices.Clone(a.Responsibilities)
	a.Terms = slices.Clone(a.Terms)
	a.Signatures = slices.Clone(a.Signatures)
	a.Confirmation = clonePtr(a.Confirmation)
	return a
}

// Signed reports whether the signer (a party's person id or the mediator's
// staff id) has signed.
func (a Agreement) Signed(partyID, mediatorID string) bool {
	return slices.ContainsFunc(a.Signatures, func(s Signature) bool {
		return partyID != "" && s.PartyID == partyID || mediatorID != "" && s.MediatorID == mediatorID
	})
}

// AgreementInput drafts an agreement. Dates (PerformanceDeadline, term
// deadlines) are calendar days: performance is due by 24:00 local time of
// that day.
type AgreementInput struct {
	Form                Form             `json:"form" validate:"required,line,oneof=written oral"`
	MediatorID          string           `json:"mediatorId" validate:"required,line,max=64"`
	Facts               string           `json:"facts,omitempty" validate:"max=10000"`
	Matters             string           `json:"matters,omitempty" validate:"max=5000"`
	Responsibilities    []Responsibility `json:"responsibilities,omitempty" validate:"max=50,dive"`
	Terms               []Term           `json:"terms,omitempty" validate:"max=50,dive"`
	PerformanceMethod   string           `json:"performanceMethod,omitempty" validate:"max=1000"`
	PerformancePlace    string           `json:"performancePlace,omitempty" validate:"max=500"`
	PerformanceDeadline time.Time        `json:"performanceDeadline,omitzero"`
	Content             string           `json:"content,omitempty" validate:"max=10000"`
	SeekConfirmation    bool             `json:"seekConfirmation,omitempty"`
	ReachedAt           time.Time        `json:"reachedAt,omitzero"` // default now
}

// DraftAgreement records the agreement of a dispute in mediation. A
// written one replaces an unsigned or partly signed draft (its signatures
// are void: the text changed) and waits for signatures. An oral one takes
// effect at once and the dispute becomes agreed. After a reopening, a new
// agreement is added; the old one stays in the record.
func (s *Service) DraftAgreement(ctx context.Context, actor casework.Actor, id string, version int64, in AgreementInput) (Dispute, error) {
	return s.update(ctx, actor, id, version, change{
		action: always(ActionMediate),
		audit:  "mediation.agreement",
		mutate: func(d *Dispute) error {
			if d.State != StateInMediation {
				return errs.Invalid("state", "in_mediation", "an agreement is reached in mediation (the dispute is %s)", d.State)
			}
			a, err := s.checkAgreement(ctx, *d, in, actor)
			if err != nil {
				return err
			}
			if i := d.Current(); i >= 0 && d.Agreements[i].EffectiveAt.IsZero() {
				d.Agreements[i] = a
			} else {
				d.Agreements = append(d.Agreements, a)
			}
			if a.Form == Oral {
				d.Agreements[d.Current()].EffectiveAt = a.ReachedAt
				return s.move(d, actor, StateAgreed, "口头协议达成即生效 (oral agreement reached)", "")
			}
			return nil
		},
	})
}

// endOfDay turns a calendar date into the instant its day ends in zone.
func endOfDay(t time.Time, zone *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	return casework.EndOfDayN(t, 0, zone)
}

func (s *Service) checkAgreement(ctx context.Context, d Dispute, in AgreementInput, actor casework.Actor) (Agreement, error) {
	now := s.k.Now()
	zone := s.k.Zone()
	trim := strings.TrimSpace
	in.Facts, in.Matters, in.Content = trim(in.Facts), trim(in.Matters), trim(in.Content)
	in.PerformanceMethod, in.PerformancePlace = trim(in.PerformanceMethod), trim(in.PerformancePlace)
	var f errs.Fields
	f.Merge("", s.k.Validate(in))
	f.Merge("", checkTime("reachedAt", &in.ReachedAt, now))
	if since := mediatingSince(d); in.ReachedAt.Before(since) {
		f.Add("reachedAt", "after_mediation", "an agreement is reached in mediation, which began %s",
			since.In(zone).Format("2006-01-02 15:04 MST"))
	}
	if err := s.checkPresiding(ctx, actor, d, in.MediatorID, &f); err != nil {
		return Agreement{}, err
	}
	if in.Form == Written {
		if in.Facts == "" {
			f.Add("facts", "required", "a written agreement states the main facts")
		}
		if in.Matters == "" {
			f.Add("matters", "required", "a written agreement states the disputed matters")
		}
		if len(in.Responsibilities) == 0 {
			f.Add("responsibilities", "required", "a written agreement states each side's responsibility")
		}
		if len(in.Terms) == 0 {
			f.Add("terms", "required", "a written agreement states what was agreed")
		}
		if in.PerformanceMethod == "" {
			f.Add("performanceMethod", "required", "a written agreement states how it is performed")
		}
		if in.PerformanceDeadline.IsZero() {
			f.Add("performanceDeadline", "required", "a written agreement states by when it is performed")
		}
	}
	if in.Form == Oral {
		if in.Content == "" {
			f.Add("content", "required", "an oral agreement records what was agreed")
		}
		if in.SeekConfirmation {
			f.Add("seekConfirmation", "written_only", "only a written agreement can be judicially confirmed")
		}
		if len(in.Terms) == 0 && in.Content != "" {
			in.Terms = []Term{{Text: in.Content}}
		}
	}
	if in.SeekConfirmation && d.Kind != KindPeople {
		f.Add("seekConfirmation", "people_only", "judicial confirmation is for people's mediation agreements")
	}
	for i, r := range in.Responsibilities {
		if _, ok := d.Party(r.PartyID); r.PartyID != "" && !ok {
			f.Add(fmt.Sprintf("responsibilities[%d].partyId", i), "party", "%s is not a party", r.PartyID)
		}
	}
	reachedDay := endOfDay(in.ReachedAt, zone)
	pd := endOfDay(in.PerformanceDeadline, zone)
	if !pd.IsZero() && pd.Before(reachedDay) {
		f.Add("performanceDeadline", "after_agreement", "may not be before the agreement")
	}
	terms := make([]Term, len(in.Terms))
	for i, t := range in.Terms {
		t.Text = trim(t.Text)
		if _, ok := d.Party(t.ObligorID); t.ObligorID != "" && !ok {
			f.Add(fmt.Sprintf("terms[%d].obligorId", i), "party", "%s is not a party", t.ObligorID)
		}
		t.Deadline = endOfDay(t.Deadline, zone)
		if !t.Deadline.IsZero() && t.Deadline.Before(reachedDay) {
			f.Add(fmt.Sprintf("terms[%d].deadline", i), "after_agreement", "may not be before the agreement")
		}
		terms[i] = t
	}
	if err := f.Err(); err != nil {
		return Agreement{}, err
	}
	return Agreement{Form: in.Form, MediatorID: in.MediatorID, Facts: in.Facts, Matters: in.Matters,
		Responsibilities: slices.Clone(in.Responsibilities), Terms: terms, PerformanceMethod: in.PerformanceMethod,
		PerformancePlace: in.PerformancePlace, PerformanceDeadline: pd, Content: in.Content,
		SeekConfirmation: in.SeekConfirmation, ReachedAt: in.ReachedAt, DraftedBy: actor.StaffID}, nil
}

// mediatingSince returns when the dispute last entered in_mediation — on
// acceptance's heels or on a reopening — and never earlier than its
// acceptance: an agreement reached, or signed, before then would settle
// the dispute in a period it was not being mediated.
func mediatingSince(d Dispute) time.Time {
	since := d.AcceptedAt
	for i := len(d.History) - 1; i >= 0; i-- {
		if d.History[i].To == StateInMediation {
			if d.History[i].At.After(since) {
				since = d.History[i].At
			}
			break
		}
	}
	return since
}

// checkPresiding: the presiding mediator is active staff who mediates, and
// a mediator or lawyer presides only over a dispute assigned to them.
func (s *Service) checkPresiding(ctx context.Context, actor casework.Actor, d Dispute, staffID string, f *errs.Fields) error {
	if staffID == "" {
		return nil
	}
	st, ok, err := s.k.StaffInReach(ctx, actor, staffID)
	if err != nil {
		return err
	}
	if !ok {
		f.Add("mediatorId", "exists", "no staff member %q in reach", staffID)
		return nil
	}
	var free, bound bool
	for _, r := range st.Roles {
		if slices.Contains(mediatorRoles, r) {
			if r == casework.RoleMediator || r == casework.RoleLawyer {
				bound = true
			} else {
				free = true
			}
		}
	}
	switch {
	case !st.Active || !free && !bound:
		f.Add("mediatorId", "mediator", "%s is not active staff who mediates", staffID)
	case !free && !slices.Contains(d.Assigned, staffID):
		f.Add("mediatorId", "assigned", "%s acts only on disputes assigned to them", staffID)
	}
	return nil
}

// SignatureInput records one signature of a written agreement: by a party
// (PartyID, with SignedBy naming a representative or guardian who signed
// for them) or by the presiding mediator (MediatorID).
type SignatureInput struct {
	PartyID    string              `json:"partyId,omitempty" validate:"line,max=64"`
	MediatorID string              `json:"mediatorId,omitempty" validate:"line,max=64"`
	SignedBy   string              `json:"signedBy,omitempty" validate:"line,max=64"`
	Attachment casework.Attachment `json:"attachment"`
	SignedAt   time.Time           `json:"signedAt,omitzero"` // default now
}

// SignAgreement adds a signature to the written agreement being signed.
// When every party and the presiding mediator have signed, the agreement
// takes effect (its effective date is the latest signature's), the
// judicial-confirmation window starts, and the dispute becomes agreed. In
// police mediation a minor party signs through a guardian.
func (s *Service) SignAgreement(ctx context.Context, actor casework.Actor, id string, version int64, in SignatureInput) (Dispute, error) {
	return s.update(ctx, actor, id, version, change{
		action: always(ActionMediate),
		audit:  "mediation.agreement.sign",
		mutate: func(d *Dispute) error {
			i := d.Current()
			if d.State != StateInMediation || i < 0 || !d.Agreements[i].EffectiveAt.IsZero() {
				return errs.Invalid("agreement", "signing", "no written agreement is waiting for signatures")
			}
			a := &d.Agreements[i]
			if a.Form != Written {
				return errs.Invalid("agreement", "written", "an oral agreement is not signed")
			}
			sig, err := s.checkSignature(ctx, *d, *a, in, actor)
			if err != nil {
				return err
			}
			a.Signatures = append(a.Signatures, sig)
			if !complete(*d, *a) {
				return nil
			}
			for _, sg := range a.Signatures {
				if sg.SignedAt.After(a.EffectiveAt) {
					a.EffectiveAt = sg.SignedAt
				}
			}
			if d.Kind == KindPeople {
				a.ConfirmationDue = casework.EndOfDayN(a.EffectiveAt, s.cfg.ConfirmationWindow, s.k.Zone())
			}
			return s.move(d, actor, StateAgreed, "调解协议书经各方当事人及调解员签名生效 (signed by every party and the mediator)", "")
		},
	})
}

func complete(d Dispute, a Agreement) bool {
	for _, p := range d.Parties {
		if !a.Signed(p.PersonID, "") {
			return false
		}
	}
	return a.Signed("", a.MediatorID)
}

func (s *Service) checkSignature(ctx context.Context, d Dispute, a Agreement, in SignatureInput, actor casework.Actor) (Signature, error) {
	now := s.k.Now()
	var f errs.Fields
	f.Merge("", s.k.Validate(in)) // the attachment's tags too
	f.Merge("", checkTime("signedAt", &in.SignedAt, now))
	if in.SignedAt.Before(a.ReachedAt) {
		f.Add("signedAt", "after_agreement", "a signature may not precede the agreement")
	}
	if since := mediatingSince(d); in.SignedAt.Before(since) {
		f.Add("signedAt", "after_mediation", "an agreement is signed in mediation, which began %s",
			since.In(s.k.Zone()).Format("2006-01-02 15:04 MST"))
	}
	switch {
	case (in.PartyID == "") == (in.MediatorID == ""):
		f.Add("partyId", "one_signer", "a signature is a party's or the mediator's")
	case in.MediatorID != "":
		if in.MediatorID != a.MediatorID {
			f.Add("mediatorId", "presiding", "the presiding mediator %s signs the agreement", a.MediatorID)
		}
		if in.SignedBy != "" {
			f.Add("signedBy", "party_only", "only a party signs through a representative")
		}
	default:
		p, ok := d.Party(in.PartyID)
		if !ok {
			f.Add("partyId", "party", "%s is not a party", in.PartyID)
			break
		}
		if in.SignedBy != "" && !slices.ContainsFunc(p.Representatives, func(r Representative) bool { return r.PersonID == in.SignedBy }) {
			f.Add("signedBy", "representative", "%s does not represent this party", in.SignedBy)
		}
	}
	if err := f.Err(); err != nil {
		return Signature{}, err
	}
	if a.Signed(in.PartyID, in.MediatorID) {
		return Signature{}, errs.Invalid("partyId", "signed_once", "this signer has signed already")
	}
	if d.Kind == KindPolice && in.PartyID != "" {
		minors, err := s.minors(ctx, d, in.SignedAt)
		if err != nil {
			return Signature{}, err
		}
		if slices.Contains(minors, in.PartyID) {
			if err := GuardianRule(d, []string{in.PartyID}, []string{in.SignedBy}, "signedBy"); err != nil {
				return Signature{}, err
			}
		}
	}
	// The signed page must be stored bytes matching the digest, and
	// attaching it links its upload, so the sweep keeps it.
	if err := s.k.CheckAttachment(ctx, in.Attachment); err != nil {
		f.Merge("attachment.", err)
		return Signature{}, f.Err()
	}
	return Signature{PartyID: in.PartyID, MediatorID: in.MediatorID, SignedBy: in.SignedBy, Attachment: in.Attachment,
		SignedAt: in.SignedAt, RecordedBy: actor.StaffID}, nil
}

// ConfirmationInput records an application for judicial confirmation.
type ConfirmationInput struct {
	Court     string    `json:"court" validate:"required,line,max=200"`
	AppliedAt time.Time `json:"appliedAt,omitzero"` // default now
}

// ApplyConfirmation records that the parties applied for judicial
// confirmation (司法确认) of the written people's-mediation agreement in
// force. The application must fall within Config.ConfirmationWindow days
// of the agreement's effect — "within 30 days" ends at 24:00 local time of
// the 30th day — and is refused after.
func (s *Service) ApplyConfirmation(ctx context.Context, actor casework.Actor, id string, version int64, in ConfirmationInput) (Dispute, error) {
	return s.update(ctx, actor, id, version, change{
		action: always(ActionFollowUp),
		audit:  "mediation.confirmation.apply",
		mutate: func(d *Dispute) error {
			i := d.Effective()
			if i < 0 || d.State != StateAgreed && d.State != StateFollowingUp && d.State != StateClosed {
				return errs.Invalid("agreement", "effective", "no agreement is in force")
			}
			a := &d.Agreements[i]
			if d.Kind != KindPeople || a.Form != Written {
				return errs.Invalid("agreement", "confirmable", "only a written people's-mediation agreement is judicially confirmed")
			}
			if a.Confirmation != nil {
				return errs.Invalid("confirmation", "once", "confirmation was applied for already (%s)", a.Confirmation.Status)
			}
			in.Court = strings.TrimSpace(in.Court)
			var f errs.Fields
			f.Merge("", s.k.Validate(in))
			f.Merge("", checkTime("appliedAt", &in.AppliedAt, s.k.Now()))
			if err := f.Err(); err != nil {
				return err
			}
			if in.AppliedAt.Before(a.EffectiveAt) {
				return errs.Invalid("appliedAt", "after_effect", "an application follows the agreement's effect")
			}
			if !in.AppliedAt.Before(a.ConfirmationDue) {
				return errs.Invalid("appliedAt", "confirmation_window",
					"judicial confirmation must be applied for within %d days of the agreement's effect (the window ended %s)",
					s.cfg.ConfirmationWindow, a.ConfirmationDue.In(s.k.Zone()).Format("2006-01-02 15:04 MST"))
			}
			a.Confirmation = &Confirmation{Status: ConfirmationRequested, Court: in.Court, AppliedAt: in.AppliedAt}
			return nil
		},
	})
}

// RulingInput records the court's ruling on a confirmation.
type RulingInput struct {
	Status  ConfirmationStatus `json:"status" validate:"required,line,oneof=confirmed invalid"`
	RuledAt time.Time          `json:"ruledAt,omitzero"` // default now
	Note    string             `json:"note,omitempty" validate:"max=2000"`
}

// RuleConfirmation records the court's ruling: confirmed (the agreement is
// enforceable) or invalid (its performance is no longer expected; the
// parties may mediate again — a follow-up reopens it — or sue).
func (s *Service) RuleConfirmation(ctx context.Context, actor casework.Actor, id string, version int64, in RulingInput) (Dispute, error) {
	return s.update(ctx, actor, id, version, change{
		action: always(ActionFollowUp),
		audit:  "mediation.confirmation.rule",
		mutate: func(d *Dispute) error {
			i := d.Effective()
			if i < 0 || d.Agreements[i].Confirmation == nil || d.Agreements[i].Confirmation.Status != ConfirmationRequested {
				return errs.Invalid("confirmation", "requested", "no application for confirmation awaits a ruling")
			}
			c := d.Agreements[i].Confirmation
			var f errs.Fields
			f.Merge("", s.k.Validate(in))
			f.Merge("", checkTime("ruledAt", &in.RuledAt, s.k.Now()))
			if in.RuledAt.Before(c.AppliedAt) {
				f.Add("ruledAt", "after_application", "a ruling follows the application")
			}
			if err := f.Err(); err != nil {
				return err
			}
			c.Status, c.RuledAt, c.Note = in.Status, in.RuledAt, strings.TrimSpace(in.Note)
			return nil
		},
	})
}
