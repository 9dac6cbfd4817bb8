package recovery

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// HolderKind says what kind of holder an item is with.
type HolderKind string

// Holder kinds.
const (
	HolderStaff    HolderKind = "staff"    // an officer or custodian (a staff id)
	HolderLocation HolderKind = "location" // a storage location (its code)
	HolderPerson   HolderKind = "person"   // the owner or a delegate, after a return (a person id)
	HolderExternal HolderKind = "external" // outside the police: a suspect, a buyer, the treasury, a destruction site
)

// Holder is who or where an item is. ID is the staff id, location code or
// person id; an external holder has only a Name.
type Holder struct {
	Kind HolderKind `json:"kind" validate:"line"`
	ID   string     `json:"id,omitempty" validate:"line"`
	Name string     `json:"name,omitempty" validate:"line"`
}

// IsZero reports whether the holder is unset.
func (h Holder) IsZero() bool { return h == Holder{} }

// Same reports whether two holders are the same holder (names may differ in
// spelling; kind and id decide, and external holders compare by name).
func (h Holder) Same(o Holder) bool {
	if h.Kind != o.Kind {
		return false
	}
	if h.Kind == HolderExternal {
		return h.Name == o.Name
	}
	return h.ID == o.ID
}

func (h Holder) String() string {
	switch {
	case h.Name != "" && h.ID != "":
		return fmt.Sprintf("%s %s (%s)", h.Kind, h.Name, h.ID)
	case h.Name != "":
		return fmt.Sprintf("%s %s", h.Kind, h.Name)
	}
	return fmt.Sprintf("%s %s", h.Kind, h.ID)
}

// SealState is the state of an item's seal at a move.
type SealState string

// Seal states (list custody_seal_state).
const (
	SealIntact   SealState = "intact"
	SealBroken   SealState = "broken"
	SealResealed SealState = "resealed"
	SealOpened   SealState = "opened"
	SealNone     SealState = "none"
)

func (s SealState) valid() bool {
	return slices.Contains([]SealState{SealIntact, SealBroken, SealResealed, SealOpened, SealNone}, s)
}

// EntryKind says why a custody entry was written.
type EntryKind string

// Custody entry kinds.
const (
	EntryIntake     EntryKind = "intake"     // first entry: taken into police custody at recovery
	EntryMove       EntryKind = "move"       // handed from one holder to another
	EntryReturn     EntryKind = "return"     // handed back to the owner or delegate
	EntryDisposal   EntryKind = "disposal"   // left custody by auction, destruction or to the treasury
	EntryCorrection EntryKind = "correction" // corrects an earlier entry, which stays as it was
	// EntryTransfer: the item passed, with its holder, into the custody of
	// another unit (its unit closed into that one, casework.Kernel.CloseUnit);
	// From and To are the same holder and UnitID is the receiving unit.
	EntryTransfer EntryKind = "transfer"
)

// CustodyEntry is one link of an item's custody chain. Entries are only ever
// appended — the SQL table refuses UPDATE and DELETE — so the chain is the
// item's history as it was recorded; a mistake is fixed by a correction
// entry that names the entry it corrects (Corrects) and restates what was
// wrong. The current holder is the To of the last entry, so an item has
// exactly one holder at every moment; each entry's From is the holder
// before it.
type CustodyEntry struct {
	ItemID  string    `json:"itemId"`
	Seq     int64     `json:"seq"` // 1, 2, 3 … per item
	Kind    EntryKind `json:"kind"`
	From    Holder    `json:"from"`
	To      Holder    `json:"to"`
	ActorID string    `json:"actorId"`
	UnitID  string    `json:"unitId"` // the acting unit
	// WitnessID is the staff member who witnessed the move (two people are
	// present at every hand-over of seized property).
	WitnessID  string    `json:"witnessId,omitempty"`
	At         time.Time `json:"at"` // when the move happened
	Reason     string    `json:"reason"`
	Condition  string    `json:"condition"`
	Seal       SealState `json:"seal"`
	SealNumber string    `json:"sealNumber,omitempty"`
	// Photos are the SHA-256 digests (hex) of photos stored as attachments.
	Photos    []string  `json:"photos,omitempty"`
	Corrects  int64     `json:"corrects,omitempty"` // seq of the corrected entry
	CreatedAt time.Time `json:"createdAt"`          // when it was recorded
}

