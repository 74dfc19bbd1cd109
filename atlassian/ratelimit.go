package atlassian

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimits configures the client-side limiter. Rates are requests per
// second; a zero rate means the default, a negative one means unlimited.
type RateLimits struct {
	// GET, POST, PUT and DELETE are the burst rates per method class
	// (Atlassian's defaults: 100, 100, 50, 50). PATCH counts as PUT.
	GET, POST, PUT, DELETE float64
	// Burst is the bucket size of each method class (default 10): how many
	// requests may leave at once before the rate applies.
	Burst int
	// IssueWrites are the per-issue write windows (default 20 per 2 s and
	// 100 per 30 s). Each window becomes a token bucket of N/2 tokens
	// refilled at 0.9·N/(2·Per), so that no window of length Per ever sees
	// more than N writes to one issue, even with some network jitter.
	IssueWrites []Window
	// NearLimitFactor scales the method class's rate while Atlassian says
	// X-RateLimit-NearLimit: true (default 0.5).
	NearLimitFactor float64
}

// Window is a per-issue write limit: at most N writes per Per.
type Window struct {
	N   int
	Per time.Duration
}

// DefaultRateLimits returns Atlassian's published burst and per-issue
// limits (ATLASSIAN.md §5).
func DefaultRateLimits() RateLimits {
	return RateLimits{
		GET: 100, POST: 100, PUT: 50, DELETE: 50,
		Burst:           10,
		IssueWrites:     []Window{{N: 20, Per: 2 * time.Second}, {N: 100, Per: 30 * time.Second}},
		NearLimitFactor: 0.5,
	}
}

// method classes.
const (
	classGET = iota
	classPOST
	classPUT
	classDELETE
	numClasses
)

func methodClass(m string) int {
	switch m {
	case http.MethodPost:
		return classPOST
	case http.MethodPut, http.MethodPatch:
		return classPUT
	case http.MethodDelete:
		return classDELETE
	}
	return classGET
}

// maxIssueLimiters bounds the per-issue limiter map; idle entries are swept
// when it is exceeded.
const maxIssueLimiters = 4096

// Limiter is the client-side rate limiter: one token bucket per method
// class, per-issue write buckets, a slow-down while Atlassian reports the
// caller near its limit, and a pause of every request to a product after
// a quota 429 until the quota resets. One Limiter may be shared by the Jira and Confluence
// clients of a site (WithLimiter); it is safe for concurrent use.
type Limiter struct {
	cfg     RateLimits
	classes [numClasses]*rate.Limiter
	base    [numClasses]rate.Limit

	mu        sync.Mutex
	near      [numClasses]bool
	issues    map[string]*issueLimiter
	lastSweep time.Time
	pauses    map[string]pauseEntry // by product
	state     RateState
}

// pauseEntry is a quota pause: until when, and the RateLimit-Reason.
type pauseEntry struct {
	until time.Time
	why   string
}

// maxQuotaPause caps a quota pause. Atlassian's quotas reset at the top of
// each UTC hour, so a longer pause can only come from a bad header, and
// must not stop the client for longer.
const maxQuotaPause = time.Hour + time.Minute

type issueLimiter struct {
	buckets []*rate.Limiter
	last    time.Time
}

// RateState is the most recent rate-limit information Atlassian sent.
type RateState struct {
	// Limit and Remaining are the last X-RateLimit-Limit and
	// X-RateLimit-Remaining values (-1 when never seen).
	Limit, Remaining int
	// NearLimit is the last X-RateLimit-NearLimit value.
	NearLimit bool
	// PausedUntil is when the latest quota pause ends (zero when never
	// paused; a past time once it has ended).
	PausedUntil time.Time
}

// NewLimiter returns a Limiter for l; zero fields take the defaults.
func NewLimiter(l RateLimits) *Limiter {
	d := DefaultRateLimits()
	if l.GET == 0 {
		l.GET = d.GET
	}
	if l.POST == 0 {
		l.POST = d.POST
	}
	if l.PUT == 0 {
		l.PUT = d.PUT
	}
	if l.DELETE == 0 {
		l.DELETE = d.DELETE
	}
	if l.Burst <= 0 {
		l.Burst = d.Burst
	}
	if l.IssueWrites == nil {
		l.IssueWrites = d.IssueWrites
	}
	if l.NearLimitFactor <= 0 || l.NearLimitFactor > 1 {
		l.NearLimitFactor = d.NearLimitFactor
	}
	lim := &Limiter{cfg: l, issues: map[string]*issueLimiter{}, pauses: map[string]pauseEntry{}}
	lim.state.Limit, lim.state.Remaining = -1, -1
	for i, r := range []float64{l.GET, l.POST, l.PUT, l.DELETE} {
		lim.base[i] = rate.Inf
		if r > 0 {
			lim.base[i] = rate.Limit(r)
		}
		lim.classes[i] = rate.NewLimiter(lim.base[i], l.Burst)
	}
	return lim
}

// State returns the last rate-limit information Atlassian sent.
func (l *Limiter) State() RateState {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.state
}

