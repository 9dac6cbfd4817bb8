package main

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// An answer longer than net/http's connection buffer leaves, headers and
// body, in one write onto the socket; a short one as before; and what the
// client reads is the answer whole.
func TestLongAnswerLeavesInOneWrite(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		method string
		expect string // the request's Expect header
		size   int
		sends  int64
	}{
		{"a page of visits", http.MethodGet, "", 25 << 10, 1},
		{"just over the bound", http.MethodGet, "", gatherAbove + 1, 1},
		{"short", http.MethodGet, "", 200, 1},
		{"long, asked by HEAD", http.MethodHead, "", 25 << 10, 1},
		{"too long to copy", http.MethodGet, "", gatherUpTo + 1, 2},
		{"while 100 Continue may be sent", http.MethodGet, "100-continue", 25 << 10, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body := bytes.Repeat([]byte("走访记录"), tc.size/len("走访记录")+1)[:tc.size]
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			var mu sync.Mutex
			var conns []*gatherConn
			srv := &http.Server{
				ConnContext: gatherContext,
				ConnState: func(c net.Conn, s http.ConnState) {
					if g, ok := c.(*gatherConn); ok && s == http.StateNew {
						mu.Lock()
						conns = append(conns, g)
						mu.Unlock()
					}
				},
				Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Length", strconv.Itoa(len(body)))
					rec := &statusRecorder{ResponseWriter: w, conn: gatherConnFor(r)}
					_, _ = rec.Write(body)
				}),
			}
			go func() { _ = srv.Serve(gatherListener{ln}) }()
			t.Cleanup(func() { _ = srv.Close() })

			c, err := net.Dial("tcp", ln.Addr().String())
			require.NoError(t, err)
			defer c.Close()
			req, err := http.NewRequest(tc.method, "http://"+ln.Addr().String()+"/", nil)
			require.NoError(t, err)
			if tc.expect != "" {
				req.Header.Set("Expect", tc.expect)
			}
			require.NoError(t, req.Write(c))
			res, err := http.ReadResponse(bufio.NewReader(c), req)
			require.NoError(t, err)
			got, err := io.ReadAll(res.Body)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.StatusCode)
			if tc.method == http.MethodHead {
				require.Empty(t, got)
			} else {
				require.Equal(t, body, got)
			}
			mu.Lock()
			defer mu.Unlock()
			require.Len(t, conns, 1)
			require.Equal(t, tc.sends, conns[0].sends.Load(), "writes onto the socket for one answer")
		})
	}
}
