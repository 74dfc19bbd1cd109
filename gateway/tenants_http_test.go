package gateway

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/sandbox"

	"github.com/atlassian-mcp/atlassian-mcp/mcp"
)

// twoTenants is an HTTP gateway over two sandbox sites: tenant acme (the
// seeded site) and tenant globex (a generated site with projects PRJ4 and
// PRJ5 that acme lacks), each with its own server and audit log.
type twoTenants struct {
	url      string
	acme     *harness
	globex   *harness
	auditDir string
	tokens   map[string]string
}

func newTwoTenants(t *testing.T) *twoTenants {
	t.Helper()
	tt := &twoTenants{
		acme:     newHarness(t),
		globex:   newHarness(t, sandbox.WithGeneratedSite(sandbox.SiteSpec{Projects: 5, Issues: 30, Spaces: 2, Pages: 6, Seed: 7})),
		auditDir: t.TempDir(),
		tokens:   map[string]string{},
	}
	cfg := &Config{
		Tenants: map[string]*TenantConfig{
			"acme":   {BusinessDomains: []string{"acme.com"}, VIPs: []string{"ceo@acme.com"}},
			"globex": {BusinessDomains: []string{"globex.example"}},
		},
	}
	for _, a := range []AgentConfig{
		{Name: "acme-ops", Tenant: "acme", Profile: ProfileAICOS, DefaultTier: VIP},
		{Name: "acme-mail", Tenant: "acme", Profile: ProfileAssistant, DefaultTier: Internal,
			Tools: []string{"atlassian_jira_search", "atlassian_jira_get_issue", "atlassian_jira_create_issue"}},
		{Name: "globex-ops", Tenant: "globex", Profile: ProfileAICOS, DefaultTier: VIP},
	} {
		tok, h, err := NewToken()
		if err != nil {
			t.Fatal(err)
		}
		a.TokenSHA256 = h
		tt.tokens[a.Name] = tok
		cfg.Agents = append(cfg.Agents, &a)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	auth, err := NewAuthenticator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	servers := map[string]*mcp.Server{}
	for tenant, h := range map[string]*harness{"acme": tt.acme, "globex": tt.globex} {
		audit, err := OpenAuditLog(tt.auditDir, tenant, cfg.Audit.Options())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { audit.Close() })
		opts := mcp.Options{Products: bothProducts}
		(&Guard{Tenant: tenant, Audit: audit}).Apply(&opts)
		if servers[tenant], err = mcp.NewServer(mcp.AllTools(h.deps), h.deps.Schema, opts); err != nil {
			t.Fatal(err)
		}
	}
	gw, err := New(servers, Options{Auth: auth})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/mcp", gw)
	hs := httptest.NewServer(mux)
	t.Cleanup(func() {
		gw.Shutdown(context.Background())
		hs.Close()
	})
	tt.url = hs.URL + "/mcp"
	return tt
}

// connect opens an initialized MCP client as agent, speaking the latest
// protocol (which has no sessions).
func (tt *twoTenants) connect(t *testing.T, agent string) *client.Client {
	t.Helper()
	return tt.connectVersion(t, agent, mcpgo.LATEST_PROTOCOL_VERSION)
}

