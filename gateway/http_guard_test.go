package gateway

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/internal/mcptest"
)

// unsizedReader hides its length, so a request body is sent chunked and
// the server only learns its size by reading.
type unsizedReader struct{ io.Reader }

func TestGatewayRefusesOversizedBodiesAndServesOn(t *testing.T) {
	tt := newTwoTenants(t)
	// A session of its own, so only the size can refuse the call.
	session := tt.connectVersion(t, "acme-ops", mcpgo.ProtocolVersion20251125).GetSessionId()
	auth := map[string]string{"Authorization": "Bearer " + tt.tokens["acme-ops"], "Mcp-Session-Id": session}
	for _, tc := range []struct {
		name    string
		chunked bool
	}{{"content-length", false}, {"chunked", true}} {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader = strings.NewReader(mcptest.HugeCall(5, 50<<20))
			if tc.chunked {
				body = unsizedReader{body}
			}
			req, _ := http.NewRequest(http.MethodPost, tt.url, body)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			for k, v := range auth {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("a 50 MB body: %d %.300s", resp.StatusCode, raw)
			}
			var rpc struct {
				Error struct {
					Code    int    `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			if err := json.Unmarshal(raw, &rpc); err != nil || rpc.Error.Code != mcpgo.INVALID_REQUEST ||
				!strings.Contains(rpc.Error.Message, "4194304 bytes") || !strings.Contains(rpc.Error.Message, "split") {
				t.Fatalf("the 413 is not a JSON-RPC error that says the limit and what to do: %s", raw)
			}
		})
	}
	if got := tt.audit(t, "acme"); len(got) != 0 {
		t.Fatalf("a refused body reached a tool: %+v", got)
	}
	goodSearch(t, tt.connect(t, "acme-ops"))
}

// goodSearch makes a search through c that must succeed.
func goodSearch(t *testing.T, c *client.Client) {
	t.Helper()
	var req mcpgo.CallToolRequest
	req.Params.Name = "atlassian_jira_search"
	req.Params.Arguments = map[string]any{"jql": "project = OPS ORDER BY key ASC", "maxResults": 2}
	res, err := c.CallTool(context.Background(), req)
	if err != nil || res.IsError || !strings.Contains(resultText(res), "OPS-1") {
		t.Fatalf("the good call after the refusals: %v %+v", err, res)
	}
}

func TestGatewayBindsEventStreamsAndDeletesToTheSessionOwner(t *testing.T) {
	tt := newTwoTenants(t)
	ops := tt.connectVersion(t, "acme-ops", mcpgo.ProtocolVersion20251125)
	session := ops.GetSessionId()
	do := func(method, agent, sid string) int {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, method, tt.url, nil)
		req.Header.Set("Authorization", "Bearer "+tt.tokens[agent])
		req.Header.Set("Accept", "text/event-stream")
		if sid != "" {
			req.Header.Set("Mcp-Session-Id", sid)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close() // an opened stream ends here
		return resp.StatusCode
	}
	for _, tc := range []struct {
		name, method, agent, session string
		want                         int
	}{
		{"stream of another agent's session, same tenant", http.MethodGet, "acme-mail", session, http.StatusNotFound},
		{"stream of another tenant's session", http.MethodGet, "globex-ops", session, http.StatusNotFound},
		{"stream of an unknown session", http.MethodGet, "acme-ops", "mcp-session-00000000000000000000000000000000", http.StatusNotFound},
		{"stream without a session", http.MethodGet, "acme-ops", "", http.StatusBadRequest},
		{"delete of another tenant's session", http.MethodDelete, "globex-ops", session, http.StatusNotFound},
		{"delete of another agent's session", http.MethodDelete, "acme-mail", session, http.StatusNotFound},
		{"delete of an unknown session", http.MethodDelete, "acme-ops", "mcp-session-00000000000000000000000000000000", http.StatusNotFound},
		{"stream of its own session", http.MethodGet, "acme-ops", session, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := do(tc.method, tc.agent, tc.session); got != tc.want {
				t.Fatalf("%s as %s: %d, want %d", tc.method, tc.agent, got, tc.want)
			}
		})
	}
	if _, err := ops.ListTools(context.Background(), mcpgo.ListToolsRequest{}); err != nil {
		t.Fatalf("the owner's session died: %v", err)
	}
	if got := do(http.MethodDelete, "acme-ops", session); got != http.StatusOK {
		t.Fatalf("the owner's DELETE: %d", got)
	}
	if got := do(http.MethodGet, "acme-ops", session); got != http.StatusNotFound {
		t.Fatalf("a stream of the ended session: %d", got)
	}
}

func TestGatewayRefusesForeignOrigins(t *testing.T) {
	tt := newTwoTenants(t)
	auth := "Bearer " + tt.tokens["acme-ops"]
	session := tt.connectVersion(t, "acme-ops", mcpgo.ProtocolVersion20251125).GetSessionId()
	for _, tc := range []struct {
		origin string
		want   int
	}{
		{"http://evil.com", http.StatusForbidden},
		{"null", http.StatusForbidden},
		{"https://app.acme.com:8443", http.StatusForbidden},
	} {
		t.Run("origin "+tc.origin, func(t *testing.T) {
			resp, body := post(t, tt.url, map[string]string{"Authorization": auth, "Origin": tc.origin, "Mcp-Session-Id": session}, mcptest.SearchCall(1))
			if resp.StatusCode != tc.want {
				t.Fatalf("Origin %q: %d, want %d: %.200s", tc.origin, resp.StatusCode, tc.want, body)
			}
			if tc.want == http.StatusForbidden && !strings.Contains(body, "--allowed-origins") {
				t.Fatalf("the refusal does not say how to allow the origin: %s", body)
			}
		})
	}
	if got := tt.audit(t, "acme"); len(got) != 0 {
		t.Fatalf("a call from a foreign origin reached a tool: %+v", got)
	}
	goodSearch(t, tt.connect(t, "acme-ops")) // no Origin: an agent, not a browser
	if got := tt.audit(t, "acme"); len(got) != 1 {
		t.Fatalf("%d calls audited, want the good one", len(got))
	}
}

func TestGatewayAllowsListedOrigins(t *testing.T) {
	origins, err := ParseOrigins("https://app.acme.com, http://localhost:3000")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		origin string
		want   bool
	}{
		{"https://app.acme.com", true},
		{"HTTPS://APP.ACME.COM:443", true},
		{"http://localhost:3000", true},
		{"http://localhost:3001", false},
		{"https://app.acme.com.evil.com", false},
		{"http://app.acme.com", false},
		{"", true},
	} {
		r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/mcp", nil)
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		if got := originAllowed(r, origins); got != tc.want {
			t.Errorf("Origin %q: allowed=%v, want %v", tc.origin, got, tc.want)
		}
	}
	for _, bad := range []string{"app.acme.com", "https://app.acme.com/path", "https://user@app.acme.com"} {
		if _, err := ParseOrigins(bad); err == nil {
			t.Errorf("ParseOrigins(%q) accepted it", bad)
		}
	}
}
