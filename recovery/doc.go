// Package recovery is the stolen-property ledger of grassroots: what was
// stolen, what was recovered, who holds it, whose it is, and how it goes
// back — the article's 涉案物品返还会 where a station hands a bird cage, an
// e-bike and a motorcycle back to their owners in one afternoon.
//
// # Items and their states
//
// A property item has a category (list property_category: the NIBRS
// property descriptions plus what Chinese small cases need — e-bikes and
// their batteries, bird cages, birds, grain, tobacco, alcohol), each
// mapped to exactly one of the 68 NIBRS property description codes (list
// nibrs_property_description; an item's NIBRS field carries it, as does
// the printed return list, Service.CategoryCodes lists the mapping, and an
// integrator's category must name one, Config.Categories), identifiers
// (serial, IMEI with its Luhn check, frame and engine numbers, plate), a
// quantity, a value in fen under the NIBRS value rules of its code
// (documents and cards are recorded at zero, 77 other may be zero, every
// other item needs a value, an unknown one is UnknownValueFen, one yuan; a
// value above Config.LargeValueFen needs ConfirmLargeValue), an owner (a
// kernel Person) and a case. Its states:
//
//	reported_stolen → recovered → identified → return_approved → returned
//	recovered → unclaimed → disposed
//
// Items reported stolen arrive from casework through the ledger
// (RegisterStolen, below) or an officer's ReportStolen. A recovery either
// recovers a reported item (RecordRecovery) or records an item nobody has
// claimed yet (RecordFound); Match then ranks the reported items it may be
// — identical identifiers first, then a score on category, Chinese
// description (character bigrams), time and place — and ConfirmMatch links
// the two and moves the found item to identified. After the holding period
// (Config.HoldingPeriodDays) Sweep makes an unclaimed item of a recovered
// one; a disposal (auction, destruction, treasury) then needs approval and
// records its method and proceeds.
//
// # Custody
//
// From recovery on, every move is an entry in the item's custody chain:
// from and to holder (a staff member, a storage location; at the end the
// recipient or the buyer), actor, witness, time, reason, condition, seal,
// photo digests. Entries are only appended — the SQL tables refuse UPDATE
// and DELETE at the database level — and a mistake is corrected by a new
// entry that names the entry it corrects. The item's holder is the last
// entry's To, so it has exactly one holder at every moment (CheckChain).
//
// # Returns and return events
//
// A return is requested for an identified item, to the owner or to a
// delegate with the owner's written authorisation (an attachment); an
// officer may never be the recipient. A supervisor approves it — at branch
// level or above by default (the policy row's MinLevel), never the
// requester. At the hand-over the recipient's identity document is compared
// with their person record through the kernel's blind index (the number is
// never stored), the signed receipt is kept, and the custody chain ends
// with the recipient. A return event carries out many approved returns at
// once, each with its own receipt; an owner who does not come leaves the
// item approved and in custody for the next occasion. ReturnList produces
// the 发还清单 of a case or an event as data and as printable HTML.
//
// # Who may do what
//
// DefaultRules: officers report, recover, identify and request returns;
// custodians (涉案财物管理员) move items and carry out disposals;
// supervisors at branch level approve returns and disposals; auditors read.
// Every method asks reach first (casework.Kernel.Reach with a Target naming
// the item's unit and the units it or its case is shared with): a record
// out of reach, and any record for an actor who is no staff member,
// answers ErrNotFound and the zero value exactly as an id that does not
// exist, before roles, policy or level are consulted. Only then does
// casework.Kernel.Authorize decide: a shared record is read-only, an
// approval needs the level its rule sets and is never granted to the
// requester (Target.RequestedBy). Every id an input names — owners,
// recipients, witnesses, staff holders, a match's reported item, a
// hand-off's address — must lie in the actor's reach; one that does not is
// ErrInvalid on its field, as one that does not exist. A return list names
// only the persons its reader may read.
//
// # What is audited
//
// Every change — items, custody entries, returns, events, disposals, the
// inbox mark of every hand-off received — appends its audit entries to the
// kernel's hash chain in the same transaction (Store.Apply), verified by
// casework.Kernel.VerifyAudit. Each custody entry is audited under its own
// record with the SHA-256 of its canonical encoding, so VerifyCustody finds
// a custody row rewritten, deleted or forged behind the service. Document
// numbers shown at a hand-over never reach the log.
//
// # Hand-offs
//
// The Service is casework's PropertyLedger. Casework's outbox delivers a
// case's stolen items (RegisterStolen) and its arrests (MarkTraced, a mark
// on the items, not a state) through casework.Receive, idempotently on the
// hand-off's source. Both are exported and check their actor themselves
// (reach, then permission) before answering even a repeat, so an embedder
// calling them directly gets the same protection; only inside a real
// delivery is the actor taken as it stood when sending. CompareProperty
// serves casework's survey-and-compare step against the recovered-property
// register.
//
// # Figures
//
// Totals and TotalsByUnit give items and value recovered and returned,
// return events held, items unclaimed and disposed and disposal proceeds,
// by unit subtree and period; the Service is a casework.FigureSource, so the
// kernel's one report includes them (recovery.value_returned_fen,
// recovery.return_events …).
package recovery
