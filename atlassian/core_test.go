package atlassian_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/internal/clocktest"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

func TestAccessibleResourcesAndMe(t *testing.T) {
	srv := newSandbox(t)
	ctx := context.Background()
	tests := []struct {
		name         string
		scopes       []string
		wantProducts []atlassian.Product
	}{
		{"both products", []string{"read:me", "read:jira-work", "write:jira-work", "search:confluence", "read:page:confluence"}, []atlassian.Product{atlassian.ProductConfluence, atlassian.ProductJira}},
		{"jira only", []string{"read:jira-work", "read:jira-user"}, []atlassian.Product{atlassian.ProductJira}},
		{"confluence only", []string{"read:page:confluence", "search:confluence"}, []atlassian.Product{atlassian.ProductConfluence}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hc, _ := authClient(t, srv, tt.scopes...)
			res, err := atlassian.AccessibleResources(ctx, hc, srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != 1 {
				t.Fatalf("got %d resources, want one per cloud id: %+v", len(res), res)
			}
			r := res[0]
			if r.ID != srv.CloudID || r.Name != srv.SiteName || r.URL != srv.SiteURL {
				t.Errorf("resource = %+v", r)
			}
			if got, want := join(r.Products), join(tt.wantProducts); got != want {
				t.Errorf("products = %s, want %s", got, want)
			}
		})
	}
	t.Run("no product scopes", func(t *testing.T) {
		hc, _ := authClient(t, srv, "read:me")
		res, err := atlassian.AccessibleResources(ctx, hc, srv.URL)
		if err != nil || len(res) != 0 {
			t.Fatalf("got %+v, %v; want no resources", res, err)
		}
	})
	t.Run("me", func(t *testing.T) {
		hc, _ := authClient(t, srv, "read:me")
		me, err := atlassian.Me(ctx, hc, srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		admin := srv.Admin()
		if me.AccountID != admin.AccountID || me.Name != admin.DisplayName || me.Email != admin.Email || me.AccountStatus != "active" {
			t.Errorf("me = %+v, want the admin %+v", me, admin)
		}
	})
	t.Run("me without read:me", func(t *testing.T) {
		hc, _ := authClient(t, srv, "read:jira-work")
		_, err := atlassian.Me(ctx, hc, srv.URL)
		if !errors.Is(err, atlassian.ErrScopeMismatch) || !errors.Is(err, atlassian.ErrUnauthorized) {
			t.Fatalf("err = %v, want a scope mismatch", err)
		}
	})
	t.Run("no token", func(t *testing.T) {
		_, err := atlassian.Me(ctx, http.DefaultClient, srv.URL)
		var ae *atlassian.APIError
		if !errors.As(err, &ae) || ae.StatusCode != 401 || errors.Is(err, atlassian.ErrScopeMismatch) || ae.TraceID == "" {
			t.Fatalf("err = %#v, want a plain 401 with a trace id", err)
		}
	})
}

func join[T ~string](v []T) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = string(x)
	}
	return strings.Join(s, ",")
}

