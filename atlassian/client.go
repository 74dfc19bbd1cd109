package atlassian

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// DefaultGatewayURL is Atlassian's API gateway for OAuth 2.0 (3LO) apps.
const DefaultGatewayURL = "https://api.atlassian.com"

// JiraBaseURL returns the Jira base URL for a site behind a gateway:
// gatewayURL + "/ex/jira/" + cloudID (the cloud id is path-escaped).
func JiraBaseURL(gatewayURL, cloudID string) string {
	return strings.TrimRight(gatewayURL, "/") + "/ex/jira/" + url.PathEscape(cloudID)
}

// ConfluenceBaseURL returns the Confluence base URL for a site behind a
// gateway: gatewayURL + "/ex/confluence/" + cloudID. API paths ("/wiki/…")
// are appended by the client.
func ConfluenceBaseURL(gatewayURL, cloudID string) string {
	return strings.TrimRight(gatewayURL, "/") + "/ex/confluence/" + url.PathEscape(cloudID)
}

// RetryPolicy says how the clients retry. Zero fields take the defaults.
//
// 429 is retried for every method (Atlassian did not process the request);
// 503 for idempotent calls, and for a POST only when it carries
// Retry-After; 502, 504 and dropped connections only for idempotent calls
// (GET, PUT, DELETE, and the read-only POSTs of JQL search). A POST that
// timed out or lost its connection is never retried: it may have created
// something.
type RetryPolicy struct {
	// MaxAttempts is the number of requests in all, the first included
	// (default 4; 1 disables retry).
	MaxAttempts int
	// BaseDelay is the first backoff step (default 2 s); each step
	// doubles, multiplied by a jitter in [1-Jitter, 1+Jitter].
	BaseDelay time.Duration
	// MaxDelay caps one backoff step (default 30 s). Retry-After is a
	// minimum and may exceed it, up to MaxWait.
	MaxDelay time.Duration
	// Jitter is the randomisation factor (default 0.3).
	Jitter float64
	// MaxWait is the longest single wait the client accepts (default 60 s).
	// A longer Retry-After, quota reset or limiter wait, or one beyond the
	// context's deadline, ends the call at once with a *RateLimitError.
	MaxWait time.Duration
}

// DefaultRetryPolicy returns the policy of ATLASSIAN.md §5: 4 attempts,
// 2 s doubling with ±30 % jitter, 30 s cap, 60 s longest wait.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 4, BaseDelay: 2 * time.Second, MaxDelay: 30 * time.Second, Jitter: 0.3, MaxWait: time.Minute}
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetryPolicy()
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = d.MaxAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = d.BaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = d.MaxDelay
	}
	if p.Jitter <= 0 || p.Jitter >= 1 {
		p.Jitter = d.Jitter
	}
	if p.MaxWait <= 0 {
		p.MaxWait = d.MaxWait
	}
	return p
}

// Option configures a client.
type Option func(*settings)

type settings struct {
	logger    *slog.Logger
	limiter   *Limiter
	noLimiter bool
	limits    *RateLimits
	retry     RetryPolicy
	userAgent string
	onRetry   func(product string, status int)
	clock     Clock
}

// WithLogger logs every request at debug level (method, path template,
// status, duration, retries) to l. Tokens and headers are never logged.
func WithLogger(l *slog.Logger) Option { return func(s *settings) { s.logger = l } }

// WithLimiter makes the client use l, so that several clients (Jira and
// Confluence of one site) share one limiter and one quota pause.
func WithLimiter(l *Limiter) Option {
	return func(s *settings) { s.limiter = l; s.noLimiter = l == nil }
}

// WithRateLimits gives the client its own limiter configured by l.
func WithRateLimits(l RateLimits) Option {
	return func(s *settings) { s.limits = &l; s.limiter = nil; s.noLimiter = false }
}

// WithoutRateLimits turns the client-side limiter off (Atlassian's 429s
// are still retried).
func WithoutRateLimits() Option {
	return func(s *settings) { s.noLimiter = true; s.limiter = nil; s.limits = nil }
}

