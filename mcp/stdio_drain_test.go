package mcp

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/internal/mcptest"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// A client that sends its calls and closes stdin at once (a script's
// `printf ... | atlassian-mcp serve`, or the MCP spec's shutdown) gets
// every answer, a slow write's included, before the server stops; mcp-go
// alone answers "context canceled" to whatever is still running.
func TestStdioAnswersWhatWasAskedBeforeInputEnded(t *testing.T) {
	site, deps := newSandboxDeps(t, nil)
	site.InjectFault(sandbox.Fault{Method: "POST", Path: "/rest/api/3/issue/*/comment", Latency: 300 * time.Millisecond})
	srv, err := NewServer(AllTools(deps), deps.Schema, Options{Products: []Product{Jira, Confluence}})
	if err != nil {
		t.Fatal(err)
	}
	in := strings.Join([]string{
		fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":%q,"capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`, mcpgo.ProtocolVersion20251125),
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		mcptest.SearchCall(2),
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"atlassian_jira_manage_issue","arguments":{"issueKey":"OPS-1","action":"add_comment","body":"Paged the on-call."}}}`,
		`{"jsonrpc":"2.0","id":"four","method":"ping"}`,
	}, "\n") + "\n"
	var out mcptest.SyncBuffer
	done := make(chan error, 1)
	go func() { done <- srv.ServeStdio(context.Background(), strings.NewReader(in), &out) }()
	select {
	case err := <-done:
		if err != nil && !strings.Contains(err.Error(), "EOF") {
			t.Fatalf("ServeStdio: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("ServeStdio did not return after its input ended")
	}
	answers := map[string]map[string]any{}
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not JSON on stdout: %q", sc.Text())
		}
		answers[fmt.Sprint(m["id"])] = m
	}
	for id, want := range map[string]string{"1": "protocolVersion", "2": "OPS-1", "3": "OPS-1", "four": "{}"} {
		m, ok := answers[id]
		if !ok {
			t.Errorf("no answer to %s; stdout:\n%s", id, out.String())
			continue
		}
		raw, _ := json.Marshal(m["result"])
		if m["error"] != nil || !strings.Contains(string(raw), want) || strings.Contains(string(raw), `"isError":true`) {
			t.Errorf("answer to %s: %v", id, m)
		}
	}
	issue, err := deps.Jira.Issues.Get(context.Background(), "OPS-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if raw, _ := json.Marshal(issue); !strings.Contains(string(raw), "Paged the on-call.") {
		t.Error("the comment sent before the input ended was not added")
	}
}

// Ending the context still ends the wait for answers at once.
func TestStdioDrainEndsWithItsContext(t *testing.T) {
	f := newInflight()
	f.read([]byte(mcptest.SearchCall(1)))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	if n := f.drain(ctx, time.Hour); n != 1 {
		t.Fatalf("drain after cancel reported %d unanswered, want 1", n)
	}
	if n := f.drain(context.Background(), 10*time.Millisecond); n != 1 {
		t.Fatalf("drain past its limit reported %d unanswered, want 1", n)
	}
	go f.wrote([]byte(`{"jsonrpc":"2.0","id":1,"result":{}}`))
	if n := f.drain(context.Background(), time.Hour); n != 0 {
		t.Fatalf("drain after the answer reported %d unanswered", n)
	}
	var none *inflight
	none.read([]byte(mcptest.SearchCall(1)))
	if n := none.drain(context.Background(), time.Hour); n != 0 {
		t.Fatalf("a nil count waited: %d", n)
	}
}

func TestMessageKind(t *testing.T) {
	for _, tc := range []struct {
		msg               string
		request, response bool
	}{
		{`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}`, true, false},
		{`{"method":"ping","params":{},"id":"a","jsonrpc":"2.0"}`, true, false},
		{`{"jsonrpc":"2.0","params":{"id":3},"method":"notifications/progress"}`, false, false},
		{`{"jsonrpc":"2.0","method":"notifications/initialized"}`, false, false},
		{`{"jsonrpc":"2.0","id":null,"method":"ping"}`, false, false},
		{`{"jsonrpc":"2.0","id":7,"result":{"method":"x"}}`, false, true},
		{`{"jsonrpc":"2.0","error":{"code":-32600},"id":"q"}`, false, true},
		{`{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}`, false, false},
		{`{"jsonrpc":"2.0","id":1}`, false, false},
		{`[{"jsonrpc":"2.0","id":1,"method":"ping"}]`, false, false},
		{`{"jsonrpc":"2.0","id":1,"method":`, false, false},
		{`not json`, false, false},
		{``, false, false},
	} {
		req, resp := messageKind([]byte(tc.msg))
		if req != tc.request || resp != tc.response {
			t.Errorf("messageKind(%s) = %v, %v; want %v, %v", tc.msg, req, resp, tc.request, tc.response)
		}
	}
}
