package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/internal/clocktest"
)

// newSbxClock is a fake clock tests advance by hand, at a fixed start.
func newSbxClock() *clocktest.Clock {
	return clocktest.New(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
}

// coreServer starts an empty-site sandbox with the given options and closes
// it when the test ends.
func coreServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	srv := NewServer(append([]Option{WithEmptySite()}, opts...)...)
	t.Cleanup(srv.Close)
	return srv
}

// probePaths are routes the core tests mount on a server to exercise the
// gateway wrapper independently of the product parts.
const (
	jiraProbe = "/rest/api/3/__coreprobe/{id}"
	confProbe = "/wiki/api/v2/__coreprobe/{id}"
)

// probeResult is what a probe route echoes.
type probeResult struct {
	ID        string   `json:"id"`
	AccountID string   `json:"accountId"`
	Scopes    []string `json:"scopes"`
	Body      string   `json:"body"`
}

// mountProbes mounts GET/POST probes on both products.
func mountProbes(srv *Server) {
	echo := func(w http.ResponseWriter, r *http.Request, c *caller) {
		b, _ := io.ReadAll(r.Body)
		writeJSON(w, http.StatusOK, probeResult{ID: r.PathValue("id"), AccountID: c.AccountID, Scopes: c.Scopes, Body: string(b)})
	}
	srv.api(Jira, "GET "+jiraProbe, []string{"read:jira-work"}, echo)
	srv.api(Jira, "POST "+jiraProbe, []string{"write:jira-work"}, echo)
	srv.api(Jira, "PUT "+jiraProbe, []string{"write:jira-work"}, echo)
	srv.api(Confluence, "GET "+confProbe, []string{"read:page:confluence"}, echo)
}

// probeURL returns the URL of a product probe with id.
func probeURL(srv *Server, p Product, id string) string {
	if p == Jira {
		return srv.JiraBaseURL() + strings.Replace(jiraProbe, "{id}", id, 1)
	}
	return srv.ConfluenceBaseURL() + strings.Replace(confProbe, "{id}", id, 1)
}

// httpResult is a response read fully.
type httpResult struct {
	Status int
	Header http.Header
	Body   string
}

func (h httpResult) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(h.Body), &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, h.Body)
	}
	return m
}

// noRedirect's timeout only keeps a hung request from hanging the test; it is
// not a speed check. 10 s was met once by a 5 MB page under -race at load 10.
var noRedirect = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       2 * time.Minute,
}

// do sends a request with an optional bearer token and body.
func do(t testing.TB, method, u, token, contentType, body string) httpResult {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return httpResult{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// postForm posts form values to the token endpoint.
func postForm(t testing.TB, srv *Server, path string, v url.Values) httpResult {
	t.Helper()
	return do(t, http.MethodPost, srv.URL+path, "", "application/x-www-form-urlencoded", v.Encode())
}

// refresh runs a refresh_token grant with the secret in a form body.
func refresh(t testing.TB, srv *Server, rt string) httpResult {
	t.Helper()
	return postForm(t, srv, "/oauth/token", url.Values{
		"grant_type": {"refresh_token"}, "client_id": {srv.ClientID},
		"client_secret": {srv.ClientSecret}, "refresh_token": {rt},
	})
}

// pairOf decodes a successful token response.
func pairOf(t testing.TB, h httpResult) (at, rt string) {
	t.Helper()
	if h.Status != http.StatusOK {
		t.Fatalf("token response %d: %s", h.Status, h.Body)
	}
	m := h.JSON(t)
	at, _ = m["access_token"].(string)
	rt, _ = m["refresh_token"].(string)
	if at == "" {
		t.Fatalf("no access_token in %s", h.Body)
	}
	return at, rt
}

// wantError checks a status and a JSON field's value.
func wantJSONError(t testing.TB, h httpResult, status int, field, value string) {
	t.Helper()
	if h.Status != status {
		t.Fatalf("status %d, want %d; body %s", h.Status, status, h.Body)
	}
	if got := h.JSON(t)[field]; got != value {
		t.Fatalf("%s = %v, want %q; body %s", field, got, value, h.Body)
	}
}
