package main

import (
	"context"
	"io"
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
// a long body and send it in one write.

// gatherAbove is the body length above which a body, behind its headers,
// may not fit net/http's 4 KB connection buffer.
const gatherAbove = 3 << 10

// maxGathered is the largest buffer kept for the next answer.
const maxGathered = 1 << 20

var gatheredBufs = sync.Pool{New: func() any { return new([]byte) }}

// gatherConn is a served TCP connection that can hold what is written onto
// it and send it in one write. Only the goroutine serving the connection
// writes to it (net/http's HTTP/1 server).
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

// ReadFrom is net/http's path for copying a file: whatever is held goes
// first.
func (c *gatherConn) ReadFrom(r io.Reader) (int64, error) {
	if err := c.send(); err != nil {
		return 0, err
	}
	return c.TCPConn.ReadFrom(r)
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
	if cap(*buf) <= maxGathered {
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

func gatherConnOf(ctx context.Context) *gatherConn {
	g, _ := ctx.Value(gatherKey{}).(*gatherConn)
	return g
}

// writeGathered writes b onto w, and when b is long and c gathers, sends it
// with everything net/http holds before it (the status line and headers)
// in one write.
func writeGathered(w http.ResponseWriter, c *gatherConn, b []byte) (int, error) {
	if c == nil || len(b) <= gatherAbove || c.held != nil {
		return w.Write(b)
	}
	c.held = gatheredBufs.Get().(*[]byte)
	n, err := w.Write(b)
	if err == nil {
		err = http.NewResponseController(w).Flush()
	}
	if serr := c.send(); err == nil {
		err = serr
	}
	return n, err
}
