package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	mcpgo "github.com/mark3labs/mcp-go/mcp"
)

// procStatus reads one field (VmRSS, VmHWM) of pid's /proc status in bytes.
func procStatus(tb testing.TB, pid int, field string) int64 {
	tb.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatalf("read the server's memory: %v", err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				tb.Fatalf("%s: %q", field, line)
			}
			return kb << 10
		}
	}
	tb.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// resetPeak makes VmHWM start again from the current RSS.
func resetPeak(tb testing.TB, pid int) {
	tb.Helper()
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0); err != nil {
		tb.Fatalf("reset the server's peak RSS: %v", err)
	}
}

// hugeBody is a tools/call of size bytes, generated as it is read.
func hugeBody(id, size int) io.Reader {
	head := fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"atlassian_jira_search","arguments":{"jql":"`, id)
	tail := `"}}}`
	return io.MultiReader(strings.NewReader(head),
		io.LimitReader(repeatByte('A'), int64(size-len(head)-len(tail))), strings.NewReader(tail))
}

type repeatByte byte

func (r repeatByte) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// spawnHTTP starts serve --sandbox --http on a free port and returns the
// process, endpoint and sandbox agent token.
func spawnHTTP(tb testing.TB, extra ...string) (*exec.Cmd, string, string) {
	tb.Helper()
	bin := binary(&testing.T{})
	cmd := exec.Command(bin, append([]string{"serve", "--sandbox", "--http", "127.0.0.1:0", "--log-level", "error"}, extra...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addrRe := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+/mcp)`)
	tokenRe := regexp.MustCompile(`Authorization: Bearer (amcp_[A-Za-z0-9_-]+)`)
	type found struct{ endpoint, token string }
	ready := make(chan found, 1)
	go func() {
		var f found
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := tokenRe.FindStringSubmatch(sc.Text()); m != nil {
				f.token = m[1]
			}
			if m := addrRe.FindStringSubmatch(sc.Text()); m != nil {
				f.endpoint = m[1]
				ready <- f
			}
		}
	}()
	select {
	case f := <-ready:
		return cmd, f.endpoint, f.token
	case <-time.After(60 * time.Second):
		tb.Fatal("the server did not say where it listens")
	}
	return nil, "", ""
}

// rpcPost posts one JSON-RPC message with the sandbox token and returns
// the status and body.
func rpcPost(endpoint, token string, body io.Reader) (int, string, error) {
	req, _ := http.NewRequest(http.MethodPost, endpoint, body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(raw), nil
}

// goodHTTPCall runs a search as a real MCP client (a new one each time,
// so a refusal cannot have left state behind) and reports what failed.
func goodHTTPCall(endpoint, token string) error {
	c, err := client.NewStreamableHttpClient(endpoint, transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + token}))
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		return err
	}
	var init mcpgo.InitializeRequest
	init.Params.ProtocolVersion = mcpgo.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcpgo.Implementation{Name: "bench", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		return err
	}
	var req mcpgo.CallToolRequest
	req.Params.Name = "atlassian_jira_search"
	req.Params.Arguments = map[string]any{"jql": "project = OPS ORDER BY key ASC", "maxResults": 2}
	res, err := c.CallTool(ctx, req)
	if err != nil {
		return err
	}
	if raw, _ := json.Marshal(res); res.IsError || !strings.Contains(string(raw), "OPS-1") {
		return fmt.Errorf("search failed: %.300s", raw)
	}
	return nil
}

// BenchmarkOversizedRequestsRSS measures how much the real server process
// grows (peak RSS, VmHWM, over its RSS before) while it refuses 50 MB
// JSON-RPC messages: three concurrent chunked HTTP bodies per op, or one
// 50 MB stdio line per op; after each op a good call must be answered.
// Issue 11's bar is under 20 MB.
func BenchmarkOversizedRequestsRSS(b *testing.B) {
	const size = 50 << 20
	b.Run("http-3x50MB", func(b *testing.B) {
		cmd, endpoint, token := spawnHTTP(b)
		pid := cmd.Process.Pid
		if err := goodHTTPCall(endpoint, token); err != nil {
			b.Fatalf("warm-up call: %v", err)
		}
		before := procStatus(b, pid, "VmRSS")
		resetPeak(b, pid)
		b.ResetTimer()
		for range b.N {
			var wg sync.WaitGroup
			for c := range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					// An unsized reader: sent chunked, the server must read to learn the size.
					code, body, err := rpcPost(endpoint, token, struct{ io.Reader }{hugeBody(c+2, size)})
					if err == nil && code != http.StatusRequestEntityTooLarge {
						b.Errorf("a 50 MB body: %d %.200s", code, body)
					}
				}()
			}
			wg.Wait()
			if err := goodHTTPCall(endpoint, token); err != nil {
				b.Fatalf("the good call after the refusals: %v", err)
			}
		}
		b.StopTimer()
		reportGrowth(b, pid, before)
	})
	b.Run("stdio-50MB", func(b *testing.B) {
		cmd := exec.Command(binary(&testing.T{}), "serve", "--sandbox", "--log-level", "error")
		in, _ := cmd.StdinPipe()
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = in.Close(); _ = cmd.Process.Kill(); _ = cmd.Wait() })
		answers := bufio.NewScanner(out)
		answers.Buffer(nil, 1<<20)
		call := func(r io.Reader, id int) string {
			if _, err := io.Copy(in, io.MultiReader(r, strings.NewReader("\n"))); err != nil {
				b.Fatal(err)
			}
			for answers.Scan() {
				var m struct {
					ID json.RawMessage `json:"id"`
				}
				if json.Unmarshal(answers.Bytes(), &m) == nil && string(m.ID) == strconv.Itoa(id) {
					return answers.Text()
				}
			}
			b.Fatalf("no answer to %d: %v", id, answers.Err())
			return ""
		}
		call(strings.NewReader(fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":%q,"capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}`, mcpgo.ProtocolVersion20251125)), 1)
		_, _ = io.WriteString(in, `{"jsonrpc":"2.0","method":"notifications/initialized"}`+"\n")
		search := func(id int) {
			if got := call(strings.NewReader(searchCallJSON(id)), id); !strings.Contains(got, "OPS-1") {
				b.Fatalf("good call: %.200s", got)
			}
		}
		search(2)
		pid := cmd.Process.Pid
		before := procStatus(b, pid, "VmRSS")
		resetPeak(b, pid)
		b.ResetTimer()
		for i := range b.N {
			if got := call(hugeBody(100+i, size), 100+i); !strings.Contains(got, `"error"`) {
				b.Fatalf("a 50 MB line: %.200s", got)
			}
			search(1000 + i)
		}
		b.StopTimer()
		reportGrowth(b, pid, before)
	})
}

// searchCallJSON is a good search in a session's protocol.
func searchCallJSON(id int) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"atlassian_jira_search","arguments":{"jql":"project = OPS ORDER BY key ASC","maxResults":2}}}`, id)
}

// reportGrowth reports the peak RSS growth since before and fails over 20 MB.
func reportGrowth(b *testing.B, pid int, before int64) {
	growth := procStatus(b, pid, "VmHWM") - before
	b.ReportMetric(float64(growth)/(1<<20), "MB-peak-rss-growth")
	b.ReportMetric(float64(before)/(1<<20), "MB-rss-before")
	if growth >= 20<<20 {
		b.Errorf("the server grew %.1f MB refusing 50 MB messages; the bar is under 20 MB", float64(growth)/(1<<20))
	}
}
