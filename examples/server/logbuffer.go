package main

import (
	"io"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// logFlushEvery is how late, at most, an info or debug line reaches the
// log's writer.
const logFlushEvery = 100 * time.Millisecond

// logBuffer gathers the log's lines and writes them together: at most
// every logFlushEvery, as soon as 64 KiB wait, for a warning or an error
// at once (with every line before it), and on close. The access log writes
// a line per request, and one write(2) per line cost a GET about a tenth
// of its CPU (examples/loadtest -scenarios get, memory backend: 0.46 of
// the bare handler at -log-level info, 0.53 at warn, where no line is
// written). The writes happen on the flusher's goroutine, outside the lock
// that a request's Write takes, so a slow log (a pipe whose reader lags)
// holds up no request until 1 MiB waits; then Write waits for the writer,
// so the buffer never grows without bound. A crash can lose the last
// 100 ms of info lines, never a warning or an error logged before it.
type logBuffer struct {
	out io.Writer

	mu      sync.Mutex
	waiting []byte // lines not yet handed to out
	spare   []byte // the other buffer, for the flusher to swap in

	io   sync.Mutex // held while writing to out: one write at a time, in order
	kick chan struct{}
	stop chan struct{}
	done chan struct{}
}

const (
	logBufferKick = 64 << 10 // waiting bytes that wake the flusher
	logBufferMax  = 1 << 20  // waiting bytes above which Write writes itself
)

var _ zerolog.LevelWriter = (*logBuffer)(nil)

// newLogBuffer buffers w's lines, flushing them every interval.
func newLogBuffer(w io.Writer, every time.Duration) *logBuffer {
	b := &logBuffer{out: w, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go b.flushEvery(every)
	return b
}

func (b *logBuffer) flushEvery(d time.Duration) {
	defer close(b.done)
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
		case <-b.kick:
		}
		_ = b.Flush()
	}
}

// Write buffers p.
func (b *logBuffer) Write(p []byte) (int, error) {
	return b.WriteLevel(zerolog.InfoLevel, p)
}

// WriteLevel buffers p, and writes a warning or an error at once, after
// what waits.
func (b *logBuffer) WriteLevel(l zerolog.Level, p []byte) (int, error) {
	b.mu.Lock()
	b.waiting = append(b.waiting, p...)
	n := len(b.waiting)
	b.mu.Unlock()
	switch {
	case l >= zerolog.WarnLevel || n > logBufferMax:
		if err := b.Flush(); err != nil {
			return 0, err
		}
	case n >= logBufferKick:
		select {
		case b.kick <- struct{}{}:
		default:
		}
	}
	return len(p), nil
}

// Flush writes what waits.
func (b *logBuffer) Flush() error {
	b.io.Lock()
	defer b.io.Unlock()
	b.mu.Lock()
	out := b.waiting
	b.waiting, b.spare = b.spare[:0], nil
	b.mu.Unlock()
	if len(out) == 0 {
		b.keep(out)
		return nil
	}
	_, err := b.out.Write(out)
	b.keep(out)
	return err
}

// keep gives a written buffer back as the spare, unless it grew large.
func (b *logBuffer) keep(buf []byte) {
	if cap(buf) > 4*logBufferKick {
		return
	}
	b.mu.Lock()
	b.spare = buf[:0]
	b.mu.Unlock()
}

// Close stops the flusher and writes what waits; lines logged after it
// are still buffered, and written by a later Flush.
func (b *logBuffer) Close() error {
	select {
	case <-b.stop:
	default:
		close(b.stop)
		<-b.done
	}
	return b.Flush()
}
