package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// jClient drives the Jira API of a sandbox over real HTTP.
type jClient struct {
	t     testing.TB
	srv   *Server
	token string
}

// jiraFixedNow is the clock of the Jira tests: seed dates are relative to it.
var jiraFixedNow = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// newJiraTest starts a Jira-only demo site with a fixed clock and no rate
// limits, and returns a client with every scope.
func newJiraTest(t testing.TB, opts ...Option) *jClient {
	t.Helper()
	base := []Option{WithProducts(Jira), WithoutRateLimits(), WithClock(func() time.Time { return jiraFixedNow })}
	srv := NewServer(append(base, opts...)...)
	t.Cleanup(srv.Close)
	return &jClient{t: t, srv: srv, token: srv.IssueToken().AccessToken}
}

// jResp is a response read fully.
type jResp struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic value.
func (r jResp) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// List decodes the body into a JSON array.
func (r jResp) List(t testing.TB) []any {
	t.Helper()
	var l []any
	if err := json.Unmarshal(r.Body, &l); err != nil {
		t.Fatalf("body is not a JSON array: %v: %s", err, r.Body)
	}
	return l
}

// do sends method path (relative to /rest/api/3) with body: a string is
// sent verbatim, anything else JSON-encoded, nil sends no body.
func (c *jClient) do(method, path string, body any) jResp {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, c.srv.JiraBaseURL()+"/rest/api/3"+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return jResp{Status: res.StatusCode, Header: res.Header, Body: b}
}

// want fails the test unless r has status code.
func (r jResp) want(t testing.TB, code int) jResp {
	t.Helper()
	if r.Status != code {
		t.Fatalf("status %d, want %d: %s", r.Status, code, r.Body)
	}
	return r
}

// wantError checks an ErrorCollection: status, and that errorMessages
// holds msg (when msg != "") and errors[field] equals fieldMsg (when field != "").
func (r jResp) wantError(t testing.TB, code int, msg, field, fieldMsg string) {
	t.Helper()
	r.want(t, code)
	var ec struct {
		ErrorMessages []string          `json:"errorMessages"`
		Errors        map[string]string `json:"errors"`
	}
	if err := json.Unmarshal(r.Body, &ec); err != nil || ec.ErrorMessages == nil || ec.Errors == nil {
		t.Fatalf("not an ErrorCollection: %s", r.Body)
	}
	if msg != "" {
		found := false
		for _, m := range ec.ErrorMessages {
			found = found || m == msg
		}
		if !found {
			t.Fatalf("errorMessages %q lack %q", ec.ErrorMessages, msg)
		}
	}
	if field != "" && ec.Errors[field] != fieldMsg {
		t.Fatalf("errors[%s] = %q, want %q (all: %v)", field, ec.Errors[field], fieldMsg, ec.Errors)
	}
}

// adf is a one-paragraph ADF document for request bodies.
func adf(text string) map[string]any {
	return map[string]any{"type": "doc", "version": 1, "content": []any{
		map[string]any{"type": "paragraph", "content": []any{map[string]any{"type": "text", "text": text}}}}}
}

// path walks a decoded JSON value: jPath(m, "fields", "status", "name").
func jPath(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// issue fetches an issue with the given query string.
func (c *jClient) issue(key, query string) map[string]any {
	c.t.Helper()
	if query != "" {
		query = "?" + query
	}
	return c.do("GET", "/issue/"+key+query, nil).want(c.t, 200).JSON(c.t)
}
