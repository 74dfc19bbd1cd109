package sandbox

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/internal/clocktest"
)

func TestFaults(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
	srv := coreServer(t, WithSleep(clock.Sleep))
	mountProbes(srv)
	tok := srv.IssueToken().AccessToken
	get := func(p Product, id string) httpResult { return do(t, "GET", probeURL(srv, p, id), tok, "", "") }

	t.Run("429 with Atlassian headers, twice", func(t *testing.T) {
		f := RateLimitFault("jira-quota-global-based", 30*time.Second)
		f.Path, f.Times = "/rest/api/3/__coreprobe/", 2
		srv.InjectFault(f)
		for i := range 2 {
			h := get(Jira, "A-1")
			reset, err := time.Parse(time.RFC3339, h.Header.Get("X-RateLimit-Reset"))
			if h.Status != 429 || h.Header.Get("Retry-After") != "30" || h.Header.Get("RateLimit-Reason") != "jira-quota-global-based" ||
				err != nil || reset.Before(time.Now().Add(25*time.Second)) || h.Header.Get("X-RateLimit-Remaining") != "0" {
				t.Fatalf("try %d: %d %v", i, h.Status, h.Header)
			}
			if canonJSON(t, h.Body) != `{"errorMessages":["Too Many Requests"],"errors":{}}` {
				t.Fatalf("body %s", h.Body)
			}
		}
		if h := get(Jira, "A-1"); h.Status != 200 {
			t.Fatalf("third try: %d", h.Status)
		}
	})
	for _, status := range []int{500, 502, 503, 504} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			srv.InjectFault(Fault{Method: "GET", Path: "/wiki/api/v2/*/77", Times: 1, Status: status})
			if h := get(Confluence, "78"); h.Status != 200 {
				t.Fatalf("glob matched another id: %d", h.Status)
			}
			h := get(Confluence, "77")
			if h.Status != status {
				t.Fatalf("status %d", h.Status)
			}
			errs, _ := h.JSON(t)["errors"].([]any)
			if len(errs) != 1 || errs[0].(map[string]any)["status"] != strconv.Itoa(status) {
				t.Fatalf("body %s", h.Body)
			}
			if h := get(Confluence, "77"); h.Status != 200 {
				t.Fatalf("fault outlived Times: %d", h.Status)
			}
		})
	}
	t.Run("custom body and headers, method filter", func(t *testing.T) {
		srv.InjectFault(Fault{Method: "POST", Status: 503, Body: `<html>upstream</html>`,
			Header: http.Header{"Content-Type": {"text/html"}, "Retry-After": {"5"}}, Times: 1})
		if h := get(Jira, "A-1"); h.Status != 200 {
			t.Fatalf("GET hit a POST fault: %d", h.Status)
		}
		h := do(t, "POST", probeURL(srv, Jira, "A-1"), tok, "application/json", "{}")
		if h.Status != 503 || h.Body != `<html>upstream</html>` || h.Header.Get("Retry-After") != "5" || h.Header.Get("Content-Type") != "text/html" {
			t.Fatalf("%d %v %s", h.Status, h.Header, h.Body)
		}
	})
	t.Run("token endpoint", func(t *testing.T) {
		srv.InjectFault(Fault{Path: "/oauth/token", Method: "POST", Status: 503, Times: 1})
		p := srv.IssueToken()
		if h := refresh(t, srv, p.RefreshToken); h.Status != 503 {
			t.Fatalf("status %d", h.Status)
		}
		if h := refresh(t, srv, p.RefreshToken); h.Status != 200 {
			t.Fatalf("after the fault: %d", h.Status)
		}
	})
	t.Run("latency", func(t *testing.T) {
		srv.InjectFault(Fault{Path: "/rest/api/3/__coreprobe/SLOW", Latency: 60 * time.Millisecond, Times: 1})
		if h := get(Jira, "SLOW"); h.Status != 200 {
			t.Fatalf("status %d", h.Status)
		}
		if h := get(Jira, "SLOW"); h.Status != 200 {
			t.Fatalf("status %d", h.Status)
		}
		if got := clock.Sleeps(); !slices.Equal(got, []time.Duration{60 * time.Millisecond}) {
			t.Fatalf("the server waited %v, want the fault's 60ms once", got)
		}
	})
	t.Run("dropped connection", func(t *testing.T) {
		srv.InjectFault(Fault{Path: "/rest/api/3/__coreprobe/DROP", DropConnection: true, Times: 1})
		srv.ResetRequests()
		req, _ := http.NewRequest("GET", probeURL(srv, Jira, "DROP"), nil)
		resp, err := (&http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("got a response %d, want a dropped connection", resp.StatusCode)
		}
		if msg := err.Error(); !strings.Contains(msg, "EOF") && !strings.Contains(msg, "reset") {
			t.Fatalf("error %v", err)
		}
		reqs := srv.Requests()
		if len(reqs) != 1 || reqs[0].Status != 0 {
			t.Fatalf("log %+v", reqs)
		}
	})
	t.Run("until cleared", func(t *testing.T) {
		srv.InjectFault(Fault{Path: "/rest/api/3/__coreprobe/X", Status: 500})
		for range 3 {
			if get(Jira, "X").Status != 500 {
				t.Fatal("fault without Times stopped")
			}
		}
		if srv.PendingFaults() != 1 {
			t.Fatalf("pending %d", srv.PendingFaults())
		}
		srv.ClearFaults()
		if get(Jira, "X").Status != 200 {
			t.Fatal("ClearFaults")
		}
	})
	if srv.Stats().FaultsServed < 10 {
		t.Fatalf("FaultsServed %d", srv.Stats().FaultsServed)
	}
}

