package sandbox

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzJiraWrites sends arbitrary bodies and paths to the Jira write and
// search endpoints: the sandbox must answer every one with a status below
// 500 and a JSON body (or none), never a panic.
func FuzzJiraWrites(f *testing.F) {
	seeds := []struct {
		route uint8
		key   string
		body  string
	}{
		{0, "", `{"fields":{"project":{"key":"ENG"},"issuetype":{"name":"Bug"},"summary":"x","priority":{"name":"High"}}}`},
		{0, "", `{"fields":{"project":{"key":"ENG"},"issuetype":{"name":"Sub-task"},"summary":"x","parent":{"key":"ENG-2"}},"update":{"labels":[{"add":"a"}]}}`},
		{1, "ENG-4", `{"update":{"parent":[{"set":{"none":true}}],"labels":[{"remove":"x"}]}}`},
		{1, "ENG-3", `{"fields":{"customfield_10020":4,"customfield_10016":null,"description":{"type":"doc","version":1,"content":[]}}}`},
		{2, "ENG-3", `{"transition":{"id":"31"},"fields":{"resolution":{"name":"Done"}}}`},
		{3, "OPS-1", `{"body":{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"hi"}]}]}}`},
		{4, "OPS-1", `{"timeSpent":"1w 2d 3h 4m","started":"2026-11-19T09:30:00.000+0000"}`},
		{5, "", `{"type":{"name":"Blocks"},"inwardIssue":{"key":"ENG-1"},"outwardIssue":{"key":"ENG-2"}}`},
		{6, "MKT-2", `{"accountId":null}`},
		{7, "MKT-2", `"5b10ac8d82e05b22cc7d4ef5"`},
		{8, "", `{"jql":"project = ENG AND status = Done ORDER BY created","fields":["*all"],"expand":"names,changelog","maxResults":3}`},
		{8, "", `{"jql":"project = ENG","nextPageToken":"AAAA"}`},
		{9, "", `{"jql":"text ~ \"x\""}`},
		{1, "..%2f..", `[]`},
		{0, "", `{"fields":{"project":{"id":[1]},"issuetype":7,"summary":{"a":1}}}`},
	}
	for _, s := range seeds {
		f.Add(s.route, s.key, s.body)
	}
	srv := NewServer(WithProducts(Jira), WithoutRateLimits(), WithClock(func() time.Time { return jiraFixedNow }))
	defer srv.Close()
	token := srv.IssueToken().AccessToken
	routes := []struct{ method, path string }{
		{"POST", "/issue"}, {"PUT", "/issue/{k}"}, {"POST", "/issue/{k}/transitions"}, {"POST", "/issue/{k}/comment"},
		{"POST", "/issue/{k}/worklog"}, {"POST", "/issueLink"}, {"PUT", "/issue/{k}/assignee"}, {"POST", "/issue/{k}/watchers"},
		{"POST", "/search/jql"}, {"POST", "/search/approximate-count"},
	}
	h := srv.Handler()
	f.Fuzz(func(t *testing.T, route uint8, key, body string) {
		rt := routes[int(route)%len(routes)]
		if key == "" {
			key = "ENG-4"
		}
		req := httptest.NewRequest(rt.method, srv.JiraBaseURL()+"/rest/api/3"+strings.Replace(rt.path, "{k}", url.PathEscape(key), 1), strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s", rt.method, rt.path, body, rec.Code, rec.Body)
		}
		if b := rec.Body.Bytes(); len(b) > 0 && !json.Valid(b) {
			t.Fatalf("%s %s: invalid JSON %q", rt.method, rt.path, b)
		}
	})
}