// header builds an http.Header from pairs.
func header(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// TestRetryMatrix drives each retry rule through the sandbox's fault
// injection and counts the requests that reached it.
func TestRetryMatrix(t *testing.T) {
	const mePath, createPath = "/me", "/rest/api/3/issue"
	type result struct {
		err    error
		sleeps []time.Duration // the client's waits, from its fake clock
	}
	get := func(t *testing.T, srv *sandbox.Server, hc *http.Client, ctx context.Context, clock atlassian.Clock) error {
		_, err := atlassian.Me(ctx, hc, srv.URL, atlassian.WithRetryPolicy(fastRetry), atlassian.WithClock(clock))
		return err
	}
	post := func(t *testing.T, srv *sandbox.Server, hc *http.Client, ctx context.Context, clock atlassian.Clock) error {
		j, err := atlassian.NewJiraClient(atlassian.JiraBaseURL(srv.URL, srv.CloudID), hc, atlassian.WithRetryPolicy(fastRetry), atlassian.WithClock(clock))
		if err != nil {
			t.Fatal(err)
		}
		_, err = j.Issues.Create(ctx, &atlassian.IssueRequest{Fields: map[string]any{
			"project": map[string]string{"key": "ENG"}, "issuetype": map[string]string{"name": "Task"}, "summary": "retry matrix",
		}})
		return err
	}
	// postReached accepts whatever the create handler answered once the
	// faults ran out: success, or a product error that is not a fault.
	postReached := func(t *testing.T, r result) {
		var ae *atlassian.APIError
		var rl *atlassian.RateLimitError
		if r.err != nil && (errors.As(r.err, &rl) || !errors.As(r.err, &ae) || ae.StatusCode >= 500) {
			t.Errorf("err = %v, want the create handler's answer", r.err)
		}
	}
	ok := func(t *testing.T, r result) {
		if r.err != nil {
			t.Errorf("err = %v, want success", r.err)
		}
	}
	apiStatus := func(status int) func(*testing.T, result) {
		return func(t *testing.T, r result) {
			var ae *atlassian.APIError
			var rl *atlassian.RateLimitError
			if !errors.As(r.err, &ae) || ae.StatusCode != status || errors.As(r.err, &rl) {
				t.Errorf("err = %v, want *APIError %d", r.err, status)
			}
		}
	}
	transport := func(t *testing.T, r result) {
		var te *atlassian.TransportError
		if !errors.As(r.err, &te) {
			t.Errorf("err = %#v, want *TransportError", r.err)
		}
	}
	rateLimited := func(gaveUp string, attempts int) func(*testing.T, result) {
		return func(t *testing.T, r result) {
			var rl *atlassian.RateLimitError
			if !errors.As(r.err, &rl) || !errors.Is(r.err, atlassian.ErrRateLimited) {
				t.Fatalf("err = %v, want *RateLimitError", r.err)
			}
			if !strings.Contains(rl.GaveUp, gaveUp) || rl.Attempts != attempts {
				t.Errorf("GaveUp = %q attempts = %d; want %q, %d (%v)", rl.GaveUp, rl.Attempts, gaveUp, attempts, r.err)
			}
		}
	}
	tests := []struct {
		name     string
		faults   []sandbox.Fault
		call     func(*testing.T, *sandbox.Server, *http.Client, context.Context, atlassian.Clock) error
		path     string
		timeout  time.Duration // client timeout
		deadline time.Duration // context deadline
		requests int
		// backoffs is how many backoff steps the client waits, each in
		// fastRetry's schedule; sleeps, when set, are its waits exactly.
		backoffs  int
		sleeps    []time.Duration
		check     func(*testing.T, result)
		postCheck bool
	}{
		{
			name:   "GET 429 Retry-After 0 twice: retried with backoff, no spin",
			faults: []sandbox.Fault{{Path: mePath, Times: 2, Status: 429, Header: header("Retry-After", "0", "RateLimit-Reason", "jira-burst-based")}},
			call:   get, path: mePath, requests: 3, backoffs: 2, check: ok,
		},
		{
			name:   "GET 429 Retry-After 0 forever: exactly 4 attempts",
			faults: []sandbox.Fault{{Path: mePath, Status: 429, Header: header("Retry-After", "0", "RateLimit-Reason", "jira-burst-based")}},
			call:   get, path: mePath, requests: 4, backoffs: 3, check: rateLimited("", 4),
		},
		{
			name:   "GET 429 Retry-After 1: waits the second",
			faults: []sandbox.Fault{withPath(sandbox.RateLimitFault("jira-burst-based", time.Second), "", mePath, 1)},
			call:   get, path: mePath, requests: 2, sleeps: []time.Duration{time.Second}, check: ok,
		},
		{
			name:   "GET 429 huge Retry-After: gives up at once",
			faults: []sandbox.Fault{{Path: mePath, Status: 429, Header: header("Retry-After", "99999999999999999999999", "RateLimit-Reason", "jira-burst-based")}},
			call:   get, path: mePath, requests: 1, check: rateLimited("maximum wait", 1),
		},
		{
			name:   "GET 429 beyond the deadline: gives up at once",
			faults: []sandbox.Fault{withPath(sandbox.RateLimitFault("jira-burst-based", 2*time.Second), "", mePath, 0)},
			call:   get, path: mePath, deadline: time.Second, requests: 1, check: rateLimited("deadline", 1),
		},
		{
			name:   "GET 503 twice: retried",
			faults: []sandbox.Fault{{Path: mePath, Times: 2, Status: 503}},
			call:   get, path: mePath, requests: 3, backoffs: 2, check: ok,
		},
		{
			name:   "GET 503 forever: APIError after 4 attempts",
			faults: []sandbox.Fault{{Path: mePath, Status: 503}},
			call:   get, path: mePath, requests: 4, backoffs: 3, check: apiStatus(503),
		},
		{
			name:   "GET 502 and 504: retried",
			faults: []sandbox.Fault{{Path: mePath, Times: 1, Status: 502}, {Path: mePath, Times: 1, Status: 504}},
			call:   get, path: mePath, requests: 3, backoffs: 2, check: ok,
		},
		{
			name:   "GET 500: not retried",
			faults: []sandbox.Fault{{Path: mePath, Status: 500}},
			call:   get, path: mePath, requests: 1, check: apiStatus(500),
		},
		{
			name:   "GET dropped connection: retried",
			faults: []sandbox.Fault{{Path: mePath, Times: 1, DropConnection: true}},
			call:   get, path: mePath, requests: 2, backoffs: 1, check: ok,
		},
		{
			name:   "GET client timeout: retried",
			faults: []sandbox.Fault{{Path: mePath, Times: 1, Latency: time.Second}},
			call:   get, path: mePath, timeout: 300 * time.Millisecond, requests: 2, backoffs: 1, check: ok,
		},
		{
			name:   "POST 500: not retried",
			faults: []sandbox.Fault{{Method: "POST", Path: createPath, Status: 500}},
			call:   post, path: createPath, requests: 1, check: apiStatus(500),
		},
		{
			name:   "POST 502: not retried",
			faults: []sandbox.Fault{{Method: "POST", Path: createPath, Status: 502}},
			call:   post, path: createPath, requests: 1, check: apiStatus(502),
		},
		{
			name:   "POST 503 without Retry-After: not retried",
			faults: []sandbox.Fault{{Method: "POST", Path: createPath, Status: 503}},
			call:   post, path: createPath, requests: 1, check: apiStatus(503),
		},
		{
			name:   "POST 503 with Retry-After: retried",
			faults: []sandbox.Fault{{Method: "POST", Path: createPath, Times: 1, Status: 503, Header: header("Retry-After", "0")}},
			call:   post, path: createPath, requests: 2, backoffs: 1, check: postReached,
		},
		{
			name:   "POST 429: retried",
			faults: []sandbox.Fault{{Method: "POST", Path: createPath, Times: 1, Status: 429, Header: header("Retry-After", "0", "RateLimit-Reason", "jira-burst-based")}},
			call:   post, path: createPath, requests: 2, backoffs: 1, check: postReached,
		},
		{
			name:   "POST dropped connection: never retried",
			faults: []sandbox.Fault{{Method: "POST", Path: createPath, Times: 1, DropConnection: true}},
			call:   post, path: createPath, requests: 1, check: transport,
		},
		{
			name:   "POST client timeout: never retried",
			faults: []sandbox.Fault{{Method: "POST", Path: createPath, Times: 1, Latency: time.Second}},
			call:   post, path: createPath, timeout: 300 * time.Millisecond, requests: 1, check: transport,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newSandbox(t)
			hc, _ := authClient(t, srv)
			if tt.timeout > 0 {
				hc.Timeout = tt.timeout
			}
			for _, f := range tt.faults {
				srv.InjectFault(f)
			}
			ctx := context.Background()
			if tt.deadline > 0 {
				ctx = ctxTimeout(t, tt.deadline)
			}
			// The client's clock starts at the wall clock's time so that
			// the context's deadline means what it says.
			clock := clocktest.New(time.Now())
			err := tt.call(t, srv, hc, ctx, clock)
			r := result{err: err, sleeps: clock.Sleeps()}
			tt.check(t, r)
			if got := settledCount(srv, tt.path, tt.requests); got != tt.requests {
				t.Errorf("%d requests reached the sandbox, want %d", got, tt.requests)
			}
			if tt.sleeps != nil {
				if !slices.Equal(r.sleeps, tt.sleeps) {
					t.Errorf("the client waited %v, want %v", r.sleeps, tt.sleeps)
				}
			} else if err := checkBackoffs(r.sleeps, tt.backoffs, fastRetry); err != nil {
				t.Error(err)
			}
			if err != nil && strings.Contains(err.Error(), "Bearer") {
				t.Errorf("error mentions the auth header: %v", err)
			}
		})
	}
}

