package main

import (
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/outreach"
)

// referralAsk is help a visit may ask of another agency: the agency (and
// its name for AgencyOther), what is asked, and its weight among the
// kind's asks.
type referralAsk struct {
	agency  outreach.Agency
	name    string // for AgencyOther: the station's short name is put before it
	request string
	weight  int
}

// referralRates are, per target kind, how many visits in a thousand ask
// another agency for help, and what they ask: families in difficulty
// mostly of civil affairs (the article's 民政) and the residents'
// committee, key and special persons' families of community corrections,
// struggling firms of the street office. Other kinds refer nobody.
var referralRates = map[outreach.TargetKind]struct {
	perMille int
	asks     []referralAsk
}{
	outreach.DifficultFamily: {60, []referralAsk{
		{outreach.AgencyCivilAffairs, "", "申请临时救助和低保复核", 60},
		{outreach.AgencyResidentsCommittee, "", "协助照看独居老人", 25},
		{outreach.AgencyHospital, "", "联系慢病随访和上门诊疗", 10},
		{outreach.AgencyOther, "人社所", "协助办理就业登记", 5},
	}},
	outreach.KeyPersonFamily: {40, []referralAsk{
		{outreach.AgencyCommunityCorrections, "", "协助落实帮教措施", 70},
		{outreach.AgencyResidentsCommittee, "", "协助家庭矛盾调处", 30},
	}},
	outreach.SpecialPersonFamily: {40, []referralAsk{
		{outreach.AgencyCommunityCorrections, "", "协助落实帮教措施", 50},
		{outreach.AgencyCivilAffairs, "", "申请困难家庭救助", 50},
	}},
	outreach.StrugglingEnterprise: {50, []referralAsk{
		{outreach.AgencyOther, "街道经济发展办", "协调稳岗补贴和用工对接", 100},
	}},
}

// referral decides whether a visit asks another agency for help, and what
// became of it by the end of the history: two in three closed before they
// fell due (done, mostly; some declined or no longer needed), one in six
// closed late after a chase, the rest still open (overdue once their due
// day has passed, chased when it passed). It draws on its own random
// source, so that adding referrals changed no other record of a seed's
// city (nor the article's figures).
func (g *gen) referral(st *station, by casework.Actor, v outreach.Visit) (outreach.Referral, bool) {
	rate, ok := referralRates[v.TargetKind]
	if !ok || g.rrng.IntN(1000) >= rate.perMille {
		return outreach.Referral{}, false
	}
	n := 0
	for _, a := range rate.asks {
		n += a.weight
	}
	ask, x := rate.asks[0], g.rrng.IntN(n)
	for _, a := range rate.asks {
		if x < a.weight {
			ask = a
			break
		}
		x -= a.weight
	}
	t := v.VisitedAt.Add(time.Duration(10+g.rrng.IntN(50)) * time.Minute)
	if !t.Before(g.end) {
		return outreach.Referral{}, false
	}
	days := []int{7, 14, 14, 30}[g.rrng.IntN(4)]
	r := outreach.Referral{ID: g.id("rf"), UnitID: v.UnitID, VisitID: v.ID, Sensitive: v.TargetKind.Sensitive(), Agency: ask.agency,
		Request: ask.request, OwnerID: by.StaffID, Due: casework.EndOfDayN(t, days, g.zone), Status: outreach.ReferralOpen,
		CreatedBy: by.StaffID, Version: 1, CreatedAt: t, UpdatedAt: t}
	if ask.name != "" {
		r.AgencyName = st.short + ask.name
	}
	g.truth.count(v.UnitID, "outreach.referrals.made", t, 0)
	g.seen(t)
	chase := func(at time.Time) {
		if at.Before(g.end) {
			r.FollowUps = append(r.FollowUps, outreach.FollowUp{At: at, By: by.StaffID, Note: "电话催办，对方称正在办理"})
			r.Version, r.UpdatedAt = r.Version+1, at
			g.seen(at)
		}
	}
	var closed time.Time
	switch f := g.rrng.IntN(100); {
	case f < 66:
		span := int64(r.Due.Sub(t) / time.Second)
		closed = t.Add(time.Duration(1+g.rrng.Int64N(span-1)) * time.Second)
	case f < 83:
		chase(r.Due.Add(time.Duration(1+g.rrng.IntN(8*3600)) * time.Second))
		closed = r.Due.Add(time.Duration(1+g.rrng.IntN(20)) * 24 * time.Hour)
	default:
		chase(r.Due.Add(time.Duration(1+g.rrng.IntN(48*3600)) * time.Second))
	}
	if !closed.IsZero() && closed.Before(g.end) && (len(r.FollowUps) == 0 || closed.After(r.UpdatedAt)) {
		r.Status, r.ClosedAt, r.ClosedBy, r.Version, r.UpdatedAt = outreach.ReferralClosed, closed, by.StaffID, r.Version+1, closed
		switch o := g.rrng.IntN(10); {
		case o < 8:
			r.Outcome, r.OutcomeNote = outreach.OutcomeDone, "已落实，回访确认"
		case o < 9:
			r.Outcome, r.OutcomeNote = outreach.OutcomeDeclined, "不符合办理条件，已告知当事人"
		default:
			r.Outcome, r.OutcomeNote = outreach.OutcomeWithdrawn, "当事人已自行解决"
		}
		g.truth.count(v.UnitID, "outreach.referrals.closed", closed, 0)
		g.seen(closed)
		g.sampled("referral.closed", r.ID)
	} else {
		g.openReferralDues = append(g.openReferralDues, r.Due)
		if r.Overdue(g.end) {
			if len(r.FollowUps) > 0 {
				g.sampled("referral.overdue", r.ID) // overdue and chased
			}
		} else {
			g.sampled("referral.open", r.ID)
		}
	}
	return r, true
}
