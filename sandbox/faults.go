package sandbox

import (
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is a failure injected into matching requests (see InjectFault). A
// fault with a Status answers with it; one with DropConnection closes the
// connection without a response; Latency delays the request first (alone,
// it only slows the request down).
type Fault struct {
	// Method matches the request method; "" matches any.
	Method string
	// Path matches the request path: a prefix, or a path.Match glob when it
	// contains '*'. It is tried against the full path
	// ("/ex/jira/<cloudId>/rest/api/3/issue/ENG-1") and, for gateway API
	// requests, against the product-relative one ("/rest/api/3/issue/ENG-1",
	// "/wiki/api/v2/pages/123"). "" matches any path.
	Path string
	// Times is how many matching requests the fault acts on; 0 means every
	// one until ClearFaults.
	Times int
	// Status, when non-zero, is the response status.
	Status int
	// Body is the response body; empty means the product's error shape
	// with the status text.
	Body string
	// Header holds response headers. For a 429 with Retry-After and no
	// X-RateLimit-Reset, the sandbox adds the ISO 8601 reset time.
	Header http.Header
	// Latency is added before the request is handled.
	Latency time.Duration
	// DropConnection closes the connection without writing a response.
	DropConnection bool
}

// RateLimitFault returns a 429 fault shaped like Atlassian's: Retry-After
// (whole seconds), RateLimit-Reason (e.g. "jira-burst-based",
// "jira-quota-global-based", "jira-per-issue-on-write",
// "confluence-quota-tenant-based"), X-RateLimit-Limit/Remaining and the ISO
// 8601 X-RateLimit-Reset. Set Method, Path and Times on the result.
func RateLimitFault(reason string, retryAfter time.Duration) Fault {
	h := http.Header{}
	h.Set("Retry-After", strconv.Itoa(retryAfterSeconds(retryAfter)))
	h.Set("RateLimit-Reason", reason)
	h.Set("X-RateLimit-Limit", "100")
	h.Set("X-RateLimit-Remaining", "0")
	return Fault{Status: http.StatusTooManyRequests, Header: h}
}

// StatusFault returns a fault answering status (e.g. 500, 502, 503, 504)
// with the product's error shape. Set Method, Path and Times on the result.
func StatusFault(status int) Fault { return Fault{Status: status} }

type injectedFault struct {
	f    Fault
	left int // remaining uses; -1 = unlimited
}

type faultState struct {
	mu     sync.Mutex
	list   []*injectedFault
	served int
}

// InjectFault adds a fault. Faults apply to every request the sandbox
// serves (the authorization server included), in the order injected; the
// first live match acts.
func (s *Server) InjectFault(f Fault) {
	left := f.Times
	if left <= 0 {
		left = -1
	}
	s.faults.mu.Lock()
	s.faults.list = append(s.faults.list, &injectedFault{f: f, left: left})
	s.faults.mu.Unlock()
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	s.faults.list = nil
	s.faults.mu.Unlock()
}

// PendingFaults returns how many injected faults can still act.
func (s *Server) PendingFaults() int {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return len(s.faults.list)
}

// productOf splits a gateway path into its product and product-relative
// path ("/ex/jira/<id>/rest/api/3/x" → Jira, "/rest/api/3/x").
func productOf(p string) (Product, string, bool) {
	rest, ok := strings.CutPrefix(p, "/ex/")
	if !ok {
		return "", "", false
	}
	prod, rest, ok := strings.Cut(rest, "/")
	if !ok {
		return "", "", false
	}
	_, rel, ok := strings.Cut(rest, "/")
	if !ok {
		return Product(prod), "/", true
	}
	return Product(prod), "/" + rel, true
}

func (f *Fault) matches(r *http.Request) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
		return false
	}
	if f.Path == "" {
		return true
	}
	candidates := []string{r.URL.Path}
	if _, rel, ok := productOf(r.URL.Path); ok {
		candidates = append(candidates, rel)
	}
	for _, c := range candidates {
		if strings.Contains(f.Path, "*") {
			if ok, _ := path.Match(f.Path, c); ok {
				return true
			}
		} else if strings.HasPrefix(c, f.Path) {
			return true
		}
	}
	return false
}

// takeFault returns the fault that acts on r, consuming one use.
func (s *Server) takeFault(r *http.Request) (Fault, bool) {
	fs := &s.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, inj := range fs.list {
		if !inj.f.matches(r) {
			continue
		}
		if inj.left > 0 {
			inj.left--
			if inj.left == 0 {
				fs.list = append(fs.list[:i:i], fs.list[i+1:]...)
			}
		}
		fs.served++
		return inj.f, true
	}
	return Fault{}, false
}

// applyFault runs the fault matching r, if any, and reports whether it
// answered the request (status or dropped connection). beforeDrop runs just
// before a connection is dropped.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, beforeDrop func()) bool {
	f, ok := s.takeFault(r)
	if !ok {
		return false
	}
	if f.Latency > 0 {
		if !s.sleep(r, f.Latency) {
			return true
		}
	}
	if f.DropConnection {
		beforeDrop()
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
			return true
		}
		// Not hijackable (HTTP/2, a recorder): abort the handler, which
		// net/http turns into a reset stream or closed connection.
		panic(http.ErrAbortHandler)
	}
	if f.Status == 0 {
		return false
	}
	h := w.Header()
	for k, vs := range f.Header {
		h[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	if f.Status == http.StatusTooManyRequests && h.Get("Retry-After") != "" && h.Get("X-RateLimit-Reset") == "" {
		if secs, err := strconv.Atoi(h.Get("Retry-After")); err == nil {
			h.Set("X-RateLimit-Reset", s.now().Add(time.Duration(secs)*time.Second).UTC().Format(time.RFC3339))
		}
	}
	if f.Body != "" {
		if h.Get("Content-Type") == "" {
			h.Set("Content-Type", "application/json;charset=UTF-8")
		}
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(f.Body))
		return true
	}
	p, _, _ := productOf(r.URL.Path)
	if p != Jira && p != Confluence {
		p = ""
	}
	productError(w, r, p, f.Status, http.StatusText(f.Status))
	return true
}

// sleep waits d or until the request is cancelled, on the clock's sleep
// of WithSleep or a timer; false if cancelled.
func (s *Server) sleep(r *http.Request, d time.Duration) bool {
	if s.cfg.sleep != nil {
		return s.cfg.sleep(r.Context(), d) == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}
