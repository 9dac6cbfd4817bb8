// Package mediation is the dispute-mediation workflow of grassroots
// (矛盾纠纷排查化解): find disputes early and settle them before they grow.
//
// # Disputes
//
// A dispute has a category from the two-level code list "dispute_category"
// (neighbour/noise, neighbour/animal …; an integrator extends it through
// casework.Config.Codes), a source (outreach screening, walk-in, 110 call,
// referral from another agency or a court), parties — kernel Persons, each
// an applicant or a respondent, with representatives and guardians — facts,
// an address, and a risk level with its reason. It is one of three kinds:
// people's mediation (人民调解), police mediation (治安调解: only for a
// minor public-order violation arising from a civil dispute, refused for
// hired violence, group fights, 寻衅滋事, repeat offenders and a fleeing
// offender; a minor party takes part only with a guardian present) and a
// settlement between the parties (和解).
//
// # States
//
//	reported     → screened | not_accepted
//	screened     → accepted | not_accepted
//	accepted     → in_mediation
//	in_mediation → agreed | failed
//	agreed       → following_up | closed
//	following_up → closed | in_mediation | referred
//	failed       → referred | closed
//
// Every other move is refused with an invalid-transition error naming
// from, to and why (CheckTransition). A dispute becomes agreed when its
// agreement takes effect: a written agreement (调解协议书) when every party
// and the presiding mediator have signed, an oral one when reached. A
// party's clear refusal fails a mediation; a failed police mediation closes
// as penalised. A follow-up visit (回访) that finds a term not performed
// reopens mediation or refers the dispute. A closed dispute is reopened
// (closed → in_mediation) only by a supervisor's Reopen, with a reason: a
// correction outside the table, which keeps every event date a report
// counts (settled, failed, referred, closed: each set by its first event),
// so a past period's figures never change. Judicial confirmation (司法确认)
// of a written people's-mediation agreement is applied for within 30 days
// of its effect (to 24:00 local time of the 30th day) and refused after.
//
// # Who may do what
//
// Permissions are rows of the kernel's policy, registered by New with
// Policy.Default (an integrator's rows win):
//
//	mediation.read       every role but the helpers' (casework.HelperRoles)
//	mediation.report     officer, community_officer, supervisor, the helpers
//	mediation.screen     officer, community_officer, supervisor (→ screened, → not_accepted)
//	mediation.accept     officer, community_officer, supervisor (→ accepted, assign, share)
//	mediation.mediate    the above, mediator, lawyer (sessions, agreements, signatures, parties,
//	                     → in_mediation, → failed)
//	mediation.assess     the above (risk level)
//	mediation.follow_up  the above (follow-ups, judicial confirmation, → following_up)
//	mediation.close      officer, community_officer, supervisor (→ closed, → referred)
//	mediation.review     supervisor (review of a high-risk dispute)
//	mediation.reopen     supervisor (a closed dispute back into mediation)
//
// Mediators and lawyers act only on the disputes assigned to them, and see
// only those: the kernel enforces it from the dispute's Assigned staff.
// Helpers (grid workers, committee staff …) report the disputes they find,
// directly or as a visit's finding, and may be named in a session in their
// helper role beside an officer or a people's mediator, never alone (rule
// "not_alone"); they record no session and preside over no agreement. A
// dispute out of the actor's unit subtree is not found.
//
// # Deadlines and overdue
//
// A high-risk dispute (it may turn violent, 民转刑) notifies the unit and
// must be reviewed by a supervisor within Config.ReviewDeadline (24 h); an
// accepted dispute must be mediated within Config.MediationLimit days (30)
// of acceptance or reopening; each term of an agreement must be confirmed
// performed by a follow-up before its performance deadline; parties who
// mean to seek judicial confirmation must apply within the window. One
// function, Overdue, decides for every reason; lists, reports and the sweep
// use it and nothing else. A missed deadline never changes the state.
// Sweep sends "deadline approaching" and "overdue" notices, each once.
//
// # What is audited
//
// Every change — report, intake, transition, session, agreement,
// signature, confirmation, follow-up, assessment, review, assignment,
// party change, and the sweep's notice marks — writes the dispute and one
// entry of the kernel's hash-chained audit log in one transaction, with a
// redacted diff (the parties' document indexes never appear). Every state
// change is also a Step of the dispute's History: from, to, actor, time
// and reason.
//
// # Storage
//
// Store is the backend contract; memstore keeps disputes in memory on the
// kernel's memstore.DB, sqlstore in SQLite or PostgreSQL on the kernel's
// sqlstore.Store; storetest.Run checks any backend.
package mediation