// checkBackoffs reports whether sleeps are the first n steps of p's
// backoff schedule: step i is BaseDelay·2^i (capped at MaxDelay) times a
// jitter in [1-Jitter, 1+Jitter], and never more than MaxDelay.
func checkBackoffs(sleeps []time.Duration, n int, p atlassian.RetryPolicy) error {
	if len(sleeps) != n {
		return fmt.Errorf("the client waited %v, want %d backoff steps", sleeps, n)
	}
	step := p.BaseDelay
	for i, d := range sleeps {
		lo := time.Duration(float64(step) * (1 - p.Jitter))
		hi := min(time.Duration(float64(step)*(1+p.Jitter))+1, p.MaxDelay)
		if d < lo || d > hi {
			return fmt.Errorf("wait %d is %v, want within [%v, %v] (all: %v)", i+1, d, lo, hi, sleeps)
		}
		step = min(2*step, p.MaxDelay)
	}
	return nil
}

// settledCount waits for the sandbox to log at least want requests to
// path (a handler whose client went away logs when it notices), then a
// little longer for any extra one, and returns the count.
func settledCount(srv *sandbox.Server, path string, want int) int {
	deadline := time.Now().Add(2 * time.Second)
	for len(requestsTo(srv, "", path)) < want && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	return len(requestsTo(srv, "", path))
}

