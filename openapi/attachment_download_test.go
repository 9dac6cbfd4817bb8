package openapi_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/openapi/api"
	"github.com/stretchr/testify/require"
)

// A download is a read: the bytes go to the uploading unit's reach with
// the stored type, their length, their digest as ETag, as a download
// (Content-Disposition, UTF-8 name) and nosniff; another station, and a
// digest never stored, get 404.
func TestDownloadAttachmentOverHTTP(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	east := f.station(t, "EAST").ID
	officer := f.staff(t, east, casework.RoleOfficer)
	colleague := f.staff(t, east, casework.RoleSupervisor)
	stranger := f.staff(t, f.station(t, "WEST").ID, casework.RoleOfficer, casework.RoleSupervisor)
	pdf := []byte("%PDF-1.4\n返还清单 鸟笼一只\n%%EOF\n")

	put, err := f.client(t, officer).PutAttachmentWithBodyWithResponse(ctx, &api.PutAttachmentParams{Name: `返还清单 "李某"; v1.pdf`},
		"application/octet-stream", bytes.NewReader(pdf))
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, put.StatusCode(), string(put.Body))
	sha := put.JSON201.Sha256

	for name, a := range map[string]casework.Actor{"uploader": officer, "same station": colleague} {
		got, err := f.client(t, a).GetAttachmentWithResponse(ctx, sha)
		require.NoError(t, err, name)
		require.Equal(t, http.StatusOK, got.StatusCode(), "%s: %s", name, got.Body)
		require.Equal(t, pdf, got.Body, name)
		h := got.HTTPResponse.Header
		require.Equal(t, "application/pdf", h.Get("Content-Type"), name)
		require.Equal(t, "nosniff", h.Get("X-Content-Type-Options"), name)
		require.Equal(t, `"`+sha+`"`, h.Get("ETag"), name)
		require.EqualValues(t, len(pdf), got.HTTPResponse.ContentLength, name)
		require.Equal(t, "attachment; filename*=UTF-8''%E8%BF%94%E8%BF%98%E6%B8%85%E5%8D%95%20%22%E6%9D%8E%E6%9F%90%22%3B%20v1.pdf",
			h.Get("Content-Disposition"), name)
	}
	for name, c := range map[string]struct {
		actor casework.Actor
		sha   string
	}{"other station": {stranger, sha}, "never stored": {officer, strings.Repeat("0", 64)}} {
		got, err := f.client(t, c.actor).GetAttachmentWithResponse(ctx, c.sha)
		require.NoError(t, err, name)
		require.Equal(t, http.StatusNotFound, got.StatusCode(), name)
		require.Equal(t, "application/problem+json", got.HTTPResponse.Header.Get("Content-Type"), name)
		require.NotContains(t, string(got.Body), "返还", name)
	}
}

// Bytes altered in storage are never served as the attachment: the
// response is cut short of its Content-Length, so the client sees an
// error rather than a complete body.
func TestDownloadOfAlteredBytesIsCutShort(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	blobs, err := casework.NewFileBlobs(root)
	require.NoError(t, err)
	f := newFixture(t, withKernelConfig(func(c *casework.Config) { c.Blobs = blobs }))
	ctx := context.Background()
	officer := f.staff(t, f.station(t, "EAST").ID, casework.RoleOfficer)
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte("签名"), 10000)...)
	put, err := f.client(t, officer).PutAttachmentWithBodyWithResponse(ctx, &api.PutAttachmentParams{Name: "签名.png"},
		"application/octet-stream", bytes.NewReader(png))
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, put.StatusCode(), string(put.Body))
	sha := put.JSON201.Sha256
	forged := bytes.Clone(png)
	forged[len(forged)-1] ^= 1
	require.NoError(t, os.WriteFile(filepath.Join(root, sha[:2], sha), forged, 0o600))

	// A plain client: the fixture's spec-checking one reads the whole body
	// itself, and this body is cut short on purpose.
	req, err := http.NewRequest(http.MethodGet, f.srv.URL+"/v1/attachments/"+sha, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+officer.StaffID)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "the headers were sent before the check")
	got, err := io.ReadAll(resp.Body)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	require.Less(t, len(got), len(png))
}
