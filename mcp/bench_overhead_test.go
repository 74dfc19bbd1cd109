package mcp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// BenchmarkServerOverhead is BenchmarkJiraSearchOverhead without the MCP
// client's own work: the same search as raw JSON-RPC lines written to the
// stdio server and its answer read back as a line, undecoded. The ratio of
// stdio-server to rest is the server's overhead over the REST call it
// makes (binding, the tool, rendering, sanitising, mcp-go's decoding of the
// request and encoding of the answer); BenchmarkJiraSearchOverhead's mcp
// adds what an mcp-go client spends encoding the call and decoding the
// result, which runs in the agent's process.
func BenchmarkServerOverhead(b *testing.B) {
	h := newHarnessWith(b, []atlassian.Option{atlassian.WithoutRateLimits()}, sandbox.WithoutRateLimits())
	keys := make([]string, 20)
	for i := range keys {
		keys[i] = "ENG-" + strconv.Itoa(i+1)
	}
	jql := "key in (" + strings.Join(keys, ", ") + ") ORDER BY key ASC"
	opts := atlassian.SearchOptions{JQL: jql, MaxResults: 25, Fields: defaultSearchFields}
	b.Run("rest", func(b *testing.B) {
		for b.Loop() {
			if _, err := h.deps.Jira.Search.JQL(context.Background(), &opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	// A server of its own: mcp-go keeps one stdio session per server, and
	// the harness's client holds it.
	srv, err := NewServer(AllTools(h.deps), h.deps.Schema, Options{Products: []Product{Jira, Confluence}})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("stdio-server", func(b *testing.B) {
		ctx, cancel := context.WithCancel(context.Background())
		inR, inW := io.Pipe()
		outR, outW := io.Pipe()
		served := make(chan error, 1)
		go func() { served <- srv.ServeStdio(ctx, inR, outW) }()
		defer func() {
			cancel()
			inW.Close()
			outW.Close()
			<-served
		}()
		out := bufio.NewReaderSize(outR, 1<<20)
		send := func(line []byte) []byte {
			if _, err := inW.Write(line); err != nil {
				b.Fatal(err)
			}
			resp, err := out.ReadBytes('\n')
			if err != nil {
				b.Fatal(err)
			}
			return resp
		}
		send([]byte(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}` + "\n"))
		if _, err := inW.Write([]byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n")); err != nil {
			b.Fatal(err)
		}
		args, _ := json.Marshal(map[string]any{"jql": jql})
		call := []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"` + searchTool + `","arguments":` + string(args) + "}}\n")
		resp := send(call)
		if !bytes.Contains(resp, []byte(`"structuredContent"`)) || bytes.Contains(resp, []byte(`"isError":true`)) {
			b.Fatalf("unexpected answer: %.500s", resp)
		}
		b.SetBytes(int64(len(resp)))
		b.ResetTimer()
		for b.Loop() {
			send(call)
		}
	})
}