// WithRetryPolicy sets the retry policy (tests use millisecond delays).
func WithRetryPolicy(p RetryPolicy) Option { return func(s *settings) { s.retry = p } }

// WithRetryHook calls fn each time a call is about to be sent again, with
// the product ("jira", "confluence") and the status that caused it (0: no
// response). Metrics count retries with it.
func WithRetryHook(fn func(product string, status int)) Option {
	return func(s *settings) { s.onRetry = fn }
}

// WithClock makes the client read the time from c and wait on it (retry
// backoff, Retry-After, quota pauses, limiter waits) instead of the wall
// clock; nil means SystemClock. Tests pass a fake clock to observe the
// waits exactly.
func WithClock(c Clock) Option { return func(s *settings) { s.clock = c } }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(s *settings) { s.userAgent = ua } }

// DefaultUserAgent is the User-Agent sent unless WithUserAgent says
// otherwise.
const DefaultUserAgent = "atlassian-mcp"

// errRedirectRefused ends a redirect to a host that was not configured.
var errRedirectRefused = errors.New("redirect to another host refused")

// core is the HTTP core shared by the clients.
type core struct {
	product string
	base    string // scheme://host/prefix, no trailing slash
	host    string
	scheme  string
	hc      *http.Client
	lim     *Limiter
	retry   RetryPolicy
	log     *slog.Logger
	ua      string
	onRetry func(product string, status int)
	clock   Clock
}

// newCore validates baseURL and builds the core around a copy of hc whose
// redirects may not leave the configured host (the caller's transport adds
// the token to every request, redirected ones included).
func newCore(product, baseURL string, hc *http.Client, opts []Option) (*core, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil {
		// The url.Error would quote the URL, credentials and all.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%s: invalid base URL: %v", product, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%s: base URL %q must be http or https", product, redact(baseURL))
	case u.Host == "":
		return nil, fmt.Errorf("%s: base URL %q has no host", product, redact(baseURL))
	case u.User != nil:
		return nil, fmt.Errorf("%s: base URL must not carry credentials", product)
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, fmt.Errorf("%s: base URL must not have a query or fragment", product)
	}
	s := settings{retry: DefaultRetryPolicy(), userAgent: DefaultUserAgent}
	for _, o := range opts {
		o(&s)
	}
	c := &core{
		product: product,
		host:    u.Host,
		scheme:  u.Scheme,
		retry:   s.retry.withDefaults(),
		log:     s.logger,
		ua:      s.userAgent,
		onRetry: s.onRetry,
		clock:   s.clock,
	}
	if c.clock == nil {
		c.clock = SystemClock
	}
	c.base = u.Scheme + "://" + u.Host + strings.TrimRight(u.EscapedPath(), "/")
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	switch {
	case s.noLimiter:
	case s.limiter != nil:
		c.lim = s.limiter
	case s.limits != nil:
		c.lim = NewLimiter(*s.limits)
	default:
		c.lim = NewLimiter(RateLimits{})
	}
	h := &http.Client{}
	if hc != nil {
		*h = *hc
	}
	next := h.CheckRedirect
	h.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Host != c.host || req.URL.Scheme != c.scheme {
			return errRedirectRefused
		}
		if len(via) >= 5 {
			return errors.New("too many redirects")
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
	c.hc = h
	return c, nil
}

// prefix returns "product: METHOD /path" for error messages.
func (c *core) prefix(rt route) string {
	return strings.TrimSuffix(callPrefix(c.product, rt.method, rt.tmpl), ": ")
}

// do sends one API call with rate limiting and retry and decodes a
// successful JSON response into out (when out is non-nil).
func (c *core) do(ctx context.Context, rt route, q url.Values, body, out any) error {
	_, err := c.send(ctx, rt, q, body, out)
	return err
}

// send is do returning the final status code.
func (c *core) send(ctx context.Context, rt route, q url.Values, body, out any) (int, error) {
	if ctx == nil {
		return 0, errors.New(c.prefix(rt) + ": nil context")
	}
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return 0, fmt.Errorf("%s: encoding request body: %w", c.prefix(rt), err)
		}
	}
	target := c.base + rt.path()
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, rt.method, target, rd)
	if err != nil {
		return 0, fmt.Errorf("%s: building request: %v", c.prefix(rt), redact(err.Error()))
	}
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.ua != "" {
		req.Header.Set("User-Agent", c.ua)
	}

	start := c.clock.Now()
	status, attempts, err := c.attempts(ctx, rt, req, out)
	if c.log.Enabled(ctx, slog.LevelDebug) {
		attrs := []slog.Attr{
			slog.String("product", c.product),
			slog.String("method", rt.method),
			slog.String("path", rt.tmpl),
			slog.Int("status", status),
			slog.Duration("duration", c.clock.Now().Sub(start)),
			slog.Int("retries", max(attempts-1, 0)),
		}
		if err != nil {
			attrs = append(attrs, slog.String("error", errorClass(err)))
			var ae *APIError
			if errors.As(err, &ae) && ae.TraceID != "" {
				attrs = append(attrs, slog.String("atl_traceid", ae.TraceID))
			}
		}
		c.log.LogAttrs(ctx, slog.LevelDebug, "atlassian request", attrs...)
	}
	return status, err
}