func TestRequestLog(t *testing.T) {
	srv := coreServer(t)
	mountProbes(srv)
	p := srv.IssueToken()
	srv.ResetRequests()
	do(t, "POST", probeURL(srv, Jira, "ENG-5")+"?notifyUsers=false", p.AccessToken, "application/json", `{"fields":{"summary":"x"}}`)
	do(t, "GET", probeURL(srv, Jira, "ENG-5"), "", "", "")
	refresh(t, srv, p.RefreshToken)
	do(t, "POST", srv.URL+"/oauth/token", "", "application/json",
		`{"grant_type":"refresh_token","client_id":"x","client_secret":"`+srv.ClientSecret+`","refresh_token":"`+p.RefreshToken+`"}`)
	reqs := srv.Requests()
	if len(reqs) != 4 {
		t.Fatalf("%d entries", len(reqs))
	}
	r0 := reqs[0]
	if r0.Method != "POST" || r0.Path != "/ex/jira/"+srv.CloudID+"/rest/api/3/__coreprobe/ENG-5" || r0.Query != "notifyUsers=false" ||
		r0.Body != `{"fields":{"summary":"x"}}` || !r0.AuthPresent || r0.Status != 200 || r0.Time.IsZero() {
		t.Fatalf("entry 0 %+v", r0)
	}
	if reqs[1].AuthPresent || reqs[1].Status != 401 {
		t.Fatalf("entry 1 %+v", reqs[1])
	}
	for i, r := range reqs {
		for _, secret := range []string{p.AccessToken, p.RefreshToken, srv.ClientSecret} {
			if strings.Contains(r.Body, secret) || strings.Contains(r.Query, secret) {
				t.Fatalf("entry %d leaks a secret: %+v", i, r)
			}
		}
	}
	form, err := url.ParseQuery(reqs[2].Body)
	if err != nil || form.Get("client_secret") != "REDACTED" || form.Get("refresh_token") != "REDACTED" || form.Get("grant_type") != "refresh_token" {
		t.Fatalf("form body %q", reqs[2].Body)
	}
	if !strings.Contains(reqs[3].Body, `"refresh_token":"REDACTED"`) {
		t.Fatalf("json body %q", reqs[3].Body)
	}
	srv.ResetRequests()
	if len(srv.Requests()) != 0 {
		t.Fatal("ResetRequests")
	}
}

func TestConcurrentGateway(t *testing.T) {
	srv := coreServer(t, WithoutRateLimits())
	mountProbes(srv)
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := srv.IssueToken()
			for i := range 25 {
				if h := do(t, "GET", probeURL(srv, Jira, "A-1"), p.AccessToken, "", ""); h.Status != 200 {
					errs <- "get " + h.Body
				}
				if i%5 == 0 {
					at, rt := pairOf(t, refresh(t, srv, p.RefreshToken))
					p.AccessToken, p.RefreshToken = at, rt
				}
				if g == 0 && i == 10 {
					srv.InjectFault(Fault{Path: "/nowhere", Status: 500, Times: 1})
					_ = srv.Requests()
					_ = srv.Stats()
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if st := srv.Stats(); st.Refreshes != 8*5 || st.FamilyRevocations != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestWithLatency(t *testing.T) {
	clock := newSbxClock()
	srv := coreServer(t, WithLatency(40*time.Millisecond), WithSleep(clock.Sleep))
	mountProbes(srv)
	tok := srv.IssueToken().AccessToken
	for range 2 {
		if h := do(t, "GET", probeURL(srv, Jira, "A-1"), tok, "", ""); h.Status != 200 {
			t.Fatalf("status %d", h.Status)
		}
	}
	if got := clock.Sleeps(); !slices.Equal(got, []time.Duration{40 * time.Millisecond, 40 * time.Millisecond}) {
		t.Fatalf("the server waited %v, want the configured 40ms per API request", got)
	}
}
