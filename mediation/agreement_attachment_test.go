package mediation_test

import (
	"strings"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/stretchr/testify/require"
)

// A signature's page must be stored bytes, and signing links its upload:
// the kernel's sweep, which removes uploads no record links within a day,
// keeps a signed agreement's pages.
func TestSignaturePagesAreStoredAndKept(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	d := f.to(mediation.StateInMediation)
	d = f.written(d, false)

	never := casework.Attachment{Name: "伪造.jpg", MediaType: "image/jpeg", Size: 3, SHA256: strings.Repeat("ab", 32)}
	_, err := f.svc.SignAgreement(f.ctx, f.mediator, d.ID, d.Version, mediation.SignatureInput{PartyID: f.a.ID, Attachment: never})
	requireField(t, err, "attachment.sha256", "stored")

	page := f.sig("a")
	unsigned := f.sig("unused draft")
	_, err = f.svc.SignAgreement(f.ctx, f.mediator, d.ID, d.Version, mediation.SignatureInput{PartyID: f.a.ID, Attachment: page})
	require.NoError(t, err)
	_, err = f.k.Sweep(f.ctx, f.k.Now().Add(25*time.Hour))
	require.NoError(t, err)
	require.NoError(t, f.k.CheckAttachment(f.ctx, page), "the signed page outlives the sweep")
	_, _, err = f.k.OpenAttachment(f.ctx, f.officer, unsigned.SHA256)
	require.ErrorIs(t, err, casework.ErrNotFound, "the page nobody attached is swept")
}
