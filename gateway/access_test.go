package gateway

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/mcp"
)

func TestPolicyToolTablesMatchToolKinds(t *testing.T) {
	tools := mcp.AllTools(&mcp.Deps{})
	var names []string
	for _, tool := range tools {
		names = append(names, tool.Name)
		want := slices.Contains(readTools, tool.Name)
		if got := tool.Kind == mcp.ReadOnly; got != want {
			t.Errorf("%s: kind %v, but readTools says read=%v", tool.Name, tool.Kind, want)
		}
		if !want && !slices.Contains(writeTools, tool.Name) {
			t.Errorf("%s is in neither readTools nor writeTools", tool.Name)
		}
	}
	if !slices.Equal(names, ToolNames()) {
		t.Errorf("ToolNames() = %v, AllTools = %v", ToolNames(), names)
	}
}

func TestParseTier(t *testing.T) {
	tests := []struct {
		in   string
		want Tier
		err  bool
	}{
		{"external", External, false}, {"Internal", Internal, false}, {" VIP ", VIP, false},
		{"owner", 0, true}, {"", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTier(tt.in)
			if (err != nil) != tt.err || got != tt.want {
				t.Fatalf("ParseTier(%q) = %v, %v", tt.in, got, err)
			}
		})
	}
}

func TestPolicyValidateRefusesExternalAndUnknownTools(t *testing.T) {
	tests := []struct {
		name string
		p    Policy
		want string
	}{
		{"external", Policy{"atlassian_jira_search": External}, "external senders trigger nothing"},
		{"unknown tool", Policy{"atlassian_jira_delete": VIP}, `unknown tool "atlassian_jira_delete"`},
		{"no tier", Policy{"atlassian_jira_search": 0}, "want internal or vip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.p.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
}

// testDirectory is the sender directory of the tests' tenant.
var testDirectory = &Directory{Domains: []string{"acme.com"}, VIPs: []string{"ceo@acme.com", "Owner@Acme.com"}}

func callRequest(tool string, meta map[string]any) mcpgo.CallToolRequest {
	var req mcpgo.CallToolRequest
	req.Params.Name = tool
	if meta != nil {
		req.Params.Meta = mcpgo.NewMetaFromMap(meta)
	}
	return req
}

func TestResolveSender(t *testing.T) {
	agent := &Identity{Agent: "a", Tenant: "t", DefaultTier: Internal, Directory: testDirectory}
	trusted := &Identity{Agent: "b", Tenant: "t", DefaultTier: External, Directory: testDirectory, Trusted: true}
	sender := func(fields map[string]any) map[string]any { return map[string]any{"sender": fields} }
	tests := []struct {
		name       string
		id         *Identity
		meta       map[string]any
		tier       Tier
		source     string
		wantSender string
	}{
		{"no meta: default tier", agent, nil, Internal, "default", ""},
		{"meta without sender", agent, map[string]any{"executionId": "x"}, Internal, "default", ""},
		{"sender not an object", agent, map[string]any{"sender": "ceo@acme.com"}, Internal, "default", ""},
		{"vip", agent, sender(map[string]any{"email": "ceo@acme.com"}), VIP, "directory", "ceo@acme.com"},
		{"business owner, any case", agent, sender(map[string]any{"email": "OWNER@acme.com"}), VIP, "directory", "OWNER@acme.com"},
		{"business domain", agent, sender(map[string]any{"email": "ana@acme.com"}), Internal, "directory", "ana@acme.com"},
		{"subdomain is not the domain", agent, sender(map[string]any{"email": "eve@evil.acme.com"}), External, "directory", "eve@evil.acme.com"},
		{"look-alike domain", agent, sender(map[string]any{"email": "eve@acme.com.evil.io"}), External, "directory", "eve@acme.com.evil.io"},
		{"outside", agent, sender(map[string]any{"email": "bob@gmail.com"}), External, "directory", "bob@gmail.com"},
		{"not an email", agent, sender(map[string]any{"email": "acme.com"}), External, "directory", "acme.com"},
		{"untrusted agent cannot assert", agent, sender(map[string]any{"email": "bob@gmail.com", "tier": "vip"}), External, "directory", "bob@gmail.com"},
		{"untrusted agent, tier only", agent, sender(map[string]any{"tier": "vip"}), Internal, "default", ""},
		{"trusted agent asserts", trusted, sender(map[string]any{"email": "bob@gmail.com", "tier": "vip"}), VIP, "asserted", "bob@gmail.com"},
		{"trusted agent, bad tier ignored", trusted, sender(map[string]any{"email": "ana@acme.com", "tier": "owner"}), Internal, "directory", "ana@acme.com"},
		{"trusted agent, no sender", trusted, nil, External, "default", ""},
		{"no directory: the email does not change the tier", Owner("t"), sender(map[string]any{"email": "bob@gmail.com"}), VIP, "owner", "bob@gmail.com"},
		{"control characters dropped", agent, sender(map[string]any{"email": "ana@acme.com\n"}), Internal, "directory", "ana@acme.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ResolveSender(tt.id, callRequest("x", tt.meta))
			if s.Tier != tt.tier || s.TierSource != tt.source || s.Email != tt.wantSender {
				t.Fatalf("got %+v, want tier %v from %s, sender %q", s, tt.tier, tt.source, tt.wantSender)
			}
		})
	}
}

func TestExecutionIDFromMetaOrGenerated(t *testing.T) {
	if got := executionID(callRequest("x", map[string]any{"executionId": "run-42"})); got != "run-42" {
		t.Fatalf("from _meta: %q", got)
	}
	a, b := executionID(callRequest("x", nil)), executionID(callRequest("x", map[string]any{"executionId": "has space"}))
	if a == b || !strings.HasPrefix(a, "x-") || !strings.HasPrefix(b, "x-") {
		t.Fatalf("generated ids %q %q", a, b)
	}
}

// matrixArgs are plausible arguments of each tool on the seeded sandbox.
var matrixArgs = map[string]map[string]any{
	"atlassian_jira_search":            {"jql": "project = ENG", "maxResults": 1},
	"atlassian_jira_get_issue":         {"issueKey": "ENG-1"},
	"atlassian_jira_create_issue":      {"projectKey": "ENG", "issueType": "Task", "summary": "matrix"},
	"atlassian_jira_update_issue":      {"issueKey": "ENG-1", "action": "update_fields", "fields": map[string]any{"summary": "matrix"}},
	"atlassian_jira_manage_issue":      {"issueKey": "ENG-1", "action": "add_comment", "comment": "matrix"},
	"atlassian_confluence_search":      {"cql": "type = page", "limit": 1},
	"atlassian_confluence_get_page":    {"pageId": "1"},
	"atlassian_confluence_create_page": {"spaceKey": "ENG", "title": "Matrix", "content": "matrix"},
}

// guardedClient serves deps' tools behind g to an in-process client.
func guardedClient(t *testing.T, deps *mcp.Deps, g *Guard) *client.Client {
	t.Helper()
	opts := mcp.Options{Products: bothProducts}
	g.Apply(&opts)
	srv, err := mcp.NewServer(mcp.AllTools(deps), deps.Schema, opts)
	if err != nil {
		t.Fatal(err)
	}
	return stdioClient(t, srv)
}

func callWithMeta(t *testing.T, c *client.Client, tool string, args, meta map[string]any) (*mcpgo.CallToolResult, error) {
	t.Helper()
	req := callRequest(tool, meta)
	req.Params.Arguments = args
	return c.CallTool(context.Background(), req)
}

// TestAccessMatrix runs every tool for every sender tier under every
// profile and checks the call runs exactly when TOOLS.md says, a refusal
// names the tier needed and never reaches Atlassian, and every call is
// audited with its tier and status.
func TestAccessMatrix(t *testing.T) {
	h := newHarness(t)
	read := []string{"atlassian_jira_search", "atlassian_jira_get_issue", "atlassian_confluence_search", "atlassian_confluence_get_page"}
	// want[profile][tool] is the lowest tier allowed; 0 is nobody.
	want := map[string]map[string]Tier{
		"aicos": {
			"atlassian_jira_search": Internal, "atlassian_jira_get_issue": Internal,
			"atlassian_confluence_search": Internal, "atlassian_confluence_get_page": Internal,
			"atlassian_jira_create_issue": VIP, "atlassian_jira_update_issue": VIP,
			"atlassian_jira_manage_issue": VIP, "atlassian_confluence_create_page": VIP,
		},
		"assistant": {
			"atlassian_jira_search": Internal, "atlassian_jira_get_issue": Internal,
			"atlassian_confluence_search": Internal, "atlassian_confluence_get_page": Internal,
			"atlassian_jira_create_issue": Internal, "atlassian_jira_update_issue": Internal,
			"atlassian_jira_manage_issue": Internal, "atlassian_confluence_create_page": Internal,
		},
		// A custom policy: Jira search for VIPs only, page creation for
		// internal senders, nothing else.
		"custom": {"atlassian_jira_search": VIP, "atlassian_confluence_create_page": Internal},
	}
	senders := map[Tier]string{External: "bob@gmail.com", Internal: "ana@acme.com", VIP: "ceo@acme.com"}
	cfg := &Config{
		Tenants:  map[string]*TenantConfig{"acme": {BusinessDomains: []string{"acme.com"}, VIPs: []string{"ceo@acme.com"}}},
		Policies: map[string]Policy{"custom": want["custom"]},
	}
	dir := t.TempDir()
	audit, err := OpenAuditLog(dir, "acme", AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer audit.Close()
	for _, profile := range []string{"aicos", "assistant", "custom"} {
		id, err := cfg.Identity(&AgentConfig{Name: "agent-" + profile, Tenant: "acme", Profile: profile, DefaultTier: External})
		if err != nil {
			t.Fatal(err)
		}
		c := guardedClient(t, h.deps, &Guard{Tenant: "acme", Audit: audit, Default: id})
		for _, tier := range []Tier{External, Internal, VIP} {
			for _, tool := range ToolNames() {
				t.Run(fmt.Sprintf("%s/%s/%s", profile, tier, tool), func(t *testing.T) {
					need, assigned := want[profile][tool]
					exec := fmt.Sprintf("m-%s-%s-%s", profile, tier, tool)
					h.site.ResetRequests()
					res, err := callWithMeta(t, c, tool, matrixArgs[tool], map[string]any{"sender": map[string]any{"email": senders[tier]}, "executionId": exec})
					reached := len(h.site.Requests())
					got, rerr := ReadAudit(dir, "acme", AuditFilter{})
					if rerr != nil {
						t.Fatal(rerr)
					}
					var e *AuditEntry
					for i := range got.Entries {
						if got.Entries[i].ExecutionID == exec {
							e = &got.Entries[i]
						}
					}
					if e == nil {
						t.Fatalf("no audit entry for %s", exec)
					}
					if e.Agent != "agent-"+profile || e.Sender != senders[tier] || e.Tenant != "acme" || e.Tool != tool {
						t.Fatalf("audit entry %+v", e)
					}
					switch {
					case !assigned:
						// The filter hides the tool: mcp-go answers "not found".
						if err == nil {
							t.Fatalf("an unassigned tool ran: %s", resultText(res))
						}
						if e.Status != StatusDenied || reached != 0 {
							t.Fatalf("status %s, %d requests reached the site", e.Status, reached)
						}
					case tier < need:
						if err != nil || !res.IsError {
							t.Fatalf("not refused: %v %v", err, res)
						}
						text := resultText(res)
						if !strings.Contains(text, "needs "+map[bool]string{true: "an ", false: "a "}[need == Internal]+need.String()+" sender") || !strings.Contains(text, "is "+tier.String()) {
							t.Fatalf("refusal does not name the tier needed: %s", text)
						}
						if e.Status != StatusDenied || e.Required != need.String() || e.Tier != tier.String() {
							t.Fatalf("audit entry %+v", e)
						}
						if reached != 0 {
							t.Fatalf("a refused call reached Atlassian: %d requests", reached)
						}
					default:
						if err != nil {
							t.Fatal(err)
						}
						if text := resultText(res); strings.Contains(text, "sender") {
							t.Fatalf("allowed call refused: %s", text)
						}
						if e.Status == StatusDenied || e.Tier != tier.String() || e.TierSource != "directory" {
							t.Fatalf("audit entry %+v", e)
						}
						if slices.Contains(read, tool) && reached == 0 {
							t.Fatalf("an allowed read never reached Atlassian")
						}
						if res.IsError != (e.Status == StatusError) {
							t.Fatalf("isError=%v but audited %s", res.IsError, e.Status)
						}
					}
				})
			}
		}
	}
}

func TestToolListFilteredPerAgent(t *testing.T) {
	h := newHarness(t)
	cfg := &Config{Tenants: map[string]*TenantConfig{"acme": {}}}
	tests := []struct {
		name  string
		agent AgentConfig
		want  []string
	}{
		{"all tools", AgentConfig{Profile: "aicos"}, ToolNames()},
		{"assigned tools", AgentConfig{Profile: "aicos", Tools: []string{"atlassian_jira_search", "atlassian_confluence_get_page"}},
			[]string{"atlassian_confluence_get_page", "atlassian_jira_search"}},
		{"policy drops a tool", AgentConfig{Profile: "assistant", Tools: []string{"atlassian_jira_search"}}, []string{"atlassian_jira_search"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.agent.Name, tt.agent.Tenant, tt.agent.DefaultTier = "a", "acme", VIP
			id, err := cfg.Identity(&tt.agent)
			if err != nil {
				t.Fatal(err)
			}
			c := guardedClient(t, h.deps, &Guard{Tenant: "acme", Default: id})
			var got []string
			for name := range listed(t, c) {
				got = append(got, name)
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) {
				t.Fatalf("listed %v, want %v", got, want)
			}
		})
	}
}

func TestGuardRefusesCallsWithoutIdentityOrOfAnotherTenant(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	audit, err := OpenAuditLog(dir, "acme", AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer audit.Close()
	for _, tt := range []struct {
		name string
		id   *Identity
	}{
		{"no identity", nil},
		{"other tenant", &Identity{Agent: "g", Tenant: "globex", Policy: Policy{"atlassian_jira_search": Internal}, DefaultTier: VIP}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// The guard's filter hides every tool, and the middleware
			// refuses even if a call got through.
			g := &Guard{Tenant: "acme", Audit: audit, Default: tt.id}
			c := guardedClient(t, h.deps, g)
			if n := len(listed(t, c)); n != 0 {
				t.Fatalf("%d tools listed", n)
			}
			req := callRequest("atlassian_jira_search", nil)
			req.Params.Arguments = matrixArgs["atlassian_jira_search"]
			h.site.ResetRequests()
			res, err := g.Middleware(jiraSearchHandler(t, h.deps))(context.Background(), req)
			if err != nil || !res.IsError || len(h.site.Requests()) != 0 {
				t.Fatalf("not refused: %v %+v, %d requests", err, res, len(h.site.Requests()))
			}
		})
	}
	got, err := ReadAudit(dir, "acme", AuditFilter{Status: StatusDenied})
	if err != nil || len(got.Entries) != 2 {
		t.Fatalf("denied entries: %+v %v", got, err)
	}
}

// jiraSearchHandler is the search tool's bare handler.
func jiraSearchHandler(t *testing.T, d *mcp.Deps) func(context.Context, mcpgo.CallToolRequest) (*mcpgo.CallToolResult, error) {
	t.Helper()
	for _, tool := range mcp.AllTools(d) {
		if tool.Name == "atlassian_jira_search" {
			return tool.Handler
		}
	}
	t.Fatal("no atlassian_jira_search tool")
	return nil
}
