package atlassian

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Sentinel errors for errors.Is. An *APIError or *RateLimitError matches
// the sentinel of its status.
var (
	// ErrNotFound matches a 404 (Jira also answers 404 when the caller may
	// not see the resource).
	ErrNotFound = errors.New("atlassian: not found")
	// ErrUnauthorized matches a 401: the token is missing, expired,
	// revoked, or lacks a scope (see ErrScopeMismatch).
	ErrUnauthorized = errors.New("atlassian: unauthorized")
	// ErrScopeMismatch matches the gateway's 401 "scope does not match": the
	// token is valid but the app's scopes do not cover the endpoint. It
	// also matches ErrUnauthorized.
	ErrScopeMismatch = errors.New("atlassian: token scope does not match the endpoint")
	// ErrForbidden matches a 403.
	ErrForbidden = errors.New("atlassian: forbidden")
	// ErrGone matches a 410: the endpoint was removed (Jira /search,
	// Confluence v1 content on the OAuth gateway).
	ErrGone = errors.New("atlassian: endpoint gone")
	// ErrRateLimited matches every *RateLimitError.
	ErrRateLimited = errors.New("atlassian: rate limited")
)

// Size limits for response bodies.
const (
	maxErrorBody    = 64 << 10 // error bodies
	maxResponseBody = 64 << 20 // successful bodies (a 5,000-issue page is large)
	excerptLen      = 200
)

// APIError is an error response from Jira, Confluence or the gateway. It
// keeps Jira's errorMessages and errors map, Confluence v2's errors[] and
// v1's message, and the ids Atlassian support asks for. Its text never
// holds a query string, a header or a token.
type APIError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Method and Path identify the call; Path is the route template
	// ("/rest/api/3/issue/{issueIdOrKey}"), never the query.
	Method string
	Path   string
	// ErrorMessages are Jira's global messages (JQL errors, removed
	// endpoints), passed through verbatim.
	ErrorMessages []string
	// Errors are Jira's field-level messages keyed by field id.
	Errors map[string]string
	// ConfluenceErrors are Confluence v2's errors[] (and v1's data.errors).
	ConfluenceErrors []ConfluenceError
	// Message is Confluence v1's or the gateway's top-level message.
	Message string
	// TraceID and RequestID are the atl-traceid and atl-request-id
	// response headers.
	TraceID   string
	RequestID string
	// Excerpt is a short sanitised excerpt of a body that was not the
	// expected JSON.
	Excerpt string

	product string
}

