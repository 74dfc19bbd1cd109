package atlassian

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// RateLimits configures the client-side limiter. Rates are requests per
// second; a zero rate means the default, a negative one means unlimited.
//
// The burst buckets are keyed the way Atlassian keys its burst limit: "a
// token bucket per tenant × endpoint × method", with a default rate per
// method and documented per-endpoint overrides (Jira Cloud rate limiting,
// https://developer.atlassian.com/cloud/jira/platform/rate-limiting/ ,
// 2026 points-and-burst model; the Confluence page says the same). One
// bucket per method class for the whole product, as this client had before,
// held a site's discovery to 100 requests a second across all endpoints,
// where Atlassian allows 100 per endpoint.
type RateLimits struct {
	// GET, POST, PUT and DELETE are each endpoint's burst rate by method
	// (Atlassian's defaults: 100, 100, 50, 50). PATCH counts as PUT, HEAD
	// as GET.
	GET, POST, PUT, DELETE float64
	// Endpoints overrides single endpoints' rates. Keys are the method and
	// the path template relative to the product's base URL, placeholders
	// written {}: "GET /rest/api/3/issue/{}". Nil means Atlassian's
	// documented overrides (DefaultRateLimits); an empty map, none.
	Endpoints map[string]float64
	// Burst is the bucket size of each endpoint (default 10): how many
	// requests may leave at once before the rate applies. Atlassian does
	// not publish its bucket sizes ("design for the steady-state refill
	// rate, not the buffer"), so the default is small.
	Burst int
	// IssueWrites are the per-issue write windows (default 20 per 2 s and
	// 100 per 30 s). Each window becomes a token bucket of N/2 tokens
	// refilled at 0.9·N/(2·Per), so that no window of length Per ever sees
	// more than N writes to one issue, even with some network jitter.
	IssueWrites []Window
	// NearLimitFactor scales an endpoint's rate while Atlassian says
	// X-RateLimit-NearLimit: true on its answers (default 0.5).
	NearLimitFactor float64
}

// Window is a per-issue write limit: at most N writes per Per.
type Window struct {
	N   int
	Per time.Duration
}

// DefaultRateLimits returns Atlassian's published burst and per-issue
// limits (ATLASSIAN.md §5): 100 GET, 100 POST, 50 PUT and 50 DELETE per
// second per endpoint, with the documented endpoint overrides.
func DefaultRateLimits() RateLimits {
	return RateLimits{
		GET: 100, POST: 100, PUT: 50, DELETE: 50,
		Endpoints: map[string]float64{
			"GET /rest/api/3/issue/{}":                  150,
			"GET /rest/api/3/user":                      150,
			"POST /rest/api/3/search/approximate-count": 150,
			"GET /wiki/rest/api/search/user":            200,
			"GET /wiki/api/v2/pages/{}/descendants":     300,
		},
		Burst:           10,
		IssueWrites:     []Window{{N: 20, Per: 2 * time.Second}, {N: 100, Per: 30 * time.Second}},
		NearLimitFactor: 0.5,
	}
}

// methodClass folds HEAD into GET and PATCH into PUT.
func methodClass(m string) string {
	switch m {
	case http.MethodHead:
		return http.MethodGet
	case http.MethodPatch:
		return http.MethodPut
	}
	return m
}

// endpointName is the bucket name of a call: its method class and its path
// template with placeholders written {} ("GET /rest/api/3/issue/{}"), so
// that two spellings of one endpoint share a bucket.
func endpointName(method, tmpl string) string {
	var b strings.Builder
	b.WriteString(methodClass(method))
	b.WriteByte(' ')
	for {
		open := strings.IndexByte(tmpl, '{')
		end := strings.IndexByte(tmpl[max(open, 0):], '}')
		if open < 0 || end < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:open+1])
		tmpl = tmpl[open+end:]
	}
}

// maxIssueLimiters bounds the per-issue limiter map; idle entries are swept
// when it is exceeded.
const maxIssueLimiters = 4096

