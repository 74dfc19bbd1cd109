// Package metrics holds the Prometheus metrics a server exposes at
// /metrics: tool calls by tool and outcome with their latency, Atlassian
// requests by product and status (429s among them) and retries, token
// refreshes and their failures, and audit write latency, beside the Go
// runtime's and the process's own. No metric carries an identifier of a
// user, an agent or a tenant, and none a token or a request's content:
// labels are tool names, products, status codes and short fixed reasons.
//
// The package writes the Prometheus text format (version 0.0.4) itself
// rather than through the Prometheus client library: that library's
// package initialisation (its collectors, protobuf and procfs) cost every
// start about 5 ms and 2 MiB of binary, stdio starts included, where no
// metric is ever served (issue 12).
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// Metrics is one process's set of metrics.
type Metrics struct {
	families        []family
	calls           *counterVec
	callSeconds     *histogramVec
	requests        *counterVec
	retries         *counterVec
	refreshes       *counterVec
	refreshFailures *counterVec
	auditSeconds    *histogramVec
}

// New returns the metrics, with the Go runtime's and the process's.
func New() *Metrics {
	m := &Metrics{
		calls: newCounterVec("atlassian_mcp_tool_calls_total",
			"Tool calls by tool and status (ok, error: an isError result, failed: a protocol error).", "tool", "status"),
		callSeconds: newHistogramVec("atlassian_mcp_tool_call_duration_seconds", "Tool call latency by tool.",
			[]float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}, "tool"),
		requests: newCounterVec("atlassian_mcp_atlassian_requests_total",
			"HTTP requests to Atlassian (gateway and token endpoint) by status code (0: no response); 429s are rate limits.", "status"),
		retries: newCounterVec("atlassian_mcp_atlassian_retries_total",
			"REST calls sent again after a 429, a 5xx or no response, by product.", "product"),
		refreshes: newCounterVec("atlassian_mcp_token_refreshes_total",
			"Access token refreshes this process exchanged and stored."),
		refreshFailures: newCounterVec("atlassian_mcp_token_refresh_failures_total",
			"Failed refresh attempts by reason (invalid_grant, client_rejected, endpoint, store, lock).", "reason"),
		auditSeconds: newHistogramVec("atlassian_mcp_audit_write_duration_seconds",
			"Time from an audit entry's submission to its durable write.",
			[]float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1}),
	}
	m.families = []family{m.calls, m.callSeconds, m.requests, m.retries, m.refreshes, m.refreshFailures, m.auditSeconds,
		runtimeFamily{}, processFamily{}}
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_, _ = w.Write(m.appendText(nil))
	})
}

// appendText appends every family in the text exposition format.
func (m *Metrics) appendText(b []byte) []byte {
	for _, f := range m.families {
		b = f.appendText(b)
	}
	return b
}

// Middleware counts and times every tool call.
func (m *Metrics) Middleware() server.ToolHandlerMiddleware {
	return func(next server.ToolHandlerFunc) server.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			start := time.Now()
			res, err := next(ctx, req)
			status := "ok"
			switch {
			case err != nil:
				status = "failed"
			case res != nil && res.IsError:
				status = "error"
			}
			tool := req.Params.Name
			m.calls.with(tool, status).add(1)
			m.callSeconds.with(tool).observe(time.Since(start).Seconds())
			return res, err
		}
	}
}

// Transport counts the responses of requests sent through base
// (http.DefaultTransport when nil) by status code.
func (m *Metrics) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return roundTripper{m: m, base: base}
}

type roundTripper struct {
	m    *Metrics
	base http.RoundTripper
}

func (t roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	code := 0
	if err == nil {
		code = resp.StatusCode
	}
	t.m.requests.with(strconv.Itoa(code)).add(1)
	return resp, err
}

// Retried counts one retry of a REST call (atlassian.WithRetryHook).
func (m *Metrics) Retried(product string, _ int) { m.retries.with(product).add(1) }

// TokenEvents counts refreshes (tokenstore.WithEvents).
func (m *Metrics) TokenEvents() tokenstore.Events {
	return tokenstore.Events{
		Refreshed:     func() { m.refreshes.with().add(1) },
		RefreshFailed: func(reason string) { m.refreshFailures.with(reason).add(1) },
	}
}

// AuditWritten records how long an audit entry took to become durable.
func (m *Metrics) AuditWritten(d time.Duration) { m.auditSeconds.with().observe(d.Seconds()) }
