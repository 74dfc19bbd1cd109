package atlassian_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// fastRetry is the retry policy of the tests: the real schedule in
// milliseconds.
var fastRetry = atlassian.RetryPolicy{MaxAttempts: 4, BaseDelay: 5 * time.Millisecond, MaxDelay: 40 * time.Millisecond, Jitter: 0.3, MaxWait: 3 * time.Second}

// sandbox starts a sandbox site for one test.
func newSandbox(t testing.TB, opts ...sandbox.Option) *sandbox.Server {
	t.Helper()
	srv := sandbox.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// authClient returns an *http.Client carrying a token for scopes (all the
// app's scopes when none are given), the way the server builds it.
func authClient(t testing.TB, srv *sandbox.Server, scopes ...string) (*http.Client, string) {
	t.Helper()
	pair := srv.IssueToken(scopes...)
	hc := oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(pair.Token()))
	return hc, pair.AccessToken
}

// jiraClient returns a Jira client for srv with the test retry policy.
func jiraClient(t testing.TB, srv *sandbox.Server, opts ...atlassian.Option) *atlassian.JiraClient {
	t.Helper()
	hc, _ := authClient(t, srv)
	opts = append([]atlassian.Option{atlassian.WithRetryPolicy(fastRetry)}, opts...)
	j, err := atlassian.NewJiraClient(atlassian.JiraBaseURL(srv.URL, srv.CloudID), hc, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// confClient returns a Confluence client for srv with the test retry
// policy.
func confClient(t testing.TB, srv *sandbox.Server, opts ...atlassian.Option) *atlassian.ConfluenceClient {
	t.Helper()
	hc, _ := authClient(t, srv)
	opts = append([]atlassian.Option{atlassian.WithRetryPolicy(fastRetry)}, opts...)
	c, err := atlassian.NewConfluenceClient(atlassian.ConfluenceBaseURL(srv.URL, srv.CloudID), hc, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// requestsTo returns the sandbox's logged requests whose path ends with
// suffix (and whose method is method, when set).
func requestsTo(srv *sandbox.Server, method, suffix string) []sandbox.Request {
	var out []sandbox.Request
	for _, r := range srv.Requests() {
		if (method == "" || r.Method == method) && strings.HasSuffix(r.Path, suffix) {
			out = append(out, r)
		}
	}
	return out
}

// count429 returns how many logged requests the sandbox answered 429.
func count429(srv *sandbox.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Status == http.StatusTooManyRequests {
			n++
		}
	}
	return n
}

// ctxTimeout returns a context that ends after d.
func ctxTimeout(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
