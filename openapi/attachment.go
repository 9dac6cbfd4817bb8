package openapi

import "io"

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
