// Package outreach is the community outreach workflow of the Zibo campaign
// "百万警进千万家" ("a million police into ten million homes"): officers
// visit homes, villages, firms and schools, give services and aid, find
// safety hazards, disputes and leads, keep the address registry (一标三实)
// fresh, and answer residents' appointments.
//
// # Records
//
//   - Campaign: a name, a period, the units taking part and a goal per
//     target kind; its progress counts the visits recorded against it.
//   - Visit: who went (officers), when, where (a standard address), the kind
//     of target (TargetKind: nine kinds) and the person or organisation
//     visited, notes, services given, aid delivered, and what was found.
//     A visit is a fact: only its notes, services and aid can be amended.
//   - Hazard (安全隐患): found → rectifying → rectified → verified. A
//     verification is made by an officer other than the one who recorded the
//     fix, so nobody signs off their own work; a rejected fix goes back to
//     rectifying. A hazard is overdue while unrectified past its deadline.
//   - Appointment (预约服务): requested → accepted → done, or declined with
//     a reason, or no_show. An officer never holds two accepted appointments
//     that overlap in time; stores enforce it inside the write transaction,
//     so two desks accepting at once cannot both win.
//   - PlanEntry: a household, site or firm on the visit plan. Config sets how
//     often each target kind must be visited; Plan.Assess is the one function
//     that decides when a target is due and when overdue. The officer whose
//     responsibility area (责任区: community names or address ids on
//     casework.Staff.Areas) holds the address owns its visits.
//   - Referral (联系相关部门帮扶): help asked of another agency on a visit —
//     民政 civil affairs, 居委会/村委会, a hospital, a school, 社区矫正
//     community corrections, or another named agency — with what was asked,
//     an owner (active staff in reach) and a due time; open → closed with
//     an outcome (done, declined, withdrawn), follow-ups recorded between.
//     It belongs to its visit's unit, and a referral made on a sensitive
//     visit is masked like the visit. Overdue while open from the due
//     instant on: pastDeadline is the one deadline rule of hazards,
//     referrals and the plan. The kernel's sweep (Service.Sweep, registered
//     in Provides) sends each overdue referral's owner one notice,
//     recorded on the referral (OverdueNoticedAt); ListOverdueReferrals
//     lists them until closed, and Totals counts referrals made, closed
//     and closed by outcome, as the report does.
//
// # Hand-offs
//
// A dispute found on a visit goes to mediation and a lead goes to casework,
// through the kernel's outbox: the visit and its outbox messages commit in
// one transaction, so a finding is never lost and never handed on without
// its visit. Outreach imports neither receiver: the payloads and the
// contracts (casework.DisputeIntake, casework.LeadIntake) are kernel types,
// and each receiving workflow registers its receiver in its own New. When a
// receiver acknowledges, the id it returns is written back on the visit's
// finding in a second, audited transaction (the write-back outreach.New
// registers).
//
// # Who may do what
//
// The default policy rows (registered by New, so an integrator's
// overrides win): officers, community officers and supervisors record
// visits, hazards, appointments, plan entries and referrals and verify
// hazards; supervisors run campaigns; auditors read. Visits to key-person and
// special-person families are sensitive: only roles granted
// ActionReadSensitive (default: supervisor and community officer, never an
// admin) see who was visited and the notes; everyone else sees the visit
// masked, and every count. The target kind itself stays in clear so that
// totals can group by it; the persons' tags are sealed by the kernel.
//
// The helpers (casework.HelperRoles: auxiliary police, grid workers,
// building heads, volunteers, committee staff) record visits with their
// services and aid, and the hazards, disputes and leads they find, and read
// their unit's visits and hazards; they verify nothing. For them even the
// kind of a sensitive visit is a secret: they neither record one nor see
// one, not even masked (GetVisit and GetPlanEntry answer ErrForbidden,
// lists leave them out).
//
// Reach comes before roles: a record outside the actor's unit subtree (a
// campaign: also outside the units taking part) answers ErrNotFound with
// the zero value, exactly as an id that does not exist, whoever asks —
// also an actor who is no staff member. Every id an input names (a person,
// an address, a staff member, a unit, a visit, a plan entry, a campaign) is
// checked the same way and, out of reach, is ErrInvalid on its field with
// rule "exists". Who recorded a hazard's fix neither verifies nor rejects
// it (Target.RequestedBy).
//
// # Audit
//
// Every change — a visit, a hazard move, an appointment move, a campaign, a
// plan entry, a finding's write-back — commits with its audit entry in one
// transaction, in the one hash-chained log of the database.
//
// # Counting
//
// Visits count each visit (户次); security key sites and struggling
// enterprises count distinct targets visited in the period (处, 家); a
// hazard counts as rectified in each period in which it reached rectified,
// and a fix a verifier rejects counts as rejected
// (outreach.hazards.fix_rejected) in the period of the rejection, so a
// figure once reported never changes (HazardEvent). Referrals count as
// made in the period they were recorded (outreach.referrals.made) and as
// closed in the period they were closed (outreach.referrals.closed); a
// closed referral is never reopened, so neither figure changes later.
package outreach
