package main

import (
	"sync"
	"time"
)

// verifiedTokens remembers tokens whose signature, issuer and audience
// were verified, with their subject and expiry, so that a client sending
// the same token on every request costs one HMAC and JSON decoding per
// token, not per request (a sixth of the CPU of an authorised read under
// load, measured with examples/loadtest). Only what the token itself
// fixes is kept: expiry is checked again on every use, and the staff
// record — active, unit, roles — is still looked up on every request.
// At most maxVerifiedTokens are kept; a full cache is emptied.
type verifiedTokens struct {
	mu sync.RWMutex
	m  map[string]verifiedToken
}

type verifiedToken struct {
	subject string
	until   time.Time // expiry plus the tolerated clock skew
}

const maxVerifiedTokens = 4096

// get returns the subject of a verified token still valid at now.
func (c *verifiedTokens) get(raw string, now time.Time) (string, bool) {
	c.mu.RLock()
	v, ok := c.m[raw]
	c.mu.RUnlock()
	if !ok || !now.Before(v.until) {
		return "", false
	}
	return v.subject, true
}

// put keeps a verified token until its expiry (plus skew).
func (c *verifiedTokens) put(raw, subject string, exp time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxVerifiedTokens {
		c.m = map[string]verifiedToken{}
	}
	c.m[raw] = verifiedToken{subject: subject, until: exp.Add(clockSkew)}
}