// paused returns the end of product's quota pause and the
// RateLimit-Reason that caused it; a zero time when not paused.
func (l *Limiter) paused(now time.Time, product string) (time.Time, string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if p, ok := l.pauses[product]; ok && now.Before(p.until) {
		return p.until, p.why
	}
	return time.Time{}, ""
}

// pause stops every request of product (Jira and Confluence have separate
// quota pools) until t, at most maxQuotaPause from now.
func (l *Limiter) pause(now time.Time, product string, t time.Time, why string) {
	if t.Sub(now) > maxQuotaPause {
		t = now.Add(maxQuotaPause)
	}
	l.mu.Lock()
	if t.After(l.pauses[product].until) {
		l.pauses[product] = pauseEntry{until: t, why: why}
		if t.After(l.state.PausedUntil) {
			l.state.PausedUntil = t
		}
	}
	l.mu.Unlock()
}

// reserve takes a token from the method class and, for a write to an
// issue, from that issue's buckets. It returns how long the caller must
// wait before sending and a cancel func that returns the tokens if the
// caller does not send. ok is false when the wait is unbounded.
func (l *Limiter) reserve(now time.Time, product, method, issue string) (wait time.Duration, cancel func(), ok bool) {
	var rs []*rate.Reservation
	cancel = func() {
		for _, r := range rs {
			r.CancelAt(now)
		}
	}
	take := func(b *rate.Limiter) bool {
		r := b.ReserveN(now, 1)
		if !r.OK() {
			return false
		}
		rs = append(rs, r)
		if d := r.DelayFrom(now); d > wait {
			wait = d
		}
		return true
	}
	if !take(l.classes[methodClass(method)]) {
		cancel()
		return 0, func() {}, false
	}
	if issue != "" && method != http.MethodGet {
		for _, b := range l.issueBuckets(now, issue) {
			if !take(b) {
				cancel()
				return 0, func() {}, false
			}
		}
	}
	if p, _ := l.paused(now, product); !p.IsZero() && p.Sub(now) > wait {
		wait = p.Sub(now)
	}
	return wait, cancel, true
}

// issueBuckets returns the write buckets of one issue, creating them.
func (l *Limiter) issueBuckets(now time.Time, issue string) []*rate.Limiter {
	key := strings.ToUpper(issue)
	l.mu.Lock()
	defer l.mu.Unlock()
	il := l.issues[key]
	if il == nil {
		if len(l.issues) >= maxIssueLimiters && now.Sub(l.lastSweep) >= time.Second {
			// At most one sweep a second: a client writing to more than
			// maxIssueLimiters issues in the longest window keeps them all
			// (the map grows by at most a second of writes beyond the
			// bound) instead of scanning the map on every write.
			l.lastSweep = now
			l.sweep(now)
		}
		il = &issueLimiter{}
		for _, w := range l.cfg.IssueWrites {
			if w.N <= 0 || w.Per <= 0 {
				continue
			}
			// burst + rate·Per stays under N by a tenth of the refill,
			// so that network jitter between the client's schedule and
			// the server's clock cannot fit N+1 writes in one window.
			burst := max(w.N/2, 1)
			r := rate.Limit(0.9 * float64(w.N-burst) / w.Per.Seconds())
			il.buckets = append(il.buckets, rate.NewLimiter(r, burst))
		}
		l.issues[key] = il
	}
	il.last = now
	return il.buckets
}

// sweep drops issue limiters idle for longer than the longest window (their
// buckets are full again, so dropping them changes nothing).
func (l *Limiter) sweep(now time.Time) {
	var longest time.Duration
	for _, w := range l.cfg.IssueWrites {
		longest = max(longest, w.Per)
	}
	for k, il := range l.issues {
		if now.Sub(il.last) > longest {
			delete(l.issues, k)
		}
	}
}

// observe records the rate-limit headers of a response: it slows the
// method class down while Atlassian reports NearLimit and restores it when
// the report clears.
func (l *Limiter) observe(method string, h http.Header) {
	nearHdr := h.Get("X-RateLimit-NearLimit")
	limit := headerInt(h, "X-RateLimit-Limit")
	remaining := headerInt(h, "X-RateLimit-Remaining")
	near := strings.EqualFold(strings.TrimSpace(nearHdr), "true")
	c := methodClass(method)
	l.mu.Lock()
	if limit >= 0 {
		l.state.Limit = limit
	}
	if remaining >= 0 {
		l.state.Remaining = remaining
	}
	if nearHdr != "" || limit >= 0 || remaining >= 0 {
		l.state.NearLimit = near
	}
	changed := l.near[c] != near
	if changed {
		l.near[c] = near
	}
	l.mu.Unlock()
	if !changed || l.base[c] == rate.Inf {
		return
	}
	if near {
		l.classes[c].SetLimit(l.base[c] * rate.Limit(l.cfg.NearLimitFactor))
	} else {
		l.classes[c].SetLimit(l.base[c])
	}
}

// headerInt returns a header's integer value, -1 when absent or invalid.
func headerInt(h http.Header, name string) int {
	v := strings.TrimSpace(h.Get(name))
	if v == "" {
		return -1
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// waitFor sleeps for d or until ctx is done.
func waitFor(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
