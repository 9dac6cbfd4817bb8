package main

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
)

// A long answer leaves in one write(2).
//
// net/http writes an answer onto the connection through a 4 KB buffer: the
// status line and headers wait there, the body fills the rest, the full
// buffer goes out, then the rest of a longer body on its own. A page of 50
// visits (25 KB) thus took two writes, and woke the client twice for one
// answer: under the load test's list the server spent a fifth of its CPU
// in write(2). The connections here instead hold what net/http writes for
// a long body and send it in one write: the whole answer when it has a
// Content-Length (writeDocument's answers over 2 KB do); a chunked answer
// still ends with a write of its own, the last chunk, after the handler.

// gatherAbove is the body length above which a body, behind its headers,
// may not fit net/http's 4 KB connection buffer.
const gatherAbove = 3 << 10

// gatherUpTo is the longest body gathered: beyond it a second write costs
// little beside the copy, and a copy of a big body is memory held twice.
const gatherUpTo = 64 << 10

var gatheredBufs = sync.Pool{New: func() any { return new([]byte) }}

// gatherConn is a served TCP connection that can hold what is written onto
// it and send it in one write. It holds only inside writeGathered, where
// the goroutine serving the connection is the one writing to it (net/http's
// HTTP/1 server; see gatherConnFor for what it is never used for).
type gatherConn struct {
	*net.TCPConn
	held  *[]byte      // non-nil while gathering
	sends atomic.Int64 // writes onto the socket
}

func (c *gatherConn) Write(p []byte) (int, error) {
	if c.held != nil {
		*c.held = append(*c.held, p...)
		return len(p), nil
	}
	c.sends.Add(1)
	return c.TCPConn.Write(p)
}

// send writes what is held, if anything, and stops holding.
func (c *gatherConn) send() error {
	buf := c.held
	if buf == nil {
		return nil
	}
	c.held = nil
	var err error
	if len(*buf) > 0 {
		_, err = c.Write(*buf)
	}
	if cap(*buf) <= gatherUpTo+4<<10 { // a body gathered, and its headers
		*buf = (*buf)[:0]
		gatheredBufs.Put(buf)
	}
	return err
}

// gatherListener hands out gatherConns.
type gatherListener struct{ net.Listener }

func (l gatherListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		return &gatherConn{TCPConn: tc}, nil
	}
	return c, err
}

type gatherKey struct{}

// gatherContext is http.Server's ConnContext: it tells the handlers the
// connection they may gather on.
func gatherContext(ctx context.Context, c net.Conn) context.Context {
	if g, ok := c.(*gatherConn); ok {
		return context.WithValue(ctx, gatherKey{}, g)
	}
	return ctx
}

// gatherConnFor is the connection r's answer may be gathered on, or nil:
// never for another protocol than HTTP/1 (HTTP/2 writes its frames from a
// goroutine of its own), nor while net/http may still answer "100
// Continue" to an Expect header on its own.
func gatherConnFor(r *http.Request) *gatherConn {
	if r.ProtoMajor != 1 || r.Header.Get("Expect") != "" {
		return nil
	}
	g, _ := r.Context().Value(gatherKey{}).(*gatherConn)
	return g
}

// writeGathered writes b onto w, and when b is long and c gathers, sends it
// with everything net/http holds before it (the status line and headers)
// in one write.
func writeGathered(w http.ResponseWriter, c *gatherConn, b []byte) (n int, err error) {
	if c == nil || len(b) <= gatherAbove || len(b) > gatherUpTo || c.held != nil {
		return w.Write(b)
	}
	c.held = gatheredBufs.Get().(*[]byte)
	defer func() {
		if serr := c.send(); err == nil {
			err = serr
		}
	}()
	if n, err = w.Write(b); err != nil {
		return n, err
	}
	return n, http.NewResponseController(w).Flush()
}
