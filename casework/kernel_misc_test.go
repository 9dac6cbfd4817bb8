package casework_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

func TestEndOfDayN(t *testing.T) {
	t.Parallel()
	zone := casework.DefaultZone()
	tests := []struct {
		name      string
		effective time.Time
		days      int
		want      time.Time
	}{
		{"day of effect not counted", time.Date(2020, 5, 12, 10, 0, 0, 0, zone), 30, time.Date(2020, 6, 12, 0, 0, 0, 0, zone)},
		{"late evening local", time.Date(2020, 5, 12, 23, 59, 0, 0, zone), 1, time.Date(2020, 5, 14, 0, 0, 0, 0, zone)},
		{"UTC instant that is already the next local day", time.Date(2020, 5, 12, 17, 0, 0, 0, time.UTC), 1, time.Date(2020, 5, 15, 0, 0, 0, 0, zone)},
		{"across a month end", time.Date(2020, 1, 31, 8, 0, 0, 0, zone), 30, time.Date(2020, 3, 2, 0, 0, 0, 0, zone)},
	}
	for _, tc := range tests {
		require.True(t, casework.EndOfDayN(tc.effective, tc.days, zone).Equal(tc.want), tc.name)
	}
}

func TestCodeLists(t *testing.T) {
	t.Parallel()
	c := casework.NewCodeLists()
	c.Default(casework.CodeList{Name: "dispute_category", Codes: []casework.Code{{Value: "neighbour", ZH: "邻里纠纷", EN: "Neighbour"}, {Value: "neighbour/noise", Parent: "neighbour", ZH: "噪音", EN: "Noise"}}})
	c.Add(casework.CodeList{Name: "dispute_category", Codes: []casework.Code{{Value: "neighbour", ZH: "邻里", EN: "Neighbours"}, {Value: "pets", ZH: "宠物", EN: "Pets"}}})
	c.Default(casework.CodeList{Name: "dispute_category", Codes: []casework.Code{{Value: "neighbour", ZH: "邻里纠纷", EN: "Neighbour"}}})
	code, ok := c.Lookup("dispute_category", "neighbour")
	require.True(t, ok)
	require.Equal(t, "邻里", code.ZH, "an integrator's relabel survives package defaults")
	require.Len(t, c.List("dispute_category"), 3)
	require.NoError(t, c.Check("category", "dispute_category", "neighbour/noise"))
	var inv *casework.InvalidError
	require.ErrorAs(t, c.Check("category", "dispute_category", "noise"), &inv)
	require.Equal(t, "category", inv.Fields[0].Field)
}

func TestAttachmentsDetectTampering(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	blobs, err := casework.NewFileBlobs(root)
	require.NoError(t, err)
	w := newKernelWorld(t, kernelBackends["memory"](t), &casework.Config{Blobs: blobs})
	ctx := context.Background()
	a, err := w.k.PutAttachment(ctx, w.officer, "调解协议书签名.png", "image/png", bytes.NewReader([]byte("signature bytes")))
	require.NoError(t, err)
	require.EqualValues(t, 15, a.Size)
	require.Len(t, a.SHA256, 64)
	require.NoError(t, w.k.CheckAttachment(ctx, a))
	rc, err := blobs.Open(ctx, a.SHA256)
	require.NoError(t, err)
	b, err := io.ReadAll(rc)
	require.NoError(t, err)
	require.NoError(t, rc.Close())
	require.Equal(t, "signature bytes", string(b))
	// An attacker with disk access alters the stored bytes.
	require.NoError(t, os.WriteFile(filepath.Join(root, a.SHA256[:2], a.SHA256), []byte("forged bytes!!!"), 0o600))
	require.ErrorIs(t, w.k.CheckAttachment(ctx, a), casework.ErrInvalid, "altered bytes fail their digest")
	_, err = w.k.PutAttachment(ctx, w.officer, "x", "not a media type", bytes.NewReader(nil))
	require.ErrorIs(t, err, casework.ErrInvalid)
	gone := casework.Attachment{Name: "gone", SHA256: "0000000000000000000000000000000000000000000000000000000000000000"}
	require.ErrorIs(t, w.k.CheckAttachment(ctx, gone), casework.ErrInvalid)
	short := a
	short.Size = 3
	require.ErrorIs(t, w.k.CheckAttachment(ctx, short), casework.ErrInvalid, "size must match")
}

