package metrics

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape serves m's /metrics over real HTTP and parses the answer with
// Prometheus's own text parser, so the exposition is held to what a
// Prometheus server accepts.
func scrape(t *testing.T, m *Metrics) (map[string]*dto.MetricFamily, string) {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/plain; version=0.0.4; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	var body strings.Builder
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(teeReader{resp.Body, &body})
	if err != nil {
		t.Fatalf("Prometheus cannot parse the exposition: %v\n%s", err, body.String())
	}
	return fams, body.String()
}

type teeReader struct {
	r interface{ Read([]byte) (int, error) }
	w *strings.Builder
}

func (t teeReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.w.Write(p[:n])
	return n, err
}

func labelsOf(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// find returns the sample of family name whose labels are exactly want.
func find(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	t.Helper()
	f := fams[name]
	if f == nil {
		t.Fatalf("no family %s", name)
	}
	for _, m := range f.GetMetric() {
		got := labelsOf(m)
		if len(got) != len(want) {
			continue
		}
		same := true
		for k, v := range want {
			if got[k] != v {
				same = false
			}
		}
		if same {
			return m
		}
	}
	t.Fatalf("%s has no series %v", name, want)
	return nil
}

func TestExposition(t *testing.T) {
	m := New()
	ok := func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return mcp.NewToolResultText("fine"), nil
	}
	isErr := func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return mcp.NewToolResultError("no"), nil
	}
	failed := func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return nil, errors.New("broken")
	}
	call := func(h func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error), tool string) {
		var req mcp.CallToolRequest
		req.Params.Name = tool
		_, _ = m.Middleware()(h)(context.Background(), req)
	}
	call(ok, "atlassian_jira_search")
	call(ok, "atlassian_jira_search")
	call(isErr, "atlassian_jira_search")
	call(failed, "atlassian_jira_get")
	weird := "a \"quoted\" \\ tool\nname" // label values are escaped, not trusted
	call(ok, weird)
	m.Retried("jira", 1)
	m.TokenEvents().RefreshFailed("invalid_grant")
	m.AuditWritten(3 * time.Millisecond)
	m.AuditWritten(2 * time.Second)

	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	client := &http.Client{Transport: m.Transport(nil)}
	resp, err := client.Get(backend.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	backend.Close()
	if _, err := client.Get(backend.URL); err == nil {
		t.Fatal("a closed server answered")
	}

	fams, body := scrape(t, m)
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"atlassian_mcp_tool_calls_total", map[string]string{"tool": "atlassian_jira_search", "status": "ok"}, 2},
		{"atlassian_mcp_tool_calls_total", map[string]string{"tool": "atlassian_jira_search", "status": "error"}, 1},
		{"atlassian_mcp_tool_calls_total", map[string]string{"tool": "atlassian_jira_get", "status": "failed"}, 1},
		{"atlassian_mcp_tool_calls_total", map[string]string{"tool": weird, "status": "ok"}, 1},
		{"atlassian_mcp_atlassian_requests_total", map[string]string{"status": "429"}, 1},
		{"atlassian_mcp_atlassian_requests_total", map[string]string{"status": "0"}, 1},
		{"atlassian_mcp_atlassian_retries_total", map[string]string{"product": "jira"}, 1},
		{"atlassian_mcp_token_refreshes_total", map[string]string{}, 0},
		{"atlassian_mcp_token_refresh_failures_total", map[string]string{"reason": "invalid_grant"}, 1},
	} {
		if got := find(t, fams, c.name, c.labels).GetCounter().GetValue(); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}

	h := find(t, fams, "atlassian_mcp_audit_write_duration_seconds", map[string]string{}).GetHistogram()
	if h.GetSampleCount() != 2 || h.GetSampleSum() < 2.003-1e-9 || h.GetSampleSum() > 2.003+1e-9 {
		t.Errorf("audit histogram count %d sum %v, want 2 and 2.003", h.GetSampleCount(), h.GetSampleSum())
	}
	for _, b := range h.GetBucket() {
		want := uint64(0)
		switch {
		case b.GetUpperBound() >= 2:
			want = 2
		case b.GetUpperBound() >= 0.003:
			want = 1
		}
		if b.GetCumulativeCount() != want {
			t.Errorf("audit bucket le=%v holds %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), want)
		}
	}
	if n := find(t, fams, "atlassian_mcp_tool_call_duration_seconds", map[string]string{"tool": "atlassian_jira_search"}).GetHistogram().GetSampleCount(); n != 3 {
		t.Errorf("search latency observed %d times, want 3", n)
	}

	// The lines an operator greps for read as Prometheus's client wrote them.
	for _, want := range []string{
		`atlassian_mcp_tool_calls_total{status="ok",tool="atlassian_jira_search"} 2` + "\n",
		`atlassian_mcp_audit_write_duration_seconds_bucket{le="0.005"} 1` + "\n",
		`atlassian_mcp_audit_write_duration_seconds_bucket{le="+Inf"} 2` + "\n",
		`atlassian_mcp_tool_call_duration_seconds_count{tool="atlassian_jira_search"} 3` + "\n",
		"# TYPE atlassian_mcp_tool_call_duration_seconds histogram\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("exposition lacks %q", want)
		}
	}
}

func TestRuntimeAndProcess(t *testing.T) {
	fams, _ := scrape(t, New())
	if g := find(t, fams, "go_goroutines", map[string]string{}).GetGauge().GetValue(); g < 1 {
		t.Errorf("go_goroutines %v", g)
	}
	if a := find(t, fams, "go_memstats_alloc_bytes", map[string]string{}).GetGauge().GetValue(); a <= 0 {
		t.Errorf("go_memstats_alloc_bytes %v", a)
	}
	if fams["process_resident_memory_bytes"] == nil {
		return // not Linux: no /proc
	}
	if rss := find(t, fams, "process_resident_memory_bytes", map[string]string{}).GetGauge().GetValue(); rss < 1<<20 || rss > 1<<34 {
		t.Errorf("process_resident_memory_bytes %v", rss)
	}
	start := find(t, fams, "process_start_time_seconds", map[string]string{}).GetGauge().GetValue()
	if now := float64(time.Now().Unix()); start > now+1 || start < now-24*3600 {
		t.Errorf("process_start_time_seconds %v, now %v", start, now)
	}
	if fds := find(t, fams, "process_open_fds", map[string]string{}).GetGauge().GetValue(); fds < 3 {
		t.Errorf("process_open_fds %v", fds)
	}
}

// TestConcurrentCounts: counts made from many goroutines at once add up
// exactly (run under -race by make test).
func TestConcurrentCounts(t *testing.T) {
	m := New()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				m.Retried([]string{"jira", "confluence"}[i%2], 1)
				m.AuditWritten(time.Millisecond)
			}
		}()
	}
	wg.Wait()
	fams, _ := scrape(t, m)
	for _, p := range []string{"jira", "confluence"} {
		if v := find(t, fams, "atlassian_mcp_atlassian_retries_total", map[string]string{"product": p}).GetCounter().GetValue(); v != 4000 {
			t.Errorf("%s retries %v, want 4000", p, v)
		}
	}
	h := find(t, fams, "atlassian_mcp_audit_write_duration_seconds", map[string]string{}).GetHistogram()
	if h.GetSampleCount() != 8000 || h.GetSampleSum() < 7.999 || h.GetSampleSum() > 8.001 {
		t.Errorf("audit histogram count %d sum %v, want 8000 and 8", h.GetSampleCount(), h.GetSampleSum())
	}
}