// Clone returns a copy that shares nothing with e.
func (e CustodyEntry) Clone() CustodyEntry {
	e.Photos = slices.Clone(e.Photos)
	return e
}

// CustodyDetails are what every custody entry records besides its holders.
type CustodyDetails struct {
	WitnessID  string    `json:"witnessId" validate:"line"`
	At         time.Time `json:"at,omitzero"` // default: now
	Reason     string    `json:"reason"`
	Condition  string    `json:"condition"`
	Seal       SealState `json:"seal" validate:"line"`
	SealNumber string    `json:"sealNumber,omitempty" validate:"line"`
	Photos     []string  `json:"photos,omitempty" validate:"dive,line"`
}

func (d *CustodyDetails) normalize() {
	d.WitnessID = strings.TrimSpace(d.WitnessID)
	d.Reason = strings.TrimSpace(d.Reason)
	d.Condition = strings.TrimSpace(d.Condition)
	d.SealNumber = strings.TrimSpace(d.SealNumber)
	if d.Seal == "" {
		d.Seal = SealNone
	}
	d.Photos = slices.Clone(d.Photos) // the caller's slice stays as it was
	for i, p := range d.Photos {
		d.Photos[i] = strings.ToLower(strings.TrimSpace(p))
	}
}

func checkDetails(f *errs.Fields, prefix string, d CustodyDetails, reasonRequired bool) {
	checkText(f, prefix+"reason", d.Reason, reasonRequired, maxNote)
	checkText(f, prefix+"condition", d.Condition, true, 500)
	checkText(f, prefix+"sealNumber", d.SealNumber, false, 100)
	if !d.Seal.valid() {
		f.Add(prefix+"seal", "code", "%q is not a seal state", d.Seal)
	}
	if len(d.Photos) > 50 {
		f.Add(prefix+"photos", "max", "at most 50 photos")
	}
	for i, p := range d.Photos {
		if b, err := hex.DecodeString(p); err != nil || len(b) != 32 {
			f.Add(prefix+"photos["+strconv.Itoa(i)+"]", "sha256", "must be a SHA-256 digest in hex")
		}
	}
}

// MoveInput hands an item to another holder within police custody.
type MoveInput struct {
	To Holder `json:"to"`
	CustodyDetails
}

// CorrectionInput corrects custody entry Corrects. The correction restates
// the details as they should have been; To, when set, is the holder the
// corrected entry should have named, and becomes the current holder.
type CorrectionInput struct {
	Corrects int64  `json:"corrects"`
	To       Holder `json:"to,omitzero"`
	CustodyDetails
}

// CheckChain verifies what the custody chain promises: entries numbered
// 1…n without gaps, each From equal to the previous To (one holder at every
// moment), times never going backwards, corrections pointing at an earlier
// entry. Tests and audits call it; the service keeps it true.
func CheckChain(entries []CustodyEntry) error {
	var prev *CustodyEntry
	for i := range entries {
		e := &entries[i]
		if e.Seq != int64(i+1) {
			return fmt.Errorf("custody entry %d has seq %d", i+1, e.Seq)
		}
		if e.To.IsZero() {
			return fmt.Errorf("custody entry %d names no holder", e.Seq)
		}
		if prev == nil {
			if e.Kind != EntryIntake {
				return fmt.Errorf("custody chain starts with %s, not intake", e.Kind)
			}
		} else {
			if !e.From.Same(prev.To) {
				return fmt.Errorf("custody entry %d is from %v but the holder was %v", e.Seq, e.From, prev.To)
			}
			if e.At.Before(prev.At) {
				return fmt.Errorf("custody entry %d is dated before entry %d", e.Seq, prev.Seq)
			}
		}
		if e.Kind == EntryCorrection && (e.Corrects < 1 || e.Corrects >= e.Seq) {
			return fmt.Errorf("custody entry %d corrects %d, which is not an earlier entry", e.Seq, e.Corrects)
		}
		prev = e
	}
	return nil
}

// HolderAt returns who held the item at t according to the chain: the To of
// the last entry dated at or before t. ok is false before the first entry.
func HolderAt(entries []CustodyEntry, t time.Time) (h Holder, ok bool) {
	for _, e := range entries {
		if e.At.After(t) {
			break
		}
		h, ok = e.To, true
	}
	return h, ok
}