func TestAddressRegistry(t *testing.T) {
	t.Parallel()
	eachKernelBackend(t, func(t *testing.T, w *kernelWorld) {
		ctx := context.Background()
		a, err := w.k.CreateAddress(ctx, w.officer, casework.AddressInput{UnitID: w.station.ID, Text: "张店区潘庄社区3号楼2单元301", Community: "潘庄社区"})
		require.NoError(t, err)
		p, err := w.k.CreatePerson(ctx, w.officer, casework.PersonInput{UnitID: w.station.ID, Name: "孟庆花"})
		require.NoError(t, err)
		reg := casework.Registry{Residents: []casework.Resident{{PersonID: p.ID, Relation: "householder"}}, Housing: &casework.Housing{Kind: "own", Rooms: 2},
			Organisations: []casework.Organisation{{Name: "潘庄社区居委会", Kind: "committee"}}}
		up, err := w.k.UpdateRegistry(ctx, w.officer, a.ID, a.Version, reg)
		require.NoError(t, err)
		require.EqualValues(t, 2, up.Version)
		_, err = w.k.UpdateRegistry(ctx, w.officer, a.ID, a.Version, reg)
		require.ErrorIs(t, err, casework.ErrConflict)
		_, err = w.k.UpdateRegistry(ctx, w.officer, a.ID, up.Version, casework.Registry{Residents: []casework.Resident{{PersonID: "ghost"}}})
		var inv *casework.InvalidError
		require.ErrorAs(t, err, &inv)
		require.Equal(t, "residents[0].personId", inv.Fields[0].Field)
		got, err := w.k.GetAddress(ctx, w.supervisor, a.ID)
		require.NoError(t, err)
		require.Equal(t, reg, got.Registry)
		_, err = w.k.GetAddress(ctx, w.otherOfficer, a.ID)
		require.ErrorIs(t, err, casework.ErrNotFound)
	})
}

func TestShareGrantsReadOnlyAndIsRevocable(t *testing.T) {
	t.Parallel()
	eachKernelBackend(t, func(t *testing.T, w *kernelWorld) {
		ctx := context.Background()
		rec := casework.Target{RecordType: "case", RecordID: "case-1", UnitID: w.station.ID}
		sh, err := w.k.Share(ctx, w.officer, rec, w.otherBranch.ID, "同一嫌疑人跨区作案", time.Time{})
		require.NoError(t, err)
		rec.SharedWith, err = w.k.ActiveShares(ctx, "case", "case-1", w.station.ID)
		require.NoError(t, err)
		require.NoError(t, w.k.Authorize(ctx, w.otherOfficer, casework.ActionRead, rec))
		_, err = w.k.RevokeShare(ctx, w.officer, sh.ID, "案件已破")
		require.NoError(t, err)
		rec.SharedWith, err = w.k.ActiveShares(ctx, "case", "case-1", w.station.ID)
		require.NoError(t, err)
		require.ErrorIs(t, w.k.Authorize(ctx, w.otherOfficer, casework.ActionRead, rec), casework.ErrNotFound)
		_, err = w.k.RevokeShare(ctx, w.officer, sh.ID, "案件已破")
		require.ErrorIs(t, err, casework.ErrInvalidTransition)
		trail, err := w.store.AuditTrail(ctx, "case", "case-1")
		require.NoError(t, err)
		require.Len(t, trail, 2, "share and revoke are audited on the record")
	})
}

func TestCheckpointsArePeriodic(t *testing.T) {
	t.Parallel()
	w := newKernelWorld(t, kernelBackends["memory"](t), &casework.Config{CheckpointPolicy: casework.CheckpointPolicy{Every: 5, Interval: time.Hour}})
	ctx := context.Background()
	cp, err := w.k.Checkpoint(ctx, false)
	require.NoError(t, err)
	require.NotNil(t, cp, "the world setup wrote more than 5 entries")
	cp, err = w.k.Checkpoint(ctx, false)
	require.NoError(t, err)
	require.Nil(t, cp, "nothing new since")
	_, err = w.k.CreatePerson(ctx, w.officer, casework.PersonInput{UnitID: w.station.ID, Name: "甲"})
	require.NoError(t, err)
	cp, err = w.k.Checkpoint(ctx, false)
	require.NoError(t, err)
	require.Nil(t, cp, "one entry is not enough and an hour has not passed")
	w.clock.Advance(61 * time.Minute)
	cp, err = w.k.Checkpoint(ctx, false)
	require.NoError(t, err)
	require.NotNil(t, cp, "the interval has passed")
	exported, err := w.k.ExportCheckpoints(ctx, w.auditor)
	require.NoError(t, err)
	require.Len(t, exported, 2)
	id, pub := w.k.CheckpointPublicKey()
	require.Equal(t, id, exported[1].KeyID)
	require.NoError(t, exported[1].Verify(pub))
}

