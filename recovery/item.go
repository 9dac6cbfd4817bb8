package recovery

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// State is where a property item stands. The codes are stable: the API and
// the database store them.
type State string

// The states of domain.md:
//
//	reported_stolen → recovered → identified → return_approved → returned
//	recovered → unclaimed → disposed          (after the holding period)
//
// An unclaimed item whose owner turns up before disposal may still be
// identified. A found item (recorded first as recovered) reaches identified
// by a confirmed match with a reported-stolen item or by an owner's claim.
const (
	StateReportedStolen State = "reported_stolen" // 报失被盗
	StateRecovered      State = "recovered"       // 追回/扣押
	StateIdentified     State = "identified"      // 权属已确认
	StateReturnApproved State = "return_approved" // 已批准发还
	StateReturned       State = "returned"        // 已发还
	StateUnclaimed      State = "unclaimed"       // 无人认领
	StateDisposed       State = "disposed"        // 已处置
)

// States lists every state in lifecycle order.
var States = []State{StateReportedStolen, StateRecovered, StateIdentified, StateReturnApproved, StateReturned, StateUnclaimed, StateDisposed}

// transitions is the state machine; every service method checks it, so no
// path skips a step (no return without identification and approval).
var transitions = map[State][]State{
	StateReportedStolen: {StateRecovered},
	StateRecovered:      {StateIdentified, StateUnclaimed},
	StateIdentified:     {StateReturnApproved},
	StateReturnApproved: {StateReturned},
	StateUnclaimed:      {StateIdentified, StateDisposed},
}

// CanMove reports whether the state machine allows from → to.
func CanMove(from, to State) bool { return slices.Contains(transitions[from], to) }

func move(from, to State) error {
	if !CanMove(from, to) {
		return errs.Transition(string(from), string(to), "not a step of the property item lifecycle")
	}
	return nil
}

// InCustody reports whether items in this state are held by the police (a
// staff member or a storage location), so that the custody chain names
// their holder.
func (s State) InCustody() bool {
	switch s {
	case StateRecovered, StateIdentified, StateReturnApproved, StateUnclaimed:
		return true
	}
	return false
}

// Valid reports whether s is a known state.
func (s State) Valid() bool { return slices.Contains(States, s) }

// Origin says how an item entered the register.
type Origin string

// Origins.
const (
	// OriginReported items come from a theft report (a case's stolen items
	// through the ledger, or an officer's entry): the owner is known, the
	// item is not.
	OriginReported Origin = "reported"
	// OriginFound items were recovered before anyone knew whose they are
	// (seized from a suspect, found abandoned): the item is known, the owner
	// is not, and matching finds the report.
	OriginFound Origin = "found"
)