// ConfluenceError is one entry of Confluence's errors[].
type ConfluenceError struct {
	Status string `json:"status,omitempty"`
	Code   string `json:"code,omitempty"`
	Title  string `json:"title,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// callPrefix is the "product: METHOD path: " that starts every message
// about one API call (either part left out when unknown).
func callPrefix(product, method, path string) string {
	var out string
	if product != "" {
		out = product + ": "
	}
	if method != "" {
		out += method + " " + path + ": "
	}
	return out
}

// Error renders the status, the call and every message Atlassian sent:
// "jira: GET path: 404 Not Found: messages: body \"excerpt\" (atl-traceid id)",
// leaving out the parts the response did not have.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(callPrefix(e.product, e.Method, e.Path))
	b.WriteString(strconv.Itoa(e.StatusCode))
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteByte(' ')
		b.WriteString(t)
	}
	if msgs := e.Messages(); len(msgs) > 0 {
		b.WriteString(": ")
		b.WriteString(strings.Join(msgs, "; "))
	}
	if e.Excerpt != "" {
		b.WriteString(": body ")
		b.WriteString(strconv.Quote(e.Excerpt))
	}
	if e.TraceID != "" {
		b.WriteString(" (atl-traceid ")
		b.WriteString(e.TraceID)
		b.WriteByte(')')
	}
	return b.String()
}

// Messages returns every human-readable message of the error in a stable
// order: Jira's errorMessages, Jira's field errors as "field: message"
// (sorted by field), Confluence's error titles, and the top-level message.
func (e *APIError) Messages() []string {
	var out []string
	out = append(out, e.ErrorMessages...)
	keys := make([]string, 0, len(e.Errors))
	for k := range e.Errors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, k+": "+e.Errors[k])
	}
	for _, ce := range e.ConfluenceErrors {
		switch {
		case ce.Title != "" && ce.Detail != "":
			out = append(out, ce.Title+": "+ce.Detail)
		case ce.Title != "":
			out = append(out, ce.Title)
		case ce.Detail != "":
			out = append(out, ce.Detail)
		case ce.Code != "":
			out = append(out, ce.Code)
		}
	}
	if e.Message != "" {
		out = append(out, e.Message)
	}
	return out
}

// ScopeMismatch reports whether the error is the gateway's 401 "scope does
// not match" (the token lacks a scope the endpoint needs).
func (e *APIError) ScopeMismatch() bool {
	if e.StatusCode != http.StatusUnauthorized {
		return false
	}
	for _, m := range e.Messages() {
		if strings.Contains(strings.ToLower(m), "scope does not match") {
			return true
		}
	}
	return strings.Contains(strings.ToLower(e.Excerpt), "scope does not match")
}

// Is matches the sentinel errors by status.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrScopeMismatch:
		return e.ScopeMismatch()
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrGone:
		return e.StatusCode == http.StatusGone
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	}
	return false
}

// RateLimitError is a request Atlassian (or the client's own limiter)
// refused for rate: a 429 after the retries ran out, or a wait the client
// gave up on because it was longer than the caller's deadline or the
// configured maximum. It matches ErrRateLimited.
type RateLimitError struct {
	// StatusCode is 429 (or 503 for an overloaded service that sent
	// Retry-After); 0 when the client's own limiter refused the wait.
	StatusCode int
	// Method and Path identify the call (Path is the route template).
	Method string
	Path   string
	// RetryAfter is how long Atlassian asked to wait (Retry-After), or the
	// wait the client computed.
	RetryAfter time.Duration
	// Reason is the RateLimit-Reason header (jira-burst-based,
	// jira-quota-global-based, jira-per-issue-on-write, …).
	Reason string
	// Limit and Remaining are X-RateLimit-Limit and X-RateLimit-Remaining;
	// -1 when absent.
	Limit     int
	Remaining int
	// Reset is X-RateLimit-Reset (ISO 8601), zero when absent.
	Reset time.Time
	// NearLimit is X-RateLimit-NearLimit.
	NearLimit bool
	// Attempts is how many requests were sent.
	Attempts int
	// GaveUp says why the client stopped waiting, e.g. "the wait exceeds
	// the request deadline"; empty when the retries ran out.
	GaveUp string
	// API is the error body of the last response, if any.
	API *APIError

	product string
}

// Error says what was limited, for how long, and why the client stopped.
func (e *RateLimitError) Error() string {
	var b strings.Builder
	b.WriteString(callPrefix(e.product, e.Method, e.Path))
	b.WriteString("rate limited")
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, " (%d", e.StatusCode)
		if e.Reason != "" {
			b.WriteString(", ")
			b.WriteString(e.Reason)
		}
		b.WriteByte(')')
	} else {
		b.WriteString(" by the client's limiter")
		if e.Reason != "" {
			b.WriteString(" (paused after ")
			b.WriteString(e.Reason)
			b.WriteByte(')')
		}
	}
	if e.RetryAfter > 0 {
		b.WriteString(": retry after ")
		b.WriteString(e.RetryAfter.Round(time.Millisecond).String())
	}
	if e.GaveUp != "" {
		b.WriteString("; gave up: ")
		b.WriteString(e.GaveUp)
	}
	if e.Attempts > 0 {
		fmt.Fprintf(&b, " (after %d attempt", e.Attempts)
		if e.Attempts != 1 {
			b.WriteByte('s')
		}
		b.WriteByte(')')
	}
	return b.String()
}

// Is matches ErrRateLimited.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// Unwrap returns the last response's *APIError, if any.
func (e *RateLimitError) Unwrap() error {
	if e.API == nil {
		return nil
	}
	return e.API
}

// errorBody is the union of the error shapes Atlassian sends.
type errorBody struct {
	ErrorMessages []string        `json:"errorMessages"`
	Errors        json.RawMessage `json:"errors"`
	Message       string          `json:"message"`
	ErrorMessage  string          `json:"errorMessage"` // the gateway's "Site temporarily unavailable"
	Data          *struct {
		Errors []json.RawMessage `json:"errors"`
	} `json:"data"`
	Error            json.RawMessage `json:"error"`
	ErrorDescription string          `json:"error_description"`
}

// newAPIError builds an *APIError from a response, reading at most
// maxErrorBody bytes of its body. It does not close the body.
func newAPIError(product, method, path string, resp *http.Response) *APIError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := &APIError{
		StatusCode: resp.StatusCode,
		Method:     method,
		Path:       path,
		TraceID:    sanitizeHeader(resp.Header.Get("Atl-Traceid")),
		RequestID:  sanitizeHeader(resp.Header.Get("Atl-Request-Id")),
		product:    product,
	}
	e.fill(body)
	return e
}

// fill parses body into e; a body that is not one of Atlassian's error
// shapes becomes a short excerpt.
func (e *APIError) fill(body []byte) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return
	}
	var eb errorBody
	if trimmed[0] != '{' || json.Unmarshal(trimmed, &eb) != nil {
		e.Excerpt = excerpt(trimmed)
		return
	}
	e.ErrorMessages = eb.ErrorMessages
	e.Message = eb.Message
	if e.Message == "" {
		e.Message = eb.ErrorMessage
	}
	if len(eb.Errors) > 0 {
		switch eb.Errors[0] {
		case '{':
			var m map[string]any
			if json.Unmarshal(eb.Errors, &m) == nil && len(m) > 0 {
				e.Errors = make(map[string]string, len(m))
				for k, v := range m {
					e.Errors[k] = stringify(v)
				}
			}
		case '[':
			var list []json.RawMessage
			if json.Unmarshal(eb.Errors, &list) == nil {
				for _, raw := range list {
					e.ConfluenceErrors = append(e.ConfluenceErrors, parseConfluenceError(raw))
				}
			}
		}
	}
	if eb.Data != nil {
		for _, raw := range eb.Data.Errors {
			e.ConfluenceErrors = append(e.ConfluenceErrors, parseConfluenceError(raw))
		}
	}
	if len(eb.Error) > 0 && e.Message == "" {
		// OAuth-style {"error":"invalid_grant","error_description":"…"}.
		var s string
		if json.Unmarshal(eb.Error, &s) == nil && s != "" {
			e.Message = s
			if eb.ErrorDescription != "" {
				e.Message += ": " + eb.ErrorDescription
			}
		}
	}
	if len(e.Messages()) == 0 && e.Errors == nil {
		e.Excerpt = excerpt(trimmed)
	}
}

// parseConfluenceError reads one errors[] entry: v2's
// {status,code,title,detail} or v1's {message:{translation|key}}.
func parseConfluenceError(raw json.RawMessage) ConfluenceError {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return ConfluenceError{Title: s}
		}
		return ConfluenceError{Title: excerpt(raw)}
	}
	ce := ConfluenceError{
		Status: stringify(m["status"]),
		Code:   stringify(m["code"]),
		Title:  stringify(m["title"]),
		Detail: stringify(m["detail"]),
	}
	if ce.Title == "" {
		switch msg := m["message"].(type) {
		case string:
			ce.Title = msg
		case map[string]any:
			ce.Title = stringify(msg["translation"])
			if ce.Title == "" {
				ce.Title = stringify(msg["key"])
			}
		}
	}
	return ce
}

// stringify renders a decoded JSON value as text ("" for null).
func stringify(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

var (
	bearerRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)(bearer|basic)\s+[A-Za-z0-9._~+/=-]+`) })
	tokenRe  = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)("?(?:access_token|refresh_token|client_secret|id_token|token)"?\s*[:=]\s*"?)[^"&,\s}]+`)
	})
)

// redact removes anything that looks like a credential from s.
func redact(s string) string {
	s = bearerRe().ReplaceAllString(s, "$1 [redacted]")
	return tokenRe().ReplaceAllString(s, "${1}[redacted]")
}

// excerpt returns a short, single-line, printable, redacted excerpt of b.
func excerpt(b []byte) string {
	var sb strings.Builder
	space := false
	for len(b) > 0 && sb.Len() < excerptLen {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		if r == utf8.RuneError && size <= 1 {
			r = '?'
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			if !space && sb.Len() > 0 {
				sb.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		sb.WriteRune(r)
	}
	out := strings.TrimSpace(sb.String())
	if len(b) > 0 {
		out += "…"
	}
	return redact(out)
}

// sanitizeHeader keeps a response header value fit for an error string:
// printable ASCII, at most 128 bytes.
func sanitizeHeader(v string) string {
	if len(v) > 128 {
		v = v[:128]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x21 || r > 0x7e {
			return -1
		}
		return r
	}, v)
}
