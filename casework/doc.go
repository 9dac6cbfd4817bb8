// Package casework is the shared kernel of grassroots — units, staff,
// actors, the permission policy, persons with sealed identity data,
// standard addresses, code lists, attachments, the hash-chained audit log,
// request keys and the outbox — and the hand-off contracts between the
// workflows. The small property-crime case workflow is its own package,
// casework/cases, a peer of mediation, outreach and recovery.
//
// # Building on the kernel
//
// Every workflow package (casework/cases, mediation, outreach, recovery)
// has the same shape:
//
//   - a Service built with New(kernel, store, cfg) — nil cfg means defaults —
//     that satisfies Workflow and registers with the kernel (Register) all
//     it provides: policy rows, code lists, figures, its sweeper, the
//     receivers of the hand-offs it receives; its methods take ctx first and
//     the acting Actor second, and are the only way to change state;
//   - a Store interface whose doc comment states its error contract
//     (ErrNotFound, ErrConflict on a duplicate key or a stale version, ctx
//     errors, no aliasing), with a memory store built on memstore.Host and a
//     SQL store built on sqlstore.Host, and an exported storetest.Run that
//     every store passes;
//   - Totals(ctx, actor, ReportQuery) through TotalsFor, and TotalsByUnit
//     through ByChildUnit.
//
// A service method follows one pattern:
//
//  1. load the record and call Kernel.Check with the action and a Target
//     (owning unit, shared units, assigned staff): reach first — out of
//     reach is ErrNotFound with the zero value, exactly as a missing id —
//     then the policy (ErrForbidden); every id the input names is checked
//     for reach too (PersonInReach, StaffInReach, AddressInReach,
//     RefInReach);
//  2. validate (Kernel.Validate applies the struct tags and the one text and
//     date rule to every field; errs.Fields for rules) and check the
//     transition;
//  3. build the next version (Version+1) and its Change with Kernel.Change
//     (an audit record with a redacted payload), adding outbox messages
//     (Kernel.NewOutboxMessage) for hand-offs;
//  4. call the store, which commits the record and the Change in one
//     transaction; creates go through CreateOnce and attach the caller's
//     request key with Change.Keyed; hand-off receivers go through
//     Kernel.ReceiveOnce and check the sending actor.
//
// # Permissions
//
// Policy is a role × action table held as data. Services add their rows
// when they register, so an integrator's overrides win; the kind of each
// action is fixed by the package that defines it. Separation of duties
// holds whatever the table says: an admin never reveals sensitive data, an
// auditor only reads, an approver is never the requester, mediators and
// lawyers act only on records assigned to them, and the helpers
// (HelperRoles: auxiliary police, grid workers, building heads, volunteers,
// committee staff) hold no police role and never approve, reveal or
// administer. A refused reveal of a person in reach is audited.
//
// # Shares and attachments
//
// A unit shares a record with another unit (Share, PrepareShare): read
// access for the receiving unit's subtree, audited, noticed to that unit
// through the outbox (ShareNoticeKind, delivered to the Notifier), ended
// by RevokeShare (with a reason, at once) or by its own ExpiresAt, which
// every read checks (ActiveShares) — no sweep is needed for access to end.
// The receiving unit lists what it was shared (ListSharesReceived).
// Uploaded photos and documents are linked to a workflow's records with
// AttachToRecord; whoever may read the record may download them
// (OpenAttachment), a unit outside its reach gets ErrNotFound.
//
// # Time
//
// One zone per deployment (default Asia/Shanghai) sets every calendar
// boundary. "Within N days" excludes the day of effect and ends at 24:00
// local time on day N (EndOfDayN). Stored times are UTC microseconds.
package casework