// withPath sets a fault's method, path and count.
func withPath(f sandbox.Fault, method, path string, times int) sandbox.Fault {
	f.Method, f.Path, f.Times = method, path, times
	return f
}

// TestCancelStopsRetryAtOnce: a context cancelled while the client waits
// to retry ends the call with the cancellation, without another request.
func TestCancelStopsRetryAtOnce(t *testing.T) {
	srv := newSandbox(t)
	hc, _ := authClient(t, srv)
	srv.InjectFault(withPath(sandbox.RateLimitFault("jira-burst-based", 2*time.Second), "", "/me", 0))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := clocktest.New(time.Now())
	clock.OnSleep(func(time.Duration) { cancel() })
	_, err := atlassian.Me(ctx, hc, srv.URL, atlassian.WithRetryPolicy(fastRetry), atlassian.WithClock(clock))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if got := clock.Sleeps(); !slices.Equal(got, []time.Duration{2 * time.Second}) {
		t.Errorf("the client waited %v, want one wait of the 2s Retry-After", got)
	}
	if n := len(requestsTo(srv, "", "/me")); n != 1 {
		t.Errorf("%d requests after the cancel, want only the first", n)
	}
}

// TestSystemClockSleep: the wall clock's Sleep ends when the context does
// (a wait of an hour would time the test out otherwise), and a wait of
// zero or less returns at once.
func TestSystemClockSleep(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := atlassian.SystemClock.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep on a cancelled context = %v, want context.Canceled", err)
	}
	if err := atlassian.SystemClock.Sleep(context.Background(), 0); err != nil {
		t.Errorf("Sleep(0) = %v", err)
	}
	if err := atlassian.SystemClock.Sleep(context.Background(), time.Nanosecond); err != nil {
		t.Errorf("Sleep(1ns) = %v", err)
	}
}

