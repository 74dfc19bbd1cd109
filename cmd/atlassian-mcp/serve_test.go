package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	mcpgo "github.com/mark3labs/mcp-go/mcp"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// binary builds the atlassian-mcp binary once for the end-to-end tests.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "atlassian-mcp-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "atlassian-mcp")
		// Built as the Makefile builds it (static), so the tests and the
		// cold-start benchmark run what users run.
		build := exec.Command("go", "build", "-o", binPath, ".")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		out, err := build.CombinedOutput()
		if err != nil {
			binErr = err
			t.Logf("go build: %s", out)
		}
	})
	if binErr != nil {
		t.Fatalf("build the binary: %v", binErr)
	}
	return binPath
}

// initialize runs the MCP handshake.
func initialize(t *testing.T, c *client.Client) {
	t.Helper()
	var init mcpgo.InitializeRequest
	init.Params.ProtocolVersion = mcpgo.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcpgo.Implementation{Name: "e2e", Version: "1"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatalf("initialize: %v", err)
	}
}

// exerciseServer lists the tools and runs a search through c.
func exerciseServer(t *testing.T, c *client.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tools, err := c.ListTools(ctx, mcpgo.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tools.Tools) != 8 {
		t.Fatalf("%d tools listed, want 8", len(tools.Tools))
	}
	var req mcpgo.CallToolRequest
	req.Params.Name = "atlassian_jira_search"
	req.Params.Arguments = map[string]any{"jql": "project = OPS ORDER BY key ASC", "maxResults": 3}
	res, err := c.CallTool(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	text := ""
	for _, ct := range res.Content {
		if tc, ok := ct.(mcpgo.TextContent); ok {
			text += tc.Text
		}
	}
	if res.IsError || !strings.Contains(text, "OPS-1") {
		t.Fatalf("search over the served sandbox: isError=%v\n%s", res.IsError, text)
	}
}

func TestServeSandboxOverStdio(t *testing.T) {
	bin := binary(t)
	c, err := client.NewStdioMCPClient(bin, os.Environ(), "serve", "--sandbox", "--log-level", "warn")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	initialize(t, c)
	exerciseServer(t, c)
}

// startHTTPServer starts the binary with args, waits for it to say where
// it listens, and returns the endpoint and the stderr lines matching
// extra (e.g. the sandbox token). The process is killed at the end of the
// test unless the test stopped it.
func startHTTPServer(t *testing.T, extra *regexp.Regexp, args ...string) (*exec.Cmd, string, []string) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addrRe := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+/mcp)`)
	found := make(chan string, 1)
	var mu sync.Mutex
	var matched []string
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if extra != nil {
				if m := extra.FindStringSubmatch(sc.Text()); m != nil {
					mu.Lock()
					matched = append(matched, m[len(m)-1])
					mu.Unlock()
				}
			}
			if m := addrRe.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case endpoint := <-found:
		mu.Lock()
		defer mu.Unlock()
		return cmd, endpoint, slices.Clone(matched)
	case <-time.After(60 * time.Second):
		t.Fatal("the server did not say where it listens")
	}
	return nil, "", nil
}

// httpClient connects to endpoint with a bearer token (none when empty).
func httpClient(t *testing.T, endpoint, token string) *client.Client {
	t.Helper()
	var opts []transport.StreamableHTTPCOption
	if token != "" {
		opts = append(opts, transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + token}))
	}
	c, err := client.NewStreamableHttpClient(endpoint, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// stopGracefully sends SIGTERM and expects exit code 0.
func stopGracefully(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not stop after SIGTERM")
	}
}

func TestServeSandboxOverHTTP(t *testing.T) {
	tokenRe := regexp.MustCompile(`Authorization: Bearer (amcp_[A-Za-z0-9_-]+)`)
	cmd, endpoint, tokens := startHTTPServer(t, tokenRe, "serve", "--sandbox", "--http", "127.0.0.1:0")
	if len(tokens) != 1 {
		t.Fatalf("the sandbox printed %d agent tokens, want 1", len(tokens))
	}
	// Without the token: 401.
	resp, err := http.Post(endpoint, "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("no token: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	c := httpClient(t, endpoint, tokens[0])
	initialize(t, c)
	exerciseServer(t, c)
	_ = c.Close()

	// SIGTERM shuts the server down gracefully with exit code 0.
	stopGracefully(t, cmd)
}

func TestServeNoAuthIsLoopbackOnly(t *testing.T) {
	code, _, errOut := runWith(t, nil, "serve", "--no-auth", "--http", "0.0.0.0:8080")
	if code != exitUsage || !strings.Contains(errOut, "only listens on loopback") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	cmd, endpoint, _ := startHTTPServer(t, nil, "serve", "--sandbox", "--no-auth", "--http", "127.0.0.1:0")
	c := httpClient(t, endpoint, "")
	initialize(t, c)
	exerciseServer(t, c)
	stopGracefully(t, cmd)
}

func TestServeHTTPWithoutAgentsSaysWhatToDo(t *testing.T) {
	code, _, errOut := runWith(t, nil, "serve", "--http", "0.0.0.0:8080", "--data-dir", t.TempDir())
	if code != exitFailure || !strings.Contains(errOut, "agent add") || !strings.Contains(errOut, "--no-auth") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

func TestServeWithoutConnectionSaysWhatToDo(t *testing.T) {
	code, _, errOut := runWith(t, nil, "serve", "--data-dir", filepath.Join(t.TempDir(), "data"))
	if code != exitFailure || !strings.Contains(errOut, "atlassian-mcp connect") || !strings.Contains(errOut, "--sandbox") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

func TestCallAndToolsAgainstTheSandbox(t *testing.T) {
	code, out, errOut := runWith(t, nil, "call", "atlassian_jira_search", `{"jql":"project = MKT ORDER BY key ASC","maxResults":2}`, "--sandbox")
	if code != exitOK || !strings.Contains(out, "MKT-1") {
		t.Fatalf("call: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = runWith(t, nil, "call", "--sandbox", "--json", "atlassian_jira_search", `{"jql":"project = MKT","maxResults":1}`)
	var structured map[string]any
	if code != exitOK || json.Unmarshal([]byte(out), &structured) != nil {
		t.Fatalf("call --json: exit %d\n%s", code, out)
	}
	code, out, _ = runWith(t, nil, "call", "--sandbox", "atlassian_jira_search", `{"jql":"project = NOPE"}`)
	if code != exitFailure || !strings.Contains(out, "NOPE") {
		t.Fatalf("failing call: exit %d\n%s", code, out)
	}
	code, _, errOut = runWith(t, nil, "call", "--sandbox", "atlassian_jira_search", `not json`)
	if code != exitUsage || !strings.Contains(errOut, "not a JSON object") {
		t.Fatalf("bad arguments: exit %d %s", code, errOut)
	}

	code, out, _ = runWith(t, nil, "tools", "--sandbox", "--read-only")
	if code != exitOK || !strings.Contains(out, "atlassian_confluence_get_page") || strings.Contains(out, "atlassian_jira_create_issue") ||
		!strings.Contains(out, "4 tools; descriptions total") {
		t.Fatalf("tools --read-only: exit %d\n%s", code, out)
	}
	code, _, errOut = runWith(t, nil, "tools", "--sandbox", "--tools", "nope")
	if code != exitUsage || !strings.Contains(errOut, `tool "nope" is unknown`) {
		t.Fatalf("tools --tools nope: exit %d %s", code, errOut)
	}
}

// TestToolFlagsShortOrFull: serve's --tools and --exclude-tools (shared
// by tools and call) take tool names as agent list prints them
// (jira_search) or in full, as agent add --tools does, and refuse an
// unknown one before anything starts, naming the flag.
func TestToolFlagsShortOrFull(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		code      int
		want      []string // in the listing (stdout) or the error (stderr)
		forbidden []string // not in the listing
	}{
		{"short and full --tools", []string{"tools", "--sandbox", "--tools", "jira_search,atlassian_jira_get_issue,jira_search"}, exitOK,
			[]string{"atlassian_jira_search", "atlassian_jira_get_issue", "2 tools;"}, []string{"atlassian_jira_create_issue", "atlassian_confluence_search"}},
		{"short --exclude-tools", []string{"tools", "--sandbox", "--exclude-tools", "jira_create_issue, confluence_create_page"}, exitOK,
			[]string{"atlassian_jira_search", "atlassian_confluence_get_page", "6 tools;"}, []string{"atlassian_jira_create_issue", "atlassian_confluence_create_page"}},
		{"full --exclude-tools", []string{"tools", "--sandbox", "--exclude-tools", "atlassian_jira_update_issue"}, exitOK,
			[]string{"atlassian_jira_manage_issue", "7 tools;"}, []string{"atlassian_jira_update_issue"}},
		{"serve, unknown short name", []string{"serve", "--sandbox", "--tools", "jira_serch"}, exitUsage,
			[]string{`invalid value "jira_serch" for flag -tools: tool "jira_serch" is unknown; the tools are jira_search, jira_get_issue`}, nil},
		{"serve, unknown --exclude-tools", []string{"serve", "--sandbox", "--exclude-tools", "atlassian_bogus"}, exitUsage,
			[]string{`flag -exclude-tools: tool "atlassian_bogus" is unknown`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runWith(t, nil, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out+errOut, w) {
					t.Errorf("lacks %q:\nstdout:\n%s\nstderr:\n%s", w, out, errOut)
				}
			}
			for _, f := range tt.forbidden {
				if strings.Contains(out, f) {
					t.Errorf("lists %q:\n%s", f, out)
				}
			}
		})
	}
}

func TestSchemaCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	// Connect a sandbox connection into dir; serve's sandbox setup does it.
	code, out, errOut := runWith(t, nil, "call", "--sandbox", "--data-dir", dir, "atlassian_jira_search", `{"jql":"project = ENG","maxResults":1}`)
	if code != exitOK {
		t.Fatalf("call: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runWith(t, nil, "schema", "--data-dir", dir, "--connection", "sandbox")
	if code != exitOK || !strings.Contains(out, "ENG - Engineering") || !strings.Contains(out, "Engineering > Bug") {
		t.Fatalf("schema: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = runWith(t, nil, "schema", "--data-dir", dir, "--connection", "sandbox", "--json")
	var snap struct {
		Products []string `json:"products"`
	}
	if code != exitOK || json.Unmarshal([]byte(out), &snap) != nil || len(snap.Products) != 2 {
		t.Fatalf("schema --json: exit %d\n%.300s", code, out)
	}
	// The sandbox that connection points at is gone, so a refresh fails
	// clearly and keeps the cached schema.
	code, _, errOut = runWith(t, nil, "schema", "refresh", "--data-dir", dir, "--connection", "sandbox", "--timeout", "5s")
	if code != exitFailure || errOut == "" {
		t.Fatalf("refresh against a stopped site: exit %d %s", code, errOut)
	}
	code, out, _ = runWith(t, nil, "schema", "--data-dir", dir, "--connection", "sandbox")
	if code != exitOK || !strings.Contains(out, "ENG - Engineering") {
		t.Fatalf("schema after a failed refresh: exit %d\n%s", code, out)
	}
	// A connection that does not exist: connect, not schema refresh.
	code, _, errOut = runWith(t, nil, "schema", "--data-dir", dir)
	if code != exitFailure || !strings.Contains(errOut, "atlassian-mcp connect --connection default") || strings.Contains(errOut, "schema refresh") {
		t.Fatalf("schema of a missing connection: exit %d %s", code, errOut)
	}
}

func TestCallIsAudited(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	code, out, errOut := runWith(t, nil, "call", "--sandbox", "--data-dir", dir, "atlassian_jira_search", `{"jql":"project = OPS","maxResults":1}`)
	if code != exitOK {
		t.Fatalf("call: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runWith(t, nil, "audit", "--data-dir", dir, "--json")
	if code != exitOK || !strings.Contains(out, `"tool":"atlassian_jira_search"`) || !strings.Contains(out, "project = OPS") {
		t.Fatalf("audit after call: exit %d\n%s\n%s", code, out, errOut)
	}
}
