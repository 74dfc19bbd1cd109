package atlassian_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// BenchmarkRawGET is the baseline for BenchmarkClientGET: the same
// request through the same authenticated *http.Client, decoded into the
// same type, without the client core. The sandbox runs in-process, so both
// include its allocations; the difference is the core's overhead.
func BenchmarkRawGET(b *testing.B) {
	srv := newSandbox(b, sandbox.WithoutRateLimits())
	hc, _ := authClient(b, srv)
	u := atlassian.JiraBaseURL(srv.URL, srv.CloudID) + "/rest/api/3/priority"
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequestWithContext(context.Background(), "GET", u, nil)
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var out []atlassian.Priority
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out) == 0 {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
}

// BenchmarkClientGET is the same GET through the Jira client: limiter,
// retry policy, error check, logging check and decoding.
func BenchmarkClientGET(b *testing.B) {
	srv := newSandbox(b, sandbox.WithoutRateLimits())
	hc, _ := authClient(b, srv)
	j, err := atlassian.NewJiraClient(atlassian.JiraBaseURL(srv.URL, srv.CloudID), hc,
		atlassian.WithRateLimits(atlassian.RateLimits{GET: 1e9, Burst: 1 << 20}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := j.Meta.Priorities(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBurst1000 sends 1,000 GETs from 16 goroutines through one
// client whose limiter matches the sandbox's (1,000 GET/s here, so a run
// takes about a second; Atlassian's 100/s would take ten) and fails if
// the sandbox answered any of them 429.
func BenchmarkBurst1000(b *testing.B) {
	const n, workers, rps = 1000, 16, 1000
	for b.Loop() {
		b.StopTimer()
		srv := sandbox.NewServer(sandbox.WithRateLimits(sandbox.RateLimits{GET: rps, POST: rps, PUT: rps, DELETE: rps}))
		hc, _ := authClient(b, srv)
		j, err := atlassian.NewJiraClient(atlassian.JiraBaseURL(srv.URL, srv.CloudID), hc,
			atlassian.WithRateLimits(atlassian.RateLimits{GET: rps, POST: rps, PUT: rps, DELETE: rps}),
			atlassian.WithRetryPolicy(atlassian.RetryPolicy{MaxAttempts: 1}))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		var next atomic.Int64
		var failed atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= n {
					if _, err := j.Meta.Priorities(context.Background()); err != nil {
						failed.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		b.StopTimer()
		got := count429(srv)
		reached := len(requestsTo(srv, "GET", "/rest/api/3/priority"))
		srv.Close()
		b.ReportMetric(float64(got), "429s")
		if got != 0 || reached != n {
			b.Fatalf("%d of %d requests answered 429 (%d reached the sandbox, %d failed)", got, n, reached, failed.Load())
		}
		b.StartTimer()
	}
}