// TestQuotaPausesEveryRequest checks that a quota 429 stops every request
// sharing the limiter until the quota resets, not just the one refused.
func TestQuotaPausesEveryRequest(t *testing.T) {
	// One fake clock for the sandbox and the client, on a whole second
	// (the reset header has second precision) and near the wall clock
	// (the token's expiry is checked against it).
	clock := clocktest.New(time.Now().Truncate(time.Second))
	srv := newSandbox(t, sandbox.WithClock(clock.Now))
	hc, _ := authClient(t, srv)
	lim := atlassian.NewLimiter(atlassian.RateLimits{})
	srv.InjectFault(withPath(sandbox.RateLimitFault("jira-quota-global-based", time.Second), "", "/me", 1))
	retrying := make(chan struct{})
	var once sync.Once
	opts := []atlassian.Option{atlassian.WithRetryPolicy(fastRetry), atlassian.WithLimiter(lim), atlassian.WithClock(clock),
		atlassian.WithRetryHook(func(string, int) { once.Do(func() { close(retrying) }) })}
	var wg sync.WaitGroup
	wg.Add(1)
	var meErr error
	go func() {
		defer wg.Done()
		_, meErr = atlassian.Me(context.Background(), hc, srv.URL, opts...)
	}()
	// Wait until the client has seen the 429 (the pause is set before
	// the retry is announced), then ask for something else.
	<-retrying
	if st := lim.State(); st.PausedUntil.IsZero() {
		t.Fatalf("limiter not paused after a quota 429: %+v", st)
	}
	if _, err := atlassian.AccessibleResources(context.Background(), hc, srv.URL, opts...); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if meErr != nil {
		t.Fatal(meErr)
	}
	first := requestsTo(srv, "", "/me")[0]
	other := requestsTo(srv, "", "/accessible-resources")[0]
	if gap := other.Time.Sub(first.Time); gap < time.Second {
		t.Errorf("another request went out %v after the quota 429; want it paused until the reset 1s later", gap)
	}
}

func TestInvalidIDsNeverSent(t *testing.T) {
	srv := newSandbox(t)
	j := jiraClient(t, srv)
	c := confClient(t, srv)
	ctx := context.Background()
	bad := []string{"", "../ENG-1", "ENG-1/../../x", "ENG-1?fields=*all", "ENG-1#x", "ENG%2f1", "ENG 1", "ENG-1\n", "ENG-1\x00"}
	for _, id := range bad {
		t.Run(id, func(t *testing.T) {
			calls := map[string]error{}
			_, calls["Issues.Get"] = j.Issues.Get(ctx, id, nil)
			calls["Issues.Edit"] = j.Issues.Edit(ctx, id, &atlassian.IssueRequest{Fields: map[string]any{"summary": "x"}}, nil)
			_, calls["Issues.Transitions"] = j.Issues.Transitions(ctx, id, nil)
			calls["Issues.Assign"] = j.Issues.Assign(ctx, "ENG-1", id)
			calls["Issues.AddWatcher"] = j.Issues.AddWatcher(ctx, id, "abc")
			_, calls["Meta.ProjectStatuses"] = j.Meta.ProjectStatuses(ctx, id)
			_, calls["Meta.CreateMetaFields"] = j.Meta.CreateMetaFields(ctx, "ENG", id)
			_, calls["Pages.Get"] = c.Pages.Get(ctx, id, nil)
			_, calls["Pages.Ancestors"] = c.Pages.Ancestors(ctx, id)
			_, calls["Pages.GetMany"] = c.Pages.GetMany(ctx, []string{"1", id}, "")
			_, calls["Spaces.ByKeys"] = c.Spaces.ByKeys(ctx, []string{id})
			_, calls["Labels.Add"] = c.Labels.Add(ctx, id, []atlassian.LabelCreate{{Name: "x"}})
			for name, err := range calls {
				if !errors.Is(err, atlassian.ErrInvalidID) {
					t.Errorf("%s(%q) = %v, want ErrInvalidID", name, id, err)
				}
			}
		})
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests reached the sandbox; invalid ids must be refused before sending", n)
	}
}