// Limiter is the client-side rate limiter: one token bucket per product,
// endpoint and method (as Atlassian keys its burst limit), per-issue write
// buckets, a slow-down of an endpoint while Atlassian reports the caller
// near its limit there, and a pause of every request to a product after a
// quota 429 until the quota resets. One Limiter may be shared by the Jira
// and Confluence clients of a site (WithLimiter); it is safe for
// concurrent use.
type Limiter struct {
	cfg RateLimits

	// routes finds a call's bucket without building its name: the key is
	// the route as the client spells it. Buckets are created once per
	// endpoint the code calls, so neither map grows with traffic.
	rmu    sync.RWMutex
	routes map[routeKey]*endpointBucket

	mu        sync.Mutex
	endpoints map[string]*endpointBucket // by product + " " + endpointName
	issues    map[string]*issueLimiter
	lastSweep time.Time
	pauses    map[string]pauseEntry // by product
	state     RateState
}

// routeKey is a call's route as the client spells it.
type routeKey struct{ product, method, tmpl string }

// endpointBucket is one endpoint's burst bucket.
type endpointBucket struct {
	lim  *rate.Limiter
	base rate.Limit
	near atomic.Bool
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
	if l.Endpoints == nil {
		l.Endpoints = d.Endpoints
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
	lim := &Limiter{cfg: l, routes: map[routeKey]*endpointBucket{}, endpoints: map[string]*endpointBucket{}, issues: map[string]*issueLimiter{}, pauses: map[string]pauseEntry{}}
	lim.state.Limit, lim.state.Remaining = -1, -1
	return lim
}

// bucket returns the burst bucket of a call, creating it on first use.
func (l *Limiter) bucket(product, method, tmpl string) *endpointBucket {
	key := routeKey{product, method, tmpl}
	l.rmu.RLock()
	b := l.routes[key]
	l.rmu.RUnlock()
	if b != nil {
		return b
	}
	name := endpointName(method, tmpl)
	l.mu.Lock()
	b = l.endpoints[product+" "+name]
	if b == nil {
		r, ok := l.cfg.Endpoints[name]
		if !ok {
			switch methodClass(method) {
			case http.MethodPost:
				r = l.cfg.POST
			case http.MethodPut:
				r = l.cfg.PUT
			case http.MethodDelete:
				r = l.cfg.DELETE
			default:
				r = l.cfg.GET
			}
		}
		b = &endpointBucket{base: rate.Inf}
		if r > 0 {
			b.base = rate.Limit(r)
		}
		b.lim = rate.NewLimiter(b.base, l.cfg.Burst)
		l.endpoints[product+" "+name] = b
	}
	l.mu.Unlock()
	l.rmu.Lock()
	l.routes[key] = b
	l.rmu.Unlock()
	return b
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

// reserve takes a token from the endpoint's bucket (method and path
// template tmpl) and, for a write to an issue, from that issue's buckets. It returns how long the caller must
// wait before sending and a cancel func that returns the tokens if the
// caller does not send. ok is false when the wait is unbounded.
func (l *Limiter) reserve(now time.Time, product, method, tmpl, issue string) (wait time.Duration, cancel func(), ok bool) {
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
	if !take(l.bucket(product, method, tmpl).lim) {
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

// observe records the rate-limit headers of an answer from an endpoint,
// received at now: it slows that endpoint down while Atlassian reports
// NearLimit and restores it when the report clears.
func (l *Limiter) observe(now time.Time, product, method, tmpl string, h http.Header) {
	nearHdr := h.Get("X-RateLimit-NearLimit")
	limit := headerInt(h, "X-RateLimit-Limit")
	remaining := headerInt(h, "X-RateLimit-Remaining")
	near := strings.EqualFold(strings.TrimSpace(nearHdr), "true")
	if nearHdr != "" || limit >= 0 || remaining >= 0 {
		l.mu.Lock()
		if limit >= 0 {
			l.state.Limit = limit
		}
		if remaining >= 0 {
			l.state.Remaining = remaining
		}
		l.state.NearLimit = near
		l.mu.Unlock()
	}
	b := l.bucket(product, method, tmpl)
	if b.near.Swap(near) == near || b.base == rate.Inf {
		return
	}
	if near {
		b.lim.SetLimitAt(now, b.base*rate.Limit(l.cfg.NearLimitFactor))
	} else {
		b.lim.SetLimitAt(now, b.base)
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
