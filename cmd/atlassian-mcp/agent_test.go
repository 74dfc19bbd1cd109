package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/gateway"
	"github.com/atlassian-mcp/atlassian-mcp/internal/mcptest"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// connectSandbox starts a sandbox site and connects it as connection name
// in dataDir through the real OAuth flow, as an admin would with connect.
func connectSandbox(t *testing.T, dataDir, name string, opts ...sandbox.Option) *sandbox.Server {
	t.Helper()
	site, err := sandbox.Start(append([]sandbox.Option{sandbox.WithAutoApprove()}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(site.Close)
	redirect, err := freeLoopbackCallback()
	if err != nil {
		t.Fatal(err)
	}
	site.RegisterRedirectURI(redirect)
	browser := &http.Client{Timeout: 30 * time.Second}
	quiet := streams{in: strings.NewReader(""), out: io.Discard, err: io.Discard}
	err = connectCmd(context.Background(), quiet, connectOptions{
		store: &storeFlags{dataDir: dataDir, connection: name}, clientID: site.ClientID, clientSecret: site.ClientSecret,
		authURL: site.URL, apiURL: site.URL, redirectURI: redirect, timeout: time.Minute,
		browse: func(u string) error {
			resp, err := browser.Get(u)
			if err != nil {
				return err
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			return resp.Body.Close()
		},
		log: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatalf("connect %s: %v", name, err)
	}
	return site
}

// addAgent runs 'agent add' and returns the printed token.
func addAgent(t *testing.T, dataDir string, args ...string) string {
	t.Helper()
	code, out, errOut := runWith(t, nil, append([]string{"agent", "add", "--data-dir", dataDir}, args...)...)
	token := strings.TrimSpace(out)
	if code != exitOK || !strings.HasPrefix(token, gateway.TokenPrefix) || strings.Count(out, "\n") != 1 {
		t.Fatalf("agent add %v: exit %d\nstdout %q\nstderr %s", args, code, out, errOut)
	}
	return token
}

// callAs calls tool as the client with sender's email in _meta (none when
// empty).
func callAs(t *testing.T, c *client.Client, tool string, args map[string]any, sender, exec string) *mcpgo.CallToolResult {
	t.Helper()
	var req mcpgo.CallToolRequest
	req.Params.Name = tool
	req.Params.Arguments = args
	meta := map[string]any{}
	if sender != "" {
		meta["sender"] = map[string]any{"email": sender}
	}
	if exec != "" {
		meta["executionId"] = exec
	}
	req.Params.Meta = mcpgo.NewMetaFromMap(meta)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := c.CallTool(ctx, req)
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	return res
}

// TestTwoTenantsFromAConfigAsANewUserSetsItUp connects two sites, adds
// agents with the CLI, lists business domains and VIPs in the config,
// serves HTTP from it and checks tiers, tools, isolation and the audit
// command.
func TestTwoTenantsFromAConfigAsANewUserSetsItUp(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	acme := connectSandbox(t, dir, "acme-cloud")
	globex := connectSandbox(t, dir, "globex", sandbox.WithGeneratedSite(sandbox.SiteSpec{Projects: 5, Issues: 30, Spaces: 2, Pages: 6, Seed: 3}))

	cos := addAgent(t, dir, "--name", "acme-cos", "--tenant", "acme", "--connection", "acme-cloud", "--profile", "aicos", "--default-tier", "external")
	mail := addAgent(t, dir, "--name", "acme-mail", "--tenant", "acme", "--profile", "assistant",
		"--tools", "atlassian_jira_search,atlassian_jira_get_issue,atlassian_jira_create_issue")
	ops := addAgent(t, dir, "--name", "globex-ops", "--tenant", "globex", "--profile", "aicos", "--default-tier", "vip")
	if code, _, errOut := runWith(t, nil, "agent", "add", "--data-dir", dir, "--name", "acme-cos", "--tenant", "acme", "--profile", "aicos"); code != exitFailure || !strings.Contains(errOut, "already exists") {
		t.Fatalf("duplicate agent: exit %d %s", code, errOut)
	}
	code, out, _ := runWith(t, nil, "agent", "list", "--data-dir", dir)
	if code != exitOK || !strings.Contains(out, "acme-mail") || !strings.Contains(out, "3: jira_search,jira_get_issue,jira_create_issue") || strings.Contains(out, cos) {
		t.Fatalf("agent list: exit %d\n%s", code, out)
	}
	// The admin lists who is internal and VIP for acme.
	path := filepath.Join(dir, "config.json")
	cfg, err := gateway.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Tenants["acme"].BusinessDomains = []string{"acme.com"}
	cfg.Tenants["acme"].VIPs = []string{"ceo@acme.com"}
	if err := cfg.Save(path); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	for _, tok := range []string{cos, mail, ops} {
		if strings.Contains(string(raw), tok) {
			t.Fatal("the config holds a token")
		}
	}

	cmd, endpoint, _ := startHTTPServer(t, nil, "serve", "--http", "127.0.0.1:0", "--data-dir", dir, "--log-level", "warn")
	cosC, mailC, opsC := httpClient(t, endpoint, cos), httpClient(t, endpoint, mail), httpClient(t, endpoint, ops)
	for _, c := range []*client.Client{cosC, mailC, opsC} {
		initialize(t, c)
	}
	bad := httpClient(t, endpoint, gateway.TokenPrefix+strings.Repeat("x", 43))
	var init mcpgo.InitializeRequest
	init.Params.ProtocolVersion = mcpgo.LATEST_PROTOCOL_VERSION
	if _, err := bad.Initialize(context.Background(), init); err == nil {
		t.Fatal("a wrong token was accepted")
	}

	count := func(c *client.Client) int {
		res, err := c.ListTools(context.Background(), mcpgo.ListToolsRequest{})
		if err != nil {
			t.Fatal(err)
		}
		return len(res.Tools)
	}
	if n, m := count(cosC), count(mailC); n != 8 || m != 3 {
		t.Fatalf("acme-cos lists %d tools, acme-mail %d", n, m)
	}

	search := map[string]any{"jql": "project = ENG ORDER BY key ASC", "maxResults": 1}
	create := map[string]any{"projectKey": "ENG", "issueType": "Task", "summary": "Raised by the CEO"}
	// The chief of staff: no sender is external (its default), so nothing runs.
	acme.ResetRequests()
	if res := callAs(t, cosC, "atlassian_jira_search", search, "", "cos-1"); !res.IsError || !strings.Contains(mcptest.ResultText(res), "needs an internal sender") {
		t.Fatalf("no sender: %s", mcptest.ResultText(res))
	}
	if res := callAs(t, cosC, "atlassian_jira_search", search, "ana@acme.com", "cos-2"); res.IsError {
		t.Fatalf("internal search: %s", mcptest.ResultText(res))
	}
	if res := callAs(t, cosC, "atlassian_jira_create_issue", create, "ana@acme.com", "cos-3"); !res.IsError || !strings.Contains(mcptest.ResultText(res), "needs a vip sender") {
		t.Fatalf("internal create under aicos: %s", mcptest.ResultText(res))
	}
	before := len(acme.Requests())
	if res := callAs(t, cosC, "atlassian_jira_create_issue", create, "ceo@acme.com", "cos-4"); res.IsError || !strings.Contains(mcptest.ResultText(res), "ENG-") {
		t.Fatalf("vip create: %s", mcptest.ResultText(res))
	}
	if len(acme.Requests()) == before {
		t.Fatal("the vip create never reached acme's site")
	}
	// The assistant lets an internal sender create.
	if res := callAs(t, mailC, "atlassian_jira_create_issue", create, "ana@acme.com", "mail-1"); res.IsError {
		t.Fatalf("assistant create: %s", mcptest.ResultText(res))
	}
	// Tenants: globex's projects are on globex's site only.
	globex.ResetRequests()
	if res := callAs(t, cosC, "atlassian_jira_search", map[string]any{"jql": "project = PRJ4"}, "ana@acme.com", "cos-5"); !res.IsError {
		t.Fatalf("acme reached globex's project: %s", mcptest.ResultText(res))
	}
	if n := len(globex.Requests()); n != 0 {
		t.Fatalf("acme's agent reached globex's site (%d requests)", n)
	}
	if res := callAs(t, opsC, "atlassian_jira_search", map[string]any{"jql": "project = PRJ4", "maxResults": 1}, "", "ops-1"); res.IsError || !strings.Contains(mcptest.ResultText(res), "PRJ4-") {
		t.Fatalf("globex search: %s", mcptest.ResultText(res))
	}
	stopGracefully(t, cmd)

	// The audit command shows what happened, per tenant and filtered.
	code, out, errOut := runWith(t, nil, "audit", "--data-dir", dir)
	if code != exitOK || errOut != "" || !strings.Contains(out, "globex-ops") || !strings.Contains(out, "jira_create_issue") || !strings.Contains(out, "7 entries.") {
		t.Fatalf("audit: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = runWith(t, nil, "audit", "--data-dir", dir, "--tenant", "acme", "--status", "denied", "--json")
	var denied []gateway.AuditEntry
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var e gateway.AuditEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("audit --json line %q: %v", line, err)
		}
		denied = append(denied, e)
	}
	if code != exitOK || len(denied) != 2 || denied[0].ExecutionID != "cos-1" || denied[0].Tier != "external" ||
		denied[1].ExecutionID != "cos-3" || denied[1].Required != "vip" || denied[1].Sender != "ana@acme.com" {
		t.Fatalf("audit --status denied: exit %d %+v", code, denied)
	}
	code, out, _ = runWith(t, nil, "audit", "--data-dir", dir, "--agent", "acme-mail", "--tool", "jira_create_issue", "--since", "1h")
	if code != exitOK || !strings.Contains(out, "mail-1") || !strings.Contains(out, "1 entry.") {
		t.Fatalf("audit --agent --tool: exit %d\n%s", code, out)
	}
	if code, _, errOut := runWith(t, nil, "audit", "--data-dir", dir, "--since", "yesterday"); code != exitUsage || !strings.Contains(errOut, "duration") {
		t.Fatalf("bad --since: exit %d %s", code, errOut)
	}

	// Removing an agent keeps the others.
	if code, _, errOut := runWith(t, nil, "agent", "remove", "--data-dir", dir, "--name", "acme-mail"); code != exitOK {
		t.Fatalf("agent remove: %d %s", code, errOut)
	}
	if cfg, err := gateway.LoadConfig(path); err != nil || len(cfg.Agents) != 2 || cfg.Agent("acme-mail") != nil {
		t.Fatalf("after remove: %v %+v", err, cfg)
	}
}

// TestAuditSurvivesKill9UnderLoad serves a sandbox over HTTP, drives
// concurrent calls, kills the server with SIGKILL mid-load, and checks
// every call that was answered is in the audit log, which reads cleanly.
func TestAuditSurvivesKill9UnderLoad(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	connectSandbox(t, dir, "acme")
	token := addAgent(t, dir, "--name", "loader", "--tenant", "acme", "--profile", "assistant")
	cmd, endpoint, _ := startHTTPServer(t, nil, "serve", "--http", "127.0.0.1:0", "--data-dir", dir, "--log-level", "error")

	var mu sync.Mutex
	var acked []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 8 {
		c := httpClient(t, endpoint, token)
		initialize(t, c)
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				exec := fmt.Sprintf("w%d-%d", w, i)
				var req mcpgo.CallToolRequest
				req.Params.Name = "atlassian_jira_get_issue"
				req.Params.Arguments = map[string]any{"issueKey": fmt.Sprintf("ENG-%d", i%5+1)}
				req.Params.Meta = mcpgo.NewMetaFromMap(map[string]any{"executionId": exec})
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				_, err := c.CallTool(ctx, req)
				cancel()
				if err != nil {
					return // the server is gone
				}
				mu.Lock()
				acked = append(acked, exec)
				mu.Unlock()
			}
		})
	}
	// Let the load run, then kill the server without warning.
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 150 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	close(stop)
	wg.Wait()
	if len(acked) < 20 {
		t.Fatalf("only %d calls were answered before the kill", len(acked))
	}

	res, err := gateway.ReadAudit(filepath.Join(dir, "audit"), "acme", gateway.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Skipped) > 1 {
		t.Fatalf("more than a torn last line was skipped: %v", res.Skipped)
	}
	logged := map[string]bool{}
	for _, e := range res.Entries {
		logged[e.ExecutionID] = true
	}
	for _, exec := range acked {
		if !logged[exec] {
			t.Fatalf("call %s was answered but is not in the audit log (%d answered, %d logged)", exec, len(acked), len(res.Entries))
		}
	}
	t.Logf("%d calls answered before SIGKILL, %d entries logged, skipped %v", len(acked), len(res.Entries), res.Skipped)
	code, out, errOut := runWith(t, nil, "audit", "--data-dir", dir, "--limit", "3")
	if code != exitOK || !strings.Contains(out, "loader") {
		t.Fatalf("audit after the crash: exit %d\n%s\n%s", code, out, errOut)
	}
	// A restarted server keeps appending whole lines after a torn one.
	cmd, endpoint, _ = startHTTPServer(t, nil, "serve", "--http", "127.0.0.1:0", "--data-dir", dir, "--log-level", "error")
	c := httpClient(t, endpoint, token)
	initialize(t, c)
	callAs(t, c, "atlassian_jira_get_issue", map[string]any{"issueKey": "ENG-1"}, "", "after-restart")
	stopGracefully(t, cmd)
	res, err = gateway.ReadAudit(filepath.Join(dir, "audit"), "acme", gateway.AuditFilter{Agent: "loader"})
	if err != nil || res.Entries[len(res.Entries)-1].ExecutionID != "after-restart" || len(res.Skipped) > 1 {
		t.Fatalf("after restart: %v, skipped %v", err, res.Skipped)
	}
}

func TestAgentCommandErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no subcommand", []string{"agent"}, exitUsage, "Usage: atlassian-mcp agent"},
		{"unknown subcommand", []string{"agent", "rename"}, exitUsage, `unknown subcommand "rename"`},
		{"add without flags", []string{"agent", "add", "--data-dir", dir}, exitUsage, "--name, --tenant and --profile are required"},
		{"bad tier", []string{"agent", "add", "--data-dir", dir, "--name", "a", "--tenant", "t", "--profile", "aicos", "--default-tier", "owner"}, exitUsage, "--default-tier"},
		{"bad profile", []string{"agent", "add", "--data-dir", dir, "--name", "a", "--tenant", "t", "--profile", "admin"}, exitUsage, `profile "admin"`},
		{"bad tool", []string{"agent", "add", "--data-dir", dir, "--name", "a", "--tenant", "t", "--profile", "aicos", "--tools", "jira_search,jira_serch"}, exitUsage, `tool "jira_serch" is unknown; the tools are jira_search, jira_get_issue`},
		{"bad tenant", []string{"agent", "add", "--data-dir", dir, "--name", "a", "--tenant", "../t", "--profile", "aicos"}, exitUsage, `tenant "../t"`},
		{"list without config", []string{"agent", "list", "--data-dir", dir}, exitFailure, "agent add"},
		{"remove unknown", []string{"agent", "remove", "--data-dir", dir, "--name", "ghost"}, exitFailure, "no agents config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runWith(t, nil, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, errOut)
			}
			if _, err := os.Stat(filepath.Join(dir, "config.json")); err == nil {
				t.Fatal("a failed command wrote the config")
			}
		})
	}
}

