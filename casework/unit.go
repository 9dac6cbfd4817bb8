package casework

import (
	"strings"
	"time"
)

// Level is a unit's rank in the tree. Smaller is higher: a bureau is above a
// branch, which is above a station, which is above a community office.
type Level int

// The levels of the public-security tree the article names.
const (
	LevelBureau  Level = 1 // 市公安局
	LevelBranch  Level = 2 // 分局 / 县公安局
	LevelStation Level = 3 // 派出所
	LevelOffice  Level = 4 // 警务室
)

var levelCodes = map[Level]string{LevelBureau: "bureau", LevelBranch: "branch", LevelStation: "station", LevelOffice: "office"}

// String returns the stable code.
func (l Level) String() string { return levelCodes[l] }

// ParseLevel reads a level code.
func ParseLevel(code string) (Level, bool) {
	for l, c := range levelCodes {
		if c == code {
			return l, true
		}
	}
	return 0, false
}

// AtLeast reports whether l is at level min or higher in the tree.
func (l Level) AtLeast(min Level) bool { return l >= LevelBureau && l <= min }

// Unit is an organisational unit. Its Code is immutable and unique; its
// parent never changes, so Path (the ids from the root, "/a/b/c/") can be
// copied onto queries and cached without invalidation.
type Unit struct {
	ID        string    `json:"id"`
	Code      string    `json:"code" validate:"required,alphanum,max=32"`
	Name      string    `json:"name" validate:"required,max=100"`
	Level     Level     `json:"level" validate:"min=1,max=4"`
	ParentID  string    `json:"parentId,omitempty"`
	Path      string    `json:"path"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	// ClosedAt is when the unit was closed into ClosedInto
	// (Kernel.CloseUnit); zero while it is open. A closed unit takes no new
	// records, staff or name, and its past stays reportable.
	ClosedAt   time.Time `json:"closedAt,omitzero"`
	ClosedInto string    `json:"closedInto,omitempty"`
}

// Closed reports whether the unit was closed.
func (u Unit) Closed() bool { return !u.ClosedAt.IsZero() }

// UnitPath builds a child's path from its parent's.
func UnitPath(parentPath, id string) string {
	if parentPath == "" {
		parentPath = "/"
	}
	return parentPath + id + "/"
}

// Contains reports whether path b lies in the subtree rooted at path a
// (a unit contains itself).
func Contains(a, b string) bool { return a != "" && strings.HasPrefix(b, a) }

// UnitFilter selects units. An empty filter selects all.
type UnitFilter struct {
	// Under selects the subtree at this path (the unit itself included).
	Under string
	// Level selects one level when non-zero.
	Level Level
}
