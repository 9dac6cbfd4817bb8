package main

import (
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/mediation"
)

// disputeFate is what becomes of a dispute: accepted, then settled (an
// agreement that takes effect) or failed, at the times given; a zero time
// is a step not reached.
type disputeFate struct {
	accepted, settled, failed time.Time
}

// randomFate is the usual course: nine in ten accepted the next days,
// three in four of those settled within three weeks, one in ten failed,
// the rest still in mediation; nothing after the history's end.
func (g *gen) randomFate(reported time.Time) disputeFate {
	var f disputeFate
	if g.rng.IntN(10) == 0 {
		return f
	}
	f.accepted = g.after(reported, 0, 2)
	switch r := g.rng.IntN(100); {
	case r < 75:
		f.settled = g.after(f.accepted, 1, 20)
	case r < 85:
		f.failed = g.after(f.accepted, 3, 30)
	}
	return f.cut(g.end)
}

// cut drops the steps at or after end.
func (f disputeFate) cut(end time.Time) disputeFate {
	if !f.accepted.Before(end) {
		return disputeFate{}
	}
	if !f.settled.Before(end) {
		f.settled = time.Time{}
	}
	if !f.failed.Before(end) {
		f.failed = time.Time{}
	}
	return f
}

var disputeCategories = []string{"neighbour/noise", "neighbour/animal", "neighbour/leak", "marriage_family", "contract_debt", "labour", "property_mgmt", "consumer"}

// dispute writes a dispute reported at t and walked to its fate, as the
// service's transitions leave it: the history of every step, a settled
// dispute's oral agreement in effect and the dispute closed, a failed one
// closed as failed.
func (g *gen) dispute(st *station, id string, t time.Time, source string, origin *casework.Source, parties []personRef, f disputeFate) error {
	by := g.officer(st)
	if len(parties) == 0 {
		parties = []personRef{pick(g, st.persons), pick(g, st.persons)}
	}
	d := mediation.Dispute{ID: id, UnitID: st.unit.ID, State: mediation.StateReported, Kind: mediation.KindPeople, Category: pick(g, disputeCategories),
		Source: source, Origin: origin, Facts: "双方因生活琐事发生纠纷，互不相让", Risk: mediation.RiskLow, ReportedAt: t,
		Parties:       []mediation.Party{{PersonID: parties[0].id, Role: "applicant"}, {PersonID: parties[1].id, Role: "respondent"}},
		PartyDocIndex: []string{parties[0].docIndex, parties[1].docIndex}, Version: 1, CreatedAt: t, UpdatedAt: t}
	step := func(to mediation.State, at time.Time, reason string) {
		d.History = append(d.History, mediation.Step{From: d.State, To: to, At: at, ActorID: by.StaffID, Reason: reason})
		if to == mediation.StateReported {
			d.History[len(d.History)-1].From = ""
		}
		d.State, d.Version, d.UpdatedAt = to, d.Version+1, at
		g.seen(at)
	}
	step(mediation.StateReported, t, "登记")
	d.Version = 1
	g.truth.count(st.unit.ID, "mediation.disputes.found", t, 0)
	if !f.accepted.IsZero() {
		step(mediation.StateScreened, f.accepted, "研判受理")
		step(mediation.StateAccepted, f.accepted, "受理")
		d.AcceptedAt, d.Assigned = f.accepted, []string{by.StaffID}
		step(mediation.StateInMediation, f.accepted, "开始调解")
		g.truth.count(st.unit.ID, "mediation.disputes.accepted", f.accepted, 0)
	}
	switch {
	case !f.settled.IsZero():
		d.Sessions = []mediation.Session{{ID: g.id("s"), At: f.settled, Place: st.unit.Name + "人民调解室",
			Mediators: []mediation.Mediator{{StaffID: by.StaffID, Role: casework.RoleOfficer}}, Notes: "双方相互赔礼道歉、握手言和", RecordedBy: by.StaffID, RecordedAt: f.settled}}
		d.Agreements = []mediation.Agreement{{Form: mediation.Oral, MediatorID: by.StaffID, Content: "双方相互赔礼道歉，今后和睦相处",
			Terms: []mediation.Term{{Text: "双方相互赔礼道歉"}}, ReachedAt: f.settled, DraftedBy: by.StaffID, EffectiveAt: f.settled}}
		step(mediation.StateAgreed, f.settled, "达成口头协议")
		d.SettledAt = f.settled
		g.truth.count(st.unit.ID, "mediation.disputes.settled", f.settled, 0)
		step(mediation.StateClosed, f.settled, "当场履行完毕")
		d.ClosedAt, d.Outcome = f.settled, mediation.OutcomeSettled
	case !f.failed.IsZero():
		step(mediation.StateFailed, f.failed, "一方明确拒绝调解")
		d.FailedAt = f.failed
		g.truth.count(st.unit.ID, "mediation.disputes.failed", f.failed, 0)
	}
	d.NextDue = mediation.NextDueOf(d)
	if !d.SettledAt.IsZero() {
		g.sampled("dispute.settled", d.ID)
	}
	return g.wr.dispute(g.ctx, by, d)
}