func TestHandoffCodesAreCheckedOnceTheReceiverIsWired(t *testing.T) {
	t.Parallel()
	c := casework.NewCodeLists()
	require.NoError(t, c.CheckHandoffCode("category", casework.ListPropertyCategory, "anything"), "no receiver wired: nothing to agree with")
	c.Default(casework.CodeList{Name: casework.ListPropertyCategory, Codes: []casework.Code{{Value: "cage", ZH: "鸟笼及笼具", EN: "Cages"}}})
	require.NoError(t, c.CheckHandoffCode("category", casework.ListPropertyCategory, "cage"))
	var inv *casework.InvalidError
	require.ErrorAs(t, c.CheckHandoffCode("category", casework.ListPropertyCategory, "bird_cage"), &inv)
	require.Equal(t, "category", inv.Fields[0].Field)
}

// periodSpy records the periods it is asked for and counts one figure; it
// answers a grid period by period and counts the grids.
type periodSpy struct {
	periods []casework.Period
	grids   int
}

func (s *periodSpy) GridFigures(ctx context.Context, g casework.Grid) ([][]casework.Figure, error) {
	s.grids++
	return casework.GridPeriods(ctx, g, s.Figures)
}

func (s *periodSpy) Figures(_ context.Context, p casework.Period) ([]casework.Figure, error) {
	s.periods = append(s.periods, p)
	return []casework.Figure{{Key: "spy", Value: int64(len(s.periods))}}, nil
}

func TestReportSeries(t *testing.T) {
	t.Parallel()
	w := newKernelWorld(t, kernelBackends["memory"](t), nil)
	spy := &periodSpy{}
	register(t, w.k, casework.Provision{Name: "spy", Figures: spy})
	zone := casework.DefaultZone()
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, zone) }
	q := casework.ReportQuery{UnitID: w.branch.ID, From: day(2020, 1, 15), To: day(2020, 5, 10)}
	series, err := w.k.ReportSeries(context.Background(), w.branchSupervisor, q, casework.StepMonth)
	require.NoError(t, err)
	require.Len(t, series, 5)
	require.True(t, series[0].From.Equal(day(2020, 1, 15)), "the first period is cut to the query")
	require.True(t, series[0].To.Equal(day(2020, 1, 31)))
	require.True(t, series[1].From.Equal(day(2020, 2, 1)))
	require.True(t, series[1].To.Equal(day(2020, 2, 29)), "a leap February")
	require.True(t, series[4].To.Equal(day(2020, 5, 10)), "the last period is cut to the query")
	for i, p := range spy.periods {
		require.True(t, p.Start.Equal(series[i].From), "period %d starts at local midnight", i)
		if i > 0 {
			require.True(t, p.Start.Equal(spy.periods[i-1].End), "periods are contiguous")
		}
		require.Equal(t, w.branch.Path, p.UnitPath)
	}
	require.True(t, spy.periods[4].End.Equal(day(2020, 5, 11)))
	require.Equal(t, 1, spy.grids, "a whole series is one grid for each source")

	quarters, err := w.k.ReportSeries(context.Background(), w.branchSupervisor, casework.ReportQuery{UnitID: w.branch.ID, From: day(2020, 1, 1), To: day(2020, 12, 31)}, casework.StepQuarter)
	require.NoError(t, err)
	require.Len(t, quarters, 4)
	require.True(t, quarters[3].From.Equal(day(2020, 10, 1)))
	weeks, err := w.k.ReportSeries(context.Background(), w.branchSupervisor, casework.ReportQuery{UnitID: w.branch.ID, From: day(2020, 5, 6), To: day(2020, 5, 20)}, casework.StepWeek)
	require.NoError(t, err)
	require.Len(t, weeks, 3, "Wed 6 May – Sun 10, Mon 11 – Sun 17, Mon 18 – Wed 20")
	require.True(t, weeks[1].From.Equal(day(2020, 5, 11)))
	_, err = w.k.ReportSeries(context.Background(), w.branchSupervisor, casework.ReportQuery{UnitID: w.branch.ID, From: day(2000, 1, 1), To: day(2020, 1, 1)}, casework.StepDay)
	require.ErrorIs(t, err, casework.ErrInvalid, "too many periods")
	_, err = w.k.ReportSeries(context.Background(), w.branchSupervisor, q, "fortnight")
	require.ErrorIs(t, err, casework.ErrInvalid)
	_, err = w.k.ReportSeries(context.Background(), w.otherOfficer, q, casework.StepMonth)
	require.ErrorIs(t, err, casework.ErrNotFound, "another branch's series is out of reach")
}
