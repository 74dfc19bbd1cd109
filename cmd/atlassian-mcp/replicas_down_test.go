package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// pgProxy stands between a replica and PostgreSQL so a test can take the
// database away (down: connections refused and cut), make it hang
// (hung: bytes are read but not forwarded) and bring it back, without
// touching the database other tests share.
type pgProxy struct {
	t      *testing.T
	target string
	addr   string

	mu    sync.Mutex
	cond  *sync.Cond
	ln    net.Listener
	conns map[net.Conn]bool
	hung  bool
}

func newPGProxy(t *testing.T, target string) *pgProxy {
	p := &pgProxy{t: t, target: target, conns: map[net.Conn]bool{}}
	p.cond = sync.NewCond(&p.mu)
	p.up()
	t.Cleanup(p.down)
	return p
}

// up listens (again, on the same port) and forwards.
func (p *pgProxy) up() {
	addr := p.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr, p.hung = ln, ln.Addr().String(), false
	p.cond.Broadcast()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
}

// hang stops forwarding: every request waits for an answer that does not
// come.
func (p *pgProxy) hang() {
	p.mu.Lock()
	p.hung = true
	p.mu.Unlock()
}

// down refuses new connections and cuts the open ones.
func (p *pgProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		_ = c.Close()
	}
	p.conns = map[net.Conn]bool{}
	p.hung = false
	p.cond.Broadcast()
}

func (p *pgProxy) serve(c net.Conn) {
	d, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[d] = true, true
	p.mu.Unlock()
	go p.pipe(d, c)
	p.pipe(c, d)
}

