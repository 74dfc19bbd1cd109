// Package metrics holds the Prometheus metrics a server exposes at
// /metrics: tool calls by tool and outcome with their latency, Atlassian
// requests by product and status (429s among them) and retries, token
// refreshes and their failures, and audit write latency. No metric carries
// an identifier of a user, an agent or a tenant, and none a token or a
// request's content: labels are tool names, products, status codes and
// short fixed reasons.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// Metrics is one process's set of metrics in its own registry.
type Metrics struct {
	reg             *prometheus.Registry
	calls           *prometheus.CounterVec
	callSeconds     *prometheus.HistogramVec
	requests        *prometheus.CounterVec
	retries         *prometheus.CounterVec
	refreshes       prometheus.Counter
	refreshFailures *prometheus.CounterVec
	auditSeconds    prometheus.Histogram
}

// New returns the metrics, registered with the Go runtime and process
// collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "atlassian_mcp_tool_calls_total", Help: "Tool calls by tool and status (ok, error: an isError result, failed: a protocol error).",
		}, []string{"tool", "status"}),
		callSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "atlassian_mcp_tool_call_duration_seconds", Help: "Tool call latency by tool.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"tool"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "atlassian_mcp_atlassian_requests_total", Help: "HTTP requests to Atlassian (gateway and token endpoint) by status code (0: no response); 429s are rate limits.",
		}, []string{"status"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "atlassian_mcp_atlassian_retries_total", Help: "REST calls sent again after a 429, a 5xx or no response, by product.",
		}, []string{"product"}),
		refreshes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "atlassian_mcp_token_refreshes_total", Help: "Access token refreshes this process exchanged and stored.",
		}),
		refreshFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "atlassian_mcp_token_refresh_failures_total", Help: "Failed refresh attempts by reason (invalid_grant, client_rejected, endpoint, store, lock).",
		}, []string{"reason"}),
		auditSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "atlassian_mcp_audit_write_duration_seconds", Help: "Time from an audit entry's submission to its durable write.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}),
	}
	m.reg.MustRegister(m.calls, m.callSeconds, m.requests, m.retries, m.refreshes, m.refreshFailures, m.auditSeconds,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
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
			m.calls.WithLabelValues(tool, status).Inc()
			m.callSeconds.WithLabelValues(tool).Observe(time.Since(start).Seconds())
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
	t.m.requests.WithLabelValues(strconv.Itoa(code)).Inc()
	return resp, err
}

// Retried counts one retry of a REST call (atlassian.WithRetryHook).
func (m *Metrics) Retried(product string, _ int) { m.retries.WithLabelValues(product).Inc() }

// TokenEvents counts refreshes (tokenstore.WithEvents).
func (m *Metrics) TokenEvents() tokenstore.Events {
	return tokenstore.Events{
		Refreshed:     m.refreshes.Inc,
		RefreshFailed: func(reason string) { m.refreshFailures.WithLabelValues(reason).Inc() },
	}
}

// AuditWritten records how long an audit entry took to become durable.
func (m *Metrics) AuditWritten(d time.Duration) { m.auditSeconds.Observe(d.Seconds()) }
