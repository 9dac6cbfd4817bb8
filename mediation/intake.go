package mediation

import (
	"context"
	"strings"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// IntakeDispute receives a dispute found on an outreach visit (or any
// screening) through the outbox and reports it as a new dispute with
// source outreach_screening, linked back to the visit through Origin. It
// satisfies casework.DisputeIntake; New registers it as the receiver of
// casework.KindDisputeFinding. It is idempotent on the finding's Source (Kernel.ReceiveOnce): a repeated
// delivery returns the dispute created the first time. The finding's Actor
// acts, with the same permission check as Report. Because a hand-off that
// fails is retried, the finding is taken as leniently as the rules allow:
// an unknown category becomes "other" (the original kept in the facts),
// the first party is the applicant and the others respondents (screening
// corrects them with UpdateParties), and a found time in the future is the
// present.
func (s *Service) IntakeDispute(ctx context.Context, f casework.DisputeFinding) (string, error) {
	if f.Source.Kind == "" || f.Source.ID == "" {
		return "", errs.Invalid("source", "required", "a hand-off names its source")
	}
	return s.k.ReceiveOnce(ctx, f.Source, RecordType, func(in *casework.InboxEntry) (string, error) {
		if err := s.k.UnitInReach(ctx, f.Actor, f.UnitID); err != nil {
			return "", err
		}
		if err := s.k.AuthorizeHandoff(ctx, f.Actor, ActionReport, casework.Target{RecordType: RecordType, UnitID: f.UnitID}); err != nil {
			return "", err
		}
		d, err := s.create(ctx, f.Actor, s.fromFinding(f), "mediation.intake", nil, in)
		return d.ID, err
	})
}

func (s *Service) fromFinding(f casework.DisputeFinding) ReportInput {
	src := f.Source
	facts := strings.TrimSpace(f.Summary)
	if facts == "" {
		facts = "走访排查发现的矛盾纠纷 (dispute found on a visit)"
	}
	cat := strings.TrimSpace(f.Category)
	if _, ok := s.k.Codes().Lookup(ListCategory, cat); !ok {
		if cat != "" {
			facts += "\n（排查分类：" + cat + "）"
		}
		cat = "other"
	}
	risk, note := Risk(f.Risk), strings.TrimSpace(f.RiskNote)
	if !risk.Valid() {
		risk = RiskLow
	}
	if risk != RiskLow && note == "" {
		note = "走访排查研判 (assessed on the visit)"
	}
	parties := make([]Party, 0, len(f.PartyIDs))
	for i, id := range f.PartyIDs {
		role := Respondent
		if i == 0 {
			role = Applicant
		}
		parties = append(parties, Party{PersonID: id, Role: role})
	}
	found := f.FoundAt
	if now := s.k.Now(); found.After(now) {
		found = now
	}
	return ReportInput{UnitID: f.UnitID, Category: cat, Source: SourceOutreach, SourceNote: src.Kind + " " + src.ID,
		Kind: KindPeople, Parties: parties, Facts: facts, AddressID: f.AddressID, Address: f.Address,
		Risk: risk, RiskReason: note, ReportedAt: found, origin: &src}
}
