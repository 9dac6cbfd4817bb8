package recovery_test

import (
	"testing"

	"github.com/grassroots-policing/grassroots/recovery"
	"github.com/stretchr/testify/require"
)

// Every pair of item states, allowed or refused, exactly as domain.md
// draws the lifecycle: reported_stolen → recovered → identified →
// return_approved → returned, or unclaimed → disposed after a holding
// period (an unclaimed item may still be identified).
func TestItemStateTable(t *testing.T) {
	t.Parallel()
	states := []recovery.State{recovery.StateReportedStolen, recovery.StateRecovered, recovery.StateIdentified,
		recovery.StateReturnApproved, recovery.StateReturned, recovery.StateUnclaimed, recovery.StateDisposed}
	allowed := map[[2]recovery.State]bool{
		{recovery.StateReportedStolen, recovery.StateRecovered}:  true,
		{recovery.StateRecovered, recovery.StateIdentified}:      true,
		{recovery.StateRecovered, recovery.StateUnclaimed}:       true,
		{recovery.StateIdentified, recovery.StateReturnApproved}: true,
		{recovery.StateReturnApproved, recovery.StateReturned}:   true,
		{recovery.StateUnclaimed, recovery.StateIdentified}:      true,
		{recovery.StateUnclaimed, recovery.StateDisposed}:        true,
	}
	n := 0
	for _, from := range states {
		for _, to := range states {
			require.Equal(t, allowed[[2]recovery.State{from, to}], recovery.CanMove(from, to), "%s → %s", from, to)
			n++
		}
	}
	require.Equal(t, 49, n)
	require.False(t, recovery.CanMove(recovery.StateReturned, recovery.StateIdentified), "returned and disposed are final")
}
