package memstore

import (
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
)

// TestAuditEntriesShareRepeatedStrings checks that audit entries of two
// requests, each with its own copy of the actor, unit, action and record
// type, keep one copy of each.
func TestAuditEntriesShareRepeatedStrings(t *testing.T) {
	t.Parallel()
	db := New()
	for _, id := range []string{"v1", "v2"} {
		require.NoError(t, db.CommitChange(t.Context(), casework.Change{Audit: []casework.AuditRecord{{Time: time.Now(),
			ActorID: strings.Clone("staff-1"), UnitID: strings.Clone("unit-1"), Action: strings.Clone("visit.record"),
			RecordType: strings.Clone("visit"), RecordID: id}}}))
	}
	a, b := db.audit[0], db.audit[1]
	for _, pair := range [][2]string{{a.ActorID, b.ActorID}, {a.UnitID, b.UnitID}, {a.Action, b.Action}, {a.RecordType, b.RecordType}} {
		require.Equal(t, pair[0], pair[1])
		require.True(t, unsafe.StringData(pair[0]) == unsafe.StringData(pair[1]), "%s is stored twice", pair[0])
	}
}
