package mediation

import (
	"slices"
	"strconv"
	"time"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Exclusion is a situation in which police mediation (治安调解) may not be
// used, after the Ministry of Public Security's rules on police mediation:
// the violation must then be dealt with by penalty, not by agreement.
type Exclusion string

// The excluded situations.
const (
	ExclHiredViolence  Exclusion = "hired_violence"  // 雇凶伤害他人
	ExclGroupFight     Exclusion = "group_fight"     // 结伙斗殴
	ExclProvocation    Exclusion = "provocation"     // 寻衅滋事
	ExclRepeatOffender Exclusion = "repeat_offender" // 多次实施违反治安管理行为
	ExclSuspectFled    Exclusion = "suspect_fled"    // 违法行为人逃跑
	ExclReoffended     Exclusion = "reoffended"      // 调解中又针对对方实施违反治安管理行为
)

// Exclusions lists every excluded situation.
var Exclusions = []Exclusion{ExclHiredViolence, ExclGroupFight, ExclProvocation, ExclRepeatOffender, ExclSuspectFled, ExclReoffended}

// PoliceFacts is what screening establishes before police mediation may be
// used: the violation, that it is minor and arose from a civil dispute
// (a quarrel between neighbours, relatives, colleagues …), and which of
// the excluded situations were found. The officer answers every question;
// the service refuses police mediation unless the answers allow it.
type PoliceFacts struct {
	Violation        string      `json:"violation" validate:"max=500"` // e.g. 殴打他人（情节轻微）; required by CheckPolice
	FromCivilDispute bool        `json:"fromCivilDispute"`
	MinorViolation   bool        `json:"minorViolation"` // 情节轻微
	Exclusions       []Exclusion `json:"exclusions,omitempty" validate:"line,max=10"`
}

// CheckPolice decides whether police mediation may be used on these facts.
// It is checked at report, screening, acceptance and the start of
// mediation, because facts found later (the offender fled) end it.
func CheckPolice(p *PoliceFacts) error {
	var f errs.Fields
	if p == nil {
		f.Add("police", "required", "police mediation needs the facts of the violation")
		return f.Err()
	}
	if p.Violation == "" {
		f.Add("police.violation", "required", "name the public-order violation")
	}
	if !p.FromCivilDispute {
		f.Add("police.fromCivilDispute", "civil_dispute", "police mediation is only for violations arising from a civil dispute")
	}
	if !p.MinorViolation {
		f.Add("police.minorViolation", "minor_violation", "police mediation is only for minor violations (情节轻微)")
	}
	for i, e := range p.Exclusions {
		field := "police.exclusions[" + strconv.Itoa(i) + "]"
		if !slices.Contains(Exclusions, e) {
			f.Add(field, "code", "%q is not a code of list %s", e, ListExclusion)
			continue
		}
		f.Add(field, "police_excluded", "police mediation is refused: %s", exclusionLabel[e])
	}
	return f.Err()
}

var exclusionLabel = map[Exclusion]string{
	ExclHiredViolence:  "雇凶伤害他人 (hired violence)",
	ExclGroupFight:     "结伙斗殴 (group fight)",
	ExclProvocation:    "寻衅滋事 (picking quarrels and provoking trouble)",
	ExclRepeatOffender: "多次实施违反治安管理行为 (repeat offender)",
	ExclSuspectFled:    "违法行为人逃跑 (the offender fled)",
	ExclReoffended:     "调解中又针对对方实施违法行为 (offended again during mediation)",
}

// AgeAt is a person's age in whole years at instant t, counted in zone
// (a birthday begins at local midnight). ok is false without a birth date.
func AgeAt(birth, t time.Time, zone *time.Location) (age int, ok bool) {
	if birth.IsZero() {
		return 0, false
	}
	l := t.In(zone)
	age = l.Year() - birth.Year()
	if l.Month() < birth.Month() || l.Month() == birth.Month() && l.Day() < birth.Day() {
		age--
	}
	return age, true
}

// AdultAge is the age of full civil capacity.
const AdultAge = 18

// isMinor decides whether a party is a minor at t: by the person's birth
// date when recorded, by the party's Minor mark otherwise.
func isMinor(p Party, birth, t time.Time, zone *time.Location) bool {
	if age, ok := AgeAt(birth, t, zone); ok {
		return age < AdultAge
	}
	return p.Minor
}

// GuardianRule is the police-mediation rule that a minor party takes part
// only with a guardian: present lists the person ids present (a session's
// attendees, or the signer of a signature). It returns the rule's field
// error for the minor parties without a guardian among them.
func GuardianRule(d Dispute, minors []string, present []string, field string) error {
	var f errs.Fields
	for _, id := range minors {
		p, ok := d.Party(id)
		if !ok {
			continue
		}
		gs := p.Guardians()
		if len(gs) == 0 {
			f.Add(field, "guardian_required", "party %s is a minor and has no guardian recorded", id)
			continue
		}
		if !slices.ContainsFunc(gs, func(g string) bool { return slices.Contains(present, g) }) {
			f.Add(field, "guardian_present", "party %s is a minor: a guardian must be present", id)
		}
	}
	return f.Err()
}
