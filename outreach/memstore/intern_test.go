package memstore

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	cmem "github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/outreach"
)

// TestVisitsShareRepeatedStrings checks that two visits decoded from two
// requests (each with its own copy of every string) keep one copy of what
// they repeat, and still read back as written.
func TestVisitsShareRepeatedStrings(t *testing.T) {
	t.Parallel()
	s := New(cmem.New())
	fresh := func(v string) string { return strings.Clone(v) }
	visit := func(id string) outreach.Visit {
		return outreach.Visit{ID: id, UnitID: fresh("unit-1"), OfficerIDs: []string{fresh("staff-1")}, RecordedBy: fresh("staff-1"),
			TargetKind: outreach.TargetKind(fresh("difficult_family")), TargetKey: fresh("difficult_family|person:p1"),
			PersonID: fresh("p1"), Services: []outreach.ServiceGiven{{Kind: outreach.ServiceKind(fresh("door_to_door"))}},
			Findings: []outreach.Finding{{Kind: outreach.FindingKind(fresh("lead")), Step: fresh("lead"), PersonIDs: []string{fresh("p2")}}},
			Version:  1}
	}
	for _, id := range []string{"v1", "v2"} {
		require.NoError(t, s.CreateVisit(t.Context(), outreach.VisitWrite{Visit: visit(id)}, casework.Change{}))
	}
	a, b := s.visits["v1"], s.visits["v2"]
	for name, pair := range map[string][2]string{
		"unit":         {a.UnitID, b.UnitID},
		"officer":      {a.OfficerIDs[0], b.OfficerIDs[0]},
		"recorded by":  {a.RecordedBy, b.OfficerIDs[0]},
		"target kind":  {string(a.TargetKind), string(b.TargetKind)},
		"target key":   {a.TargetKey, b.TargetKey},
		"person":       {a.PersonID, b.PersonID},
		"service kind": {string(a.Services[0].Kind), string(b.Services[0].Kind)},
		"finding":      {a.Findings[0].PersonIDs[0], b.Findings[0].PersonIDs[0]},
	} {
		require.True(t, unsafe.StringData(pair[0]) == unsafe.StringData(pair[1]), "%s is stored twice", name)
	}
	got, err := s.GetVisit(t.Context(), "v2")
	require.NoError(t, err)
	require.Equal(t, visit("v2"), got)
}
