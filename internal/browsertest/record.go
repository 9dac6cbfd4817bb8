package browsertest

import (
	"context"
	"net"
	"net/url"
	"slices"
	"sync"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Requests is the list of every URL the page asked the network for, in the
// order the browser reported them, from Record on.
type Requests struct {
	mu   sync.Mutex
	urls []string
}

// Record starts recording the requests of the tab of ctx (a context from New).
// Call it before navigating: it sees only the requests made after it returns.
func Record(ctx context.Context) (*Requests, error) {
	r := &Requests{}
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			r.mu.Lock()
			r.urls = append(r.urls, e.Request.URL)
			r.mu.Unlock()
		}
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// URLs returns a copy of the URLs recorded so far.
func (r *Requests) URLs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.urls)
}

// NotLoopback returns the recorded URLs that would leave the machine: every
// URL whose host is not a loopback address or "localhost". URLs that need no
// network at all (data:, blob:, about:) are never listed.
func (r *Requests) NotLoopback() []string {
	var out []string
	for _, raw := range r.URLs() {
		if !IsLocal(raw) {
			out = append(out, raw)
		}
	}
	return out
}

// IsLocal reports whether fetching raw stays on this machine.
func IsLocal(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "data", "blob", "about":
		return true
	case "http", "https", "ws", "wss":
	default:
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