// errorClass names an error for the log without its text.
func errorClass(err error) string {
	var ae *APIError
	var rl *RateLimitError
	switch {
	case errors.As(err, &rl):
		return "rate_limited"
	case errors.As(err, &ae):
		return "api_error"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline_exceeded"
	}
	return "transport"
}

// attempts runs the retry loop. It returns the last status (0 when no
// response arrived) and the number of requests sent.
func (c *core) attempts(ctx context.Context, rt route, req *http.Request, out any) (int, int, error) {
	bo := c.newBackoff()
	status := 0
	for attempt := 1; ; attempt++ {
		if err := c.limit(ctx, rt, attempt); err != nil {
			return status, attempt - 1, err
		}
		r, err := c.attemptRequest(ctx, rt, req, attempt)
		if err != nil {
			return status, attempt - 1, err
		}
		resp, err := c.hc.Do(r)
		if err != nil {
			status = 0
			wait, err := c.transportRetry(ctx, rt, bo, attempt, err)
			if err != nil {
				return status, attempt, err
			}
			c.logRetry(ctx, rt, attempt, 0, wait)
			if err := c.clock.Sleep(ctx, wait); err != nil {
				return status, attempt, fmt.Errorf("%s: %w", c.prefix(rt), err)
			}
			continue
		}
		status = resp.StatusCode
		if c.lim != nil {
			c.lim.observe(c.clock.Now(), c.product, rt.method, rt.tmpl, resp.Header)
		}
		if status < 300 {
			err := c.decode(rt, resp, out)
			return status, attempt, err
		}
		wait, paused, err := c.statusRetry(ctx, rt, bo, attempt, resp)
		if err != nil {
			return status, attempt, err
		}
		c.logRetry(ctx, rt, attempt, status, wait)
		if paused {
			continue // the next c.limit call sleeps until the reset
		}
		if err := c.clock.Sleep(ctx, wait); err != nil {
			return status, attempt, fmt.Errorf("%s: %w", c.prefix(rt), err)
		}
	}
}

// newBackoff is the exponential backoff of one call's retries, on the
// client's clock.
func (c *core) newBackoff() *backoff.ExponentialBackOff {
	bo := &backoff.ExponentialBackOff{
		InitialInterval:     c.retry.BaseDelay,
		RandomizationFactor: c.retry.Jitter,
		Multiplier:          2,
		MaxInterval:         c.retry.MaxDelay,
		Stop:                backoff.Stop,
		Clock:               c.clock,
	}
	bo.Reset()
	return bo
}

// attemptRequest is the request of the given attempt: req itself first,
// then a clone with its body replayed.
func (c *core) attemptRequest(ctx context.Context, rt route, req *http.Request, attempt int) (*http.Request, error) {
	if attempt == 1 {
		return req, nil
	}
	r := req.Clone(ctx)
	if req.GetBody != nil {
		b, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("%s: replaying request body: %w", c.prefix(rt), err)
		}
		r.Body = b
	}
	return r, nil
}

