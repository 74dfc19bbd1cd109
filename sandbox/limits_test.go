package sandbox

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

func TestBurstLimiter(t *testing.T) {
	clock := newSbxClock()
	srv := coreServer(t, WithClock(clock.Now), WithRateLimits(RateLimits{GET: 5, POST: 2, PUT: 1, DELETE: 1}))
	mountProbes(srv)
	tok := srv.IssueToken().AccessToken
	get := func() httpResult { return do(t, "GET", probeURL(srv, Jira, "A-1"), tok, "", "") }
	for i := range 5 {
		h := get()
		if h.Status != 200 {
			t.Fatalf("request %d: %d", i, h.Status)
		}
		if want := strconv.Itoa(4 - i); h.Header.Get("X-RateLimit-Remaining") != want {
			t.Fatalf("request %d: remaining %q, want %s", i, h.Header.Get("X-RateLimit-Remaining"), want)
		}
		if near := h.Header.Get("X-RateLimit-NearLimit") == "true"; near != (4-i < 1) {
			t.Fatalf("request %d: NearLimit %v", i, near)
		}
	}
	h := get()
	if h.Status != http.StatusTooManyRequests {
		t.Fatalf("6th request: %d", h.Status)
	}
	reset, err := time.Parse(time.RFC3339, h.Header.Get("X-RateLimit-Reset"))
	if h.Header.Get("Retry-After") != "1" || h.Header.Get("RateLimit-Reason") != "jira-burst-based" ||
		err != nil || !reset.Equal(clock.Now().Add(time.Second)) || h.Header.Get("X-RateLimit-Limit") != "5" {
		t.Fatalf("429 headers %v", h.Header)
	}
	if canonJSON(t, h.Body) != `{"errorMessages":["Rate limit exceeded."],"errors":{}}` {
		t.Fatalf("429 body %s", h.Body)
	}
	// Another method class has its own bucket.
	if h := do(t, "POST", probeURL(srv, Jira, "A-1"), tok, "application/json", "{}"); h.Status != 200 || h.Header.Get("X-RateLimit-Limit") != "2" {
		t.Fatalf("POST: %d %v", h.Status, h.Header)
	}
	// Refill at the steady rate: 200 ms buys one GET.
	clock.Advance(200 * time.Millisecond)
	if h := get(); h.Status != 200 {
		t.Fatalf("after refill: %d", h.Status)
	}
	if h := get(); h.Status != 429 {
		t.Fatalf("bucket empty again: %d", h.Status)
	}
	if st := srv.Stats(); st.RateLimited != 2 {
		t.Fatalf("RateLimited = %d", st.RateLimited)
	}
	// Confluence has its own bucket and reason.
	for range 5 {
		do(t, "GET", probeURL(srv, Confluence, "1"), tok, "", "")
	}
	h = do(t, "GET", probeURL(srv, Confluence, "1"), tok, "", "")
	if h.Status != 429 || h.Header.Get("RateLimit-Reason") != "confluence-burst-based" {
		t.Fatalf("confluence 429: %d %v", h.Status, h.Header)
	}
	if m := h.JSON(t); m["errors"] == nil {
		t.Fatalf("confluence 429 body %s", h.Body)
	}
	srv.DisableRateLimits()
	for i := range 20 {
		if h := get(); h.Status != 200 || h.Header.Get("X-RateLimit-Limit") != "" {
			t.Fatalf("disabled, request %d: %d", i, h.Status)
		}
	}
	srv.SetRateLimits(RateLimits{GET: 1})
	if get().Status != 200 || get().Status != 429 {
		t.Fatal("SetRateLimits did not apply")
	}
}

func TestWithoutRateLimits(t *testing.T) {
	srv := coreServer(t, WithoutRateLimits())
	mountProbes(srv)
	tok := srv.IssueToken().AccessToken
	for i := range 150 {
		if h := do(t, "GET", probeURL(srv, Jira, "A-1"), tok, "", ""); h.Status != 200 {
			t.Fatalf("request %d: %d", i, h.Status)
		}
	}
	w := httptest.NewRecorder()
	for i := range 50 {
		if !srv.allowIssueWrite(w, "ENG-1") {
			t.Fatalf("write %d refused with limits off", i)
		}
	}
}