// pipe copies src to dst, holding each chunk while the proxy hangs.
func (p *pgProxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			for p.hung && p.conns[src] {
				p.cond.Wait()
			}
			live := p.conns[src]
			p.mu.Unlock()
			if !live {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// dsnVia returns dsn with its host and port replaced by addr.
func dsnVia(t *testing.T, dsn, addr string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = addr
	return u.String()
}

// getWithin GETs url, failing the test when no answer comes within limit.
func getWithin(t *testing.T, url string, limit time.Duration) (int, string) {
	t.Helper()
	hc := &http.Client{Timeout: limit}
	resp, err := hc.Get(url)
	if err != nil {
		t.Fatalf("GET %s: no answer within %s: %v", url, limit, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestReplicaWithoutItsDatabase serves through a proxy to PostgreSQL and
// takes the database away. While it hangs, /readyz answers 503 before its
// own short deadline ends; while it is down, a tool call answers a clear
// error naming neither the DSN nor the database's address; when it comes
// back, the same client's calls work again and /readyz is ready, without
// a restart.
func TestReplicaWithoutItsDatabase(t *testing.T) {
	dsn, key, srv, db := replicaSite(t, 8, sandbox.WithoutRateLimits(), sandbox.WithAccessTokenTTL(2*time.Second))
	ctx := context.Background()
	token := sharedSetup(t, srv, db, dsn, key, time.Time{})
	target, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newPGProxy(t, target.Host)
	proxied := dsnVia(t, dsn, proxy.addr)
	r := startReplica(t, []string{tokenstore.KeyEnv + "=" + key, envStore + "=" + proxied, envRefreshMargin + "=1s"}, filepath.Join(t.TempDir(), "r"))
	c := httpClient(t, r.base+"/mcp", token)
	initialize(t, c)
	calls := 1 // tool calls made, each audited once
	if err := searchOnce(ctx, c); err != nil {
		t.Fatalf("with the database up: %v", err)
	}
	if code, body := getWithin(t, r.base+"/readyz", 10*time.Second); code != http.StatusOK {
		t.Fatalf("/readyz with the database up: %d %q", code, body)
	}
	secrets := []string{proxy.addr, target.Host, "postgres://", "search_path", target.User.Username() + "@"}
	reveals := func(s string) string {
		for _, sec := range secrets {
			if strings.Contains(s, sec) {
				return sec
			}
		}
		return ""
	}

	// Hung: /readyz does not wait for the database.
	proxy.hang()
	start := time.Now()
	code, body := getWithin(t, r.base+"/readyz", 10*time.Second)
	took := time.Since(start)
	if code != http.StatusServiceUnavailable || reveals(body) != "" {
		t.Fatalf("/readyz with the database hung: %d %q", code, body)
	}
	t.Logf("/readyz with the database hung: %d %q after %s", code, strings.TrimSpace(body), took.Round(time.Millisecond))

	// Down: tool calls say so, clearly and without the DSN. The access
	// token expires every 2 s, so a call needs the store to refresh it; a
	// call that still ran on a token in memory cannot be audited, and the
	// next is refused until the audit store answers again.
	proxy.down()
	var req mcpgo.CallToolRequest
	req.Params.Name = "atlassian_jira_search"
	req.Params.Arguments = map[string]any{"jql": "project = OPS ORDER BY key ASC", "maxResults": 1}
	refused := 0
	for i := range 3 {
		cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		calls++
		res, err := c.CallTool(cctx, req)
		cancel()
		var text string
		switch {
		case err != nil:
			text = err.Error()
		case !res.IsError:
			t.Logf("call %d with the database down ran on the token in memory", i+1)
			continue
		default:
			text = fmt.Sprint(res.Content)
		}
		refused++
		t.Logf("call %d with the database down: %s", i+1, text)
		if sec := reveals(text); sec != "" || !strings.Contains(strings.ToLower(text), "database") {
			t.Fatalf("the tool's error reveals %q or does not say the database is the trouble: %s", sec, text)
		}
		// The agent reads a short message, not the driver's chain.
		if strings.Contains(text, "PostgreSQL store:") || strings.Contains(text, "/rest/api") {
			t.Fatalf("the tool's error is the raw error chain: %s", text)
		}
	}
	if refused < 2 {
		t.Fatalf("%d of 3 calls with the database down answered an error, want at least 2", refused)
	}
	code, body = getWithin(t, r.base+"/readyz", 10*time.Second)
	if code != http.StatusServiceUnavailable || reveals(body) != "" {
		t.Fatalf("/readyz with the database down: %d %q", code, body)
	}

	// Back: the entries of the calls made while the database was down
	// were spooled in memory and are written once it answers, though no
	// call comes to carry them: every call is in the table, once.
	proxy.up()
	var rows int
	countRows := func() int {
		t.Helper()
		if err := db.Pool().QueryRow(ctx, "SELECT count(*) FROM audit_entries").Scan(&rows); err != nil {
			t.Fatal(err)
		}
		return rows
	}
	eventuallyWithin(t, 30*time.Second, "the spooled audit entries in the table with no further call", func() bool { return countRows() >= calls })
	if rows != calls {
		t.Fatalf("%d audit rows for %d calls", rows, calls)
	}
	// The same client works again, no restart.
	var lastErr error
	eventuallyWithin(t, 30*time.Second, "calls work again once the database is back", func() bool {
		calls++
		lastErr = searchOnce(ctx, c)
		return lastErr == nil
	})
	if countRows(); rows != calls {
		t.Fatalf("%d audit rows for %d calls", rows, calls)
	}
	if code, body := getWithin(t, r.base+"/readyz", 10*time.Second); code != http.StatusOK {
		t.Fatalf("/readyz once the database is back: %d %q", code, body)
	}

	// Stopped while the database is down: the entry kept in memory cannot
	// be written, and the log says how many were lost, not which or where.
	proxy.down()
	calls++
	cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	_, _ = c.CallTool(cctx, req)
	cancel()
	stopGracefully(t, r.cmd)
	logs := r.log()
	lost := regexp.MustCompile(`.*audit entries lost at shutdown.*entries=1 .*`).FindString(logs)
	if lost == "" || reveals(lost) != "" || strings.Contains(lost, "execution_id") {
		t.Fatalf("the log at shutdown does not count 1 entry lost, or reveals %q or the entry:\n%s", reveals(lost), logs)
	}
	t.Logf("log at shutdown: %s", lost)
}

func eventuallyWithin(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