// connectVersion opens an initialized MCP client as agent speaking
// protocol version (2025-11-25 and older have sessions).
func (tt *twoTenants) connectVersion(t *testing.T, agent, version string) *client.Client {
	t.Helper()
	c, err := client.NewStreamableHttpClient(tt.url, transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + tt.tokens[agent]}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	var init mcpgo.InitializeRequest
	init.Params.ProtocolVersion = version
	init.Params.ClientInfo = mcpgo.Implementation{Name: agent, Version: "1"}
	if _, err := c.Initialize(context.Background(), init); err != nil {
		t.Fatalf("%s: initialize: %v", agent, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (tt *twoTenants) audit(t *testing.T, tenant string) []AuditEntry {
	t.Helper()
	got, err := ReadAudit(tt.auditDir, tenant, AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Skipped) > 0 {
		t.Fatalf("%s audit: skipped %v", tenant, got.Skipped)
	}
	return got.Entries
}

// post sends one raw JSON-RPC request with the given headers.
func post(t *testing.T, url string, headers map[string]string, body string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

const listBody = `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`

func TestGatewayRefusesBadTokensAlike(t *testing.T) {
	tt := newTwoTenants(t)
	right := tt.tokens["acme-ops"]
	sameLength := TokenPrefix + strings.Repeat("A", len(right)-len(TokenPrefix))
	headers := []string{"", "Bearer", "Bearer ", "Basic " + right, right, "Bearer " + sameLength, "Bearer x",
		"Bearer " + right[:len(right)-1], "Bearer " + right + "x", "Bearer " + HashToken(right)}
	// A brute force: many random well-formed tokens.
	for range 300 {
		tok, _, _ := NewToken()
		headers = append(headers, "Bearer "+tok)
	}
	tt.acme.site.ResetRequests()
	var firstBody string
	for i, h := range headers {
		resp, body := post(t, tt.url, map[string]string{"Authorization": h}, listBody)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%.20q: status %d", h, resp.StatusCode)
		}
		if got := resp.Header.Get("WWW-Authenticate"); got != `Bearer realm="atlassian-mcp"` {
			t.Fatalf("WWW-Authenticate %q", got)
		}
		if i == 0 {
			firstBody = body
		}
		if body != firstBody || strings.Contains(body, "acme") || strings.Contains(body, "token") {
			t.Fatalf("%.20q: body %q differs from %q or leaks detail", h, body, firstBody)
		}
	}
	if n := len(tt.acme.site.Requests()); n != 0 {
		t.Fatalf("%d requests reached the site", n)
	}
	if n := len(tt.audit(t, "acme")); n != 0 {
		t.Fatalf("unauthenticated requests produced %d audit entries", n)
	}
}

func TestGatewayIsolatesTenants(t *testing.T) {
	tt := newTwoTenants(t)
	ops, mail, globex := tt.connect(t, "acme-ops"), tt.connect(t, "acme-mail"), tt.connect(t, "globex-ops")

	// Tools and schema: each agent sees its own tenant's site.
	acmeTools, globexTools := listed(t, ops), listed(t, globex)
	if len(acmeTools) != 8 || len(globexTools) != 8 {
		t.Fatalf("%d and %d tools", len(acmeTools), len(globexTools))
	}
	if d := acmeTools["atlassian_jira_search"]; strings.Contains(d, "PRJ4") {
		t.Fatalf("acme's description names globex's project:\n%s", d)
	}
	if d := globexTools["atlassian_jira_search"]; !strings.Contains(d, "PRJ4") {
		t.Fatalf("globex's description lacks its project PRJ4:\n%s", d)
	}
	if n := len(listed(t, mail)); n != 3 {
		t.Fatalf("acme-mail lists %d tools, want its 3", n)
	}

	// Data: globex's project exists only on globex's site, and acme's calls
	// never reach globex's site.
	tt.acme.site.ResetRequests()
	tt.globex.site.ResetRequests()
	ok := func(c *client.Client, tool string, args map[string]any) string {
		t.Helper()
		res, err := callWithMeta(t, c, tool, args, nil)
		if err != nil || res.IsError {
			t.Fatalf("%s: %v %s", tool, err, resultText(res))
		}
		return resultText(res)
	}
	if text := ok(globex, "atlassian_jira_search", map[string]any{"jql": "project = PRJ4", "maxResults": 1}); !strings.Contains(text, "PRJ4-") {
		t.Fatalf("globex search: %s", text)
	}
	globexRequests := len(tt.globex.site.Requests())
	res, err := callWithMeta(t, ops, "atlassian_jira_search", map[string]any{"jql": "project = PRJ4"}, nil)
	if err != nil || !res.IsError {
		t.Fatalf("acme found globex's project: %v %s", err, resultText(res))
	}
	ok(ops, "atlassian_jira_get_issue", map[string]any{"issueKey": "ENG-1"})
	if len(tt.globex.site.Requests()) != globexRequests {
		t.Fatal("acme's calls reached globex's site")
	}
	if len(tt.acme.site.Requests()) == 0 {
		t.Fatal("acme's calls did not reach acme's site")
	}

	// An unassigned tool is neither listed nor callable, and the attempt
	// is audited.
	if _, err := callWithMeta(t, mail, "atlassian_jira_manage_issue", map[string]any{"issueKey": "ENG-1", "action": "add_comment", "comment": "x"}, nil); err == nil {
		t.Fatal("acme-mail called a tool it was not assigned")
	}

	// Audit: each tenant's log holds its own agents' calls only.
	for _, tenant := range []string{"acme", "globex"} {
		entries := tt.audit(t, tenant)
		if len(entries) == 0 {
			t.Fatalf("%s: empty audit log", tenant)
		}
		for _, e := range entries {
			if e.Tenant != tenant || !strings.HasPrefix(e.Agent, tenant+"-") {
				t.Fatalf("%s's log holds %+v", tenant, e)
			}
		}
	}
	var denied *AuditEntry
	for _, e := range tt.audit(t, "acme") {
		if e.Agent == "acme-mail" && e.Tool == "atlassian_jira_manage_issue" {
			denied = &e
		}
	}
	if denied == nil || denied.Status != StatusDenied || denied.Action != "add_comment" {
		t.Fatalf("the unassigned call's audit entry: %+v", denied)
	}
}

func TestGatewayBindsSessionsToTheirAgent(t *testing.T) {
	tt := newTwoTenants(t)
	ops := tt.connectVersion(t, "acme-ops", mcpgo.ProtocolVersion20251125)
	session := ops.GetSessionId()
	if session == "" {
		t.Fatal("no session id")
	}
	for _, agent := range []string{"acme-mail", "globex-ops"} {
		resp, body := post(t, tt.url, map[string]string{"Authorization": "Bearer " + tt.tokens[agent], "Mcp-Session-Id": session}, listBody)
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("%s used acme-ops' session: %d %s", agent, resp.StatusCode, body)
		}
	}
	resp, body := post(t, tt.url, map[string]string{"Authorization": "Bearer " + tt.tokens["acme-ops"], "Mcp-Session-Id": session}, listBody)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "atlassian_jira_search") {
		t.Fatalf("the session's own agent: %d %s", resp.StatusCode, body)
	}
	// Another agent cannot end the session either.
	req, _ := http.NewRequest(http.MethodDelete, tt.url, nil)
	req.Header.Set("Authorization", "Bearer "+tt.tokens["acme-mail"])
	req.Header.Set("Mcp-Session-Id", session)
	del, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	del.Body.Close()
	if del.StatusCode/100 == 2 {
		t.Fatalf("acme-mail ended acme-ops' session: %d", del.StatusCode)
	}
	if _, err := ops.ListTools(context.Background(), mcpgo.ListToolsRequest{}); err != nil {
		t.Fatalf("the session died: %v", err)
	}
	// Its own agent ends it; then it is gone for everyone.
	req, _ = http.NewRequest(http.MethodDelete, tt.url, nil)
	req.Header.Set("Authorization", "Bearer "+tt.tokens["acme-ops"])
	req.Header.Set("Mcp-Session-Id", session)
	if del, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	del.Body.Close()
	if del.StatusCode/100 != 2 {
		t.Fatalf("acme-ops could not end its session: %d", del.StatusCode)
	}
	if resp, _ := post(t, tt.url, map[string]string{"Authorization": "Bearer " + tt.tokens["acme-ops"], "Mcp-Session-Id": session}, listBody); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("an ended session answered %d", resp.StatusCode)
	}
}

