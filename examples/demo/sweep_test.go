package main

import (
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/recovery"
	"github.com/stretchr/testify/require"
)

// notices records what the sweep tells the units.
type notices struct {
	mu   sync.Mutex
	list []casework.Notice
}

func (n *notices) Notify(_ context.Context, x casework.Notice) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.list = append(n.list, x)
	return nil
}

func (n *notices) of(recordType string) []casework.Notice {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []casework.Notice
	for _, x := range n.list {
		if x.RecordType == recordType {
			out = append(out, x)
		}
	}
	return out
}

// One Kernel.Sweep reaches the sweeper of every workflow that New wired:
// a high-risk dispute past its review deadline gets its notice (mediation),
// and a recovered item nobody claimed within the holding period becomes
// unclaimed (recovery) — with no sweeper registered by hand.
func TestKernelSweepReachesEveryWorkflow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := demoConfig()
	rec := &notices{}
	cfg.Notifier = rec
	d, err := walk(ctx, io.Discard, memoryStores(), cfg)
	require.NoError(t, err)
	require.Equal(t, []string{"cases", "mediation", "outreach", "recovery"}, d.W.K.Workflows())

	risky, err := d.W.Mediation.Report(ctx, d.BYOfficer, mediation.ReportInput{UnitID: d.Banyang.ID, Category: "neighbour/noise",
		Source: mediation.SourceCall110, Facts: "楼上楼下噪音纠纷升级，有肢体冲突苗头", Risk: mediation.RiskHigh, RiskReason: "可能民转刑"})
	require.NoError(t, err)
	require.False(t, risky.ReviewDue.IsZero(), "a high-risk dispute awaits a supervisor's review")
	item, err := d.W.Recovery.RecordFound(ctx, d.PZOfficer, foundBike(d))
	require.NoError(t, err)

	later := d.Clock.Now().Add(400 * 24 * time.Hour)
	res, err := d.W.K.Sweep(ctx, later)
	require.NoError(t, err)
	require.NotZero(t, res.Notified)

	var reviewOverdue bool
	for _, n := range rec.of(mediation.RecordType) {
		if n.RecordID == risky.ID && n.Kind == casework.NoticeOverdue && n.Due.Equal(risky.ReviewDue) {
			reviewOverdue = true
		}
	}
	require.True(t, reviewOverdue, "the review deadline's notice came through Kernel.Sweep: %+v", rec.of(mediation.RecordType))
	got, err := d.W.Recovery.Get(ctx, d.PZOfficer, item.ID)
	require.NoError(t, err)
	require.Equal(t, "unclaimed", string(got.State), "recovery's sweep ran in the same Kernel.Sweep")

	again, err := d.W.K.Sweep(ctx, later)
	require.NoError(t, err)
	require.Zero(t, again.Changed, "a second sweep at the same time changes nothing")
}

// foundBike is an e-bike 潘庄 officers found abandoned, whose owner never
// comes forward.
func foundBike(d *demo) recovery.FoundInput {
	return recovery.FoundInput{
		ItemInput: recovery.ItemInput{UnitID: d.Panzhuang.ID, Category: "e_bike", Description: "蓝色电动自行车，无牌", Quantity: 1, ValueFen: 80000},
		RecoveryInput: recovery.RecoveryInput{Place: "潘庄社区车棚", From: "无主遗留",
			To:             recovery.Holder{Kind: recovery.HolderStaff, ID: d.PZOfficer.StaffID},
			CustodyDetails: recovery.CustodyDetails{WitnessID: d.PZOfficer2.StaffID, Condition: "完好", Seal: recovery.SealIntact}},
	}
}