// transportRetry decides after an attempt that got no response (err):
// the wait before the next attempt, or the error that ends the call (the
// context's, or the transport error when the call is not idempotent, the
// error not retryable, the attempts used up or the wait past the deadline).
func (c *core) transportRetry(ctx context.Context, rt route, bo *backoff.ExponentialBackOff, attempt int, err error) (time.Duration, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return 0, fmt.Errorf("%s: %w", c.prefix(rt), ctxErr)
	}
	terr := transportError(c.prefix(rt), err)
	if !rt.idempotent || !retryableTransport(err) || attempt >= c.retry.MaxAttempts {
		return 0, terr
	}
	wait := c.step(bo)
	if !c.fitsDeadline(ctx, wait) {
		return 0, terr
	}
	return wait, nil
}

// statusRetry decides after an attempt answered with an error status
// (resp, whose body it drains): the wait before the next attempt, and
// whether a quota pause in the limiter already holds it (paused); or the
// error that ends the call, a *RateLimitError for a rate-limit-like answer.
func (c *core) statusRetry(ctx context.Context, rt route, bo *backoff.ExponentialBackOff, attempt int, resp *http.Response) (wait time.Duration, paused bool, err error) {
	status := resp.StatusCode
	apiErr := newAPIError(c.product, rt.method, rt.tmpl, resp)
	drainClose(resp.Body)
	info := readRateInfo(resp.Header, c.clock.Now())
	rateLike := status == http.StatusTooManyRequests || (status == http.StatusServiceUnavailable && info.hasRetryAfter)
	rlErr := func(gaveUp string, wait time.Duration) error {
		if !rateLike {
			return apiErr
		}
		e := info.toError(c.product, rt, status, attempt, apiErr)
		e.GaveUp = gaveUp
		if wait > e.RetryAfter {
			e.RetryAfter = wait
		}
		return e
	}
	if !retryableStatus(rt, status, info) || attempt >= c.retry.MaxAttempts {
		return 0, false, rlErr("", 0)
	}
	wait, quota := c.statusWait(bo, status, info)
	paused = quota && c.lim != nil
	if paused {
		// Quota exhausted: every request waits for the reset, not just
		// this one, and those that cannot wait fail without a call.
		now := c.clock.Now()
		c.lim.pause(now, c.product, now.Add(wait), info.reason)
	}
	if wait > c.retry.MaxWait {
		return 0, false, rlErr(fmt.Sprintf("the wait of %s exceeds the client's maximum wait of %s", roundDur(wait), c.retry.MaxWait), wait)
	}
	if !c.fitsDeadline(ctx, wait) {
		return 0, false, rlErr(fmt.Sprintf("the wait of %s exceeds the request deadline", roundDur(wait)), wait)
	}
	return wait, paused, nil
}

// retryableStatus reports whether an answer with status may be retried:
// 429 always, 503 when idempotent or with Retry-After, 502 and 504 when
// idempotent.
func retryableStatus(rt route, status int, info rateInfo) bool {
	switch status {
	case http.StatusTooManyRequests:
		return true
	case http.StatusServiceUnavailable:
		return rt.idempotent || info.hasRetryAfter
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		return rt.idempotent
	}
	return false
}

// statusWait is the wait before retrying an answer with status: the
// backoff's step, or longer when Retry-After asks for more or, for an
// exhausted quota (reported as quota), until the quota's reset.
func (c *core) statusWait(bo *backoff.ExponentialBackOff, status int, info rateInfo) (wait time.Duration, quota bool) {
	wait = c.step(bo)
	if info.hasRetryAfter && info.retryAfter > wait {
		wait = info.retryAfter
	}
	quota = status == http.StatusTooManyRequests && strings.Contains(strings.ToLower(info.reason), "quota")
	if quota && !info.reset.IsZero() {
		if d := info.reset.Sub(c.clock.Now()); d > wait {
			wait = d
		}
	}
	return wait, quota
}

// fitsDeadline reports whether waiting wait leaves ctx before its
// deadline (always, without one).
func (c *core) fitsDeadline(ctx context.Context, wait time.Duration) bool {
	dl, ok := ctx.Deadline()
	return !ok || dl.Sub(c.clock.Now()) >= wait
}

