package casework

import (
	"crypto/rand"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// Clock tells the time. Services take it from Config so that tests and
// examples replay the article's dates exactly.
type Clock interface {
	Now() time.Time
}

// IDSource makes record ids. The default makes ULIDs: unique across
// processes without coordination and sortable by creation time, which keeps
// cursor paging and logs in a natural order.
type IDSource interface {
	NewID() string
}

// SystemClock is the wall clock, truncated to the microsecond that every
// backend stores, so a value read back equals the value written.
type SystemClock struct{}

// Now returns the current UTC time at microsecond precision.
func (SystemClock) Now() time.Time { return Truncate(time.Now()) }

// Truncate brings a time to what storage keeps: UTC, microseconds.
func Truncate(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// FixedClock is a settable clock for tests and examples. It is safe for
// concurrent use.
type FixedClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewFixedClock starts a clock at t.
func NewFixedClock(t time.Time) *FixedClock { return &FixedClock{t: Truncate(t)} }

// Now returns the clock's time.
func (c *FixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *FixedClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = Truncate(t)
	c.mu.Unlock()
}

// Advance moves the clock forward by d.
func (c *FixedClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// ULIDSource makes ULIDs from the clock's time and crypto/rand.
type ULIDSource struct {
	Clock Clock
}

// NewID returns a new ULID string.
func (s ULIDSource) NewID() string {
	c := s.Clock
	if c == nil {
		c = SystemClock{}
	}
	return ulid.MustNew(ulid.Timestamp(c.Now()), rand.Reader).String()
}

// SequentialIDs makes ids prefix-000001, prefix-000002 … for deterministic
// tests and example output. It is safe for concurrent use.
type SequentialIDs struct {
	Prefix string
	mu     sync.Mutex
	n      int
}

// NewID returns the next id.
func (s *SequentialIDs) NewID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return s.Prefix + pad6(s.n)
}

func pad6(n int) string {
	const digits = "0123456789"
	b := []byte("000000")
	for i := len(b) - 1; i >= 0 && n > 0; i-- {
		b[i] = digits[n%10]
		n /= 10
	}
	return string(b)
}