func TestUnexpectedBodies(t *testing.T) {
	srv := newSandbox(t)
	j := jiraClient(t, srv)
	ctx := context.Background()
	tests := []struct {
		name, body string
		status     int
		want       string
	}{
		{"html on 200", "<html><body>Maintenance\r\n</body></html>", 200, "not the expected JSON"},
		{"wrong JSON shape on 200", `{"issueLinkTypes":"nope"}`, 200, "not the expected JSON"},
		{"truncated JSON on 200", `{"issueLinkTypes":[{"id":"1"`, 200, "not the expected JSON"},
		{"html on 500", "<html>Internal error</html>", 500, `body "<html>Internal error</html>"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.ClearFaults()
			srv.InjectFault(sandbox.Fault{Path: "/rest/api/3/issueLinkType", Status: tt.status, Body: tt.body, Header: header("Content-Type", "text/html")})
			_, err := j.Meta.LinkTypes(ctx)
			var ae *atlassian.APIError
			if !errors.As(err, &ae) || ae.StatusCode != tt.status || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want *APIError %d containing %q", err, tt.status, tt.want)
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("error text is not one line: %q", err.Error())
			}
		})
	}
}

func TestNextLinkRefused(t *testing.T) {
	srv := newSandbox(t)
	c := confClient(t, srv)
	ctx := context.Background()
	for _, next := range []string{
		"https://evil.example/wiki/api/v2/spaces?cursor=abc",
		srv.SiteURL + "/wiki/api/v2/spaces?cursor=abc",
		"/wiki/api/v2/pages?cursor=abc",
		"/wiki/api/v2/spaces/../../../me?cursor=abc",
	} {
		t.Run(next, func(t *testing.T) {
			srv.ClearFaults()
			srv.ResetRequests()
			body, _ := json.Marshal(map[string]any{"results": []any{}, "_links": map[string]string{"next": next}})
			srv.InjectFault(sandbox.Fault{Path: "/wiki/api/v2/spaces", Times: 1, Status: 200, Body: string(body)})
			_, err := c.Spaces.List(ctx, nil)
			if !errors.Is(err, atlassian.ErrUnsafeNextLink) {
				t.Fatalf("err = %v, want ErrUnsafeNextLink", err)
			}
			if n := len(srv.Requests()); n != 1 {
				t.Errorf("%d requests; the next link must not be followed", n)
			}
		})
	}
}

// TestRedirectToOtherHostRefused checks that the token never follows a
// redirect off the configured host (oauth2.Transport would add it to the
// redirected request). The redirecting gateway is a plain httptest server:
// the sandbox has no reason to redirect.
func TestRedirectToOtherHostRefused(t *testing.T) {
	var leaked sync.Map
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Store("auth", r.Header.Get("Authorization"))
		w.WriteHeader(200)
	}))
	defer other.Close()
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusFound)
	}))
	defer gw.Close()
	hc := oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "secret-token-xyz"}))
	_, err := atlassian.Me(context.Background(), hc, gw.URL, atlassian.WithRetryPolicy(fastRetry))
	if err == nil {
		t.Fatal("redirect to another host was followed")
	}
	if _, ok := leaked.Load("auth"); ok {
		t.Fatal("the other host received a request")
	}
	if strings.Contains(err.Error(), "secret-token-xyz") {
		t.Errorf("error leaks the token: %v", err)
	}
}

// TestDebugLogNeverHoldsToken runs successful, failing and retried calls
// with debug logging and checks each is logged without the token.
func TestDebugLogNeverHoldsToken(t *testing.T) {
	srv := newSandbox(t)
	hc, token := authClient(t, srv)
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	j, err := atlassian.NewJiraClient(atlassian.JiraBaseURL(srv.URL, srv.CloudID), hc, atlassian.WithLogger(logger), atlassian.WithRetryPolicy(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	srv.InjectFault(sandbox.Fault{Path: "/rest/api/3/issue/ENG-1", Times: 1, Status: 503})
	_, _ = j.Issues.Get(ctx, "ENG-1", &atlassian.IssueGetOptions{Fields: []string{"summary"}})
	_, _ = j.Issues.Get(ctx, "NOPE-999", nil)
	_, _ = atlassian.Me(ctx, hc, srv.URL, atlassian.WithLogger(logger))
	out := buf.String()
	if strings.Contains(out, token) || strings.Contains(out, "Bearer") || strings.Contains(strings.ToLower(out), "authorization") {
		t.Fatalf("log holds credentials:\n%s", out)
	}
	var entries, retries []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("bad log line %q: %v", line, err)
		}
		switch m["msg"] {
		case "atlassian request":
			entries = append(entries, m)
		case "atlassian retry":
			retries = append(retries, m)
		}
	}
	if len(entries) != 3 || len(retries) != 1 {
		t.Fatalf("%d request and %d retry entries, want 3 and 1:\n%s", len(entries), len(retries), out)
	}
	if r := retries[0]; r["status"] != float64(503) || r["attempt"] != float64(1) || r["path"] != "/rest/api/3/issue/{issueIdOrKey}" {
		t.Errorf("retry entry = %v", r)
	}
	first := entries[0]
	if first["method"] != "GET" || first["path"] != "/rest/api/3/issue/{issueIdOrKey}" || first["retries"] != float64(1) || first["level"] != "DEBUG" {
		t.Errorf("first entry = %v", first)
	}
	if _, ok := first["duration"]; !ok {
		t.Errorf("no duration in %v", first)
	}
	if second := entries[1]; second["status"] != float64(404) || second["error"] != "api_error" || second["atl_traceid"] == "" || second["atl_traceid"] == nil {
		t.Errorf("error entry = %v", second)
	}
	if strings.Contains(out, "NOPE-999") || strings.Contains(out, "fields=") {
		t.Errorf("log holds identifiers or queries; want path templates only:\n%s", out)
	}
}

// failingSource is a token source that always fails, like a refresh with
// a revoked grant.
type failingSource struct{ calls *int }

func (f failingSource) Token() (*oauth2.Token, error) {
	*f.calls++
	return nil, errors.New("oauth2: invalid_grant")
}

// TestTokenFailureNotRetried: a GET whose transport cannot get a token
// fails once; retrying would only repeat the failed refresh.
func TestTokenFailureNotRetried(t *testing.T) {
	srv := newSandbox(t)
	calls := 0
	hc := oauth2.NewClient(context.Background(), failingSource{&calls})
	_, err := atlassian.Me(context.Background(), hc, srv.URL, atlassian.WithRetryPolicy(fastRetry))
	var te *atlassian.TransportError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("err = %v", err)
	}
	if calls != 1 || len(srv.Requests()) != 0 {
		t.Errorf("token source called %d times, %d requests sent; want 1 and 0", calls, len(srv.Requests()))
	}
}

// TestQuotaBeyondMaxWaitFailsFast: a quota that resets in an hour fails
// the call at once, and later calls sharing the limiter fail locally
// without spending requests Atlassian would refuse anyway.
func TestQuotaBeyondMaxWaitFailsFast(t *testing.T) {
	clock := clocktest.New(time.Now().Truncate(time.Second))
	srv := newSandbox(t, sandbox.WithClock(clock.Now))
	hc, _ := authClient(t, srv)
	lim := atlassian.NewLimiter(atlassian.RateLimits{})
	opts := []atlassian.Option{atlassian.WithRetryPolicy(fastRetry), atlassian.WithLimiter(lim), atlassian.WithClock(clock)}
	srv.InjectFault(withPath(sandbox.RateLimitFault("jira-quota-global-based", time.Hour), "", "/me", 1))
	_, err := atlassian.Me(context.Background(), hc, srv.URL, opts...)
	var rl *atlassian.RateLimitError
	if !errors.As(err, &rl) || rl.StatusCode != 429 || rl.Reason != "jira-quota-global-based" || !strings.Contains(rl.GaveUp, "maximum wait") {
		t.Fatalf("first call: %v", err)
	}
	_, err = atlassian.AccessibleResources(context.Background(), hc, srv.URL, opts...)
	if !errors.As(err, &rl) || rl.StatusCode != 0 || rl.Reason != "jira-quota-global-based" || !rl.Reset.Equal(clock.Now().Add(time.Hour)) {
		t.Fatalf("second call: %#v", err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests reached the sandbox, want only the first", n)
	}
	if got := clock.Sleeps(); len(got) != 0 {
		t.Errorf("the client waited %v, want no wait at all", got)
	}
}

// TestNearLimitTracked: the limiter reads the sandbox's X-RateLimit-*
// headers and reports when the caller is near the limit.
func TestNearLimitTracked(t *testing.T) {
	// A stopped clock: the sandbox's bucket does not refill, so the
	// remaining count is exact however slow the machine is.
	stopped := time.Now()
	srv := newSandbox(t, sandbox.WithClock(func() time.Time { return stopped }),
		sandbox.WithRateLimits(sandbox.RateLimits{GET: 20, POST: 20, PUT: 20, DELETE: 20}))
	j := jiraClient(t, srv, atlassian.WithRateLimits(atlassian.RateLimits{GET: 1000, Burst: 100}))
	ctx := context.Background()
	for range 18 {
		if _, err := j.Meta.Priorities(ctx); err != nil {
			t.Fatal(err)
		}
	}
	st := j.Limiter().State()
	if !st.NearLimit || st.Limit != 20 || st.Remaining != 2 {
		t.Errorf("state after 18 of 20 = %+v; want near the limit", st)
	}
}

// TestNilInputsAreErrors: nil requests and a nil context give errors, not
// panics, and send nothing.
func TestNilInputsAreErrors(t *testing.T) {
	srv := newSandbox(t)
	j := jiraClient(t, srv)
	c := confClient(t, srv)
	ctx := context.Background()
	var nilCtx context.Context
	errs := map[string]error{}
	_, errs["Issues.Create"] = j.Issues.Create(ctx, nil)
	errs["Issues.Edit"] = j.Issues.Edit(ctx, "ENG-1", nil, nil)
	errs["Issues.DoTransition"] = j.Issues.DoTransition(ctx, "ENG-1", nil)
	_, errs["Issues.AddComment"] = j.Issues.AddComment(ctx, "ENG-1", nil)
	_, errs["Issues.AddWorklog"] = j.Issues.AddWorklog(ctx, "ENG-1", nil, nil)
	errs["IssueLinks.Create"] = j.IssueLinks.Create(ctx, nil)
	_, errs["Pages.Create"] = c.Pages.Create(ctx, nil, nil)
	_, errs["Labels.Add"] = c.Labels.Add(ctx, "1", nil)
	_, errs["nil context"] = j.Issues.Get(nilCtx, "ENG-1", nil)
	for name, err := range errs {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}
