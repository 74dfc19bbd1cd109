package sandbox

import (
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Rate limits as Atlassian enforces them (ATLASSIAN.md §5): a burst limiter
// (a token bucket per product, endpoint and method, as Atlassian's "token
// bucket per tenant × endpoint × method": the Jira Cloud rate-limiting page,
// https://developer.atlassian.com/cloud/jira/platform/rate-limiting/) and a
// per-issue write limiter (20 writes / 2 s and 100 writes / 30 s per issue). The hourly
// points quota is not modelled; inject a fault with RateLimitFault and the
// quota reasons to test it.

// RateLimits sets the burst limiter's steady rates in requests per second;
// each bucket holds one second's worth. A zero rate means no limit.
type RateLimits struct {
	// GET, POST, PUT and DELETE are each endpoint's rate by method class,
	// one bucket per product, endpoint and class (HEAD counts as GET,
	// PATCH as PUT); requests to paths no route serves share one bucket
	// per product and class.
	GET    float64
	POST   float64
	PUT    float64
	DELETE float64
	// Endpoints overrides the rate of single routes. Keys are routes as the product parts register them, method
	// first, relative to the product prefix, with wildcard names left out:
	// "GET /rest/api/3/issue/{}".
	Endpoints map[string]float64
}

// DefaultRateLimits returns Atlassian's default burst rates (GET 100/s,
// POST 100/s, PUT 50/s, DELETE 50/s) with its documented per-endpoint
// overrides (GET issue 150/s, GET user 150/s, approximate-count 150/s,
// Confluence user search 200/s, page descendants 300/s).
func DefaultRateLimits() RateLimits {
	return RateLimits{GET: 100, POST: 100, PUT: 50, DELETE: 50, Endpoints: map[string]float64{
		"GET /rest/api/3/issue/{}":                  150,
		"GET /rest/api/3/user":                      150,
		"POST /rest/api/3/search/approximate-count": 150,
		"GET /wiki/rest/api/search/user":            200,
		"GET /wiki/api/v2/pages/{}/descendants":     300,
	}}
}

var wildcardRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{[^}]*\}`) })

// endpointKey normalizes a route pattern for RateLimits.Endpoints.
func endpointKey(pattern string) string {
	return wildcardRe().ReplaceAllString(pattern, "{}")
}

func (l RateLimits) forMethod(m string) float64 {
	switch m {
	case http.MethodGet, http.MethodHead:
		return l.GET
	case http.MethodPost:
		return l.POST
	case http.MethodPut, http.MethodPatch:
		return l.PUT
	case http.MethodDelete:
		return l.DELETE
	}
	return l.GET
}

// Per-issue write windows.
const (
	issueShortWindow = 2 * time.Second
	issueShortMax    = 20
	issueLongWindow  = 30 * time.Second
	issueLongMax     = 100
)

type limitState struct {
	mu          sync.Mutex
	off         bool
	rates       RateLimits
	buckets     map[string]*rate.Limiter // product + " " + route (or method class)
	issueWrites map[string][]time.Time
	rateLimited int
}

func (l *limitState) init(cfg config) {
	l.off = cfg.noRateLimits
	l.rates = cfg.rateLimits
	l.buckets = map[string]*rate.Limiter{}
	l.issueWrites = map[string][]time.Time{}
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

// SetRateLimits replaces the burst limiter's rates at run time (buckets
// start full again), on every site of the server (each keeps its own
// buckets, as Atlassian's sites do). Use WithoutRateLimits or
// DisableRateLimits to turn limiting off.
func (s *Server) SetRateLimits(l RateLimits) {
	for _, site := range s.Sites() {
		site.limits.mu.Lock()
		site.limits.off = false
		site.limits.rates = l
		site.limits.buckets = map[string]*rate.Limiter{}
		site.limits.issueWrites = map[string][]time.Time{}
		site.limits.mu.Unlock()
	}
}

// DisableRateLimits turns the burst and per-issue write limiters off on
// every site of the server.
func (s *Server) DisableRateLimits() {
	for _, site := range s.Sites() {
		site.limits.mu.Lock()
		site.limits.off = true
		site.limits.mu.Unlock()
	}
}

// allowBurst takes a token from the bucket of (product, route), at the
// route's RateLimits.Endpoints rate or else its method class's; a request
// no route serves (route "") takes one from its (product, method class)
// bucket. It sets
// X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-NearLimit on w,
// and on refusal writes the 429 and returns false.
func (s *Server) allowBurst(w http.ResponseWriter, r *http.Request, p Product, route string) bool {
	l := &s.limits
	class := methodClass(r.Method)
	now := s.now()
	l.mu.Lock()
	if l.off {
		l.mu.Unlock()
		return true
	}
	perSec := l.rates.forMethod(class)
	key := string(p) + " " + class
	if route != "" {
		key = string(p) + " " + route
		if ep, ok := l.rates.Endpoints[route]; ok {
			perSec = ep
		}
	}
	if perSec <= 0 {
		l.mu.Unlock()
		return true
	}
	b := l.buckets[key]
	if b == nil {
		burst := int(math.Ceil(perSec))
		b = rate.NewLimiter(rate.Limit(perSec), burst)
		// Anchor the bucket on the server's clock, which may be fake.
		b.SetLimitAt(now, rate.Limit(perSec))
		l.buckets[key] = b
	}
	ok := b.AllowN(now, 1)
	tokens := b.TokensAt(now)
	if !ok {
		l.rateLimited++
	}
	l.mu.Unlock()

	limit := b.Burst()
	remaining := int(math.Max(0, math.Floor(tokens)))
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	if float64(remaining) < 0.2*float64(limit) {
		h.Set("X-RateLimit-NearLimit", "true")
	}
	if ok {
		return true
	}
	wait := time.Duration((1 - tokens) / perSec * float64(time.Second))
	reason := "jira-burst-based"
	if p == Confluence {
		reason = "confluence-burst-based"
	}
	s.writeRateLimited(w, r, p, reason, wait, "Rate limit exceeded.")
	return false
}

// retryAfterSeconds rounds a wait up to whole seconds, at least 1.
func retryAfterSeconds(d time.Duration) int {
	n := int(math.Ceil(d.Seconds()))
	if n < 1 {
		n = 1
	}
	return n
}

// writeRateLimited writes a 429 with Atlassian's headers (Retry-After in
// seconds, RateLimit-Reason, ISO 8601 X-RateLimit-Reset) and the product's
// error shape.
func (s *Server) writeRateLimited(w http.ResponseWriter, r *http.Request, p Product, reason string, wait time.Duration, msg string) {
	secs := retryAfterSeconds(wait)
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(secs))
	h.Set("RateLimit-Reason", reason)
	h.Set("X-RateLimit-Reset", s.now().Add(time.Duration(secs)*time.Second).UTC().Format(time.RFC3339))
	if h.Get("X-RateLimit-Remaining") == "" {
		h.Set("X-RateLimit-Remaining", "0")
	}
	productError(w, r, p, http.StatusTooManyRequests, msg)
}

// allowIssueWrite applies the per-issue write limiter (20 writes / 2 s and
// 100 writes / 30 s per issue) to a write on issueKey. When it refuses it
// has already written the 429 (RateLimit-Reason: jira-per-issue-on-write,
// Retry-After) and returns false. It takes only the limiter's own lock, so
// it may be called with or without s.mu held.
func (s *Server) allowIssueWrite(w http.ResponseWriter, issueKey string) bool {
	l := &s.limits
	now := s.now()
	l.mu.Lock()
	if l.off {
		l.mu.Unlock()
		return true
	}
	times := l.issueWrites[issueKey]
	// Drop writes older than the long window.
	i := 0
	for i < len(times) && !times[i].After(now.Add(-issueLongWindow)) {
		i++
	}
	times = times[i:]
	inShort := 0
	firstShort := -1
	for j, t := range times {
		if t.After(now.Add(-issueShortWindow)) {
			inShort++
			if firstShort < 0 {
				firstShort = j
			}
		}
	}
	var wait time.Duration
	switch {
	case inShort >= issueShortMax:
		wait = times[firstShort].Add(issueShortWindow).Sub(now)
	case len(times) >= issueLongMax:
		wait = times[0].Add(issueLongWindow).Sub(now)
	}
	if wait > 0 {
		l.issueWrites[issueKey] = times
		l.rateLimited++
		l.mu.Unlock()
		s.writeRateLimited(w, nil, Jira, "jira-per-issue-on-write", wait,
			"Too many write requests for issue "+issueKey+". Try again later.")
		return false
	}
	l.issueWrites[issueKey] = append(times, now)
	l.mu.Unlock()
	return true
}

// productError writes an error in the shape of p's API: Jira's
// ErrorCollection, Confluence v1's for /wiki/rest/ paths, Confluence v2's
// otherwise. Outside a product it writes the gateway's {"code","message"}.
func productError(w http.ResponseWriter, r *http.Request, p Product, status int, msg string) {
	switch p {
	case Jira:
		jiraError(w, status, []string{msg}, nil)
	case Confluence:
		if r != nil && strings.Contains(r.URL.Path, "/wiki/rest/") {
			confluenceV1Error(w, status, msg)
			return
		}
		confluenceError(w, status, confluenceCode(status), msg)
	default:
		gatewayError(w, status, msg)
	}
}

// confluenceCode maps an HTTP status to Confluence v2's error code.
func confluenceCode(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "INVALID_REQUEST_PARAMETER"
	case http.StatusUnauthorized:
		return "UNAUTHORIZED"
	case http.StatusForbidden:
		return "FORBIDDEN"
	case http.StatusNotFound:
		return "NOT_FOUND"
	case http.StatusConflict:
		return "CONFLICT"
	case http.StatusRequestEntityTooLarge:
		return "REQUEST_ENTITY_TOO_LARGE"
	case http.StatusTooManyRequests:
		return "TOO_MANY_REQUESTS"
	case http.StatusServiceUnavailable:
		return "SERVICE_UNAVAILABLE"
	}
	if status >= 500 {
		return "INTERNAL_SERVER_ERROR"
	}
	return strings.ToUpper(strings.ReplaceAll(http.StatusText(status), " ", "_"))
}
