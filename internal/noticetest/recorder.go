// Package noticetest records the notices the kernel hands its notifier,
// for tests that check who was told what.
package noticetest

import (
	"context"
	"sync"

	"github.com/grassroots-policing/grassroots/casework"
)

// Recorder is a casework.Notifier that keeps every notice, in order. Its
// zero value is ready; it is safe for concurrent use.
type Recorder struct {
	mu  sync.Mutex
	got []casework.Notice
}

var _ casework.Notifier = (*Recorder)(nil)

// Notify keeps n.
func (r *Recorder) Notify(_ context.Context, n casework.Notice) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, n)
	return nil
}

// All returns a copy of the notices kept so far.
func (r *Recorder) All() []casework.Notice {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]casework.Notice(nil), r.got...)
}