func TestGatewayAuditsEveryOneOf64ConcurrentCalls(t *testing.T) {
	tt := newTwoTenants(t)
	clients := map[string]*client.Client{"acme-ops": tt.connect(t, "acme-ops"), "acme-mail": tt.connect(t, "acme-mail")}
	var wg sync.WaitGroup
	for i := range 64 {
		agent := "acme-ops"
		if i%2 == 1 {
			agent = "acme-mail"
		}
		wg.Go(func() {
			meta := map[string]any{"executionId": fmt.Sprintf("c-%02d", i), "sender": map[string]any{"email": "ana@acme.com"}}
			tool, args := "atlassian_jira_get_issue", map[string]any{"issueKey": fmt.Sprintf("ENG-%d", i%5+1)}
			if i%4 == 0 { // an aicos write from an internal sender: denied
				tool, args = "atlassian_jira_create_issue", matrixArgs["atlassian_jira_create_issue"]
			}
			res, err := callWithMeta(t, clients[agent], tool, args, meta)
			if err != nil {
				t.Error(err)
				return
			}
			if i%4 == 0 && !res.IsError {
				t.Errorf("call %d was not refused", i)
			}
		})
	}
	wg.Wait()
	seen := map[string]AuditEntry{}
	for _, e := range tt.audit(t, "acme") {
		seen[e.ExecutionID] = e
	}
	for i := range 64 {
		e, ok := seen[fmt.Sprintf("c-%02d", i)]
		if !ok {
			t.Fatalf("call %d is not in the audit log", i)
		}
		wantDenied := i%4 == 0 // acme-ops (aicos) creating for an internal sender
		if (e.Status == StatusDenied) != wantDenied || e.Sender != "ana@acme.com" || e.Tier != "internal" {
			t.Fatalf("call %d: %+v", i, e)
		}
	}
	if len(seen) != 64 {
		t.Fatalf("%d distinct entries, want 64", len(seen))
	}
}
