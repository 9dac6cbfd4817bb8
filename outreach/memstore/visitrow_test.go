package memstore

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	cmem "github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/outreach"
)

// fullVisit has every field set, each string its own copy.
func fullVisit(id string, at time.Time) outreach.Visit {
	fresh := strings.Clone
	return outreach.Visit{ID: id, UnitID: fresh("unit-1"), CampaignID: fresh("c1"), PlanEntryID: fresh("pe1"),
		OfficerIDs: []string{fresh("staff-1"), fresh("staff-2")}, VisitedAt: at, AddressID: fresh("a1"), Address: fresh("幸福路 1 号"),
		Community: fresh("幸福社区"), TargetKind: outreach.TargetKind(fresh("difficult_family")), TargetKey: fresh("difficult_family|person:p1"),
		PersonID: fresh("p1"), Organisation: fresh("org"), Notes: fresh("了解家庭近况"),
		Services: []outreach.ServiceGiven{{Kind: outreach.ServiceKind(fresh("door_to_door")), Note: fresh("送米面油")}, {Kind: "errand"}},
		Aid:      []outreach.Aid{{Item: fresh("rice"), Quantity: -3, Unit: fresh("kg")}, {Item: "oil"}},
		Findings: []outreach.Finding{
			{Kind: outreach.FindingKind(fresh("dispute")), Step: fresh("dispute"), Category: fresh("neighbour"), Summary: fresh("邻里纠纷"),
				Risk: "high", RiskNote: "n", PersonIDs: []string{fresh("p2"), fresh("p3")}, OutboxID: "o1", ResultID: "r1", LinkedAt: at.Add(time.Hour)},
			{Kind: "lead", Step: "lead", PersonIDs: []string{}},
		},
		HazardIDs: []string{"h1", "h2"}, RegistryVersion: 7, RecordedBy: fresh("staff-1"), Masked: true, Version: 3,
		CreatedAt: at.Add(time.Minute), UpdatedAt: at.Add(2 * time.Minute)}
}

// TestVisitRowsReadBackAsWritten stores visits of every shape and reads
// them back: nil and empty slices apart, times in their locations and to
// the nanosecond, and a time with a monotonic reading kept whole.
func TestVisitRowsReadBackAsWritten(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 3, 1, 10, 0, 0, 123456000, time.UTC)
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	for name, v := range map[string]outreach.Visit{
		"every field":       fullVisit("v1", at),
		"zero":              {ID: "v2"},
		"empty slices":      {ID: "v3", OfficerIDs: []string{}, Services: []outreach.ServiceGiven{}, Aid: []outreach.Aid{}, Findings: []outreach.Finding{}, HazardIDs: []string{}},
		"fixed zone":        fullVisit("v4", at.In(time.FixedZone("CST", 8*3600))),
		"named zone":        fullVisit("v5", at.In(ny)),
		"local":             fullVisit("v6", at.Local()),
		"nanoseconds":       fullVisit("v7", at.Add(789)),
		"before 1970":       fullVisit("v8", time.Date(1900, 1, 1, 0, 0, 0, 1, time.UTC)),
		"monotonic reading": fullVisit("v9", time.Now()),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := New(cmem.New())
			require.NoError(t, s.CreateVisit(t.Context(), outreach.VisitWrite{Visit: v}, casework.Change{}))
			got, err := s.GetVisit(t.Context(), v.ID)
			require.NoError(t, err)
			require.Equal(t, v, got)
			require.Equal(t, name == "monotonic reading", s.visits[v.ID] == nil, "kept whole only when a row cannot keep it")
			list, err := s.ListVisits(t.Context(), outreach.VisitFilter{}, casework.Page{Limit: 10})
			require.NoError(t, err)
			require.Equal(t, []outreach.Visit{v}, list)
		})
	}
}

// TestVisitRowsShareRepeatedStrings checks that two visits decoded from
// two requests (each with its own copy of every string) keep what they
// repeat once, in the database's table, not in their rows, and read back
// sharing it.
func TestVisitRowsShareRepeatedStrings(t *testing.T) {
	t.Parallel()
	s := New(cmem.New())
	at := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, id := range []string{"v1", "v2"} {
		require.NoError(t, s.CreateVisit(t.Context(), outreach.VisitWrite{Visit: fullVisit(id, at)}, casework.Change{}))
	}
	for _, repeated := range []string{"unit-1", "staff-1", "difficult_family", "door_to_door", "p2", "幸福社区"} {
		require.False(t, bytes.Contains(s.visits["v2"], []byte(repeated)), "%s is in the row", repeated)
	}
	a, err := s.GetVisit(t.Context(), "v1")
	require.NoError(t, err)
	b, err := s.GetVisit(t.Context(), "v2")
	require.NoError(t, err)
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
		require.True(t, unsafe.StringData(pair[0]) == unsafe.StringData(pair[1]), "%s is kept twice", name)
	}
	require.Less(t, len(s.visits["v2"]), 160, "a row of a visit with every field set")
}

// TestVisitRowsNeverShareWithCallers: a visit read back, changed in every
// slice, leaves the stored one as it was, and so do visits read as views
// (a list's filter) between reads.
func TestVisitRowsNeverShareWithCallers(t *testing.T) {
	t.Parallel()
	s := New(cmem.New())
	at := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, v := range []outreach.Visit{fullVisit("v1", at), fullVisit("v2", time.Now())} {
		require.NoError(t, s.CreateVisit(t.Context(), outreach.VisitWrite{Visit: v}, casework.Change{}))
		got, err := s.GetVisit(t.Context(), v.ID)
		require.NoError(t, err)
		got.OfficerIDs[0], got.Services[0].Note, got.Aid[0].Quantity, got.Findings[0].PersonIDs[0], got.HazardIDs[0] = "x", "x", 99, "x", "x"
		_, err = s.ListVisits(t.Context(), outreach.VisitFilter{OfficerID: "nobody"}, casework.Page{Limit: 10})
		require.NoError(t, err)
		again, err := s.GetVisit(t.Context(), v.ID)
		require.NoError(t, err)
		require.Equal(t, v, again)
	}
}

// TestCorruptVisitRowIsAnError: a row cut short or with a string the
// database never numbered reads as an error and a zero visit, never a
// panic or a half-read visit.
func TestCorruptVisitRowIsAnError(t *testing.T) {
	t.Parallel()
	s := New(cmem.New())
	require.NoError(t, s.CreateVisit(t.Context(), outreach.VisitWrite{Visit: fullVisit("v1", time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC))}, casework.Change{}))
	row := s.visits["v1"]
	for name, bad := range map[string][]byte{
		"cut short":     row[:len(row)/2],
		"empty":         {},
		"bytes left":    append(bytes.Clone(row), 0),
		"unknown sym":   append([]byte{0xff, 0xff, 0x03}, row[1:]...),
		"huge length":   append([]byte{0, 0, 0, 0xff, 0xff, 0xff, 0x7f}, row[4:]...),
		"unknown place": append(bytes.Clone(row[:7]), 0x7f),
	} {
		t.Run(name, func(t *testing.T) {
			s.visits["bad"] = bad
			var v outreach.Visit
			ok, err := s.visit("bad", &v, false)
			require.Error(t, err)
			require.False(t, ok)
			require.Zero(t, v)
		})
	}
}
