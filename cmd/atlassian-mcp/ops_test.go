package main

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestServeOpsEndpoints: /healthz and /readyz answer without a token, and
// /metrics counts the calls, Atlassian's responses and no identity.
func TestServeOpsEndpoints(t *testing.T) {
	tokenRe := regexp.MustCompile(`Authorization: Bearer (amcp_[A-Za-z0-9_-]+)`)
	_, endpoint, tokens := startHTTPServer(t, tokenRe, "serve", "--sandbox", "--http", "127.0.0.1:0")
	base := strings.TrimSuffix(endpoint, "/mcp")
	if code, body := get(t, base+"/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Fatalf("/healthz: %d %q", code, body)
	}
	if code, body := get(t, base+"/readyz"); code != http.StatusOK || body != "ready\n" {
		t.Fatalf("/readyz: %d %q", code, body)
	}
	c := httpClient(t, endpoint, tokens[0])
	initialize(t, c)
	exerciseServer(t, c)
	code, body := get(t, base+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d", code)
	}
	for _, want := range []string{
		`atlassian_mcp_tool_calls_total{status="ok",tool="atlassian_jira_search"} 1`,
		`atlassian_mcp_tool_call_duration_seconds_count{tool="atlassian_jira_search"} 1`,
		`atlassian_mcp_atlassian_requests_total{status="200"}`,
		`atlassian_mcp_token_refreshes_total 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// Every call's audit write is timed (file audit log here).
	calls := 0.0
	for _, m := range regexp.MustCompile(`(?m)^atlassian_mcp_tool_calls_total\{[^}]*\} (\d+)$`).FindAllStringSubmatch(body, -1) {
		v, _ := strconv.ParseFloat(m[1], 64)
		calls += v
	}
	if m := regexp.MustCompile(`(?m)^atlassian_mcp_audit_write_duration_seconds_count (\d+)$`).FindStringSubmatch(body); m == nil || calls == 0 || m[1] != strconv.Itoa(int(calls)) {
		t.Errorf("audit writes timed %v, tool calls %v: want one audit write observed per call", m, calls)
	}
	for _, never := range []string{tokens[0], "agent=", "tenant=", "sandbox@", "account"} {
		if strings.Contains(body, never) {
			t.Errorf("/metrics carries %q", never)
		}
	}
}