// logRetry logs, at debug level, that attempt got status (0: no
// response) and the call will be sent again after wait.
func (c *core) logRetry(ctx context.Context, rt route, attempt, status int, wait time.Duration) {
	if c.onRetry != nil {
		c.onRetry(c.product, status)
	}
	if !c.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "atlassian retry",
		slog.String("product", c.product),
		slog.String("method", rt.method),
		slog.String("path", rt.tmpl),
		slog.Int("attempt", attempt),
		slog.Int("status", status),
		slog.Duration("wait", wait))
}

// roundDur rounds a wait for messages.
func roundDur(d time.Duration) time.Duration {
	if d > time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

// step returns the next backoff step, capped at MaxDelay.
func (c *core) step(bo *backoff.ExponentialBackOff) time.Duration {
	d := bo.NextBackOff()
	if d == backoff.Stop || d > c.retry.MaxDelay {
		d = c.retry.MaxDelay
	}
	return d
}

// limit waits for the client-side limiter before an attempt. A wait longer
// than MaxWait or the context's deadline fails at once.
func (c *core) limit(ctx context.Context, rt route, attempt int) error {
	if c.lim == nil {
		return ctx.Err()
	}
	now := c.clock.Now()
	wait, cancel, ok := c.lim.reserve(now, c.product, rt.method, rt.tmpl, rt.issue)
	if wait <= 0 && ok {
		return ctx.Err()
	}
	fail := func(why string) error {
		cancel()
		e := &RateLimitError{Method: rt.method, Path: rt.tmpl, RetryAfter: wait, Limit: -1, Remaining: -1, Attempts: attempt - 1, GaveUp: why, product: c.product}
		if until, reason := c.lim.paused(now, c.product); !until.IsZero() {
			e.Reason, e.Reset = reason, until
		}
		return e
	}
	switch {
	case !ok:
		return fail("the client's limiter allows no request")
	case wait > c.retry.MaxWait:
		return fail(fmt.Sprintf("the wait of %s exceeds the client's maximum wait of %s", roundDur(wait), c.retry.MaxWait))
	}
	if dl, has := ctx.Deadline(); has && dl.Sub(now) < wait {
		return fail(fmt.Sprintf("the wait of %s exceeds the request deadline", roundDur(wait)))
	}
	if err := c.clock.Sleep(ctx, wait); err != nil {
		cancel()
		return fmt.Errorf("%s: %w", c.prefix(rt), err)
	}
	return nil
}

// bodyBuffers hold response bodies while they are decoded; buffers that
// grew beyond maxPooledBody are left to the garbage collector.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledBody = 1 << 20

// decode reads a successful response into out.
func (c *core) decode(rt route, resp *http.Response, out any) error {
	defer drainClose(resp.Body)
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	// The body is read into a pooled buffer: decoding copies everything it
	// keeps (strings, RawMessage, IssueFields clones its input), so the
	// buffer is free again once out is filled. This was the largest
	// allocation of a tool call (io.ReadAll doubling up to the size).
	buf := bodyBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= maxPooledBody {
			bodyBuffers.Put(buf)
		}
	}()
	if n := resp.ContentLength; n > 0 && n <= maxResponseBody {
		buf.Grow(int(n) + 1)
	}
	_, err := buf.ReadFrom(io.LimitReader(resp.Body, maxResponseBody+1))
	if err != nil {
		return transportError(c.prefix(rt), err)
	}
	b := buf.Bytes()
	if len(b) > maxResponseBody {
		return &APIError{StatusCode: resp.StatusCode, Method: rt.method, Path: rt.tmpl, Message: "the response is larger than the client accepts", product: c.product}
	}
	if err := unmarshalJSON(b, out); err != nil {
		e := &APIError{
			StatusCode: resp.StatusCode, Method: rt.method, Path: rt.tmpl,
			Message:   "the response is not the expected JSON: " + jsonErrText(err),
			Excerpt:   excerpt(b),
			TraceID:   sanitizeHeader(resp.Header.Get("Atl-Traceid")),
			RequestID: sanitizeHeader(resp.Header.Get("Atl-Request-Id")),
			product:   c.product,
		}
		return e
	}
	return nil
}