// TestAgentAddTakesToolNamesAsListed checks that --tools takes the short
// names 'agent list' prints as well as the full ones, and that the config
// stores full names.
func TestAgentAddTakesToolNamesAsListed(t *testing.T) {
	tests := []struct {
		name, tools, wantList string
		wantConfig            []string
	}{
		{"short", "jira_search,confluence_get_page", "2: jira_search,confluence_get_page",
			[]string{"atlassian_jira_search", "atlassian_confluence_get_page"}},
		{"full", "atlassian_jira_get_issue", "1: jira_get_issue", []string{"atlassian_jira_get_issue"}},
		{"mixed, repeated, spaced", " jira_search , atlassian_jira_search,jira_manage_issue", "2: jira_search,jira_manage_issue",
			[]string{"atlassian_jira_search", "atlassian_jira_manage_issue"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if code, _, errOut := runWith(t, nil, "agent", "add", "--data-dir", dir, "--name", "a", "--tenant", "t", "--profile", "assistant", "--tools", tt.tools); code != exitOK {
				t.Fatalf("agent add: exit %d\n%s", code, errOut)
			}
			code, out, errOut := runWith(t, nil, "agent", "list", "--data-dir", dir)
			if code != exitOK || !strings.Contains(out, tt.wantList) {
				t.Fatalf("agent list: exit %d, want %q in\n%s%s", code, tt.wantList, out, errOut)
			}
			cfg, err := gateway.LoadConfig(filepath.Join(dir, "config.json"))
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Agent("a").Tools; !slices.Equal(got, tt.wantConfig) {
				t.Fatalf("config tools = %q, want %q", got, tt.wantConfig)
			}
		})
	}
}

