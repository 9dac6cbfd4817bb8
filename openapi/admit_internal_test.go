package openapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// busyCall is a service call that counts how many run at once and holds
// until released.
type busyCall struct {
	running, most atomic.Int32
	entered       chan struct{}
	release       chan struct{}
}

func newBusyCall() *busyCall {
	return &busyCall{entered: make(chan struct{}, 100), release: make(chan struct{})}
}

func (b *busyCall) call(context.Context, http.ResponseWriter, *http.Request, any) (any, error) {
	n := b.running.Add(1)
	for {
		m := b.most.Load()
		if n <= m || b.most.CompareAndSwap(m, n) {
			break
		}
	}
	b.entered <- struct{}{}
	<-b.release
	b.running.Add(-1)
	return "ok", nil
}

// TestAdmissionBoundsReads: at most MaxConcurrent reads run their call at
// once, the others wait and then run; writes never wait; a read whose
// client goes away while waiting ends with the context's error.
func TestAdmissionBoundsReads(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, method string
		bound, calls int
		wantMost     int32
	}{
		{"reads wait for a turn", http.MethodGet, 2, 5, 2},
		{"writes never wait", http.MethodPost, 2, 5, 5},
		{"no bound", http.MethodGet, 0, 5, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := newBusyCall()
			f := newAdmission(tt.bound).middleware(b.call, "Op")
			var wg sync.WaitGroup
			for range tt.calls {
				wg.Go(func() {
					out, err := f(context.Background(), nil, httptest.NewRequest(tt.method, "/", nil), nil)
					require.NoError(t, err)
					require.Equal(t, "ok", out)
				})
			}
			for range tt.wantMost {
				<-b.entered
			}
			select {
			case <-b.entered:
				t.Fatalf("more than %d calls ran at once", tt.wantMost)
			case <-time.After(50 * time.Millisecond):
			}
			close(b.release)
			wg.Wait()
			require.Equal(t, tt.wantMost, b.most.Load())
		})
	}
}

func TestAdmissionWaiterLeavesWithItsContext(t *testing.T) {
	t.Parallel()
	b := newBusyCall()
	f := newAdmission(1).middleware(b.call, "Op")
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = f(context.Background(), nil, httptest.NewRequest(http.MethodGet, "/", nil), nil)
	}()
	<-b.entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f(ctx, nil, httptest.NewRequest(http.MethodGet, "/", nil), nil)
	require.ErrorIs(t, err, context.Canceled)
	close(b.release)
	<-done
	require.EqualValues(t, 1, b.most.Load())
}
