package mcp

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/internal/mcptest"
)

func TestStdioRefusesOversizedLinesAndServesOn(t *testing.T) {
	_, deps := newSandboxDeps(t, nil)
	srv, err := NewServer(AllTools(deps), deps.Schema, Options{Products: []Product{Jira, Confluence}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	served := make(chan error, 1)
	go func() { served <- srv.ServeStdio(ctx, inR, outW) }()
	t.Cleanup(func() { cancel(); inW.Close(); outR.Close(); <-served })
	answers := make(chan map[string]any, 16)
	go func() {
		sc := bufio.NewScanner(outR)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil {
				answers <- m
			}
		}
		close(answers)
	}()
	send := func(line string) {
		if _, err := io.WriteString(inW, line+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	answer := func(id float64) map[string]any {
		t.Helper()
		for {
			select {
			case m, ok := <-answers:
				if !ok {
					t.Fatalf("the server stopped before answering %v", id)
				}
				if m["id"] == id {
					return m
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("no answer to %v", id)
			}
		}
	}
	send(fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":%q,"capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`, mcpgo.ProtocolVersion20251125))
	answer(1)
	send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	send(mcptest.HugeCall(7, 50<<20))
	refusal := answer(7)
	rpcErr, _ := refusal["error"].(map[string]any)
	if msg, _ := rpcErr["message"].(string); rpcErr["code"] != float64(mcpgo.INVALID_REQUEST) || !strings.Contains(msg, "4194304 bytes") {
		t.Fatalf("the oversized line's answer: %v", refusal)
	}
	send(mcptest.SearchCall(8))
	good := answer(8)
	if raw, _ := json.Marshal(good); !strings.Contains(string(raw), "OPS-1") || good["error"] != nil {
		t.Fatalf("the good call after the refusal: %s", raw)
	}
}

func TestLineLimiterPassesLinesUpToTheLimit(t *testing.T) {
	var out strings.Builder
	in := "abcd\nabcde\n\nabcdef\nxy"
	l := &lineLimiter{in: bufio.NewReaderSize(strings.NewReader(in), 16), out: &lockedWriter{w: &out}, max: 5}
	got, err := io.ReadAll(l)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "abcd\nabcde\n\nxy" {
		t.Fatalf("passed %q", got)
	}
	if strings.Count(out.String(), "\n") != 1 || !strings.Contains(out.String(), `"id":null`) {
		t.Fatalf("refusals: %q", out.String())
	}
}

func TestLeadingID(t *testing.T) {
	for _, tc := range []struct {
		prefix string
		want   any
	}{
		{`{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"a":"xxxx`, int64(42)},
		{`{"jsonrpc":"2.0","id":"abc","params":{"a":"xx`, "abc"},
		{`{"jsonrpc":"2.0","params":{"id":3,"a":"xx`, nil},
		{`{"jsonrpc":"2.0","method":"x","params":{"a":"xx`, nil},
		{`[1,2`, nil},
	} {
		if got := leadingID([]byte(tc.prefix)); got != tc.want {
			t.Errorf("leadingID(%s) = %#v, want %#v", tc.prefix, got, tc.want)
		}
	}
}