// jsonErrText describes a decoding error without quoting the body.
func jsonErrText(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return "syntax error at byte " + strconv.FormatInt(se.Offset, 10)
	case errors.As(err, &te):
		return "field " + te.Field + " has type " + te.Value + ", want " + te.Type.String()
	}
	return "invalid JSON"
}

// drainClose reads a little of what is left of a body (so the connection
// can be reused) and closes it.
func drainClose(rc io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(rc, 4<<10))
	_ = rc.Close()
}

// transportError wraps a failed round trip without the URL (whose query
// may hold user data) but keeping the cause for errors.Is.
func transportError(prefix string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &TransportError{prefix: prefix, Err: err}
}

// retryableTransport reports whether a failed round trip is a network
// failure worth repeating (a reset or dropped connection, a timeout), as
// opposed to a refused redirect or an error of the caller's transport
// such as a failed token refresh, which would fail again.
func retryableTransport(err error) bool {
	if errors.Is(err, errRedirectRefused) {
		return false
	}
	// *url.Error is itself a net.Error: look at what it wraps.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}

// TransportError is a request that got no HTTP response: a refused or
// dropped connection, a timeout, a refused redirect. Its text holds the
// call's method and path template, never the URL's query.
type TransportError struct {
	prefix string
	// Err is the cause (net errors, io.EOF, …).
	Err error
}

// Error returns the call and the cause.
func (e *TransportError) Error() string {
	return e.prefix + ": " + strings.Join(strings.Fields(redact(e.Err.Error())), " ")
}

// Unwrap returns the cause.
func (e *TransportError) Unwrap() error { return e.Err }

// rateInfo is what a response says about rate limits.
type rateInfo struct {
	retryAfter    time.Duration
	hasRetryAfter bool
	reason        string
	limit         int
	remaining     int
	reset         time.Time
	near          bool
}

// maxRetryAfter caps a parsed Retry-After so arithmetic cannot overflow.
const maxRetryAfter = 100 * 365 * 24 * time.Hour

func readRateInfo(h http.Header, now time.Time) rateInfo {
	ri := rateInfo{
		reason:    sanitizeHeader(h.Get("RateLimit-Reason")),
		limit:     headerInt(h, "X-RateLimit-Limit"),
		remaining: headerInt(h, "X-RateLimit-Remaining"),
		near:      strings.EqualFold(strings.TrimSpace(h.Get("X-RateLimit-NearLimit")), "true"),
	}
	ri.retryAfter, ri.hasRetryAfter = parseRetryAfter(h.Get("Retry-After"), now)
	ri.reset = parseReset(h.Get("X-RateLimit-Reset"))
	return ri
}

func (ri rateInfo) toError(product string, rt route, status, attempts int, api *APIError) *RateLimitError {
	return &RateLimitError{
		StatusCode: status, Method: rt.method, Path: rt.tmpl,
		RetryAfter: ri.retryAfter, Reason: ri.reason,
		Limit: ri.limit, Remaining: ri.remaining, Reset: ri.reset, NearLimit: ri.near,
		Attempts: attempts, API: api, product: product,
	}
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date. Values too
// large to represent are capped (a huge Retry-After must not overflow);
// negative or malformed values are ignored.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if v[0] >= '0' && v[0] <= '9' {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			var ne *strconv.NumError
			if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
				return maxRetryAfter, true
			}
			if f, ferr := strconv.ParseFloat(v, 64); ferr == nil && f >= 0 {
				if f > maxRetryAfter.Seconds() {
					return maxRetryAfter, true
				}
				return time.Duration(f * float64(time.Second)), true
			}
			return 0, false
		}
		if n > uint64(maxRetryAfter/time.Second) {
			return maxRetryAfter, true
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d < 0 {
		d = 0
	}
	return min(d, maxRetryAfter), true
}

// parseReset reads X-RateLimit-Reset (ISO 8601; epoch seconds tolerated).
func parseReset(v string) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z0700", "2006-01-02T15:04:05Z0700"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t
		}
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 && n < 1<<40 {
		return time.Unix(n, 0)
	}
	return time.Time{}
}
