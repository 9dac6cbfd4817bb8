package memstore

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
)

// TestRequestKeyRows stores request keys of two actors under one key and
// reads each back whole, with and without a result; the rows keep neither
// the actor nor the record type, and a corrupt row reads as an error.
func TestRequestKeyRows(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := New()
	at := time.Date(2024, 3, 1, 10, 0, 0, 123000, time.UTC)
	keys := []casework.RequestKey{
		{ActorID: "staff-1", Key: "k", Fingerprint: "fp1", RecordType: "visit", RecordID: "v1", Result: []byte(`{"id":"v1"}`), CreatedAt: at},
		{ActorID: "staff-2", Key: "k", Fingerprint: "fp2", RecordType: "visit", RecordID: "v2", CreatedAt: at.Add(time.Hour)},
		{ActorID: "", Key: "", Fingerprint: "", CreatedAt: at, Result: []byte{}},
	}
	for _, rk := range keys {
		require.NoError(t, db.CommitChange(ctx, casework.Change{RequestKey: &rk}))
	}
	for _, want := range keys {
		got, err := db.GetRequestKey(ctx, want.ActorID, want.Key)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	_, err := db.GetRequestKey(ctx, "staff-3", "k")
	require.ErrorIs(t, err, casework.ErrNotFound)
	require.ErrorIs(t, db.CommitChange(ctx, casework.Change{RequestKey: &keys[0]}), casework.ErrConflict)
	for k, row := range db.requestKeys {
		for _, s := range []string{"staff-1", "staff-2", "visit\x00"} {
			require.False(t, bytes.Contains([]byte(k), []byte(s)) || bytes.Contains(row, []byte(s)), "%q is stored again", s)
		}
	}
	n, err := db.DeleteRequestKeys(ctx, at.Add(time.Minute))
	require.NoError(t, err)
	require.Equal(t, int64(2), n)

	k, _ := db.keyOf("staff-2", "k", false)
	row := db.requestKeys[k]
	for _, bad := range [][]byte{row[:len(row)-1], append(bytes.Clone(row), 7)} {
		db.requestKeys[k] = bad
		got, err := db.GetRequestKey(ctx, "staff-2", "k")
		require.Error(t, err)
		require.Zero(t, got)
	}
}
