package sandbox

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// jBenchServer is a generated 10,000-issue site for the benchmarks.
func jBenchServer(b *testing.B) (*Server, string) {
	b.Helper()
	srv := NewServer(WithProducts(Jira), WithoutRateLimits(), WithClock(func() time.Time { return jiraFixedNow }),
		WithGeneratedSite(SiteSpec{Projects: 10, CustomFields: 50, Issues: 10000, Seed: 7}))
	b.Cleanup(srv.Close)
	return srv, srv.IssueToken().AccessToken
}

func benchHandler(b *testing.B, srv *Server, token, method, path, body string) {
	b.Helper()
	h := srv.Handler()
	url := srv.JiraBaseURL() + "/rest/api/3" + path
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var req *http.Request
		if body != "" {
			req = httptest.NewRequest(method, url, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
		} else {
			req = httptest.NewRequest(method, url, nil)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	}
}

// BenchmarkJiraGetIssue measures the server time of GET issue (all fields)
// on a 10,000-issue site.
func BenchmarkJiraGetIssue(b *testing.B) {
	srv, token := jBenchServer(b)
	benchHandler(b, srv, token, "GET", "/issue/ENG-42", "")
}

// BenchmarkJiraSearch25 measures a 25-issue JQL search with the tool's
// default fields over 10,000 issues.
func BenchmarkJiraSearch25(b *testing.B) {
	srv, token := jBenchServer(b)
	benchHandler(b, srv, token, "POST", "/search/jql",
		`{"jql":"project = ENG AND status != Done ORDER BY created DESC","maxResults":25,"fields":["summary","status","assignee","priority","issuetype","created","updated"]}`)
}

// BenchmarkJiraSearch25AllProjects is the same search without a project
// restriction (a scan of all 10,000 issues).
func BenchmarkJiraSearch25AllProjects(b *testing.B) {
	srv, token := jBenchServer(b)
	benchHandler(b, srv, token, "POST", "/search/jql",
		`{"jql":"status != Done AND priority in (High, Highest) ORDER BY updated DESC","maxResults":25,"fields":["summary","status","assignee","priority","issuetype","created","updated"]}`)
}

// BenchmarkJiraGenerate measures building a 10,000-issue site.
func BenchmarkJiraGenerate(b *testing.B) {
	for i := 0; i < b.N; i++ {
		s := &Server{}
		s.seedUsers()
		s.cfg.clock = func() time.Time { return jiraFixedNow }
		s.generateJira(SiteSpec{Projects: 10, CustomFields: 50, Issues: 10000, Seed: 7})
	}
}
