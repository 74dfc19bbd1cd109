package sandbox

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Request is one entry of the request log. It never holds a token: only
// whether an Authorization header was present, and the authorization
// server's secrets are redacted from logged bodies.
type Request struct {
	// Method and Path are the request's method and URL path.
	Method string
	Path   string
	// Query is the raw query string.
	Query string
	// Body is the request body, truncated to 4 KiB (secrets redacted on
	// /oauth/ paths).
	Body string
	// AuthPresent reports whether the request had an Authorization header.
	AuthPresent bool
	// Status is the response status (0 for a dropped connection).
	Status int
	// Time is when the request arrived, by the server's clock.
	Time time.Time
}

type requestLog struct {
	mu      sync.Mutex
	entries []Request
}

// maxLogEntries bounds the log so a long-running sandbox does not grow
// without limit; the oldest entries go first.
const maxLogEntries = 10000

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []Request {
	s.reqlog.mu.Lock()
	defer s.reqlog.mu.Unlock()
	return append([]Request(nil), s.reqlog.entries...)
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.reqlog.mu.Lock()
	s.reqlog.entries = nil
	s.reqlog.mu.Unlock()
}

func (l *requestLog) add(e Request) {
	l.mu.Lock()
	if len(l.entries) >= maxLogEntries {
		n := copy(l.entries, l.entries[len(l.entries)/10:])
		l.entries = l.entries[:n]
	}
	l.entries = append(l.entries, e)
	l.mu.Unlock()
}

// sensitiveParams are body parameters never logged.
var sensitiveParams = map[string]bool{
	"client_secret": true, "code": true, "refresh_token": true, "access_token": true,
	"code_verifier": true, "token": true, "password": true,
}

// redactBody removes secrets from an authorization-server request body.
func redactBody(contentType string, body []byte) string {
	t := bytes.TrimSpace(body)
	if len(t) == 0 {
		return ""
	}
	if strings.Contains(contentType, "json") || t[0] == '{' {
		var m map[string]any
		if json.Unmarshal(t, &m) != nil {
			return "[unparseable body redacted]"
		}
		for k := range m {
			if sensitiveParams[k] {
				m[k] = "REDACTED"
			}
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	vals, err := url.ParseQuery(string(t))
	if err != nil {
		return "[unparseable body redacted]"
	}
	for k := range vals {
		if sensitiveParams[k] {
			vals[k] = []string{"REDACTED"}
		}
	}
	return vals.Encode()
}

// statusWriter records the status written through it.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack hands the connection over (for dropped-connection faults).
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Flush flushes buffered data to the client.
func (w *statusWriter) Flush() { _ = http.NewResponseController(w.ResponseWriter).Flush() }

// readBodyForLog reads r's body (bounded), puts it back for the handler and
// returns what the log keeps.
func readBodyForLog(r *http.Request, keep int) string {
	if r.Body == nil || r.Body == http.NoBody {
		return ""
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	r.Body = io.NopCloser(bytes.NewReader(b))
	if err != nil {
		return ""
	}
	if strings.HasPrefix(r.URL.Path, "/oauth/") || strings.HasPrefix(r.URL.Path, "/authorize") {
		return truncate(redactBody(r.Header.Get("Content-Type"), b), keep)
	}
	return truncate(string(b), keep)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
