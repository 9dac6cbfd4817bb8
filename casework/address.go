package casework

import (
	"slices"
	"time"
)

// Address is a standard address (标准地址) of the 一标三实 registry, with
// what was found living, standing and working there: actual residents,
// actual housing and actual organisations. Visits, incidents and disputes
// point at addresses.
type Address struct {
	ID        string `json:"id"`
	UnitID    string `json:"unitId"`
	Code      string `json:"code,omitempty"` // the registry's own address code, when known
	Text      string `json:"text"`
	Community string `json:"community,omitempty"` // 社区/村: matches responsibility areas
	Registry
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Registry is the 三实 part: residents, housing, organisations.
type Registry struct {
	Residents     []Resident     `json:"residents,omitempty"`
	Housing       *Housing       `json:"housing,omitempty"`
	Organisations []Organisation `json:"organisations,omitempty"`
}

// Resident is a person actually living at the address (实有人口).
type Resident struct {
	PersonID string    `json:"personId"`
	Relation string    `json:"relation,omitempty"` // householder, family, tenant …
	Since    time.Time `json:"since,omitzero"`
}

// Housing describes the actual house (实有房屋).
type Housing struct {
	Kind    string `json:"kind"` // own, rented, collective, vacant …
	Rooms   int    `json:"rooms,omitempty"`
	OwnerID string `json:"ownerId,omitempty"` // a person
	Note    string `json:"note,omitempty"`
}

// Organisation is an actual organisation at the address (实有单位).
type Organisation struct {
	Name    string `json:"name"`
	Kind    string `json:"kind,omitempty"` // enterprise, shop, school …
	Contact string `json:"contact,omitempty"`
}

// Clone returns a copy that shares nothing with a.
func (a Address) Clone() Address {
	a.Residents = slices.Clone(a.Residents)
	a.Organisations = slices.Clone(a.Organisations)
	if a.Housing != nil {
		h := *a.Housing
		a.Housing = &h
	}
	return a
}

// AddressFilter selects addresses.
type AddressFilter struct {
	UnitUnder string
	Community string
	Code      string
}

// Share grants a unit read access to another unit's record (同步共享).
// Revoking sets RevokedAt; shares are never deleted, so the history stays.
// A share may end by itself at ExpiresAt: every read builds its Target from
// the shares active at that instant (ActiveShares), so an expired share
// grants nothing from then on, without waiting for a sweep.
type Share struct {
	ID          string    `json:"id"`
	RecordType  string    `json:"recordType"`
	RecordID    string    `json:"recordId"`
	OwnerUnitID string    `json:"ownerUnitId"`
	UnitID      string    `json:"unitId"`
	GrantedBy   string    `json:"grantedBy"`
	Reason      string    `json:"reason,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
	RevokedAt   time.Time `json:"revokedAt,omitzero"`
	RevokedBy   string    `json:"revokedBy,omitempty"`
	// RevokeReason is why the share was revoked (audited with it).
	RevokeReason string `json:"revokeReason,omitempty"`
	// ExpiresAt is when the share stops granting access; zero: until
	// revoked.
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
	Version   int64     `json:"version"`
}

// Active reports whether the share is not revoked. Whether it still grants
// access also depends on its expiry: ActiveAt.
func (s Share) Active() bool { return s.RevokedAt.IsZero() }

// ActiveAt reports whether the share grants access at now: not revoked and
// not expired (a share expires at ExpiresAt exactly).
func (s Share) ActiveAt(now time.Time) bool {
	return s.Active() && (s.ExpiresAt.IsZero() || now.Before(s.ExpiresAt))
}

// ShareFilter selects shares by the unit receiving them: a share matches
// when its unit is one of UnitIDs or lies under the path UnitUnder (an
// empty filter selects all). ActiveAt, when set, keeps only the shares
// that grant access at that instant (ActiveAt).
type ShareFilter struct {
	UnitIDs   []string
	UnitUnder string
	ActiveAt  time.Time
}