// Item is a property item: something reported stolen, recovered, or both.
// Values are in fen (integer minor units of CNY) and cover the whole line
// (all of Quantity), as NIBRS values do.
type Item struct {
	ID       string `json:"id"`
	UnitID   string `json:"unitId"`
	CaseID   string `json:"caseId,omitempty"`
	Origin   Origin `json:"origin"`
	Category string `json:"category"`
	// NIBRS is the NIBRS property description code the category maps to
	// (ListNIBRS), filled in on every read from the category's mapping, so
	// an export can be compared with NIBRS-style statistics.
	NIBRS          string                `json:"nibrs,omitempty"`
	Description    string                `json:"description"`
	Identifiers    []casework.Identifier `json:"identifiers,omitempty"`
	Quantity       int                   `json:"quantity"`
	ValueFen       int64                 `json:"valueFen"`
	ValueConfirmed bool                  `json:"valueConfirmed,omitempty"`
	OwnerPersonID  string                `json:"ownerPersonId,omitempty"`
	State          State                 `json:"state"`

	StolenAt       time.Time `json:"stolenAt,omitzero"`
	StolenPlace    string    `json:"stolenPlace,omitempty"`
	RecoveredAt    time.Time `json:"recoveredAt,omitzero"`
	RecoveredPlace string    `json:"recoveredPlace,omitempty"`
	// HoldUntil is when a recovered item nobody claimed becomes unclaimed:
	// the end of the holding period's last day in the deployment zone.
	HoldUntil    time.Time `json:"holdUntil,omitzero"`
	IdentifiedAt time.Time `json:"identifiedAt,omitzero"`
	ReturnedAt   time.Time `json:"returnedAt,omitzero"`
	UnclaimedAt  time.Time `json:"unclaimedAt,omitzero"`
	DisposedAt   time.Time `json:"disposedAt,omitzero"`

	// MatchedItemID links a found item and the reported item a confirmed
	// match tied it to, in both directions. The reported item keeps its
	// state: the found item carries on (custody, return), so nothing is
	// counted twice.
	MatchedItemID string `json:"matchedItemId,omitempty"`
	ReturnID      string `json:"returnId,omitempty"`   // the return under way or done
	DisposalID    string `json:"disposalId,omitempty"` // the disposal under way or done

	// Holder is the current holder, the To of the last custody entry; zero
	// while the item was never in custody.
	Holder Holder `json:"holder,omitzero"`
	// CustodySeq is the number of custody entries; the next one is +1.
	CustodySeq int64 `json:"custodySeq"`
	// Traces mark the item as being traced after an arrest (快抓捕 · 同步挽损):
	// a mark, not a state.
	Traces []Trace `json:"traces,omitempty"`
	// Source is the hand-off that created the item, if any.
	Source casework.Source `json:"source,omitzero"`

	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Trace links an item to an arrest.
type Trace struct {
	CaseID   string    `json:"caseId,omitempty"`
	ArrestID string    `json:"arrestId"`
	At       time.Time `json:"at"`
}

// Clone returns a copy that shares nothing with it.
func (it Item) Clone() Item {
	it.Identifiers = slices.Clone(it.Identifiers)
	it.Traces = slices.Clone(it.Traces)
	return it
}

// Traced reports whether the item was marked as traced by an arrest.
func (it Item) Traced() bool { return len(it.Traces) > 0 }

// ItemInput describes a property item: the part shared by a theft report
// and a recovery.
type ItemInput struct {
	UnitID      string                `json:"unitId" validate:"line"`
	CaseID      string                `json:"caseId,omitempty" validate:"line"`
	Category    string                `json:"category" validate:"line"`
	Description string                `json:"description"`
	Identifiers []casework.Identifier `json:"identifiers,omitempty"`
	Quantity    int                   `json:"quantity"`
	ValueFen    int64                 `json:"valueFen"`
	// ConfirmLargeValue must be set when ValueFen exceeds the configured
	// large-value threshold: the NIBRS rule that a very large value is
	// checked by a person, because an extra zero typed into a bicycle's
	// value would otherwise swell every total.
	ConfirmLargeValue bool   `json:"confirmLargeValue,omitempty"`
	OwnerPersonID     string `json:"ownerPersonId,omitempty" validate:"line"`
}

// Limits on free text, in characters.
const (
	maxDescription = 2000
	maxPlace       = 500
	maxNote        = 2000
	maxQuantity    = 1_000_000
	// maxValueFen keeps any sum of values far from int64 overflow: ten
	// billion yuan per line.
	maxValueFen = 1_000_000_000_000
)

func (in *ItemInput) normalize() {
	in.Category = strings.TrimSpace(in.Category)
	in.Description = strings.TrimSpace(in.Description)
	in.OwnerPersonID = strings.TrimSpace(in.OwnerPersonID)
	in.CaseID = strings.TrimSpace(in.CaseID)
}

// checkValue applies the NIBRS value rules of the category's code
// (ValueRule): a zero-value code (cards, documents) must be zero; 77 other
// may be zero; 88 pending inventory is exactly one yuan; any other needs a
// positive value (an unknown value is entered as UnknownValueFen, one yuan,
// the NIBRS "$1" convention, so it is visibly nominal rather than silently
// missing); a value above the large-value threshold needs confirmation.
func checkValue(f *errs.Fields, prefix, category string, rule ValueRule, value int64, confirmed bool, large int64) {
	switch {
	case value < 0:
		f.Add(prefix+"valueFen", "min", "may not be negative")
	case value > maxValueFen:
		f.Add(prefix+"valueFen", "max", "may not exceed %d fen", int64(maxValueFen))
	case rule == ValueZero && value != 0:
		f.Add(prefix+"valueFen", "zero_value", "category %s is recorded at zero value (NIBRS): its worth is not the item's", category)
	case rule == ValueOneUnit && value != UnknownValueFen:
		f.Add(prefix+"valueFen", "one_unit", "category %s is recorded at exactly %d fen (NIBRS pending inventory)", category, UnknownValueFen)
	case rule == ValueRequired && value == 0:
		f.Add(prefix+"valueFen", "required", "a value is required for category %s (enter %d fen, one yuan, when it is unknown)", category, UnknownValueFen)
	case value > large && !confirmed:
		f.Add(prefix+"valueFen", "confirm_large_value", "a value above %d fen needs confirmLargeValue", large)
	}
}

// checkItemInput validates the shared fields; categories are checked
// against the kernel's code list so an integrator's added codes count.
func (s *Service) checkItemInput(prefix string, in ItemInput) ([]casework.Identifier, error) {
	var f errs.Fields
	if in.UnitID == "" {
		f.Add(prefix+"unitId", "required", "is required")
	}
	cat, mapped := s.Category(in.Category)
	if hint, retired := retiredCategories[in.Category]; retired && !mapped {
		f.Add(prefix+"category", "retired", "%s", hint)
	} else if err := s.k.Codes().Check(prefix+"category", ListCategory, in.Category); err != nil {
		f.Merge("", err)
	} else if !mapped {
		// A code added to the list at run time, past New's check.
		f.Add(prefix+"category", "nibrs", "category %s maps to no NIBRS property description code", in.Category)
	}
	checkText(&f, prefix+"description", in.Description, true, maxDescription)
	checkText(&f, prefix+"caseId", in.CaseID, false, 100)
	if in.Quantity < 1 || in.Quantity > maxQuantity {
		f.Add(prefix+"quantity", "range", "must be 1 to %d", maxQuantity)
	}
	if mapped {
		checkValue(&f, prefix, in.Category, cat.ValueRule(), in.ValueFen, in.ConfirmLargeValue, s.cfg.LargeValueFen)
	}
	ids, err := normalizeIdentifiers(prefix+"identifiers", in.Identifiers)
	f.Merge("", err)
	return ids, f.Err()
}

// merge adds a validation error's fields to f and returns any other error
// for the caller to return as it is: a failing database is not the caller's
// mistake, and must not read as one.
func merge(f *errs.Fields, err error) error {
	if err != nil && !errors.Is(err, errs.ErrInvalid) {
		return err
	}
	f.Merge("", err)
	return nil
}

// checkText applies the kernel's one text rule (casework.CheckText: valid
// UTF-8, no NUL or control characters beyond newline and tab, at most max
// characters — Chinese text is limited in length, not in alphabet) and,
// when required, presence.
func checkText(f *errs.Fields, field, v string, required bool, max int) {
	if err := casework.CheckText(field, v, max); err != nil {
		f.Merge("", err)
		return
	}
	if required && strings.TrimSpace(v) == "" {
		f.Add(field, "required", "is required")
	}
}

// checkLine is checkText for a one-line value (an id, a code, a name):
// casework.CheckLine, no control characters at all.
func checkLine(f *errs.Fields, field, v string, required bool, max int) {
	if err := casework.CheckLine(field, v, max); err != nil {
		f.Merge("", err)
		return
	}
	if required && strings.TrimSpace(v) == "" {
		f.Add(field, "required", "is required")
	}
}

// checkQuery applies checkText to the free-text filters of a query, named
// field by field.
func checkQuery(fields map[string]string) error {
	var f errs.Fields
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		checkText(&f, name, fields[name], false, 200)
	}
	return f.Err()
}

// validID reports whether a string can be a record id at all; anything else
// is answered "not found" without asking the store.
func validID(id string) bool {
	return id != "" && len(id) <= 200 && utf8.ValidString(id) && !strings.ContainsRune(id, 0)
}
