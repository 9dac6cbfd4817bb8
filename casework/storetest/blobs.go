package storetest

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

// testDefaultBlobs: the store's own blob store keeps what it is given, by
// digest, for every later handle on the same store (a kernel built again
// after a restart reads what the first one stored), and refuses a digest
// it does not hold.
func testDefaultBlobs(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	data := []byte("调解协议书签名页")
	ref, err := s.DefaultBlobs().Put(ctx, bytes.NewReader(data))
	require.NoError(t, err)
	require.EqualValues(t, len(data), ref.Size)

	rc, err := s.DefaultBlobs().Open(ctx, ref.SHA256)
	require.NoError(t, err, "a second handle reads what the first stored")
	got, err := io.ReadAll(rc)
	require.NoError(t, err)
	require.NoError(t, rc.Close())
	require.Equal(t, data, got)

	_, err = s.DefaultBlobs().Open(ctx, "0000000000000000000000000000000000000000000000000000000000000000")
	require.ErrorIs(t, err, casework.ErrBlobNotFound)
	require.NoError(t, s.DefaultBlobs().Delete(ctx, ref.SHA256))
	_, err = s.DefaultBlobs().Open(ctx, ref.SHA256)
	require.ErrorIs(t, err, casework.ErrBlobNotFound)
}
