package openapi

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/rs/zerolog"
)

// MaxAttachmentBytes caps an uploaded attachment (issue 11, item 7).
const MaxAttachmentBytes = 20 << 20

// attachmentTypes are the types an attachment may have, as
// http.DetectContentType names them from the first bytes.
var attachmentTypes = map[string]bool{"image/jpeg": true, "image/png": true, "application/pdf": true}

// capReader fails with errTooLarge once more than left bytes were read, so
// that a blob store never keeps an attachment over the limit.
type capReader struct {
	r    io.Reader
	left int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return 0, &httpError{kind: errTooLarge, detail: "an attachment may be at most 20 MiB"}
	}
	return n, err
}

// attachmentDownload is GetAttachment's 200 for any stored media type (the
// generated responses name only the three types an upload over HTTP may
// have; an embedder's Go code may store others).
type attachmentDownload struct {
	a    casework.Attachment
	body io.ReadCloser
	log  *zerolog.Logger
}

// VisitGetAttachmentResponse sends the bytes. The blob store's reader
// checks the digest only at EOF, when all but the last bytes are sent; so
// the last byte is held back until the check passes, and a mismatch aborts
// the response: the client sees a body shorter than Content-Length, never
// bytes that pass for the attachment.
func (d attachmentDownload) VisitGetAttachmentResponse(w http.ResponseWriter) error {
	defer d.body.Close()
	h := w.Header()
	h.Set("Content-Type", d.a.MediaType)
	h.Set("Content-Length", strconv.FormatInt(d.a.Size, 10))
	h.Set("Content-Disposition", contentDisposition(d.a.Name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", `"`+d.a.SHA256+`"`)
	w.WriteHeader(http.StatusOK)
	held := min(d.a.Size, 1)
	if _, err := io.CopyN(w, d.body, d.a.Size-held); err != nil {
		d.abort(err)
	}
	last, err := io.ReadAll(d.body) // the last byte, and the digest check at EOF
	if err == nil && int64(len(last)) != held {
		err = fmt.Errorf("attachment %s: %d bytes after the expected end", d.a.SHA256, int64(len(last))-held)
	}
	if err != nil {
		d.abort(err)
	}
	_, err = w.Write(last)
	return err
}

// abort ends a response whose headers are sent: net/http closes the
// connection without completing the body.
func (d attachmentDownload) abort(err error) {
	d.log.Error().Err(err).Str("sha256", d.a.SHA256).Msg("attachment download aborted")
	panic(http.ErrAbortHandler)
}

// contentDisposition names a download with RFC 6266's filename* in UTF-8,
// percent-encoding every byte that is no RFC 8187 attr-char, so any name
// (Chinese, quotes, semicolons) arrives intact and cannot break the header.
func contentDisposition(name string) string {
	var b strings.Builder
	b.WriteString("attachment; filename*=UTF-8''")
	for _, c := range []byte(name) {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