// TestStdioCallsAreAuditedWithTheFlagsProfile serves stdio over a
// connection with --profile aicos --tier internal: reads run, writes are
// refused as needing vip, and both are audited as the local user.
func TestStdioCallsAreAuditedWithTheFlagsProfile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	site := connectSandbox(t, dir, "default")
	c, err := client.NewStdioMCPClient(binary(t), os.Environ(), "serve", "--data-dir", dir, "--profile", "aicos", "--tier", "internal", "--log-level", "warn")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	initialize(t, c)
	if res := callAs(t, c, "atlassian_jira_get_issue", map[string]any{"issueKey": "ENG-1"}, "", "s-1"); res.IsError {
		t.Fatalf("read: %s", mcptest.ResultText(res))
	}
	site.ResetRequests()
	res := callAs(t, c, "atlassian_jira_create_issue", map[string]any{"projectKey": "ENG", "issueType": "Task", "summary": "x"}, "", "s-2")
	if !res.IsError || !strings.Contains(mcptest.ResultText(res), "needs a vip sender") || len(site.Requests()) != 0 {
		t.Fatalf("write as internal under aicos: %s (%d requests)", mcptest.ResultText(res), len(site.Requests()))
	}
	c.Close()
	code, out, errOut := runWith(t, nil, "audit", "--data-dir", dir, "--json")
	var got []gateway.AuditEntry
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var e gateway.AuditEntry
		if json.Unmarshal([]byte(line), &e) == nil {
			got = append(got, e)
		}
	}
	if code != exitOK || len(got) != 2 || got[0].Agent != "local" || got[0].Tenant != "default" || got[0].Status != "ok" ||
		got[0].Params["issueKey"] != "ENG-1" || got[1].Status != "denied" || got[1].Tier != "internal" || got[1].Required != "vip" {
		t.Fatalf("audit: exit %d %+v\n%s", code, got, errOut)
	}
	if code, _, errOut := runWith(t, nil, "serve", "--data-dir", dir, "--profile", "boss"); code != exitUsage || !strings.Contains(errOut, "--profile") {
		t.Fatalf("bad --profile: exit %d %s", code, errOut)
	}
}
