package recovery_test

import (
	"strings"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/recovery"
	"github.com/stretchr/testify/require"
)

// A custody entry names its photos by digest; recording it links their
// uploads, so the kernel's sweep, which removes uploads no record links
// within a day, keeps them.
func TestCustodyPhotosOutliveTheSweep(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "memory", nil)
	ctx := e.ctx
	it := e.toStore(t, e.found(t, "tools", "博世电锤一台", fen(600)))
	photo, err := e.k.PutAttachment(ctx, e.custodian, "电锤.jpg", "image/jpeg", strings.NewReader("photo of the hammer drill"))
	require.NoError(t, err)
	stray, err := e.k.PutAttachment(ctx, e.custodian, "废片.jpg", "image/jpeg", strings.NewReader("a blurred photo"))
	require.NoError(t, err)
	e.advance(time.Hour)
	_, err = e.svc.Move(ctx, e.custodian, it.ID, it.Version, recovery.MoveInput{To: recovery.Holder{Kind: recovery.HolderStaff, ID: e.custodian2.StaffID},
		CustodyDetails: recovery.CustodyDetails{WitnessID: e.custodian2.StaffID, Reason: "移交保管", Condition: "完好", Photos: []string{photo.SHA256}}})
	require.NoError(t, err)

	_, err = e.k.Sweep(ctx, e.k.Now().Add(25*time.Hour))
	require.NoError(t, err)
	require.NoError(t, e.k.CheckAttachment(ctx, photo), "the entry's photo is kept")
	require.ErrorIs(t, e.k.CheckAttachment(ctx, stray), casework.ErrInvalid, "the stray upload is swept")
}