func TestPerIssueWriteLimiter(t *testing.T) {
	clock := newSbxClock()
	srv := coreServer(t, WithClock(clock.Now))
	write := func(key string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		if srv.allowIssueWrite(w, key) {
			w.WriteHeader(204)
		}
		return w
	}
	t.Run("20 per 2 seconds", func(t *testing.T) {
		for i := range 20 {
			if w := write("ENG-1"); w.Code != 204 {
				t.Fatalf("write %d: %d", i, w.Code)
			}
		}
		w := write("ENG-1")
		if w.Code != 429 || w.Header().Get("RateLimit-Reason") != "jira-per-issue-on-write" ||
			w.Header().Get("Retry-After") != "2" || w.Header().Get("X-RateLimit-Reset") == "" {
			t.Fatalf("21st write: %d %v", w.Code, w.Header())
		}
		if canonJSON(t, w.Body.String()) != `{"errorMessages":["Too many write requests for issue ENG-1. Try again later."],"errors":{}}` {
			t.Fatalf("body %s", w.Body)
		}
		if w := write("ENG-2"); w.Code != 204 {
			t.Fatalf("another issue: %d", w.Code)
		}
		clock.Advance(2 * time.Second)
		if w := write("ENG-1"); w.Code != 204 {
			t.Fatalf("after the window: %d", w.Code)
		}
	})
	t.Run("100 per 30 seconds", func(t *testing.T) {
		clock.Advance(time.Minute)
		for i := range 100 {
			if w := write("OPS-9"); w.Code != 204 {
				t.Fatalf("write %d: %d", i, w.Code)
			}
			clock.Advance(110 * time.Millisecond) // 19 per 2 s: under the short limit
		}
		w := write("OPS-9")
		if w.Code != 429 {
			t.Fatalf("101st write in 11 s: %d", w.Code)
		}
		// The oldest write leaves the 30 s window 30 s after it was made.
		if got := w.Header().Get("Retry-After"); got != "19" {
			t.Fatalf("Retry-After %s, want 19", got)
		}
		clock.Advance(19 * time.Second)
		if w := write("OPS-9"); w.Code != 204 {
			t.Fatalf("after the oldest left the window: %d", w.Code)
		}
	})
}

func TestEndpointRateOverride(t *testing.T) {
	clock := newSbxClock()
	srv := coreServer(t, WithClock(clock.Now), WithRateLimits(RateLimits{GET: 2, Endpoints: map[string]float64{
		"GET /rest/api/3/__coreprobe/{}": 4,
	}}))
	mountProbes(srv)
	tok := srv.IssueToken().AccessToken
	for i := range 4 {
		if h := do(t, "GET", probeURL(srv, Jira, "A-1"), tok, "", ""); h.Status != 200 || h.Header.Get("X-RateLimit-Limit") != "4" {
			t.Fatalf("override request %d: %d limit %s", i, h.Status, h.Header.Get("X-RateLimit-Limit"))
		}
	}
	if h := do(t, "GET", probeURL(srv, Jira, "A-1"), tok, "", ""); h.Status != 429 {
		t.Fatalf("5th request: %d", h.Status)
	}
	// Other GET routes of the product have buckets of their own at the
	// class rate: Atlassian's burst buckets are per endpoint.
	for i := range 2 {
		if h := do(t, "GET", srv.JiraBaseURL()+"/rest/api/3/unknown", tok, "", ""); h.Status != 404 || h.Header.Get("X-RateLimit-Limit") != "2" {
			t.Fatalf("unrouted request %d: %d %s", i, h.Status, h.Header.Get("X-RateLimit-Limit"))
		}
	}
	if h := do(t, "GET", srv.JiraBaseURL()+"/rest/api/3/myself", tok, "", ""); h.Status != 200 || h.Header.Get("X-RateLimit-Limit") != "2" {
		t.Fatalf("another endpoint after two unrouted requests: %d %s", h.Status, h.Header.Get("X-RateLimit-Limit"))
	}
	if got := endpointKey("GET /rest/api/3/issue/{issueIdOrKey}/comment/{id}"); got != "GET /rest/api/3/issue/{}/comment/{}" {
		t.Fatalf("endpointKey = %q", got)
	}
	if DefaultRateLimits().Endpoints[endpointKey("GET /rest/api/3/issue/{issueIdOrKey}")] != 150 {
		t.Fatal("GET issue override missing from the defaults")
	}
}
