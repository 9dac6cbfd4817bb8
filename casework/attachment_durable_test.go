package casework_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

// Without Config.Blobs, attachment bytes go where the store keeps its
// records: a receipt recorded by one process is there for the next one on
// the same database, on every backend.
func TestAttachmentsOutliveTheKernel(t *testing.T) {
	t.Parallel()
	eachKernelBackend(t, func(t *testing.T, w *kernelWorld) {
		ctx := context.Background()
		receipt := []byte("返还清单签收 — 李某某 2020-05-12")
		a, err := w.k.PutAttachment(ctx, w.officer, "返还签收.png", "image/png", bytes.NewReader(receipt))
		require.NoError(t, err)

		next, err := casework.New(w.store, nil) // a restarted process
		require.NoError(t, err)
		require.NoError(t, next.CheckAttachment(ctx, a))
		other := a
		other.SHA256 = "0000000000000000000000000000000000000000000000000000000000000000"
		require.ErrorIs(t, next.CheckAttachment(ctx, other), casework.ErrInvalid)
	})
}
